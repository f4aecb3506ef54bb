//! Merging two students who are the same person, and splitting off a seat (a wire id) of one who
//! is not, without losing a file (issue 13). Both rewrite folders, so both are crash-safe the way
//! `erase` is: an operation first writes its plan into `.pracownia/regroup/<op>/`, every step
//! after that can be done again, and `Store::open` finishes an operation a crash interrupted.
//! At the end the plan folder is moved into `.pracownia/erasing/` (gone at the next open even if
//! removing it is interrupted) and the index is rebuilt, so `reindex` agrees by construction:
//! everything lives in the folders (journal lines, files, student.json `seats`).
//!
//! Merge B into A: B's folder is moved into the plan folder (one rename: from then on B is no
//! longer part of the store), B's files move into A's folder (renamed when a name is taken),
//! B's journal lines are appended to A's (file paths rewritten; each says the wire id it came
//! by), and B's ways in (its own id and its seats) become A's seats. Split wire W off A: the lines
//! that came by W and their files go to a new student folder, whose student.json holds the seat
//! W, and A's journal and seats lose them.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{Result, StoreError};
use super::identity::derived_id;
use super::journal::{self, JournalEntry, JournalLine, JOURNAL_FILE};
use super::meta::{read_student_json, write_student_file, StudentJson};
use super::{fsutil, sanitize, Store, META_DIR};
use crate::index::write;
use crate::model::{FileKind, Seat};

const REGROUP_DIR: &str = "regroup";
const PLAN_FILE: &str = "plan.json";
/// Inside a merge's plan folder: the folder of the student merged away.
const FROM_DIR: &str = "from";

/// What a merge or split did (or, before it, would do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regrouped {
    /// The student who keeps (merge) or gives up (split) the history.
    pub student: Uuid,
    /// The student merged away, or the new student split off.
    pub other: Uuid,
    pub other_login: String,
    /// Journal lines and files that moved.
    pub lines: usize,
    pub files: usize,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Plan {
    Merge {
        into: Uuid,
        into_folder: String,
        from: Uuid,
        from_login: String,
        /// A's journal length before B's lines were appended: longer means appended already.
        base_len: u64,
        /// (path in B's folder, path in A's folder) of every file, thumbnails included.
        moves: Vec<(String, String)>,
    },
    Split {
        student: Uuid,
        folder: String,
        wire: Uuid,
        login: String,
        new_id: Uuid,
        new_folder: String,
        first_seen: i64,
    },
}

impl Store {
    /// Merge the student `from` into `into` (the same person under two ids): `from`'s files,
    /// timeline and seats become `into`'s; `from` is gone afterwards.
    pub fn merge_students(&mut self, into: Uuid, from: Uuid) -> Result<Regrouped> {
        let op = self.begin_merge(into, from)?;
        let done = finish(&self.root, &op)?;
        self.cache.clear();
        self.reindex()?;
        Ok(done)
    }

    /// A merge's plan and its one step that takes B out of the store; the rest is `redo`.
    pub(super) fn begin_merge(&mut self, into: Uuid, from: Uuid) -> Result<PathBuf> {
        if into == from {
            return Err(StoreError::Regroup("a student cannot be merged with themselves".into()));
        }
        let a = write::student(&self.db, into)?.ok_or(StoreError::UnknownStudent(into))?;
        let b = write::student(&self.db, from)?.ok_or(StoreError::UnknownStudent(from))?;
        let a_dir = self.root.join(&a.folder);
        let b_dir = self.root.join(&b.folder);
        let moves = plan_moves(&b_dir, &a_dir);
        let plan = Plan::Merge {
            into,
            into_folder: a.folder.clone(),
            from,
            from_login: b.login.clone(),
            base_len: journal::len(&a_dir.join(JOURNAL_FILE)),
            moves,
        };
        let op = self.write_plan(&plan)?;
        // The one step that takes B out of the store; before it, an interrupted merge is undone.
        fs::rename(&b_dir, op.join(FROM_DIR)).map_err(StoreError::io("move away", &b_dir))?;
        fsutil::sync_dir(&self.root);
        Ok(op)
    }

    /// Split the lines and files that came by the wire id `wire` off the student `student`, into
    /// a student of their own (id `wire` when no student has it, else derived from `wire` and
    /// the seat's login). That seat's next messages go to the new student.
    pub fn split_student(&mut self, student: Uuid, wire: Uuid) -> Result<Regrouped> {
        let op = self.begin_split(student, wire)?;
        let done = finish(&self.root, &op)?;
        self.cache.clear();
        self.reindex()?;
        Ok(done)
    }

    /// A split's plan (nothing else changes before `redo`).
    pub(super) fn begin_split(&mut self, student: Uuid, wire: Uuid) -> Result<PathBuf> {
        let a = write::student(&self.db, student)?.ok_or(StoreError::UnknownStudent(student))?;
        let dir = self.root.join(&a.folder);
        let json = read_student_json(&dir)?.ok_or(StoreError::UnknownStudent(student))?;
        let login = match json.seats.iter().find(|s| s.wire == wire) {
            Some(s) => s.login.clone(),
            None if wire == student => a.login.clone(),
            None => {
                return Err(StoreError::Regroup(format!(
                    "student {} ({student}) has no seat {wire}",
                    crate::text::Inert(&a.login)
                )))
            }
        };
        if wire == student && json.seats.iter().all(|s| s.wire == wire) {
            return Err(StoreError::Regroup("that is the student's only seat: nothing would be left".into()));
        }
        let new_id =
            if wire != student && write::student(&self.db, wire)?.is_none() { wire } else { derived_id(wire, &login) };
        if write::student(&self.db, new_id)?.is_some() {
            return Err(StoreError::Regroup(format!("a student with id {new_id} exists already: merge instead")));
        }
        let mut new_folder = sanitize::folder_name(&login, new_id, false);
        if self.root.join(&new_folder).exists() || write::student_by_folder(&self.db, &new_folder)?.is_some() {
            new_folder = sanitize::folder_name(&login, new_id, true);
        }
        let lines = journal::read_from(&dir.join(JOURNAL_FILE), 0)?.lines;
        let first_seen = lines
            .iter()
            .filter(|(_, l)| l.wire.unwrap_or(student) == wire)
            .map(|(_, l)| l.ts)
            .min()
            .unwrap_or_else(fsutil::now_ms);
        let plan = Plan::Split { student, folder: a.folder, wire, login, new_id, new_folder, first_seen };
        self.write_plan(&plan)
    }

    fn write_plan(&self, plan: &Plan) -> Result<PathBuf> {
        let op = self.root.join(META_DIR).join(REGROUP_DIR).join(Uuid::new_v4().to_string());
        fs::create_dir_all(&op).map_err(StoreError::io("create", &op))?;
        let data = serde_json::to_vec_pretty(plan).expect("serialisable");
        fsutil::write_atomic(&op.join(PLAN_FILE), &data)?;
        fsutil::sync_dir(&op);
        Ok(op)
    }
}

/// Finish the merges and splits a crash interrupted (before the index is opened).
pub(crate) fn finish_interrupted(root: &Path) -> Result<()> {
    let dir = root.join(META_DIR).join(REGROUP_DIR);
    let Ok(rd) = fs::read_dir(&dir) else { return Ok(()) };
    let mut ops: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    ops.sort();
    for op in ops {
        match fs::read(op.join(PLAN_FILE)).ok().and_then(|d| serde_json::from_slice::<Plan>(&d).ok()) {
            // A merge whose student was never moved away did nothing yet: drop it.
            Some(Plan::Merge { .. }) if !op.join(FROM_DIR).is_dir() => discard(root, &op)?,
            Some(_) => {
                let done = finish(root, &op)?;
                log::info!("finished an interrupted merge or split ({} lines moved)", done.lines);
            }
            // A plan never written completely: nothing was changed after it.
            None => discard(root, &op)?,
        }
    }
    Ok(())
}

/// Do (again) every step of the plan in `op`, then drop the plan.
fn finish(root: &Path, op: &Path) -> Result<Regrouped> {
    let done = redo(root, op)?;
    discard(root, op)?;
    Ok(done)
}

/// Every step of the plan in `op`; each can be done again after a crash.
pub(super) fn redo(root: &Path, op: &Path) -> Result<Regrouped> {
    let data = fs::read(op.join(PLAN_FILE)).map_err(StoreError::io("read", op.join(PLAN_FILE)))?;
    let plan: Plan = serde_json::from_slice(&data)
        .map_err(|e| StoreError::CorruptMetadata { path: op.join(PLAN_FILE), detail: e.to_string() })?;
    Ok(match plan {
        Plan::Merge { into, into_folder, from, from_login, base_len, moves } => {
            finish_merge(root, op, into, &into_folder, from, &from_login, base_len, &moves)?
        }
        Plan::Split { student, folder, wire, login, new_id, new_folder, first_seen } => {
            finish_split(root, student, &folder, wire, &login, new_id, &new_folder, first_seen)?
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn finish_merge(
    root: &Path,
    op: &Path,
    into: Uuid,
    into_folder: &str,
    from: Uuid,
    from_login: &str,
    base_len: u64,
    moves: &[(String, String)],
) -> Result<Regrouped> {
    let a_dir = root.join(into_folder);
    let b_dir = op.join(FROM_DIR);
    let a_journal = a_dir.join(JOURNAL_FILE);
    let b_lines = journal::read_from(&b_dir.join(JOURNAL_FILE), 0)?.lines;
    // 1. Journal: A's bytes as they were, then B's lines (paths rewritten), in one atomic write.
    if journal::len(&a_journal) <= base_len && !b_lines.is_empty() {
        let mut data = fs::read(&a_journal).or_else(empty_if_missing).map_err(StoreError::io("read", &a_journal))?;
        if data.last().is_some_and(|&c| c != b'\n') {
            data.push(b'\n');
        }
        for (_, l) in &b_lines {
            let mut l = l.clone();
            l.wire = Some(l.wire.unwrap_or(from));
            if let JournalEntry::Screenshot(f) | JournalEntry::Blend(f) = &mut l.entry {
                f.file = moved(moves, std::mem::take(&mut f.file));
                f.thumb = f.thumb.take().map(|t| moved(moves, t));
            }
            data.extend(serde_json::to_vec(&l).expect("journal lines serialise"));
            data.push(b'\n');
        }
        fsutil::write_atomic(&a_journal, &data)?;
    }
    // 2. Files (a file moved already is not there any more).
    let mut files = 0;
    for (src, dst) in moves {
        let (s, d) = (b_dir.join(src), a_dir.join(dst));
        if s.exists() {
            if let Some(parent) = d.parent() {
                fs::create_dir_all(parent).map_err(StoreError::io("create", parent))?;
            }
            fs::rename(&s, &d).map_err(StoreError::io("move", &s))?;
            files += 1;
        }
    }
    // 3. Seats: B's ways in lead to A from now on.
    let mut a = read_student_json(&a_dir)?.ok_or(StoreError::UnknownStudent(into))?;
    let b = read_student_json(&b_dir)?;
    let b_last = b_lines.iter().map(|(_, l)| l.ts).max().unwrap_or(0);
    let a_last = journal::read_from(&a_journal, 0)?.lines.iter().map(|(_, l)| l.ts).max().unwrap_or(0);
    let mut add = vec![Seat { wire: into, login: a.login.clone(), host: None, seat: None, last_seen: a_last }];
    add.push(Seat { wire: from, login: from_login.to_string(), host: None, seat: None, last_seen: b_last });
    add.extend(b.map(|b| b.seats).unwrap_or_default());
    for s in add {
        union_seat(&mut a.seats, s);
    }
    write_student_file(&a_dir, &a)?;
    Ok(Regrouped { student: into, other: from, other_login: from_login.to_string(), lines: b_lines.len(), files })
}

#[allow(clippy::too_many_arguments)]
fn finish_split(
    root: &Path,
    student: Uuid,
    folder: &str,
    wire: Uuid,
    login: &str,
    new_id: Uuid,
    new_folder: &str,
    first_seen: i64,
) -> Result<Regrouped> {
    let a_dir = root.join(folder);
    let n_dir = root.join(new_folder);
    let a_journal = a_dir.join(JOURNAL_FILE);
    let came_by = |l: &JournalLine| l.wire.unwrap_or(student) == wire;
    // 1. The new folder, whose seat is `wire` (so that seat's next messages go there).
    fs::create_dir_all(&n_dir).map_err(StoreError::io("create", &n_dir))?;
    let mut a = read_student_json(&a_dir)?.ok_or(StoreError::UnknownStudent(student))?;
    let key = write::login_key(login);
    let mut seats: Vec<Seat> =
        a.seats.iter().filter(|s| s.wire == wire && write::login_key(&s.login) == key).cloned().collect();
    if seats.is_empty() {
        seats.push(Seat { wire, login: login.to_string(), host: None, seat: None, last_seen: first_seen });
    }
    if read_student_json(&n_dir)?.is_none() {
        let json =
            StudentJson { id: new_id, login: login.to_string(), first_seen: fsutil::ms_to_rfc3339(first_seen), seats };
        write_student_file(&n_dir, &json)?;
    }
    // 2. The lines that came by `wire`, while A still has them (computed from A each time).
    let raw = fs::read(&a_journal).or_else(empty_if_missing).map_err(StoreError::io("read", &a_journal))?;
    let mut keep = Vec::with_capacity(raw.len());
    let mut moved_lines = Vec::new();
    for line in raw.split_inclusive(|&c| c == b'\n') {
        match serde_json::from_slice::<JournalLine>(line.trim_ascii()) {
            Ok(mut l) if came_by(&l) => {
                l.wire = Some(wire).filter(|w| *w != new_id);
                moved_lines.push(l);
            }
            _ => keep.extend_from_slice(line),
        }
    }
    let lines = moved_lines.len();
    if !moved_lines.is_empty() {
        let mut data = Vec::new();
        for l in &moved_lines {
            data.extend(serde_json::to_vec(l).expect("journal lines serialise"));
            data.push(b'\n');
        }
        fsutil::write_atomic(&n_dir.join(JOURNAL_FILE), &data)?;
    }
    // 3. Their files keep their names: the new folder has no others.
    let mut files = 0;
    let n_lines = journal::read_from(&n_dir.join(JOURNAL_FILE), 0)?.lines;
    let file_of = |l: &JournalLine| match &l.entry {
        JournalEntry::Screenshot(f) | JournalEntry::Blend(f) => vec![Some(f.file.clone()), f.thumb.clone()],
        _ => vec![],
    };
    for rel in n_lines.iter().flat_map(|(_, l)| file_of(l)).flatten() {
        let (s, d) = (a_dir.join(&rel), n_dir.join(&rel));
        if s.exists() && !d.exists() {
            if let Some(parent) = d.parent() {
                fs::create_dir_all(parent).map_err(StoreError::io("create", parent))?;
            }
            fs::rename(&s, &d).map_err(StoreError::io("move", &s))?;
            files += 1;
        }
    }
    // 4. A without them: its journal, then its seats.
    if !moved_lines.is_empty() {
        fsutil::write_atomic(&a_journal, &keep)?;
    }
    let before = a.seats.len();
    a.seats.retain(|s| !(s.wire == wire && write::login_key(&s.login) == key));
    if a.seats.len() != before {
        write_student_file(&a_dir, &a)?;
    }
    Ok(Regrouped { student, other: new_id, other_login: login.to_string(), lines, files })
}

/// The plan folder leaves through `erasing/` (removed at the next open if this is interrupted).
fn discard(root: &Path, op: &Path) -> Result<()> {
    let erasing = root.join(META_DIR).join("erasing");
    fs::create_dir_all(&erasing).map_err(StoreError::io("create", &erasing))?;
    let name = op.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let to = erasing.join(format!("regroup-{name}"));
    fs::rename(op, &to).map_err(StoreError::io("move away", op))?;
    let _ = fs::remove_dir_all(&to);
    Ok(())
}

/// Where each file of `from` (screenshots, .blend versions, their thumbnails) goes in `to`: the
/// same name when it is free, else the name with `-m1`, `-m2`… before the extension.
fn plan_moves(from: &Path, to: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for kind in [FileKind::Screenshot, FileKind::Blend] {
        for sub in [kind.dir_name().to_string(), format!("{}/thumbs", kind.dir_name())] {
            let Ok(rd) = fs::read_dir(from.join(&sub)) else { continue };
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().into_string().ok())
                .collect();
            names.sort();
            for name in names {
                let src = format!("{sub}/{name}");
                let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
                let dot = if ext.is_empty() { "" } else { "." };
                let taken = |rel: &str| to.join(rel).symlink_metadata().is_ok() || out.iter().any(|(_, d)| d == rel);
                let mut dst = src.clone();
                let mut n = 0;
                while taken(&dst) {
                    n += 1;
                    dst = format!("{sub}/{stem}-m{n}{dot}{ext}");
                }
                out.push((src, dst));
            }
        }
    }
    out
}

/// A journal path after the move (thumbnails keep their screenshot's new stem).
fn moved(moves: &[(String, String)], rel: String) -> String {
    moves.iter().find(|(s, _)| *s == rel).map(|(_, d)| d.clone()).unwrap_or(rel)
}

fn union_seat(seats: &mut Vec<Seat>, s: Seat) {
    let key = write::login_key(&s.login);
    match seats.iter_mut().find(|x| x.wire == s.wire && write::login_key(&x.login) == key) {
        Some(x) => {
            x.last_seen = x.last_seen.max(s.last_seen);
            x.host = x.host.take().or(s.host);
            x.seat = x.seat.or(s.seat);
        }
        None => seats.push(s),
    }
    seats.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(a.wire.cmp(&b.wire)));
}

fn empty_if_missing(e: std::io::Error) -> std::io::Result<Vec<u8>> {
    if e.kind() == std::io::ErrorKind::NotFound {
        Ok(Vec::new())
    } else {
        Err(e)
    }
}
