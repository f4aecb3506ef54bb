//! `pracownia serve`: the receiver, its events logged to stderr.

use pracownia_core::events::Event;
use pracownia_core::keys::{encode_key, ServerKeys};
use pracownia_core::protocol::join::join_string;
use pracownia_core::protocol::DEFAULT_PORT;
use pracownia_core::receiver::{Config, Receiver};
use pracownia_core::text::{inert_opt, Inert};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Folder where everything students send is kept.
    #[arg(long)]
    store: PathBuf,
    /// Port of the return path, on which the lecturer answers students (protocol 1.1;
    /// default: --port + 1; 0 picks a free one).
    #[arg(long)]
    return_port: Option<u16>,
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    bind: String,
    /// Only accept messages signed with this class code.
    #[arg(long)]
    class_code: Option<String>,
    /// Encrypt the class (CurveZMQ) and pin each student to its first key. Students need the
    /// join string printed at start, which carries the lecturer's public key.
    #[arg(long)]
    encrypt: bool,
    /// The lecturer's key pair (made on first use, owner-only). Default: the store's
    /// .pracownia/server-key.json.
    #[arg(long, requires = "encrypt")]
    key_file: Option<PathBuf>,
    /// Minutes after which an unfinished transfer is given up.
    #[arg(long, default_value_t = 10)]
    transfer_timeout_min: u64,
    /// Refuse new files when free disk space would fall under this many MiB.
    #[arg(long, default_value_t = 1024)]
    free_disk_floor_mib: u64,
}

pub fn run(a: Args) -> Result<(), String> {
    let store = a.store.clone();
    let mut cfg = Config::new(a.store);
    cfg.port = a.port;
    cfg.bind = a.bind.clone();
    cfg.return_port = a.return_port;
    cfg.class_code = a.class_code.clone();
    if a.encrypt {
        let path = a.key_file.clone().unwrap_or_else(|| default_key_file(&store));
        cfg.server_key = Some(ServerKeys::load_or_create(&path).map_err(|e| e.to_string())?);
        log::info!("class traffic is encrypted; the lecturer's key is in {}", path.display());
    }
    let server_public = cfg.server_key.as_ref().map(|k| k.public);
    cfg.transfer_timeout = Duration::from_secs(a.transfer_timeout_min * 60);
    cfg.limits.free_disk_floor = a.free_disk_floor_mib << 20;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .map_err(|e| format!("cannot handle Ctrl+C: {e}"))?;
    }
    let rx = Receiver::start(cfg).map_err(|e| e.to_string())?;
    // The one line on stdout: scripts and tests wait for it.
    println!("listening on tcp://{}:{}", a.bind, rx.port());
    if let Some(key) = &server_public {
        // Scripts and tests read these too; the key is public (students need it).
        let unspecified = a.bind.parse::<std::net::IpAddr>().map(|ip| ip.is_unspecified()).unwrap_or(false);
        let host = if unspecified { "localhost" } else { a.bind.as_str() };
        println!("server key: {}", encode_key(key));
        println!("join: {}", join_string(host, rx.port(), a.class_code.as_deref().unwrap_or(""), Some(key)));
        if unspecified {
            log::info!("students on other computers use this computer's network address instead of localhost");
        }
    }
    log::info!("return path (the lecturer's answers) on tcp://{}:{}", a.bind, rx.return_port());
    log::info!("storing in {}; press Ctrl+C to stop", store.display());
    while !stop.load(Ordering::SeqCst) {
        if let Ok(e) = rx.events().recv_timeout(Duration::from_millis(200)) {
            log_event(&e);
        }
    }
    log::info!("stopping: finishing writes in progress");
    let stats = rx.stats();
    rx.stop();
    log::info!("stopped after {} messages, {} files, {} chats", stats.messages, stats.files, stats.chats);
    if !stats.wrong_code.is_empty() {
        // Logins and hosts from refused, unsigned headers: the receiver made them inert already.
        let who: Vec<String> = stats
            .wrong_code
            .iter()
            .map(|s| match &s.host {
                Some(h) => format!("{} on {h} ×{}", s.login, s.count),
                None => format!("{} ×{}", s.login, s.count),
            })
            .collect();
        log::warn!("a wrong class code (bad_mac) was used by: {}", who.join(", "));
    }
    Ok(())
}

/// Where `--encrypt` keeps the lecturer's key pair unless `--key-file` says otherwise.
pub fn default_key_file(store: &std::path::Path) -> PathBuf {
    store.join(pracownia_core::store::META_DIR).join("server-key.json")
}

/// Every string here may come from a student (a login, chat, host name, a refusal's detail quoting
/// what was sent), so each is shown [`Inert`]: a terminal must not obey what a student typed.
fn log_event(e: &Event) {
    match e {
        Event::StudentJoined { login, host, .. } => {
            let from = host.as_ref().map(|_| format!(" from {}", inert_opt(host))).unwrap_or_default();
            log::info!("{} joined{from}", Inert(login))
        }
        Event::StudentIdle { login, .. } => log::info!("{} is idle", Inert(login)),
        Event::StudentActive { login, .. } => log::info!("{} is active again", Inert(login)),
        Event::Sharing { login, paused: true, .. } => log::info!("{} paused sharing", Inert(login)),
        Event::Sharing { login, paused: false, .. } => log::info!("{} is sharing again", Inert(login)),
        Event::StudentLeft { login, reason, .. } => log::info!("{} left ({})", Inert(login), reason.as_str()),
        Event::LoginShared { login, students, .. } => {
            log::warn!(
                "login \"{}\" is used by {} different students; they are kept apart",
                Inert(login),
                students.len()
            )
        }
        Event::LoginChanged { login, previous_login, host, .. } => log::warn!(
            "seat {}: {} → {} (kept apart from {})",
            Inert(host.as_deref().unwrap_or("?")),
            Inert(previous_login),
            Inert(login),
            Inert(previous_login)
        ),
        Event::Chat { login, text, .. } => log::info!("{}: {}", Inert(login), Inert(text)),
        Event::Hand { login, raised, .. } => {
            log::info!("{} {} a hand", Inert(login), if *raised { "raised" } else { "lowered" })
        }
        Event::Progress { .. } | Event::Stats { .. } => {}
        Event::FileStored { login, kind, path, size, .. } => {
            log::info!("{}: stored {} {} ({size} bytes)", Inert(login), kind.as_str(), Inert(path))
        }
        Event::Incomplete { login, kind, received, size, .. } => {
            log::warn!("{}: a {} stopped arriving ({received} of {size} bytes); discarded", Inert(login), kind.as_str())
        }
        Event::Rejected { login, reason, detail, .. } => {
            log::warn!("{}: refused ({reason}): {}", Inert(login.as_deref().unwrap_or("?")), Inert(detail))
        }
        Event::Error { message, .. } => log::error!("{}", Inert(message)),
        Event::ReturnRegistered { login, .. } => log::info!("{} can now get your messages at once", Inert(login)),
        Event::MessageQueued { login, kind, online, .. } => {
            log::info!("{kind} for {} queued{}", Inert(login), if *online { " (online: delivering now)" } else { "" })
        }
        Event::MessageDelivery { login, kind, delivery, .. } => {
            log::info!("{kind} to {}: {}", Inert(login), delivery.as_str())
        }
        Event::RequestAnswered { login, status, text, .. } => log::info!(
            "{} answered the request: {}{}",
            Inert(login),
            status.as_str(),
            text.as_ref().map(|_| format!(" ({})", inert_opt(text))).unwrap_or_default()
        ),
    }
}
