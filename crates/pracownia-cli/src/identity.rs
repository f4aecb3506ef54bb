//! `merge` and `split`: who is who when the receiver could not tell (issue 13). Both need the
//! store to themselves (a running receiver or app holds its lock) and lose no file.

use std::path::PathBuf;

use pracownia_core::store::Store;
use uuid::Uuid;

use crate::handin::one_student;
use crate::query::reader;

#[derive(clap::Args)]
pub struct Merge {
    #[arg(long)]
    store: PathBuf,
    /// The student who keeps everything: an id, or a login only one student uses.
    #[arg(long)]
    into: String,
    /// The student merged into them (an id: two students often share the login being fixed).
    #[arg(long)]
    from: String,
}

#[derive(clap::Args)]
pub struct Split {
    #[arg(long)]
    store: PathBuf,
    /// The student to split: an id, or a login only one student uses.
    #[arg(long)]
    student: String,
    /// The wire id of the seat to split off (`pracownia students` lists each student's seats).
    #[arg(long)]
    seat: Uuid,
}

pub fn merge(a: Merge) -> Result<(), String> {
    let into = one_student(&a.store, &a.into)?;
    let from = one_student(&a.store, &a.from)?;
    let mut store = Store::open(&a.store).map_err(|e| e.to_string())?;
    let done = store.merge_students(into, from).map_err(|e| e.to_string())?;
    println!(
        "merged {} ({}) into {into}: {} timeline entries and {} files moved; that student's add-on now reaches {into}",
        pracownia_core::text::Inert(&done.other_login),
        done.other,
        done.lines,
        done.files
    );
    Ok(())
}

pub fn split(a: Split) -> Result<(), String> {
    let student = one_student(&a.store, &a.student)?;
    let known = reader(&a.store)?.students().map_err(|e| e.to_string())?;
    if !known.iter().any(|s| s.id == student && (s.id == a.seat || s.seats.iter().any(|x| x.wire == a.seat))) {
        return Err(format!("Student {student} has no seat {}; `pracownia students` lists the seats.", a.seat));
    }
    let mut store = Store::open(&a.store).map_err(|e| e.to_string())?;
    let done = store.split_student(student, a.seat).map_err(|e| e.to_string())?;
    println!(
        "split seat {} off {student}: {} ({}) now has {} timeline entries and {} files of their own",
        a.seat,
        pracownia_core::text::Inert(&done.other_login),
        done.other,
        done.lines,
        done.files
    );
    Ok(())
}
