//! What a screenshot declares about itself, read from its headers before any pixel is decoded:
//! its dimensions (PNG IHDR, JPEG SOF), how many bytes of metadata it carries (PNG ancillary
//! chunks such as iCCP/zTXt/iTXt, JPEG APPn/COM segments), and whether it ends where its format
//! says it must (PNG IEND, JPEG EOI). The decoders buffer metadata whole and allocate the
//! declared pixel buffer up front, and the JPEG decoder fills a truncated scan with grey rather
//! than failing, so these checks are what keeps a 100 KB file from costing half a gigabyte.

use crate::limits::Limits;
use std::io::{self, Read, Seek, SeekFrom};

/// A screenshot's format as its magic says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
}

/// Why a screenshot's headers alone refuse it (all are `bad_file`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProbeError {
    #[error("not a PNG or JPEG")]
    NotAnImage,
    #[error("{0}x{1} is over the limit of {2} pixels per side or {3} pixels in all")]
    TooManyPixels(u32, u32, u32, u64),
    #[error("{0} bytes of metadata (ICC profile, text, EXIF) is over the limit of {1}")]
    TooMuchMetadata(u64, u64),
    #[error("truncated: {0}")]
    Truncated(&'static str),
    #[error("malformed header: {0}")]
    Malformed(&'static str),
    #[error("cannot read: {0}")]
    Io(String),
}

impl From<io::Error> for ProbeError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            ProbeError::Truncated("ends inside a header")
        } else {
            ProbeError::Io(e.to_string())
        }
    }
}

/// What the headers declared, once they passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// Check the headers of the screenshot in `f` (from its start) against `limits`.
pub fn probe<R: Read + Seek>(f: &mut R, limits: &Limits) -> Result<Probe, ProbeError> {
    let len = f.seek(SeekFrom::End(0))?;
    f.seek(SeekFrom::Start(0))?;
    let mut magic = [0u8; 8];
    let n = read_up_to(f, &mut magic)?;
    let p = if n == 8 && magic == PNG_MAGIC {
        png(f, len, limits)?
    } else if n >= 3 && magic[..3] == [0xFF, 0xD8, 0xFF] {
        f.seek(SeekFrom::Start(2))?;
        jpeg(f, len, limits)?
    } else {
        return Err(ProbeError::NotAnImage);
    };
    let pixels = u64::from(p.width) * u64::from(p.height);
    if p.width == 0 || p.height == 0 {
        return Err(ProbeError::Malformed("zero width or height"));
    }
    if p.width > limits.max_image_side || p.height > limits.max_image_side || pixels > limits.max_image_pixels {
        return Err(ProbeError::TooManyPixels(p.width, p.height, limits.max_image_side, limits.max_image_pixels));
    }
    Ok(p)
}

/// Read until `buf` is full or the input ends; how many bytes came.
pub(super) fn read_up_to<R: Read>(f: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Walk the chunks by their lengths (seeking over data): IHDR first, every chunk inside the
/// file, ancillary chunks (lowercase first letter) within the metadata budget, IEND last.
fn png<R: Read + Seek>(f: &mut R, len: u64, limits: &Limits) -> Result<Probe, ProbeError> {
    let mut pos = 8u64;
    let mut dims = None;
    let mut metadata = 0u64;
    loop {
        let mut head = [0u8; 8];
        if len < pos + 12 {
            return Err(ProbeError::Truncated("PNG ends before its IEND chunk"));
        }
        f.read_exact(&mut head)?;
        let size = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        let kind = [head[4], head[5], head[6], head[7]];
        let end = pos + 12 + size; // length, type, data, CRC
        if end > len {
            return Err(ProbeError::Truncated("a PNG chunk runs past the end of the file"));
        }
        if dims.is_none() {
            if &kind != b"IHDR" || size != 13 {
                return Err(ProbeError::Malformed("PNG does not start with IHDR"));
            }
            let mut ihdr = [0u8; 8];
            f.read_exact(&mut ihdr)?;
            dims = Some((
                u32::from_be_bytes([ihdr[0], ihdr[1], ihdr[2], ihdr[3]]),
                u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]),
            ));
        }
        if kind[0].is_ascii_lowercase() {
            metadata += size;
            if metadata > limits.max_image_metadata {
                return Err(ProbeError::TooMuchMetadata(metadata, limits.max_image_metadata));
            }
        }
        if &kind == b"IEND" {
            let (width, height) = dims.expect("IHDR was read first");
            return Ok(Probe { format: Format::Png, width, height });
        }
        f.seek(SeekFrom::Start(end))?;
        pos = end;
    }
}

/// Walk the marker segments up to the first scan: the SOF gives the dimensions, APPn and COM
/// count as metadata. The file must end with EOI: inside entropy-coded data 0xFF is always
/// followed by 0x00 or a restart marker, so FF D9 at the end means the scans are complete.
fn jpeg<R: Read + Seek>(f: &mut R, len: u64, limits: &Limits) -> Result<Probe, ProbeError> {
    let mut dims = None;
    let mut metadata = 0u64;
    loop {
        let mut m = [0u8; 2];
        f.read_exact(&mut m)?;
        if m[0] != 0xFF {
            return Err(ProbeError::Malformed("JPEG marker expected"));
        }
        let marker = m[1];
        match marker {
            0xFF => {
                // Fill byte before a marker.
                f.seek(SeekFrom::Current(-1))?;
                continue;
            }
            0x01 | 0xD0..=0xD7 => continue, // no length
            0xD9 => return Err(ProbeError::Truncated("JPEG ends before its first scan")),
            _ => {}
        }
        let mut l = [0u8; 2];
        f.read_exact(&mut l)?;
        let seg = u64::from(u16::from_be_bytes(l));
        if seg < 2 {
            return Err(ProbeError::Malformed("JPEG segment length under 2"));
        }
        let start = f.stream_position()?;
        let end = start + seg - 2;
        if end > len {
            return Err(ProbeError::Truncated("a JPEG segment runs past the end of the file"));
        }
        match marker {
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let mut sof = [0u8; 5];
                f.read_exact(&mut sof)?;
                let height = u32::from(u16::from_be_bytes([sof[1], sof[2]]));
                let width = u32::from(u16::from_be_bytes([sof[3], sof[4]]));
                dims = Some((width, height));
            }
            0xE0..=0xEF | 0xFE => {
                metadata += seg;
                if metadata > limits.max_image_metadata {
                    return Err(ProbeError::TooMuchMetadata(metadata, limits.max_image_metadata));
                }
            }
            0xDA => {
                let (width, height) = dims.ok_or(ProbeError::Malformed("JPEG scan before its frame header"))?;
                let mut tail = [0u8; 2];
                if len < end + 2 {
                    return Err(ProbeError::Truncated("JPEG ends inside its first scan"));
                }
                f.seek(SeekFrom::Start(len - 2))?;
                f.read_exact(&mut tail)?;
                if tail != [0xFF, 0xD9] {
                    return Err(ProbeError::Truncated("JPEG does not end with EOI (its scan data ends early)"));
                }
                return Ok(Probe { format: Format::Jpeg, width, height });
            }
            _ => {}
        }
        f.seek(SeekFrom::Start(end))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 200, 30]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img).unwrap();
        out
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 200, 30]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn run(bytes: &[u8]) -> Result<Probe, ProbeError> {
        probe(&mut Cursor::new(bytes), &Limits::default())
    }

    #[test]
    fn real_images_give_their_dimensions() {
        assert_eq!(run(&png(30, 20)), Ok(Probe { format: Format::Png, width: 30, height: 20 }));
        assert_eq!(run(&jpeg(30, 20)), Ok(Probe { format: Format::Jpeg, width: 30, height: 20 }));
    }

    #[test]
    fn fill_bytes_before_a_jpeg_marker_are_allowed() {
        let mut j = jpeg(8, 8);
        // SOI, then FF FF FF before the next marker's own FF.
        j.splice(2..2, [0xFF, 0xFF, 0xFF]);
        assert_eq!(run(&j).map(|p| p.width), Ok(8));
    }

    #[test]
    fn broken_headers_are_refused_for_their_reason() {
        assert_eq!(run(b"GIF89a"), Err(ProbeError::NotAnImage));
        assert_eq!(run(&[0xFF, 0xD8, 0xFF, 0xE0, 0x40]), Err(ProbeError::Truncated("ends inside a header")));
        // A JPEG segment claiming more bytes than the file has.
        assert_eq!(
            run(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0, 0]),
            Err(ProbeError::Truncated("a JPEG segment runs past the end of the file"))
        );
        // A PNG whose first chunk is not IHDR.
        let mut p = png(4, 4);
        p[12..16].copy_from_slice(b"tEXt");
        assert_eq!(run(&p), Err(ProbeError::Malformed("PNG does not start with IHDR")));
        // Zero pixels.
        let mut p = png(4, 4);
        p[16..20].copy_from_slice(&0u32.to_be_bytes());
        assert_eq!(run(&p), Err(ProbeError::Malformed("zero width or height")));
    }
}
