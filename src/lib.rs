//! vassalrun: a daemonless container runtime for uWSGI Emperor vassals.
//!
//! - [`spec`]: Docker-style configuration → OCI runtime spec.
//! - [`runtime`]: images, rootfs and container lifecycle.
//! - [`network`]: bridge, addresses, veth pairs, nftables port mapping.
//! - [`modules`]: run modules that add `docker run` arguments before the spec is built.
//! - [`config`]: settings from `/etc/vassalrun/config.toml`, environment and flags.
//! - [`emperor`]: the uWSGI Emperor wrapper (`--emperor-wrapper vassalrun`).
//! - [`docker`]: the docker-compatible entry's version, info, pull and image inspect.
//! - [`cli`]: the command line.
//! - [`oci`]: OCI runtime mode (runc's command grammar).

pub mod cli;
pub mod config;
pub mod docker;
pub mod emperor;
pub mod modules;
pub mod network;
pub mod oci;
pub mod runtime;
pub mod spec;
pub mod untrusted;

#[cfg(test)]
mod prop_tests;
