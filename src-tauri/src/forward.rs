//! The forwarding thread: takes the receiver's events as they come, keeps the presence map, hands
//! each event to the UI and reports the status about once a second.

use crate::presence::PresenceMap;
use crossbeam_channel::{Receiver as Rx, RecvTimeoutError};
use pracownia_core::events::Event;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where forwarded events and status ticks go (the Tauri window; a recorder in tests).
pub trait Sink: Send {
    fn event(&mut self, ev: &Event);
    fn status(&mut self);
    /// After `event`, for news that needs the lecturer (a chat, a hand newly raised): the window
    /// shows a desktop notification when it is not focused.
    fn attention(&mut self, _ev: &Event) {}
}

/// Runs until the receiver's event channel closes (the receiver stopped) or `stop` is set.
pub fn run(
    events: Rx<Event>,
    stop: Arc<AtomicBool>,
    presence: Arc<Mutex<PresenceMap>>,
    mut sink: Box<dyn Sink>,
    every: Duration,
) {
    let mut next_status = Instant::now() + every;
    loop {
        let wait = next_status.saturating_duration_since(Instant::now()).min(Duration::from_millis(200));
        match events.recv_timeout(wait) {
            Ok(ev) => {
                let news = {
                    let mut p = presence.lock().unwrap_or_else(|e| e.into_inner());
                    let news = p.needs_attention(&ev); // before apply: was the hand already up?
                    p.apply(&ev);
                    news
                };
                sink.event(&ev);
                if news {
                    sink.attention(&ev);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if Instant::now() >= next_status {
            sink.status();
            next_status = Instant::now() + every;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presence::Presence;
    use uuid::Uuid;

    #[derive(Clone, Default)]
    struct Rec(Arc<Mutex<(Vec<Event>, usize)>>, Arc<Mutex<Vec<Event>>>);
    impl Sink for Rec {
        fn event(&mut self, ev: &Event) {
            self.0.lock().unwrap().0.push(ev.clone());
        }
        fn status(&mut self) {
            self.0.lock().unwrap().1 += 1;
        }
        fn attention(&mut self, ev: &Event) {
            self.1.lock().unwrap().push(ev.clone());
        }
    }

    #[test]
    fn forwards_in_order_ticks_and_ends_when_the_channel_closes() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let rec = Rec::default();
        let presence = Arc::new(Mutex::new(PresenceMap::default()));
        let (p, r) = (presence.clone(), rec.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let t = std::thread::spawn(move || run(rx, s, p, Box::new(r), Duration::from_millis(50)));
        let st = Uuid::from_u128(1);
        tx.send(Event::StudentJoined { at: 1, student: st, login: "ala".into(), blender: None, host: None }).unwrap();
        for i in 0..5 {
            tx.send(Event::Chat {
                at: 2,
                student: st,
                login: "ala".into(),
                id: Uuid::from_u128(i),
                text: i.to_string(),
            })
            .unwrap();
        }
        std::thread::sleep(Duration::from_millis(300));
        drop(tx);
        t.join().unwrap();
        let (events, ticks) = rec.0.lock().unwrap().clone();
        assert_eq!(events.len(), 6);
        assert!(matches!(&events[5], Event::Chat { text, .. } if text == "4"));
        assert!(ticks >= 2, "{ticks}");
        assert_eq!(presence.lock().unwrap().presence(st), Presence::Online);
    }

    /// A chat and a newly raised hand call for the lecturer; a hand resent while up (the add-on
    /// does so after reconnecting), a lowered hand or anything else does not.
    #[test]
    fn attention_for_chats_and_newly_raised_hands_only() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let rec = Rec::default();
        let r = rec.clone();
        let t = std::thread::spawn(move || {
            run(rx, Arc::new(AtomicBool::new(false)), Default::default(), Box::new(r), Duration::from_secs(60))
        });
        let st = Uuid::from_u128(1);
        let hand = |at, raised| Event::Hand { at, student: st, login: "ala".into(), raised };
        tx.send(Event::StudentJoined { at: 1, student: st, login: "ala".into(), blender: None, host: None }).unwrap();
        tx.send(hand(2, true)).unwrap();
        tx.send(hand(3, true)).unwrap(); // resent: already up
        tx.send(Event::Sharing { at: 4, student: st, login: "ala".into(), paused: true }).unwrap();
        tx.send(hand(5, false)).unwrap();
        tx.send(hand(6, true)).unwrap();
        tx.send(Event::Chat { at: 7, student: st, login: "ala".into(), id: Uuid::from_u128(9), text: "?".into() })
            .unwrap();
        drop(tx);
        t.join().unwrap();
        let ats: Vec<i64> = rec
            .1
            .lock()
            .unwrap()
            .iter()
            .map(|e| match e {
                Event::Hand { at, .. } | Event::Chat { at, .. } => *at,
                other => panic!("no attention for {other:?}"),
            })
            .collect();
        assert_eq!(ats, [2, 6, 7]);
        assert_eq!(rec.0.lock().unwrap().0.len(), 7, "every event is still forwarded");
    }

    #[test]
    fn stops_on_the_flag() {
        let (_tx, rx) = crossbeam_channel::unbounded::<Event>();
        let stop = Arc::new(AtomicBool::new(true));
        let start = Instant::now();
        run(rx, stop, Default::default(), Box::new(Rec::default()), Duration::from_secs(1));
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
