//! `docker inspect [--type container|image] NAME…`: containers by vassalrun's
//! own inspect, else images in Docker's shape, as Docker looks them up.

use serde_json::Value;

use super::images;
use super::DockerError;
use crate::config::Settings;
use crate::runtime::images::ImageStore;
use crate::runtime::layout::Layout;
use crate::runtime::store::Store;

/// What `--type` allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Any,
    Container,
    Image,
}

impl Kind {
    pub fn parse(text: Option<&str>) -> Option<Kind> {
        match text {
            None | Some("") => Some(Kind::Any),
            Some("container") => Some(Kind::Container),
            Some("image") => Some(Kind::Image),
            Some(_) => None,
        }
    }
}

/// Each name's object, or why there is none.
pub fn lookup(
    settings: &Settings,
    kind: Kind,
    names: &[String],
) -> Vec<Result<Value, DockerError>> {
    let layout = Layout::new(settings);
    let store = Store::new(layout.clone());
    let image_store = ImageStore::of(settings);
    names
        .iter()
        .map(|name| {
            let container = (kind != Kind::Image)
                .then(|| store.resolve(name).ok())
                .flatten()
                .and_then(|id| crate::runtime::lifecycle::inspect::inspect(&layout, &id).ok());
            if let Some(container) = container {
                return Ok(container);
            }
            if kind != Kind::Container {
                if let Some((_, image)) = images::find(&image_store, name)? {
                    return Ok(images::inspect(&image_store, &image));
                }
            }
            Err(DockerError::NoSuchObject(name.clone()))
        })
        .collect()
}
