//! `pracownia pin`: list and reset the CURVE keys students are pinned to (encrypted class).

use crate::handin::one_student;
use pracownia_core::keys::encode_key;
use pracownia_core::pins::Pins;
use pracownia_core::store::Store;
use std::path::{Path, PathBuf};
use uuid::Uuid;

#[derive(clap::Subcommand)]
pub enum Pin {
    /// Forget the key a student is pinned to (they reinstalled the add-on or changed computer):
    /// the next key that joins as them is pinned. Stop `serve` (or the app) first.
    Reset {
        #[arg(long)]
        store: PathBuf,
        /// A student id, or a login (case-insensitive).
        #[arg(long)]
        student: String,
    },
    /// One line per pinned student: id and key (base64url).
    List {
        #[arg(long)]
        store: PathBuf,
    },
}

pub fn run(p: Pin) -> Result<(), String> {
    match p {
        Pin::Reset { store, student } => reset(&store, &student),
        Pin::List { store } => {
            let pins = Pins::open(&store).map_err(|e| e.to_string())?;
            for (id, key) in pins.all() {
                println!("{id} {}", encode_key(&key));
            }
            Ok(())
        }
    }
}

fn reset(store: &Path, query: &str) -> Result<(), String> {
    // An id is taken as given: a pinned id need not be in the index (its first message may
    // have been refused later, e.g. over the rate of new students).
    let id = match Uuid::parse_str(query) {
        Ok(id) => id,
        Err(_) => one_student(store, query)?,
    };
    // The store's lock: a running receiver keeps the pins in memory and would write them back.
    let _lock = Store::open(store).map_err(|e| e.to_string())?;
    if pracownia_core::pins::reset_pin(store, id).map_err(|e| e.to_string())? {
        println!("reset the key of {id}: the next key that joins as this student is pinned");
        Ok(())
    } else {
        Err(format!("The student {id} has no pinned key in {}.", store.display()))
    }
}
