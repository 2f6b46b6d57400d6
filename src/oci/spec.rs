//! `spec [--bundle DIR] [--rootless]`: writes a default `config.json` into the
//! bundle, like `runc spec`: a shell (`sh`, terminal on) in a `rootfs/`
//! directory, read-only root, the usual mounts, masked and read-only paths,
//! and namespaces pid, network, ipc, uts and mount (`--rootless`: plus a user
//! namespace mapping the caller's uid and gid to root). An existing
//! `config.json` is never overwritten.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use oci_spec::runtime::Spec;
use serde_json::Value;

use super::OciError;

#[derive(clap::Args, Debug)]
pub struct SpecArgs {
    /// The bundle directory to write config.json into
    #[arg(short = 'b', long, value_name = "DIR", default_value = ".")]
    pub bundle: PathBuf,
    /// A spec for a rootless container (user namespace, no cgroup limits)
    #[arg(long)]
    pub rootless: bool,
}

pub fn run_spec(args: &SpecArgs) -> Result<u8, OciError> {
    let mut spec = if args.rootless {
        Spec::rootless(
            nix::unistd::geteuid().as_raw(),
            nix::unistd::getegid().as_raw(),
        )
    } else {
        Spec::default()
    };
    spec.set_hostname(Some("vassalrun".to_string()));
    if let Some(process) = spec.process_mut() {
        process.set_terminal(Some(true));
    }
    let path = args.bundle.join("config.json");
    let text = spec_json(&spec);
    // create_new: fails if the file exists, with no window for a race.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(OciError::io(&path))?;
    file.write_all(text.as_bytes())
        .map_err(OciError::io(&path))?;
    Ok(0)
}

/// Pretty JSON with capability sets in a stable order (oci-spec keeps them as
/// hash sets).
fn spec_json(spec: &Spec) -> String {
    let mut value = serde_json::to_value(spec).expect("spec serializes");
    if let Some(Value::Object(sets)) = value.pointer_mut("/process/capabilities") {
        for set in sets.values_mut() {
            if let Value::Array(caps) = set {
                caps.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&value).expect("spec serializes");
    text.push('\n');
    text
}
