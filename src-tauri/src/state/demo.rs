//! The demo: simulated students sending to the running receiver (`--demo`, docs/APP.md).

use super::{lock, AppState, Demo};
use crate::error::{AppError, ErrorKind};
use pracownia_simulate::{self as simulate, SimConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

impl AppState {
    /// `students` simulated students sending to the running receiver until stopped.
    pub fn start_demo(&self, students: usize) -> Result<(), AppError> {
        let (port, server_key) = match &*lock(&self.0.running) {
            Some(r) => (r.receiver.port(), r.public_key),
            None => return Err(AppError::new(ErrorKind::NotRunning, "Start the receiver first.")),
        };
        let mut demo = lock(&self.0.demo);
        if demo.is_some() {
            return Ok(());
        }
        let mut cfg = SimConfig::new(format!("tcp://127.0.0.1:{port}"), students);
        cfg.duration = Duration::from_secs(8 * 3600);
        cfg.screenshot_every = Some(Duration::from_secs(6));
        cfg.screenshot_size = (960, 540);
        cfg.chat_every = Some(Duration::from_secs(15));
        cfg.blend_every = Some(Duration::from_secs(40));
        cfg.blend_size = 256 << 10;
        cfg.class_code = self.settings().class_code;
        cfg.server_key = server_key; // each demo seat its own key pair, like real students
        let stop = Arc::new(AtomicBool::new(false));
        let st = stop.clone();
        let thread = std::thread::Builder::new()
            .name("pracownia-demo".into())
            .spawn(move || {
                let report = simulate::run(&cfg, st);
                log::info!("demo students finished: {report:?}");
            })
            .map_err(|e| AppError::new(ErrorKind::ReceiverFailed, format!("Could not start a thread: {e}.")))?;
        *demo = Some(Demo { stop, thread });
        Ok(())
    }

    pub(super) fn stop_demo(&self) {
        if let Some(d) = lock(&self.0.demo).take() {
            d.stop.store(true, Ordering::SeqCst);
            let _ = d.thread.join();
        }
    }
}
