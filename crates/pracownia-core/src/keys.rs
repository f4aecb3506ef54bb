//! CurveZMQ keys (docs/PROTOCOL.md, "Encryption (CURVE)"): the lecturer's long-term key pair,
//! kept in a file only its owner can read, and the base64url form (no padding, 43 characters)
//! in which a 32-byte public key travels in the join string and in ZAP's User-Id.

use serde::{Deserialize, Serialize};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A 32-byte Curve25519 public key.
pub type PublicKey = [u8; 32];

/// The lecturer's key pair: the receiver's sockets are CURVE servers with it.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerKeys {
    pub public: PublicKey,
    pub secret: [u8; 32],
}

impl std::fmt::Debug for ServerKeys {
    // Never print the secret (the Config that holds it is logged in places).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerKeys {{ public: {} }}", encode_key(&self.public))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("Could not {action} the key file {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("The key file {} is damaged: {reason}. Move it away to make a new key (students then need the new join string).", path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error("Cannot make a key pair: {0}")]
    Generate(String),
}

/// On-disk form: both keys in base64url, so the file can be read and checked by eye.
#[derive(Serialize, Deserialize)]
struct KeyFile {
    public: String,
    secret: String,
}

impl ServerKeys {
    /// A new random key pair (libzmq's generator, libsodium underneath).
    pub fn generate() -> Result<ServerKeys, KeyError> {
        let pair = zmq::CurveKeyPair::new().map_err(|e| KeyError::Generate(e.to_string()))?;
        Ok(ServerKeys { public: pair.public_key, secret: pair.secret_key })
    }

    /// The key pair in `path`, made and saved there first when the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<ServerKeys, KeyError> {
        match fs::read(path) {
            Ok(bytes) => Self::parse(path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let keys = Self::generate()?;
                keys.save(path)?;
                Ok(keys)
            }
            Err(source) => Err(KeyError::Io { action: "read", path: path.into(), source }),
        }
    }

    fn parse(path: &Path, bytes: &[u8]) -> Result<ServerKeys, KeyError> {
        let damaged = |reason: String| KeyError::Damaged { path: path.into(), reason };
        let file: KeyFile = serde_json::from_slice(bytes).map_err(|e| damaged(e.to_string()))?;
        let public = decode_key(&file.public).ok_or_else(|| damaged("the public key is not valid".into()))?;
        let secret = decode_key(&file.secret).ok_or_else(|| damaged("the secret key is not valid".into()))?;
        if public_of(&secret) != Some(public) {
            return Err(damaged("the public key does not belong to the secret key".into()));
        }
        Ok(ServerKeys { public, secret })
    }

    /// Write the key pair with owner-only permissions (0600 on Unix): a temporary file created
    /// with that mode, fsynced, renamed over `path`, so a reader never sees half a key and the
    /// secret is never readable by others, not even for a moment.
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        let io = |action: &'static str| move |source| KeyError::Io { action, path: path.into(), source };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(io("create the folder of"))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let body =
            serde_json::to_vec_pretty(&KeyFile { public: encode_key(&self.public), secret: encode_key(&self.secret) })
                .expect("serialisable");
        let res = (|| {
            let mut opts = OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()?;
            fs::rename(&tmp, path)
        })();
        if let Err(e) = res {
            let _ = fs::remove_file(&tmp);
            return Err(io("write")(e));
        }
        crate::store::sync_dir(dir);
        Ok(())
    }
}

// In the libzmq that zmq-sys links; zmq-sys 0.12 declares it but does not re-export it.
extern "C" {
    fn zmq_curve_public(
        z85_public_key: *mut std::ffi::c_char,
        z85_secret_key: *const std::ffi::c_char,
    ) -> std::ffi::c_int;
}

/// The public key that belongs to `secret` (libzmq's `zmq_curve_public`, which the `zmq`
/// crate does not wrap).
pub fn public_of(secret: &[u8; 32]) -> Option<PublicKey> {
    let z85_secret = std::ffi::CString::new(zmq::z85_encode(secret).ok()?).ok()?;
    let mut z85_public = [0u8; 41];
    // SAFETY: both buffers are 41 bytes (40 Z85 characters and a NUL), as libzmq requires.
    let rc = unsafe { zmq_curve_public(z85_public.as_mut_ptr().cast(), z85_secret.as_ptr()) };
    if rc != 0 {
        return None;
    }
    let text = std::str::from_utf8(&z85_public[..40]).ok()?;
    zmq::z85_decode(text).ok()?.try_into().ok()
}

/// A student's side of an encrypted class: its own key pair and the lecturer's public key
/// (from the join string). Simulated students and tests use it; the add-on has its own.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientKeys {
    pub server: PublicKey,
    pub public: PublicKey,
    pub secret: [u8; 32],
}

impl std::fmt::Debug for ClientKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientKeys {{ server: {}, public: {} }}", encode_key(&self.server), encode_key(&self.public))
    }
}

impl ClientKeys {
    /// A fresh client key pair for the class whose server key is `server`.
    pub fn generate(server: PublicKey) -> Result<ClientKeys, KeyError> {
        let k = ServerKeys::generate()?;
        Ok(ClientKeys { server, public: k.public, secret: k.secret })
    }

    /// Make `sock` a CURVE client of the lecturer (before it connects).
    pub fn apply(&self, sock: &zmq::Socket) -> Result<(), zmq::Error> {
        sock.set_curve_serverkey(&self.server)?;
        sock.set_curve_publickey(&self.public)?;
        sock.set_curve_secretkey(&self.secret)
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding: 43 characters for a key.
pub fn encode_key(key: &[u8; 32]) -> String {
    let mut out = String::with_capacity(43);
    for chunk in key.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The 32 bytes of a base64url key: exactly 43 characters of the URL-safe alphabet, no padding,
/// and the unused low bits of the last character zero (so each key has one spelling).
pub fn decode_key(text: &str) -> Option<[u8; 32]> {
    let t = text.as_bytes();
    if t.len() != 43 {
        return None;
    }
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = [0u8; 32];
    let mut n = 0;
    for &c in t {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        bits = (bits << 6) | v;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out[n] = (bits >> nbits) as u8;
            n += 1;
            bits &= (1 << nbits) - 1;
        }
    }
    (n == 32 && bits == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_and_is_strict() {
        for seed in 0u8..=255 {
            let key: [u8; 32] = std::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8 * 7));
            let s = encode_key(&key);
            assert_eq!(s.len(), 43);
            assert!(!s.contains(['=', '+', '/']));
            assert_eq!(decode_key(&s), Some(key));
        }
        // Known value: 32 zero bytes, then 32 0xFF bytes.
        assert_eq!(encode_key(&[0; 32]), "A".repeat(43));
        assert_eq!(encode_key(&[0xFF; 32]), format!("{}8", "_".repeat(42)));
        assert_eq!(decode_key(&"A".repeat(42)), None, "too short");
        assert_eq!(decode_key(&"A".repeat(44)), None, "too long");
        assert_eq!(decode_key(&format!("{}=", "A".repeat(42))), None, "padding");
        assert_eq!(decode_key(&format!("{}+", "A".repeat(42))), None, "standard alphabet");
        assert_eq!(decode_key(&format!("{}B", "A".repeat(42))), None, "stray low bits");
    }

    #[test]
    fn a_key_file_is_made_once_owner_only_and_loaded_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("server-key.json");
        let first = ServerKeys::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = ServerKeys::load_or_create(&path).unwrap();
        assert_eq!(first, again, "the same key after a restart");
        assert_ne!(first.public, ServerKeys::generate().unwrap().public);
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
        assert!(!format!("{first:?}").contains(&encode_key(&first.secret)), "Debug hides the secret");
    }

    #[test]
    fn a_damaged_or_mismatched_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        fs::write(&path, b"not json").unwrap();
        assert!(matches!(ServerKeys::load_or_create(&path), Err(KeyError::Damaged { .. })));
        let (a, b) = (ServerKeys::generate().unwrap(), ServerKeys::generate().unwrap());
        let mixed = ServerKeys { public: a.public, secret: b.secret };
        fs::remove_file(&path).unwrap();
        mixed.save(&path).unwrap();
        assert!(matches!(ServerKeys::load_or_create(&path), Err(KeyError::Damaged { .. })));
    }
}
