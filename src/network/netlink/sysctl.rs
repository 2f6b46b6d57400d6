//! `/proc/sys/net` writes. They apply to the network namespace of the
//! calling thread, so the container's are written from the thread that
//! entered its namespace.

use crate::network::error::NetworkError;

/// Writes `value` to `/proc/sys/net/<key>` unless it already holds it.
pub fn set(key: &str, value: &str) -> Result<(), NetworkError> {
    let path = format!("/proc/sys/net/{key}");
    if std::fs::read_to_string(&path).is_ok_and(|v| v.trim() == value) {
        return Ok(());
    }
    std::fs::write(&path, value).map_err(|reason| NetworkError::Sysctl { path, reason })
}
