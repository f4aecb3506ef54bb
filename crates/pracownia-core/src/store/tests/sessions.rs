//! Sessions and attendance from a real store's timeline (index/sessions.rs).

use super::*;
use crate::index::sessions::DEFAULT_GAP_MS;

const MIN: i64 = 60_000;

#[test]
fn two_lab_meetings_with_a_restart_and_a_crash_give_two_sessions_and_true_attendance() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let ola = store.student(id(1), "ola").unwrap();
    let jan = store.student(id(2), "jan").unwrap();
    let zoe = store.student(id(3), "Zoe").unwrap();
    // Monday: ola 0–90 min with a reconnect at 40; jan 5–60, his Blender crashed (no leave) after a
    // screenshot at 50; the receiver restarted at 70 and ola came back at 80 (same meeting).
    store.record(&ola, T0, Entry::Join).unwrap();
    store.record(&ola, T0 + 40 * MIN, Entry::Leave { reason: LeaveReason::Timeout }).unwrap();
    store.record(&ola, T0 + 41 * MIN, Entry::Join).unwrap();
    store.record(&ola, T0 + 70 * MIN, Entry::Leave { reason: LeaveReason::Bye }).unwrap();
    store.record(&jan, T0 + 5 * MIN, Entry::Join).unwrap();
    store.record(&jan, T0 + 50 * MIN, Entry::Hand { raised: true }).unwrap();
    store.record(&ola, T0 + 80 * MIN, Entry::Join).unwrap();
    store.record(&ola, T0 + 90 * MIN, Entry::Leave { reason: LeaveReason::Bye }).unwrap();
    // Next Monday: Zoe alone; the lecturer's messages are not presence.
    let week = 7 * 24 * 60 * MIN;
    store.record(&zoe, T0 + week, Entry::Join).unwrap();
    store.record(&zoe, T0 + week + 30 * MIN, Entry::Leave { reason: LeaveReason::Bye }).unwrap();

    let r = store.reader();
    let s = r.sessions(DEFAULT_GAP_MS).unwrap();
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!((s[0].number, s[0].start, s[0].end, s[0].students), (1, T0, T0 + 90 * MIN, 2));
    assert_eq!((s[1].number, s[1].start, s[1].students), (2, T0 + week, 1));

    let a = r.attendance(1, DEFAULT_GAP_MS).unwrap().unwrap();
    let rows: Vec<(&str, i64, i64, i64, u32)> =
        a.iter().map(|a| (a.login.as_str(), a.first, a.last, a.present_ms, a.joins)).collect();
    assert_eq!(
        rows,
        vec![("jan", T0 + 5 * MIN, T0 + 50 * MIN, 45 * MIN, 1), ("ola", T0, T0 + 90 * MIN, (40 + 29 + 10) * MIN, 3),]
    );
    assert!(r.attendance(3, DEFAULT_GAP_MS).unwrap().is_none());
    // A smaller gap splits Monday where nobody was present for 10 minutes (70 → 80).
    assert_eq!(r.sessions(5 * MIN).unwrap().len(), 3);
}
