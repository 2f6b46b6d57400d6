//! Where a vassal's attributes come from: its file (dir and glob monitors),
//! or the config the Emperor pushes on `UWSGI_EMPEROR_FD_CONFIG` (config-pipe
//! monitors: `emperor://NAME`).
//!
//! The pushed config is a uwsgi packet, `{modifier1=115, pktsize u16 LE,
//! modifier2=0}` + body, meant for the vassal itself: the wrapper only peeks
//! at it (`MSG_PEEK`), so it is still there for the uWSGI in the container.

use std::os::fd::RawFd;
use std::path::Path;
use std::time::{Duration, Instant};

use super::ini::{json_entries, section_entries, SECTION};
use super::invocation::{ConfigKind, Invocation};

/// The vassal's own section.
const UWSGI_SECTION: &str = "uwsgi";

/// How long the vassal itself waits for the pushed config (`core/io.c`).
const CONFIG_TIMEOUT: Duration = Duration::from_secs(5);

/// The `[emperor]` entries of the vassal.
pub fn attributes(invocation: &Invocation, cwd: &Path) -> Result<Vec<(String, String)>, String> {
    sections(invocation, cwd).map(|s| s.emperor)
}

/// The two sections of a vassal's configuration the wrapper reads.
#[derive(Debug, Default)]
pub struct Sections {
    /// `[emperor]`: the `docker-*` attributes.
    pub emperor: Vec<(String, String)>,
    /// `[uwsgi]`: the vassal's own options (the wrapper reads only
    /// `chmod-socket` and `chown-socket`, for `docker-socket`).
    pub uwsgi: Vec<(String, String)>,
}

fn ini_sections(text: &str) -> Sections {
    Sections {
        emperor: section_entries(text, SECTION),
        uwsgi: section_entries(text, UWSGI_SECTION),
    }
}

/// The vassal's `[emperor]` and `[uwsgi]` entries, from one read of its file.
pub fn sections(invocation: &Invocation, cwd: &Path) -> Result<Sections, String> {
    if invocation.is_piped() {
        let fd = invocation
            .config_fd
            .ok_or("emperor:// vassal without UWSGI_EMPEROR_FD_CONFIG")?;
        let text = peek_pushed_config(fd, CONFIG_TIMEOUT)?;
        return Ok(ini_sections(&text));
    }
    let path = invocation.file_path(cwd);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    match invocation.kind {
        ConfigKind::Ini => Ok(ini_sections(&text)),
        ConfigKind::Json => Ok(Sections {
            emperor: json_entries(&text, SECTION)
                .map_err(|e| format!("{}: {e}", path.display()))?,
            // Numbers and booleans there are not ours to refuse.
            uwsgi: json_entries(&text, UWSGI_SECTION).unwrap_or_default(),
        }),
        // No parser here for XML or YAML: refuse rather than silently run a
        // vassal that asks for a container on the host.
        ConfigKind::Other if text.contains("docker-") => Err(format!(
            "{}: docker-* attributes are read from .ini and .json vassals only",
            path.display()
        )),
        ConfigKind::Other => Ok(Sections::default()),
    }
}

/// The body of the pushed config, read without consuming it.
pub fn peek_pushed_config(fd: RawFd, timeout: Duration) -> Result<String, String> {
    let deadline = Instant::now() + timeout;
    let mut buffer = vec![0u8; 4 + usize::from(u16::MAX)];
    loop {
        // SAFETY: recv into a buffer we own, of the length given.
        let n = unsafe {
            nix::libc::recv(
                fd,
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                nix::libc::MSG_PEEK | nix::libc::MSG_DONTWAIT,
            )
        };
        if n >= 4 {
            let size = usize::from(u16::from_le_bytes([buffer[1], buffer[2]]));
            if buffer[0] != 115 {
                return Err(format!(
                    "config pipe: unexpected packet modifier {}",
                    buffer[0]
                ));
            }
            if n as usize >= 4 + size {
                return Ok(String::from_utf8_lossy(&buffer[4..4 + size]).into_owned());
            }
        } else if n == 0 {
            return Err("config pipe: closed before a config arrived".into());
        } else if n < 0 {
            let errno = nix::errno::Errno::last();
            if errno != nix::errno::Errno::EAGAIN && errno != nix::errno::Errno::EINTR {
                return Err(format!("config pipe: {errno}"));
            }
        }
        if Instant::now() >= deadline {
            return Err("config pipe: no config within 5 seconds".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn test_peek_pushed_config_leaves_it_for_the_vassal() {
        let (mut emperor, vassal) = UnixStream::pair().unwrap();
        let body = b"[emperor]\ndocker-image = app\n[uwsgi]\nmaster = true\n";
        let mut packet = vec![115u8];
        packet.extend((body.len() as u16).to_le_bytes());
        packet.push(0);
        packet.extend(body);
        emperor.write_all(&packet).unwrap();
        let fd = vassal.as_raw_fd();
        let text = peek_pushed_config(fd, Duration::from_secs(1)).unwrap();
        assert_eq!(text.as_bytes(), body);
        assert_eq!(
            section_entries(&text, SECTION),
            vec![("docker-image".to_string(), "app".to_string())]
        );
        // Still all there.
        let again = peek_pushed_config(fd, Duration::from_secs(1)).unwrap();
        assert_eq!(again, text);
    }

    #[test]
    fn test_attributes_by_kind() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.ini", "[emperor]\ndocker-image = app\n");
        write("b.json", r#"{"emperor": {"docker-image": "app"}}"#);
        write("c.yml", "emperor:\n  docker-image: app\n");
        write("d.yml", "uwsgi:\n  master: true\n");
        let read = |flag: &str, name: &str| {
            let args = ["vassalrun", flag, name].map(std::ffi::OsString::from);
            let invocation =
                Invocation::parse(&args, |k| (k == "UWSGI_EMPEROR_FD").then(|| "7".into()))
                    .unwrap();
            attributes(&invocation, dir.path())
        };
        let image = vec![("docker-image".to_string(), "app".to_string())];
        assert_eq!(read("--ini", "a.ini").unwrap(), image);
        assert_eq!(read("--json", "b.json").unwrap(), image);
        let err = read("--yaml", "c.yml").unwrap_err();
        assert!(
            err.contains("read from .ini and .json vassals only"),
            "{err}"
        );
        assert!(read("--yaml", "d.yml").unwrap().is_empty());
        assert!(read("--ini", "missing.ini")
            .unwrap_err()
            .contains("missing.ini"));
    }

    #[test]
    fn test_peek_pushed_config_times_out_and_sees_eof() {
        let (emperor, vassal) = UnixStream::pair().unwrap();
        let err = peek_pushed_config(vassal.as_raw_fd(), Duration::from_millis(50)).unwrap_err();
        assert!(err.contains("no config"), "{err}");
        drop(emperor);
        let err = peek_pushed_config(vassal.as_raw_fd(), Duration::from_millis(50)).unwrap_err();
        assert!(err.contains("closed"), "{err}");
    }
}
