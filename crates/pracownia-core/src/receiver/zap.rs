//! The ZAP handler (RFC 27) of an encrypted class: libzmq asks it, on `inproc://zeromq.zap.01`
//! in the receiver's context, about every CURVE client that completes the handshake on the
//! receiver's sockets. It accepts any CURVE client (who may post as which student is decided
//! per message, by the pins: see [`super::pinning`]) and sets the connection's User-Id to the
//! client's public key in base64url, which the socket threads read from each message.

use crate::keys::encode_key;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub const ENDPOINT: &str = "inproc://zeromq.zap.01";
/// The ZAP domain the receiver's sockets set (any non-empty one makes libzmq always ask).
pub const DOMAIN: &str = "pracownia";
const POLL_MS: i64 = 100;

/// Make `sock` a CURVE server with the lecturer's key (before it binds). Clients that do not
/// speak CURVE with the matching server key fail the handshake: nothing of theirs arrives.
pub fn serve_curve(sock: &zmq::Socket, keys: &crate::keys::ServerKeys) -> Result<(), zmq::Error> {
    sock.set_zap_domain(DOMAIN)?;
    sock.set_curve_server(true)?;
    sock.set_curve_secretkey(&keys.secret)
}

/// Bind the handler before the CURVE sockets bind, so no handshake happens without it.
pub fn bind(ctx: &zmq::Context) -> Result<zmq::Socket, zmq::Error> {
    let sock = ctx.socket(zmq::REP)?;
    sock.set_linger(0)?;
    sock.bind(ENDPOINT)?;
    Ok(sock)
}

/// Answer requests until `stop`.
pub fn run(sock: zmq::Socket, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::SeqCst) {
        match sock.poll(zmq::POLLIN, POLL_MS) {
            Ok(n) if n > 0 => {}
            _ => continue,
        }
        let Ok(request) = sock.recv_multipart(0) else { continue };
        let reply = answer(&request);
        if let Err(e) = sock.send_multipart(reply, 0) {
            log::warn!("The encryption handshake handler could not answer: {e}");
        }
    }
}

/// The reply to one request: `[version, request id, status, status text, user id, metadata]`.
/// Request frames: version, request id, domain, address, routing id, mechanism, credentials.
fn answer(request: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let request_id = request.get(1).cloned().unwrap_or_default();
    let reply = |code: &str, text: &str, user: String| {
        vec![b"1.0".to_vec(), request_id.clone(), code.into(), text.into(), user.into_bytes(), Vec::new()]
    };
    if request.first().map(Vec::as_slice) != Some(b"1.0") {
        return reply("500", "unsupported ZAP version", String::new());
    }
    match (request.get(5).map(Vec::as_slice), request.get(6)) {
        (Some(b"CURVE"), Some(key)) if key.len() == 32 => {
            let key: [u8; 32] = key.as_slice().try_into().expect("32 bytes");
            reply("200", "OK", encode_key(&key))
        }
        // Only CURVE reaches a CURVE server; anything else is refused outright.
        _ => reply("400", "CURVE only", String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_clients_get_their_key_as_user_id_and_others_are_refused() {
        let key = [7u8; 32];
        let req = |mech: &str, cred: Vec<u8>| {
            vec![b"1.0".to_vec(), b"42".to_vec(), DOMAIN.into(), b"127.0.0.1".to_vec(), vec![], mech.into(), cred]
        };
        let ok = answer(&req("CURVE", key.to_vec()));
        assert_eq!(ok[1], b"42");
        assert_eq!(ok[2], b"200");
        assert_eq!(ok[4], encode_key(&key).into_bytes());
        assert_eq!(answer(&req("NULL", vec![]))[2], b"400");
        assert_eq!(answer(&req("CURVE", vec![1, 2, 3]))[2], b"400");
        let mut bad = req("CURVE", key.to_vec());
        bad[0] = b"2.0".to_vec();
        assert_eq!(answer(&bad)[2], b"500");
    }
}
