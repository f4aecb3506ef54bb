//! Pracownia's core: the wire protocol, the receiver with verified chunk reassembly, the
//! per-student store and its index. No GUI dependencies: the Tauri app and the `pracownia` CLI
//! are thin layers over this crate.

pub mod events;
pub mod fdlimit;
pub mod handin;
pub mod index;
pub mod keys;
pub mod limits;
pub mod lookalike;
pub mod media;
pub mod model;
pub mod pins;
pub mod protocol;
pub mod reassembly;
pub mod receiver;
pub mod reject;
pub mod store;
pub mod student;
pub mod text;
