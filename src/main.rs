use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(code) = hook_shim() {
        return code;
    }
    if vassalrun::emperor::invoked_by_emperor() {
        // Before any reset: a vassal without an image gets the Emperor's
        // dispositions untouched.
        return vassalrun::cli::emperor_cmd::main(restore_default_signals);
    }
    restore_default_signals();
    vassalrun::cli::main()
}

/// The hook-state shim (see `vassalrun::oci::hook_state`), selected by its
/// program name; first, so the hook keeps every disposition it inherited.
fn hook_shim() -> Option<ExitCode> {
    let args: Vec<_> = std::env::args_os().collect();
    let arg0 = std::path::Path::new(args.first()?).file_name()?;
    (arg0 == vassalrun::oci::hook_state::SHIM_ARG0)
        .then(|| ExitCode::from(vassalrun::oci::hook_state::shim_main(args)))
}

/// Ignored signals stay ignored across exec, so whatever our parent ignored (and
/// Rust's own SIGPIPE) would be ignored by every container process. Start clean,
/// as a freshly booted init would. This also ends `vassalrun ps | head` quietly.
/// (glibc reserves 32 and 33 and refuses to change them; they are skipped.)
fn restore_default_signals() {
    for signal in 1..=nix::libc::SIGRTMAX() {
        if matches!(signal, nix::libc::SIGKILL | nix::libc::SIGSTOP | 32 | 33) {
            continue;
        }
        // SAFETY: no other thread exists yet, and SIG_DFL installs no handler.
        unsafe {
            nix::libc::signal(signal, nix::libc::SIG_DFL);
        }
    }
}
