//! One student's timeline as a readable Markdown transcript: chat from both sides, hands, files.
//! Student text is escaped so that a Markdown or HTML viewer shows it as text, never as markup.

use crate::model::{EntryBody, TimelineEntry, TimelineKind};
use crate::store::ms_to_rfc3339;

/// `files` maps an entry id to the name its file has in the export (None: not exported).
pub(crate) fn render(
    login: &str,
    student: uuid::Uuid,
    entries: &[TimelineEntry],
    file_of: &dyn Fn(i64) -> Option<String>,
) -> String {
    let mut out = format!("# {}\n\nStudent id: `{student}`\n\n", escape(login));
    for e in entries {
        if let Some(line) = line(e, file_of) {
            out.push_str(&format!("- {} — {line}\n", ms_to_rfc3339(e.ts)));
        }
    }
    out
}

fn line(e: &TimelineEntry, file_of: &dyn Fn(i64) -> Option<String>) -> Option<String> {
    let text = || escape(e.text().unwrap_or(""));
    let who = escape(&e.login);
    Some(match e.kind() {
        TimelineKind::Join => format!("{who} joined"),
        TimelineKind::Leave => format!("{who} left"),
        TimelineKind::Chat => format!("**{who}:** {}", text()),
        TimelineKind::Hand if matches!(e.body, EntryBody::Hand { raised: Some(true) }) => {
            format!("{who} raised a hand")
        }
        TimelineKind::Hand => format!("{who} lowered the hand"),
        TimelineKind::Reply => format!("**Lecturer:** {}", text()),
        TimelineKind::Broadcast => format!("**Lecturer, to everyone:** {}", text()),
        TimelineKind::Request => {
            let what = match &e.body {
                EntryBody::Request { file_kind: Some(k), .. } => k.as_str(),
                _ => "file",
            };
            format!("the lecturer asked for a {what}")
        }
        TimelineKind::HandAck => "the lecturer saw the raised hand".to_string(),
        TimelineKind::HandLowered => "the lecturer lowered the hand".to_string(),
        TimelineKind::Screenshot | TimelineKind::Blend => {
            let what = if e.kind() == TimelineKind::Blend { ".blend" } else { "screenshot" };
            match file_of(e.id) {
                Some(name) => format!("{what} [{name}]({name})"),
                None => format!("{what} (not exported: it failed its digest check)"),
            }
        }
        TimelineKind::Incomplete => "a file transfer did not complete".to_string(),
        TimelineKind::LoginChanged => format!("{who} took over a seat that {} used", text()),
        TimelineKind::Rejected | TimelineKind::Delivered | TimelineKind::Read | TimelineKind::Answer => return None,
    })
}

/// Text as text: HTML and Markdown characters escaped, control characters dropped, line breaks
/// kept inside the list item.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("  \n  "),
            c if c.is_control() => {}
            // Bidi controls could reorder what the reader sees around the text.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}
