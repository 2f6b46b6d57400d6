//! Container networking: the `bridge` mode's bridge, address leases, veth
//! pairs and nftables port mapping; loopback for `none`; the donor's
//! namespace for `container:NAME`.
//!
//! - [`setup`]: attach a created container (after `create`, before `start`).
//! - [`teardown`]: detach it (container exit, `rm`), tolerant of missing pieces.
//! - [`gc`]: release what no live container owns; rebuild the table (`network reload`).
//! - [`state`]: the lock and the state file that are the truth.
//! - [`netlink`], [`firewall`], [`ports`]: the kernel-facing parts.

pub mod default_subnet;
pub mod donor;
pub mod error;
pub mod firewall;
pub mod gc;
pub mod hosts;
pub mod netlink;
pub mod ports;
pub mod settings;
pub mod setup;
pub mod state;
pub mod summary;
pub mod teardown;

pub use error::NetworkError;
