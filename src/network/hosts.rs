//! The container's own line in its `/etc/hosts`: `IP\thostname name`, added
//! once the address is known. The file is bind-mounted, so it is rewritten in
//! place (same inode), never replaced.

use std::net::Ipv4Addr;
use std::path::Path;

use super::error::NetworkError;

/// Docker's header and `--add-host` lines stay; a previous own line (from an
/// earlier start with another address) is replaced.
pub fn set_own_entry(hosts: &Path, ip: Ipv4Addr, names: &[&str]) -> Result<(), NetworkError> {
    let io = |reason| NetworkError::Io {
        path: hosts.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(hosts).map_err(io)?;
    let mut unique: Vec<&str> = Vec::new();
    for name in names.iter().filter(|n| !n.is_empty()) {
        if !unique.contains(name) {
            unique.push(name);
        }
    }
    let own = format!("{ip}\t{}", unique.join(" "));
    let marker = "\t# vassalrun";
    let mut out: String = text
        .lines()
        .filter(|l| !l.ends_with(marker))
        .map(|l| format!("{l}\n"))
        .collect();
    out.push_str(&format!("{own}{marker}\n"));
    std::fs::write(hosts, out).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_set_own_entry_replaces_previous() {
        let dir = tempfile::tempdir().unwrap();
        let hosts = dir.path().join("hosts");
        std::fs::write(&hosts, "127.0.0.1\tlocalhost\n10.0.0.9\tdb\n").unwrap();
        set_own_entry(&hosts, "10.89.0.2".parse().unwrap(), &["abc", "web"]).unwrap();
        set_own_entry(&hosts, "10.89.0.3".parse().unwrap(), &["abc", "abc"]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&hosts).unwrap(),
            "127.0.0.1\tlocalhost\n10.0.0.9\tdb\n10.89.0.3\tabc\t# vassalrun\n"
        );
    }
}
