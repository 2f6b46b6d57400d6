//! Docker's image reference grammar (`distribution/reference`) and its
//! normalisation: `busybox` is `docker.io/library/busybox:latest`.
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] path-component [ "/" path-component ]*
//! domain     := host [ ":" port ]         host: DNS name, IPv4 or [IPv6]
//! path-comp  := [a-z0-9]+ ( ( [_.] | "__" | "-"+ ) [a-z0-9]+ )*
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" hex{32,}
//! ```
//!
//! The first component is a registry host when it has a `.` or a `:` or is
//! `localhost` (or has an uppercase letter, which a path may not); otherwise
//! the registry is Docker Hub, where one-component names live in `library/`.

use std::fmt;

use thiserror::Error;

pub const DEFAULT_REGISTRY: &str = "docker.io";
/// Docker Hub's API host (the name `docker.io` is an alias).
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";
const LEGACY_DEFAULT: &str = "index.docker.io";
const NAME_MAX: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid reference format {reference:?}: {reason}")]
pub struct ReferenceError {
    pub reference: String,
    pub reason: &'static str,
}

/// A normalised reference: registry and repository are always set; the tag
/// is `latest` when neither a tag nor a digest was given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// `docker.io`, `registry.example.com:5000`, `[::1]:5000`.
    pub registry: String,
    /// `library/busybox`, `team/app`.
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:<hex>`.
    pub digest: Option<String>,
}

impl Reference {
    /// Parses and normalises `text`.
    pub fn parse(text: &str) -> Result<Reference, ReferenceError> {
        let fail = |reason| ReferenceError {
            reference: text.to_string(),
            reason,
        };
        if text.is_empty() {
            return Err(fail("empty reference"));
        }
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => {
                check_digest(digest).map_err(fail)?;
                (rest, Some(digest.to_string()))
            }
            None => (text, None),
        };
        // A tag is after the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let (name, tag) = rest.split_at(last_slash + i);
                let tag = &tag[1..];
                check_tag(tag).map_err(fail)?;
                (name, Some(tag.to_string()))
            }
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(fail("empty repository name"));
        }
        if name.len() > NAME_MAX {
            return Err(fail(
                "repository name must not be longer than 255 characters",
            ));
        }
        if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(fail("cannot specify 64-byte hexadecimal strings"));
        }
        let (registry, repository) = split_registry(name);
        if let Some(registry) = &registry {
            check_domain(registry).map_err(fail)?;
        }
        if repository.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(fail("repository name must be lowercase"));
        }
        for component in repository.split('/') {
            check_path_component(component).map_err(fail)?;
        }
        let mut registry = registry.unwrap_or(DEFAULT_REGISTRY).to_string();
        if registry == LEGACY_DEFAULT {
            registry = DEFAULT_REGISTRY.to_string();
        }
        let mut repository = repository.to_string();
        if registry == DEFAULT_REGISTRY && !repository.contains('/') {
            repository = format!("library/{repository}");
        }
        let tag = match (&tag, &digest) {
            (None, None) => Some("latest".to_string()),
            _ => tag,
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `registry/repository`, fully qualified.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The fully qualified form: `docker.io/library/busybox:latest`.
    pub fn canonical(&self) -> String {
        self.with_suffix(self.name())
    }

    /// The short form Docker prints: `busybox:latest`, `team/app:1`,
    /// `registry.example.com:5000/app@sha256:…`.
    pub fn familiar(&self) -> String {
        let name = match self.registry.as_str() {
            DEFAULT_REGISTRY => self
                .repository
                .strip_prefix("library/")
                .filter(|r| !r.contains('/'))
                .unwrap_or(&self.repository)
                .to_string(),
            _ => self.name(),
        };
        self.with_suffix(name)
    }

    fn with_suffix(&self, mut name: String) -> String {
        if let Some(tag) = &self.tag {
            name.push(':');
            name.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            name.push('@');
            name.push_str(digest);
        }
        name
    }

    /// What the registry is asked for: the digest when there is one, else the tag.
    pub fn manifest_reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// The host to talk to: Docker Hub's API host for `docker.io`.
    pub fn api_host(&self) -> &str {
        match self.registry.as_str() {
            DEFAULT_REGISTRY => DOCKER_HUB_API,
            other => other,
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.with_suffix(self.name()))
    }
}

/// Whether two names denote the same image (both normalised; unparsable
/// names only match themselves).
pub fn same_image(a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (Reference::parse(a), Reference::parse(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// The digest of the one stored name that denotes the same image as
/// `reference` once both are normalised (`run busybox` finds `busybox:latest`
/// or `docker.io/library/busybox`); `None` when none or several do.
pub fn find_normalised(reference: &str, index: &super::index::Index) -> Option<String> {
    let wanted = Reference::parse(reference).ok()?;
    let mut found = index
        .names
        .iter()
        .filter(|(name, _)| Reference::parse(name).is_ok_and(|r| r == wanted))
        .map(|(_, digest)| digest);
    let first = found.next()?;
    found.all(|d| d == first).then(|| first.clone())
}

/// Splits off the registry host, when the first component is one.
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn check_tag(tag: &str) -> Result<(), &'static str> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    match chars.next() {
        Some(c) if word(c) => {}
        _ => return Err("a tag must start with a letter, digit or '_'"),
    }
    if tag.len() > 128 {
        return Err("a tag must be at most 128 characters");
    }
    if !chars.all(|c| word(c) || c == '.' || c == '-') {
        return Err("a tag may only contain letters, digits, '_', '.' and '-'");
    }
    Ok(())
}

fn check_digest(digest: &str) -> Result<(), &'static str> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err("a digest is ALGORITHM:HEX");
    };
    let algorithm_ok = algorithm.starts_with(|c: char| c.is_ascii_alphabetic())
        && algorithm
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_+.".contains(c));
    if !algorithm_ok {
        return Err("invalid digest algorithm");
    }
    if hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("invalid digest: at least 32 hex digits expected");
    }
    if algorithm == "sha256" && (hex.len() != 64 || hex.bytes().any(|b| b.is_ascii_uppercase())) {
        return Err("invalid sha256 digest: 64 lowercase hex digits expected");
    }
    Ok(())
}

fn check_path_component(component: &str) -> Result<(), &'static str> {
    const BAD: &str = "repository name components are lowercase letters and digits, separated by '.', '_', '__' or '-'";
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().copied().is_some_and(alnum) || !bytes.last().copied().is_some_and(alnum) {
        return Err(BAD);
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let ok = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !ok {
            return Err(BAD);
        }
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), &'static str> {
    const BAD: &str = "invalid registry host";
    let (host, port) = if let Some(rest) = domain.strip_prefix('[') {
        let (v6, after) = rest.split_once(']').ok_or(BAD)?;
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(BAD);
        }
        match after {
            "" => return Ok(()),
            p => ("", p.strip_prefix(':').ok_or(BAD)?),
        }
    } else {
        match domain.rsplit_once(':') {
            Some((host, port)) => (host, port),
            None => (domain, ""),
        }
    };
    if !port.is_empty() && !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid port in registry host");
    }
    if domain.contains(':') && port.is_empty() {
        return Err("invalid port in registry host");
    }
    if host.is_empty() && !domain.starts_with('[') {
        return Err(BAD);
    }
    for label in host.split('.').filter(|_| !host.is_empty()) {
        let ok = label.starts_with(|c: char| c.is_ascii_alphanumeric())
            && label.ends_with(|c: char| c.is_ascii_alphanumeric())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(BAD);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn test_normalisation_table() {
        let table: &[(&str, &str, &str)] = &[
            (
                "busybox",
                "docker.io/library/busybox:latest",
                "busybox:latest",
            ),
            (
                "busybox:1.36",
                "docker.io/library/busybox:1.36",
                "busybox:1.36",
            ),
            (
                "library/busybox",
                "docker.io/library/busybox:latest",
                "busybox:latest",
            ),
            (
                "docker.io/busybox",
                "docker.io/library/busybox:latest",
                "busybox:latest",
            ),
            (
                "index.docker.io/library/busybox",
                "docker.io/library/busybox:latest",
                "busybox:latest",
            ),
            ("team/app:v1", "docker.io/team/app:v1", "team/app:v1"),
            (
                "localhost/app",
                "localhost/app:latest",
                "localhost/app:latest",
            ),
            (
                "localhost:5000/app",
                "localhost:5000/app:latest",
                "localhost:5000/app:latest",
            ),
            (
                "127.0.0.1:5000/a/b:t",
                "127.0.0.1:5000/a/b:t",
                "127.0.0.1:5000/a/b:t",
            ),
            ("[::1]:5000/app:1", "[::1]:5000/app:1", "[::1]:5000/app:1"),
            (
                "registry.example.com/team/app:1.4",
                "registry.example.com/team/app:1.4",
                "registry.example.com/team/app:1.4",
            ),
            (
                "my_app__x-y--z.w",
                "docker.io/library/my_app__x-y--z.w:latest",
                "my_app__x-y--z.w:latest",
            ),
        ];
        for (input, full, familiar) in table {
            let r = Reference::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(&r.to_string(), full, "{input}");
            assert_eq!(&r.familiar(), familiar, "{input}");
        }
    }

    #[test]
    fn test_digests() {
        let r = Reference::parse(&format!("busybox@{D}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.digest.as_deref(), Some(D));
        assert_eq!(r.manifest_reference(), D);
        assert_eq!(r.familiar(), format!("busybox@{D}"));
        let r = Reference::parse(&format!("localhost:5000/app:1@{D}")).unwrap();
        assert_eq!(r.tag.as_deref(), Some("1"));
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.manifest_reference(), D);
    }

    #[test]
    fn test_invalid_references() {
        for bad in [
            "",
            "Busybox",
            "busybox:",
            ":tag",
            "busybox:-x",
            "busybox@sha256:abc",
            "busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "bad..name",
            "bad-",
            "_bad",
            "a/b//c",
            "host:port/app",
            "exa_mple.com/app",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "busybox latest",
        ] {
            let err = Reference::parse(bad).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("invalid reference format {bad:?}")),
                "{err}"
            );
        }
        let long = "a".repeat(256);
        assert!(Reference::parse(&long).is_err());
        assert!(Reference::parse(&format!("busybox:{}", "t".repeat(129))).is_err());
    }

    #[test]
    fn test_same_image() {
        assert!(same_image("busybox", "docker.io/library/busybox:latest"));
        assert!(same_image("busybox:latest", "library/busybox"));
        assert!(!same_image("busybox", "busybox:1"));
        assert!(!same_image("busybox", "other"));
        assert!(same_image("Web", "Web"));
        assert!(!same_image("Web", "web"));
    }

    #[test]
    fn test_api_host() {
        assert_eq!(
            Reference::parse("busybox").unwrap().api_host(),
            DOCKER_HUB_API
        );
        assert_eq!(
            Reference::parse("127.0.0.1:5000/x").unwrap().api_host(),
            "127.0.0.1:5000"
        );
    }
}
