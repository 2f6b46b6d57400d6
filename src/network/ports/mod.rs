//! Published ports: Docker's `PortBindings` turned into concrete mappings
//! (ranges expanded, empty host ports given a free ephemeral port), checked
//! against other containers' mappings and against host processes' sockets.

pub mod assign;
pub mod probe;
pub mod request;

pub use assign::{assign, PortOwners};
pub use probe::{BindProbe, PortProbe};
pub use request::{requests, PortRequest};
