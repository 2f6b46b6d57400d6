//! `rename`: give a container another name. The new name is claimed before
//! the record changes and the old one released after, so the container is
//! never without a name and two renames to one name cannot both win.

use super::LifecycleError;
use crate::runtime::events;
use crate::runtime::layout::ContainerFiles;
use crate::runtime::record::write_json;
use crate::runtime::store::{Store, StoreError};
use crate::spec::run_flags::RunFlags;

pub fn rename(store: &Store, id: &str, new_name: &str) -> Result<(), LifecycleError> {
    // Docker's name rules, as for `--name`.
    let new_name = RunFlags {
        name: Some(new_name.to_string()),
        ..Default::default()
    }
    .name()?
    .unwrap_or_default();
    let _lock = store.lock(id)?;
    let mut record = store
        .record(id)?
        .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    let old_name = record.name.clone();
    if old_name == new_name {
        return Err(LifecycleError::SameName(new_name));
    }
    store.claim_name(&new_name, id)?;
    record.name = new_name.clone();
    let dir = store.layout.container_dir(id);
    if let Err(e) = write_json(&ContainerFiles(&dir).record(), &record) {
        store.release_name(&new_name, id);
        return Err(e.into());
    }
    store.release_name(&old_name, id);
    events::record_for(&store.layout, id, "rename", &[("oldName", old_name)]);
    Ok(())
}
