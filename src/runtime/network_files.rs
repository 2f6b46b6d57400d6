//! The per-container `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf`,
//! generated at create and bind-mounted by the spec. The network issue extends
//! these with the container's address; today they carry loopback entries, the
//! `--add-host` lines and the host's resolvers without loopback ones.

use std::fs;
use std::io;
use std::path::Path;

use crate::spec::context::NetworkFiles;
use crate::spec::HostConfig;

/// Docker's default hosts entries (IPv4 and IPv6 loopback names).
const HOSTS_HEADER: &str = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

/// Writes the three files. `hostname` is `None` with a host UTS namespace.
pub fn write_network_files(
    files: &NetworkFiles,
    hostname: &str,
    host: &HostConfig,
    host_resolv: &str,
) -> io::Result<()> {
    fs::write(&files.hostname, format!("{hostname}\n"))?;
    let mut hosts = HOSTS_HEADER.to_string();
    for entry in &host.extra_hosts {
        if let Some((name, ip)) = entry.split_once(':') {
            hosts.push_str(&format!("{ip}\t{name}\n"));
        }
    }
    fs::write(&files.hosts, hosts)?;
    fs::write(&files.resolv_conf, resolv_conf(host, host_resolv))
}

/// The host's `/etc/resolv.conf` without loopback nameservers (they do not answer
/// inside a network namespace), falling back to public resolvers as Docker does;
/// `--dns`, `--dns-search` and `--dns-option` replace the respective lines.
pub fn resolv_conf(host: &HostConfig, host_resolv: &str) -> String {
    let mut servers: Vec<String> = Vec::new();
    let mut search: Vec<String> = Vec::new();
    let mut options: Vec<String> = Vec::new();
    for line in host_resolv.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => servers.extend(words.next().map(str::to_string)),
            Some("search" | "domain") => search = words.map(str::to_string).collect(),
            Some("options") => options = words.map(str::to_string).collect(),
            _ => {}
        }
    }
    servers.retain(|s| !s.starts_with("127.") && s != "::1");
    if servers.is_empty() {
        servers = vec!["8.8.8.8".into(), "8.8.4.4".into()];
    }
    if !host.dns.is_empty() {
        servers = host.dns.clone();
    }
    if !host.dns_search.is_empty() {
        search = host.dns_search.clone();
    }
    if !host.dns_options.is_empty() {
        options = host.dns_options.clone();
    }
    let mut out: String = servers
        .iter()
        .map(|s| format!("nameserver {s}\n"))
        .collect();
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    out
}

/// The host's resolver configuration (empty when unreadable).
pub fn host_resolv_conf() -> String {
    fs::read_to_string(Path::new("/etc/resolv.conf")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_resolv_conf_drops_loopback_and_overrides() {
        let host = HostConfig::default();
        assert_eq!(
            resolv_conf(&host, "nameserver 127.0.0.53\n"),
            "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
        );
        assert_eq!(
            resolv_conf(&host, "nameserver 10.0.0.1\nsearch corp\noptions ndots:2\n"),
            "nameserver 10.0.0.1\nsearch corp\noptions ndots:2\n"
        );
        let host = HostConfig {
            dns: vec!["192.0.2.1".into()],
            dns_search: vec!["a.example".into()],
            ..Default::default()
        };
        assert_eq!(
            resolv_conf(&host, "nameserver 10.0.0.1\n"),
            "nameserver 192.0.2.1\nsearch a.example\n"
        );
    }
}
