//! vassalrun: a daemonless container runtime for uWSGI Emperor vassals.
//!
//! - [`spec`]: Docker-style configuration → OCI runtime spec.
//! - [`runtime`]: images, rootfs and container lifecycle.
//! - [`config`]: settings from `/etc/vassalrun/config.toml`, environment and flags.
//! - [`cli`]: the command line.
//! - [`oci`]: OCI runtime mode (runc's command grammar).

pub mod cli;
pub mod config;
pub mod oci;
pub mod runtime;
pub mod spec;
