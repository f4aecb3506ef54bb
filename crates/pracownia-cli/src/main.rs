//! `pracownia`: the headless receiver and the tools around its store. A thin layer over
//! `pracownia-core`; every error a user can cause ends as one sentence and a non-zero exit.

mod handin;
mod identity;
mod pin;
mod query;
mod serve;
mod sessions;
mod simulate;
mod tell;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "pracownia",
    version,
    about = "Pracownia: receive, store and browse what a 3D-modelling lab's students send"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the headless receiver until Ctrl+C or SIGTERM.
    Serve(serve::Args),
    /// Print the events of a store, oldest first.
    Timeline {
        #[arg(long)]
        store: PathBuf,
        /// A student id, or a login (case-insensitive).
        #[arg(long)]
        student: Option<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// One row per student: id, login, first/last seen, counts, latest screenshot.
    Students {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the index from the store folder (the folder is the truth).
    Reindex {
        #[arg(long)]
        store: PathBuf,
    },
    /// Send a chat message to one student (through the running receiver).
    Say(tell::Say),
    /// Send an announcement to every student.
    Announce(tell::Announce),
    /// Ask a student (or `all`) for a screenshot or a .blend now.
    Request(tell::Request),
    /// Acknowledge (--ack) or lower (--lower) a student's raised hand.
    Hand(tell::Hand),
    /// Copy every student's latest verified .blend into a folder or zip, with a manifest.
    Collect(handin::Collect),
    /// Everything of one student (.blend versions, screenshots, chat transcript) as one zip.
    Export(handin::Export),
    /// Delete a student's data (or every student's) from the store, for good.
    Erase(handin::Erase),
    /// Merge two students who are the same person (no file is lost).
    Merge(identity::Merge),
    /// Split a seat (a wire id) off a student who is not one person (no file is lost).
    Split(identity::Split),
    /// Retention: thin out old screenshots and old .blend versions (off unless asked for).
    Thin(handin::Thin),
    /// The class's sessions (lab meetings), oldest first.
    Sessions(sessions::Sessions),
    /// Who was present in a session (the latest by default): first and last seen, time present.
    Attendance(sessions::Attendance),
    /// Simulated students speaking the protocol, for demos, tests and benchmarks.
    Simulate(simulate::Args),
    /// The keys students are pinned to in an encrypted class (`serve --encrypt`).
    #[command(subcommand)]
    Pin(pin::Pin),
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .target(env_logger::Target::Stderr)
        .format_target(false)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(a) => serve::run(a),
        Command::Timeline { store, student, json } => query::timeline(&store, student.as_deref(), json),
        Command::Students { store, json } => query::students(&store, json),
        Command::Reindex { store } => query::reindex(&store),
        Command::Simulate(a) => simulate::run(a),
        Command::Sessions(a) => sessions::sessions(a),
        Command::Attendance(a) => sessions::attendance(a),
        Command::Collect(a) => handin::collect(a),
        Command::Export(a) => handin::export(a),
        Command::Erase(a) => handin::erase(a),
        Command::Thin(a) => handin::thin(a),
        Command::Merge(a) => identity::merge(a),
        Command::Split(a) => identity::split(a),
        Command::Say(a) => tell::say(a),
        Command::Announce(a) => tell::announce(a),
        Command::Request(a) => tell::request(a),
        Command::Hand(a) => tell::hand(a),
        Command::Pin(a) => pin::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pracownia: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Unix ms as RFC 3339 (UTC, milliseconds).
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}
