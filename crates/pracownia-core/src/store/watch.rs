//! Watching the store folder for changes made by hand.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::error::{Result, StoreError};
use super::META_DIR;

/// Quiet time after the last change in a folder before it is reported.
pub const DEBOUNCE: Duration = Duration::from_millis(300);
/// A folder that keeps changing is still reported at least this often.
pub const MAX_DELAY: Duration = Duration::from_secs(2);

/// Keeps the watcher running; dropping it stops the watcher and its thread.
pub struct WatchHandle {
    watcher: Option<RecommendedWatcher>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        // Dropping the watcher closes the event channel, which ends the thread.
        drop(self.watcher.take());
        if let Some(t) = self.thread.take() {
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
    }
}

/// The student folder (absolute) an event path belongs to, if any.
pub fn student_dir_of(root: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(root).ok()?;
    match rel.components().next()? {
        Component::Normal(name) if !name.to_string_lossy().starts_with('.') && name != META_DIR => {
            Some(root.join(name))
        }
        _ => None,
    }
}

/// Watch `root` recursively and call `on_change` with a student folder
/// (absolute path under `root`) once changes in it have settled for ~300 ms.
/// Changes inside `.pracownia/` are ignored. The callback runs on the
/// watcher's own thread; the store's own writes are reported too.
pub fn watch(root: &Path, on_change: impl Fn(PathBuf) + Send + 'static) -> Result<WatchHandle> {
    let root = root.canonicalize().map_err(StoreError::io("watch", root))?;
    let (tx, rx) = channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(&root, RecursiveMode::Recursive)?;
    let thread_root = root.clone();
    let thread = std::thread::Builder::new()
        .name("pracownia-watch".into())
        .spawn(move || {
            // folder -> (first change, last change)
            let mut pending: HashMap<PathBuf, (Instant, Instant)> = HashMap::new();
            loop {
                let timeout = if pending.is_empty() { Duration::from_secs(3600) } else { DEBOUNCE / 3 };
                match rx.recv_timeout(timeout) {
                    Ok(Ok(ev)) => {
                        let now = Instant::now();
                        for p in &ev.paths {
                            if let Some(dir) = student_dir_of(&thread_root, p) {
                                pending.entry(dir).and_modify(|e| e.1 = now).or_insert((now, now));
                            }
                        }
                    }
                    Ok(Err(e)) => log::warn!("watching the store folder: {e}"),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                let now = Instant::now();
                let ready: Vec<PathBuf> = pending
                    .iter()
                    .filter(|(_, (first, last))| now - *last >= DEBOUNCE || now - *first >= MAX_DELAY)
                    .map(|(d, _)| d.clone())
                    .collect();
                for d in ready {
                    pending.remove(&d);
                    on_change(d);
                }
            }
        })
        .map_err(StoreError::io("start a thread to watch", &root))?;
    Ok(WatchHandle { watcher: Some(watcher), thread: Some(thread) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_paths_map_to_student_folders() {
        let root = Path::new("/s");
        assert_eq!(
            student_dir_of(root, Path::new("/s/ala-1234abcd/screenshots/x.png")),
            Some(PathBuf::from("/s/ala-1234abcd"))
        );
        assert_eq!(student_dir_of(root, Path::new("/s/ala-1234abcd")), Some(PathBuf::from("/s/ala-1234abcd")));
        assert_eq!(student_dir_of(root, Path::new("/s/.pracownia/index.sqlite")), None);
        assert_eq!(student_dir_of(root, Path::new("/s")), None);
        assert_eq!(student_dir_of(root, Path::new("/elsewhere/x")), None);
    }
}
