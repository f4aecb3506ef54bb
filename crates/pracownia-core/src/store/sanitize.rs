//! Turning a student's self-chosen login into a safe folder name.

use uuid::Uuid;

/// Longest sanitised login, in characters (the id suffix comes on top).
pub const MAX_LOGIN_CHARS: usize = 40;

pub use crate::protocol::is_reserved_windows_name;

/// Sanitise a login: keep Unicode alphanumerics and `-_.`, map the rest to `_`,
/// collapse runs of `_`, trim `.`/`_`/spaces at both ends, cap at 40 characters,
/// and fall back to `student` when nothing is left. Reserved Windows device
/// names get a `_` prefix.
pub fn sanitize_login(login: &str) -> String {
    let mut out = String::with_capacity(login.len().min(4 * MAX_LOGIN_CHARS));
    for c in login.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    let trim = |s: &str| s.trim_matches(|c| matches!(c, '.' | '_' | ' ')).to_string();
    let mut s = trim(&out);
    if s.chars().count() > MAX_LOGIN_CHARS {
        s = trim(&s.chars().take(MAX_LOGIN_CHARS).collect::<String>());
    }
    if s.is_empty() {
        return "student".to_string();
    }
    if is_reserved_windows_name(&s) {
        s.insert(0, '_');
    }
    s
}

/// The folder name of a student: sanitised login, `-`, and either the first
/// 8 hex characters of the id or (when `full_id`) all 32 of them.
pub fn folder_name(login: &str, id: Uuid, full_id: bool) -> String {
    let hex = id.simple().to_string();
    let suffix = if full_id { &hex[..] } else { &hex[..8] };
    format!("{}-{}", sanitize_login(login), suffix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::{Component, Path};

    fn assert_safe(name: &str) {
        assert!(!name.is_empty());
        assert_ne!(name, ".");
        assert_ne!(name, "..");
        assert!(!name.contains(['/', '\\', '\0', ':']), "{name:?}");
        assert!(!is_reserved_windows_name(name), "{name:?}");
        assert!(!name.ends_with(['.', ' ']), "{name:?}");
        let comps: Vec<_> = Path::new(name).components().collect();
        assert_eq!(comps.len(), 1, "{name:?}");
        assert!(matches!(comps[0], Component::Normal(_)), "{name:?}");
        assert!(name.len() <= 4 * MAX_LOGIN_CHARS + 33);
    }

    #[test]
    fn hostile_logins() {
        let id = Uuid::parse_str("0123456789abcdef0123456789abcdef").unwrap();
        let long = "a".repeat(1000);
        let cases = [
            ("../", "student-01234567"),
            ("..\\", "student-01234567"),
            ("../../etc/passwd", "etc_passwd-01234567"),
            ("/etc/passwd", "etc_passwd-01234567"),
            ("C:\\Windows\\System32", "C_Windows_System32-01234567"),
            ("a\0b", "a_b-01234567"),
            ("CON", "_CON-01234567"),
            ("nul.txt", "_nul.txt-01234567"),
            ("com1", "_com1-01234567"),
            ("Lpt9.tar.gz", "_Lpt9.tar.gz-01234567"),
            ("console", "console-01234567"),
            ("", "student-01234567"),
            ("   ", "student-01234567"),
            ("...", "student-01234567"),
            ("Zofia Łęcka", "Zofia_Łęcka-01234567"),
            ("a  /  b", "a_b-01234567"),
            ("😀😀x😀", "x-01234567"),
            ("abc\u{202e}gpj.exe", "abc_gpj.exe-01234567"),
            ("שלום", "שלום-01234567"),
        ];
        for (login, want) in cases {
            let got = folder_name(login, id, false);
            assert_eq!(got, want, "login {login:?}");
            assert_safe(&got);
        }
        let got = folder_name(&long, id, false);
        assert_eq!(got, format!("{}-01234567", "a".repeat(40)));
        assert_eq!(folder_name("x", id, true), "x-0123456789abcdef0123456789abcdef");
        // Truncation must not leave a trailing dot.
        let dotted = format!("{}.{}", "b".repeat(39), "c".repeat(10));
        assert_eq!(sanitize_login(&dotted), "b".repeat(39));
    }

    proptest! {
        #[test]
        fn any_login_is_one_safe_component(login in ".{0,200}", full in any::<bool>(), raw in any::<u128>()) {
            let name = folder_name(&login, Uuid::from_u128(raw), full);
            assert_safe(&name);
        }

        #[test]
        fn any_ascii_login_is_safe(login in "[ -~\\x00]{0,80}") {
            assert_safe(&folder_name(&login, Uuid::nil(), false));
            let s = sanitize_login(&login);
            prop_assert!(s.chars().count() <= MAX_LOGIN_CHARS + 1);
        }
    }
}
