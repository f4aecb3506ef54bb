//! Crafted screenshots from issue 12 (an iCCP bomb, a tiny PNG declaring 16384×8000, a truncated
//! JPEG declaring 16384×10000) are refused, and what checking any screenshot allocates stays
//! within the stated budget. A counting global allocator measures the peak heap of each check;
//! this file is its own test binary, so nothing else allocates while it measures.

use flate2::{Compress, Compression, FlushCompress};
use pracownia_core::limits::Limits;
use pracownia_core::media::check_screenshot_and_thumbnail;
use pracownia_core::reject::Reason;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

struct Counting;
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = NOW.fetch_add(l.size(), SeqCst) + l.size();
            PEAK.fetch_max(now, SeqCst);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            let now = NOW.fetch_add(l.size(), SeqCst) + l.size();
            PEAK.fetch_max(now, SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        NOW.fetch_sub(l.size(), SeqCst);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = NOW.fetch_add(new - l.size(), SeqCst) + new - l.size();
                PEAK.fetch_max(now, SeqCst);
            } else {
                NOW.fetch_sub(l.size() - new, SeqCst);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

const MIB: usize = 1 << 20;

/// A zlib stream of `n` zero bytes, built by repeating one sync-flushed deflate block of 1 MiB
/// of zeros (each block only refers back to zeros), so a gigabyte costs a second, not minutes.
fn zeros_zlib(n: u64) -> Vec<u8> {
    fn raw(len: usize, flush: FlushCompress) -> Vec<u8> {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(len / 500 + 64);
        c.compress_vec(&vec![0u8; len], &mut out, flush).unwrap();
        out
    }
    let block = raw(MIB, FlushCompress::Sync);
    let mut out = vec![0x78, 0xDA];
    for _ in 0..n / MIB as u64 {
        out.extend_from_slice(&block);
    }
    let rest = (n % MIB as u64) as usize;
    let mut fin = Compress::new(Compression::best(), false);
    let mut tail = Vec::with_capacity(rest / 500 + 64);
    fin.compress_vec(&vec![0u8; rest], &mut tail, FlushCompress::Finish).unwrap();
    out.extend_from_slice(&tail);
    // Adler-32 of n zeros: a stays 1, b adds 1 per byte.
    let adler = (((n % 65521) as u32) << 16) | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    c.extend_from_slice(&h.finalize().to_be_bytes());
    c
}

/// An all-black 8-bit RGB PNG of `w`×`h` with `extra` chunks before its IDAT.
fn black_png(w: u32, h: u32, extra: &[Vec<u8>], iend: bool) -> Vec<u8> {
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend(chunk(b"IHDR", &ihdr));
    for c in extra {
        out.extend_from_slice(c);
    }
    out.extend(chunk(b"IDAT", &zeros_zlib(u64::from(h) * (1 + 3 * u64::from(w)))));
    if iend {
        out.extend(chunk(b"IEND", &[]));
    }
    out
}

/// A PNG whose iCCP chunk is `compressed` bytes of zlib inflating about a thousand times.
fn iccp_bomb(compressed: usize) -> Vec<u8> {
    let mut iccp = b"icc\0\0".to_vec();
    iccp.extend(zeros_zlib(compressed as u64 * 1000));
    black_png(16, 16, &[chunk(b"iCCP", &iccp)], true)
}

/// A real JPEG of `w`×`h`, or with its frame header rewritten to declare `declared` and its end
/// (EOI and the last scan bytes) cut off.
fn jpeg(w: u32, h: u32, declared: Option<(u16, u16)>, cut: usize) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 3) as u8, 90]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
    if let Some((dw, dh)) = declared {
        let sof = out.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
        out[sof + 5..sof + 7].copy_from_slice(&dh.to_be_bytes());
        out[sof + 7..sof + 9].copy_from_slice(&dw.to_be_bytes());
    }
    out.truncate(out.len() - cut);
    out
}

/// Check `bytes` as a screenshot and return the result's refusal reason and the peak heap (MiB)
/// the check allocated on top of what was live before.
fn check(name: &str, bytes: &[u8]) -> (Option<Reason>, f64) {
    let d = tempfile::tempdir().unwrap();
    let (p, t) = (d.path().join("s"), d.path().join("t.jpg"));
    std::fs::write(&p, bytes).unwrap();
    let limits = Limits::default();
    let base = NOW.load(SeqCst);
    PEAK.store(base, SeqCst);
    let r = check_screenshot_and_thumbnail(&p, &t, &limits);
    let peak = (PEAK.load(SeqCst) - base) as f64 / MIB as f64;
    eprintln!("{name}: {} bytes, peak heap {peak:.1} MiB, {:?}", bytes.len(), r.as_ref().map_err(|e| &e.detail));
    (r.err().map(|e| e.reason), peak)
}

#[test]
fn crafted_screenshots_are_refused_before_they_cost_memory_and_real_ones_stay_in_budget() {
    let limits = Limits::default();
    // Budget of one check: the decoder's allocations plus the file itself (the JPEG decoder
    // reads it whole) plus a little for buffers and the thumbnail.
    let budget = |len: usize| (limits.max_image_alloc as usize + len + 16 * MIB) as f64 / MIB as f64;

    let bomb = iccp_bomb(MIB);
    let tiny_huge = black_png(16384, 8000, &[], true);
    let truncated_huge = jpeg(64, 64, Some((16384, 10000)), 40);
    let complete_huge = jpeg(64, 64, Some((16384, 10000)), 0);
    for (name, bytes) in [
        ("iCCP bomb", &bomb),
        ("16384x8000 PNG", &tiny_huge),
        ("truncated JPEG 16384x10000", &truncated_huge),
        ("complete JPEG 16384x10000", &complete_huge),
    ] {
        let (reason, peak) = check(name, bytes);
        assert_eq!(reason, Some(Reason::BadFile), "{name}");
        // Refused from the headers: no pixel buffer, no inflated profile.
        assert!(peak < 8.0, "{name} cost {peak:.1} MiB before it was refused");
    }

    // Truncated images within every size limit are refused too (the JPEG decoder would fill
    // the missing scan with grey; a PNG without IEND is not complete).
    let (reason, _) = check("truncated 64x64 JPEG", &jpeg(64, 64, None, 40));
    assert_eq!(reason, Some(Reason::BadFile));
    let (reason, _) = check("JPEG without EOI", &jpeg(64, 64, None, 2));
    assert_eq!(reason, Some(Reason::BadFile));
    let (reason, _) = check("PNG without IEND", &black_png(64, 64, &[], false));
    assert_eq!(reason, Some(Reason::BadFile));
    // Metadata just over the limit is refused; a small profile is fine.
    let (reason, _) = check("70 KiB iCCP", &iccp_bomb(70 << 10));
    assert_eq!(reason, Some(Reason::BadFile));
    let small = iccp_bomb(2 << 10);
    let (reason, peak) = check("2 KiB iCCP", &small);
    assert_eq!(reason, None);
    assert!(peak < budget(small.len()), "2 KiB iCCP: {peak:.1} MiB");

    // Real screenshots up to 8K pass, each within its budget.
    for (w, h) in [(1920, 1080), (7680, 4320)] {
        let png = black_png(w, h, &[], true);
        let (reason, peak) = check(&format!("{w}x{h} PNG"), &png);
        assert_eq!(reason, None);
        assert!(peak <= budget(png.len()), "{w}x{h} PNG: {peak:.1} MiB");
    }
    let jpg = jpeg(3840, 2160, None, 0);
    let (reason, peak) = check("3840x2160 JPEG", &jpg);
    assert_eq!(reason, None);
    assert!(peak <= budget(jpg.len()), "3840x2160 JPEG: {peak:.1} MiB");
}
