//! Docker flags vassalrun deliberately lacks. Each gets its own one-line
//! message naming the alternative (exit 125, like any bad input), so it is
//! not mistaken for a typo. docs/docker-compat.md lists them too.

/// Flags (long form, as typed) and why they are missing.
const LACKING: [(&[&str], &str); 9] = [
    (
        &["--restart"],
        "restart policies are not supported: the uWSGI Emperor respawns vassals; run other containers from a systemd unit with Restart=",
    ),
    (
        &[
            "--health-cmd",
            "--health-interval",
            "--health-retries",
            "--health-timeout",
            "--health-start-period",
            "--health-start-interval",
            "--no-healthcheck",
        ],
        "health checks are not supported: use uWSGI's own checks (harakiri, the Emperor's heartbeat) or a systemd watchdog",
    ),
    (
        &["--disable-content-trust"],
        "image signatures are not checked: pull by digest (NAME@sha256:...) to pin the exact image",
    ),
    (
        &["--link", "--network-alias", "--link-local-ip"],
        "container links and aliases are not supported: use the container's address or --add-host NAME:IP",
    ),
    (
        &["--ip6", "--mac-address"],
        "IPv6 and fixed MAC addresses are not supported on vassalrun's bridge",
    ),
    (
        &["--volumes-from", "--volume-driver"],
        "volumes are not supported: bind a host directory with -v /host/dir:/container/dir",
    ),
    (
        &["--device", "--device-cgroup-rule", "--gpus"],
        "device flags are not supported: --privileged gives the container the host's devices",
    ),
    (
        &["--userns", "--runtime", "--isolation", "--storage-opt"],
        "not supported: vassalrun runs every container itself, without user namespaces or storage drivers",
    ),
    (
        &["--attach"],
        "not supported: a foreground run attaches stdout and stderr, and stdin with -i",
    ),
];

/// The message for a lacking flag (`--restart`, `--restart=always`), if it is one.
pub fn message(arg: &str) -> Option<String> {
    let flag = arg.split('=').next().unwrap_or(arg);
    LACKING
        .iter()
        .find(|(flags, _)| flags.contains(&flag))
        .map(|(_, why)| format!("{flag}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn test_message_names_flag_and_alternative() {
        let m = message("--restart=always").unwrap();
        assert!(m.starts_with("--restart: ") && m.contains("Emperor"), "{m}");
        assert!(message("--health-cmd").unwrap().contains("health checks"));
        assert_eq!(message("--bogus"), None);
    }
}
