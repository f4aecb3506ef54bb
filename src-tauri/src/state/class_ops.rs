//! Classes from the app's side: listing, creating, switching, retention and storage used.

use super::{now_ms, AppState};
use crate::classes::{self, ClassInfo, RetentionSettings};
use crate::error::{AppError, ErrorKind};
use crate::settings::Settings;
use pracownia_core::store::{Store, StoreError, ThinReport, META_DIR};
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

/// What thinning removes (or would remove) now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct ThinSummary {
    #[ts(type = "number")]
    pub screenshots: u64,
    #[ts(type = "number")]
    pub blends: u64,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// The disk space one class uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ClassUsage {
    pub folder: String,
    pub name: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Bytes of the files under `dir`, leaving out other classes' folders inside it (a store from
/// before classes holds the new classes beside its students).
fn tree_size(dir: &Path, top: bool) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else { return 0 };
    let mut total = 0;
    for e in rd.flatten() {
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            let p = e.path();
            if !(top && e.file_name() != META_DIR && p.join(META_DIR).is_dir()) {
                total += tree_size(&p, false);
            }
        } else if t.is_file() {
            total += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    total
}

impl AppState {
    pub fn list_classes(&self) -> Vec<ClassInfo> {
        let s = self.settings();
        classes::list(Path::new(&s.store), &s.class)
    }

    /// A new class in the store root, with this class's port and encryption and a class code
    /// of its own. Not switched to (that stops receiving, which the lecturer confirms).
    pub fn create_class(&self, name: &str) -> Result<ClassInfo, AppError> {
        let s = self.settings();
        classes::create(Path::new(&s.store), name, &s, crate::settings::generate_class_code())
    }

    /// Makes `folder` the current class; a receiver that is running for another class stops.
    pub fn switch_class(&self, folder: &str) -> Result<Settings, AppError> {
        let s = self.settings();
        if !self.list_classes().iter().any(|c| c.folder == folder) {
            return Err(AppError::new(
                ErrorKind::NoSuchClass,
                format!("There is no class in the folder \"{folder}\"."),
            )
            .with("name", folder));
        }
        if folder == s.class {
            return Ok(s);
        }
        self.stop();
        let next = classes::overlay(Settings { class: folder.to_owned(), ..s });
        self.persist(next)
    }

    pub fn retention(&self) -> RetentionSettings {
        classes::retention(&self.settings())
    }

    pub fn save_retention(&self, r: RetentionSettings) -> Result<RetentionSettings, AppError> {
        classes::save_retention(&self.settings(), r)
    }

    /// What the class's retention would delete now (nothing when it is off). Needs the
    /// receiver stopped: it holds the store.
    pub fn thin_preview(&self) -> Result<ThinSummary, AppError> {
        self.thin(false)
    }

    /// Deletes what the class's retention does not keep; the receiver must be stopped (it is
    /// also done each time the receiver starts).
    pub fn thin_now(&self) -> Result<ThinSummary, AppError> {
        self.thin(true)
    }

    fn thin(&self, delete: bool) -> Result<ThinSummary, AppError> {
        if self.is_running() {
            return Err(AppError::new(ErrorKind::Running, "Stop the receiver first."));
        }
        let report = thin_store(&self.store(), &self.retention(), delete)?;
        Ok(ThinSummary { screenshots: report.screenshots, blends: report.blends, bytes: report.bytes })
    }

    /// Before the receiver opens the class's store: thin it when its retention asks. A failure
    /// is logged, never a reason not to receive.
    pub(super) fn apply_retention(&self, s: &Settings, store: &Path) {
        if !store.join(META_DIR).is_dir() {
            return;
        }
        match thin_store(store, &classes::retention(s), true) {
            Ok(rep) if rep.screenshots + rep.blends > 0 => log::info!(
                "retention: removed {} screenshots and {} .blend versions ({} bytes)",
                rep.screenshots,
                rep.blends,
                rep.bytes
            ),
            Ok(_) => {}
            Err(e) => log::warn!("retention was not applied: {e}"),
        }
    }

    /// The disk space of every class in the store root.
    pub fn class_usage(&self) -> Vec<ClassUsage> {
        self.list_classes()
            .into_iter()
            .map(|c| ClassUsage {
                bytes: tree_size(Path::new(&c.path), c.folder.is_empty()),
                folder: c.folder,
                name: c.name,
            })
            .collect()
    }
}

/// What `r` thins in the store at `root`: removed when `delete`, else only counted. Nothing while
/// retention is off.
fn thin_store(root: &Path, r: &RetentionSettings, delete: bool) -> Result<ThinReport, StoreError> {
    if !r.enabled() {
        return Ok(ThinReport::default());
    }
    let mut store = Store::open(root)?;
    if delete {
        store.thin(&r.policy(), now_ms())
    } else {
        store.thin_plan(&r.policy(), now_ms())
    }
}
