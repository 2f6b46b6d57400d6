//! `cp CONTAINER:SRC HOST_DEST` and `cp HOST_SRC CONTAINER:DEST`.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::copy::{copy, Direction};
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct CpArgs {
    /// CONTAINER:SRC_PATH or a host path
    #[arg(value_name = "SRC")]
    source: String,
    /// A host path or CONTAINER:DEST_PATH
    #[arg(value_name = "DEST")]
    destination: String,
}

/// `NAME:PATH` as Docker reads it: a colon before any slash, and not a path
/// that starts with `/` or `.` (those are host paths even with a colon).
fn container_part(arg: &str) -> Option<(&str, &str)> {
    if arg.starts_with('/') || arg.starts_with('.') {
        return None;
    }
    let (container, path) = arg.split_once(':')?;
    (!container.is_empty() && !container.contains('/')).then_some((container, path))
}

pub fn run_cp(settings: &Settings, args: &CpArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Layout::new(settings));
    match (
        container_part(&args.source),
        container_part(&args.destination),
    ) {
        (Some(_), Some(_)) => anyhow::bail!("copying between containers is not supported"),
        (None, None) => anyhow::bail!("must specify at least one container source"),
        (Some((container, path)), None) => {
            let id = store.resolve(container)?;
            let to = Path::new(&args.destination);
            copy(
                &store,
                &id,
                &Direction::Out {
                    from: path_or_root(path),
                    to,
                },
            )?;
        }
        (None, Some((container, path))) => {
            let id = store.resolve(container)?;
            let from = Path::new(&args.source);
            copy(
                &store,
                &id,
                &Direction::In {
                    from,
                    to: path_or_root(path),
                },
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `web:` means the container's root.
fn path_or_root(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::container_part;

    #[test]
    fn test_container_part() {
        assert_eq!(
            container_part("web:/etc/hosts"),
            Some(("web", "/etc/hosts"))
        );
        assert_eq!(container_part("web:"), Some(("web", "")));
        assert_eq!(container_part("/tmp/a:b"), None);
        assert_eq!(container_part("./a:b"), None);
        assert_eq!(container_part("dir/a:b"), None);
        assert_eq!(container_part("file"), None);
    }
}
