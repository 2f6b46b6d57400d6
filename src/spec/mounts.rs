//! User mounts (`-v`, `--mount`, `--tmpfs`) and their place among the default mounts.
//!
//! All three routes become one [`UserMount`] list; [`parse_user_mounts`] validates
//! it with Docker's messages, and the spec builder turns it into OCI mounts after
//! the defaults, sorted by path depth so parents are mounted before children.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

use super::model::{HostConfig, Mount};
use super::units::parse_size;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MountError {
    #[error("invalid volume specification: '{0}'")]
    Spec(String),
    #[error("invalid volume specification: '{spec}': invalid mode: {mode}")]
    Mode { spec: String, mode: String },
    #[error("invalid volume specification: '{spec}': host path \"{host_path}\" is not absolute; named and relative volumes are not supported, use an absolute host path")]
    NotAbsoluteSource { spec: String, host_path: String },
    #[error("invalid volume specification: '{0}': anonymous volumes are not supported, give a host path (-v /host/path:{0})")]
    Anonymous(String),
    #[error("invalid mount config for type \"{kind}\": invalid mount path: '{path}' mount path must be absolute")]
    NotAbsolute { kind: String, path: String },
    #[error("invalid mount config for type \"{kind}\": destination can't be '/'")]
    Root { kind: String },
    #[error("invalid mount config for type \"bind\": field Source must not be empty")]
    NoSource,
    #[error("invalid mount config for type \"tmpfs\": field Source must not be specified")]
    TmpfsSource,
    #[error("invalid mount config for type \"bind\": bind source path does not exist: {0}")]
    Missing(String),
    #[error("invalid mount type \"{0}\": only bind and tmpfs are supported")]
    Type(String),
    #[error("invalid propagation mode \"{0}\"")]
    Propagation(String),
    #[error("invalid tmpfs option \"{0}\"")]
    TmpfsOption(String),
    #[error("Duplicate mount point: {0}")]
    Duplicate(String),
    #[error("invalid field '{0}' must be a key=value pair")]
    Field(String),
    #[error("unexpected key '{key}' in '{field}'")]
    Key { key: String, field: String },
    #[error("invalid value for {key}: {value}")]
    Value { key: String, value: String },
    #[error("type is required")]
    NoType,
    #[error("target is required")]
    NoTarget,
}

/// A user mount, whichever flag or field it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMount {
    pub destination: String,
    pub kind: UserMountKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserMountKind {
    Bind {
        source: String,
        readonly: bool,
        /// `rprivate` unless the user asked for another propagation.
        propagation: String,
        recursive: bool,
    },
    /// `options` are the user's, before merging with the tmpfs defaults.
    Tmpfs { options: Vec<String> },
}

const PROPAGATIONS: [&str; 6] = [
    "private", "rprivate", "shared", "rshared", "slave", "rslave",
];

/// All user mounts of a host config, validated, in the order given (binds, mounts, tmpfs).
pub fn parse_user_mounts(host: &HostConfig) -> Result<Vec<UserMount>, MountError> {
    let mut mounts = Vec::new();
    for bind in &host.binds {
        mounts.push(parse_bind(bind)?);
    }
    for mount in &host.mounts {
        mounts.push(from_api_mount(mount)?);
    }
    for (destination, options) in &host.tmpfs {
        mounts.push(parse_tmpfs(destination, options)?);
    }
    let mut seen = std::collections::BTreeSet::new();
    for m in &mounts {
        if !seen.insert(clean(&m.destination)) {
            return Err(MountError::Duplicate(m.destination.clone()));
        }
    }
    Ok(mounts)
}

/// `-v /host:/ctr[:opts]` (the Engine API's `Binds`).
pub fn parse_bind(spec: &str) -> Result<UserMount, MountError> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, destination, mode) = match parts[..] {
        [dst] => return Err(MountError::Anonymous(dst.to_string())),
        // `/ctr:ro`: an anonymous volume with a mode.
        [dst, mode] if valid_mode(mode) && !dst.is_empty() => {
            return Err(MountError::Anonymous(dst.to_string()))
        }
        [src, dst] => (src, dst, ""),
        [src, dst, mode] => (src, dst, mode),
        _ => return Err(MountError::Spec(spec.to_string())),
    };
    if source.is_empty() || destination.is_empty() {
        return Err(MountError::Spec(spec.to_string()));
    }
    if !source.starts_with('/') {
        return Err(MountError::NotAbsoluteSource {
            spec: spec.to_string(),
            host_path: source.to_string(),
        });
    }
    check_destination("bind", destination)?;
    if !valid_mode(mode) {
        return Err(MountError::Mode {
            spec: spec.to_string(),
            mode: mode.to_string(),
        });
    }
    let modes: Vec<&str> = mode.split(',').filter(|m| !m.is_empty()).collect();
    let propagation = modes
        .iter()
        .find(|m| PROPAGATIONS.contains(m))
        .unwrap_or(&"rprivate");
    Ok(UserMount {
        destination: destination.to_string(),
        kind: UserMountKind::Bind {
            source: source.to_string(),
            readonly: modes.contains(&"ro"),
            propagation: propagation.to_string(),
            recursive: true,
        },
    })
}

/// Docker's `ValidMountMode`: at most one of each kind among rw|ro, z|Z,
/// a propagation, and nocopy.
fn valid_mode(mode: &str) -> bool {
    if mode.is_empty() {
        return true;
    }
    let mut counts = [0; 4];
    for m in mode.split(',') {
        let kind = match m {
            "rw" | "ro" => 0,
            "z" | "Z" => 1,
            p if PROPAGATIONS.contains(&p) => 2,
            "nocopy" => 3,
            _ => return false,
        };
        counts[kind] += 1;
    }
    counts.iter().all(|&c| c <= 1)
}

fn check_destination(kind: &str, destination: &str) -> Result<(), MountError> {
    if !destination.starts_with('/') {
        return Err(MountError::NotAbsolute {
            kind: kind.to_string(),
            path: destination.to_string(),
        });
    }
    if clean(destination) == "/" {
        return Err(MountError::Root {
            kind: kind.to_string(),
        });
    }
    Ok(())
}

/// An Engine API `HostConfig.Mounts` entry.
fn from_api_mount(m: &Mount) -> Result<UserMount, MountError> {
    check_destination(&m.kind, &m.target)?;
    let kind = match m.kind.as_str() {
        "bind" => {
            if m.source.is_empty() {
                return Err(MountError::NoSource);
            }
            if !m.source.starts_with('/') {
                return Err(MountError::NotAbsolute {
                    kind: "bind".into(),
                    path: m.source.clone(),
                });
            }
            let options = m.bind_options.clone().unwrap_or_default();
            let propagation = match options.propagation.as_str() {
                "" => "rprivate".to_string(),
                p if PROPAGATIONS.contains(&p) => p.to_string(),
                p => return Err(MountError::Propagation(p.to_string())),
            };
            UserMountKind::Bind {
                source: m.source.clone(),
                readonly: m.read_only,
                propagation,
                recursive: !options.non_recursive,
            }
        }
        "tmpfs" => {
            if !m.source.is_empty() {
                return Err(MountError::TmpfsSource);
            }
            UserMountKind::Tmpfs {
                options: tmpfs_api_options(m),
            }
        }
        other => return Err(MountError::Type(other.to_string())),
    };
    Ok(UserMount {
        destination: m.target.clone(),
        kind,
    })
}

/// Docker's `ConvertTmpfsOptions`: `ro`, `size=`, `mode=` from the structured form.
fn tmpfs_api_options(m: &Mount) -> Vec<String> {
    let mut options = Vec::new();
    if m.read_only {
        options.push("ro".to_string());
    }
    if let Some(t) = &m.tmpfs_options {
        if t.size_bytes > 0 {
            options.push(format!("size={}", t.size_bytes));
        }
        if t.mode != 0 {
            options.push(format!("mode={:o}", t.mode & 0o7777));
        }
    }
    options
}

/// `--tmpfs /dst[:opts]` (the Engine API's `Tmpfs` map entry).
fn parse_tmpfs(destination: &str, options: &str) -> Result<UserMount, MountError> {
    check_destination("tmpfs", destination)?;
    let options: Vec<String> = options
        .split(',')
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    merge_tmpfs_options(&options)?;
    Ok(UserMount {
        destination: destination.to_string(),
        kind: UserMountKind::Tmpfs { options },
    })
}

/// Splits a `--tmpfs` flag value into the `Tmpfs` map's key and value.
pub fn split_tmpfs_flag(value: &str) -> (String, String) {
    match value.split_once(':') {
        Some((dst, opts)) => (dst.to_string(), opts.to_string()),
        None => (value.to_string(), String::new()),
    }
}

/// The mount flags tmpfs accepts as bare words; `None` marks propagation flags
/// (which all share one slot), `Some(slot)` pairs flags that override each other.
fn tmpfs_flag_slot(option: &str) -> Option<Option<&'static str>> {
    let slot = match option {
        "ro" | "rw" => "ro",
        "suid" | "nosuid" => "suid",
        "dev" | "nodev" => "dev",
        "exec" | "noexec" => "exec",
        "sync" | "async" => "sync",
        "dirsync" => "dirsync",
        "remount" => "remount",
        "mand" | "nomand" => "mand",
        "atime" | "noatime" => "atime",
        "diratime" | "nodiratime" => "diratime",
        "bind" | "rbind" => "bind",
        "relatime" | "norelatime" => "relatime",
        "strictatime" | "nostrictatime" => "strictatime",
        "unbindable" | "runbindable" | "private" | "rprivate" | "shared" | "rshared" | "slave"
        | "rslave" => return Some(None),
        _ => return None,
    };
    Some(Some(slot))
}

const TMPFS_DATA_KEYS: [&str; 7] = [
    "size",
    "mode",
    "uid",
    "gid",
    "nr_inodes",
    "nr_blocks",
    "mpol",
];

/// Docker's `MergeTmpfsOptions`: later options win over earlier ones of the same
/// kind, one propagation flag at most, `defaults` dropped, unknown options refused.
pub fn merge_tmpfs_options(options: &[String]) -> Result<Vec<String>, MountError> {
    let mut taken: Vec<String> = Vec::new();
    let mut merged: Vec<String> = Vec::new();
    for option in options.iter().rev().filter(|o| *o != "defaults") {
        let key = match tmpfs_flag_slot(option) {
            Some(Some(slot)) => format!("flag:{slot}"),
            Some(None) => "flag:propagation".to_string(),
            None => match option.split_once('=') {
                Some((k, _)) if TMPFS_DATA_KEYS.contains(&k) => format!("data:{k}"),
                _ => return Err(MountError::TmpfsOption(option.clone())),
            },
        };
        if !taken.contains(&key) {
            taken.push(key);
            merged.insert(0, option.clone());
        }
    }
    Ok(merged)
}

/// `--mount type=bind,source=/a,target=/b,readonly` into the Engine API form.
pub fn parse_mount_flag(value: &str) -> Result<Mount, MountError> {
    let mut m = Mount::default();
    for field in value.split(',').filter(|f| !f.is_empty()) {
        let (key, val) = match field.split_once('=') {
            Some((k, v)) => (k.trim().to_lowercase(), Some(v.trim())),
            None => (field.trim().to_lowercase(), None),
        };
        let need = |v: Option<&str>| {
            v.map(str::to_string)
                .ok_or_else(|| MountError::Field(field.to_string()))
        };
        let bad = |v: &str| MountError::Value {
            key: key.clone(),
            value: v.to_string(),
        };
        match key.as_str() {
            "type" => m.kind = need(val)?,
            "source" | "src" => m.source = need(val)?,
            "target" | "dst" | "destination" => m.target = need(val)?,
            "readonly" | "ro" => {
                m.read_only = match val {
                    None | Some("1" | "true") => true,
                    Some("0" | "false") => false,
                    Some(v) => return Err(bad(v)),
                }
            }
            "bind-propagation" => {
                m.bind_options
                    .get_or_insert_with(Default::default)
                    .propagation = need(val)?
            }
            "bind-nonrecursive" => {
                m.bind_options
                    .get_or_insert_with(Default::default)
                    .non_recursive = matches!(val, None | Some("1" | "true"))
            }
            "tmpfs-size" => {
                let v = need(val)?;
                let size = parse_size(&v).map_err(|_| bad(&v))?;
                m.tmpfs_options
                    .get_or_insert_with(Default::default)
                    .size_bytes = size;
            }
            "tmpfs-mode" => {
                let v = need(val)?;
                let mode = u32::from_str_radix(&v, 8).map_err(|_| bad(&v))?;
                m.tmpfs_options.get_or_insert_with(Default::default).mode = mode;
            }
            "consistency" => {}
            _ => {
                return Err(MountError::Key {
                    key,
                    field: field.to_string(),
                })
            }
        }
    }
    if m.kind.is_empty() {
        return Err(MountError::NoType);
    }
    if m.target.is_empty() {
        return Err(MountError::NoTarget);
    }
    Ok(m)
}

/// `filepath.Clean` for absolute container paths.
pub fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str().unwrap_or_default()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    format!("/{}", parts.join("/"))
}

/// Number of path elements, Docker's mount sort key.
pub fn depth(path: &str) -> usize {
    clean(path).matches('/').count()
}

/// Whether `path` is `dir` or below it.
pub fn is_under(path: &str, dir: &str) -> bool {
    let (path, dir) = (clean(path), clean(dir));
    path == dir || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// Host paths of bind sources, for the existence check done before building.
pub fn bind_sources(mounts: &[UserMount]) -> Vec<PathBuf> {
    mounts
        .iter()
        .filter_map(|m| match &m.kind {
            UserMountKind::Bind { source, .. } => Some(PathBuf::from(source)),
            UserMountKind::Tmpfs { .. } => None,
        })
        .collect()
}

/// The Engine API's `Tmpfs` map type, for callers building it from flags.
pub type TmpfsMap = BTreeMap<String, String>;

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(spec: &str) -> (String, String, bool, String) {
        match parse_bind(spec).unwrap() {
            UserMount {
                destination,
                kind:
                    UserMountKind::Bind {
                        source,
                        readonly,
                        propagation,
                        ..
                    },
            } => (source, destination, readonly, propagation),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn test_parse_bind_forms() {
        assert_eq!(
            bind("/a:/b"),
            ("/a".into(), "/b".into(), false, "rprivate".into())
        );
        assert_eq!(
            bind("/a:/b:ro"),
            ("/a".into(), "/b".into(), true, "rprivate".into())
        );
        assert_eq!(
            bind("/a:/b:rw,rshared"),
            ("/a".into(), "/b".into(), false, "rshared".into())
        );
        assert_eq!(
            bind("/a:/b:z,ro"),
            ("/a".into(), "/b".into(), true, "rprivate".into())
        );
    }

    #[test]
    fn test_parse_bind_errors() {
        let err = |s: &str| parse_bind(s).unwrap_err().to_string();
        assert_eq!(
            err("/a:/b:bogus"),
            "invalid volume specification: '/a:/b:bogus': invalid mode: bogus"
        );
        assert_eq!(
            err("/a:/b:ro,rw"),
            "invalid volume specification: '/a:/b:ro,rw': invalid mode: ro,rw"
        );
        assert_eq!(
            err("/a:/b:c:d"),
            "invalid volume specification: '/a:/b:c:d'"
        );
        assert_eq!(
            err("data:/b"),
            "invalid volume specification: 'data:/b': host path \"data\" is not absolute; named and relative volumes are not supported, use an absolute host path"
        );
        assert_eq!(
            err("/data"),
            "invalid volume specification: '/data': anonymous volumes are not supported, give a host path (-v /host/path:/data)"
        );
        assert_eq!(
            err("/a:b"),
            "invalid mount config for type \"bind\": invalid mount path: 'b' mount path must be absolute"
        );
        assert_eq!(
            err("/a:/"),
            "invalid mount config for type \"bind\": destination can't be '/'"
        );
        assert_eq!(err(":/b"), "invalid volume specification: ':/b'");
    }

    #[test]
    fn test_parse_mount_flag() {
        let m = parse_mount_flag("type=bind,source=/a,target=/b,readonly,bind-propagation=rslave")
            .unwrap();
        assert_eq!(
            (
                m.kind.as_str(),
                m.source.as_str(),
                m.target.as_str(),
                m.read_only
            ),
            ("bind", "/a", "/b", true)
        );
        assert_eq!(m.bind_options.unwrap().propagation, "rslave");
        let m = parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770").unwrap();
        let t = m.tmpfs_options.clone().unwrap();
        assert_eq!((t.size_bytes, t.mode), (64 << 20, 0o1770));
        assert_eq!(tmpfs_api_options(&m), ["size=67108864", "mode=1770"]);
        let err = |s: &str| parse_mount_flag(s).unwrap_err().to_string();
        assert_eq!(err("type=bind,source=/a"), "target is required");
        assert_eq!(err("source=/a,target=/b"), "type is required");
        assert_eq!(
            err("type=bind,foo=1,target=/b"),
            "unexpected key 'foo' in 'foo=1'"
        );
        assert_eq!(err("type"), "invalid field 'type' must be a key=value pair");
        assert_eq!(
            err("type=tmpfs,target=/t,tmpfs-size=lots"),
            "invalid value for tmpfs-size: lots"
        );
    }

    #[test]
    fn test_parse_user_mounts_api_errors() {
        let host = |m: Mount| HostConfig {
            mounts: vec![m],
            ..Default::default()
        };
        let err = |m: Mount| parse_user_mounts(&host(m)).unwrap_err().to_string();
        let m = |kind: &str, src: &str, dst: &str| Mount {
            kind: kind.into(),
            source: src.into(),
            target: dst.into(),
            ..Default::default()
        };
        assert_eq!(
            err(m("volume", "v", "/x")),
            "invalid mount type \"volume\": only bind and tmpfs are supported"
        );
        assert_eq!(
            err(m("bind", "", "/x")),
            "invalid mount config for type \"bind\": field Source must not be empty"
        );
        assert_eq!(
            err(m("tmpfs", "/a", "/x")),
            "invalid mount config for type \"tmpfs\": field Source must not be specified"
        );
        let dup = HostConfig {
            binds: vec!["/a:/x".into()],
            tmpfs: [("/x/".to_string(), String::new())].into(),
            ..Default::default()
        };
        assert_eq!(
            parse_user_mounts(&dup).unwrap_err().to_string(),
            "Duplicate mount point: /x/"
        );
    }

    #[test]
    fn test_merge_tmpfs_options() {
        let o = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            merge_tmpfs_options(&o(&[
                "noexec", "nosuid", "nodev", "rprivate", "exec", "size=1m", "size=2m", "rshared"
            ]))
            .unwrap(),
            o(&["nosuid", "nodev", "exec", "size=2m", "rshared"])
        );
        assert_eq!(
            merge_tmpfs_options(&o(&["foo"])).unwrap_err().to_string(),
            "invalid tmpfs option \"foo\""
        );
    }

    #[test]
    fn test_clean_and_depth() {
        assert_eq!(clean("/a/../b//c/"), "/b/c");
        assert_eq!(depth("/"), 1);
        assert_eq!(depth("/a/b"), 2);
        assert!(is_under("/dev/shm", "/dev"));
        assert!(is_under("/dev", "/dev/"));
        assert!(!is_under("/devices", "/dev"));
    }
}
