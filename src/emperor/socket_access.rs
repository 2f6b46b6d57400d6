//! Who may connect to a `docker-socket` UNIX socket: uWSGI's own
//! `chmod-socket` and `chown-socket`, as for any socket uWSGI binds.
//!
//! The old plugin bound the socket inside the Emperor with the Emperor's
//! `chmod-socket`; operators also set it in the vassal. Both are honoured,
//! the most specific first: `docker-socket-mode`, then the vassal's `[uwsgi]`
//! options, then the Emperor's (its command line, the `[uwsgi]` section of
//! its `--ini` files, its `UWSGI_CHMOD_SOCKET`/`UWSGI_CHOWN_SOCKET`).
//! `chmod-socket` without a value means 666, as in uWSGI.

use std::path::Path;

use super::ini::section_entries;

/// uWSGI's mode for a bare `chmod-socket`.
const BARE_CHMOD: u32 = 0o666;

/// The options found in one place.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SocketAccess {
    /// `chmod-socket` (octal).
    pub mode: Option<u32>,
    /// `chown-socket`: `user[:group]`.
    pub owner: Option<String>,
}

impl SocketAccess {
    /// `self`, with what it lacks taken from `fallback`.
    pub fn or(self, fallback: SocketAccess) -> SocketAccess {
        SocketAccess {
            mode: self.mode.or(fallback.mode),
            owner: self.owner.or(fallback.owner),
        }
    }

    /// From `key = value` pairs of a `[uwsgi]` section (the last one wins,
    /// as uWSGI keeps the last value of a single option).
    pub fn from_entries(entries: &[(String, String)]) -> Result<SocketAccess, String> {
        let mut access = SocketAccess::default();
        for (key, value) in entries {
            access.set(key, Some(value))?;
        }
        Ok(access)
    }

    fn set(&mut self, key: &str, value: Option<&str>) -> Result<(), String> {
        match key {
            "chmod-socket" => self.mode = Some(parse_mode(value)?),
            "chown-socket" => {
                let value = value.unwrap_or_default();
                if value.is_empty() {
                    return Err("chown-socket: empty".to_string());
                }
                self.owner = Some(value.to_string());
            }
            _ => {}
        }
        Ok(())
    }

    /// The Emperor's options: its argv (`--chmod-socket[=N]`, `-C[N]`,
    /// `--chown-socket X`), the `[uwsgi]` section of its `--ini` files, and
    /// `env`'s `UWSGI_CHMOD_SOCKET`/`UWSGI_CHOWN_SOCKET`, in that order of
    /// precedence.
    pub fn of_emperor(
        argv: &[String],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<SocketAccess, String> {
        let mut from_argv = SocketAccess::default();
        let mut from_files = SocketAccess::default();
        let mut args = argv.iter().skip(1).peekable();
        while let Some(arg) = args.next() {
            let (option, inline) = match arg.split_once('=') {
                Some((o, v)) if o.starts_with("--") => (o, Some(v)),
                _ => (arg.as_str(), None),
            };
            match option {
                "--chmod-socket" => from_argv.set("chmod-socket", inline)?,
                "-C" => from_argv.set("chmod-socket", None)?,
                short if short.starts_with("-C") && !short.starts_with("--") => {
                    from_argv.set("chmod-socket", Some(&short[2..]))?
                }
                "--chown-socket" => {
                    let value = inline.map(str::to_string).or_else(|| args.next().cloned());
                    from_argv.set("chown-socket", value.as_deref())?
                }
                "--ini" => {
                    let file = inline.map(str::to_string).or_else(|| args.next().cloned());
                    if let Some(file) = file {
                        from_files = ini_access(Path::new(&file))?.or(from_files);
                    }
                }
                bare if bare.ends_with(".ini") && !bare.starts_with('-') => {
                    from_files = ini_access(Path::new(bare))?.or(from_files);
                }
                _ => {}
            }
        }
        let mut from_env = SocketAccess::default();
        if let Some(value) = env("UWSGI_CHMOD_SOCKET") {
            from_env.set("chmod-socket", Some(&value))?;
        }
        if let Some(value) = env("UWSGI_CHOWN_SOCKET") {
            from_env.set("chown-socket", Some(&value))?;
        }
        Ok(from_argv.or(from_files).or(from_env))
    }

    /// The Emperor's options, read from its process (our parent).
    pub fn of_parent() -> Result<SocketAccess, String> {
        let parent = nix::unistd::getppid();
        let argv: Vec<String> = std::fs::read(format!("/proc/{parent}/cmdline"))
            .unwrap_or_default()
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let env = |key: &str| std::env::var(key).ok();
        SocketAccess::of_emperor(&argv, &env).map_err(|e| format!("the Emperor's {e}"))
    }

    /// Applies the mode and owner to the socket file at `path`.
    pub fn apply(&self, path: &Path) -> Result<(), String> {
        if let Some(mode) = self.mode {
            std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode))
                .map_err(|e| format!("chmod {mode:o}: {e}"))?;
        }
        if let Some(owner) = &self.owner {
            let (uid, gid) = resolve_owner(owner)?;
            std::os::unix::fs::chown(path, Some(uid), gid)
                .map_err(|e| format!("chown {owner}: {e}"))?;
        }
        Ok(())
    }
}

/// `chmod-socket`'s value: none or empty → 666, else octal.
fn parse_mode(value: Option<&str>) -> Result<u32, String> {
    match value.unwrap_or_default() {
        "" => Ok(BARE_CHMOD),
        text => u32::from_str_radix(text, 8)
            .ok()
            .filter(|m| *m <= 0o7777)
            .ok_or_else(|| format!("chmod-socket: {text:?}: expected an octal mode such as 660")),
    }
}

/// The `[uwsgi]` socket options of an ini file (unreadable: none).
fn ini_access(path: &Path) -> Result<SocketAccess, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    SocketAccess::from_entries(&section_entries(&text, "uwsgi"))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `user[:group]` (names or numbers) on the host → uid and gid.
fn resolve_owner(owner: &str) -> Result<(u32, Option<u32>), String> {
    let (user, group) = match owner.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (owner, None),
    };
    let uid = match user.parse::<u32>() {
        Ok(uid) => uid,
        Err(_) => nix::unistd::User::from_name(user)
            .ok()
            .flatten()
            .map(|u| u.uid.as_raw())
            .ok_or_else(|| format!("chown-socket: {user:?}: no such user"))?,
    };
    let gid = match group {
        None => None,
        Some(g) => Some(match g.parse::<u32>() {
            Ok(gid) => gid,
            Err(_) => nix::unistd::Group::from_name(g)
                .ok()
                .flatten()
                .map(|g| g.gid.as_raw())
                .ok_or_else(|| format!("chown-socket: {g:?}: no such group"))?,
        }),
    };
    Ok((uid, gid))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn test_bare_chmod_socket_is_666() {
        let access = SocketAccess::of_emperor(&args(&["uwsgi", "--chmod-socket"]), &none);
        assert_eq!(access.unwrap().mode, Some(0o666));
        let access = SocketAccess::of_emperor(&args(&["uwsgi", "-C"]), &none).unwrap();
        assert_eq!(access.mode, Some(0o666));
        let access = SocketAccess::of_emperor(&args(&["uwsgi", "-C660"]), &none).unwrap();
        assert_eq!(access.mode, Some(0o660));
    }

    #[test]
    fn test_emperor_argv_over_ini_over_env() {
        let dir = tempfile::tempdir().unwrap();
        let ini = dir.path().join("emperor.ini");
        std::fs::write(&ini, "[uwsgi]\nchmod-socket = 640\nchown-socket = 0:0\n").unwrap();
        let ini = ini.display().to_string();
        let env = |k: &str| (k == "UWSGI_CHMOD_SOCKET").then(|| "600".to_string());
        let access =
            SocketAccess::of_emperor(&args(&["uwsgi", "--ini", &ini, "--chmod-socket=660"]), &env)
                .unwrap();
        assert_eq!(access.mode, Some(0o660));
        assert_eq!(access.owner.as_deref(), Some("0:0"));
        let access = SocketAccess::of_emperor(&args(&["uwsgi", &ini]), &env).unwrap();
        assert_eq!(access.mode, Some(0o640));
        let access = SocketAccess::of_emperor(&args(&["uwsgi"]), &env).unwrap();
        assert_eq!(access.mode, Some(0o600));
        let access =
            SocketAccess::of_emperor(&args(&["uwsgi", "--chown-socket", "www-data"]), &none);
        assert_eq!(access.unwrap().owner.as_deref(), Some("www-data"));
    }

    #[test]
    fn test_vassal_over_emperor_and_bad_values() {
        let entries = vec![("chmod-socket".to_string(), String::new())];
        let vassal = SocketAccess::from_entries(&entries).unwrap();
        let emperor = SocketAccess {
            mode: Some(0o600),
            owner: Some("1:1".into()),
        };
        let both = vassal.or(emperor);
        assert_eq!(both.mode, Some(0o666));
        assert_eq!(both.owner.as_deref(), Some("1:1"));
        let bad = vec![("chmod-socket".to_string(), "rw".to_string())];
        assert!(SocketAccess::from_entries(&bad)
            .unwrap_err()
            .contains("\"rw\""));
        assert!(resolve_owner("no-such-user-here").is_err());
        assert_eq!(resolve_owner("0:0").unwrap(), (0, Some(0)));
        assert_eq!(resolve_owner("root").unwrap(), (0, None));
    }
}
