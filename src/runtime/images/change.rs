//! `image import --change` instructions, as `docker import --change` takes them:
//! `CMD`, `ENTRYPOINT` (JSON exec form or shell form, the latter run by
//! `/bin/sh -c`), `ENV K=V ...` or `ENV K V`, `LABEL k=v ...`, `WORKDIR`,
//! `USER u[:g]`, `EXPOSE 80/tcp 53/udp 8000-8001` and `STOPSIGNAL`.
//! Keywords are case-insensitive; `ENV`/`LABEL` values honour Dockerfile
//! quoting (`"..."`, `'...'`, `\`) but `$VAR` is not expanded.

use std::str::FromStr;

use thiserror::Error;

use crate::spec::image::ImageConfig;

const SUPPORTED: &str = "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, WORKDIR";

/// Dockerfile instructions that are not image configuration.
const NOT_CHANGES: &[&str] = &[
    "ADD",
    "ARG",
    "COPY",
    "FROM",
    "HEALTHCHECK",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "VOLUME",
];

/// Most ports one `EXPOSE` range may name.
const MAX_RANGE: u32 = 1024;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ChangeError {
    #[error("--change {change:?}: unknown instruction {instruction} (supported: {SUPPORTED})")]
    Unknown { change: String, instruction: String },
    #[error(
        "--change {change:?}: {instruction} is not a valid change command (supported: {SUPPORTED})"
    )]
    NotAllowed { change: String, instruction: String },
    #[error("--change {change:?}: {reason}")]
    Invalid { change: String, reason: String },
}

/// Applies each instruction to `config`, in order.
pub fn apply_changes(config: &mut ImageConfig, changes: &[String]) -> Result<(), ChangeError> {
    for change in changes {
        apply_change(config, change)?;
    }
    Ok(())
}

/// Applies one instruction.
pub fn apply_change(config: &mut ImageConfig, change: &str) -> Result<(), ChangeError> {
    let invalid = |reason: &str| ChangeError::Invalid {
        change: change.to_string(),
        reason: reason.to_string(),
    };
    let trimmed = change.trim();
    let (keyword, rest) = trimmed
        .split_once(char::is_whitespace)
        .unwrap_or((trimmed, ""));
    let rest = rest.trim();
    if keyword.is_empty() {
        return Err(invalid("empty instruction"));
    }
    let instruction = keyword.to_ascii_uppercase();
    let needs_args = |what: &str| {
        if rest.is_empty() {
            Err(invalid(&format!("{what} requires at least one argument")))
        } else {
            Ok(())
        }
    };
    match instruction.as_str() {
        "CMD" => {
            needs_args("CMD")?;
            config.cmd = Some(command(rest));
        }
        "ENTRYPOINT" => {
            needs_args("ENTRYPOINT")?;
            config.entrypoint = Some(command(rest));
        }
        "ENV" => {
            needs_args("ENV")?;
            for (key, value) in pairs(rest, "ENV").map_err(|r| invalid(&r))? {
                let entry = format!("{key}={value}");
                let prefix = format!("{key}=");
                match config.env.iter_mut().find(|e| e.starts_with(&prefix)) {
                    Some(existing) => *existing = entry,
                    None => config.env.push(entry),
                }
            }
        }
        "LABEL" => {
            needs_args("LABEL")?;
            for (key, value) in pairs(rest, "LABEL").map_err(|r| invalid(&r))? {
                config.labels.insert(key, value);
            }
        }
        "WORKDIR" => {
            needs_args("WORKDIR")?;
            let dir = unquote(rest).map_err(|r| invalid(&r))?;
            config.working_dir = if dir.starts_with('/') || config.working_dir.is_empty() {
                join_abs("/", &dir)
            } else {
                join_abs(&config.working_dir, &dir)
            };
        }
        "USER" => {
            needs_args("USER")?;
            config.user = unquote(rest).map_err(|r| invalid(&r))?;
        }
        "EXPOSE" => {
            needs_args("EXPOSE")?;
            for word in words(rest).map_err(|r| invalid(&r))? {
                for port in ports(&word).map_err(|r| invalid(&r))? {
                    config.exposed_ports.entry(port).or_default();
                }
            }
        }
        "STOPSIGNAL" => {
            needs_args("STOPSIGNAL")?;
            config.stop_signal = signal(rest).map_err(|r| invalid(&r))?;
        }
        _ if NOT_CHANGES.contains(&instruction.as_str()) => {
            return Err(ChangeError::NotAllowed {
                change: change.to_string(),
                instruction,
            })
        }
        _ => {
            return Err(ChangeError::Unknown {
                change: change.to_string(),
                instruction: keyword.to_string(),
            })
        }
    }
    Ok(())
}

/// The JSON exec form, or else the shell form under `/bin/sh -c` (as Docker,
/// text that starts with `[` but is not a JSON string array is shell form).
fn command(rest: &str) -> Vec<String> {
    if rest.starts_with('[') {
        if let Ok(args) = serde_json::from_str::<Vec<String>>(rest) {
            return args;
        }
    }
    vec!["/bin/sh".into(), "-c".into(), rest.into()]
}

/// `K=V K2="v 2"` pairs, or the legacy single `K some value`.
fn pairs(rest: &str, what: &str) -> Result<Vec<(String, String)>, String> {
    let first = words(rest)?;
    let legacy = first.first().is_some_and(|w| !w.contains('='));
    if legacy {
        let (key, value) = rest
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("{what} must have two arguments"))?;
        return Ok(vec![(unquote(key)?, unquote(value.trim_start())?)]);
    }
    first
        .into_iter()
        .map(|word| {
            let (key, value) = word
                .split_once('=')
                .ok_or_else(|| format!("{what} names can not be blank: {word:?} has no '='"))?;
            if key.is_empty() {
                return Err(format!("{what} names can not be blank"));
            }
            Ok((key.to_string(), value.to_string()))
        })
        .collect()
}

/// Splits on unquoted whitespace, removing quotes and escapes.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next().unwrap_or('\\'));
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated single quote in {text:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unterminated double quote in {text:?}")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated double quote in {text:?}")),
                    }
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Removes quotes and escapes but keeps whitespace (a single value).
fn unquote(text: &str) -> Result<String, String> {
    // Quote processing per whitespace-separated run, whitespace kept as written.
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let space = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..space]);
        rest = &rest[space..];
        let end = word_end(rest);
        out.push_str(&words(&rest[..end])?.concat());
        rest = &rest[end..];
    }
    Ok(out)
}

/// Length of the leading word of `text`, quotes and escapes included.
fn word_end(text: &str) -> usize {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            _ if escaped => escaped = false,
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some('"'), '"') => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => return i,
            (None, _) => {}
        }
    }
    text.len()
}

/// `/a` joined with `b/../c`, cleaned (Docker's `filepath.Join`).
fn join_abs(base: &str, dir: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(dir.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `80`, `80/tcp`, `53/UDP`, `8000-8002/tcp` → `80/tcp`, ….
fn ports(word: &str) -> Result<Vec<String>, String> {
    let (range, proto) = word.split_once('/').unwrap_or((word, "tcp"));
    let proto = proto.to_ascii_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    let port = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("invalid containerPort: {p}"))
    };
    let (start, end) = match range.split_once('-') {
        Some((a, b)) => (port(a)?, port(b)?),
        None => (port(range)?, port(range)?),
    };
    if end < start || u32::from(end - start) >= MAX_RANGE {
        return Err(format!("invalid port range: {range}"));
    }
    Ok((start..=end).map(|p| format!("{p}/{proto}")).collect())
}

/// `SIGQUIT`, `quit` or `3` (up to `SIGRTMAX`); names are stored as `SIGNAME`.
fn signal(text: &str) -> Result<String, String> {
    let invalid = || format!("invalid signal: {text}");
    if let Ok(number) = text.parse::<u32>() {
        return (1..=64)
            .contains(&number)
            .then(|| number.to_string())
            .ok_or_else(invalid);
    }
    let upper = text.to_ascii_uppercase();
    let name = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    if let Some(offset) = name
        .strip_prefix("SIGRTMIN+")
        .or(name.strip_prefix("SIGRTMAX-"))
    {
        return offset
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= 30)
            .map(|_| name.clone())
            .ok_or_else(invalid);
    }
    nix::sys::signal::Signal::from_str(&name)
        .map(|_| name.clone())
        .map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::model::EmptyObject;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn apply(changes: &[&str]) -> Result<ImageConfig, ChangeError> {
        let mut config = ImageConfig::default();
        apply_changes(&mut config, &v(changes))?;
        Ok(config)
    }

    #[test]
    fn test_apply_change_table() {
        type Check = fn(&ImageConfig) -> bool;
        let table: &[(&str, Check)] = &[
            (r#"CMD ["/bin/sh","-c","x"]"#, |c| {
                c.cmd == Some(v(&["/bin/sh", "-c", "x"]))
            }),
            ("CMD echo hi", |c| {
                c.cmd == Some(v(&["/bin/sh", "-c", "echo hi"]))
            }),
            ("cmd []", |c| c.cmd == Some(vec![])),
            ("CMD [not json", |c| {
                c.cmd == Some(v(&["/bin/sh", "-c", "[not json"]))
            }),
            (r#"ENTRYPOINT ["/entry", "--flag"]"#, |c| {
                c.entrypoint == Some(v(&["/entry", "--flag"]))
            }),
            ("ENTRYPOINT exec app", |c| {
                c.entrypoint == Some(v(&["/bin/sh", "-c", "exec app"]))
            }),
            ("ENV K=V", |c| c.env == v(&["K=V"])),
            ("ENV K V with  spaces", |c| {
                c.env == v(&["K=V with  spaces"])
            }),
            (r#"ENV A="x y" B=z\ w C='$q'"#, |c| {
                c.env == v(&["A=x y", "B=z w", "C=$q"])
            }),
            ("ENV EMPTY=", |c| c.env == v(&["EMPTY="])),
            ("WORKDIR /srv/app", |c| c.working_dir == "/srv/app"),
            ("WORKDIR rel", |c| c.working_dir == "/rel"),
            ("USER app:staff", |c| c.user == "app:staff"),
            ("USER 1000", |c| c.user == "1000"),
            (r#"LABEL a=b "c d"="e f""#, |c| {
                c.labels.get("a").map(String::as_str) == Some("b")
                    && c.labels.get("c d").map(String::as_str) == Some("e f")
            }),
            ("EXPOSE 80/tcp 53/UDP 443", |c| {
                c.exposed_ports.keys().cloned().collect::<Vec<_>>()
                    == v(&["443/tcp", "53/udp", "80/tcp"])
            }),
            ("EXPOSE 8000-8002", |c| c.exposed_ports.len() == 3),
            ("STOPSIGNAL SIGQUIT", |c| c.stop_signal == "SIGQUIT"),
            ("stopsignal term", |c| c.stop_signal == "SIGTERM"),
            ("STOPSIGNAL 9", |c| c.stop_signal == "9"),
            ("STOPSIGNAL SIGRTMIN+3", |c| c.stop_signal == "SIGRTMIN+3"),
        ];
        for (change, check) in table {
            let config = apply(&[change]).unwrap_or_else(|e| panic!("{change}: {e}"));
            assert!(check(&config), "{change}: {config:?}");
        }
    }

    #[test]
    fn test_apply_change_errors() {
        let table: &[(&str, &str)] = &[
            (
                "FOO bar",
                "--change \"FOO bar\": unknown instruction FOO (supported: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, WORKDIR)",
            ),
            (
                "RUN apt-get update",
                "--change \"RUN apt-get update\": RUN is not a valid change command (supported: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, WORKDIR)",
            ),
            ("", "--change \"\": empty instruction"),
            ("CMD", "--change \"CMD\": CMD requires at least one argument"),
            ("ENV K", "--change \"ENV K\": ENV must have two arguments"),
            ("ENV =v", "--change \"ENV =v\": ENV names can not be blank"),
            ("EXPOSE 70000", "--change \"EXPOSE 70000\": invalid containerPort: 70000"),
            ("EXPOSE 80/icmp", "--change \"EXPOSE 80/icmp\": invalid proto: icmp"),
            ("EXPOSE 1-65535", "--change \"EXPOSE 1-65535\": invalid port range: 1-65535"),
            ("STOPSIGNAL SIGNOPE", "--change \"STOPSIGNAL SIGNOPE\": invalid signal: SIGNOPE"),
            ("STOPSIGNAL 99", "--change \"STOPSIGNAL 99\": invalid signal: 99"),
            (
                r#"ENV A="open"#,
                r#"--change "ENV A=\"open": unterminated double quote in "A=\"open""#,
            ),
        ];
        for (change, message) in table {
            let err = apply(&[change]).unwrap_err();
            assert_eq!(err.to_string(), *message, "{change}");
        }
    }

    #[test]
    fn test_apply_changes_accumulate() {
        let config = apply(&[
            "ENV A=1 B=2",
            "ENV A=3",
            "WORKDIR /srv",
            "WORKDIR app/../web",
            "EXPOSE 80",
            "EXPOSE 80/tcp",
            "CMD one",
            r#"CMD ["two"]"#,
        ])
        .unwrap();
        assert_eq!(config.env, v(&["A=3", "B=2"]));
        assert_eq!(config.working_dir, "/srv/web");
        assert_eq!(
            config.exposed_ports,
            [("80/tcp".to_string(), EmptyObject {})].into()
        );
        assert_eq!(config.cmd, Some(v(&["two"])));
    }

    #[test]
    fn test_unquote_keeps_inner_whitespace() {
        assert_eq!(unquote(r#"a  "b c"  d\ e"#).unwrap(), "a  b c  d e");
    }
}
