//! `say`, `announce`, `request` and `hand`: the lecturer's messages to students (protocol 1.1),
//! handed to the running receiver of the store through its control endpoint.

use pracownia_core::receiver::{Addressee, CommandOutcome, LecturerCommand};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long to wait for the receiver (it answers once the message is journaled).
const TIMEOUT: Duration = Duration::from_secs(12);

#[derive(clap::Args)]
pub struct Say {
    #[arg(long)]
    store: PathBuf,
    /// A student's login (case-insensitive) or id.
    #[arg(long)]
    to: String,
    /// The message (1–4096 bytes).
    text: String,
}

#[derive(clap::Args)]
pub struct Announce {
    #[arg(long)]
    store: PathBuf,
    /// The announcement, sent to every student the store knows.
    text: String,
}

#[derive(clap::Args)]
pub struct Request {
    #[arg(long)]
    store: PathBuf,
    /// A student's login or id, or `all`.
    #[arg(long)]
    to: String,
    /// `screenshot` or `blend`.
    what: pracownia_core::model::FileKind,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("state").required(true).args(["ack", "lower"])))]
pub struct Hand {
    #[arg(long)]
    store: PathBuf,
    #[arg(long)]
    to: String,
    /// The lecturer saw the raised hand and is coming.
    #[arg(long)]
    ack: bool,
    /// Lower the student's hand.
    #[arg(long)]
    lower: bool,
}

pub fn say(a: Say) -> Result<(), String> {
    send(&a.store, LecturerCommand::Say { to: a.to, text: a.text })
}

pub fn announce(a: Announce) -> Result<(), String> {
    send(&a.store, LecturerCommand::Announce { text: a.text })
}

pub fn request(a: Request) -> Result<(), String> {
    // `all` means the class; a student whose login is "all" is addressed by id.
    let to = if a.to.eq_ignore_ascii_case("all") { Addressee::All } else { Addressee::One(a.to) };
    send(&a.store, LecturerCommand::Request { to, what: a.what })
}

pub fn hand(a: Hand) -> Result<(), String> {
    use pracownia_core::model::HandState;
    let state = if a.ack { HandState::Acknowledged } else { HandState::Lowered };
    send(&a.store, LecturerCommand::Hand { to: a.to, state })
}

#[cfg(unix)]
fn send(store: &Path, cmd: LecturerCommand) -> Result<(), String> {
    use pracownia_core::receiver::control;
    let root = store.canonicalize().map_err(|_| format!("There is no store folder at {}.", store.display()))?;
    let body = serde_json::to_value(&cmd).expect("commands serialise");
    let reply = control::request(&root, &body, TIMEOUT).map_err(|e| e.to_string())?;
    if reply["ok"] != true {
        return Err(reply["error"].as_str().unwrap_or("the receiver refused the command").to_string());
    }
    let outcome: CommandOutcome =
        serde_json::from_value(reply["outcome"].clone()).map_err(|e| format!("unexpected answer: {e}"))?;
    println!("{}", summary(&outcome));
    Ok(())
}

#[cfg(not(unix))]
fn send(_store: &Path, _cmd: LecturerCommand) -> Result<(), String> {
    Err("sending messages from the command line needs Linux or macOS; use the app".into())
}

/// One line: whom it was queued for, and whether it is on its way now.
fn summary(o: &CommandOutcome) -> String {
    match o.queued.as_slice() {
        [one] if one.online => format!("queued for {} (online: delivering now)", one.login),
        [one] => format!("queued for {} (offline: delivered when the add-on reconnects)", one.login),
        many => format!("queued for {} students ({} online: delivering now)", many.len(), o.online),
    }
}
