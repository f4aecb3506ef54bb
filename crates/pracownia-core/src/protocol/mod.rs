//! Wire protocol v1 and 1.1's return path (docs/PROTOCOL.md): parsing and validating what students send, and encoding
//! it (for `pracownia simulate` and the tests). Parsing is pure: bytes in, a typed message or a
//! refusal with its reason out, so the socket thread can afford it and the rules are testable.

mod fields;
mod header;
pub mod join;
mod lecturer;
mod mac;
mod return_path;

pub use fields::{is_reserved_windows_name, login_deception, login_problem, name_problem};
pub use lecturer::{
    encode_lecturer, parse_lecturer_frames, LecturerKind, LecturerMessage, LecturerPayload, RETURN_VERSION,
};
pub use mac::{mac, verify_mac, MAC_LEN};
pub use return_path::{encode_return, parse_return_frames, ReturnKind, ReturnMessage, ReturnPayload, MAX_IDS};

use crate::limits::Limits;
use crate::model::FileKind;
use crate::reject::{Reason, Refusal};
use header::Header;
use serde_json::{Map, Value};
use uuid::Uuid;

pub const TOPIC_PREFIX: &[u8] = b"pracownia/1/";
pub const DEFAULT_PORT: u16 = 5570;
pub const MAX_CHAT_BYTES: usize = 4096;
/// The chunk size our senders use (the receiver accepts any size up to the frame limit).
pub const CHUNK_SIZE: usize = 1 << 20;
const MAX_OPTIONAL_STRING: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Hello,
    Heartbeat,
    Chat,
    Hand,
    Chunk,
    Bye,
}

impl Kind {
    pub const ALL: [Kind; 6] = [Kind::Hello, Kind::Heartbeat, Kind::Chat, Kind::Hand, Kind::Chunk, Kind::Bye];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hello => "hello",
            Kind::Heartbeat => "heartbeat",
            Kind::Chat => "chat",
            Kind::Hand => "hand",
            Kind::Chunk => "chunk",
            Kind::Bye => "bye",
        }
    }

    pub fn topic(self) -> Vec<u8> {
        [TOPIC_PREFIX, self.as_str().as_bytes()].concat()
    }
}

/// Fields every message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Common {
    pub student: Uuid,
    pub login: String,
    pub seq: u64,
    pub ts: i64,
    /// Optional `boot`: a random id of the sending process, so the receiver can refuse replays
    /// (docs/PROTOCOL.md, "Freshness"). Older senders do not send it.
    pub boot: Option<Uuid>,
}

/// One chunk of a file. `B` is the body's storage, so the receiver can keep the ZeroMQ frame
/// instead of copying up to a few MiB per chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<B> {
    pub transfer: Uuid,
    pub kind: FileKind,
    pub name: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    pub offset: u64,
    pub index: u64,
    pub count: u64,
    pub body: B,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload<B> {
    Hello {
        blender: Option<String>,
        addon: Option<String>,
        host: Option<String>,
    },
    /// `paused`: the student paused sharing (None from add-ons that predate the field).
    Heartbeat {
        file: Option<String>,
        paused: Option<bool>,
    },
    Chat {
        id: Uuid,
        text: String,
    },
    Hand {
        raised: bool,
    },
    Chunk(Chunk<B>),
    Bye,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<B> {
    pub common: Common,
    pub payload: Payload<B>,
}

impl<B> Message<B> {
    pub fn kind(&self) -> Kind {
        match self.payload {
            Payload::Hello { .. } => Kind::Hello,
            Payload::Heartbeat { .. } => Kind::Heartbeat,
            Payload::Chat { .. } => Kind::Chat,
            Payload::Hand { .. } => Kind::Hand,
            Payload::Chunk(_) => Kind::Chunk,
            Payload::Bye => Kind::Bye,
        }
    }
}

fn refuse<T>(reason: Reason, detail: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal::new(reason, detail))
}

/// Parse a whole multipart message. Frames past the fourth must not be passed in (the socket
/// reader stops buffering there); `frame_count` says how many there were.
pub fn parse_frames<B: AsRef<[u8]>>(
    frames: Vec<B>,
    frame_count: usize,
    class_code: Option<&[u8]>,
    limits: &Limits,
) -> Result<Message<B>, Refusal> {
    parse_frames_noting(frames, frame_count, class_code, limits, |_, _| {})
}

/// [`parse_frames`], handing a refusal with the message's (untrusted, unparsed) header frame to
/// `refused`: the receiver names who sends with a wrong class code without copying every header.
pub fn parse_frames_noting<B: AsRef<[u8]>>(
    mut frames: Vec<B>,
    frame_count: usize,
    class_code: Option<&[u8]>,
    limits: &Limits,
    refused: impl FnOnce(&Refusal, &[u8]),
) -> Result<Message<B>, Refusal> {
    if !(3..=4).contains(&frame_count) || frames.len() != frame_count {
        return refuse(Reason::FrameCount, format!("{frame_count} frames"));
    }
    let mac_frame = if frame_count == 4 { frames.pop() } else { None };
    let body = frames.pop().expect("3 frames");
    let header = frames.pop().expect("3 frames");
    let topic = frames.pop().expect("3 frames");
    let parsed =
        parse(topic.as_ref(), header.as_ref(), body, mac_frame.as_ref().map(|m| m.as_ref()), class_code, limits);
    if let Err(r) = &parsed {
        refused(r, header.as_ref());
    }
    parsed
}

/// Parse one message from its frames, in the check order of docs/PROTOCOL.md.
pub fn parse<B: AsRef<[u8]>>(
    topic: &[u8],
    header: &[u8],
    body: B,
    mac_frame: Option<&[u8]>,
    class_code: Option<&[u8]>,
    limits: &Limits,
) -> Result<Message<B>, Refusal> {
    let (kind, obj) = envelope(topic, header, body.as_ref(), mac_frame, class_code, limits, |k| {
        Kind::ALL.into_iter().find(|c| c.as_str().as_bytes() == k)
    })?;
    let h = Header(&obj);
    // Refusal codes are checked by category, in the order of docs/PROTOCOL.md: presence of every
    // required field first, then ids, login, file name, other fields, the body, the chunk's fit.
    let mut required = vec!["student", "login", "seq", "ts"];
    required.extend_from_slice(match kind {
        Kind::Chat => &["id"][..],
        Kind::Hand => &["raised"][..],
        Kind::Chunk => &["transfer", "kind", "name", "size", "sha256", "offset", "index", "count"][..],
        Kind::Hello | Kind::Heartbeat | Kind::Bye => &[][..],
    });
    if let Some(k) = required.iter().find(|k| !obj.contains_key(**k)) {
        return refuse(Reason::MissingField, format!("no {k:?}"));
    }
    let student = h.uuid("student")?;
    let boot = h.opt_uuid("boot")?;
    let id = match kind {
        Kind::Chat => Some(h.uuid("id")?),
        Kind::Chunk => Some(h.uuid("transfer")?),
        _ => None,
    };
    let login = h.login()?;
    let name = match kind {
        Kind::Chunk => Some(h.name()?),
        _ => None,
    };
    let common = Common { student, login, seq: h.u64("seq")?, ts: h.i64("ts")?, boot };
    let payload = match kind {
        Kind::Hello => {
            let p = Payload::Hello {
                blender: h.opt_line("blender")?,
                addon: h.opt_line("addon")?,
                host: h.opt_line("host")?,
            };
            empty_body(&body)?;
            p
        }
        Kind::Heartbeat => {
            let p = Payload::Heartbeat { file: h.opt_line("file")?, paused: h.opt_bool("paused")? };
            empty_body(&body)?;
            p
        }
        Kind::Chat => {
            let b = body.as_ref();
            if b.is_empty() || b.len() > MAX_CHAT_BYTES {
                return refuse(Reason::BadBody, format!("chat of {} bytes", b.len()));
            }
            let text = match std::str::from_utf8(b) {
                Ok(t) => t.to_owned(),
                Err(_) => return refuse(Reason::BadBody, "chat is not UTF-8"),
            };
            Payload::Chat { id: id.expect("chat id"), text }
        }
        Kind::Hand => {
            let raised = h.bool("raised")?;
            empty_body(&body)?;
            Payload::Hand { raised }
        }
        Kind::Bye => {
            empty_body(&body)?;
            Payload::Bye
        }
        Kind::Chunk => Payload::Chunk(parse_chunk(&h, id.expect("transfer"), name.expect("name"), body)?),
    };
    Ok(Message { common, payload })
}

/// The checks every message shares, in the order of docs/PROTOCOL.md: topic (`find` names the
/// kinds this socket accepts), header size, MAC, JSON object.
fn envelope<K>(
    topic: &[u8],
    header: &[u8],
    body: &[u8],
    mac_frame: Option<&[u8]>,
    class_code: Option<&[u8]>,
    limits: &Limits,
    find: impl Fn(&[u8]) -> Option<K>,
) -> Result<(K, Map<String, Value>), Refusal> {
    let Some(rest) = topic.strip_prefix(TOPIC_PREFIX) else {
        return refuse(Reason::BadTopic, "topic lacks the pracownia/1/ prefix");
    };
    if !rest.is_ascii() || rest.is_empty() {
        return refuse(Reason::BadTopic, "topic kind is empty or not ASCII");
    }
    let kind =
        find(rest).ok_or_else(|| Refusal::new(Reason::UnknownKind, String::from_utf8_lossy(rest).into_owned()))?;
    if header.len() > limits.max_header {
        return refuse(Reason::HeaderTooLarge, format!("{} bytes", header.len()));
    }
    if let Some(key) = class_code {
        match mac_frame {
            None => return refuse(Reason::BadMac, "no MAC frame"),
            Some(m) if !verify_mac(key, topic, header, body, m) => return refuse(Reason::BadMac, "MAC does not match"),
            Some(_) => {}
        }
    }
    match serde_json::from_slice::<Value>(header) {
        Ok(Value::Object(o)) => Ok((kind, o)),
        Ok(_) => refuse(Reason::BadJson, "header is not a JSON object"),
        Err(e) => refuse(Reason::BadJson, e.to_string()),
    }
}

/// A message's kind, header object and body.
type Parts<'f, K> = (K, Map<String, Value>, &'f [u8]);

/// Frame count and [`envelope`] for frames kept in a slice (the return path's sockets).
fn parse_frame_parts<'f, B: AsRef<[u8]>, K>(
    frames: &'f [B],
    frame_count: usize,
    class_code: Option<&[u8]>,
    limits: &Limits,
    find: impl Fn(&[u8]) -> Option<K>,
) -> Result<Parts<'f, K>, Refusal> {
    if !(3..=4).contains(&frame_count) || frames.len() != frame_count {
        return refuse(Reason::FrameCount, format!("{frame_count} frames"));
    }
    let body = frames[2].as_ref();
    let mac_frame = frames.get(3).map(|m| m.as_ref());
    let (kind, obj) = envelope(frames[0].as_ref(), frames[1].as_ref(), body, mac_frame, class_code, limits, find)?;
    Ok((kind, obj, body))
}

fn empty_body<B: AsRef<[u8]>>(body: &B) -> Result<(), Refusal> {
    match body.as_ref().len() {
        0 => Ok(()),
        n => refuse(Reason::BadBody, format!("{n} bytes where no body is allowed")),
    }
}

fn parse_chunk<B: AsRef<[u8]>>(h: &Header, transfer: Uuid, name: String, body: B) -> Result<Chunk<B>, Refusal> {
    let kind = match h.str("kind")? {
        "screenshot" => FileKind::Screenshot,
        "blend" => FileKind::Blend,
        other => return refuse(Reason::BadField, format!("unknown file kind {other:?}")),
    };
    let size = h.u64("size")?;
    let sha = h.str("sha256")?;
    if sha.len() != 64 || !sha.bytes().all(|c| c.is_ascii_hexdigit()) {
        return refuse(Reason::BadField, "sha256 is not 64 hex digits");
    }
    let offset = h.u64("offset")?;
    let index = h.u64("index")?;
    let count = h.u64("count")?;
    let len = body.as_ref().len() as u64;
    let problem = if size == 0 {
        Some("size is 0")
    } else if count == 0 {
        Some("count is 0")
    } else if index >= count {
        Some("index is not below count")
    } else if len == 0 {
        Some("empty body")
    } else if offset.checked_add(len).is_none_or(|end| end > size) {
        Some("body goes past the file size")
    } else {
        None
    };
    if let Some(p) = problem {
        return refuse(Reason::BadChunk, p);
    }
    Ok(Chunk { transfer, kind, name, size, sha256: sha.to_ascii_lowercase(), offset, index, count, body })
}

/// Encode a message as its frames (compact JSON header; a MAC frame when a class code is set).
pub fn encode(kind: Kind, header: &Value, body: &[u8], class_code: Option<&[u8]>) -> Vec<Vec<u8>> {
    encode_topic(kind.topic(), header, body, class_code)
}

fn encode_topic(topic: Vec<u8>, header: &Value, body: &[u8], class_code: Option<&[u8]>) -> Vec<Vec<u8>> {
    let header = serde_json::to_vec(header).expect("a JSON value serialises");
    let mut frames = vec![topic, header, body.to_vec()];
    if let Some(key) = class_code {
        let m = mac(key, &frames[0], &frames[1], &frames[2]);
        frames.push(m.to_vec());
    }
    frames
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod return_tests;
