//! The runtime: images, per-container root filesystems and state, and the
//! container lifecycle. So far: resolving an image argument and gathering the
//! [`crate::spec::SpecContext`] a container's spec is built from.

pub mod attach;
pub mod cgroup_fixups;
pub mod cgroup_mounts;
pub mod cgroup_parent;
pub mod cgroups;
pub mod events;
pub mod image_source;
pub mod images;
pub mod in_root;
pub mod init_binary;
pub mod joined_pid_cgroup;
pub mod late_filter;
pub mod layout;
pub mod lifecycle;
pub mod logs;
pub mod migration_warmup;
pub mod mount_namespace;
pub mod network_files;
mod overlay_mount;
pub mod pid_holder;
pub mod prepare;
pub mod protected_exe;
pub mod record;
pub mod rootfs;
pub mod seccomp_cache;
pub mod store;
pub mod tenant;
pub mod tree_copy;
