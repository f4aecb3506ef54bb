//! What simulated students send: real PNG screenshots and .blend-looking files. Blends are
//! produced from a seed, twice (once to hash, once to send), so a 4 GiB file never sits in memory.

use image::{codecs::png, ImageBuffer, ImageEncoder, Rgb};
use sha2::{Digest, Sha256};

/// A PNG of a plausible Blender window: a grey UI frame and a coloured "viewport" whose content
/// moves with `frame`, so successive screenshots differ.
pub fn screenshot_png(width: u32, height: u32, student: usize, frame: u64) -> Vec<u8> {
    let hue = (student as u32 * 47) % 255;
    let shift = (frame as u32 * 37) % width.max(1);
    let img = ImageBuffer::from_fn(width, height, |x, y| {
        let in_view = x > width / 8 && x < width * 7 / 8 && y > height / 12 && y < height * 11 / 12;
        if !in_view {
            return Rgb([48u8, 48, 48]);
        }
        let cube = (((x + shift) % width) / (width / 8).max(1)).is_multiple_of(2)
            && (y / (height / 6).max(1)).is_multiple_of(2);
        if cube {
            Rgb([hue as u8, 160, (255 - hue) as u8])
        } else {
            Rgb([(x * 255 / width.max(1)) as u8 / 3 + 40, (y * 255 / height.max(1)) as u8 / 3 + 40, 90])
        }
    });
    let mut out = Vec::new();
    png::PngEncoder::new_with_quality(&mut out, png::CompressionType::Fast, png::FilterType::Sub)
        .write_image(&img, width, height, image::ExtendedColorType::Rgb8)
        .expect("encoding a PNG in memory cannot fail");
    out
}

/// A deterministic stream of .blend-like bytes: the real 12-byte header, then pseudo-random data.
pub struct BlendBytes {
    pub size: u64,
    seed: u64,
}

const HEADER: &[u8; 12] = b"BLENDER-v405";

impl BlendBytes {
    pub fn new(size: u64, seed: u64) -> Self {
        BlendBytes { size: size.max(HEADER.len() as u64), seed: seed | 1 }
    }

    /// Bytes [offset, offset + len) of the file.
    pub fn fill(&self, offset: u64, buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            let at = offset + i as u64;
            *b = if at < HEADER.len() as u64 {
                HEADER[at as usize]
            } else {
                // SplitMix64 of the position: random access, so chunks can be made in any order.
                let mut z = at.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.seed;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                (z ^ (z >> 31)) as u8
            };
        }
    }

    pub fn sha256(&self, chunk: usize) -> String {
        let mut h = Sha256::new();
        let mut buf = vec![0u8; chunk];
        let mut at = 0;
        while at < self.size {
            let n = chunk.min((self.size - at) as usize);
            self.fill(at, &mut buf[..n]);
            h.update(&buf[..n]);
            at += n as u64;
        }
        hex::encode(h.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshots_decode_and_differ() {
        let a = screenshot_png(320, 180, 1, 0);
        let b = screenshot_png(320, 180, 1, 1);
        assert_ne!(a, b);
        let img = image::load_from_memory(&a).unwrap();
        assert_eq!((img.width(), img.height()), (320, 180));
    }

    #[test]
    fn blend_bytes_are_random_access_and_look_like_a_blend() {
        let b = BlendBytes::new(5000, 7);
        let mut whole = vec![0; 5000];
        b.fill(0, &mut whole);
        assert!(whole.starts_with(b"BLENDER"));
        let mut part = vec![0; 100];
        b.fill(1234, &mut part);
        assert_eq!(&whole[1234..1334], &part[..]);
        assert_eq!(b.sha256(333), hex::encode(Sha256::digest(&whole)));
    }
}
