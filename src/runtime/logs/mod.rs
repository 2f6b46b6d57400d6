//! Container logs in Docker's `json-file` format: written by the monitor,
//! read by `vassalrun logs`.

pub mod json_file;
