//! The control endpoint: a ZeroMQ REP socket on `ipc://<store>/.pracownia/control.sock`, so
//! `pracownia say` and friends reach the receiver that owns the store (CLI and app alike).
//! One JSON request, one JSON reply (docs/ARCHITECTURE.md). Unix only: the socket file is made
//! 0600 right after bind, so only the lecturer's own account can talk to it.

use super::command::{self, LecturerCommand};
use super::work::Work;
use crossbeam_channel::Sender;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The socket file in a store.
pub fn control_path(store_root: &Path) -> PathBuf {
    store_root.join(crate::store::META_DIR).join("control.sock")
}

/// The endpoint a client connects to.
pub fn control_endpoint(store_root: &Path) -> String {
    format!("ipc://{}", control_path(store_root).display())
}

/// Bind and restrict the control socket. The store's lock makes us its only receiver, so a
/// socket file left by a crashed one is ours to replace.
#[cfg(unix)]
pub fn bind(ctx: &zmq::Context, store_root: &Path) -> Result<(zmq::Socket, PathBuf), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let path = control_path(store_root);
    let _ = std::fs::remove_file(&path);
    let sock = ctx.socket(zmq::REP).map_err(|e| e.to_string())?;
    sock.set_linger(0).map_err(|e| e.to_string())?;
    sock.set_maxmsgsize(64 << 10).map_err(|e| e.to_string())?;
    sock.bind(&control_endpoint(store_root)).map_err(|e| format!("{e} ({})", path.display()))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
    // The socket file is ours; a .pracownia folder owned by someone else could let them swap it.
    let (mine, dir) = (std::fs::metadata(&path), path.parent().map(std::fs::metadata));
    match (mine, dir) {
        (Ok(m), Some(Ok(d))) if m.uid() == d.uid() => Ok((sock, path)),
        _ => {
            let _ = std::fs::remove_file(&path);
            Err(format!("{} is not owned by this user", path.parent().unwrap_or(&path).display()))
        }
    }
}

pub fn run(sock: zmq::Socket, path: PathBuf, stop: Arc<AtomicBool>, work: Sender<Work>) {
    while !stop.load(Ordering::SeqCst) {
        match sock.poll(zmq::POLLIN, 100) {
            Ok(n) if n > 0 => {}
            _ => continue,
        }
        let Ok(request) = sock.recv_bytes(zmq::DONTWAIT) else { continue };
        let reply = answer(&request, &work);
        let _ = sock.send(reply.to_string().as_bytes(), 0);
    }
    drop(sock);
    let _ = std::fs::remove_file(&path);
}

/// `{"ok":true,"outcome":{…}}` or `{"ok":false,"error":"<sentence>","detail":{"code":…}}`.
fn answer(request: &[u8], work: &Sender<Work>) -> Value {
    let cmd: LecturerCommand = match serde_json::from_slice(request) {
        Ok(c) => c,
        Err(e) => {
            return json!({"ok": false, "error": format!("the request was not understood: {e}"),
                          "detail": {"code": "bad_request"}})
        }
    };
    match command::call(work, cmd) {
        Ok(outcome) => json!({"ok": true, "outcome": outcome}),
        Err(e) => json!({"ok": false, "error": e.to_string(), "detail": e}),
    }
}

/// Send one request to a store's receiver and wait at most `timeout` for the reply
/// (the CLI's side; a client that can be called from Rust tests too).
pub fn request(store_root: &Path, body: &Value, timeout: Duration) -> Result<Value, ControlError> {
    let path = control_path(store_root);
    if !path.exists() {
        return Err(ControlError::NotRunning);
    }
    let ctx = zmq::Context::new();
    let zerr = |e: zmq::Error| ControlError::Failed(e.to_string());
    let sock = ctx.socket(zmq::REQ).map_err(zerr)?;
    sock.set_linger(0).map_err(zerr)?;
    sock.connect(&control_endpoint(store_root)).map_err(zerr)?;
    sock.send(body.to_string().as_bytes(), 0).map_err(zerr)?;
    match sock.poll(zmq::POLLIN, timeout.as_millis() as i64) {
        Ok(n) if n > 0 => {}
        // A socket file nobody answers on: a receiver that crashed, or one that is stuck.
        _ => return Err(ControlError::NotRunning),
    }
    let bytes = sock.recv_bytes(0).map_err(zerr)?;
    serde_json::from_slice(&bytes).map_err(|e| ControlError::Failed(e.to_string()))
}

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("no receiver is running for this store (start pracownia serve)")]
    NotRunning,
    #[error("could not talk to the receiver: {0}")]
    Failed(String),
}
