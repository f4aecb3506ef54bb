//! Writes the seed corpus of the cargo-fuzz targets (`fuzz/corpus/message`, `fuzz/corpus/image`):
//! a few valid messages of every kind, files sent in chunks, some refusals, and small PNG and
//! JPEG screenshots. Run from the repository's root:
//!
//! ```text
//! cargo run -p pracownia-core --example fuzz_corpus -- fuzz/corpus
//! ```
//!
//! The message format is `pracownia_core::receiver::fuzzing::run_message_input`'s.

use pracownia_core::protocol::Kind;
use pracownia_core::receiver::fuzzing::{BODY_SHA256, FRAME_SEPARATOR, MESSAGE_SEPARATOR};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

const STUDENT: &str = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const OTHER: &str = "0b9e8d7c-6a5b-4c3d-9e2f-1a0b9c8d7e6f";
const BOOT: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const SEAT: &str = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716";

/// One message in the fuzz format: topic, compact header, body.
fn msg(topic: &[u8], header: &Value, body: &[u8]) -> Vec<u8> {
    let header = serde_json::to_vec(header).unwrap();
    [topic, FRAME_SEPARATOR, &header, FRAME_SEPARATOR, body].concat()
}

fn common(student: &str, login: &str, seq: u64) -> serde_json::Map<String, Value> {
    let v =
        json!({"student": student, "login": login, "seq": seq, "ts": 1_764_000_000_000i64 + seq as i64, "boot": BOOT});
    v.as_object().unwrap().clone()
}

fn with(mut m: serde_json::Map<String, Value>, extra: Value) -> Value {
    m.extend(extra.as_object().unwrap().clone());
    Value::Object(m)
}

fn kind(k: Kind, student: &str, login: &str, seq: u64, extra: Value, body: &[u8]) -> Vec<u8> {
    msg(&k.topic(), &with(common(student, login, seq), extra), body)
}

/// A file cut into chunks of `chunk` bytes, with its real digest (or the placeholder), sent in
/// `order` (chunk indices; `!i` is chunk `i` with its last byte changed), `seq`
/// counting up from `seq` in the order sent.
#[allow(clippy::too_many_arguments)]
fn chunks(
    student: &str,
    seq: u64,
    transfer: &str,
    file_kind: &str,
    name: &str,
    data: &[u8],
    chunk: usize,
    placeholder: bool,
    order: Option<&[i64]>,
) -> Vec<Vec<u8>> {
    let sha =
        if placeholder { String::from_utf8(BODY_SHA256.to_vec()).unwrap() } else { hex::encode(Sha256::digest(data)) };
    let count = data.len().div_ceil(chunk);
    let in_order: Vec<i64> = (0..count as i64).collect();
    order
        .unwrap_or(&in_order)
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let at = if i < 0 { !i } else { i } as usize;
            let mut body = data[at * chunk..((at + 1) * chunk).min(data.len())].to_vec();
            if i < 0 {
                *body.last_mut().unwrap() ^= 1;
            }
            kind(
                Kind::Chunk,
                student,
                "anna",
                seq + n as u64,
                json!({"transfer": transfer, "kind": file_kind, "name": name, "size": data.len(), "sha256": sha,
                       "offset": at * chunk, "index": at, "count": count}),
                &body,
            )
        })
        .collect()
}

fn png(w: u32, h: u32, color: image::ColorType) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x * 7) as u8, (y * 5) as u8, 128, 200]));
    let img = image::DynamicImage::ImageRgba8(img);
    let img = match color {
        image::ColorType::L8 => image::DynamicImage::ImageLuma8(img.to_luma8()),
        image::ColorType::Rgb8 => image::DynamicImage::ImageRgb8(img.to_rgb8()),
        image::ColorType::Rgb16 => image::DynamicImage::ImageRgb16(img.to_rgb16()),
        _ => img,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn jpeg(w: u32, h: u32, gray: bool) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 3) as u8, (y * 9) as u8, 60]));
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75);
    if gray {
        enc.encode_image(&image::DynamicImage::ImageRgb8(img).to_luma8()).unwrap();
    } else {
        enc.encode_image(&img).unwrap();
    }
    out
}

/// A PNG with a tEXt chunk after IHDR (metadata the probe counts).
fn png_with_text(w: u32, h: u32) -> Vec<u8> {
    let p = png(w, h, image::ColorType::Rgb8);
    let data = b"Comment\0made for the fuzz corpus";
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"tEXt");
    chunk.extend_from_slice(data);
    let crc = crc32fast::hash(&[&b"tEXt"[..], data].concat());
    chunk.extend_from_slice(&crc.to_be_bytes());
    let at = 8 + 25; // signature, IHDR
    [&p[..at], &chunk, &p[at..]].concat()
}

fn join(msgs: &[Vec<u8>]) -> Vec<u8> {
    msgs.join(MESSAGE_SEPARATOR)
}

fn main() {
    let out = std::env::args().nth(1).expect("usage: fuzz_corpus DIR (e.g. fuzz/corpus)");
    let (mdir, idir) = (Path::new(&out).join("message"), Path::new(&out).join("image"));
    std::fs::create_dir_all(&mdir).unwrap();
    std::fs::create_dir_all(&idir).unwrap();
    let write = |dir: &Path, name: &str, flags: Option<u8>, bytes: Vec<u8>| {
        let bytes = match flags {
            Some(f) => [vec![f], bytes].concat(),
            None => bytes,
        };
        std::fs::write(dir.join(name), bytes).unwrap();
    };

    let session = |student: &str, login: &str| {
        join(&[
            kind(
                Kind::Hello,
                student,
                login,
                1,
                json!({"blender": "4.2.0", "addon": "0.1.0", "host": "lab-12", "seat": SEAT}),
                b"",
            ),
            kind(Kind::Heartbeat, student, login, 2, json!({"file": "scene.blend", "paused": false}), b""),
            kind(
                Kind::Chat,
                student,
                login,
                3,
                json!({"id": "11111111-2222-4333-8444-555555555555"}),
                "Dzień dobry, mam pytanie".as_bytes(),
            ),
            kind(Kind::Hand, student, login, 4, json!({"raised": true}), b""),
            kind(Kind::Heartbeat, student, login, 5, json!({"paused": true}), b""),
            kind(Kind::Hand, student, login, 6, json!({"raised": false}), b""),
            kind(Kind::Bye, student, login, 7, json!({}), b""),
        ])
    };
    write(&mdir, "session_plain", Some(0), session(STUDENT, "anna"));
    write(&mdir, "session_class_code", Some(1), session(STUDENT, "Łukasz Żółw"));

    // A PNG screenshot in three chunks, the last first and one twice, real digest.
    let shot = png(64, 48, image::ColorType::Rgba8);
    let (t, n) = ("22222222-3333-4444-8555-666666666666", shot.len() / 3 + 1);
    let c = chunks(STUDENT, 10, t, "screenshot", "shot.png", &shot, n, false, Some(&[2, 0, 0, 1]));
    let hello = kind(Kind::Hello, STUDENT, "anna", 1, json!({}), b"");
    write(&mdir, "png_in_chunks", Some(1), join(&[vec![hello.clone()], c].concat()));

    // One-chunk files with the digest placeholder: a JPEG, a blend, a file that is not a blend.
    let (t, shot) = ("33333333-4444-4555-8666-777777777777", jpeg(40, 30, false));
    let j = chunks(STUDENT, 2, t, "screenshot", "shot.jpg", &shot, 1 << 20, true, None);
    write(&mdir, "jpeg_one_chunk", Some(0), join(&[vec![hello.clone()], j].concat()));
    let (t, data) = ("44444444-5555-4666-8777-888888888888", b"BLENDER-v405REND\0\0\0\0fuzz");
    let b = chunks(STUDENT, 2, t, "blend", "scene.blend", data, 1 << 20, true, None);
    let (t, data) = ("55555555-6666-4777-8888-999999999999", b"#!/bin/sh\necho hi\n");
    let nb = chunks(STUDENT, 3, t, "blend", "evil.blend", data, 1 << 20, true, None);
    write(&mdir, "blend_and_not_a_blend", Some(0), join(&[vec![hello.clone()], b, nb].concat()));

    // A transfer that never completes (incomplete at shutdown), a conflicting chunk, a corrupt file.
    let (t, data) = ("66666666-7777-4888-8999-aaaaaaaaaaaa", vec![7u8; 3000]);
    let open = chunks(STUDENT, 2, t, "blend", "big.blend", &data, 1000, false, Some(&[0, 2]));
    let (t, data) = ("77777777-8888-4999-8aaa-bbbbbbbbbbbb", b"BLENDER-v405 conflicting");
    let conflict = chunks(STUDENT, 4, t, "blend", "c.blend", data, 10, false, Some(&[1, !1, 0]));
    let (t, data) = ("88888888-9999-4aaa-8bbb-cccccccccccc", b"BLENDER-v405");
    let corrupt = chunks(STUDENT, 9, t, "blend", "d.blend", data, 100, false, Some(&[!0]));
    write(
        &mdir,
        "incomplete_conflict_corrupt",
        Some(0),
        join(&[vec![hello.clone()], open, conflict, corrupt].concat()),
    );

    // Identity: one wire id with two logins, then the same login from another wire id.
    write(
        &mdir,
        "identity",
        Some(0),
        join(&[
            kind(Kind::Hello, STUDENT, "anna", 1, json!({"host": "lab-01"}), b""),
            kind(Kind::Hello, STUDENT, "bartek", 2, json!({"host": "lab-01"}), b""),
            kind(Kind::Hello, OTHER, "anna", 1, json!({"host": "lab-02"}), b""),
            kind(Kind::Chat, OTHER, "anna", 2, json!({"id": "99999999-aaaa-4bbb-8ccc-dddddddddddd"}), b"hi"),
        ]),
    );

    // Refusals: a wrong MAC (a 4th frame of zeros), 5 frames, an unknown kind, bad JSON,
    // a bad login, a replay, a chunk past its size.
    let mut refusals = vec![
        [kind(Kind::Hello, STUDENT, "anna", 1, json!({}), b""), FRAME_SEPARATOR.to_vec(), vec![0u8; 32]].concat(),
        [&b"pracownia/1/hello"[..], FRAME_SEPARATOR, b"{}", FRAME_SEPARATOR, FRAME_SEPARATOR, FRAME_SEPARATOR].concat(),
        msg(b"pracownia/1/shout", &json!({}), b""),
        [&b"pracownia/1/chat"[..], FRAME_SEPARATOR, b"{\"student\":", FRAME_SEPARATOR, b"x"].concat(),
        kind(Kind::Hello, STUDENT, "../../etc", 2, json!({}), b""),
        kind(Kind::Hello, STUDENT, "an\u{200b}na", 3, json!({}), b""),
        kind(Kind::Hand, STUDENT, "anna", 1, json!({"raised": true}), b""),
    ];
    let mut past = chunks(
        STUDENT,
        5,
        "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "screenshot",
        "x.png",
        b"0123456789",
        10,
        false,
        None,
    );
    let n = past[0].len();
    past[0].truncate(n - 10);
    past[0].extend_from_slice(b"0123456789ABC");
    refusals.extend(past);
    write(&mdir, "refusals", Some(0), join(&refusals));
    write(&mdir, "refusals_class_code", Some(1), join(&refusals));

    // Images.
    write(&idir, "png_rgba", None, png(32, 24, image::ColorType::Rgba8));
    write(&idir, "png_gray", None, png(17, 9, image::ColorType::L8));
    write(&idir, "png_rgb16", None, png(8, 8, image::ColorType::Rgb16));
    write(&idir, "png_text", None, png_with_text(16, 16));
    write(&idir, "jpeg_rgb", None, jpeg(40, 30, false));
    write(&idir, "jpeg_gray", None, jpeg(23, 11, true));
    write(&idir, "blend", None, b"BLENDER-v405REND".to_vec());
}
