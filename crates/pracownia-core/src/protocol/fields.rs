//! Rules for the strings a student chooses (login, file name). They are checked on arrival so that
//! nothing built to escape the store, or to confuse Windows, ever reaches it.

/// Is `s` a reserved Windows device name, with or without an extension (`con`, `nul.txt`,
/// `COM1`, `lpt9.x`, `COM¹`)? Windows looks at the part before the first dot, ignoring trailing
/// white space, case-insensitively; it counts the superscript digits ¹²³ as digits. The one rule
/// for logins, file names and store folders (`store::sanitize`); the add-on's `protocol.py`
/// mirrors it, and both are checked against `tests/vectors/reserved.json`.
pub fn is_reserved_windows_name(s: &str) -> bool {
    let stem = s.split('.').next().unwrap_or("").trim_end();
    if ["CON", "PRN", "AUX", "NUL"].iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        return true;
    }
    let mut chars = stem.chars();
    let prefix: String = chars.by_ref().take(3).collect();
    let (digit, rest) = (chars.next(), chars.next());
    ["COM", "LPT"].iter().any(|p| p.eq_ignore_ascii_case(&prefix))
        && rest.is_none()
        && digit.is_some_and(|c| matches!(c, '1'..='9' | '¹' | '²' | '³'))
}

fn common_path_hazard(s: &str) -> Option<&'static str> {
    if s.chars().any(char::is_control) {
        return Some("contains a control character");
    }
    if s.contains('/') || s.contains('\\') {
        return Some("contains a slash");
    }
    if is_reserved_windows_name(s) {
        return Some("is a reserved Windows device name");
    }
    None
}

/// `None` when the login is acceptable, else why not.
pub fn login_problem(login: &str) -> Option<&'static str> {
    let n = login.chars().count();
    if n == 0 {
        return Some("is empty");
    }
    if n > 64 {
        return Some("is longer than 64 characters");
    }
    if login.starts_with(char::is_whitespace) || login.ends_with(char::is_whitespace) {
        return Some("starts or ends with white space");
    }
    if login.chars().all(|c| c == '.') {
        return Some("is only dots");
    }
    common_path_hazard(login)
}

/// `None` unless the login (already free of `login_problem`s) holds a character that is invisible
/// or turns text around: a bidi control, zero-width or tag character, the BOM, U+2028… Such a login
/// can be made to look like another student's (`an\u{200b}na` for `anna`).
pub fn login_deception(login: &str) -> Option<String> {
    login
        .chars()
        .find(|c| crate::text::is_hidden(*c))
        .map(|c| format!("login contains the invisible or text-direction character U+{:04X}", c as u32))
}

/// `None` when the (informational) file name is acceptable, else why not.
pub fn name_problem(name: &str) -> Option<&'static str> {
    let n = name.chars().count();
    if n == 0 {
        return Some("is empty");
    }
    if n > 255 {
        return Some("is longer than 255 characters");
    }
    if name == "." || name == ".." {
        return Some("is . or ..");
    }
    common_path_hazard(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        for ok in ["anna", "Łukasz Żółw", "jan.kowalski", "a", &"x".repeat(64), "console", "com10"] {
            assert_eq!(login_problem(ok), None, "{ok:?}");
        }
        for bad in [
            "",
            " anna",
            "anna ",
            "../../etc",
            "a/b",
            "a\\b",
            "CON",
            "nul.txt",
            "lpt9",
            "a\0b",
            "a\nb",
            "...",
            ".",
            &"x".repeat(65),
        ] {
            assert!(login_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn deceptive_logins() {
        for ok in ["anna", "Łukasz Żółw", "שלום", "😀", "a-b_c.d"] {
            assert_eq!(login_deception(ok), None, "{ok:?}");
        }
        for bad in [
            "abc\u{202e}gpj.exe",
            "an\u{200b}na",
            "an\u{200d}na",
            "\u{feff}anna",
            "anna\u{e0041}",
            "an\u{2028}na",
            "an\u{2066}na\u{2069}",
            "an\u{00ad}na",
        ] {
            assert!(login_deception(bad).is_some(), "{bad:?}");
            assert_eq!(login_problem(bad), None, "{bad:?} is only deceptive");
        }
    }

    #[test]
    fn names() {
        assert_eq!(name_problem("scene.blend"), None);
        assert_eq!(name_problem("untitled.blend"), None);
        for bad in ["", ".", "..", "../x.blend", "/etc/passwd", "C:\\x", "aux.png", "a\0", &"n".repeat(256)] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
