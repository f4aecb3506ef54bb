//! The one error type that crosses the boundary to the UI: a stable `kind` and one plain
//! sentence for the lecturer.

use pracownia_core::receiver::{CommandError, ReceiverError};
use pracownia_core::store::StoreError;
use serde::Serialize;
use ts_rs::TS;

/// Every command error. `kind` is one of `port_in_use`, `store_not_writable`, `not_running`,
/// `blender_not_found`, `not_found`, `io`, `invalid`, and for the lecturer's messages
/// `unknown_student`, `ambiguous_login`, `no_students`, `empty_text`, `text_too_long`, `timeout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: String,
    pub message: String,
}

impl AppError {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        AppError { kind: kind.to_owned(), message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("invalid", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("not_found", message)
    }
    pub fn io(message: impl Into<String>) -> Self {
        Self::new("io", message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let kind = match &e {
            StoreError::NotWritable { .. } | StoreError::InUse { .. } => "store_not_writable",
            StoreError::NoIndex { .. } | StoreError::UnknownStudent(_) => "not_found",
            StoreError::BadExtension { .. } => "invalid",
            _ => "io",
        };
        AppError::new(kind, e.to_string())
    }
}

impl From<ReceiverError> for AppError {
    fn from(e: ReceiverError) -> Self {
        match e {
            ReceiverError::Store(s) => s.into(),
            e @ (ReceiverError::PortInUse { .. } | ReceiverError::Bind { .. }) => {
                let kind = if matches!(e, ReceiverError::PortInUse { .. }) { "port_in_use" } else { "invalid" };
                AppError::new(kind, e.to_string())
            }
            e => AppError::io(e.to_string()),
        }
    }
}

/// A lecturer message the core refused: the same sentence, capitalised, with a stable kind.
impl From<CommandError> for AppError {
    fn from(e: CommandError) -> Self {
        let kind = match &e {
            CommandError::UnknownStudent { .. } => "unknown_student",
            CommandError::AmbiguousLogin { .. } => "ambiguous_login",
            CommandError::NoStudents => "no_students",
            CommandError::EmptyText => "empty_text",
            CommandError::TextTooLong { .. } => "text_too_long",
            CommandError::Stopped => "not_running",
            CommandError::Timeout => "timeout",
            CommandError::Store { .. } => "io",
        };
        let text = e.to_string();
        let mut chars = text.chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
        AppError::new(kind, format!("{first}{}.", chars.as_str()))
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::io(format!("A file operation failed: {e}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn kinds_and_plain_sentences() {
        let e: AppError = ReceiverError::PortInUse { bind: "0.0.0.0".into(), port: 5570 }.into();
        assert_eq!(e.kind, "port_in_use");
        assert!(e.message.starts_with("Port 5570 is already in use"), "{}", e.message);
        let e: AppError =
            ReceiverError::Store(StoreError::NotWritable { path: PathBuf::from("/x"), reason: "denied".into() }).into();
        assert_eq!(e.kind, "store_not_writable");
        assert!(e.message.contains("/x"));
        let e: AppError = CommandError::TextTooLong { bytes: 5000, max: 4000 }.into();
        assert_eq!(e.kind, "text_too_long");
        assert_eq!(e.message, "The message is too long (5000 bytes; at most 4000).");
        let e: AppError = CommandError::Stopped.into();
        assert_eq!((e.kind.as_str(), e.message.as_str()), ("not_running", "The receiver is stopped."));
        let e: AppError = CommandError::UnknownStudent { query: "x".into() }.into();
        assert_eq!(e.kind, "unknown_student");
        let json = serde_json::to_value(AppError::invalid("Bad.")).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "invalid", "message": "Bad."}));
    }
}
