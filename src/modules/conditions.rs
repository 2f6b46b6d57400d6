//! Match conditions of declarative modules: every condition given must hold;
//! within one condition, any of its values may match. Patterns may use `*`
//! and `?`.
//!
//! ```toml
//! [match]
//! image = ["busybox*", "registry.example.com/*"]
//! name = ["mesos-*"]
//! label = ["tier=web", "managed"]      # key=value, or a key that is set
//! network = ["host", "bridge"]         # "" and "default" are "bridge"
//! flag-present = ["publish"]           # long or short flag names
//! flag-absent = ["memory", "cpus"]
//! origin = ["docker"]                  # cli, docker, emperor
//! ```

use super::flags::values;
use super::module::RunContext;

/// Parsed and checked `[match]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    pub image: Vec<String>,
    pub name: Vec<String>,
    pub label: Vec<String>,
    pub network: Vec<String>,
    /// clap ids (`memory`, `log_opt`).
    pub flag_present: Vec<String>,
    pub flag_absent: Vec<String>,
    pub origin: Vec<String>,
}

/// `*` any run of characters, `?` one character, anything else itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Classic two-pointer glob with one backtrack point for the last `*`.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn any(patterns: &[String], text: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| glob(p, text))
}

impl Conditions {
    pub fn matches(&self, ctx: &RunContext) -> bool {
        self.mismatch(ctx).is_none()
    }

    /// The first condition that does not hold (`match.name`), if any.
    pub fn mismatch(&self, ctx: &RunContext) -> Option<&'static str> {
        let name = ctx.flags.name.as_deref().unwrap_or("");
        let name = name.strip_prefix('/').unwrap_or(name);
        let network = match ctx.request.host.network_mode.as_str() {
            "" | "default" => "bridge",
            mode => mode,
        };
        let set = values(ctx.flags);
        let checks = [
            ("match.image", any(&self.image, ctx.image)),
            ("match.name", any(&self.name, name)),
            ("match.network", any(&self.network, network)),
            (
                "match.origin",
                any(&self.origin, ctx.invocation.origin.name()),
            ),
            (
                "match.label",
                self.label.is_empty() || self.label.iter().any(|l| self.has_label(ctx, l)),
            ),
            (
                "match.flag-present",
                self.flag_present.iter().all(|id| set.contains_key(id)),
            ),
            (
                "match.flag-absent",
                !self.flag_absent.iter().any(|id| set.contains_key(id)),
            ),
        ];
        checks.into_iter().find(|(_, ok)| !ok).map(|(key, _)| key)
    }

    fn has_label(&self, ctx: &RunContext, condition: &str) -> bool {
        let labels = &ctx.request.config.labels;
        match condition.split_once('=') {
            Some((key, value)) => labels.get(key).is_some_and(|v| glob(value, v)),
            None => labels.contains_key(condition),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_glob_table() {
        let cases = [
            ("busybox", "busybox", true),
            ("busybox*", "busybox:latest", true),
            ("*", "", true),
            ("mesos-*", "mesos-1234", true),
            ("mesos-*", "web", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*.example.com/*", "reg.example.com/web", true),
            ("*b*b", "abxb", true),
            ("x", "xy", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(glob(pattern, text), expected, "{pattern} ~ {text}");
        }
    }
}
