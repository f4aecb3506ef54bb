//! The one error type that crosses the boundary to the UI: a stable `kind` and one plain
//! sentence for the lecturer.

use pracownia_core::receiver::ReceiverError;
use pracownia_core::store::StoreError;
use serde::Serialize;
use ts_rs::TS;

/// Every command error. `kind` is one of `port_in_use`, `store_not_writable`, `not_running`,
/// `blender_not_found`, `not_found`, `io`, `invalid`.
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
        let json = serde_json::to_value(AppError::invalid("Bad.")).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "invalid", "message": "Bad."}));
    }
}
