//! Files on their way out of one seat, sent a chunk at a time with screenshots before blends, as
//! the add-on does: a student's screenshot must not wait behind their own 50 MiB .blend (both
//! share one in-order connection). Chunks of different transfers may interleave (PROTOCOL.md).

use pracownia_core::model::FileKind;
use serde_json::{json, Value};
use uuid::Uuid;

/// Where a file's bytes come from, a chunk at a time.
pub trait ChunkSource {
    /// Bytes `[at, at + buf.len())` of the file.
    fn fill(&self, at: u64, buf: &mut [u8]);
}

impl ChunkSource for Vec<u8> {
    fn fill(&self, at: u64, buf: &mut [u8]) {
        buf.copy_from_slice(&self[at as usize..at as usize + buf.len()]);
    }
}

impl ChunkSource for &[u8] {
    fn fill(&self, at: u64, buf: &mut [u8]) {
        buf.copy_from_slice(&self[at as usize..at as usize + buf.len()]);
    }
}

/// One file being sent.
pub struct Outgoing<S> {
    pub transfer: Uuid,
    pub kind: FileKind,
    pub name: String,
    pub size: u64,
    pub sha256: String,
    pub chunk_size: usize,
    /// Index of the next chunk to send.
    pub next: u64,
    pub source: S,
}

impl<S> Outgoing<S> {
    pub fn new(kind: FileKind, name: &str, size: u64, sha256: String, chunk_size: usize, source: S) -> Self {
        Outgoing { transfer: Uuid::new_v4(), kind, name: name.into(), size, sha256, chunk_size, next: 0, source }
    }

    pub fn count(&self) -> u64 {
        self.size.div_ceil(self.chunk_size as u64)
    }
}

/// The next chunk: which file (by transfer id), where, and the header fields a chunk carries.
#[derive(Debug, Clone)]
pub struct NextChunk {
    pub transfer: Uuid,
    pub offset: u64,
    pub len: usize,
    pub fields: Value,
}

pub struct Outbox<S> {
    files: Vec<Outgoing<S>>,
}

impl<S> Default for Outbox<S> {
    fn default() -> Self {
        Outbox { files: Vec::new() }
    }
}

impl<S: ChunkSource> Outbox<S> {
    pub fn push(&mut self, f: Outgoing<S>) {
        self.files.push(f);
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// The file whose chunk goes next: the oldest screenshot, else the oldest file.
    fn current(&self) -> Option<usize> {
        let shot = self.files.iter().position(|f| f.kind == FileKind::Screenshot);
        shot.or(if self.files.is_empty() { None } else { Some(0) })
    }

    pub fn peek(&self) -> Option<NextChunk> {
        let f = &self.files[self.current()?];
        let offset = f.next * f.chunk_size as u64;
        let len = (f.chunk_size as u64).min(f.size - offset) as usize;
        let fields = json!({"transfer": f.transfer, "kind": f.kind.as_str(), "name": f.name, "size": f.size,
            "sha256": f.sha256, "offset": offset, "index": f.next, "count": f.count()});
        Some(NextChunk { transfer: f.transfer, offset, len, fields })
    }

    /// Fill `buf` (resized to the chunk's length) with the bytes of `c`.
    pub fn fill(&self, c: &NextChunk, buf: &mut Vec<u8>) {
        buf.resize(c.len, 0);
        if let Some(f) = self.files.iter().find(|f| f.transfer == c.transfer) {
            f.source.fill(c.offset, buf);
        }
    }

    /// `c` went out; the file comes back once that was its last chunk.
    pub fn sent(&mut self, c: &NextChunk) -> Option<Outgoing<S>> {
        let i = self.files.iter().position(|f| f.transfer == c.transfer)?;
        let f = &mut self.files[i];
        f.next += 1;
        (f.next >= f.count()).then(|| self.files.remove(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(kind: FileKind, size: u64) -> Outgoing<Vec<u8>> {
        let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        Outgoing::new(kind, "f", size, String::new(), 4, bytes)
    }

    /// A screenshot queued while a blend is half sent goes out whole before the blend goes on,
    /// and every chunk of both carries the right bytes exactly once.
    #[test]
    fn screenshots_overtake_a_blend_and_every_byte_goes_once() {
        let mut o = Outbox::default();
        o.push(file(FileKind::Blend, 20));
        let mut order = Vec::new();
        let mut got: std::collections::HashMap<Uuid, Vec<u8>> = Default::default();
        let mut buf = Vec::new();
        let mut finished = Vec::new();
        for step in 0.. {
            if step == 2 {
                o.push(file(FileKind::Screenshot, 10));
                o.push(file(FileKind::Blend, 3));
            }
            let Some(c) = o.peek() else { break };
            o.fill(&c, &mut buf);
            let kind = c.fields["kind"].as_str().unwrap().to_owned();
            order.push((kind, c.fields["index"].as_u64().unwrap()));
            got.entry(c.transfer).or_default().extend_from_slice(&buf);
            finished.extend(o.sent(&c).map(|f| (f.kind, f.size)));
        }
        let names: Vec<String> = order.iter().map(|(k, i)| format!("{}{i}", &k[..1])).collect();
        assert_eq!(names.join(" "), "b0 b1 s0 s1 s2 b2 b3 b4 b0");
        assert_eq!(finished, vec![(FileKind::Screenshot, 10), (FileKind::Blend, 20), (FileKind::Blend, 3)]);
        for (_, bytes) in got {
            let want: Vec<u8> = (0..bytes.len() as u64).map(|i| (i % 251) as u8).collect();
            assert_eq!(bytes, want);
        }
        assert!(o.is_empty());
    }
}
