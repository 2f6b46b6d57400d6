//! `image inspect`, `image tag`, `image prune`: the image commands besides
//! import, ls and rm (those are in `image_cmd`).

use std::io::BufRead;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::config::Settings;
use crate::runtime::images::{Image, ImageStore};

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Images (name, digest or unique digest prefix)
    #[arg(required = true, value_name = "IMAGE")]
    images: Vec<String>,
    /// Print each image through a Go-style template ({{.Id}}, {{json .Config}})
    #[arg(short, long)]
    format: Option<String>,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// The image to name (name, digest or unique digest prefix)
    source: String,
    /// The new name
    target: String,
}

/// `image inspect`: a JSON array in Docker's shape (`Id`, `RepoTags`,
/// `Created`, `Size`, `Config`), plus where the image came from.
pub fn run_inspect(settings: &Settings, args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let images = ImageStore::of(settings);
    let mut found = Vec::new();
    let mut failed = false;
    for reference in &args.images {
        match images
            .get(reference)
            .and_then(|image| describe(&images, &image))
        {
            Ok(value) => found.push(value),
            Err(e) => {
                eprintln!("vassalrun: {e}");
                failed = true;
            }
        }
    }
    match &args.format {
        Some(template) => {
            for value in &found {
                let line = super::template::render(template, value).map_err(anyhow::Error::msg)?;
                println!("{line}");
            }
        }
        None => println!("{}", serde_json::to_string_pretty(&found)?),
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn describe(
    images: &ImageStore,
    image: &Image,
) -> Result<serde_json::Value, crate::runtime::images::ImageError> {
    Ok(json!({
        "Id": image.digest,
        "RepoTags": images.names_of(&image.digest)?,
        "Created": image.created,
        "Size": image.size,
        "Config": image.config,
        "Os": "linux",
        "Source": image.source,
        "GraphDriver": {"Name": "vassalrun", "Data": {"RootDir": image.rootfs()}},
    }))
}

/// `image tag SOURCE TARGET`: silent on success, as Docker's.
pub fn run_tag(settings: &Settings, args: &TagArgs) -> anyhow::Result<ExitCode> {
    ImageStore::of(settings).tag(&args.source, &args.target)?;
    Ok(ExitCode::SUCCESS)
}

/// Docker's prune prompt on stderr; anything but y/Y (or no terminal input) is no.
pub fn confirm(what: &str) -> bool {
    eprint!("WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y")
}
