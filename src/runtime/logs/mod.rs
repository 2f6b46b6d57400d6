//! Container logs in Docker's `json-file` format: written by the monitor,
//! read by `vassalrun logs`.

pub mod follow;
pub mod json_file;
pub mod time_filter;
