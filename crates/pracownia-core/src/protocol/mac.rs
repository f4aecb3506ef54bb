//! The optional fourth frame: HMAC-SHA256 over length-prefixed topic, header and body, keyed with
//! the class code. Length prefixes stop frames from being re-split to forge a MAC.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const MAC_LEN: usize = 32;

fn keyed(key: &[u8], topic: &[u8], header: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for part in [topic, header, body] {
        m.update(&(part.len() as u32).to_be_bytes());
        m.update(part);
    }
    m
}

pub fn mac(key: &[u8], topic: &[u8], header: &[u8], body: &[u8]) -> [u8; MAC_LEN] {
    keyed(key, topic, header, body).finalize().into_bytes().into()
}

/// Constant-time check.
pub fn verify_mac(key: &[u8], topic: &[u8], header: &[u8], body: &[u8], tag: &[u8]) -> bool {
    tag.len() == MAC_LEN && keyed(key, topic, header, body).verify_slice(tag).is_ok()
}
