//! Frames → the socket thread's checks (parse, class-code MAC, pinning) → the worker (freshness,
//! rates, identity, presence, store, chunk reassembly) → completed files checked and placed, in
//! a fresh store per input. Input format: `pracownia_core::receiver::fuzzing::run_message_input`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pracownia_core::receiver::fuzzing::{process_scratch_dir, run_message_input};

fuzz_target!(|data: &[u8]| {
    run_message_input(data, process_scratch_dir());
});
