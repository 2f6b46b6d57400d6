//! The cgroup v1 filesystem for a container that joins another container's
//! PID namespace (a Kubernetes pod with `shareProcessNamespace: true`, whose
//! containers join the sandbox's), written as plain mounts libcontainer
//! can make.
//!
//! Why: libcontainer 0.7 (`rootfs/mount.rs`, `mount_cgroup_v1`) looks up the
//! cgroups of "the parent" in the host's `/proc` by a pid it takes from
//! inside the container: `getppid()` is 0 in a joined PID namespace, so it
//! falls back to `getpid()`, the pid *in the container's namespace*, and
//! opens `/proc/<that pid>` of the host. That is another process or none at
//! all, and `create` fails with "procfs failed … NotFound(/proc/11)". In a
//! PID namespace of its own the init is pid 1 and the host's pid 1 happens
//! to answer, which is why ordinary containers work.
//!
//! So for such a container the `cgroup` mount is replaced by what
//! libcontainer would have made without the lookup (its
//! `setup_emulated_subsystem`): a tmpfs, and for every cgroup v1 controller
//! hierarchy a bind of the container's own cgroup directory
//! (`<hierarchy>/<cgroupsPath>`, which libcgroups creates in the
//! intermediate process before the init mounts anything). A combined
//! hierarchy (`cpu,cpuacct`) is also bound at each controller's name, where
//! libcontainer makes symlinks. Named hierarchies (`name=systemd`) are left
//! out: libcgroups never places a container there, and
//! [`super::cgroup_mounts`] removes that mount anyway. The read-only
//! remount of the `ro` option is still done by [`super::cgroup_mounts`].

use std::path::{Path, PathBuf};

use oci_spec::runtime::{LinuxNamespaceType, Mount, MountBuilder, Spec};

/// A cgroup v1 hierarchy of the host: its mount point, and whether it is a
/// named one (`name=…` in its super options) rather than a controller's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchy {
    pub mount_point: PathBuf,
    pub named: bool,
}

/// The v1 hierarchies mounted below `/sys/fs/cgroup`, from a mountinfo text.
pub fn hierarchies(mountinfo: &str) -> Vec<Hierarchy> {
    mountinfo
        .lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let mut right = right.split_whitespace();
            if right.next()? != "cgroup" {
                return None;
            }
            let super_options = right.nth(1).unwrap_or("");
            let mount_point = PathBuf::from(left.split_whitespace().nth(4)?);
            mount_point
                .starts_with("/sys/fs/cgroup")
                .then(|| Hierarchy {
                    mount_point,
                    named: super_options.split(',').any(|o| o.starts_with("name=")),
                })
        })
        .collect()
}

/// The mounts to show libcontainer instead of `spec`'s, or `None` when the
/// spec does not need them: it joins no existing PID namespace, has no
/// `cgroup` mount, has a cgroup namespace (libcontainer then mounts fresh
/// hierarchies, without the lookup), no `cgroupsPath`, or the host has no v1
/// controller hierarchy (cgroup v2).
pub fn mounts_for(spec: &Spec, hierarchies: &[Hierarchy]) -> Option<Vec<Mount>> {
    let linux = spec.linux().as_ref()?;
    let namespaces = linux.namespaces().as_ref()?;
    let joins_pid = namespaces
        .iter()
        .any(|n| n.typ() == LinuxNamespaceType::Pid && n.path().is_some());
    let cgroup_ns = namespaces
        .iter()
        .any(|n| n.typ() == LinuxNamespaceType::Cgroup);
    if !joins_pid || cgroup_ns {
        return None;
    }
    let cgroups_path = linux.cgroups_path().as_ref()?;
    let relative = cgroups_path.strip_prefix("/").unwrap_or(cgroups_path);
    if relative.as_os_str().is_empty() || hierarchies.iter().all(|h| h.named) {
        return None;
    }
    let mounts = spec.mounts().as_ref()?;
    let at = mounts
        .iter()
        .position(|m| m.typ().as_deref() == Some("cgroup"))?;
    let destination = mounts[at].destination().clone();
    let mut replaced = mounts[..at].to_vec();
    replaced.push(tmpfs(&destination));
    for hierarchy in hierarchies.iter().filter(|h| !h.named) {
        let Some(name) = hierarchy.mount_point.file_name() else {
            continue;
        };
        let source = hierarchy.mount_point.join(relative);
        let name = name.to_string_lossy();
        let mut targets = vec![name.to_string()];
        if name.contains(',') {
            targets.extend(name.split(',').map(str::to_string));
        }
        for target in targets {
            replaced.push(bind(&source, &destination.join(target)));
        }
    }
    replaced.extend_from_slice(&mounts[at + 1..]);
    Some(replaced)
}

/// The tmpfs libcontainer puts under the controllers, with its options.
fn tmpfs(destination: &Path) -> Mount {
    MountBuilder::default()
        .destination(destination)
        .typ("tmpfs")
        .source("tmpfs")
        .options(options(&["noexec", "nosuid", "nodev", "mode=755"]))
        .build()
        .expect("a complete mount")
}

fn bind(source: &Path, destination: &Path) -> Mount {
    MountBuilder::default()
        .destination(destination)
        .typ("bind")
        .source(source)
        .options(options(&["rbind", "noexec", "nosuid", "nodev"]))
        .build()
        .expect("a complete mount")
}

fn options(list: &[&str]) -> Vec<String> {
    list.iter().map(|o| o.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec shared:5 - cgroup2 cgroup2 rw
32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec shared:6 - cgroup cgroup rw,xattr,name=systemd
35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec shared:9 - cgroup cgroup rw,cpu,cpuacct
36 30 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec shared:10 - cgroup cgroup rw,memory
40 22 0:40 / /mnt/other rw - cgroup cgroup rw,pids";

    fn spec(pid_path: Option<&str>, extra_ns: &[&str]) -> Spec {
        let mut namespaces = vec![serde_json::json!({"type": "mount"})];
        namespaces.push(match pid_path {
            Some(path) => serde_json::json!({"type": "pid", "path": path}),
            None => serde_json::json!({"type": "pid"}),
        });
        namespaces.extend(extra_ns.iter().map(|t| serde_json::json!({"type": t})));
        serde_json::from_value(serde_json::json!({
            "ociVersion": "1.0.2",
            "root": {"path": "rootfs"},
            "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                 "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
                {"destination": "/etc/hosts", "type": "bind", "source": "/tmp/hosts",
                 "options": ["rbind", "ro"]},
            ],
            "linux": {"cgroupsPath": "/kubepods/pod1/c1", "namespaces": namespaces},
        }))
        .unwrap()
    }

    fn described(mounts: &[Mount]) -> Vec<String> {
        mounts
            .iter()
            .map(|m| {
                format!(
                    "{} {} {}",
                    m.typ().clone().unwrap_or_default(),
                    m.source().clone().unwrap_or_default().display(),
                    m.destination().display()
                )
            })
            .collect()
    }

    #[test]
    fn test_hierarchies_are_the_cgroup_v1_mounts_below_sys_fs_cgroup() {
        let found = hierarchies(MOUNTINFO);
        let points: Vec<_> = found.iter().map(|h| h.mount_point.clone()).collect();
        assert_eq!(
            points,
            [
                "/sys/fs/cgroup/systemd",
                "/sys/fs/cgroup/cpu,cpuacct",
                "/sys/fs/cgroup/memory"
            ]
            .map(PathBuf::from)
        );
        assert_eq!(
            found.iter().map(|h| h.named).collect::<Vec<_>>(),
            [true, false, false]
        );
    }

    #[test]
    fn test_joined_pid_namespace_gets_tmpfs_and_binds_of_its_own_cgroups() {
        let mounts = mounts_for(&spec(Some("/proc/42/ns/pid"), &[]), &hierarchies(MOUNTINFO))
            .expect("replaced");
        assert_eq!(
            described(&mounts),
            [
                "proc proc /proc",
                "tmpfs tmpfs /sys/fs/cgroup",
                "bind /sys/fs/cgroup/cpu,cpuacct/kubepods/pod1/c1 /sys/fs/cgroup/cpu,cpuacct",
                "bind /sys/fs/cgroup/cpu,cpuacct/kubepods/pod1/c1 /sys/fs/cgroup/cpu",
                "bind /sys/fs/cgroup/cpu,cpuacct/kubepods/pod1/c1 /sys/fs/cgroup/cpuacct",
                "bind /sys/fs/cgroup/memory/kubepods/pod1/c1 /sys/fs/cgroup/memory",
                "bind /tmp/hosts /etc/hosts",
            ]
        );
    }

    #[test]
    fn test_other_specs_are_left_to_libcontainer() {
        let v1 = hierarchies(MOUNTINFO);
        // A PID namespace of its own.
        assert_eq!(mounts_for(&spec(None, &[]), &v1), None);
        // A cgroup namespace: libcontainer mounts fresh hierarchies.
        assert_eq!(
            mounts_for(&spec(Some("/proc/42/ns/pid"), &["cgroup"]), &v1),
            None
        );
        // cgroup v2 (only named or no v1 hierarchies).
        let named: Vec<_> = v1.into_iter().filter(|h| h.named).collect();
        assert_eq!(
            mounts_for(&spec(Some("/proc/42/ns/pid"), &[]), &named),
            None
        );
        assert_eq!(mounts_for(&spec(Some("/proc/42/ns/pid"), &[]), &[]), None);
    }
}
