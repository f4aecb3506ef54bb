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
    assert!(inbox.iter().all(|e| e.kind() == TimelineKind::Chat));
    let student = inbox[0].student.to_string();
    let page = st.timeline_page(&student, None, 5, None).unwrap();
    // One session's span: only the entries inside it, newest first.
    let (from, until) = (page.last().unwrap().ts, page[0].ts);
    let within = st.timeline_page(&student, None, 100, Some((from, until))).unwrap();
    assert!(!within.is_empty() && within.iter().all(|e| (from..=until).contains(&e.ts)), "{within:?}");
    assert!(st.timeline_page(&student, None, 100, Some((0, 1))).unwrap().is_empty(), "nothing in 1970");
    assert!(!page.is_empty() && page.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    // Compare: each student's newest screenshot now; nothing before the class began.
    let now = st.screenshots_at(i64::MAX).unwrap();
    assert!(!now.is_empty() && now.iter().all(|e| e.kind() == TimelineKind::Screenshot && e.file().is_some()));
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
    assert_eq!(st.timeline_page("nope", None, 5, None).unwrap_err().kind, ErrorKind::BadStudentId);

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

#[test]
fn classes_open_on_the_last_one_switch_stop_receiving_and_keep_their_own_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("cfg/settings.json");
    let root = tmp.path().join("Pracownia");
    // A new installation: its first class has a folder of its own inside the store root.
    let fresh = AppState::new(cfg.clone(), &root);
    assert_eq!(fresh.settings().class, "class-1");
    assert_eq!(fresh.store(), root.join("class-1"));
    assert_eq!(fresh.status().store, root.join("class-1").to_string_lossy());
    assert_eq!(fresh.list_classes()[0].name, "Class 1", "named from the start, not by its folder");

    let st = AppState::with_settings(cfg.clone(), Settings { port: 0, ..fresh.settings() });
    st.start(Box::new(Rec::default())).unwrap();
    st.start_demo(1).unwrap();
    wait_for("the demo student", || st.list_students().unwrap().len() == 1);
    assert!(st.class_usage().iter().any(|u| u.folder == "class-1" && u.bytes > 0));
    assert_eq!(st.thin_now().unwrap_err().kind, ErrorKind::Running, "the running receiver holds the store");

    let g2 = st.create_class("Grupa 2").unwrap();
    assert!(st.is_running(), "creating a class does not stop this one");
    assert_eq!(st.create_class("grupa 2").unwrap_err().kind, ErrorKind::ClassExists);
    assert_eq!(st.switch_class("nope").unwrap_err().kind, ErrorKind::NoSuchClass);
    let first_code = st.settings().class_code;
    let s = st.switch_class(&g2.folder).unwrap();
    assert!(!st.is_running(), "switching stops receiving for the other class");
    assert_eq!(s.class, "grupa-2");
    assert_ne!(s.class_code, first_code, "each class has its own code");
    assert!(st.list_students().unwrap().is_empty(), "the new class has no students");
    let names: Vec<(String, bool)> = st.list_classes().into_iter().map(|c| (c.name, c.current)).collect();
    assert_eq!(names, [("Class 1".to_owned(), false), ("Grupa 2".to_owned(), true)]);

    // The app opens on the last class, with its code (port 0 is not a port a settings file keeps).
    st.save_settings(Settings { port: 5570, ..st.settings() }).unwrap();
    let again = AppState::new(cfg.clone(), &root);
    assert_eq!((again.settings().class, again.settings().class_code), ("grupa-2".into(), s.class_code.clone()));
    // Back to the first: its student is there again.
    st.switch_class("class-1").unwrap();
    assert_eq!(st.list_students().unwrap().len(), 1);
    assert_eq!(st.settings().class_code, first_code);
    let usage = st.class_usage();
    assert_eq!(usage.len(), 2);
    assert!(usage.iter().find(|u| u.folder == "class-1").unwrap().bytes > 0);
}

#[test]
fn retention_is_off_by_default_and_thins_only_when_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let st = state(tmp.path(), 0);
    assert!(!st.retention().enabled());
    assert_eq!(st.thin_preview().unwrap(), ThinSummary::default(), "off: nothing would go");
    st.start(Box::new(Rec::default())).unwrap();
    st.start_demo(1).unwrap();
    wait_for("a screenshot", || st.list_students().unwrap().iter().any(|t| t.summary.latest_screenshot.is_some()));
    st.stop();
    let r =
        crate::classes::RetentionSettings { screenshot_days: Some(1), screenshot_every_min: 10, blend_days: Some(1) };
    assert_eq!(st.save_retention(r).unwrap(), r);
    assert_eq!(st.retention(), r);
    // Today's files are younger than a day: kept.
    assert_eq!(st.thin_preview().unwrap(), ThinSummary::default());
    assert_eq!(st.thin_now().unwrap(), ThinSummary::default());
    let bad = crate::classes::RetentionSettings { blend_days: Some(0), ..r };
    assert_eq!(st.save_retention(bad).unwrap_err().kind, ErrorKind::BadRetention);
    assert_eq!(st.retention(), r, "a refused change keeps the old one");
}
