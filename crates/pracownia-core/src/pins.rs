//! Key pinning (docs/PROTOCOL.md, "Encryption (CURVE)"): in an encrypted class each student id
//! (the wire `student`) is pinned to the first CURVE client key whose message passed the
//! receiver's checks; another key claiming that id is refused (`key_mismatch`).
//!
//! Pins live in `.pracownia/pins.json` beside the index, not in it, so a `reindex` (which
//! rebuilds the index from the student folders) keeps them, and so does a restart. The receiver
//! holds one [`Pins`] shared by its socket threads; every change is written at once (temporary
//! file, fsync, rename).

use crate::keys::{decode_key, encode_key, PublicKey};
use crate::store::{StoreError, META_DIR};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use uuid::Uuid;

pub const PINS_FILE: &str = "pins.json";

/// What [`Pins::admit`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// The id had no pin: it is now pinned to this key.
    PinnedNow,
    /// The id is pinned to this key.
    Matches,
    /// The id is pinned to another key.
    Mismatch,
    /// The id has no pin and `may_pin` said no (over the rate of new pins): nothing changed.
    NotNow,
}

pub struct Pins {
    path: PathBuf,
    map: Mutex<BTreeMap<Uuid, PublicKey>>,
}

impl Pins {
    /// The pins of the store at `root` (none when the file does not exist yet).
    pub fn open(root: &Path) -> Result<Pins, StoreError> {
        let path = root.join(META_DIR).join(PINS_FILE);
        let map = match std::fs::read(&path) {
            Ok(bytes) => parse(&bytes).ok_or_else(|| StoreError::CorruptMetadata {
                path: path.clone(),
                detail: "not a valid list of student keys; move it away to let every student pin a key again".into(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(StoreError::io("read", &path)(e)),
        };
        Ok(Pins { path, map: Mutex::new(map) })
    }

    pub fn get(&self, student: Uuid) -> Option<PublicKey> {
        self.lock().get(&student).copied()
    }

    /// Every pin, for listings.
    pub fn all(&self) -> Vec<(Uuid, PublicKey)> {
        self.lock().iter().map(|(s, k)| (*s, *k)).collect()
    }

    /// Check `key` against the pin of `student`, pinning it when there is none and `may_pin()`
    /// agrees (asked only then). A pin that cannot be written is still kept in memory (and
    /// logged): refusing the class because of a disk error would hurt more than a pin lost at
    /// the next restart.
    pub fn admit(&self, student: Uuid, key: &PublicKey, may_pin: impl FnOnce() -> bool) -> Admit {
        let mut map = self.lock();
        match map.get(&student) {
            Some(k) if k == key => Admit::Matches,
            Some(_) => Admit::Mismatch,
            None if !may_pin() => Admit::NotNow,
            None => {
                map.insert(student, *key);
                if let Err(e) = self.write(&map) {
                    log::warn!("The key of a student could not be saved (it holds until the receiver stops): {e}");
                }
                Admit::PinnedNow
            }
        }
    }

    /// Forget the pin of `student` (a student who reinstalled the add-on): the next key it joins
    /// with is pinned. False when it had none.
    pub fn reset(&self, student: Uuid) -> Result<bool, StoreError> {
        let mut map = self.lock();
        if map.remove(&student).is_none() {
            return Ok(false);
        }
        self.write(&map)?;
        Ok(true)
    }

    fn write(&self, map: &BTreeMap<Uuid, PublicKey>) -> Result<(), StoreError> {
        let pins: BTreeMap<String, String> = map.iter().map(|(s, k)| (s.to_string(), encode_key(k))).collect();
        let body = serde_json::json!({ "version": 1, "pins": pins });
        crate::store::write_atomic(&self.path, serde_json::to_string_pretty(&body).expect("json").as_bytes())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Uuid, PublicKey>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `{"version": 1, "pins": {"<uuid>": "<base64url key>"}}`
fn parse(bytes: &[u8]) -> Option<BTreeMap<Uuid, PublicKey>> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    v["pins"].as_object()?.iter().map(|(s, k)| Some((Uuid::parse_str(s).ok()?, decode_key(k.as_str()?)?))).collect()
}

/// Reset a pin in a store no receiver is running on (the CLI). With a running receiver use
/// [`crate::receiver::Receiver::reset_pin`], which shares its pins.
pub fn reset_pin(root: &Path, student: Uuid) -> Result<bool, StoreError> {
    Pins::open(root)?.reset(student)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_key_is_pinned_kept_across_reopen_and_reset() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(META_DIR)).unwrap();
        let (anna, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        let pins = Pins::open(dir.path()).unwrap();
        assert_eq!(pins.admit(anna, &k1, || true), Admit::PinnedNow);
        assert_eq!(pins.admit(anna, &k1, || true), Admit::Matches);
        assert_eq!(pins.admit(anna, &k2, || true), Admit::Mismatch);
        assert_eq!(pins.admit(bob, &k2, || false), Admit::NotNow);
        assert_eq!(pins.get(bob), None, "not pinned when not allowed");
        assert_eq!(pins.admit(bob, &k2, || true), Admit::PinnedNow, "pins are per student id");
        drop(pins);

        let pins = Pins::open(dir.path()).unwrap();
        assert_eq!(pins.get(anna), Some(k1), "pins survive a restart");
        assert_eq!(pins.admit(anna, &k2, || true), Admit::Mismatch);
        assert!(reset_pin(dir.path(), anna).unwrap());
        assert!(!reset_pin(dir.path(), anna).unwrap(), "nothing left to reset");
        let pins = Pins::open(dir.path()).unwrap();
        assert_eq!(pins.get(anna), None);
        assert_eq!(pins.get(bob), Some(k2), "other pins untouched");
        assert_eq!(pins.admit(anna, &k2, || true), Admit::PinnedNow, "after a reset the next key is pinned");
    }

    #[test]
    fn a_damaged_pins_file_is_an_error_not_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(META_DIR)).unwrap();
        std::fs::write(dir.path().join(META_DIR).join(PINS_FILE), b"{\"pins\": {\"x\": 1}}").unwrap();
        assert!(Pins::open(dir.path()).is_err(), "silently forgetting every pin would let anyone in");
    }
}
