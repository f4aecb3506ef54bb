//! Small file-system helpers: atomic writes, directory fsync, time stamps.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use sha2::{Digest, Sha256};

use super::error::{Result, StoreError};

/// fsync a directory so a rename inside it is durable (Unix; best effort).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Write `data` to `path` atomically: temp file in the same folder, fsync, rename.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let res = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::io("write", path)(e));
    }
    sync_dir(dir);
    Ok(())
}

/// Move a finished file into place. A rename within one file system is
/// atomic; if the rename fails (e.g. another file system) the file is copied
/// to a hidden temp file beside the target, fsynced, and renamed.
pub fn move_into_place(from: &Path, to: &Path) -> Result<()> {
    match fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::io("move", from)(e)),
        Err(first) => {
            let dir = to.parent().unwrap_or(Path::new("."));
            let name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let tmp = dir.join(format!(".{name}.tmp"));
            let res = (|| {
                fs::copy(from, &tmp)?;
                File::open(&tmp)?.sync_all()?;
                fs::rename(&tmp, to)
            })();
            match res {
                Ok(()) => {
                    let _ = fs::remove_file(from);
                    Ok(())
                }
                Err(_) => {
                    let _ = fs::remove_file(&tmp);
                    Err(StoreError::io("move a file into", to)(first))
                }
            }
        }
    }
}

/// File-name stamp of a receive time: `2026-11-25T08-48-18.123Z` (no ':').
pub fn stamp(ms: i64) -> String {
    let t = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    t.format("%Y-%m-%dT%H-%M-%S%.3fZ").to_string()
}

/// Parse the stamp at the start of a file stem (a `-N` suffix is allowed).
pub fn parse_stamp(stem: &str) -> Option<i64> {
    let head = stem.get(..24)?;
    let rest = &stem[24..];
    if !(rest.is_empty() || (rest.starts_with('-') && rest[1..].bytes().all(|b| b.is_ascii_digit()))) {
        return None;
    }
    let t = NaiveDateTime::parse_from_str(head, "%Y-%m-%dT%H-%M-%S%.3fZ").ok()?;
    Some(t.and_utc().timestamp_millis())
}

/// Hex SHA-256 and size of a file.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path).map_err(StoreError::io("open", path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(StoreError::io("read", path))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex::encode(h.finalize()), size))
}

/// Current time in Unix ms.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn ms_to_rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn rfc3339_to_ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip() {
        let ms = 1_795_596_498_123; // 2026-11-25T08:48:18.123Z
        assert_eq!(stamp(ms), "2026-11-25T08-48-18.123Z");
        assert_eq!(parse_stamp("2026-11-25T08-48-18.123Z"), Some(ms));
        assert_eq!(parse_stamp("2026-11-25T08-48-18.123Z-12"), Some(ms));
        assert_eq!(parse_stamp("2026-11-25T08-48-18.123Z-x"), None);
        assert_eq!(parse_stamp("holiday"), None);
        assert_eq!(rfc3339_to_ms(&ms_to_rfc3339(ms)), Some(ms));
    }
}
