//! Classes (groups): a lecturer teaches several a week, each in its own store folder inside the
//! store root, with its own name, port, class code, encryption and retention kept in
//! `<class>/.pracownia/class.json` (the settings travel with the folder). A store from before
//! classes (the root itself holds `.pracownia/`) opens as one class whose folder is the root, so
//! nothing is moved; new classes are subfolders beside its student folders, which the store's
//! scan ignores (they have no `student.json`). `pracownia --store` takes a class folder.

use crate::error::{AppError, ErrorKind};
use crate::settings::{Language, Settings};
use pracownia_core::protocol::is_reserved_windows_name;
use pracownia_core::store::{write_atomic, Retention, META_DIR};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

pub const CLASS_FILE: &str = "class.json";
const MAX_NAME: usize = 64;

/// What a class keeps of its files (docs/APP.md, "Classes"). Off by default: `None` days keep
/// every file of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RetentionSettings {
    /// Screenshots older than this many days are thinned out...
    pub screenshot_days: Option<u32>,
    /// ...to one per this many minutes.
    pub screenshot_every_min: u32,
    /// .blend versions older than this many days: only the last of each session is kept.
    pub blend_days: Option<u32>,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings { screenshot_days: None, screenshot_every_min: 10, blend_days: None }
    }
}

impl RetentionSettings {
    pub fn enabled(&self) -> bool {
        self.screenshot_days.is_some() || self.blend_days.is_some()
    }

    pub fn policy(&self) -> Retention {
        Retention {
            screenshot_days: self.screenshot_days,
            screenshot_every_min: self.screenshot_every_min.max(1),
            blend_days: self.blend_days,
        }
    }

    pub fn validate(self) -> Result<Self, AppError> {
        let days_ok = |d: Option<u32>| d.is_none_or(|d| (1..=3650).contains(&d));
        if !days_ok(self.screenshot_days)
            || !days_ok(self.blend_days)
            || !(1..=1440).contains(&self.screenshot_every_min)
        {
            return Err(AppError::new(
                ErrorKind::BadRetention,
                "Keep files for 1 to 3650 days, and one screenshot per 1 to 1440 minutes.",
            ));
        }
        Ok(self)
    }
}

/// `class.json`; every field optional, so a hand-edited or older file still loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClassFile {
    pub name: Option<String>,
    pub port: Option<u16>,
    pub class_code: Option<String>,
    pub encrypt: Option<bool>,
    pub retention: Option<RetentionSettings>,
}

/// One class as the switcher lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ClassInfo {
    /// The folder inside the store root; empty for a store from before classes (the root itself).
    pub folder: String,
    pub name: String,
    pub current: bool,
    /// The class folder, in full.
    pub path: String,
}

pub fn class_dir(root: &Path, folder: &str) -> PathBuf {
    if folder.is_empty() {
        root.to_path_buf()
    } else {
        root.join(folder)
    }
}

fn class_file(dir: &Path) -> PathBuf {
    dir.join(META_DIR).join(CLASS_FILE)
}

/// The class file of `dir`, if it has one that parses (a damaged one is logged and ignored).
pub fn read(dir: &Path) -> Option<ClassFile> {
    let bytes = std::fs::read(class_file(dir)).ok()?;
    serde_json::from_slice(&bytes)
        .map_err(|e| log::warn!("Ignoring the damaged class file {}: {e}", class_file(dir).display()))
        .ok()
}

pub fn write(dir: &Path, file: &ClassFile) -> Result<(), AppError> {
    let path = class_file(dir);
    let fail = |e: &dyn std::fmt::Display| {
        AppError::new(ErrorKind::StoreNotWritable, format!("The class could not be saved in {}: {e}.", dir.display()))
            .with("path", dir.display())
    };
    std::fs::create_dir_all(dir.join(META_DIR)).map_err(|e| fail(&e))?;
    write_atomic(&path, &serde_json::to_vec_pretty(file).expect("serialisable")).map_err(|e| fail(&e))
}

fn is_store(dir: &Path) -> bool {
    dir.join(META_DIR).is_dir()
}

fn folder_name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "Pracownia".into())
}

/// The name a class shows: its own, else its folder's.
fn name_of(root: &Path, folder: &str) -> String {
    let dir = class_dir(root, folder);
    read(&dir).and_then(|f| f.name).unwrap_or_else(|| folder_name(&dir))
}

/// The classes in `root`, sorted by name: the root itself when it is a store from before
/// classes, and each subfolder that is a store; `current` is listed even before its folder exists.
pub fn list(root: &Path, current: &str) -> Vec<ClassInfo> {
    let mut folders = Vec::new();
    if is_store(root) {
        folders.push(String::new());
    }
    if let Ok(rd) = std::fs::read_dir(root) {
        for e in rd.flatten() {
            let Ok(name) = e.file_name().into_string() else { continue };
            if !name.starts_with('.') && e.file_type().is_ok_and(|t| t.is_dir()) && is_store(&e.path()) {
                folders.push(name);
            }
        }
    }
    if !folders.iter().any(|f| f == current) {
        folders.push(current.to_owned());
    }
    let mut out: Vec<ClassInfo> = folders
        .into_iter()
        .map(|folder| ClassInfo {
            name: name_of(root, &folder),
            current: folder == current,
            path: class_dir(root, &folder).to_string_lossy().into_owned(),
            folder,
        })
        .collect();
    out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.folder.cmp(&b.folder)));
    out
}

/// A folder name from a class name: ASCII letters and digits (Polish letters without their
/// marks), dashes between words; safe on Windows, macOS and Linux.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = match c {
            'ą' => 'a',
            'ć' => 'c',
            'ę' => 'e',
            'ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() || is_reserved_windows_name(&out) {
        format!("class-{out}").trim_end_matches('-').to_owned()
    } else {
        out
    }
}

pub fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(AppError::new(ErrorKind::BadClassName, "A class name is 1 to 64 characters, without line breaks."));
    }
    Ok(name.to_owned())
}

/// The name a new installation's first class gets.
pub fn first_name(lang: Language) -> &'static str {
    match lang {
        Language::En => "Class 1",
        Language::Pl => "Grupa 1",
    }
}

/// Make a class called `name` in `root`, with `like`'s port and encryption and a new class
/// code. Its folder exists (and is a store) when this returns.
pub fn create(root: &Path, name: &str, like: &Settings, class_code: String) -> Result<ClassInfo, AppError> {
    let name = check_name(name)?;
    let taken = list(root, &like.class);
    if taken.iter().any(|c| c.name.to_lowercase() == name.to_lowercase()) {
        return Err(AppError::new(ErrorKind::ClassExists, format!("There is already a class called \"{name}\"."))
            .with("name", &name));
    }
    let base = slug(&name);
    let folder = (1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|f| !root.join(f).exists())
        .expect("a free folder name");
    let file = ClassFile {
        name: Some(name.clone()),
        port: Some(like.port),
        class_code: Some(class_code),
        encrypt: Some(like.encrypt),
        retention: None,
    };
    write(&root.join(&folder), &file)?;
    Ok(ClassInfo { path: root.join(&folder).to_string_lossy().into_owned(), folder, name, current: false })
}

/// The settings with the class they name made real: a store from before classes is its own
/// class; a new installation gets a first class; the class's own file overrides the port, code
/// and encryption (the settings file keeps a copy of the current class's, for older versions).
pub fn resolve(mut s: Settings) -> Settings {
    let root = PathBuf::from(&s.store);
    let dir = class_dir(&root, &s.class);
    if !s.class.is_empty() && !is_store(&dir) {
        s.class.clear(); // its folder is gone: fall back below
    }
    if s.class.is_empty() && !is_store(&root) {
        let existing = list(&root, "").into_iter().find(|c| !c.folder.is_empty());
        s.class = match existing {
            Some(c) => c.folder,
            None => slug(first_name(s.language)),
        };
    }
    overlay(s)
}

/// The current class's own port, code, encryption over the settings'.
pub fn overlay(mut s: Settings) -> Settings {
    if let Some(f) = read(&class_dir(Path::new(&s.store), &s.class)) {
        s.port = f.port.unwrap_or(s.port);
        // The class file's code is the class's, even none (another class's must not leak in).
        s.class_code = f.class_code.filter(|c| !c.trim().is_empty());
        s.encrypt = f.encrypt.unwrap_or(s.encrypt);
    }
    s
}

/// Writes the current class's own settings (keeping its name and retention). A first class
/// that has no folder yet gets one, named as [`first_name`] says.
pub fn save_current(s: &Settings) -> Result<(), AppError> {
    update(s, |_| {})
}

/// The current class's file with the settings' port, code and encryption, changed by `change`,
/// written once.
fn update(s: &Settings, change: impl FnOnce(&mut ClassFile)) -> Result<(), AppError> {
    let dir = class_dir(Path::new(&s.store), &s.class);
    let mut f = read(&dir).unwrap_or_default();
    if f.name.is_none() && !s.class.is_empty() {
        f.name = Some(first_name(s.language).to_owned());
    }
    f.port = Some(s.port);
    f.class_code = s.class_code.clone();
    f.encrypt = Some(s.encrypt);
    change(&mut f);
    write(&dir, &f)
}

pub fn retention(s: &Settings) -> RetentionSettings {
    read(&class_dir(Path::new(&s.store), &s.class)).and_then(|f| f.retention).unwrap_or_default()
}

pub fn save_retention(s: &Settings, r: RetentionSettings) -> Result<RetentionSettings, AppError> {
    let r = r.validate()?;
    update(s, |f| f.retention = Some(r))?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(root: &Path) -> Settings {
        Settings::defaults(root)
    }

    #[test]
    fn slugs_are_safe_folder_names() {
        assert_eq!(slug("Grupa 3 — środa 10:15"), "grupa-3-sroda-10-15");
        assert_eq!(slug("Łódź Żółć"), "lodz-zolc");
        assert_eq!(slug("  ../..  "), "class");
        assert_eq!(slug("CON"), "class-con");
        assert_eq!(slug("日本"), "class");
        assert!(slug(&"x".repeat(100)).len() <= 40);
    }

    #[test]
    fn a_new_installation_gets_a_first_class_in_its_own_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("Pracownia");
        let s = resolve(settings(&root));
        assert_eq!(s.class, "class-1");
        let pl = resolve(Settings { language: Language::Pl, ..settings(&root) });
        assert_eq!(pl.class, "grupa-1");
        // Listed before its folder exists; saving makes it.
        let l = list(&root, &s.class);
        assert_eq!((l.len(), l[0].current, l[0].name.as_str()), (1, true, "class-1"));
        save_current(&s).unwrap();
        assert_eq!(list(&root, &s.class)[0].name, "Class 1");
        assert_eq!(resolve(settings(&root)).class, "class-1", "found again from a settings file without one");
    }

    #[test]
    fn a_store_from_before_classes_is_one_class_and_new_classes_sit_beside_its_students() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("store");
        std::fs::create_dir_all(root.join(META_DIR)).unwrap();
        std::fs::create_dir_all(root.join("anna-1234")).unwrap(); // a student folder: not a class
        let old = Settings { port: 6000, class_code: Some("KOD".into()), encrypt: false, ..settings(&root) };
        let s = resolve(old.clone());
        assert_eq!((s.class.as_str(), s.port, s.class_code.as_deref()), ("", 6000, Some("KOD")), "nothing moves");
        let l = list(&root, "");
        assert_eq!(l.len(), 1);
        assert_eq!((l[0].name.as_str(), l[0].path.as_str()), ("store", root.to_str().unwrap()));

        let c = create(&root, " Grupa 2 ", &s, "NEWCODE".into()).unwrap();
        assert_eq!((c.folder.as_str(), c.name.as_str()), ("grupa-2", "Grupa 2"));
        assert_eq!(create(&root, "grupa 2", &s, "X".into()).unwrap_err().kind, ErrorKind::ClassExists);
        assert_eq!(create(&root, " ", &s, "X".into()).unwrap_err().kind, ErrorKind::BadClassName);
        assert_eq!(create(&root, "a\nb", &s, "X".into()).unwrap_err().kind, ErrorKind::BadClassName);
        // Another name with the same folder name gets a folder of its own.
        assert_eq!(create(&root, "Grupa-2", &s, "Y".into()).unwrap().folder, "grupa-2-2");
        let names: Vec<String> = list(&root, "").into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["Grupa 2", "Grupa-2", "store"]);

        // Switching: the class's own port, code and encryption come with it.
        let g2 = overlay(Settings { class: "grupa-2".into(), ..s.clone() });
        assert_eq!((g2.port, g2.class_code.as_deref(), g2.encrypt), (6000, Some("NEWCODE"), false));
        // A class whose folder went away falls back to the root's store.
        let gone = resolve(Settings { class: "deleted".into(), ..s });
        assert_eq!(gone.class, "");
    }

    #[test]
    fn class_settings_and_retention_are_kept_in_the_class_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let s = resolve(settings(tmp.path()));
        let s = Settings { port: 7001, class_code: Some("ABC".into()), ..s };
        save_current(&s).unwrap();
        assert_eq!(retention(&s), RetentionSettings::default());
        assert!(!retention(&s).enabled(), "off by default");
        let r = RetentionSettings { screenshot_days: Some(14), screenshot_every_min: 5, blend_days: Some(30) };
        assert_eq!(save_retention(&s, r).unwrap(), r);
        assert_eq!(retention(&s), r);
        assert_eq!(r.policy().screenshot_every_min, 5);
        let bad = RetentionSettings { screenshot_days: Some(0), ..r };
        assert_eq!(save_retention(&s, bad).unwrap_err().kind, ErrorKind::BadRetention);
        let bad = RetentionSettings { screenshot_every_min: 0, ..r };
        assert_eq!(bad.validate().unwrap_err().kind, ErrorKind::BadRetention);
        // Saving the settings again keeps the name and the retention.
        save_current(&Settings { port: 7002, ..s.clone() }).unwrap();
        let f = read(&class_dir(tmp.path(), &s.class)).unwrap();
        assert_eq!((f.port, f.retention, f.name.as_deref()), (Some(7002), Some(r), Some("Class 1")));
        // A damaged class file is ignored, not fatal.
        std::fs::write(class_file(&class_dir(tmp.path(), &s.class)), b"{nope").unwrap();
        assert_eq!(overlay(s.clone()).port, 7001);
    }
}
