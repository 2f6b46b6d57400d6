//! Attaching to a running container: the protocol its monitor speaks on the
//! container's attach socket, the monitor's side (a bounded queue per client)
//! and the client's side (`attach`, `start -a`, a foreground `run`).

pub mod client;
pub mod clients;
pub mod detach_keys;
pub mod protocol;
pub mod socket;
pub mod terminal;
