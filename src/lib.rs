//! vassalrun: a daemonless container runtime for uWSGI Emperor vassals.
//!
//! - [`spec`]: Docker-style configuration → OCI runtime spec.
//! - [`runtime`]: images, rootfs and container lifecycle.
//! - [`network`]: bridge, addresses, veth pairs, nftables port mapping.
//! - [`modules`]: run modules that add `docker run` arguments before the spec is built.
//! - [`config`]: settings from `/etc/vassalrun/config.toml`, environment and flags.
//! - [`docker`]: the docker-compatible entry's version, info, pull and image inspect.
//! - [`cli`]: the command line.

pub mod cli;
pub mod config;
pub mod docker;
pub mod modules;
pub mod network;
pub mod runtime;
pub mod spec;
