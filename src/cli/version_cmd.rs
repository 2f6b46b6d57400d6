//! `version`: Docker's client-version layout; there is no server (no daemon).

use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct VersionArgs {
    /// Output format: table or json
    #[arg(short, long, default_value = "table")]
    format: String,
}

pub fn run_version(args: &VersionArgs) -> anyhow::Result<ExitCode> {
    let version = env!("CARGO_PKG_VERSION");
    let oci = oci_spec::runtime::VERSION;
    let os_arch = format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH);
    match args.format.as_str() {
        "json" => println!(
            "{}",
            serde_json::json!({"Client": {"Version": version, "OciSpecVersion": oci, "Os": std::env::consts::OS, "Arch": std::env::consts::ARCH, "Daemonless": true}})
        ),
        "table" => {
            println!("Client: vassalrun");
            println!(" Version:           {version}");
            println!(" OCI spec version:  {oci}");
            println!(" OS/Arch:           {os_arch}");
            println!(" Daemonless:        true (no server: each container has its own monitor)");
        }
        other => anyhow::bail!(
            "invalid argument {other:?} for \"--format\" flag: expected table or json"
        ),
    }
    Ok(ExitCode::SUCCESS)
}
