//! What several test files do with a `pracownia serve` they started: read the port from its one
//! line on stdout, and stop it with SIGTERM. Each test binary uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The port of `listening on tcp://ADDR:PORT`, the first line serve prints when ready.
pub fn listening_port(child: &mut Child) -> u16 {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    line.trim().rsplit(':').next().unwrap().parse().unwrap_or_else(|_| panic!("{line:?}"))
}

/// SIGTERM, wait (bounded) for the exit, and return what serve wrote on stderr.
pub fn stop(mut child: Child) -> String {
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "serve did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    err
}
