//! `image load`, `image save`, `image prune`, and the layer bookkeeping that
//! `image ls` and `image rm` add for layered images.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::config::Settings;
use crate::runtime::images::layers::lower_dirs;
use crate::runtime::images::oci::Platform;
use crate::runtime::images::ImageStore;
use crate::runtime::layout::Layout;
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// `docker save` archive or OCI image layout (tar or directory); stdin when absent
    #[arg(short = 'i', long = "input")]
    input: Option<PathBuf>,
    /// Platform to load from a multi-platform index [default: the host's]
    #[arg(long)]
    platform: Option<String>,
    /// Print nothing
    #[arg(short, long)]
    quiet: bool,
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

/// The platform asked for, or the host's.
pub fn platform(arg: Option<&str>) -> anyhow::Result<Platform> {
    match arg {
        None => Ok(Platform::host()),
        Some(text) => Platform::parse(text).ok_or_else(|| {
            anyhow::anyhow!("invalid platform {text:?}: expected OS/ARCH[/VARIANT]")
        }),
    }
}

pub fn load(images: &ImageStore, args: &LoadArgs) -> anyhow::Result<()> {
    let platform = platform(args.platform.as_deref())?;
    let spool;
    let source: &Path = match &args.input {
        Some(path) => path,
        None => {
            spool = Spool::stdin(images)?;
            &spool.path
        }
    };
    let loaded = images.load_archive(source, &platform)?;
    if args.quiet {
        return Ok(());
    }
    for image in loaded {
        if image.names.is_empty() {
            println!("Loaded image ID: {}", image.image.digest);
        }
        for name in image.names {
            println!("Loaded image: {name}");
        }
    }
    Ok(())
}

/// stdin copied to a file under the store's `tmp/` (an archive is read twice),
/// flocked so no other process's sweep takes it, removed on drop.
struct Spool {
    path: PathBuf,
    _lock: nix::fcntl::Flock<std::fs::File>,
}

impl Spool {
    fn stdin(images: &ImageStore) -> anyhow::Result<Spool> {
        let empty = || anyhow::anyhow!("requested load from stdin, but stdin is empty");
        if std::io::stdin().is_terminal() {
            return Err(empty());
        }
        let tmp = images.dir().join("tmp");
        std::fs::create_dir_all(&tmp)?;
        let path = tmp.join(format!("stdin-{:016x}", rand::random::<u64>()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        let lock = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
            .map_err(|(_, e)| anyhow::anyhow!("{}: {e}", path.display()))?;
        let spool = Spool { path, _lock: lock };
        let copied = std::io::copy(&mut std::io::stdin().lock(), &mut &*spool._lock)?;
        if copied == 0 {
            return Err(empty());
        }
        Ok(spool)
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lower directories of every container's overlay (and each lower whole).
pub fn lowers_in_use(settings: &Settings) -> HashSet<PathBuf> {
    let store = Store::new(Layout::new(settings));
    let mut dirs = HashSet::new();
    for id in store.ids().unwrap_or_default() {
        if let Ok(Some(record)) = store.record(&id) {
            dirs.extend(lower_dirs(&record.image_rootfs));
            dirs.insert(record.image_rootfs);
        }
    }
    dirs
}

pub fn prune(settings: &Settings, images: &ImageStore, args: &PruneArgs) -> anyhow::Result<()> {
    let what = if args.all {
        "all images without at least one container associated to them"
    } else {
        "all dangling images"
    };
    if !args.force && !super::image_more_cmd::confirm(what) {
        return Ok(());
    }
    let pruned = images.prune(args.all, &lowers_in_use(settings))?;
    println!("Deleted Images:");
    for name in &pruned.untagged {
        println!("untagged: {name}");
    }
    for digest in &pruned.deleted {
        println!("deleted: {digest}");
    }
    for layer in &pruned.layers {
        println!("deleted layer: {layer}");
    }
    if pruned.partial > 0 {
        println!("deleted partial downloads: {}", pruned.partial);
    }
    Ok(())
}

/// After `image rm`: the layers nothing uses any more.
pub fn prune_layers_after_rm(settings: &Settings, images: &ImageStore) {
    if let Err(e) = images.prune_layers(&lowers_in_use(settings)) {
        tracing::warn!("removing unused layers: {e}");
    }
}

#[derive(Args, Debug)]
pub struct PullArgs {
    /// Image reference: NAME[:TAG|@DIGEST], e.g. busybox, registry.example.com:5000/team/app:1.4
    reference: String,
    /// Platform to pull from a multi-platform image [default: the host's]
    #[arg(long)]
    platform: Option<String>,
    /// Registry (host[:port] or CIDR) that may be reached over plain HTTP; repeatable
    #[arg(long = "insecure-registry", value_name = "REGISTRY")]
    insecure_registry: Vec<String>,
    /// Print only the image digest
    #[arg(short, long)]
    quiet: bool,
}

/// Insecure registries from the flags, `$VASSALRUN_INSECURE_REGISTRIES` and `config.toml`.
fn insecure_registries(settings: &Settings, flags: &[String]) -> anyhow::Result<Vec<String>> {
    let mut list = flags.to_vec();
    if let Ok(env) = std::env::var("VASSALRUN_INSECURE_REGISTRIES") {
        list.extend(
            env.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
    }
    let file = crate::config::read_config_file(&settings.config_dir.join("config.toml"))?;
    list.extend(file.insecure_registries.unwrap_or_default());
    Ok(list)
}

pub fn pull(settings: &Settings, args: &PullArgs) -> anyhow::Result<()> {
    let images = ImageStore::of(settings);
    let pulled = pull_reference(
        settings,
        &images,
        &args.reference,
        args.platform.as_deref(),
        &args.insecure_registry,
        args.quiet,
    )?;
    if args.quiet {
        println!("{}", pulled.image.digest);
        return Ok(());
    }
    // Docker's lines: the manifest's digest (what `NAME@sha256:…` pulls),
    // then the status.
    println!("Digest: {}", pulled.manifest_digest);
    if pulled.downloaded == 0 {
        println!("Status: Image is up to date for {}", pulled.name);
    } else {
        println!("Status: Downloaded newer image for {}", pulled.name);
    }
    Ok(())
}

/// Pulls `reference` (also used by `run`-style callers that pull on demand).
pub fn pull_reference(
    settings: &Settings,
    images: &ImageStore,
    reference: &str,
    platform_arg: Option<&str>,
    insecure_flags: &[String],
    quiet: bool,
) -> anyhow::Result<crate::runtime::images::registry::Pulled> {
    use crate::runtime::images::reference::Reference;
    use crate::runtime::images::registry::{is_insecure, PullOptions};
    let reference = Reference::parse(reference)?;
    let insecure = is_insecure(
        &reference.registry,
        &insecure_registries(settings, insecure_flags)?,
    );
    let options = PullOptions {
        platform: platform(platform_arg)?,
        insecure,
        quiet,
    };
    Ok(images.pull(&reference, &options)?)
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    /// Write to FILE (a tar), or into DIR when it ends in `/` or is a directory; stdout when absent
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    #[arg(required = true)]
    images: Vec<String>,
}

pub fn save(images: &ImageStore, args: &SaveArgs) -> anyhow::Result<()> {
    let Some(output) = &args.output else {
        if std::io::stdout().is_terminal() {
            anyhow::bail!("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        let mut stdout = std::io::stdout().lock();
        images.save_archive(&args.images, &mut stdout)?;
        return Ok(());
    };
    let as_dir = output.is_dir() || output.as_os_str().to_string_lossy().ends_with('/');
    if as_dir {
        if std::fs::read_dir(output).is_ok_and(|mut d| d.next().is_some()) {
            anyhow::bail!("{}: directory is not empty", output.display());
        }
        let result = images.save_layout(&args.images, output);
        if result.is_err() {
            // Leave no half layout behind (the directory was empty or new).
            if let Ok(entries) = std::fs::read_dir(output) {
                for entry in entries.flatten() {
                    let _ = std::fs::remove_dir_all(entry.path())
                        .or_else(|_| std::fs::remove_file(entry.path()));
                }
            }
        }
        return Ok(result?);
    }
    // A temporary file beside the target, renamed over it when complete.
    let tmp = output.with_file_name(format!(
        ".{}.{:08x}.tmp",
        output.file_name().unwrap_or_default().to_string_lossy(),
        rand::random::<u32>()
    ));
    let result = (|| -> anyhow::Result<()> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        images.save_archive(&args.images, &mut file)?;
        std::io::Write::flush(&mut file)?;
        std::fs::rename(&tmp, output)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| anyhow::anyhow!("{}: {e:#}", output.display()))
}
