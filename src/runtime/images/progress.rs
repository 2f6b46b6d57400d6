//! A one-line progress bar on stderr, drawn only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const REDRAW: Duration = Duration::from_millis(100);
const WIDTH: u64 = 30;

pub struct Progress {
    label: String,
    total: u64,
    done: u64,
    last_draw: Option<Instant>,
    enabled: bool,
}

impl Progress {
    /// A bar for `total` bytes (0 when unknown); hidden unless stderr is a terminal.
    pub fn new(label: impl Into<String>, total: u64) -> Progress {
        Progress {
            label: label.into(),
            total,
            done: 0,
            last_draw: None,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    #[cfg(test)]
    pub fn hidden() -> Progress {
        Progress {
            label: String::new(),
            total: 0,
            done: 0,
            last_draw: None,
            enabled: false,
        }
    }

    pub fn add(&mut self, bytes: u64) {
        self.done = self.done.saturating_add(bytes);
        if !self.enabled || self.last_draw.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        self.last_draw = Some(Instant::now());
        let line = render(&self.label, self.done, self.total);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    /// Clears the bar.
    pub fn finish(&mut self) {
        if self.enabled && self.last_draw.take().is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `label [=====>    ] 12.0 MiB / 40.0 MiB`, or `label 12.0 MiB` when the total is unknown.
fn render(label: &str, done: u64, total: u64) -> String {
    if total == 0 {
        return format!("{label} {}", mib(done));
    }
    let filled = (u128::from(done.min(total)) * u128::from(WIDTH) / u128::from(total)) as usize;
    let bar = format!(
        "{:=<filled$}>{:width$}",
        "",
        "",
        width = WIDTH as usize - filled
    );
    format!("{label} [{bar}] {} / {}", mib(done), mib(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_render_known_and_unknown_total() {
        assert_eq!(
            render("unpack", 5 * 1024 * 1024, 10 * 1024 * 1024),
            format!(
                "unpack [{}>{}] 5.0 MiB / 10.0 MiB",
                "=".repeat(15),
                " ".repeat(15)
            )
        );
        assert_eq!(render("copy", 1024 * 1024, 0), "copy 1.0 MiB");
        assert!(render("x", 20, 10).contains(&"=".repeat(30)));
        assert!(render("x", u64::MAX, u64::MAX).contains(&"=".repeat(30)));
    }
}
