//! The registry: the modules in force and the order they run in (ascending
//! priority, then name, so the order never depends on file-system order).

use std::path::Path;

use super::declarative::load_dir;
use super::module::RunModule;
use super::ModuleError;

/// The directory of declarative modules under the config directory.
pub const MODULES_DIR: &str = "modules.d";

#[derive(Default)]
pub struct Registry {
    modules: Vec<Box<dyn RunModule>>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The modules of `<config_dir>/modules.d` (none when it is missing).
    pub fn load(config_dir: &Path) -> Result<Registry, ModuleError> {
        let mut registry = Registry::new();
        for module in load_dir(&config_dir.join(MODULES_DIR))? {
            registry.register(Box::new(module));
        }
        Ok(registry)
    }

    /// Adds a module (docker-wrapper's `RegisterRunModule`).
    pub fn register(&mut self, module: Box<dyn RunModule>) {
        self.modules.push(module);
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// The modules in the order they run.
    pub fn ordered(&self) -> Vec<&dyn RunModule> {
        let mut modules: Vec<&dyn RunModule> = self.modules.iter().map(|m| m.as_ref()).collect();
        modules.sort_by(|a, b| {
            a.priority()
                .cmp(&b.priority())
                .then_with(|| a.name().cmp(b.name()))
        });
        modules
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::module::DefaultRunModule;

    #[test]
    fn test_ordered_by_priority_then_name() {
        let mut registry = Registry::new();
        for (name, priority) in [("c", 10), ("b", -5), ("a", 10), ("d", 0)] {
            registry.register(Box::new(DefaultRunModule {
                priority,
                ..DefaultRunModule::new(name)
            }));
        }
        let names: Vec<&str> = registry.ordered().iter().map(|m| m.name()).collect();
        assert_eq!(names, ["b", "d", "a", "c"]);
    }
}
