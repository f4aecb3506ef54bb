//! The ZAP handler (RFC 27): libzmq asks it, on `inproc://zeromq.zap.01` in the receiver's
//! context, about every client that completes the handshake on the receiver's two sockets (both
//! set a ZAP domain, so libzmq asks for NULL clients too: `null_mechanism.cpp`, `zap_required`).
//!
//! - Every accepted connection gets a number of its own, `X-Connection` in the reply's metadata.
//!   libzmq attaches ZAP metadata to every message of that connection, which is how the socket
//!   threads tell connections apart (a SUB socket does not say which one a message came on); the
//!   worker's budget of new student ids per connection needs it. A client cannot choose it:
//!   libzmq puts ZAP properties before the client's own (`stream_engine_base.cpp`,
//!   `mechanism_ready`: `std::map::insert` keeps the first).
//! - An encrypted class accepts any CURVE client (who may post as which student is decided per
//!   message, by the pins: see [`super::pinning`]) and sets the connection's User-Id to the
//!   client's public key in base64url. A plaintext class accepts NULL clients.

use crate::keys::encode_key;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub const ENDPOINT: &str = "inproc://zeromq.zap.01";
/// The ZAP domain the receiver's sockets set (any non-empty one makes libzmq always ask).
pub const DOMAIN: &str = "pracownia";
const POLL_MS: i64 = 100;

/// The connection-number property the handler sets.
pub const CONNECTION: &str = "X-Connection";

/// Make every handshake on `sock` go through the handler (before it binds); with `keys`, make it
/// a CURVE server with the lecturer's key: clients that do not speak CURVE with the matching
/// server key fail the handshake, nothing of theirs arrives.
pub fn serve(sock: &zmq::Socket, keys: Option<&crate::keys::ServerKeys>) -> Result<(), zmq::Error> {
    sock.set_zap_domain(DOMAIN)?;
    if let Some(keys) = keys {
        sock.set_curve_server(true)?;
        sock.set_curve_secretkey(&keys.secret)?;
    }
    Ok(())
}

/// The number the handler gave the connection a message came on (from any frame of it).
pub fn connection(frame: &mut zmq::Message) -> Option<u64> {
    frame.gets(CONNECTION).and_then(|v| v.parse().ok())
}

/// Bind the handler before the sockets bind, so no handshake happens without it (libzmq lets a
/// NULL client in without asking when nothing is bound here, and then without a number; a CURVE
/// client without a User-Id, i.e. unpinned).
pub fn bind(ctx: &zmq::Context) -> Result<zmq::Socket, zmq::Error> {
    let sock = ctx.socket(zmq::REP)?;
    sock.set_linger(0)?;
    sock.bind(ENDPOINT)?;
    Ok(sock)
}

/// Answer requests until `stop`; `encrypted`: the class's sockets are CURVE servers.
pub fn run(sock: zmq::Socket, stop: Arc<AtomicBool>, encrypted: bool) {
    let mut connections = 0u64;
    while !stop.load(Ordering::SeqCst) {
        match sock.poll(zmq::POLLIN, POLL_MS) {
            Ok(n) if n > 0 => {}
            _ => continue,
        }
        let Ok(request) = sock.recv_multipart(0) else { continue };
        let reply = answer(&request, encrypted, &mut connections);
        if let Err(e) = sock.send_multipart(reply, 0) {
            log::warn!("The encryption handshake handler could not answer: {e}");
        }
    }
}

/// The reply to one request: `[version, request id, status, status text, user id, metadata]`.
/// Request frames: version, request id, domain, address, routing id, mechanism, credentials.
/// An accepted connection takes the next number from `connections`.
fn answer(request: &[Vec<u8>], encrypted: bool, connections: &mut u64) -> Vec<Vec<u8>> {
    let request_id = request.get(1).cloned().unwrap_or_default();
    let reply = |code: &str, text: &str, user: String, metadata: Vec<u8>| {
        vec![b"1.0".to_vec(), request_id.clone(), code.into(), text.into(), user.into_bytes(), metadata]
    };
    if request.first().map(Vec::as_slice) != Some(b"1.0") {
        return reply("500", "unsupported ZAP version", String::new(), Vec::new());
    }
    let mut accept = |user: String| {
        *connections += 1;
        reply("200", "OK", user, metadata(CONNECTION, &connections.to_string()))
    };
    match (request.get(5).map(Vec::as_slice), request.get(6)) {
        (Some(b"CURVE"), Some(key)) if encrypted && key.len() == 32 => {
            let key: [u8; 32] = key.as_slice().try_into().expect("32 bytes");
            accept(encode_key(&key))
        }
        (Some(b"NULL"), _) if !encrypted => accept(String::new()),
        // libzmq only lets the socket's own mechanism through; anything else is refused outright.
        _ => reply("400", if encrypted { "CURVE only" } else { "NULL only" }, String::new(), Vec::new()),
    }
}

/// One property in ZMTP metadata encoding (RFC 23): name length (1 byte), name, value length
/// (4 bytes, big-endian), value.
fn metadata(name: &str, value: &str) -> Vec<u8> {
    let mut m = vec![name.len() as u8];
    m.extend(name.as_bytes());
    m.extend((value.len() as u32).to_be_bytes());
    m.extend(value.as_bytes());
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(mech: &str, cred: Vec<u8>) -> Vec<Vec<u8>> {
        vec![b"1.0".to_vec(), b"42".to_vec(), DOMAIN.into(), b"127.0.0.1".to_vec(), vec![], mech.into(), cred]
    }

    #[test]
    fn curve_clients_get_their_key_as_user_id_and_others_are_refused() {
        let key = [7u8; 32];
        let mut n = 0;
        let ok = answer(&req("CURVE", key.to_vec()), true, &mut n);
        assert_eq!(ok[1], b"42");
        assert_eq!(ok[2], b"200");
        assert_eq!(ok[4], encode_key(&key).into_bytes());
        assert_eq!(ok[5], metadata(CONNECTION, "1"));
        assert_eq!(answer(&req("NULL", vec![]), true, &mut n)[2], b"400");
        assert_eq!(answer(&req("CURVE", vec![1, 2, 3]), true, &mut n)[2], b"400");
        let mut bad = req("CURVE", key.to_vec());
        bad[0] = b"2.0".to_vec();
        assert_eq!(answer(&bad, true, &mut n)[2], b"500");
        assert_eq!(n, 1, "only accepted connections take a number");
    }

    #[test]
    fn a_plaintext_class_accepts_null_clients_each_with_its_own_number() {
        let mut n = 0;
        let first = answer(&req("NULL", vec![]), false, &mut n);
        let second = answer(&req("NULL", vec![]), false, &mut n);
        assert_eq!((&first[2][..], &first[4][..]), (&b"200"[..], &b""[..]));
        // 1-byte name length, name, 4-byte big-endian value length, value.
        assert_eq!(first[5], [&[12u8][..], b"X-Connection", &[0, 0, 0, 1], b"1"].concat());
        assert_eq!(second[5], metadata(CONNECTION, "2"));
        assert_eq!(answer(&req("CURVE", vec![7; 32]), false, &mut n)[2], b"400");
        assert_eq!(answer(&req("PLAIN", vec![]), false, &mut n)[2], b"400");
    }
}
