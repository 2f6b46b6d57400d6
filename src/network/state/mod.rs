//! vassalrun's network state under the run dir: the one lock every network
//! change holds, and the endpoints (address leases and published ports) it
//! protects, one file per fact ([`registry`]). This state is the truth the
//! firewall table is rebuilt from.

pub mod endpoint;
pub mod ipam;
pub mod lock;
pub mod registry;
pub mod store;

pub use endpoint::{Endpoint, PortMap, Proto};
pub use lock::NetLock;
pub use registry::Registry;
pub use store::NetState;
