//! Quick variants of benchmark items 1 and 3, run by `cargo test --workspace`: they assert that
//! nothing is lost or corrupted, never a speed (timings belong to `bench/run.sh`).

use pracownia_bench::class::{self, ClassConfig};
use pracownia_bench::ingest::{self, Volume};
use pracownia_bench::seat::Pattern;
use pracownia_bench::MIB;
use std::time::Duration;

#[test]
fn smoke_ingest_stores_every_chunked_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let p = Pattern::new((3 * MIB) as usize + 17, 1);
    // Sizes that do not divide by the chunk: the last chunk is short.
    let v = Volume { files: 4, file_size: 2 * MIB + 12_345 };
    let r = ingest::pracownia(&dir.path().join("store"), &p, 256 << 10, v, true);
    assert_eq!(r.stored, 4, "every file stored");
    assert_eq!(r.verified, 4, "every stored file hashes to what was sent");
}

/// The ingest benchmark's encrypted mode (item 6): the same files, intact, over CURVE.
#[test]
fn smoke_ingest_over_curve_stores_every_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let p = Pattern::new((3 * MIB) as usize + 17, 2);
    let v = Volume { files: 3, file_size: 2 * MIB + 999 };
    let r = ingest::pracownia_with(&dir.path().join("store"), &p, 256 << 10, v, true, true);
    assert_eq!((r.stored, r.verified), (3, 3));
}

#[test]
fn smoke_class_loses_nothing() {
    class_loses_nothing(None);
}

/// The load test's class, encrypted: each seat its own key pair, every seat pinned.
#[test]
fn smoke_encrypted_class_loses_nothing() {
    class_loses_nothing(Some(pracownia_core::keys::ServerKeys::generate().unwrap()));
}

fn class_loses_nothing(server: Option<pracownia_core::keys::ServerKeys>) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let public = server.as_ref().map(|k| k.public);
    let rx = ingest::start_receiver(&store, server);
    let endpoint = rx.endpoint().to_owned();
    let c = ClassConfig {
        students: 8,
        duration: Duration::from_secs(3),
        shot_every: Some(Duration::from_secs(1)),
        shot_size: (320, 180),
        chat_every: Some(Duration::from_millis(800)),
        blend_every: Some(Duration::from_millis(1500)),
        blend_size: MIB + 7,
        chunk: 256 << 10,
        poll: Duration::from_millis(10),
        verify_on_disk: true,
        drain: Duration::from_secs(30),
        phase: pracownia_simulate::Phase::Spread,
        server_key: public,
    };
    let r = class::run(&c, &endpoint, &store);
    if public.is_some() {
        let pins = pracownia_core::pins::Pins::open(&store).unwrap().all();
        assert_eq!(pins.len(), c.students, "every seat pinned to its key");
    }
    rx.stop();
    assert!(r.errors.is_empty(), "seat errors: {:?}", r.errors);
    assert!(r.sent_chats >= 8 && r.sent_shots >= 8 && r.sent_blends >= 8, "{r:?}");
    assert_eq!((r.stored_chats, r.stored_shots, r.stored_blends), (r.sent_chats, r.sent_shots, r.sent_blends));
    assert_eq!(r.missing, 0);
    assert_eq!(r.corrupt, 0);
    assert_eq!(r.verified_on_disk, r.sent_shots + r.sent_blends);
    assert_eq!((r.rejected, r.incomplete), (0, 0));
}
