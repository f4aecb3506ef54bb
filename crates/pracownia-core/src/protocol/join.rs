//! The join string the lecturer reads out or pastes into a chat: the address, the port, the
//! class code and, for an encrypted class, the lecturer's public key in one line,
//! `pracownia://192.168.1.10:5570/KOT-LAS-42?key=<43 base64url characters>` (docs/PROTOCOL.md,
//! "Join string"). The code is percent-encoded; other query fields are ignored.

use crate::keys::{decode_key, encode_key, PublicKey};

/// The parts of a join string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Join {
    /// A host name or IP address (an IPv6 address without brackets).
    pub host: String,
    pub port: u16,
    /// Empty when the class has no code.
    pub class_code: String,
    /// The lecturer's CURVE public key: the class is encrypted (`?key=`).
    pub server_key: Option<PublicKey>,
}

pub const SCHEME: &str = "pracownia://";

/// Why a text is not a join string, worded for a student.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    #[error("The join text does not start with pracownia://")]
    NotAJoinString,
    #[error("The join text has no address before the class code")]
    NoHost,
    #[error("The port in the join text must be a number from 1 to 65535")]
    BadPort,
    #[error("The class code in the join text is not properly written (a % must be followed by two hex digits)")]
    BadCode,
    #[error("The key in the join text is damaged: it must be 43 letters, digits, - or _ after key=. Copy the whole join text again from the lecturer")]
    BadKey,
}

/// `pracownia://HOST:PORT/CODE` (without `/CODE` when there is none), then `?key=KEY` when the
/// class is encrypted.
pub fn join_string(host: &str, port: u16, class_code: &str, server_key: Option<&PublicKey>) -> String {
    let host = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
    let mut s = if class_code.is_empty() {
        format!("{SCHEME}{host}:{port}")
    } else {
        format!("{SCHEME}{host}:{port}/{}", encode(class_code))
    };
    if let Some(k) = server_key {
        s.push_str("?key=");
        s.push_str(&encode_key(k));
    }
    s
}

/// Read a join string (the scheme is case-insensitive; surrounding space is ignored).
pub fn parse_join(text: &str) -> Result<Join, JoinError> {
    let text = text.trim();
    let rest = match text.get(..SCHEME.len()) {
        Some(head) if head.eq_ignore_ascii_case(SCHEME) => &text[SCHEME.len()..],
        _ => return Err(JoinError::NotAJoinString),
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let server_key = server_key(query)?;
    let (authority, code) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or(JoinError::NoHost)?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() || host.contains([' ', '/', '@']) {
        return Err(JoinError::NoHost);
    }
    let port = match port {
        None => crate::protocol::DEFAULT_PORT,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            p.parse::<u16>().ok().filter(|&p| p > 0).ok_or(JoinError::BadPort)?
        }
        Some(_) => return Err(JoinError::BadPort),
    };
    let class_code = decode(code.trim_end_matches('/')).ok_or(JoinError::BadCode)?;
    Ok(Join { host: host.to_string(), port, class_code, server_key })
}

/// The `key` field of the query: 43 base64url characters for 32 bytes (given more than once,
/// always the same). Other fields are for later versions and ignored.
fn server_key(query: &str) -> Result<Option<PublicKey>, JoinError> {
    let mut found = None;
    for field in query.split('&') {
        let value = match field.split_once('=') {
            Some(("key", v)) => v,
            None if field == "key" => "",
            _ => continue,
        };
        let key = decode_key(value).ok_or(JoinError::BadKey)?;
        if found.is_some_and(|k| k != key) {
            return Err(JoinError::BadKey); // two keys: which one is the lecturer's?
        }
        found = Some(key);
    }
    Ok(found)
}

/// Percent-encode everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors the add-on's tests read too (tests/vectors/join.json).
    #[test]
    fn shared_vectors() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/join.json");
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut keys = 0;
        for case in v["valid"].as_array().unwrap() {
            let text = case["text"].as_str().unwrap();
            let j = parse_join(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(j.host, case["host"].as_str().unwrap(), "{text}");
            assert_eq!(j.port as u64, case["port"].as_u64().unwrap(), "{text}");
            assert_eq!(j.class_code, case["class_code"].as_str().unwrap(), "{text}");
            let key = case.get("server_key").and_then(|k| k.as_str());
            assert_eq!(j.server_key.map(|k| encode_key(&k)).as_deref(), key, "{text}");
            keys += usize::from(key.is_some());
            if let Some(canonical) = case["canonical"].as_str() {
                assert_eq!(join_string(&j.host, j.port, &j.class_code, j.server_key.as_ref()), canonical);
            }
        }
        assert!(keys >= 3, "the vectors have cases with a key");
        for case in v["invalid"].as_array().unwrap() {
            assert!(parse_join(case.as_str().unwrap()).is_err(), "{case}");
        }
        let invalid = v["invalid"].as_array().unwrap();
        for case in v["invalid_key"].as_array().unwrap() {
            assert_eq!(parse_join(case.as_str().unwrap()), Err(JoinError::BadKey), "{case}");
            assert!(invalid.contains(case), "every invalid_key case is in invalid too: {case}");
        }
    }

    #[test]
    fn any_code_and_key_round_trips() {
        let key = crate::keys::ServerKeys::generate().unwrap().public;
        for code in ["", "KOT-LAS-42", "zażółć gęślą jaźń", "a/b?c#d%e f", "🦊"] {
            for host in ["192.168.1.10", "lab-12.uni.pl", "fe80::1"] {
                for k in [None, Some(key)] {
                    let s = join_string(host, 5570, code, k.as_ref());
                    let want = Join { host: host.into(), port: 5570, class_code: code.into(), server_key: k };
                    assert_eq!(parse_join(&s).unwrap(), want, "{s}");
                }
            }
        }
    }
}
