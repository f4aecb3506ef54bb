//! The app's state and every operation the commands perform, without any window: the commands
//! are one-liners over this, and it is tested with a real receiver and simulated students.

use crate::encryption;
use crate::error::{AppError, ErrorKind};
use crate::forward::{self, Sink};
use crate::net;
use crate::presence::{PresenceMap, StudentTile};
use crate::settings::Settings;
use pracownia_core::events::Stats;
use pracownia_core::index::IndexReader;
use pracownia_core::model::TimelineEntry;
use pracownia_core::receiver::{CommandOutcome, Config, LecturerCommand, Receiver};
use pracownia_core::simulate::{self, SimConfig};
use pracownia_core::store::{Store, StoreError};
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
        let settings = Settings::load(&settings_file, default_store);
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

    pub fn save_settings(&self, s: Settings) -> Result<Settings, AppError> {
        let s = s.validate()?;
        s.save(&self.0.settings_file)?;
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

    /// The store in use: the running receiver's, else the one in the settings.
    pub fn store(&self) -> PathBuf {
        match &*lock(&self.0.running) {
            Some(r) => r.store.clone(),
            None => PathBuf::from(&self.settings().store),
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
                    store: s.store,
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
        let store = PathBuf::from(&s.store);
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

    pub(crate) fn reader(&self) -> Result<Option<IndexReader>, AppError> {
        match IndexReader::open(&self.store()) {
            Ok(r) => Ok(Some(r)),
            Err(StoreError::NoIndex { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn list_students(&self) -> Result<Vec<StudentTile>, AppError> {
        let summaries = match self.reader()? {
            Some(r) => r.students()?,
            None => Vec::new(),
        };
        Ok(lock(&self.0.presence).tiles(summaries))
    }

    pub fn timeline_page(
        &self,
        student: &str,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<TimelineEntry>, AppError> {
        let id = parse_student(student)?;
        match self.reader()? {
            Some(r) => Ok(r.timeline_before(id, before_id, limit.clamp(1, 1000) as usize)?),
            None => Ok(Vec::new()),
        }
    }

    /// Every student's newest screenshot at or before `at` (Unix ms), by login (Compare).
    pub fn screenshots_at(&self, at: i64) -> Result<Vec<TimelineEntry>, AppError> {
        match self.reader()? {
            Some(r) => Ok(r.screenshots_at(at)?),
            None => Ok(Vec::new()),
        }
    }

    pub fn chat_inbox(&self, before_id: Option<i64>, limit: u32) -> Result<Vec<TimelineEntry>, AppError> {
        match self.reader()? {
            Some(r) => Ok(r.chat_inbox(before_id, limit.clamp(1, 1000) as usize)?),
            None => Ok(Vec::new()),
        }
    }

    /// Through the running receiver (it owns the store), else directly on the store.
    pub fn mark_chat_read(&self, student: &str) -> Result<(), AppError> {
        self.set_read_until(parse_student(student)?, now_ms())
    }

    /// The lecturer's "Mark unread": the student's newest chat counts as unread again. Returns
    /// when it was stored (None: the student never wrote, nothing changes).
    pub fn mark_chat_unread(&self, student: &str) -> Result<Option<i64>, AppError> {
        let id = parse_student(student)?;
        let Some(latest) = self.reader()?.map(|r| r.latest_chat_at(id)).transpose()?.flatten() else {
            return Ok(None);
        };
        self.set_read_until(id, latest - 1)?;
        Ok(Some(latest))
    }

    fn set_read_until(&self, id: uuid::Uuid, until: i64) -> Result<(), AppError> {
        let running = lock(&self.0.running);
        match &*running {
            Some(r) => r.receiver.mark_chat_read(id, until),
            None => {
                drop(running);
                Store::open(self.store())?.mark_chat_read(id, until)?;
            }
        }
        Ok(())
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

    fn stop_demo(&self) {
        if let Some(d) = lock(&self.0.demo).take() {
            d.stop.store(true, Ordering::SeqCst);
            let _ = d.thread.join();
        }
    }

    /// Everything down, cleanly: the window closed or the app is quitting.
    pub fn shutdown(&self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presence::Presence;
    use pracownia_core::events::Event;
    use pracownia_core::model::TimelineKind;
    use std::time::Instant;

    #[derive(Clone, Default)]
    struct Rec(Arc<Mutex<Vec<Event>>>, Arc<Mutex<usize>>);
    impl Sink for Rec {
        fn event(&mut self, ev: &Event) {
            self.0.lock().unwrap().push(ev.clone());
        }
        fn status(&mut self) {
            *self.1.lock().unwrap() += 1;
        }
    }

    fn state(tmp: &Path, port: u16) -> AppState {
        let settings = Settings { port, ..Settings::defaults(&tmp.join("store")) };
        AppState::with_settings(tmp.join("cfg/settings.json"), settings)
    }

    fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
        let t = Instant::now();
        while !f() {
            assert!(t.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    #[test]
    fn start_demo_list_inbox_read_and_stop() {
        let tmp = tempfile::tempdir().unwrap();
        let st = state(tmp.path(), 0);
        assert!(st.list_students().unwrap().is_empty(), "no index yet: no students, no error");
        assert!(!st.status().running);
        let rec = Rec::default();
        let status = st.start(Box::new(rec.clone())).unwrap();
        assert!(status.running && status.port != 0);
        assert!(status.addresses.iter().all(|a| a.ends_with(&format!(":{}", status.port))));
        // A new installation's class is encrypted: the join strings carry the server key.
        assert!(status.encrypted && status.join.iter().all(|j| j.contains("?key=")), "{:?}", status.join);
        assert_eq!(st.start(Box::new(rec.clone())).unwrap().port, status.port, "second start is harmless");
        st.start_demo(2).unwrap();

        wait_for("two online students with a chat and a screenshot", || {
            let tiles = st.list_students().unwrap();
            tiles.len() == 2
                && tiles.iter().all(|t| t.presence == Presence::Online)
                && tiles.iter().any(|t| t.summary.latest_screenshot.is_some())
                && !st.chat_inbox(None, 10).unwrap().is_empty()
        });
        let inbox = st.chat_inbox(None, 10).unwrap();
        assert!(inbox.iter().all(|e| e.kind == TimelineKind::Chat));
        let student = inbox[0].student.to_string();
        let page = st.timeline_page(&student, None, 5).unwrap();
        assert!(!page.is_empty() && page.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        // Compare: each student's newest screenshot now; nothing before the class began.
        let now = st.screenshots_at(i64::MAX).unwrap();
        assert!(!now.is_empty() && now.iter().all(|e| e.kind == TimelineKind::Screenshot && e.path.is_some()));
        let tiles = st.list_students().unwrap();
        for e in &now {
            let tile = tiles.iter().find(|t| t.summary.id == e.student).expect("a student of the class");
            assert!(tile.summary.latest_screenshot_at.is_some_and(|latest| latest >= e.ts), "at most the newest");
        }
        let one = &now[0];
        let then = st.screenshots_at(one.ts).unwrap();
        assert_eq!(then.iter().find(|e| e.student == one.student).map(|e| e.id), Some(one.id), "at its own time");
        assert!(st.screenshots_at(0).unwrap().is_empty());
        assert!(rec.0.lock().unwrap().iter().any(|e| matches!(e, Event::Chat { .. })));
        assert!(st.status().stats.unwrap().messages > 0);

        // The demo students speak CURVE, each with its own pinned key; a pin can be reset.
        assert!(st.reset_pin(&student).unwrap(), "the student's key was pinned");
        assert_eq!(st.reset_pin("nobody").unwrap_err().kind, ErrorKind::BadStudentId);

        st.mark_chat_read(&student).unwrap();
        wait_for("chat marked read", || {
            st.list_students().unwrap().iter().any(|t| t.summary.id.to_string() == student && t.summary.unread == 0)
        });
        assert_eq!(st.timeline_page("nope", None, 5).unwrap_err().kind, ErrorKind::BadStudentId);

        let stopped = st.stop();
        assert!(!stopped.running && stopped.stats.is_none());
        assert!(st.list_students().unwrap().iter().all(|t| t.presence == Presence::Offline));
        assert!(*rec.1.lock().unwrap() >= 1, "status ticks while running");
        // Stopped: reads still work, and marking read goes to the store directly.
        st.mark_chat_read(&student).unwrap();
        assert_eq!(st.list_students().unwrap().len(), 2);
        // "Mark unread": the newest chat is unread again, and stays so after a reload.
        let latest = st.mark_chat_unread(&student).unwrap().expect("the student wrote");
        let tile = st.list_students().unwrap().into_iter().find(|t| t.summary.id.to_string() == student).unwrap();
        assert!(tile.summary.unread >= 1, "{:?}", tile.summary);
        assert_eq!(tile.summary.oldest_unread_at, Some(latest));
        st.shutdown();
    }

    #[test]
    fn port_in_use_and_unwritable_store_are_plain_sentences() {
        let tmp = tempfile::tempdir().unwrap();
        let first = state(tmp.path(), 0);
        let port = first.start(Box::new(Rec::default())).unwrap().port;
        let other = tempfile::tempdir().unwrap();
        let second = state(other.path(), port);
        let e = second.start(Box::new(Rec::default())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::PortInUse, "{e:?}");
        assert!(e.message.contains(&port.to_string()));
        first.stop();

        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let bad = AppState::with_settings(
            tmp.path().join("cfg2/settings.json"),
            Settings { port: 0, ..Settings::defaults(&file.join("store")) },
        );
        let e = bad.start(Box::new(Rec::default())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::StoreNotWritable, "{e:?}");
        assert!(!bad.is_running());
    }

    #[test]
    fn settings_are_validated_and_persisted() {
        let tmp = tempfile::tempdir().unwrap();
        let st = state(tmp.path(), 5570);
        let mut s = st.settings();
        s.class_code = Some(" KOD ".into());
        let saved = st.save_settings(s).unwrap();
        assert_eq!(saved.class_code.as_deref(), Some("KOD"));
        let again = AppState::new(tmp.path().join("cfg/settings.json"), &tmp.path().join("elsewhere"));
        assert_eq!(again.settings(), saved);
        let e = st.save_settings(Settings { port: 0, ..saved.clone() }).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadPort);
        assert_eq!(st.settings(), saved, "a refused change leaves the settings as they were");
        assert_eq!(st.set_blender_path("/no/such/blender").unwrap_err().kind, ErrorKind::NoProgram);
        let fake = tmp.path().join("blender");
        std::fs::write(&fake, b"#!/bin/sh\n").unwrap();
        assert_eq!(st.set_blender_path(fake.to_str().unwrap()).unwrap().blender_path.as_deref(), fake.to_str());
    }
}
