//! Text a student chose (chat, login, host name, a topic's kind…) shown where it could act instead of
//! being read: a terminal obeys escape sequences (window title, screen clear, OSC 52 clipboard
//! writes), a bare CR lets a line overwrite the log line before it, and bidi or invisible characters
//! make one string look like another. [`Inert`] shows such text with every one of those characters
//! written out as `\u{…}`, so a log line is exactly what it looks like.

use std::fmt;

/// Characters that change how text around them is shown without being visible themselves:
/// bidi controls, zero-width and other invisible format characters, the BOM, tag characters and
/// the Unicode line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{034F}'                // combining grapheme joiner
        | '\u{061C}'                // Arabic letter mark (bidi)
        | '\u{115F}' | '\u{1160}'   // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'   // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}'   // Mongolian selectors and vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
        | '\u{2028}' | '\u{2029}'   // line and paragraph separators
        | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, bidi isolates, deprecated formats
        | '\u{3164}' | '\u{FFA0}'   // Hangul fillers
        | '\u{FEFF}'                // BOM / zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotations
        | '\u{1D173}'..='\u{1D17A}' // musical formatting
        | '\u{E0000}'..='\u{E007F}' // tag characters
    )
}

/// A character a terminal or a reader could act on: a control character (C0, DEL, C1: ESC, CR, CSI
/// …) or a hidden one ([`is_hidden`]).
pub fn is_active(c: char) -> bool {
    c.is_control() || is_hidden(c)
}

/// Displays a student's text with every [active](is_active) character written as `\u{hex}`; the
/// rest, including ordinary non-ASCII letters, is shown as it is.
#[derive(Debug, Clone, Copy)]
pub struct Inert<'a>(pub &'a str);

impl fmt::Display for Inert<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(is_active) {
            f.write_str(&rest[..i])?;
            let c = rest[i..].chars().next().expect("found a char at i");
            write!(f, "\\u{{{:x}}}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// An optional text, shown as [`Inert`] (nothing for `None`).
pub fn inert_opt(s: &Option<String>) -> Inert<'_> {
    Inert(s.as_deref().unwrap_or(""))
}

/// A JSON text with every [active](is_active) character that JSON leaves raw (DEL, C1, bidi, the
/// line separators U+2028/U+2029…) written as a `\uXXXX` escape instead. Valid JSON stays valid
/// and means the same: outside strings a serialiser writes only ASCII. Readers that split lines on
/// U+2028 (JavaScript, Python's `str.splitlines`) then see one line per object.
pub fn json_inert(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_active(c) && !c.is_ascii() {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else if c == '\u{7f}' {
            out.push_str("\\u007f");
        } else {
            out.push(c);
        }
    }
    out
}

/// One CSV field, always quoted; a leading `= + - @` (or tab, CR) gets a `'` so a spreadsheet
/// does not run a student's login as a formula.
pub fn csv_field(s: &str) -> String {
    let inert = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", inert.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_sequences_and_hidden_characters_are_written_out() {
        let cases = [
            ("\x1b]0;pwned\x07", "\\u{1b}]0;pwned\\u{7}"),
            ("\x1b[2J\x1b[H", "\\u{1b}[2J\\u{1b}[H"),
            ("\x1b]52;c;cHduZWQ=\x07", "\\u{1b}]52;c;cHduZWQ=\\u{7}"),
            ("ok\r[INFO] anna: forged", "ok\\u{d}[INFO] anna: forged"),
            ("a\nb\tc", "a\\u{a}b\\u{9}c"),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("abc\u{202e}gpj.exe", "abc\\u{202e}gpj.exe"),
            ("an\u{200b}na\u{feff}", "an\\u{200b}na\\u{feff}"),
            ("a\u{2028}b\u{2029}", "a\\u{2028}b\\u{2029}"),
            ("x\u{e0041}\u{7f}", "x\\u{e0041}\\u{7f}"),
        ];
        for (raw, shown) in cases {
            assert_eq!(Inert(raw).to_string(), shown, "{raw:?}");
        }
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for s in ["", "Zofia Łęcka: czy mogę?", "שלום", "😀 emoji", "C:\\path\\file.blend", "anna"] {
            assert_eq!(Inert(s).to_string(), s);
        }
    }

    #[test]
    fn json_escapes_separators_and_stays_the_same_value() {
        let v = serde_json::json!({"text": "a\u{2028}b\u{2029}c\u{202e}d\u{7f}\u{85}e\u{e0041}ł"});
        let raw = v.to_string();
        let safe = json_inert(&raw);
        assert!(!safe.chars().any(is_active), "{safe}");
        assert!(safe.contains("\\u2028") && safe.contains("\\u2029") && safe.contains("\\udb40\\udc41"), "{safe}");
        assert!(safe.contains('ł'));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), v);
        assert_eq!(safe.lines().count(), 1);
    }
}
