//! Why a message or a transfer was refused. The codes are part of the protocol (docs/PROTOCOL.md):
//! the UI, the CLI and the tests count and show them, so never rename one.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    FrameCount,
    BadTopic,
    UnknownKind,
    HeaderTooLarge,
    BadMac,
    BadJson,
    MissingField,
    BadUuid,
    BadLogin,
    BadName,
    BadField,
    BadBody,
    BadChunk,
    TooLarge,
    TooManyTransfers,
    DiskFull,
    Conflict,
    Corrupt,
    BadFile,
    /// Protocol 1.1: a return-path message from a connection that has not registered.
    Unregistered,
    /// A login that passes `bad_login`'s rules but holds bidi controls, zero-width, tag or other
    /// invisible characters: shown, it would pass for another student's login.
    DeceptiveLogin,
    /// The whole receiver already has its maximum of open transfers (all students together).
    ReceiverBusy,
    /// Over a rate: new student ids for the whole receiver, or chats and hand changes of one id.
    RateLimited,
    /// A message seen before (captured and sent again): its sender process has ended, or its
    /// `seq` is not newer than the last one accepted from that process (docs/PROTOCOL.md,
    /// "Freshness").
    Replay,
    /// Encrypted class: the message claims a student whose id is pinned to another CURVE key.
    KeyMismatch,
    /// One connection brought more student ids the store does not know than its budget
    /// (`Limits::new_ids_per_connection`).
    TooManyIds,
}

impl Reason {
    pub const ALL: [Reason; 26] = [
        Reason::FrameCount,
        Reason::BadTopic,
        Reason::UnknownKind,
        Reason::HeaderTooLarge,
        Reason::BadMac,
        Reason::BadJson,
        Reason::MissingField,
        Reason::BadUuid,
        Reason::BadLogin,
        Reason::BadName,
        Reason::BadField,
        Reason::BadBody,
        Reason::BadChunk,
        Reason::TooLarge,
        Reason::TooManyTransfers,
        Reason::DiskFull,
        Reason::Conflict,
        Reason::Corrupt,
        Reason::BadFile,
        Reason::Unregistered,
        Reason::DeceptiveLogin,
        Reason::ReceiverBusy,
        Reason::RateLimited,
        Reason::Replay,
        Reason::KeyMismatch,
        Reason::TooManyIds,
    ];

    /// The stable code, as on the wire docs and in `--json` output.
    pub fn code(self) -> &'static str {
        match self {
            Reason::FrameCount => "frame_count",
            Reason::BadTopic => "bad_topic",
            Reason::UnknownKind => "unknown_kind",
            Reason::HeaderTooLarge => "header_too_large",
            Reason::BadMac => "bad_mac",
            Reason::BadJson => "bad_json",
            Reason::MissingField => "missing_field",
            Reason::BadUuid => "bad_uuid",
            Reason::BadLogin => "bad_login",
            Reason::BadName => "bad_name",
            Reason::BadField => "bad_field",
            Reason::BadBody => "bad_body",
            Reason::BadChunk => "bad_chunk",
            Reason::TooLarge => "too_large",
            Reason::TooManyTransfers => "too_many_transfers",
            Reason::DiskFull => "disk_full",
            Reason::Conflict => "conflict",
            Reason::Corrupt => "corrupt",
            Reason::BadFile => "bad_file",
            Reason::Unregistered => "unregistered",
            Reason::DeceptiveLogin => "deceptive_login",
            Reason::ReceiverBusy => "receiver_busy",
            Reason::RateLimited => "rate_limited",
            Reason::Replay => "replay",
            Reason::KeyMismatch => "key_mismatch",
            Reason::TooManyIds => "too_many_ids",
        }
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// A plain sentence for a lecturer.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::FrameCount => "The message had the wrong number of parts.",
            Reason::BadTopic => "The message was not a Pracownia version 1 message.",
            Reason::UnknownKind => "The message was of an unknown kind.",
            Reason::HeaderTooLarge => "The message header was too large.",
            Reason::BadMac => "The message did not carry the right class code.",
            Reason::BadJson => "The message header was not valid JSON.",
            Reason::MissingField => "The message header lacked a required field.",
            Reason::BadUuid => "The message carried an invalid id.",
            Reason::BadLogin => "The student's login is not allowed.",
            Reason::BadName => "The file name is not allowed.",
            Reason::BadField => "The message header had a field with a wrong value.",
            Reason::BadBody => "The message content was not allowed.",
            Reason::BadChunk => "A file part did not fit its file.",
            Reason::TooLarge => "The file is larger than allowed.",
            Reason::TooManyTransfers => "The student is already sending too many files at once.",
            Reason::DiskFull => "The lecturer's disk is almost full, so the file was refused.",
            Reason::Conflict => "Parts of the file contradicted each other.",
            Reason::Corrupt => "The file arrived damaged (its checksum did not match).",
            Reason::BadFile => "The file is not a valid screenshot or .blend file.",
            Reason::Unregistered => "A reply channel message came before the student registered.",
            Reason::ReceiverBusy => "The lecturer's receiver is taking too many files at once; the file was refused.",
            Reason::RateLimited => "The student sent too much too fast (or too many new students appeared at once).",
            Reason::Replay => "A message was received again (a replay of captured traffic), so it was ignored.",
            Reason::KeyMismatch => {
                "The message came from another computer's key than the one this student first joined with (someone posing as them, or a reinstalled add-on: reset the student's key)."
            }
            Reason::TooManyIds => {
                "One connection brought more new students than one computer does (someone making up students); the others were not affected."
            }
            Reason::DeceptiveLogin => {
                "The student's login contains invisible or text-direction characters that could make it look like another."
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A refusal with the detail that explains it (for logs; never shown unescaped as HTML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub detail: String,
}

impl Refusal {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Refusal { reason, detail: detail.into() }
    }
}

/// For logs: the detail may quote what a student sent (an unknown kind, a login), so it is shown
/// [inert](crate::text::Inert).
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason, crate::text::Inert(&self.detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for r in Reason::ALL {
            assert_eq!(Reason::from_code(r.code()), Some(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.code()));
        }
    }

    #[test]
    fn a_refusal_shows_its_detail_inert() {
        let r = Refusal::new(Reason::UnknownKind, "x\x1b]0;title\x07\r");
        assert_eq!(r.to_string(), "unknown_kind: x\\u{1b}]0;title\\u{7}\\u{d}");
    }
}
