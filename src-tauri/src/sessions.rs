//! Sessions and attendance in the app: thin over `pracownia_core::index::sessions`.

use std::path::Path;

use pracownia_core::index::sessions::{attendance_csv, Attendance, Session, DEFAULT_GAP_MS};

use crate::error::{AppError, ErrorKind};
use crate::state::AppState;

/// Every session of the class, oldest first (none before anyone joined).
pub fn list(state: &AppState) -> Result<Vec<Session>, AppError> {
    Ok(match state.reader()? {
        Some(r) => r.sessions(DEFAULT_GAP_MS)?,
        None => Vec::new(),
    })
}

/// Who was present in session `number`.
pub fn attendance(state: &AppState, number: u32) -> Result<Vec<Attendance>, AppError> {
    let rows = match state.reader()? {
        Some(r) => r.attendance(number, DEFAULT_GAP_MS)?,
        None => None,
    };
    rows.ok_or_else(|| {
        AppError::new(ErrorKind::NoSuchSession, format!("There is no session {number}.")).with("number", number)
    })
}

/// Write session `number`'s attendance as CSV to `out` (a path the lecturer chose in a save
/// dialog); returns the path.
pub fn save_csv(state: &AppState, number: u32, out: &Path) -> Result<String, AppError> {
    let rows = attendance(state, number)?;
    std::fs::write(out, attendance_csv(&rows)).map_err(|e| {
        AppError::new(ErrorKind::ExportFailed, format!("Could not write {}: {e}", out.display()))
            .with("path", out.display())
    })?;
    crate::handin::remember(out);
    Ok(out.to_string_lossy().into_owned())
}
