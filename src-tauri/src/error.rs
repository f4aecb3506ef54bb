//! The one error type that crosses the boundary to the UI. The UI words it in its own language
//! from `kind` and `params` (ui/src/lib/i18n.ts, `error.<kind>`); `message` is the same in
//! English for logs and as the last resort. A test below fails when a kind lacks a translation.

use pracownia_core::receiver::{CommandError, ReceiverError};
use pracownia_core::store::StoreError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use ts_rs::TS;

/// What went wrong, in terms a lecturer can act on. Each has a sentence in every UI language
/// with the parameters named in its comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// `port`: another program receives on it.
    PortInUse,
    /// `port`: this computer cannot receive on it (no such network address, not allowed).
    CannotListen,
    /// The receiver could not start (sockets, threads); trying again may help.
    ReceiverFailed,
    /// `path`: the store folder cannot be written to.
    StoreNotWritable,
    /// `path`: another Pracownia receiver uses this store folder.
    StoreInUse,
    /// `path`: reading or writing the store folder failed (disk, damaged index).
    StoreFailed,
    /// `path`: nothing was received into this store folder yet.
    StoreEmpty,
    /// This student is not in the store.
    UnknownStudent,
    /// `login`: more than one student uses this login.
    AmbiguousLogin,
    NoStudents,
    /// No student was chosen for a message.
    NoStudentChosen,
    EmptyText,
    /// `max` (bytes).
    TextTooLong,
    NotRunning,
    /// Erasing needs the receiver stopped.
    Running,
    Timeout,
    BlenderNotFound,
    /// `path`: there is no program there.
    NoProgram,
    /// `program`: it could not be started.
    StartFailed,
    /// `file`: not a file in the store folder.
    NotInStore,
    /// `file`: no longer in the store folder.
    FileGone,
    /// `file`: not a .blend file.
    NotABlend,
    /// A temporary copy could not be made.
    TempCopyFailed,
    /// `path`: not a folder or zip that Pracownia wrote.
    NotOurs,
    /// `path`: the folder is not empty or the file exists.
    Exists,
    /// `path`: collecting or exporting there failed.
    ExportFailed,
    /// `path`: a file changed while it was copied.
    ChangedWhileCopying,
    BadPort,
    NoStore,
    /// `path`: the store folder is not a full path.
    StoreNotAbsolute,
    BadClassCode,
    /// `path`: the settings folder.
    SettingsNotSaved,
    BadStudentId,
    /// A session number that the store's timeline does not have (any more).
    NoSuchSession,
    /// The lecturer's key file could not be made or read (`path`).
    KeyFailed,
    /// A merge or split that cannot be done (`detail`: the core's reason, in English).
    CannotRegroup,
    /// A class name that is empty, too long or has line breaks.
    BadClassName,
    /// `name`: a class of that name exists.
    ClassExists,
    /// `name`: no class has that folder (any more).
    NoSuchClass,
    /// Retention days or minutes out of range.
    BadRetention,
}

/// A blocking task that ended without its answer (it panicked): the receiver-side failure kind.
pub fn joined(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorKind::StoreFailed, format!("The work stopped unexpectedly: {e}.")).with("path", "")
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 40] = [
        ErrorKind::PortInUse,
        ErrorKind::CannotListen,
        ErrorKind::ReceiverFailed,
        ErrorKind::StoreNotWritable,
        ErrorKind::StoreInUse,
        ErrorKind::StoreFailed,
        ErrorKind::StoreEmpty,
        ErrorKind::UnknownStudent,
        ErrorKind::AmbiguousLogin,
        ErrorKind::NoStudents,
        ErrorKind::NoStudentChosen,
        ErrorKind::EmptyText,
        ErrorKind::TextTooLong,
        ErrorKind::NotRunning,
        ErrorKind::Running,
        ErrorKind::Timeout,
        ErrorKind::BlenderNotFound,
        ErrorKind::NoProgram,
        ErrorKind::StartFailed,
        ErrorKind::NotInStore,
        ErrorKind::FileGone,
        ErrorKind::NotABlend,
        ErrorKind::TempCopyFailed,
        ErrorKind::NotOurs,
        ErrorKind::Exists,
        ErrorKind::ExportFailed,
        ErrorKind::ChangedWhileCopying,
        ErrorKind::BadPort,
        ErrorKind::NoStore,
        ErrorKind::StoreNotAbsolute,
        ErrorKind::BadClassCode,
        ErrorKind::SettingsNotSaved,
        ErrorKind::BadStudentId,
        ErrorKind::NoSuchSession,
        ErrorKind::KeyFailed,
        ErrorKind::CannotRegroup,
        ErrorKind::BadClassName,
        ErrorKind::ClassExists,
        ErrorKind::NoSuchClass,
        ErrorKind::BadRetention,
    ];

    /// The kind as serialised (`port_in_use`).
    pub fn code(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

/// Every command error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    /// The sentence's parameters (a port, a path, a file name…), as plain text.
    #[ts(type = "Record<string, string>")]
    pub params: BTreeMap<String, String>,
    /// The same in English (logs; shown only by a UI that does not know the kind).
    pub message: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError { kind, params: BTreeMap::new(), message: message.into() }
    }

    /// Adds a parameter of the sentence.
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    fn with_path(self, path: &Path) -> Self {
        self.with("path", path.display())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match &e {
            StoreError::NotWritable { path, .. } => AppError::new(ErrorKind::StoreNotWritable, message).with_path(path),
            StoreError::InUse { path } => AppError::new(ErrorKind::StoreInUse, message).with_path(path),
            StoreError::NoIndex { path } => AppError::new(ErrorKind::StoreEmpty, message).with_path(path),
            StoreError::UnknownStudent(_) => AppError::new(ErrorKind::UnknownStudent, message),
            StoreError::Io { path, .. }
            | StoreError::OutOfFiles { path, .. }
            | StoreError::CorruptMetadata { path, .. } => {
                AppError::new(ErrorKind::StoreFailed, message).with_path(path)
            }
            StoreError::Regroup(detail) => AppError::new(ErrorKind::CannotRegroup, message).with("detail", detail),
            StoreError::Sqlite(_)
            | StoreError::Watch(_)
            | StoreError::BadExtension { .. }
            | StoreError::NotAMessage(_) => AppError::new(ErrorKind::StoreFailed, message).with("path", ""),
        }
    }
}

impl From<ReceiverError> for AppError {
    fn from(e: ReceiverError) -> Self {
        let message = e.to_string();
        match e {
            ReceiverError::Store(s) => s.into(),
            ReceiverError::PortInUse { port, .. } => AppError::new(ErrorKind::PortInUse, message).with("port", port),
            ReceiverError::Bind { endpoint, .. } => {
                let port = endpoint.rsplit(':').next().unwrap_or("").to_owned();
                AppError::new(ErrorKind::CannotListen, message).with("port", port)
            }
            ReceiverError::Zmq(_) | ReceiverError::Thread(_) => AppError::new(ErrorKind::ReceiverFailed, message),
        }
    }
}

/// A lecturer message the core refused: the same sentence, capitalised, with a stable kind.
impl From<CommandError> for AppError {
    fn from(e: CommandError) -> Self {
        let text = e.to_string();
        let mut chars = text.chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
        let message = format!("{first}{}.", chars.as_str());
        match &e {
            CommandError::UnknownStudent { .. } => AppError::new(ErrorKind::UnknownStudent, message),
            CommandError::AmbiguousLogin { login, .. } => {
                AppError::new(ErrorKind::AmbiguousLogin, message).with("login", login)
            }
            CommandError::NoStudents => AppError::new(ErrorKind::NoStudents, message),
            CommandError::EmptyText => AppError::new(ErrorKind::EmptyText, message),
            CommandError::TextTooLong { max, .. } => AppError::new(ErrorKind::TextTooLong, message).with("max", max),
            CommandError::Stopped => AppError::new(ErrorKind::NotRunning, message),
            CommandError::Timeout => AppError::new(ErrorKind::Timeout, message),
            CommandError::Store { .. } => AppError::new(ErrorKind::StoreFailed, message).with("path", ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn kinds_with_parameters_and_an_english_sentence() {
        let e: AppError = ReceiverError::PortInUse { bind: "0.0.0.0".into(), port: 5570 }.into();
        assert_eq!(e.kind, ErrorKind::PortInUse);
        assert_eq!(e.params.get("port").map(String::as_str), Some("5570"));
        assert!(e.message.starts_with("Port 5570 is already in use"), "{}", e.message);
        let e: AppError =
            ReceiverError::Store(StoreError::NotWritable { path: PathBuf::from("/x"), reason: "denied".into() }).into();
        assert_eq!(e.kind, ErrorKind::StoreNotWritable);
        assert_eq!(e.params.get("path").map(String::as_str), Some("/x"));
        let e: AppError = ReceiverError::Bind { endpoint: "tcp://0.0.0.0:80".into(), message: "denied".into() }.into();
        assert_eq!((e.kind, e.params.get("port").map(String::as_str)), (ErrorKind::CannotListen, Some("80")));
        let e: AppError = CommandError::TextTooLong { bytes: 5000, max: 4000 }.into();
        assert_eq!(e.kind, ErrorKind::TextTooLong);
        assert_eq!(e.params.get("max").map(String::as_str), Some("4000"));
        assert_eq!(e.message, "The message is too long (5000 bytes; at most 4000).");
        let e: AppError = CommandError::Stopped.into();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::NotRunning, "The receiver is stopped."));
        let json = serde_json::to_value(AppError::new(ErrorKind::Exists, "Bad.").with("path", "/o")).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "exists", "params": {"path": "/o"}, "message": "Bad."}));
    }

    /// The UI words every kind itself: each needs `error.<kind>` in both catalogues, with the
    /// parameters the kind carries.
    #[test]
    fn every_kind_has_a_sentence_in_every_ui_language() {
        let i18n =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/i18n.ts")).unwrap();
        let pl_at = i18n.find("\nconst pl: Catalogue").expect("the Polish catalogue");
        let (en, pl) = i18n.split_at(pl_at);
        // ALL is every variant: the TypeScript union the UI gets has exactly these.
        let union = <ErrorKind as TS>::inline();
        let mut exported: Vec<&str> = union.split('|').map(|v| v.trim().trim_matches('"')).collect();
        let mut listed: Vec<String> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        exported.sort_unstable();
        listed.sort_unstable();
        assert_eq!(exported, listed, "ErrorKind::ALL differs from the enum");
        let mut codes = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let code = kind.code();
            assert!(codes.insert(code.clone()), "{code} listed twice");
            for (lang, cat) in [("en", en), ("pl", pl)] {
                let key = format!("\"error.{code}\": \"");
                assert!(cat.contains(&key), "no {lang} sentence for the error kind {code} (key error.{code})");
            }
        }
    }
}
