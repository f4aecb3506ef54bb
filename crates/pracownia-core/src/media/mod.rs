//! What a verified file must look like before it becomes visible: a screenshot decodes as PNG or
//! JPEG within limits (so a decompression bomb is refused), a .blend starts with a known magic.
//! Thumbnails are made here, once per screenshot, from the same decode. Before decoding, `probe`
//! reads what the headers declare (dimensions, metadata sizes, a complete ending) so that memory
//! is bounded by `Limits`, not by what a 100 KB file claims.

pub mod probe;

use crate::limits::Limits;
use crate::reject::{Reason, Refusal};
use image::{ImageFormat, ImageReader};
use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, SeekFrom};
use std::path::Path;

/// Longest side of a thumbnail, in pixels (a grid tile is ~320 px wide; 2x for sharp screens).
pub const THUMB_SIZE: u32 = 480;
const THUMB_QUALITY: u8 = 80;

/// Plain `.blend`, zstd-compressed (Blender 3+) or gzip-compressed (older Blender).
pub fn looks_like_blend(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 7];
    let mut f = File::open(path)?;
    let n = probe::read_up_to(&mut f, &mut head)?;
    let head = &head[..n];
    Ok(head.starts_with(b"BLENDER") || head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) || head.starts_with(&[0x1F, 0x8B]))
}

/// A screenshot that decoded: its extension and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screenshot {
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Decode the screenshot at `path` within `limits` and write its JPEG thumbnail to `thumb`.
/// Refuses (`bad_file`) anything that is not a PNG or JPEG that decodes completely.
pub fn check_screenshot_and_thumbnail(path: &Path, thumb: &Path, limits: &Limits) -> Result<Screenshot, Refusal> {
    let bad = |d: String| Refusal::new(Reason::BadFile, d);
    let file = File::open(path).map_err(|e| bad(format!("cannot open: {e}")))?;
    let mut file = BufReader::new(file);
    probe::probe(&mut file, limits).map_err(|e| bad(e.to_string()))?;
    file.seek(SeekFrom::Start(0)).map_err(|e| bad(format!("cannot read: {e}")))?;
    let reader = ImageReader::new(file).with_guessed_format().map_err(|e| bad(e.to_string()))?;
    let ext = match reader.format() {
        Some(ImageFormat::Png) => "png",
        Some(ImageFormat::Jpeg) => "jpg",
        other => return Err(bad(format!("not a PNG or JPEG ({other:?})"))),
    };
    let mut reader = reader;
    let mut lim = image::Limits::default();
    lim.max_image_width = Some(limits.max_image_side);
    lim.max_image_height = Some(limits.max_image_side);
    // One budget for this decode: the pixel buffer is reserved against it first, and the PNG
    // decoder's metadata decompression (iCCP, zTXt) draws on the rest.
    lim.max_alloc = Some(limits.max_image_alloc);
    reader.limits(lim);
    let img = reader.decode().map_err(|e| bad(format!("does not decode: {e}")))?;
    let (width, height) = (img.width(), img.height());
    let small = img.thumbnail(THUMB_SIZE, THUMB_SIZE).into_rgb8();
    let out = File::create(thumb).map_err(|e| bad(format!("cannot write thumbnail: {e}")))?;
    let mut w = BufWriter::new(out);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut w, THUMB_QUALITY)
        .encode_image(&small)
        .map_err(|e| bad(format!("cannot encode thumbnail: {e}")))?;
    // Durable before it is renamed into place next to its screenshot.
    let out = w.into_inner().map_err(|e| bad(format!("cannot write thumbnail: {e}")))?;
    out.sync_all().map_err(|e| bad(format!("cannot write thumbnail: {e}")))?;
    Ok(Screenshot { ext, width, height })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([x as u8, y as u8, 128]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn png_and_jpeg_pass_and_get_a_thumbnail() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s");
        std::fs::write(&p, png(1920, 1080)).unwrap();
        let t = d.path().join("t.jpg");
        let s = check_screenshot_and_thumbnail(&p, &t, &Limits::default()).unwrap();
        assert_eq!(s, Screenshot { ext: "png", width: 1920, height: 1080 });
        let th = image::open(&t).unwrap();
        assert_eq!((th.width(), th.height()), (480, 270));
    }

    #[test]
    fn garbage_truncated_and_bombs_are_bad_files() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("t.jpg");
        let p = d.path().join("s");
        for bytes in [b"not an image at all".to_vec(), png(64, 64)[..100].to_vec(), b"GIF89a....".to_vec()] {
            std::fs::write(&p, bytes).unwrap();
            let e = check_screenshot_and_thumbnail(&p, &t, &Limits::default()).unwrap_err();
            assert_eq!(e.reason, Reason::BadFile);
        }
        // A small file that claims huge dimensions must be refused before allocating them.
        std::fs::write(&p, png(2000, 10)).unwrap();
        let tight = Limits { max_image_side: 1000, ..Limits::default() };
        assert_eq!(check_screenshot_and_thumbnail(&p, &t, &tight).unwrap_err().reason, Reason::BadFile);
    }

    #[test]
    fn blend_magic() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("b");
        for (bytes, ok) in [
            (&b"BLENDER-v405REND"[..], true),
            (&[0x28, 0xB5, 0x2F, 0xFD, 0][..], true),
            (&[0x1F, 0x8B, 8][..], true),
            (&b"#!/bin/sh"[..], false),
            (&b"BLEND"[..], false),
        ] {
            std::fs::write(&p, bytes).unwrap();
            assert_eq!(looks_like_blend(&p).unwrap(), ok, "{bytes:?}");
        }
    }
}
