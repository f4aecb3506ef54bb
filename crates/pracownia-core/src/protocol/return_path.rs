//! Protocol 1.1, student → lecturer on the return path (`register`, `ack`, `read`, `answer`).
//! Same frames, MAC and check order as version 1 (docs/PROTOCOL.md, "Version 1.1").

use super::header::Header;
use super::{parse_frame_parts, refuse, Common, TOPIC_PREFIX};
use crate::limits::Limits;
use crate::model::AnswerStatus;
use crate::reject::{Reason, Refusal};
use serde_json::Value;
use uuid::Uuid;

/// The most ids one `ack`, `read` or `receipt` list may carry.
pub const MAX_IDS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnKind {
    Register,
    Ack,
    Read,
    Answer,
}

impl ReturnKind {
    pub const ALL: [ReturnKind; 4] = [ReturnKind::Register, ReturnKind::Ack, ReturnKind::Read, ReturnKind::Answer];

    pub fn as_str(self) -> &'static str {
        match self {
            ReturnKind::Register => "register",
            ReturnKind::Ack => "ack",
            ReturnKind::Read => "read",
            ReturnKind::Answer => "answer",
        }
    }

    pub fn topic(self) -> Vec<u8> {
        [TOPIC_PREFIX, self.as_str().as_bytes()].concat()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnPayload {
    Register { addon: Option<String> },
    Ack { ids: Vec<Uuid> },
    Read { ids: Vec<Uuid> },
    Answer { id: Uuid, status: AnswerStatus, text: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnMessage {
    pub common: Common,
    pub payload: ReturnPayload,
}

impl ReturnMessage {
    pub fn kind(&self) -> ReturnKind {
        match self.payload {
            ReturnPayload::Register { .. } => ReturnKind::Register,
            ReturnPayload::Ack { .. } => ReturnKind::Ack,
            ReturnPayload::Read { .. } => ReturnKind::Read,
            ReturnPayload::Answer { .. } => ReturnKind::Answer,
        }
    }
}

/// Parse a student's return-path message (the ROUTER's routing-id frame already removed).
pub fn parse_return_frames<B: AsRef<[u8]>>(
    frames: &[B],
    frame_count: usize,
    class_code: Option<&[u8]>,
    limits: &Limits,
) -> Result<ReturnMessage, Refusal> {
    let (kind, h, body) = parse_frame_parts(frames, frame_count, class_code, limits, |k| {
        ReturnKind::ALL.into_iter().find(|r| r.as_str().as_bytes() == k)
    })?;
    let h = Header(&h);
    let mut required = vec!["student", "login", "seq", "ts"];
    required.extend_from_slice(match kind {
        ReturnKind::Register => &[][..],
        ReturnKind::Ack | ReturnKind::Read => &["ids"][..],
        ReturnKind::Answer => &["id", "status"][..],
    });
    if let Some(k) = required.iter().find(|k| !h.0.contains_key(**k)) {
        return refuse(Reason::MissingField, format!("no {k:?}"));
    }
    let student = h.uuid("student")?;
    let boot = h.opt_uuid("boot")?;
    let ids = match kind {
        ReturnKind::Ack | ReturnKind::Read => Some(uuid_list(&h, "ids", false)?),
        _ => None,
    };
    let id = match kind {
        ReturnKind::Answer => Some(h.uuid("id")?),
        _ => None,
    };
    let login = h.login()?;
    let common = Common { student, login, seq: h.u64("seq")?, ts: h.i64("ts")?, boot };
    let payload = match kind {
        ReturnKind::Register => ReturnPayload::Register { addon: h.opt_str("addon")? },
        ReturnKind::Ack => ReturnPayload::Ack { ids: ids.expect("ids") },
        ReturnKind::Read => ReturnPayload::Read { ids: ids.expect("ids") },
        ReturnKind::Answer => {
            let status = match h.str("status")?.parse() {
                Ok(s) => s,
                Err(_) => return refuse(Reason::BadField, "unknown answer status"),
            };
            ReturnPayload::Answer { id: id.expect("id"), status, text: h.opt_str("text")? }
        }
    };
    if !body.as_ref().is_empty() {
        return refuse(Reason::BadBody, format!("{} bytes where no body is allowed", body.as_ref().len()));
    }
    Ok(ReturnMessage { common, payload })
}

/// A list of UUIDs: an element that is not one is `bad_uuid` (checked before other fields, like
/// every id); not a list, or a wrong length, is `bad_field`.
pub(super) fn uuid_list(h: &Header, key: &str, may_be_empty: bool) -> Result<Vec<Uuid>, Refusal> {
    let Some(items) = h.get(key)?.as_array() else {
        return refuse(Reason::BadField, format!("{key:?} is not an array"));
    };
    let mut out = Vec::with_capacity(items.len());
    for v in items {
        out.push(super::header::uuid_value(v).ok_or_else(|| {
            Refusal::new(Reason::BadUuid, format!("an element of {key:?} is not a hyphenated, non-nil UUID"))
        })?);
    }
    if (out.is_empty() && !may_be_empty) || out.len() > MAX_IDS {
        return refuse(Reason::BadField, format!("{key:?} has {} ids", out.len()));
    }
    Ok(out)
}

/// Encode a student's return-path message (for tests and `pracownia simulate`).
pub fn encode_return(kind: ReturnKind, header: &Value, class_code: Option<&[u8]>) -> Vec<Vec<u8>> {
    super::encode_topic(kind.topic(), header, b"", class_code)
}
