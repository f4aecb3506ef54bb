//! Pracownia core: everything but the GUI.

pub mod index;
pub mod model;
pub mod store;
