//! Bytes → a received screenshot's checks as the images thread runs them (header probe, decode
//! within the default limits, thumbnail) and a .blend's magic: `run_image_input`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pracownia_core::receiver::fuzzing::{process_scratch_dir, run_image_input};

fuzz_target!(|data: &[u8]| {
    run_image_input(data, process_scratch_dir());
});
