use super::*;
use serde_json::json;
use std::path::PathBuf;

fn vectors(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors").join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

fn frames_of(case: &Value) -> Vec<Vec<u8>> {
    case["frames_hex"].as_array().unwrap().iter().map(|f| hex::decode(f.as_str().unwrap()).unwrap()).collect()
}

fn code_of(case: &Value) -> Option<Vec<u8>> {
    case["class_code"].as_str().map(|s| s.as_bytes().to_vec())
}

#[test]
fn valid_vectors_parse_to_their_headers() {
    let v = vectors("frames.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 12);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let frames = frames_of(case);
        let n = frames.len();
        let code = code_of(case);
        let msg = parse_frames(frames.clone(), n, code.as_deref(), &Limits::default())
            .unwrap_or_else(|r| panic!("{name}: refused {r}"));
        let h = &case["header"];
        assert_eq!(msg.common.student.to_string(), h["student"].as_str().unwrap().to_lowercase(), "{name}");
        assert_eq!(msg.common.login, h["login"].as_str().unwrap(), "{name}");
        assert_eq!(msg.common.seq, h["seq"].as_u64().unwrap(), "{name}");
        assert_eq!(msg.common.ts, h["ts"].as_i64().unwrap(), "{name}");
        assert_eq!(msg.common.boot.map(|b| b.to_string()).as_deref(), h["boot"].as_str(), "{name}");
        assert_eq!(format!("pracownia/1/{}", msg.kind().as_str()).as_bytes(), &frames[0][..], "{name}");
        match &msg.payload {
            Payload::Chat { id, text } => {
                assert_eq!(id.to_string(), h["id"].as_str().unwrap(), "{name}");
                assert_eq!(text.as_bytes(), &frames[2][..], "{name}");
            }
            Payload::Chunk(c) => {
                assert_eq!(c.size, h["size"].as_u64().unwrap());
                assert_eq!(c.offset, h["offset"].as_u64().unwrap());
                assert_eq!(c.sha256, h["sha256"].as_str().unwrap().to_lowercase());
                assert_eq!(c.body, frames[2]);
            }
            Payload::Hand { raised } => assert_eq!(*raised, h["raised"].as_bool().unwrap()),
            Payload::Hello { seat, .. } => {
                assert_eq!(seat.map(|s| s.to_string()), h["seat"].as_str().map(str::to_lowercase), "{name}")
            }
            Payload::Heartbeat { file, paused } => {
                assert_eq!(file.as_deref(), h["file"].as_str(), "{name}");
                assert_eq!(*paused, h["paused"].as_bool(), "{name}");
            }
            _ => {}
        }
        // Our encoder must produce the very same bytes (the header is compact JSON).
        let header: Value = serde_json::from_slice(&frames[1]).unwrap();
        let again = encode(msg.kind(), &header, &frames[2], code.as_deref());
        assert_eq!(&again[..3], &frames[..3], "{name}");
        if let Some(code) = &code {
            assert_eq!(again[3], mac(code, &frames[0], &frames[1], &frames[2]).to_vec(), "{name}");
            assert_eq!(frames[3], mac(code, &frames[0], &frames[1], &frames[2]).to_vec(), "{name}: vector MAC");
        }
    }
}

#[test]
fn invalid_vectors_are_refused_for_their_reason() {
    let v = vectors("invalid.json");
    let cases = v["cases"].as_array().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let want = Reason::from_code(case["reason"].as_str().unwrap()).unwrap();
        let frames = frames_of(case);
        let n = frames.len();
        let kept: Vec<Vec<u8>> = frames.into_iter().take(4).collect();
        let got = parse_frames(kept, n, code_of(case).as_deref(), &Limits::default());
        match got {
            Err(r) => assert_eq!(r.reason, want, "{name}: {}", r.detail),
            Ok(m) => panic!("{name}: accepted {m:?}"),
        }
        seen.insert(want);
    }
    assert_eq!(seen.len(), 14, "every message-level reason has a vector: {seen:?}");
}

fn hdr(extra: Value) -> Value {
    let mut h = json!({"student": "6f1c2a8e-0d5b-4c57-9a34-1b2c3d4e5f60", "login": "anna", "seq": 1, "ts": 1_764_000_000_000i64});
    for (k, v) in extra.as_object().unwrap() {
        h[k] = v.clone();
    }
    h
}

#[test]
fn four_frames_without_a_class_code_are_accepted() {
    let f = encode(Kind::Bye, &hdr(json!({})), b"", Some(b"whatever"));
    assert!(parse_frames(f, 4, None, &Limits::default()).is_ok());
}

#[test]
fn header_limit_is_configurable() {
    let limits = Limits { max_header: 64, ..Limits::default() };
    let f = encode(Kind::Hello, &hdr(json!({"host": "x".repeat(100)})), b"", None);
    assert_eq!(parse_frames(f, 3, None, &limits).unwrap_err().reason, Reason::HeaderTooLarge);
}

#[test]
fn chunk_offsets_near_u64_max_do_not_overflow() {
    let h = hdr(json!({"transfer": "0b9e7c1e-6a43-4f1d-8f63-9a0c1b2d3e4f", "kind": "blend", "name": "a.blend",
        "size": u64::MAX, "sha256": "0".repeat(64), "offset": u64::MAX - 1, "index": 0, "count": 1}));
    let f = encode(Kind::Chunk, &h, b"abc", None);
    assert_eq!(parse_frames(f, 3, None, &Limits::default()).unwrap_err().reason, Reason::BadChunk);
}

#[test]
fn mac_with_wrong_code_is_refused() {
    let f = encode(Kind::Bye, &hdr(json!({})), b"", Some(b"right"));
    assert_eq!(parse_frames(f.clone(), 4, Some(b"wrong"), &Limits::default()).unwrap_err().reason, Reason::BadMac);
    assert!(parse_frames(f, 4, Some(b"right"), &Limits::default()).is_ok());
}

#[test]
fn reserved_windows_names_follow_the_shared_vectors() {
    let v = vectors("reserved.json");
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let want = case["reserved"].as_bool().unwrap();
        assert_eq!(crate::protocol::is_reserved_windows_name(name), want, "{name:?}");
        // Store folders use the same rule: no login becomes a reserved folder name.
        let folder = crate::store::sanitize::sanitize_login(name);
        assert!(!crate::protocol::is_reserved_windows_name(&folder), "{name:?} -> {folder:?}");
    }
}
