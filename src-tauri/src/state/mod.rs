//! The app's state and every operation the commands perform, without any window: the commands
//! are one-liners over this, and it is tested with a real receiver and simulated students.

use crate::encryption;
use crate::error::{AppError, ErrorKind};
use crate::forward::{self, Sink};
use crate::net;
use crate::presence::PresenceMap;
use crate::settings::Settings;
use pracownia_core::events::Stats;
use pracownia_core::receiver::{CommandOutcome, Config, LecturerCommand, Receiver};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReceiverStatus {
    pub running: bool,
    pub port: u16,
    pub store: String,
    /// Every non-loopback IPv4 address of this machine, as `A.B.C.D:PORT`.
    pub addresses: Vec<String>,
    /// The same addresses as join strings carrying the class code (`pracownia://A.B.C.D:PORT/CODE`),
    /// for students to paste into the add-on.
    pub join: Vec<String>,
    pub stats: Option<Stats>,
    /// The class runs over CurveZMQ (the join strings carry the server key).
    pub encrypted: bool,
}

struct Running {
    receiver: Receiver,
    store: PathBuf,
    stop: Arc<AtomicBool>,
    forwarder: JoinHandle<()>,
    /// The public key the sockets run with (encrypted class), for the join strings and the demo.
    public_key: Option<[u8; 32]>,
}

struct Demo {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

struct Inner {
    settings_file: PathBuf,
    settings: Mutex<Settings>,
    running: Mutex<Option<Running>>,
    presence: Arc<Mutex<PresenceMap>>,
    demo: Mutex<Option<Demo>>,
    status_every: Duration,
}

/// How long stopping waits for the event forwarder (it sees the stop flag within 200 ms).
const FORWARDER_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn parse_student(s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s.trim())
        .map_err(|_| AppError::new(ErrorKind::BadStudentId, format!("\"{s}\" is not a student id.")))
}

impl AppState {
    pub fn new(settings_file: PathBuf, default_store: &Path) -> AppState {
        let settings = crate::classes::resolve(Settings::load(&settings_file, default_store));
        // A first class gets its folder and name now, so the switcher shows "Class 1" from the
        // start; a store that cannot be written says so when the receiver starts.
        if crate::classes::read(&settings.class_dir()).is_none() && !settings.class.is_empty() {
            if let Err(e) = crate::classes::save_current(&settings) {
                log::warn!("the class folder was not made yet: {}", e.message);
            }
        }
        AppState::with_settings(settings_file, settings)
    }

    /// Settings as given (tests use port 0: any free port).
    pub fn with_settings(settings_file: PathBuf, settings: Settings) -> AppState {
        AppState(Arc::new(Inner {
            settings_file,
            settings: Mutex::new(settings),
            running: Mutex::new(None),
            presence: Default::default(),
            demo: Mutex::new(None),
            status_every: Duration::from_secs(1),
        }))
    }

    pub fn settings(&self) -> Settings {
        lock(&self.0.settings).clone()
    }

    /// Saves the app's settings and the current class's own (port, code, encryption) in its
    /// folder. The class is changed only by `switch_class`; another store root starts from the
    /// class found there.
    pub fn save_settings(&self, s: Settings) -> Result<Settings, AppError> {
        let current = self.settings();
        let mut s = Settings { class: current.class.clone(), ..s.validate()? };
        if s.store != current.store {
            s.class.clear();
            s = crate::classes::resolve(s);
        }
        self.persist(s)
    }

    /// Writes both files and makes `s` current.
    fn persist(&self, s: Settings) -> Result<Settings, AppError> {
        s.save(&self.0.settings_file)?;
        crate::classes::save_current(&s)?;
        *lock(&self.0.settings) = s.clone();
        Ok(s)
    }

    pub fn set_blender_path(&self, path: &str) -> Result<Settings, AppError> {
        if !Path::new(path.trim()).is_file() {
            return Err(
                AppError::new(ErrorKind::NoProgram, format!("There is no program at {path}.")).with("path", path)
            );
        }
        let s = Settings { blender_path: Some(path.trim().to_owned()), ..self.settings() };
        self.save_settings(s)
    }

    /// The store in use: the running receiver's, else the current class's folder.
    pub fn store(&self) -> PathBuf {
        match &*lock(&self.0.running) {
            Some(r) => r.store.clone(),
            None => self.settings().class_dir(),
        }
    }

    fn join_strings(&self, port: u16, key: Option<&[u8; 32]>) -> Vec<String> {
        net::join_strings(&net::addresses(port), &self.settings().class_code.unwrap_or_default(), key)
    }

    /// The key the join strings show while stopped: only if the key pair already exists (the
    /// status is asked every second; the pair is made when the receiver starts).
    fn stopped_key(&self, s: &Settings) -> Option<[u8; 32]> {
        (s.encrypt && encryption::key_file(&self.0.settings_file).is_file())
            .then(|| encryption::load(&self.0.settings_file).ok().map(|k| k.public))
            .flatten()
    }

    fn status_of(&self, running: &Option<Running>) -> ReceiverStatus {
        match running {
            Some(r) => {
                let port = r.receiver.port();
                ReceiverStatus {
                    running: true,
                    port,
                    store: r.store.to_string_lossy().into_owned(),
                    addresses: net::addresses(port),
                    join: self.join_strings(port, r.public_key.as_ref()),
                    stats: Some(r.receiver.stats()),
                    encrypted: r.public_key.is_some(),
                }
            }
            None => {
                let s = self.settings();
                let key = self.stopped_key(&s);
                ReceiverStatus {
                    running: false,
                    port: s.port,
                    addresses: net::addresses(s.port),
                    join: self.join_strings(s.port, key.as_ref()),
                    stats: None,
                    encrypted: s.encrypt,
                    store: s.class_dir().to_string_lossy().into_owned(),
                }
            }
        }
    }

    pub fn status(&self) -> ReceiverStatus {
        self.status_of(&lock(&self.0.running))
    }

    /// Start the receiver with the saved settings; events go to `sink`. Starting twice is harmless.
    pub fn start(&self, sink: Box<dyn Sink>) -> Result<ReceiverStatus, AppError> {
        let mut running = lock(&self.0.running);
        if running.is_some() {
            return Ok(self.status_of(&running));
        }
        let s = self.settings();
        let store = s.class_dir();
        if crate::classes::read(&store).is_none() {
            crate::classes::save_current(&s)?; // a first class gets its name and settings with its folder
        }
        self.apply_retention(&s, &store);
        let mut config = Config::new(&store);
        config.port = s.port;
        config.class_code = s.class_code.clone();
        if s.encrypt {
            config.server_key = Some(encryption::load(&self.0.settings_file)?);
        }
        let public_key = config.server_key.as_ref().map(|k| k.public);
        let receiver = Receiver::start(config)?;
        lock(&self.0.presence).clear();
        let stop = Arc::new(AtomicBool::new(false));
        let (events, st, presence, every) =
            (receiver.events().clone(), stop.clone(), self.0.presence.clone(), self.0.status_every);
        let forwarder = std::thread::Builder::new()
            .name("pracownia-forward".into())
            .spawn(move || forward::run(events, st, presence, sink, every))
            .map_err(|e| AppError::new(ErrorKind::ReceiverFailed, format!("Could not start a thread: {e}.")))?;
        *running = Some(Running { receiver, store, stop, forwarder, public_key });
        Ok(self.status_of(&running))
    }

    /// Stop the demo students and the receiver, finishing writes under way. Harmless when stopped.
    pub fn stop(&self) -> ReceiverStatus {
        self.stop_demo();
        let taken = lock(&self.0.running).take();
        if let Some(r) = taken {
            r.receiver.stop();
            r.stop.store(true, Ordering::SeqCst);
            // Bounded: quitting runs this on the main thread, and a forwarder blocked on a call
            // that needs the main thread would otherwise hang the quit for good.
            let deadline = std::time::Instant::now() + FORWARDER_GRACE;
            while !r.forwarder.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            if r.forwarder.is_finished() {
                let _ = r.forwarder.join();
            } else {
                log::warn!("the event forwarder did not stop within {FORWARDER_GRACE:?}; leaving it");
            }
        }
        lock(&self.0.presence).clear();
        self.status()
    }

    /// Forget the key pinned for a student (they reinstalled: their next key is pinned instead).
    /// True when there was one.
    pub fn reset_pin(&self, student: &str) -> Result<bool, AppError> {
        let id = parse_student(student)?;
        if let Some(r) = &*lock(&self.0.running) {
            return Ok(r.receiver.reset_pin(id)?);
        }
        encryption::reset_pin_stopped(&self.store(), id)
    }

    pub fn is_running(&self) -> bool {
        lock(&self.0.running).is_some()
    }

    /// A lecturer message through the running receiver (it owns the store and the return path).
    pub(crate) fn command(&self, cmd: LecturerCommand) -> Result<CommandOutcome, AppError> {
        let running = lock(&self.0.running);
        match &*running {
            Some(r) => Ok(r.receiver.command(cmd)?),
            None => {
                Err(AppError::new(ErrorKind::NotRunning, "Start the receiver first: students get messages through it."))
            }
        }
    }

    /// Everything down, cleanly: the window closed or the app is quitting.
    pub fn shutdown(&self) {
        self.stop();
    }
}

mod class_ops;
pub use class_ops::{ClassUsage, ThinSummary};
mod demo;
mod reads;
#[cfg(test)]
mod tests;
