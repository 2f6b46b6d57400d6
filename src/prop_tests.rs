//! Property tests of every parser of untrusted input: tar unpacking, Engine
//! API (ContainerCreate) JSON, vassal ini/JSON and the Emperor's arguments,
//! `-p` port specs, `--env-file` and sizes. Each must never panic and must
//! keep its invariants (unpacking never writes outside the image).
//!
//! The case count is small by default, for CI; `PROPTEST_CASES=N` runs more
//! (`PROPTEST_CASES=20000 cargo test --lib prop_tests`).

use proptest::prelude::*;

/// `PROPTEST_CASES`, else 48.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings made mostly of the characters a parser cares about.
fn spec_text(alphabet: &'static str, len: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), 0..len)
        .prop_map(|c| c.into_iter().collect())
}

mod sizes {
    use super::*;
    use crate::spec::units::{parse_size, parse_size_or_unlimited};

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn prop_parse_size_never_panics(text in any::<String>()) {
            let _ = parse_size(&text);
            let _ = parse_size_or_unlimited(&text);
        }

        #[test]
        fn prop_parse_size_units(n in 0u64..(1 << 40), text in spec_text("0123456789.kKmMgGtTbBi -", 12)) {
            prop_assert_eq!(parse_size(&n.to_string()), Ok(n as i64));
            prop_assert_eq!(parse_size(&format!("{n}k")), Ok(n as i64 * 1024));
            if let Ok(bytes) = parse_size(&text) {
                prop_assert!(bytes >= 0, "{text:?} -> {bytes}");
            }
        }
    }
}

mod ports {
    use super::*;
    use crate::spec::ports::parse_publish;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn prop_parse_publish_never_panics(text in any::<String>()) {
            let _ = parse_publish(&text);
        }

        #[test]
        fn prop_parse_publish_yields_valid_ports(
            text in spec_text("0123456789:-/.[]abcdefptucs", 24)
        ) {
            if let Ok(mappings) = parse_publish(&text) {
                prop_assert!(!mappings.is_empty(), "{text:?}");
                for m in mappings {
                    let (port, proto) = m.container_port.split_once('/')
                        .unwrap_or((m.container_port.as_str(), "tcp"));
                    let port: u32 = port.parse().map_err(|_| {
                        TestCaseError::fail(format!("{text:?}: port {}", m.container_port))
                    })?;
                    prop_assert!((1..=65535).contains(&port), "{text:?}: {port}");
                    prop_assert!(matches!(proto, "tcp" | "udp" | "sctp"), "{text:?}: {proto}");
                }
            }
        }
    }
}

mod vassal_files {
    use super::*;
    use crate::emperor::ini::{json_entries, section_entries, SECTION};
    use crate::emperor::invocation::Invocation;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn prop_ini_entries_are_trimmed_keys_without_equals(
            text in spec_text("[]emperor=docker-image ;#\t\r\nab", 200)
        ) {
            for (key, value) in section_entries(&text, SECTION) {
                prop_assert!(!key.contains('='), "{key:?}");
                for part in [&key, &value] {
                    prop_assert_eq!(part.trim_matches([' ', '\t', '\r']), part.as_str());
                    prop_assert!(!part.contains('\n'));
                }
            }
        }

        #[test]
        fn prop_json_entries_never_panic(text in any::<String>(), value in json_value()) {
            let _ = json_entries(&text, SECTION);
            let document = serde_json::json!({ "emperor": value }).to_string();
            if let Ok(entries) = json_entries(&document, SECTION) {
                prop_assert!(entries.iter().all(|(k, _)| !k.is_empty() || value.is_object()));
            }
        }

        #[test]
        fn prop_emperor_arguments_never_panic_and_names_are_docker_names(
            args in proptest::collection::vec(
                prop_oneof![
                    Just("--ini".to_string()),
                    Just("--json".to_string()),
                    Just("--inherit".to_string()),
                    Just("--set".to_string()),
                    any::<String>(),
                ],
                0..8,
            ),
            zerg in proptest::option::of(any::<String>()),
        ) {
            let argv: Vec<std::ffi::OsString> = std::iter::once("vassalrun".to_string())
                .chain(args)
                .map(Into::into)
                .collect();
            let env = |key: &str| match key {
                "UWSGI_EMPEROR_FD" => Some("3".to_string()),
                "UWSGI_BROODLORD_NUM" => zerg.clone(),
                _ => None,
            };
            if let Ok(invocation) = Invocation::parse(&argv, env) {
                let name = invocation.container_name();
                prop_assert!(name.len() >= 2, "{name:?}");
                prop_assert!(name.starts_with(|c: char| c.is_ascii_alphanumeric()), "{name:?}");
                let _ = invocation.file_name();
                prop_assert!(crate::runtime::store::is_valid_name(&name), "{name:?}");
            }
        }
    }

    /// Arbitrary JSON values, a few levels deep.
    pub fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            any::<String>().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(
                    spec_text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-", 12),
                    inner,
                    0..6
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}

mod engine_api {
    use super::vassal_files::json_value;
    use super::*;
    use crate::spec::run_flags::parse_config_json;

    /// Field names of a ContainerCreate body, so values reach the typed fields.
    const FIELDS: [&str; 16] = [
        "Image",
        "Cmd",
        "Entrypoint",
        "Env",
        "User",
        "WorkingDir",
        "Labels",
        "ExposedPorts",
        "StopSignal",
        "Hostname",
        "HostConfig",
        "Binds",
        "PortBindings",
        "Memory",
        "Tmpfs",
        "Ulimits",
    ];

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn prop_create_body_never_panics(
            text in any::<String>(),
            fields in proptest::collection::btree_map(
                proptest::sample::select(FIELDS.to_vec()), json_value(), 0..6),
            host in proptest::collection::btree_map(
                proptest::sample::select(FIELDS.to_vec()), json_value(), 0..6),
        ) {
            let _ = parse_config_json("body", &text);
            let mut body: serde_json::Map<String, serde_json::Value> = fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            body.insert(
                "HostConfig".into(),
                serde_json::Value::Object(host.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
            );
            let text = serde_json::Value::Object(body).to_string();
            if let Err(e) = parse_config_json("body", &text) {
                prop_assert!(e.to_string().starts_with("body") || e.to_string().contains("body"));
            }
        }
    }
}

mod env_file {
    use super::*;
    use crate::spec::run_flags::read_env_file;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn prop_env_file_yields_named_variables(
            bytes in proptest::collection::vec(
                prop_oneof![
                    4 => proptest::sample::select(b"AB_=x #\n\t ".to_vec()),
                    1 => any::<u8>(),
                ],
                0..200,
            )
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("env");
            std::fs::write(&path, &bytes).unwrap();
            let lookup = |key: &str| (key == "A").then(|| "from-env".to_string());
            if let Ok(vars) = read_env_file(&path.display().to_string(), &lookup) {
                for var in vars {
                    let (key, _) = var.split_once('=').ok_or_else(|| {
                        TestCaseError::fail(format!("{var:?} has no '='"))
                    })?;
                    prop_assert!(!key.is_empty() && !key.contains(char::is_whitespace), "{var:?}");
                }
            }
        }
    }
}

mod tar_unpacking {
    use super::*;
    use crate::runtime::images::ImageStore;
    use std::path::Path;

    /// One tar member: raw name bytes, a type flag, a link target, data.
    #[derive(Debug, Clone)]
    struct Member {
        name: Vec<u8>,
        kind: u8,
        link: Vec<u8>,
        data: Vec<u8>,
        size_lie: Option<u64>,
    }

    fn name_part() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b"..".to_vec()),
            Just(b".".to_vec()),
            Just(b"".to_vec()),
            Just(b"etc".to_vec()),
            Just(b"link".to_vec()),
            Just(b"OUTSIDE".to_vec()),
            proptest::collection::vec(any::<u8>(), 1..6),
        ]
    }

    fn member() -> impl Strategy<Value = Member> {
        (
            proptest::collection::vec(name_part(), 1..4),
            any::<bool>(),
            proptest::sample::select(b"0125673LxgK".to_vec()),
            proptest::collection::vec(name_part(), 0..4),
            any::<bool>(),
            proptest::collection::vec(any::<u8>(), 0..64),
            proptest::option::weighted(0.1, any::<u64>()),
        )
            .prop_map(
                |(parts, absolute, kind, link, link_absolute, data, size_lie)| {
                    let join = |parts: Vec<Vec<u8>>, absolute: bool| {
                        let mut out = if absolute { b"/".to_vec() } else { Vec::new() };
                        out.extend(parts.join(&b'/'));
                        out
                    };
                    Member {
                        name: join(parts, absolute),
                        kind,
                        link: join(link, link_absolute),
                        data,
                        size_lie,
                    }
                },
            )
    }

    /// A ustar-ish header for `m`, the outside directory substituted for OUTSIDE.
    fn archive(members: &[Member], outside: &Path, truncate: Option<usize>) -> Vec<u8> {
        let outside = outside.display().to_string().into_bytes();
        let substitute = |bytes: &[u8]| -> Vec<u8> {
            let text = bytes.to_vec();
            match text.windows(7).position(|w| w == b"OUTSIDE") {
                Some(i) => [&text[..i], &outside[..], &text[i + 7..]].concat(),
                None => text,
            }
        };
        let mut out = Vec::new();
        for m in members {
            let mut header = tar::Header::new_gnu();
            let name = substitute(&m.name);
            let link = substitute(&m.link);
            {
                let old = header.as_old_mut();
                let n = name.len().min(old.name.len());
                old.name[..n].copy_from_slice(&name[..n]);
                let l = link.len().min(old.linkname.len());
                old.linkname[..l].copy_from_slice(&link[..l]);
                old.linkflag[0] = m.kind;
            }
            header.set_mode(0o644);
            header.set_size(m.size_lie.unwrap_or(m.data.len() as u64));
            header.set_cksum();
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(&m.data);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        out.extend([0u8; 1024]);
        if let Some(at) = truncate {
            out.truncate(at.min(out.len()));
        }
        out
    }

    /// Every path under `dir`, relative, not following symlinks.
    fn tree(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let path = entry.path();
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(path);
                }
            }
        }
        out.sort();
        out
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn prop_unpack_never_writes_outside_the_image(
            members in proptest::collection::vec(member(), 1..8),
            truncate in proptest::option::weighted(0.2, 0usize..6000),
            garbage in proptest::collection::vec(any::<u8>(), 0..600),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let outside = dir.path().join("outside");
            std::fs::create_dir(&outside).unwrap();
            let root = dir.path().join("root");
            let store = ImageStore::new(&root);
            for (i, bytes) in [archive(&members, &outside, truncate), garbage].iter().enumerate() {
                let tarball = dir.path().join(format!("image{i}.tar"));
                std::fs::write(&tarball, bytes).unwrap();
                let _ = store.import(&tarball, None, &[]);
            }
            prop_assert!(tree(&outside).is_empty(), "written outside: {:?}", tree(&outside));
            let top: Vec<String> = tree(dir.path())
                .into_iter()
                .filter(|p| !p.starts_with("root/") && p != "root")
                .collect();
            prop_assert_eq!(top, vec!["image0.tar", "image1.tar", "outside"]);
            // Nothing half-imported stays behind.
            let tmp = root.join("images/tmp");
            prop_assert!(tree(&tmp).is_empty(), "{:?}", tree(&tmp));
        }
    }
}
