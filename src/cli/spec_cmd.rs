//! `vassalrun spec [FLAGS] IMAGE [COMMAND [ARG...]]`: print the OCI `config.json`
//! that `create` would use, with no side effects.

use std::process::ExitCode;

use clap::{ArgAction, Args};
use serde_json::Value;

use crate::config::Settings;
use crate::runtime::prepare::{new_container_id, spec_context};
use crate::spec::build_spec;
use crate::spec::run_flags::RunFlags;

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct SpecArgs {
    /// Print help (-h is --hostname, as in docker run)
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,
    /// Print which run module added which argument (text, or json), not the spec
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text")]
    explain: Option<String>,
    #[command(flatten)]
    flags: RunFlags,
    /// IMAGE (a rootfs directory, a rootfs tarball or an image name), then COMMAND and ARGs; optional when the --config body names its "Image"
    #[arg(value_name = "IMAGE [COMMAND [ARG...]]", required_unless_present = "config", num_args = 1.., trailing_var_arg = true)]
    image_and_command: Vec<String>,
}

pub fn run(settings: &Settings, args: &SpecArgs) -> anyhow::Result<ExitCode> {
    let (image, command) = super::image_and_command(&args.image_and_command);
    args.flags.name()?;
    let lookup = |key: &str| std::env::var(key).ok();
    let prepared = crate::modules::prepare(&crate::modules::RunInput {
        settings,
        invocation: &crate::modules::Invocation::new(crate::modules::Origin::Cli),
        flags: &args.flags,
        image,
        command,
        env: &lookup,
    })?;
    prepared.flags.name()?;
    match args.explain.as_deref() {
        None => {}
        Some("text") => {
            print!("{}", prepared.explanation);
            return Ok(ExitCode::SUCCESS);
        }
        Some("json") => {
            println!("{}", serde_json::to_string_pretty(&prepared.explanation)?);
            return Ok(ExitCode::SUCCESS);
        }
        Some(other) => anyhow::bail!(
            "invalid argument {other:?} for \"--explain\" flag: expected text or json"
        ),
    }
    let request = prepared.request;
    super::require_image(&request)?;
    let id = new_container_id();
    let image_info = crate::runtime::prepare::ImageInfo::lookup(settings, &request.config.image);
    let context = spec_context(settings, &request, &id, &image_info)?;
    let spec = build_spec(&request, &context)?;
    let mut value = serde_json::to_value(&spec)?;
    sort_capabilities(&mut value);
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(ExitCode::SUCCESS)
}

/// oci-spec keeps capability sets as hash sets; print them in a stable order.
fn sort_capabilities(spec: &mut Value) {
    if let Some(Value::Object(sets)) = spec.pointer_mut("/process/capabilities") {
        for set in sets.values_mut() {
            if let Value::Array(caps) = set {
                caps.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
        }
    }
}
