//! Where handed-in files go: a folder, or one zip written beside its final name and renamed into
//! place when complete (a half-written zip never carries the name the lecturer chose).

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{HandinError, Result};
use crate::store::sha256_file;

/// The destination the lecturer chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A new or empty folder.
    Folder(PathBuf),
    /// A new zip file.
    Zip(PathBuf),
}

pub(crate) enum Sink {
    Folder(PathBuf),
    // Boxed: a ZipWriter is large and the folder variant is a path.
    Zip { writer: Box<ZipWriter<File>>, partial: PathBuf, path: PathBuf },
}

impl Sink {
    pub(crate) fn open(target: &Target) -> Result<Sink> {
        match target {
            Target::Folder(dir) => {
                if dir.exists() {
                    let mut rd = fs::read_dir(dir).map_err(HandinError::io("read", dir))?;
                    if rd.next().is_some() {
                        return Err(HandinError::FolderNotEmpty(dir.clone()));
                    }
                }
                fs::create_dir_all(dir).map_err(HandinError::io("create", dir))?;
                Ok(Sink::Folder(dir.clone()))
            }
            Target::Zip(path) => {
                if path.exists() {
                    return Err(HandinError::FileExists(path.clone()));
                }
                let mut partial = path.clone().into_os_string();
                partial.push(".partial");
                let partial = PathBuf::from(partial);
                let file = File::create(&partial).map_err(HandinError::io("create", &partial))?;
                Ok(Sink::Zip { writer: Box::new(ZipWriter::new(file)), partial, path: path.clone() })
            }
        }
    }

    /// Copy `src` in as `name` (forward slashes), checking it against `sha256` on the way;
    /// returns the size copied.
    pub(crate) fn add_file(&mut self, name: &str, src: &Path, sha256: &str) -> Result<u64> {
        let mut input = File::open(src).map_err(HandinError::io("open", src))?;
        let (digest, size) = match self {
            Sink::Folder(dir) => {
                let dest = dir.join(name);
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent).map_err(HandinError::io("create", parent))?;
                }
                let mut out = File::create(&dest).map_err(HandinError::io("create", &dest))?;
                let r = copy_hashing(&mut input, &mut out).map_err(HandinError::io("copy", src))?;
                out.sync_all().map_err(HandinError::io("write", &dest))?;
                // The copy is read back: what the lecturer grades is what was verified.
                let (back, _) = sha256_file(&dest)?;
                if back != sha256 {
                    let _ = fs::remove_file(&dest);
                    return Err(HandinError::CopyMismatch(dest));
                }
                r
            }
            Sink::Zip { writer, partial, .. } => {
                let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Stored).large_file(true);
                writer.start_file(name, opts).map_err(|e| zip_error(partial, e))?;
                copy_hashing(&mut input, writer.as_mut()).map_err(HandinError::io("copy", src))?
            }
        };
        if digest != sha256 {
            return Err(HandinError::ChangedWhileCopying(src.to_path_buf()));
        }
        Ok(size)
    }

    /// Write a small generated file (manifest, transcript).
    pub(crate) fn add_bytes(&mut self, name: &str, data: &[u8]) -> Result<()> {
        match self {
            Sink::Folder(dir) => {
                let dest = dir.join(name);
                fs::write(&dest, data).map_err(HandinError::io("write", &dest))
            }
            Sink::Zip { writer, partial, .. } => {
                let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
                writer.start_file(name, opts).map_err(|e| zip_error(partial, e))?;
                writer.write_all(data).map_err(HandinError::io("write", &*partial))
            }
        }
    }

    /// Complete the output; a zip gets its final name only now.
    pub(crate) fn finish(self) -> Result<PathBuf> {
        match self {
            Sink::Folder(dir) => Ok(dir),
            Sink::Zip { writer, partial, path } => {
                let file = writer.finish().map_err(|e| zip_error(&partial, e))?;
                file.sync_all().map_err(HandinError::io("write", &partial))?;
                drop(file);
                fs::rename(&partial, &path).map_err(HandinError::io("rename", &partial))?;
                Ok(path)
            }
        }
    }

    /// Give up: a partial zip is removed; files already copied into a folder stay, listed nowhere.
    pub(crate) fn abandon(self) {
        if let Sink::Zip { partial, .. } = self {
            let _ = fs::remove_file(partial);
        }
    }
}

fn zip_error(path: &Path, e: zip::result::ZipError) -> HandinError {
    HandinError::Zip { path: path.to_path_buf(), detail: e.to_string() }
}

/// Copy everything, returning the SHA-256 (hex) and length of what was read.
fn copy_hashing(input: &mut impl Read, out: &mut impl Write) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
    out.flush()?;
    Ok((hex::encode(hasher.finalize()), total))
}
