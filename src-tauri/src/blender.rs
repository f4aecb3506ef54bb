//! Opening a student's .blend in Blender, safely: find Blender, refuse paths that leave the
//! store, copy the file to a temporary folder (the archived version stays untouched) and start
//! Blender on the copy with Python auto-execution disabled (a student's file is untrusted code).

use crate::error::{AppError, ErrorKind};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Linux
        }
    }
}

/// What discovery needs from the file system and environment (faked in tests).
pub trait Probe {
    fn is_file(&self, p: &Path) -> bool;
    /// Sub-folders of `p`.
    fn dirs(&self, p: &Path) -> Vec<PathBuf>;
    fn env(&self, name: &str) -> Option<OsString>;
}

pub struct RealProbe;

impl Probe for RealProbe {
    fn is_file(&self, p: &Path) -> bool {
        p.is_file()
    }
    fn dirs(&self, p: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(p)
            .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
            .unwrap_or_default()
    }
    fn env(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }
}

/// Where Blender usually is, in order of preference, after the settings and PATH.
pub fn install_candidates(os: Os, probe: &dyn Probe) -> Vec<PathBuf> {
    match os {
        Os::Linux => {
            ["/usr/bin/blender", "/usr/local/bin/blender", "/snap/bin/blender"].iter().map(PathBuf::from).collect()
        }
        Os::MacOs => {
            let mut v = vec![PathBuf::from("/Applications/Blender.app/Contents/MacOS/Blender")];
            if let Some(home) = probe.env("HOME") {
                v.push(PathBuf::from(home).join("Applications/Blender.app/Contents/MacOS/Blender"));
            }
            v
        }
        Os::Windows => {
            let mut v = Vec::new();
            for var in ["ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"] {
                let Some(pf) = probe.env(var) else { continue };
                let mut versions: Vec<PathBuf> = probe
                    .dirs(&PathBuf::from(pf).join("Blender Foundation"))
                    .into_iter()
                    .filter(|d| d.file_name().is_some_and(|n| n.to_string_lossy().starts_with("Blender")))
                    .collect();
                // Newest first: "Blender 4.2" before "Blender 3.6" (numeric, so 4.10 > 4.9).
                versions.sort_by_key(|d| std::cmp::Reverse(version_key(&d.file_name().unwrap().to_string_lossy())));
                v.extend(versions.into_iter().map(|d| d.join("blender.exe")));
            }
            if v.is_empty() {
                v.push(PathBuf::from(r"C:\Program Files\Blender Foundation\Blender\blender.exe"));
            }
            v
        }
    }
}

fn version_key(name: &str) -> Vec<u32> {
    name.trim_start_matches("Blender").trim().split('.').filter_map(|p| p.parse().ok()).collect()
}

/// The settings' path if it is a file, else `blender` on PATH, else the usual install folders.
pub fn find_blender(configured: Option<&str>, os: Os, probe: &dyn Probe) -> Result<PathBuf, AppError> {
    if let Some(c) = configured.map(str::trim).filter(|c| !c.is_empty()) {
        let p = PathBuf::from(c);
        if probe.is_file(&p) {
            return Ok(p);
        }
        log::warn!("The Blender set in the settings ({c}) is not there; looking elsewhere");
    }
    let exe = if os == Os::Windows { "blender.exe" } else { "blender" };
    if let Some(path) = probe.env("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(exe);
            if probe.is_file(&p) {
                return Ok(p);
            }
        }
    }
    install_candidates(os, probe).into_iter().find(|p| probe.is_file(p)).ok_or_else(|| {
        AppError::new(
            ErrorKind::BlenderNotFound,
            "Blender was not found on this computer. Choose the Blender program to use.",
        )
    })
}

/// `rel` (relative to the store, forward slashes) as an absolute path inside the store; refuses
/// anything that leaves it (`..`, absolute paths, symlinks pointing out).
pub fn resolve_in_store(store: &Path, rel: &str) -> Result<PathBuf, AppError> {
    let outside = || {
        AppError::new(ErrorKind::NotInStore, format!("\"{rel}\" is not a file in the store folder.")).with("file", rel)
    };
    if rel.is_empty() || Path::new(rel).is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
        return Err(outside());
    }
    let root = store.canonicalize().map_err(|_| {
        AppError::new(ErrorKind::StoreEmpty, format!("The store folder {} does not exist.", store.display()))
            .with("path", store.display())
    })?;
    let full = root.join(rel).canonicalize().map_err(|_| {
        AppError::new(ErrorKind::FileGone, format!("The file \"{rel}\" is no longer in the store folder."))
            .with("file", rel)
    })?;
    if !full.starts_with(&root) || full == root {
        return Err(outside());
    }
    Ok(full)
}

/// The arguments Blender gets: auto-execution off, then the file.
pub fn blender_args(file: &Path) -> Vec<OsString> {
    vec![OsString::from("--disable-autoexec"), file.as_os_str().to_owned()]
}

/// The name of the copy Blender opens, after the student and the time the version was stored
/// (local time): `anna 10-31-05.blend`. Blender's title shows the file name, so the lecturer
/// sees whose work and which version instead of a temporary path. The login is sanitised the
/// way student folders are (it is the student's choice of text).
pub fn copy_name(login: &str, at_ms: i64) -> String {
    use chrono::TimeZone;
    let time = chrono::Local
        .timestamp_millis_opt(at_ms)
        .single()
        .map(|t| t.format("%H-%M-%S").to_string())
        .unwrap_or_else(|| "copy".into());
    format!("{} {time}.blend", pracownia_core::store::sanitize::sanitize_login(login))
}

/// Copy `file` into a fresh temporary folder under `tmp_root`, as `name` or keeping its name.
pub fn copy_to_temp(file: &Path, tmp_root: &Path, name: Option<&str>) -> Result<PathBuf, AppError> {
    let dir = tmp_root.join("pracownia-open").join(uuid::Uuid::new_v4().simple().to_string());
    std::fs::create_dir_all(&dir).map_err(|e| {
        AppError::new(ErrorKind::TempCopyFailed, format!("Could not create a temporary folder {}: {e}.", dir.display()))
    })?;
    let own = file
        .file_name()
        .ok_or_else(|| AppError::new(ErrorKind::NotInStore, "That is not a file.").with("file", file.display()))?;
    let copy = dir.join(name.map(std::ffi::OsStr::new).unwrap_or(own));
    std::fs::copy(file, &copy).map_err(|e| {
        AppError::new(
            ErrorKind::TempCopyFailed,
            format!("Could not copy {} to {}: {e}.", file.display(), dir.display()),
        )
    })?;
    Ok(copy)
}

/// Start a program without waiting for it and without tying it to this app's lifetime.
pub fn spawn_detached(program: &Path, args: &[OsString]) -> Result<(), AppError> {
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        const DETACHED_PROCESS: u32 = 0x0000_0008;
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        cmd.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
    }
    let mut child = cmd.spawn().map_err(|e| {
        AppError::new(ErrorKind::StartFailed, format!("Could not start {}: {e}.", program.display()))
            .with("program", program.display())
    })?;
    // Reap it when it exits, so no zombie is left behind.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// Open a copy of the store's `rel` in Blender; `named` (login, stored at) names the copy.
pub fn open_in_blender(
    store: &Path,
    rel: &str,
    configured: Option<&str>,
    named: Option<(&str, i64)>,
) -> Result<PathBuf, AppError> {
    let file = resolve_in_store(store, rel)?;
    if file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() != Some("blend") {
        return Err(AppError::new(ErrorKind::NotABlend, format!("\"{rel}\" is not a .blend file.")).with("file", rel));
    }
    let blender = find_blender(configured, Os::current(), &RealProbe)?;
    let name = named.map(|(login, at)| copy_name(login, at));
    let copy = copy_to_temp(&file, &std::env::temp_dir(), name.as_deref())?;
    spawn_detached(&blender, &blender_args(&copy))?;
    Ok(copy)
}

/// The command that shows a file in the system's file manager.
pub fn opener_command(os: Os, file: &Path) -> (String, Vec<OsString>) {
    match os {
        Os::Linux => {
            let dir = file.parent().unwrap_or(file);
            ("xdg-open".into(), vec![dir.as_os_str().to_owned()])
        }
        Os::MacOs => ("open".into(), vec!["-R".into(), file.as_os_str().to_owned()]),
        Os::Windows => {
            let mut arg = OsString::from("/select,");
            arg.push(file.as_os_str());
            ("explorer".into(), vec![arg])
        }
    }
}

pub fn show_in_folder(store: &Path, rel: &str) -> Result<(), AppError> {
    let file = resolve_in_store(store, rel)?;
    let (program, args) = opener_command(Os::current(), &file);
    spawn_detached(Path::new(&program), &args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[derive(Default)]
    struct Fake {
        files: HashSet<PathBuf>,
        dirs: HashMap<PathBuf, Vec<PathBuf>>,
        env: HashMap<String, OsString>,
    }

    impl Probe for Fake {
        fn is_file(&self, p: &Path) -> bool {
            self.files.contains(p)
        }
        fn dirs(&self, p: &Path) -> Vec<PathBuf> {
            self.dirs.get(p).cloned().unwrap_or_default()
        }
        fn env(&self, name: &str) -> Option<OsString> {
            self.env.get(name).cloned()
        }
    }

    fn fake(files: &[&str], path: &str) -> Fake {
        let mut f = Fake { files: files.iter().map(PathBuf::from).collect(), ..Default::default() };
        f.env.insert("PATH".into(), path.into());
        f
    }

    #[test]
    fn settings_then_path_then_install_folders() {
        let f = fake(
            &["/opt/b/blender", "/home/u/bin/blender", "/usr/bin/blender", "/snap/bin/blender"],
            "/home/u/bin:/bin",
        );
        assert_eq!(find_blender(Some("/opt/b/blender"), Os::Linux, &f).unwrap(), PathBuf::from("/opt/b/blender"));
        // A configured path that is gone falls back to PATH.
        assert_eq!(find_blender(Some("/gone"), Os::Linux, &f).unwrap(), PathBuf::from("/home/u/bin/blender"));
        assert_eq!(find_blender(None, Os::Linux, &f).unwrap(), PathBuf::from("/home/u/bin/blender"));
        let f = fake(&["/usr/bin/blender", "/snap/bin/blender"], "/bin");
        assert_eq!(find_blender(Some(""), Os::Linux, &f).unwrap(), PathBuf::from("/usr/bin/blender"));
        let f = fake(&["/snap/bin/blender"], "/bin");
        assert_eq!(find_blender(None, Os::Linux, &f).unwrap(), PathBuf::from("/snap/bin/blender"));
        let e = find_blender(None, Os::Linux, &fake(&[], "/bin")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BlenderNotFound);
        let f = fake(&["/Applications/Blender.app/Contents/MacOS/Blender"], "/bin");
        assert_eq!(
            find_blender(None, Os::MacOs, &f).unwrap(),
            PathBuf::from("/Applications/Blender.app/Contents/MacOS/Blender")
        );
    }

    #[test]
    fn windows_prefers_the_newest_version() {
        let pf = PathBuf::from("PF");
        let found = pf.join("Blender Foundation");
        let mut f = fake(&[], "");
        f.env.insert("ProgramFiles".into(), "PF".into());
        f.dirs.insert(
            found.clone(),
            vec![found.join("Blender 3.6"), found.join("Blender 4.10"), found.join("Blender 4.9"), found.join("Other")],
        );
        f.files.insert(found.join("Blender 3.6").join("blender.exe"));
        f.files.insert(found.join("Blender 4.10").join("blender.exe"));
        f.files.insert(found.join("Blender 4.9").join("blender.exe"));
        assert_eq!(find_blender(None, Os::Windows, &f).unwrap(), found.join("Blender 4.10").join("blender.exe"));
        let c = install_candidates(Os::Windows, &f);
        assert_eq!(c.len(), 3, "{c:?}");
    }

    #[test]
    fn paths_must_stay_in_the_store() {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("store");
        std::fs::create_dir_all(store.join("ala/blends")).unwrap();
        std::fs::write(store.join("ala/blends/a.blend"), b"BLENDER").unwrap();
        std::fs::write(tmp.path().join("secret.blend"), b"x").unwrap();
        let ok = resolve_in_store(&store, "ala/blends/a.blend").unwrap();
        assert!(ok.ends_with("ala/blends/a.blend"));
        for bad in ["../secret.blend", "ala/../../secret.blend", "/etc/passwd", ""] {
            let e = resolve_in_store(&store, bad).unwrap_err();
            assert!(matches!(e.kind, ErrorKind::NotInStore | ErrorKind::FileGone), "{bad}: {e:?}");
        }
        assert_eq!(resolve_in_store(&store, "ala/../../secret.blend").unwrap_err().kind, ErrorKind::NotInStore);
        assert_eq!(resolve_in_store(&store, "ala/blends/gone.blend").unwrap_err().kind, ErrorKind::FileGone);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("secret.blend"), store.join("ala/blends/link.blend")).unwrap();
            assert_eq!(resolve_in_store(&store, "ala/blends/link.blend").unwrap_err().kind, ErrorKind::NotInStore);
        }
    }

    #[test]
    fn copies_and_disables_autoexec() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("a.blend");
        std::fs::write(&src, b"BLENDER-v300").unwrap();
        let copy = copy_to_temp(&src, &tmp.path().join("t"), None).unwrap();
        assert_ne!(copy, src);
        assert_eq!(copy.file_name().unwrap(), "a.blend");
        // Named after the student and the time: Blender's title says whose version it is.
        let name = copy_name("anna", chrono::Local::now().timestamp_millis());
        let named = copy_to_temp(&src, &tmp.path().join("t"), Some(&name)).unwrap();
        assert_eq!(named.file_name().unwrap().to_str().unwrap(), name);
        assert_eq!(std::fs::read(&named).unwrap(), b"BLENDER-v300");
        assert_eq!(std::fs::read(&copy).unwrap(), b"BLENDER-v300");
        let args = blender_args(&copy);
        assert_eq!(args[0], "--disable-autoexec");
        assert_eq!(args[1], copy.as_os_str());
    }

    #[test]
    fn the_copy_is_named_after_the_student_and_the_local_time() {
        use chrono::TimeZone;
        let at = chrono::Local.with_ymd_and_hms(2026, 3, 3, 10, 31, 5).single().unwrap().timestamp_millis();
        assert_eq!(copy_name("anna", at), "anna 10-31-05.blend");
        assert_eq!(copy_name("Zofia Łęcka", at + 2_000), "Zofia_Łęcka 10-31-07.blend");
        // A login cannot leave the temporary folder or hide the extension.
        assert_eq!(copy_name("../../etc/x", at), "etc_x 10-31-05.blend");
        assert_eq!(copy_name("a\u{202e}dnelb.exe", at), "a_dnelb.exe 10-31-05.blend");
        assert_eq!(copy_name("", at), "student 10-31-05.blend");
    }

    #[test]
    fn opener_per_os() {
        let f = Path::new("/s/ala/blends/a.blend");
        assert_eq!(opener_command(Os::Linux, f), ("xdg-open".into(), vec![OsString::from("/s/ala/blends")]));
        assert_eq!(opener_command(Os::MacOs, f).1[0], "-R");
        let (p, a) = opener_command(Os::Windows, Path::new(r"C:\s\a.blend"));
        assert_eq!(p, "explorer");
        assert_eq!(a[0], r"/select,C:\s\a.blend");
    }
}
