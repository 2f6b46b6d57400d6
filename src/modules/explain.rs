//! The explanation record: which module added which argument, and what became
//! of it (`vassalrun spec --explain`).

use serde::Serialize;

/// What became of one argument a module returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "detail", rename_all = "kebab-case")]
pub enum Outcome {
    /// Added; nothing was set before.
    Applied,
    /// Replaced this earlier value (a lower-priority module's, or the user's
    /// when the module overrides).
    Replaced(String),
    /// Dropped: the user's own flag wins.
    KeptUser(String),
    /// Dropped: an overriding module's value wins.
    KeptOverride(String),
}

/// One argument, normalised to `--long=value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagReport {
    pub arg: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// One module's run, in the order modules ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleReport {
    pub module: String,
    pub priority: i32,
    pub overrides: bool,
    /// `compiled-in`, or the file a declarative module was read from.
    pub source: String,
    /// Why it added nothing (its `[match]` did not hold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    pub args: Vec<FlagReport>,
}

/// Every module that ran for a container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub modules: Vec<ModuleReport>,
}

impl Outcome {
    fn describe(&self) -> String {
        match self {
            Outcome::Applied => "applied".to_string(),
            Outcome::Replaced(previous) => format!("applied, replacing {previous}"),
            Outcome::KeptUser(user) => format!("ignored: the user's {user} wins"),
            Outcome::KeptOverride(value) => format!("ignored: an overriding module's {value} wins"),
        }
    }
}

impl std::fmt::Display for Explanation {
    /// ```text
    /// PRIORITY  MODULE          ARGUMENT          RESULT
    /// 10        50-limits       --pids-limit=512  applied
    /// 100       default-memory  (no arguments)
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.modules.is_empty() {
            return writeln!(f, "no run modules");
        }
        let width = |pick: &dyn Fn(&ModuleReport) -> usize| {
            self.modules.iter().map(pick).max().unwrap_or(0).max(8) + 2
        };
        let mw = width(&|m| m.module.len());
        let aw = width(&|m| m.args.iter().map(|a| a.arg.len()).max().unwrap_or(14));
        writeln!(
            f,
            "{:<10}{:<mw$}{:<aw$}RESULT",
            "PRIORITY", "MODULE", "ARGUMENT"
        )?;
        for m in &self.modules {
            if m.args.is_empty() {
                let why = m.skipped.as_deref().unwrap_or("no arguments");
                writeln!(f, "{:<10}{:<mw$}({why})", m.priority, m.module)?;
            }
            for a in &m.args {
                let arg = &a.arg;
                let result = a.outcome.describe();
                writeln!(f, "{:<10}{:<mw$}{arg:<aw$}{result}", m.priority, m.module)?;
            }
        }
        writeln!(f)?;
        for m in &self.modules {
            let how = if m.overrides {
                ", overrides user flags"
            } else {
                ""
            };
            writeln!(f, "{}: {}{how}", m.module, m.source)?;
        }
        Ok(())
    }
}
