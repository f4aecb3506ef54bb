//! The lecturer's CurveZMQ key pair in the app (issue 13): made once beside the settings, owner
//! only, and the key pins of students (reset when a student reinstalled).

use std::path::{Path, PathBuf};

use pracownia_core::keys::ServerKeys;
use uuid::Uuid;

use crate::error::{AppError, ErrorKind};

/// Where the key pair lives: next to settings.json in the app's config folder (not in the store,
/// which may be a shared or synced folder).
pub fn key_file(settings_file: &Path) -> PathBuf {
    settings_file.with_file_name("server-key.json")
}

/// The key pair, made and saved on first use.
pub fn load(settings_file: &Path) -> Result<ServerKeys, AppError> {
    let path = key_file(settings_file);
    ServerKeys::load_or_create(&path)
        .map_err(|e| AppError::new(ErrorKind::KeyFailed, e.to_string()).with("path", path.display()))
}

/// Forget the key pinned for `student` in the store at `store` (the receiver stopped).
pub fn reset_pin_stopped(store: &Path, student: Uuid) -> Result<bool, AppError> {
    Ok(pracownia_core::pins::reset_pin(store, student)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_pair_is_made_once_beside_the_settings_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let settings = tmp.path().join("settings.json");
        let a = load(&settings).unwrap();
        let b = load(&settings).unwrap();
        assert_eq!(a.public, b.public, "made once, then loaded");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_file(&settings)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "owner only: {mode:o}");
        }
        std::fs::write(key_file(&settings), b"{damaged").unwrap();
        let e = load(&settings).unwrap_err();
        assert_eq!(e.kind, ErrorKind::KeyFailed);
        assert!(e.params.contains_key("path"));
    }
}
