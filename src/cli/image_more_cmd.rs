//! `image inspect`, `image tag`, `image prune`: the image commands besides
//! import, ls and rm (those are in `image_cmd`).

use std::io::BufRead;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::for_each_container;
use crate::config::Settings;
use crate::runtime::images::{Image, ImageStore};
use crate::runtime::layout::Layout;
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Images (name, digest or unique digest prefix)
    #[arg(required = true, value_name = "IMAGE")]
    images: Vec<String>,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// The image to name (name, digest or unique digest prefix)
    source: String,
    /// The new name
    target: String,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Remove every image no container uses, not only unnamed ones
    #[arg(short, long)]
    all: bool,
    /// Do not ask for confirmation
    #[arg(short, long)]
    force: bool,
}

/// `image inspect`: a JSON array in Docker's shape (`Id`, `RepoTags`,
/// `Created`, `Size`, `Config`), plus where the image came from.
pub fn run_inspect(settings: &Settings, args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let images = ImageStore::new(&settings.root);
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
    println!("{}", serde_json::to_string_pretty(&found)?);
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
    ImageStore::new(&settings.root).tag(&args.source, &args.target)?;
    Ok(ExitCode::SUCCESS)
}

/// `image prune`: unnamed images (with `-a` every image) no container uses.
pub fn run_prune(settings: &Settings, args: &PruneArgs) -> anyhow::Result<ExitCode> {
    let what = if args.all {
        "all images without at least one container associated to them"
    } else {
        "all dangling images"
    };
    if !args.force && !confirm(what) {
        return Ok(ExitCode::SUCCESS);
    }
    let images = ImageStore::new(&settings.root);
    let store = Store::new(Layout::new(settings));
    let mut digests: Vec<String> = images
        .list()?
        .into_iter()
        .filter(|row| args.all || row.name.is_none())
        .map(|row| row.digest)
        .collect();
    digests.dedup();
    let unused: Vec<String> = digests
        .into_iter()
        .filter(|d| super::image_cmd::container_using(&store, &images, d).is_none())
        .collect();
    println!("Deleted Images:");
    let code = for_each_container(&unused, |digest| {
        // By digest with force: every name goes with it; use was checked above.
        let removed = images.remove(digest, true, |_| None)?;
        let mut lines: Vec<String> = removed
            .untagged
            .iter()
            .map(|n| format!("untagged: {n}"))
            .collect();
        lines.extend(removed.deleted.map(|d| format!("deleted: {d}")));
        Ok(lines.join("\n"))
    });
    Ok(code)
}

/// Docker's prune prompt on stderr; anything but y/Y (or no terminal input) is no.
pub fn confirm(what: &str) -> bool {
    eprint!("WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y")
}
