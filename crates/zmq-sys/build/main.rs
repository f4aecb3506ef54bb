//! Patched build script: the upstream one calls `.with_libsodium(None)`, which
//! leaves CURVE out of libzmq. Here libzmq is built against the static
//! libsodium that `libsodium-sys-stable` (a normal dependency with
//! `links = "sodium"`) built or found, so `zmq::has("curve")` is true.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn sodium_location() -> zeromq_src::LibLocation {
    // Set by libsodium-sys-stable's build script (`cargo:include=` / `cargo:lib=`).
    // Without the include dir CURVE cannot be built: fail loudly instead of
    // silently producing a libzmq without it.
    let include = PathBuf::from(
        env::var_os("DEP_SODIUM_INCLUDE")
            .expect("DEP_SODIUM_INCLUDE not set: libsodium-sys-stable must export its include dir"),
    );
    // On Windows libsodium-sys-stable reports no lib dir (it adds the link
    // search path itself, which reaches the final link anyway), so any
    // existing directory will do for zeromq-src's extra search path.
    let lib = env::var_os("DEP_SODIUM_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| include.clone());
    let include = if env::var("TARGET").unwrap_or_default().contains("msvc") {
        msvc_include_shim(&include)
    } else {
        include
    };
    zeromq_src::LibLocation::new(lib, include)
}

/// zeromq-src on MSVC copies `<include>/../../../builds/msvc/version.h` over
/// `<include>/sodium/version.h`, assuming libsodium's source tree. The
/// prebuilt libsodium has no such tree, so give it a copy of the headers at
/// `OUT_DIR/sodium-shim/a/b/include` with the real version.h placed where
/// that path points. (Not exercised by CI, which is Linux only.)
fn msvc_include_shim(include: &Path) -> PathBuf {
    let shim = PathBuf::from(env::var("OUT_DIR").unwrap()).join("sodium-shim");
    let shim_include = shim.join("a").join("b").join("include");
    copy_dir(include, &shim_include);
    let msvc = shim.join("builds").join("msvc");
    fs::create_dir_all(&msvc).unwrap();
    fs::copy(include.join("sodium").join("version.h"), msvc.join("version.h")).unwrap();
    shim_include
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            fs::copy(entry.path(), dest).unwrap();
        }
    }
}

pub fn configure() {
    println!("cargo:rerun-if-changed=build/main.rs");
    println!("cargo:rerun-if-env-changed=PROFILE");

    zeromq_src::Build::new()
        .with_libsodium(Some(sodium_location()))
        .build();
}

fn main() {
    configure()
}
