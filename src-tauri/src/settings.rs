//! The lecturer's settings, persisted as JSON in the app's config folder.

use crate::error::{AppError, ErrorKind};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

pub const DEFAULT_PORT: u16 = pracownia_core::protocol::DEFAULT_PORT;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Pl,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Settings {
    pub port: u16,
    pub store: String,
    pub class_code: Option<String>,
    pub blender_path: Option<String>,
    pub language: Language,
    /// A soft sound with each notification of a raised hand or a chat (the UI plays it). Off by
    /// default; absent from older callers' and files' JSON.
    #[serde(default)]
    pub sound: bool,
    /// Run the class over CurveZMQ (docs/PROTOCOL.md, "Encryption"): the join string then carries
    /// this computer's server key, and students need it (add-ons older than encryption cannot
    /// join). On for a new installation; a settings file from before encryption keeps it off, so
    /// an existing class goes on working as it did.
    #[serde(default)]
    pub encrypt: bool,
    /// The current class: its folder inside `store` (the store root), empty for a store from
    /// before classes (the root itself is the class). `port`, `class_code` and `encrypt` are the
    /// current class's (kept in its folder, crate::classes). Changed only by `switch_class`.
    #[serde(default)]
    pub class: String,
}

/// The same fields, each optional: a settings file from an older version, or edited by hand,
/// still loads, with defaults for what it lacks.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingsFile {
    port: Option<u16>,
    store: Option<String>,
    class_code: Option<String>,
    blender_path: Option<String>,
    language: Option<Language>,
    sound: Option<bool>,
    encrypt: Option<bool>,
    class: Option<String>,
}

/// `<Documents or data dir>/Pracownia`.
pub fn default_store(documents: Option<PathBuf>, data: Option<PathBuf>, home: Option<PathBuf>) -> PathBuf {
    documents.or(data).or(home).unwrap_or_else(std::env::temp_dir).join("Pracownia")
}

impl Settings {
    pub fn defaults(store: &Path) -> Settings {
        Settings {
            port: DEFAULT_PORT,
            store: store.to_string_lossy().into_owned(),
            class_code: None,
            blender_path: None,
            language: Language::En,
            sound: false,
            encrypt: true,
            class: String::new(),
        }
    }

    /// The current class's folder.
    pub fn class_dir(&self) -> PathBuf {
        crate::classes::class_dir(Path::new(&self.store), &self.class)
    }

    /// Trimmed, with empty optional text as `None`; refuses what cannot work.
    pub fn validate(mut self) -> Result<Settings, AppError> {
        if self.port == 0 {
            return Err(AppError::new(ErrorKind::BadPort, "The port must be a number from 1 to 65535."));
        }
        self.store = self.store.trim().to_owned();
        if self.store.is_empty() {
            return Err(AppError::new(ErrorKind::NoStore, "Choose a folder where the students' work will be stored."));
        }
        if !Path::new(&self.store).is_absolute() {
            return Err(AppError::new(
                ErrorKind::StoreNotAbsolute,
                format!(
                    "The store folder must be a full path (for example {}), not \"{}\".",
                    if cfg!(windows) { r"C:\Users\you\Documents\Pracownia" } else { "/home/you/Pracownia" },
                    self.store
                ),
            )
            .with("path", &self.store));
        }
        // One plain folder name inside the root (a hand-edited file must not point elsewhere).
        let plain = Path::new(&self.class).components().count() == 1
            && matches!(Path::new(&self.class).components().next(), Some(std::path::Component::Normal(_)))
            && !self.class.starts_with('.');
        if !self.class.is_empty() && !plain {
            self.class.clear();
        }
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        self.class_code = clean(self.class_code);
        self.blender_path = clean(self.blender_path);
        if let Some(code) = &self.class_code {
            if code.chars().count() > 64 || code.chars().any(char::is_control) {
                return Err(AppError::new(
                    ErrorKind::BadClassCode,
                    "The class code must be at most 64 characters, without line breaks.",
                ));
            }
        }
        Ok(self)
    }

    /// Reads the settings file; a missing or unreadable one gives the defaults (a damaged file is
    /// logged and left for the next save to replace).
    pub fn load(file: &Path, default_store: &Path) -> Settings {
        let defaults = Settings::defaults(default_store);
        let (parsed, existed): (SettingsFile, bool) = match std::fs::read(file) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(s) => (s, true),
                Err(e) => {
                    log::warn!("Ignoring the damaged settings file {}: {e}", file.display());
                    (SettingsFile::default(), true)
                }
            },
            Err(_) => (SettingsFile::default(), false),
        };
        let merged = Settings {
            port: parsed.port.unwrap_or(defaults.port),
            store: parsed.store.unwrap_or_else(|| defaults.store.clone()),
            class_code: parsed.class_code,
            blender_path: parsed.blender_path,
            language: parsed.language.unwrap_or_default(),
            sound: parsed.sound.unwrap_or(false),
            // A file from before encryption: the class stays as it was (older add-ons keep working).
            encrypt: parsed.encrypt.unwrap_or(!existed && defaults.encrypt),
            class: parsed.class.unwrap_or_default(),
        };
        merged.validate().unwrap_or(defaults)
    }

    /// Writes atomically (temporary file, then rename).
    pub fn save(&self, file: &Path) -> Result<(), AppError> {
        let dir = file.parent().unwrap_or(Path::new("."));
        let fail = |e: std::io::Error| {
            AppError::new(
                ErrorKind::SettingsNotSaved,
                format!("The settings could not be saved in {}: {e}.", dir.display()),
            )
            .with("path", dir.display())
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self).expect("serialisable")).map_err(fail)?;
        std::fs::rename(&tmp, file).map_err(fail)
    }
}

/// A short code that is easy to read aloud and type: no 0/O, 1/I/L.
pub fn generate_class_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    uuid::Uuid::new_v4().as_bytes()[..8].iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abs(p: &str) -> String {
        std::env::temp_dir().join(p).to_string_lossy().into_owned()
    }

    #[test]
    fn validation_trims_and_refuses() {
        let mut s = Settings::defaults(Path::new(&abs("store")));
        s.class_code = Some("  ".into());
        s.blender_path = Some(" /opt/blender ".into());
        let v = s.clone().validate().unwrap();
        assert_eq!(v.class_code, None);
        assert_eq!(v.blender_path.as_deref(), Some("/opt/blender"));
        // A class folder is one plain name inside the root; anything else falls back to the root.
        for bad in ["../elsewhere", "a/b", ".pracownia", "/abs"] {
            assert_eq!(Settings { class: bad.into(), ..s.clone() }.validate().unwrap().class, "", "{bad}");
        }
        assert_eq!(Settings { class: "grupa-2".into(), ..s.clone() }.validate().unwrap().class, "grupa-2");

        let e = Settings { port: 0, ..s.clone() }.validate().unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadPort);
        let e = Settings { store: "relative/dir".into(), ..s.clone() }.validate().unwrap_err();
        assert!(e.message.contains("full path"), "{}", e.message);
        let e = Settings { store: " ".into(), ..s.clone() }.validate().unwrap_err();
        assert!(e.message.starts_with("Choose a folder"));
        let e = Settings { class_code: Some("a\nb".into()), ..s }.validate().unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadClassCode);
    }

    #[test]
    fn load_save_round_trip_and_defaults() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("cfg").join("settings.json");
        let store = tmp.path().join("store");
        let d = Settings::load(&file, &store);
        assert_eq!(d, Settings::defaults(&store));
        assert_eq!(d.port, 5570);
        assert_eq!(d.language, Language::En);
        assert!(!d.sound, "no sound unless asked for");
        assert!(d.encrypt, "a new installation's class is encrypted");

        let s =
            Settings { port: 6000, class_code: Some("ABC".into()), language: Language::Pl, sound: true, ..d.clone() };
        s.save(&file).unwrap();
        assert_eq!(Settings::load(&file, &store), s);
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!((&json["language"], &json["sound"]), (&serde_json::json!("pl"), &serde_json::json!(true)));
        // A caller that does not know the setting (an older UI, the WebDriver tests) leaves it off.
        let older: Settings =
            serde_json::from_str(r#"{"port":1,"store":"/s","class_code":null,"blender_path":null,"language":"en"}"#)
                .unwrap();
        assert!(!older.sound);

        // Partial and damaged files: settings from before encryption keep the class unencrypted
        // (its students' add-ons may be older); a saved choice is kept.
        std::fs::write(&file, br#"{"port": 7000}"#).unwrap();
        assert_eq!(Settings::load(&file, &store), Settings { port: 7000, encrypt: false, ..d.clone() });
        std::fs::write(&file, br#"{"port": 7000, "encrypt": true}"#).unwrap();
        assert!(Settings::load(&file, &store).encrypt);
        std::fs::write(&file, b"{not json").unwrap();
        assert_eq!(Settings::load(&file, &store), Settings { encrypt: false, ..d.clone() });
    }

    #[test]
    fn default_store_prefers_documents() {
        let d = default_store(Some("/d".into()), Some("/data".into()), None);
        assert_eq!(d, PathBuf::from("/d/Pracownia"));
        assert_eq!(default_store(None, Some("/data".into()), None), PathBuf::from("/data/Pracownia"));
    }

    #[test]
    fn class_codes_are_readable() {
        let c = generate_class_code();
        assert_eq!(c.len(), 8);
        assert!(c.chars().all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit()));
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
        assert_ne!(generate_class_code(), generate_class_code());
    }
}
