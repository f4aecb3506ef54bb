//! Who is sending with a wrong class code. A message refused as `bad_mac` is not trusted, but its
//! header still says which login and host the add-on uses: enough for the lecturer to walk over
//! to "anna" instead of reading a bare count. The set is bounded (a flood of invented logins
//! evicts the oldest) and its text is made inert and short before anyone shows it.

use crate::events::WrongCodeSender;
use crate::text::Inert;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// How many senders are kept; the least recently heard one makes room for a new one.
pub const WRONG_CODE_KEPT: usize = 32;
/// Characters kept of a login or host (longer ones are cut and end in `…`).
const MAX_SHOWN_CHARS: usize = 40;

#[derive(Debug, Default)]
pub struct WrongCode {
    senders: Mutex<Vec<WrongCodeSender>>,
    /// `senders.len()`, read without the lock on every accepted message.
    len: AtomicUsize,
}

impl WrongCode {
    /// Note a refused message's header (raw bytes, at most `max_header` long). Headers that are
    /// not JSON or carry no string login are not named (the refusal is still counted).
    pub fn note(&self, header: &[u8], at: i64) {
        let Ok(Value::Object(h)) = serde_json::from_slice::<Value>(header) else {
            return;
        };
        let Some(login) = h.get("login").and_then(Value::as_str).map(shown) else {
            return;
        };
        if login.is_empty() {
            return;
        }
        let host = h.get("host").and_then(Value::as_str).map(shown).filter(|h| !h.is_empty());
        let mut senders = self.senders.lock().unwrap_or_else(|e| e.into_inner());
        match senders.iter_mut().find(|s| s.login == login) {
            Some(s) => {
                s.count += 1;
                s.last = s.last.max(at);
                if host.is_some() {
                    s.host = host;
                }
            }
            None => {
                if senders.len() >= WRONG_CODE_KEPT {
                    if let Some(i) = senders.iter().enumerate().min_by_key(|(_, s)| s.last).map(|(i, _)| i) {
                        senders.swap_remove(i);
                    }
                }
                senders.push(WrongCodeSender { login, host, count: 1, last: at });
            }
        }
        self.len.store(senders.len(), Ordering::Relaxed);
    }

    /// A message from `login` got through: its add-on has the right code now.
    pub fn accepted(&self, login: &str) {
        if self.len.load(Ordering::Relaxed) == 0 {
            return;
        }
        let shown = shown(login);
        let mut senders = self.senders.lock().unwrap_or_else(|e| e.into_inner());
        senders.retain(|s| s.login != shown);
        self.len.store(senders.len(), Ordering::Relaxed);
    }

    /// Most recent first.
    pub fn snapshot(&self) -> Vec<WrongCodeSender> {
        let mut v = self.senders.lock().unwrap_or_else(|e| e.into_inner()).clone();
        v.sort_by(|a, b| b.last.cmp(&a.last).then_with(|| a.login.cmp(&b.login)));
        v
    }
}

/// Untrusted text as it may be shown: control, bidi and invisible characters written out
/// ([`Inert`]), at most [`MAX_SHOWN_CHARS`] characters of the original.
fn shown(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > MAX_SHOWN_CHARS {
        let cut: String = s.chars().take(MAX_SHOWN_CHARS - 1).collect();
        format!("{}…", Inert(&cut))
    } else {
        Inert(s).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(v: Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn counts_per_login_keeps_the_host_and_sorts_by_latest() {
        let w = WrongCode::default();
        w.note(&header(json!({"login": "anna", "host": "lab-07"})), 10);
        w.note(&header(json!({"login": "anna"})), 30);
        w.note(&header(json!({"login": "bartek"})), 20);
        let s = w.snapshot();
        assert_eq!(s.iter().map(|s| s.login.as_str()).collect::<Vec<_>>(), ["anna", "bartek"]);
        assert_eq!((s[0].count, s[0].last, s[0].host.as_deref()), (2, 30, Some("lab-07")));
        assert_eq!((s[1].count, s[1].host.as_deref()), (1, None));
    }

    #[test]
    fn hostile_text_is_inert_short_and_garbage_is_not_named() {
        let w = WrongCode::default();
        w.note(&header(json!({"login": "an\u{202e}na\x1b]0;x\x07", "host": "h\r\n"})), 1);
        w.note(&header(json!({"login": "x".repeat(500)})), 2);
        w.note(b"not json", 3);
        w.note(&header(json!({"login": 5})), 4);
        w.note(&header(json!({"login": "   "})), 5);
        w.note(&header(json!(["login"])), 6);
        let s = w.snapshot();
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].login, format!("{}…", "x".repeat(39)));
        assert_eq!(s[1].login, "an\\u{202e}na\\u{1b}]0;x\\u{7}");
        assert_eq!(s[1].host.as_deref(), Some("h"));
        assert!(s.iter().all(|s| !s.login.chars().any(crate::text::is_active)));
    }

    #[test]
    fn bounded_evicting_the_least_recent_and_cleared_when_accepted() {
        let w = WrongCode::default();
        for i in 0..100 {
            w.note(&header(json!({"login": format!("s{i}")})), i);
        }
        let s = w.snapshot();
        assert_eq!(s.len(), WRONG_CODE_KEPT);
        assert_eq!(s[0].login, "s99");
        assert_eq!(s.last().unwrap().login, format!("s{}", 100 - WRONG_CODE_KEPT));
        w.accepted("s99");
        w.accepted("nobody");
        assert_eq!(w.snapshot().len(), WRONG_CODE_KEPT - 1);
        assert!(w.snapshot().iter().all(|s| s.login != "s99"));
    }
}
