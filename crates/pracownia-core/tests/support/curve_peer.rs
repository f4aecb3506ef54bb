//! A CurveZMQ client written by hand over a plain TCP socket (ZMTP 3.0, RFC 26), for tests that
//! must send what no ZeroMQ library sends: the frames of a message that never ends, encrypted.

use libsodium_sys as na;
use std::io::{Read, Write};
use std::net::TcpStream;

fn seal(msg: &[u8], nonce: &[u8; 24], pk: &[u8; 32], sk: &[u8; 32]) -> Vec<u8> {
    let mut out = vec![0u8; msg.len() + 16];
    // SAFETY: out has room for the MAC and the message; the keys and nonce have their sizes.
    let rc = unsafe {
        na::crypto_box_easy(out.as_mut_ptr(), msg.as_ptr(), msg.len() as u64, nonce.as_ptr(), pk.as_ptr(), sk.as_ptr())
    };
    assert_eq!(rc, 0);
    out
}

fn open(boxed: &[u8], nonce: &[u8; 24], pk: &[u8; 32], sk: &[u8; 32]) -> Vec<u8> {
    let mut out = vec![0u8; boxed.len() - 16];
    // SAFETY: as in seal; boxed holds at least the MAC.
    let rc = unsafe {
        na::crypto_box_open_easy(
            out.as_mut_ptr(),
            boxed.as_ptr(),
            boxed.len() as u64,
            nonce.as_ptr(),
            pk.as_ptr(),
            sk.as_ptr(),
        )
    };
    assert_eq!(rc, 0, "a box from the server did not open");
    out
}

fn keypair() -> ([u8; 32], [u8; 32]) {
    let (mut pk, mut sk) = ([0u8; 32], [0u8; 32]);
    // SAFETY: two 32-byte buffers.
    unsafe {
        assert!(na::sodium_init() >= 0);
        na::crypto_box_keypair(pk.as_mut_ptr(), sk.as_mut_ptr());
    }
    (pk, sk)
}

fn nonce(prefix: &[u8], tail: &[u8]) -> [u8; 24] {
    let mut n = [0u8; 24];
    n[..prefix.len()].copy_from_slice(prefix);
    n[prefix.len()..].copy_from_slice(tail);
    n
}

fn command(name: &[u8], body: &[u8]) -> Vec<u8> {
    let mut data = vec![name.len() as u8];
    data.extend(name);
    data.extend(body);
    frame(0x04, &data)
}

fn frame(flags: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 9);
    if data.len() > 255 {
        out.push(flags | 0x02);
        out.extend((data.len() as u64).to_be_bytes());
    } else {
        out.push(flags);
        out.push(data.len() as u8);
    }
    out.extend(data);
    out
}

fn read_frame(s: &mut TcpStream) -> Vec<u8> {
    let mut flags = [0u8; 1];
    s.read_exact(&mut flags).unwrap();
    let size = if flags[0] & 0x02 != 0 {
        let mut b = [0u8; 8];
        s.read_exact(&mut b).unwrap();
        u64::from_be_bytes(b) as usize
    } else {
        let mut b = [0u8; 1];
        s.read_exact(&mut b).unwrap();
        b[0] as usize
    };
    let mut data = vec![0u8; size];
    s.read_exact(&mut data).unwrap();
    data
}

/// A PUB peer that has passed the CURVE handshake with the server whose public key is `server`.
pub struct CurvePeer {
    pub sock: TcpStream,
    short_sk: [u8; 32],
    server_short: [u8; 32],
    nonce: u64,
}

impl CurvePeer {
    pub fn connect(port: u16, server: &[u8; 32]) -> CurvePeer {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0];
        greeting.extend(b"CURVE".iter().copied().chain(std::iter::repeat_n(0, 15)));
        greeting.extend([0u8; 32]);
        s.write_all(&greeting).unwrap();
        let mut theirs = [0u8; 64];
        s.read_exact(&mut theirs).unwrap();
        let (long_pk, long_sk) = keypair();
        let (short_pk, short_sk) = keypair();

        // HELLO: version 1.0, 72 bytes of padding, C', short nonce 1, Box[64 zeros](C'->S).
        let mut body = vec![1, 0];
        body.extend([0u8; 72]);
        body.extend(short_pk);
        body.extend(1u64.to_be_bytes());
        body.extend(seal(&[0u8; 64], &nonce(b"CurveZMQHELLO---", &1u64.to_be_bytes()), server, &short_sk));
        s.write_all(&command(b"HELLO", &body)).unwrap();

        // WELCOME: a 16-byte nonce and Box[S' + cookie](S->C').
        let welcome = read_frame(&mut s);
        assert_eq!(&welcome[..8], b"\x07WELCOME", "no WELCOME");
        let plain = open(&welcome[24..], &nonce(b"WELCOME-", &welcome[8..24]), server, &short_sk);
        let server_short: [u8; 32] = plain[..32].try_into().unwrap();
        let cookie = &plain[32..128];

        // INITIATE: the cookie, short nonce 2, Box[C + vouch + metadata](C'->S').
        let mut vouch_nonce = [0u8; 16];
        // SAFETY: a 16-byte buffer.
        unsafe { na::randombytes_buf(vouch_nonce.as_mut_ptr().cast(), 16) };
        let mut vouched = short_pk.to_vec();
        vouched.extend(server);
        let vouch = seal(&vouched, &nonce(b"VOUCH---", &vouch_nonce), &server_short, &long_sk);
        let mut inner = long_pk.to_vec();
        inner.extend(vouch_nonce);
        inner.extend(vouch);
        inner.extend([11]);
        inner.extend(b"Socket-Type");
        inner.extend(3u32.to_be_bytes());
        inner.extend(b"PUB");
        let mut body = cookie.to_vec();
        body.extend(2u64.to_be_bytes());
        body.extend(seal(&inner, &nonce(b"CurveZMQINITIATE", &2u64.to_be_bytes()), &server_short, &short_sk));
        s.write_all(&command(b"INITIATE", &body)).unwrap();

        let ready = read_frame(&mut s);
        assert_eq!(&ready[..6], b"\x05READY", "no READY: {:?}", &ready[..ready.len().min(16)]);
        s.set_write_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        CurvePeer { sock: s, short_sk, server_short, nonce: 2 }
    }

    /// One encrypted frame: "MESSAGE", a short nonce and Box[flags + data](C'->S'), sent as a
    /// data frame (the MORE flag travels inside the box, out of sight of anything on the way).
    /// False once the server has dropped the connection.
    pub fn send(&mut self, data: &[u8], more: bool) -> bool {
        self.nonce += 1;
        let mut plain = vec![u8::from(more)];
        plain.extend(data);
        let n = self.nonce.to_be_bytes();
        let mut body = b"\x07MESSAGE".to_vec();
        body.extend(n);
        body.extend(seal(&plain, &nonce(b"CurveZMQMESSAGEC", &n), &self.server_short, &self.short_sk));
        self.sock.write_all(&frame(0, &body)).is_ok()
    }
}
