//! The spec pipeline: Docker-style container configuration (Engine API JSON,
//! `docker run` flags, a vassal's `docker-*` attributes) becomes an OCI runtime
//! spec, faithful to Docker's defaults.
//!
//! Flow: a front door fills a [`model::CreateRequest`]; the runtime gathers a
//! [`context::SpecContext`]; [`build::build_spec`] merges, validates and builds.

pub mod build;
pub mod caps;
pub mod context;
pub mod defaults;
pub mod env;
pub mod error;
pub mod host;
pub mod image;
pub mod logging;
pub mod model;
pub mod mounts;
pub mod namespaces;
pub mod ports;
pub mod resources;
pub mod run_flags;
pub mod seccomp;
pub mod security;
pub mod units;
pub mod user;

pub use build::{build_spec, build_spec_json};
pub use context::{HostFacts, SpecContext};
pub use error::SpecError;
pub use model::{ContainerConfig, CreateRequest, HostConfig};
