//! vassalrun as a uWSGI Emperor wrapper (`uwsgi --emperor DIR
//! --emperor-wrapper vassalrun`): each vassal whose `[emperor]` section names
//! a `docker-image` runs in its own container, as the wrapper's descendant, so
//! the Emperor's fds reach it and it dies with the wrapper; other vassals run
//! on the host as if there were no wrapper.
//!
//! - [`invocation`]: what the Emperor passes (argv, env, fds).
//! - [`ini`], [`source`]: the vassal's attributes.
//! - [`attributes`]: `docker-*` attributes → `docker run` flags.
//! - [`fds`], [`socket`]: the fds the container gets.
//! - [`files`]: the vassal's own files, the only ones of the Emperor's it sees.
//! - [`wrapper`]: the whole spawn, and the container's life
//!   ([`crate::runtime::lifecycle::inline`]).

pub mod attributes;
pub mod error;
pub mod fds;
pub mod files;
pub mod ini;
pub mod invocation;
pub mod relay;
pub mod socket;
pub mod socket_access;
pub mod source;
pub mod wrapper;

/// Whether the Emperor started this process as its wrapper.
pub fn invoked_by_emperor() -> bool {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let fd = std::env::var(invocation::EMPEROR_FD_ENV).ok();
    invocation::is_emperor_spawn(&args, fd.as_deref())
}

/// A wrapper log line: `[vassalrun] NAME: message` on stderr (the Emperor's log).
pub fn log(vassal: &str, message: impl std::fmt::Display) {
    let text = message.to_string().replace('\n', " ");
    let (vassal, text) = (
        crate::untrusted::escape_controls(vassal),
        crate::untrusted::escape_controls(&text),
    );
    eprintln!("[vassalrun] {vassal}: {text}");
}
