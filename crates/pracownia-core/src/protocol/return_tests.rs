//! Protocol 1.1 against tests/vectors/return.json.

use super::*;
use crate::model::{FileKind, HandState};
use std::path::PathBuf;

fn vectors() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/return.json");
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn frames_of(case: &Value) -> Vec<Vec<u8>> {
    case["frames_hex"].as_array().unwrap().iter().map(|f| hex::decode(f.as_str().unwrap()).unwrap()).collect()
}

fn code_of(case: &Value) -> Option<Vec<u8>> {
    case["class_code"].as_str().map(|s| s.as_bytes().to_vec())
}

fn uuids(v: &Value) -> Vec<Uuid> {
    v.as_array().unwrap().iter().map(|u| u.as_str().unwrap().parse().unwrap()).collect()
}

#[test]
fn student_return_vectors_parse() {
    let v = vectors();
    let cases = v["student_to_lecturer"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let frames = frames_of(case);
        let code = code_of(case);
        let m = parse_return_frames(&frames, frames.len(), code.as_deref(), &Limits::default())
            .unwrap_or_else(|r| panic!("{name}: refused {r}"));
        let h = &case["header"];
        assert_eq!(m.common.student.to_string(), h["student"].as_str().unwrap(), "{name}");
        assert_eq!(m.common.seq, h["seq"].as_u64().unwrap(), "{name}");
        assert_eq!(m.kind().topic(), frames[0], "{name}");
        match &m.payload {
            ReturnPayload::Register { addon } => assert_eq!(addon.as_deref(), h["addon"].as_str(), "{name}"),
            ReturnPayload::Ack { ids } | ReturnPayload::Read { ids } => assert_eq!(ids, &uuids(&h["ids"]), "{name}"),
            ReturnPayload::Answer { id, status, text } => {
                assert_eq!(id.to_string(), h["id"].as_str().unwrap());
                assert_eq!(status.as_str(), h["status"].as_str().unwrap());
                assert_eq!(text.as_deref(), h["text"].as_str());
            }
        }
        // Our encoder gives the very same bytes (tests and simulated students use it).
        let header: Value = serde_json::from_slice(&frames[1]).unwrap();
        assert_eq!(encode_return(m.kind(), &header, code.as_deref()), frames, "{name}");
        // A receiver with a class code refuses the unsigned form.
        if code.is_some() {
            let r = parse_return_frames(&frames[..3], 3, code.as_deref(), &Limits::default()).unwrap_err();
            assert_eq!(r.reason, Reason::BadMac, "{name}");
        }
    }
}

#[test]
fn lecturer_vectors_are_what_we_encode() {
    let v = vectors();
    let cases = v["lecturer_to_student"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let frames = frames_of(case);
        let code = code_of(case);
        let m = parse_lecturer_frames(&frames, code.as_deref(), &Limits::default())
            .unwrap_or_else(|r| panic!("{name}: refused {r}"));
        let h = &case["header"];
        assert_eq!(m.student.to_string(), h["student"].as_str().unwrap(), "{name}");
        assert_eq!(m.seq, h["seq"].as_u64().unwrap(), "{name}");
        assert_eq!(m.ts, h["ts"].as_i64().unwrap(), "{name}");
        match &m.payload {
            LecturerPayload::Welcome => assert_eq!(h["protocol"], "1.1"),
            LecturerPayload::Reply { text, .. } | LecturerPayload::Broadcast { text, .. } => {
                assert_eq!(text.as_bytes(), &frames[2][..], "{name}")
            }
            LecturerPayload::Request { what, .. } => assert!(matches!(what, FileKind::Screenshot | FileKind::Blend)),
            LecturerPayload::Hand { state, .. } => {
                assert_eq!(h["state"].as_str().unwrap(), state.as_str(), "{name}");
                let _ = HandState::Lowered;
            }
            LecturerPayload::Receipt { stored, read } => {
                assert_eq!(stored, &uuids(&h["stored"]));
                assert_eq!(read, &uuids(&h["read"]));
            }
        }
        if let Some(id) = m.payload.id() {
            assert_eq!(id.to_string(), h["id"].as_str().unwrap(), "{name}");
        }
        assert_eq!(encode_lecturer(&m, code.as_deref()), frames, "{name}: the receiver's bytes");
        if let Some(c) = &code {
            let wrong = parse_lecturer_frames(&frames[..3], Some(c), &Limits::default()).unwrap_err();
            assert_eq!(wrong.reason, Reason::BadMac, "{name}: an add-on with a code ignores unsigned ones");
        }
    }
}

#[test]
fn invalid_return_vectors_are_refused_for_their_reason() {
    let v = vectors();
    for case in v["invalid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let want = Reason::from_code(case["reason"].as_str().unwrap()).unwrap();
        let frames = frames_of(case);
        let code = code_of(case);
        let got = match case["direction"].as_str().unwrap() {
            "student" => parse_return_frames(&frames, frames.len(), code.as_deref(), &Limits::default()).map(|_| ()),
            _ => parse_lecturer_frames(&frames, code.as_deref(), &Limits::default()).map(|_| ()),
        };
        match got {
            Err(r) => assert_eq!(r.reason, want, "{name}: {}", r.detail),
            Ok(()) => panic!("{name}: accepted"),
        }
    }
}

#[test]
fn unregistered_is_a_stable_code() {
    assert_eq!(Reason::Unregistered.code(), "unregistered");
    assert_eq!(Reason::from_code("unregistered"), Some(Reason::Unregistered));
}
