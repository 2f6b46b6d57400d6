//! `image import`, `image ls`, `image rm`: the rootfs image store (the other
//! image commands are in `image_more_cmd`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::config::Settings;
use crate::runtime::images::ImageStore;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::inspect::{human_duration, seconds_since};
use crate::runtime::store::Store;

#[derive(Subcommand, Debug)]
pub enum ImageCommand {
    /// Import a rootfs tarball (.tar, .tar.gz, .tar.zst) or directory; prints the digest
    Import(ImportArgs),
    /// List images
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Remove images (refused while a container uses one, unless -f)
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Show images in Docker's JSON shape
    Inspect(super::image_more_cmd::InspectArgs),
    /// Give an image another name
    Tag(super::image_more_cmd::TagArgs),
    /// Load images from a `docker save` archive or an OCI image layout (tar or directory)
    Load(super::image_archive_cmd::LoadArgs),
    /// Remove unnamed images (-a: all unused ones) and layers no image or container uses
    Prune(super::image_archive_cmd::PruneArgs),
    /// Pull an image from a registry
    Pull(super::image_archive_cmd::PullArgs),
    /// Save images as an OCI image layout (tar to -o FILE or stdout; -o DIR/ for a directory)
    Save(super::image_archive_cmd::SaveArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Dockerfile instruction applied to the image config: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, STOPSIGNAL
    #[arg(short = 'c', long = "change")]
    change: Vec<String>,
    /// Tarball or directory
    source: PathBuf,
    /// Name to give the image
    name: Option<String>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Only digests
    #[arg(short, long)]
    quiet: bool,
    /// table, json (one object per line), or a Go template: '{{.Name}} {{.Size}}', 'table {{.ID}}\t{{.Name}}'
    #[arg(long, default_value = "table")]
    format: String,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Remove even if a container uses the image
    #[arg(short, long)]
    force: bool,
    /// Images (name, digest or unique digest prefix)
    #[arg(required = true)]
    images: Vec<String>,
}

pub fn run_image(settings: &Settings, command: &ImageCommand) -> anyhow::Result<ExitCode> {
    let images = ImageStore::of(settings);
    match command {
        ImageCommand::Import(args) => {
            let image = images.import(&args.source, args.name.as_deref(), &args.change)?;
            println!("{}", image.digest);
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Ls(args) => {
            list(&images, args)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Inspect(args) => super::image_more_cmd::run_inspect(settings, args),
        ImageCommand::Tag(args) => super::image_more_cmd::run_tag(settings, args),
        ImageCommand::Rm(args) => {
            let code = remove(settings, &images, args);
            super::image_archive_cmd::prune_layers_after_rm(settings, &images);
            Ok(code)
        }
        ImageCommand::Load(args) => {
            super::image_archive_cmd::load(&images, args)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Save(args) => {
            super::image_archive_cmd::save(&images, args)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Pull(args) => {
            super::image_archive_cmd::pull(settings, args)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Prune(args) => {
            super::image_archive_cmd::prune(settings, &images, args)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(images: &ImageStore, args: &LsArgs) -> anyhow::Result<()> {
    let rows = images.list()?;
    let usage = images.usage()?;
    let usage_of = |digest: &str| usage.get(digest).copied().unwrap_or_default();
    if args.quiet {
        for row in rows {
            println!("{}", row.digest);
        }
        return Ok(());
    }
    if args.format == "json" {
        for row in rows {
            let u = usage_of(&row.digest);
            let v = serde_json::json!({"Name": row.name, "Digest": row.digest, "Size": row.size, "SharedSize": u.shared, "UniqueSize": u.unique, "CreatedAt": row.created});
            println!("{v}");
        }
        return Ok(());
    }
    if args.format != "table" {
        let values: Vec<serde_json::Value> = rows.iter().map(image_value).collect();
        let header = serde_json::json!({"Name": "NAME", "Repository": "REPOSITORY", "Tag": "TAG",
            "ID": "IMAGE ID", "Digest": "DIGEST", "CreatedAt": "CREATED AT", "CreatedSince": "CREATED",
            "Size": "SIZE"});
        super::template::print_rows(&args.format, &values, &header).map_err(anyhow::Error::msg)?;
        return Ok(());
    }
    println!(
        "{:<32}{:<16}{:<26}{:<10}{:<10}UNIQUE",
        "NAME", "DIGEST", "CREATED", "SIZE", "SHARED"
    );
    for row in rows {
        let short = row
            .digest
            .trim_start_matches("sha256:")
            .chars()
            .take(12)
            .collect::<String>();
        let u = usage_of(&row.digest);
        println!(
            "{:<32}{:<16}{:<26}{:<10}{:<10}{}",
            row.name.as_deref().unwrap_or("<none>"),
            short,
            format!("{} ago", human_duration(seconds_since(&row.created))),
            human_size(row.size),
            human_size(u.shared),
            human_size(u.unique)
        );
    }
    Ok(())
}

/// An image as Docker's `image ls --format` templates see it.
fn image_value(row: &crate::runtime::images::ImageSummary) -> serde_json::Value {
    let name = row.name.clone().unwrap_or_else(|| "<none>".into());
    let (repository, tag) = match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo.to_string(), tag.to_string()),
        _ => (name.clone(), "<none>".to_string()),
    };
    serde_json::json!({
        "Name": name,
        "Repository": repository,
        "Tag": tag,
        "ID": row.digest.trim_start_matches("sha256:").chars().take(12).collect::<String>(),
        "Digest": row.digest,
        "CreatedAt": row.created,
        "CreatedSince": format!("{} ago", human_duration(seconds_since(&row.created))),
        "Size": human_size(row.size),
    })
}

/// Docker's sizes: decimal units, three significant digits.
pub(super) fn human_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.3}")
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
        + units[unit]
}

fn remove(settings: &Settings, images: &ImageStore, args: &RmArgs) -> ExitCode {
    let store = Store::new(Layout::new(settings));
    super::for_each_container(&args.images, |reference| {
        let removed = images.remove(reference, args.force, |digest| {
            container_using(&store, images, digest)
        })?;
        let mut lines: Vec<String> = removed
            .untagged
            .iter()
            .map(|n| format!("Untagged: {n}"))
            .collect();
        lines.extend(removed.deleted.map(|d| format!("Deleted: {d}")));
        Ok(lines.join("\n"))
    })
}

/// The short id of a container whose rootfs is built on image `digest`.
pub(super) fn container_using(store: &Store, images: &ImageStore, digest: &str) -> Option<String> {
    let image_dir = images
        .dir()
        .join("sha256")
        .join(digest.trim_start_matches("sha256:"));
    // A layered image's overlay lower is its layer dirs, not under image_dir.
    let lower = images.get(digest).ok().map(|i| i.lower());
    store.ids().ok()?.into_iter().find_map(|id| {
        let record = store.record(&id).ok().flatten()?;
        (record.image_rootfs.starts_with(&image_dir)
            || lower.as_ref() == Some(&record.image_rootfs))
        .then(|| id[..12].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn test_human_size() {
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(2_140_160), "2.14MB");
        assert_eq!(human_size(1_000_000_000), "1GB");
    }
}
