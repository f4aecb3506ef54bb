//! `pracownia simulate`: a class of simulated students.

use pracownia_simulate::{self as simulate, SimConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The lecturer's address, e.g. tcp://127.0.0.1:5570.
    #[arg(long)]
    connect: String,
    #[arg(long, default_value_t = 5)]
    students: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 60.0)]
    duration: f64,
    /// Seconds between screenshots (0: none).
    #[arg(long, default_value_t = 10.0)]
    screenshot_every: f64,
    /// Screenshot size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x720", value_parser = parse_size)]
    screenshot_size: (u32, u32),
    /// Seconds between chat messages (0: none).
    #[arg(long, default_value_t = 20.0)]
    chat_every: f64,
    /// Seconds between .blend copies (0: none).
    #[arg(long, default_value_t = 30.0)]
    blend_every: f64,
    /// Size of each .blend copy in bytes.
    #[arg(long, default_value_t = 2 << 20)]
    blend_size: u64,
    #[arg(long)]
    class_code: Option<String>,
    /// The lecturer's public key (base64url, as after `key=` in the join string or on
    /// `serve --encrypt`'s "server key:" line): the class is encrypted, each seat with its own
    /// key pair.
    // A key may begin with '-' (base64url): still a value, not an option.
    #[arg(long, allow_hyphen_values = true)]
    server_key: Option<String>,
    /// Bytes per chunk.
    #[arg(long, default_value_t = pracownia_core::protocol::CHUNK_SIZE)]
    chunk_size: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or("expected WIDTHxHEIGHT, e.g. 1920x1080")?;
    let p = |v: &str| v.trim().parse::<u32>().ok().filter(|n| (1..=16384).contains(n));
    match (p(w), p(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err("expected WIDTHxHEIGHT with each side between 1 and 16384".into()),
    }
}

fn every(secs: f64) -> Result<Option<Duration>, String> {
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("{secs} is not a number of seconds"));
    }
    Ok((secs > 0.0).then(|| Duration::from_secs_f64(secs)))
}

pub fn run(a: Args) -> Result<(), String> {
    if !a.connect.starts_with("tcp://") {
        return Err(format!("{:?} is not an address like tcp://127.0.0.1:5570.", a.connect));
    }
    if a.students == 0 || a.students > 1000 {
        return Err("--students must be between 1 and 1000.".into());
    }
    if a.chunk_size == 0 || a.chunk_size > 8 << 20 {
        return Err("--chunk-size must be between 1 byte and 8 MiB.".into());
    }
    if a.blend_size < 16 {
        return Err("--blend-size must be at least 16 bytes.".into());
    }
    let mut cfg = SimConfig::new(a.connect, a.students);
    cfg.duration = every(a.duration)?.ok_or("--duration must be more than 0 seconds")?;
    cfg.screenshot_every = every(a.screenshot_every)?;
    cfg.screenshot_size = a.screenshot_size;
    cfg.chat_every = every(a.chat_every)?;
    cfg.blend_every = every(a.blend_every)?;
    cfg.blend_size = a.blend_size;
    cfg.class_code = a.class_code;
    cfg.server_key = match &a.server_key {
        Some(k) => Some(
            pracownia_core::keys::decode_key(k.trim())
                .ok_or("--server-key must be the 43 characters after key= in the join string")?,
        ),
        None => None,
    };
    cfg.chunk_size = a.chunk_size;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .map_err(|e| format!("cannot handle Ctrl+C: {e}"))?;
    }
    log::info!(
        "{} simulated students sending to {} for {:.0} s",
        cfg.students,
        cfg.connect,
        cfg.duration.as_secs_f64()
    );
    let r = simulate::run(&cfg, stop);
    if a.json {
        println!("{}", serde_json::to_string(&r).expect("the report serialises"));
    } else {
        println!(
            "sent {} messages: {} chats, {} screenshots, {} blends, {} bytes of files",
            r.messages, r.chats, r.screenshots, r.blends, r.bytes
        );
    }
    match r.errors.first() {
        None => Ok(()),
        Some(first) => Err(format!("{} of the simulated students failed; the first: {first}", r.errors.len())),
    }
}
