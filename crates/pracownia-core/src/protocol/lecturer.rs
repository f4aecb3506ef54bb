//! Protocol 1.1, lecturer → student on the return path (`welcome`, `reply`, `broadcast`,
//! `request`, `hand`, `receipt`). The receiver encodes these; parsing them is for the tests (and
//! any Rust student, such as a simulator), with the same check order as every other message.

use super::header::Header;
use super::return_path::uuid_list;
use super::{parse_frame_parts, refuse, MAX_CHAT_BYTES, TOPIC_PREFIX};
use crate::limits::Limits;
use crate::model::{FileKind, HandState};
use crate::reject::{Reason, Refusal};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The `protocol` a `welcome` announces.
pub const RETURN_VERSION: &str = "1.1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LecturerKind {
    Welcome,
    Reply,
    Broadcast,
    Request,
    Hand,
    Receipt,
}

impl LecturerKind {
    pub const ALL: [LecturerKind; 6] = [
        LecturerKind::Welcome,
        LecturerKind::Reply,
        LecturerKind::Broadcast,
        LecturerKind::Request,
        LecturerKind::Hand,
        LecturerKind::Receipt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LecturerKind::Welcome => "welcome",
            LecturerKind::Reply => "reply",
            LecturerKind::Broadcast => "broadcast",
            LecturerKind::Request => "request",
            LecturerKind::Hand => "hand",
            LecturerKind::Receipt => "receipt",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LecturerPayload {
    Welcome,
    Reply { id: Uuid, text: String },
    Broadcast { id: Uuid, text: String },
    Request { id: Uuid, what: FileKind },
    Hand { id: Uuid, state: HandState },
    Receipt { stored: Vec<Uuid>, read: Vec<Uuid> },
}

impl LecturerPayload {
    pub fn kind(&self) -> LecturerKind {
        match self {
            LecturerPayload::Welcome => LecturerKind::Welcome,
            LecturerPayload::Reply { .. } => LecturerKind::Reply,
            LecturerPayload::Broadcast { .. } => LecturerKind::Broadcast,
            LecturerPayload::Request { .. } => LecturerKind::Request,
            LecturerPayload::Hand { .. } => LecturerKind::Hand,
            LecturerPayload::Receipt { .. } => LecturerKind::Receipt,
        }
    }

    /// The id the add-on confirms with `ack` (none for `welcome` and `receipt`).
    pub fn id(&self) -> Option<Uuid> {
        match self {
            LecturerPayload::Reply { id, .. }
            | LecturerPayload::Broadcast { id, .. }
            | LecturerPayload::Request { id, .. }
            | LecturerPayload::Hand { id, .. } => Some(*id),
            LecturerPayload::Welcome | LecturerPayload::Receipt { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LecturerMessage {
    /// The addressee.
    pub student: Uuid,
    pub seq: u64,
    pub ts: i64,
    pub payload: LecturerPayload,
}

/// The frames of a lecturer message (compact JSON, sorted keys; a MAC frame with a class code).
pub fn encode_lecturer(m: &LecturerMessage, class_code: Option<&[u8]>) -> Vec<Vec<u8>> {
    // Sorted keys whatever serde_json's features (the vectors and the add-on's encoder sort them).
    let mut h = std::collections::BTreeMap::new();
    h.insert("student", json!(m.student.to_string()));
    h.insert("seq", json!(m.seq));
    h.insert("ts", json!(m.ts));
    let mut body: &[u8] = b"";
    match &m.payload {
        LecturerPayload::Welcome => {
            h.insert("protocol", json!(RETURN_VERSION));
        }
        LecturerPayload::Reply { id, text } | LecturerPayload::Broadcast { id, text } => {
            h.insert("id", json!(id.to_string()));
            body = text.as_bytes();
        }
        LecturerPayload::Request { id, what } => {
            h.insert("id", json!(id.to_string()));
            h.insert("what", json!(what.as_str()));
        }
        LecturerPayload::Hand { id, state } => {
            h.insert("id", json!(id.to_string()));
            h.insert("state", json!(state.as_str()));
        }
        LecturerPayload::Receipt { stored, read } => {
            let list = |v: &[Uuid]| Value::Array(v.iter().map(|u| json!(u.to_string())).collect());
            h.insert("stored", list(stored));
            h.insert("read", list(read));
        }
    }
    let topic = [TOPIC_PREFIX, m.payload.kind().as_str().as_bytes()].concat();
    let h: Map<String, Value> = h.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    super::encode_topic(topic, &Value::Object(h), body, class_code)
}

/// Parse a lecturer message as an add-on would (the DEALER gets no routing-id frame).
pub fn parse_lecturer_frames<B: AsRef<[u8]>>(
    frames: &[B],
    class_code: Option<&[u8]>,
    limits: &Limits,
) -> Result<LecturerMessage, Refusal> {
    let (kind, h, body) = parse_frame_parts(frames, frames.len(), class_code, limits, |k| {
        LecturerKind::ALL.into_iter().find(|r| r.as_str().as_bytes() == k)
    })?;
    let h = Header(&h);
    let mut required = vec!["student", "seq", "ts"];
    required.extend_from_slice(match kind {
        LecturerKind::Welcome => &["protocol"][..],
        LecturerKind::Reply | LecturerKind::Broadcast => &["id"][..],
        LecturerKind::Request => &["id", "what"][..],
        LecturerKind::Hand => &["id", "state"][..],
        LecturerKind::Receipt => &["stored", "read"][..],
    });
    if let Some(k) = required.iter().find(|k| !h.0.contains_key(**k)) {
        return refuse(Reason::MissingField, format!("no {k:?}"));
    }
    let student = h.uuid("student")?;
    let id = match kind {
        LecturerKind::Welcome | LecturerKind::Receipt => None,
        _ => Some(h.uuid("id")?),
    };
    let lists = match kind {
        LecturerKind::Receipt => Some((uuid_list(&h, "stored", true)?, uuid_list(&h, "read", true)?)),
        _ => None,
    };
    let (seq, ts) = (h.u64("seq")?, h.i64("ts")?);
    let text_body = |body: &[u8]| -> Result<String, Refusal> {
        if body.is_empty() || body.len() > MAX_CHAT_BYTES {
            return refuse(Reason::BadBody, format!("text of {} bytes", body.len()));
        }
        std::str::from_utf8(body).map(str::to_owned).or_else(|_| refuse(Reason::BadBody, "text is not UTF-8"))
    };
    let payload = match kind {
        LecturerKind::Welcome => {
            if h.str("protocol")? != RETURN_VERSION {
                return refuse(Reason::BadField, "unknown protocol version");
            }
            LecturerPayload::Welcome
        }
        LecturerKind::Reply => LecturerPayload::Reply { id: id.expect("id"), text: text_body(body)? },
        LecturerKind::Broadcast => LecturerPayload::Broadcast { id: id.expect("id"), text: text_body(body)? },
        LecturerKind::Request => match h.str("what")?.parse() {
            Ok(what) => LecturerPayload::Request { id: id.expect("id"), what },
            Err(_) => return refuse(Reason::BadField, "unknown request \"what\""),
        },
        LecturerKind::Hand => {
            let state = match h.str("state")? {
                "acknowledged" => HandState::Acknowledged,
                "lowered" => HandState::Lowered,
                _ => return refuse(Reason::BadField, "unknown hand state"),
            };
            LecturerPayload::Hand { id: id.expect("id"), state }
        }
        LecturerKind::Receipt => {
            let (stored, read) = lists.expect("lists");
            LecturerPayload::Receipt { stored, read }
        }
    };
    let has_text = matches!(kind, LecturerKind::Reply | LecturerKind::Broadcast);
    if !has_text && !body.is_empty() {
        return refuse(Reason::BadBody, format!("{} bytes where no body is allowed", body.len()));
    }
    Ok(LecturerMessage { student, seq, ts, payload })
}
