//! `EntryBody` to the `events` table's nullable columns and back: the one place that knows which
//! column holds which field of which kind (the writer and every query use it).

use crate::model::{AnswerStatus, Delivery, EntryBody, FileEntry, FileKind, LecturerMessage, TimelineKind};
use uuid::Uuid;

/// The kind-dependent columns of an `events` row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    pub chat_id: Option<Uuid>,
    pub text: Option<String>,
    pub raised: Option<bool>,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub path: Option<String>,
    pub thumb: Option<String>,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub name: Option<String>,
    pub transfer: Option<Uuid>,
    pub file_kind: Option<FileKind>,
    pub received: Option<u64>,
    pub msg_state: Option<Delivery>,
    pub answer: Option<AnswerStatus>,
}

impl Columns {
    pub fn of(body: &EntryBody) -> Columns {
        let mut c = Columns::default();
        match body.clone() {
            EntryBody::Join => {}
            EntryBody::Leave { reason } => c.reason = reason,
            EntryBody::Chat { text, message } => {
                c.text = text;
                c.chat_id = message;
            }
            EntryBody::Hand { raised } => c.raised = raised,
            EntryBody::Screenshot(f) | EntryBody::Blend(f) => {
                c.path = Some(f.path);
                c.thumb = f.thumb;
                c.size = f.size;
                c.sha256 = f.sha256;
                c.name = f.name;
                c.transfer = f.transfer;
            }
            EntryBody::Incomplete { transfer, file_kind, name, received, size } => {
                c.transfer = transfer;
                c.file_kind = file_kind;
                c.name = name;
                c.received = received;
                c.size = size;
            }
            EntryBody::Rejected { reason, detail, transfer } => {
                c.reason = reason;
                c.detail = detail;
                c.transfer = transfer;
            }
            EntryBody::Reply(m) | EntryBody::Broadcast(m) | EntryBody::HandAck(m) | EntryBody::HandLowered(m) => {
                c.chat_id = Some(m.message);
                c.msg_state = Some(m.delivery);
                c.text = m.text;
            }
            EntryBody::Request { message, delivery, text, file_kind, answer, detail } => {
                c.chat_id = Some(message);
                c.msg_state = Some(delivery);
                c.text = text;
                c.file_kind = file_kind;
                c.answer = answer;
                c.detail = detail;
            }
            EntryBody::LoginChanged { text, detail } => {
                c.text = text;
                c.detail = detail;
            }
        }
        c
    }

    /// The body of a row of `kind`; None when a column its kind needs is empty (never written so).
    pub fn into_body(self, kind: TimelineKind) -> Option<EntryBody> {
        let c = self;
        let message = |c: &Columns| -> Option<LecturerMessage> {
            Some(LecturerMessage {
                message: c.chat_id?,
                delivery: c.msg_state.unwrap_or(Delivery::Queued),
                text: c.text.clone(),
            })
        };
        let file = |c: Columns| -> Option<FileEntry> {
            Some(FileEntry {
                path: c.path?,
                thumb: c.thumb,
                size: c.size,
                sha256: c.sha256,
                name: c.name,
                transfer: c.transfer,
            })
        };
        Some(match kind {
            TimelineKind::Join => EntryBody::Join,
            TimelineKind::Leave => EntryBody::Leave { reason: c.reason },
            TimelineKind::Chat => EntryBody::Chat { text: c.text, message: c.chat_id },
            TimelineKind::Hand => EntryBody::Hand { raised: c.raised },
            TimelineKind::Screenshot => EntryBody::Screenshot(file(c)?),
            TimelineKind::Blend => EntryBody::Blend(file(c)?),
            TimelineKind::Incomplete => EntryBody::Incomplete {
                transfer: c.transfer,
                file_kind: c.file_kind,
                name: c.name,
                received: c.received,
                size: c.size,
            },
            TimelineKind::Rejected => EntryBody::Rejected { reason: c.reason, detail: c.detail, transfer: c.transfer },
            TimelineKind::Reply => EntryBody::Reply(message(&c)?),
            TimelineKind::Broadcast => EntryBody::Broadcast(message(&c)?),
            TimelineKind::HandAck => EntryBody::HandAck(message(&c)?),
            TimelineKind::HandLowered => EntryBody::HandLowered(message(&c)?),
            TimelineKind::Request => EntryBody::Request {
                message: c.chat_id?,
                delivery: c.msg_state.unwrap_or(Delivery::Queued),
                text: c.text,
                file_kind: c.file_kind,
                answer: c.answer,
                detail: c.detail,
            },
            TimelineKind::LoginChanged => EntryBody::LoginChanged { text: c.text, detail: c.detail },
            // Journal-only kinds are never rows.
            TimelineKind::Delivered | TimelineKind::Read | TimelineKind::Answer => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_the_columns() {
        let id = Uuid::from_u128(7);
        let f = FileEntry {
            path: "a/screenshots/x.png".into(),
            thumb: Some("a/screenshots/thumbs/x.jpg".into()),
            size: Some(3),
            sha256: Some("ab".into()),
            name: Some("x.png".into()),
            transfer: Some(id),
        };
        let m = LecturerMessage { message: id, delivery: Delivery::Read, text: Some("hi".into()) };
        let bodies = [
            EntryBody::Join,
            EntryBody::Leave { reason: Some("bye".into()) },
            EntryBody::Chat { text: Some("t".into()), message: Some(id) },
            EntryBody::Hand { raised: Some(false) },
            EntryBody::Screenshot(f.clone()),
            EntryBody::Blend(FileEntry { thumb: None, transfer: None, ..f }),
            EntryBody::Incomplete {
                transfer: Some(id),
                file_kind: Some(FileKind::Blend),
                name: Some("n".into()),
                received: Some(1),
                size: Some(2),
            },
            EntryBody::Rejected { reason: Some("bad_file".into()), detail: Some("d".into()), transfer: None },
            EntryBody::Reply(m.clone()),
            EntryBody::Broadcast(m.clone()),
            EntryBody::HandAck(LecturerMessage { text: None, ..m.clone() }),
            EntryBody::HandLowered(m),
            EntryBody::Request {
                message: id,
                delivery: Delivery::Delivered,
                text: None,
                file_kind: Some(FileKind::Screenshot),
                answer: Some(AnswerStatus::Paused),
                detail: Some("why".into()),
            },
            EntryBody::LoginChanged { text: Some("ola".into()), detail: None },
        ];
        for b in bodies {
            assert_eq!(Columns::of(&b).into_body(b.kind()), Some(b.clone()), "{b:?}");
        }
        assert_eq!(Columns::default().into_body(TimelineKind::Screenshot), None, "a file row needs its path");
        assert_eq!(Columns::default().into_body(TimelineKind::Reply), None, "a message row needs its id");
    }
}
