//! Applying a transaction: `nft -f -` with the batch on stdin. The kernel
//! applies the whole batch or none of it. Output is never parsed.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::network::error::NetworkError;

/// The seam between what to change and the kernel's nftables.
pub trait Firewall {
    /// Applies `batch` (nft script lines) atomically.
    fn apply(&self, batch: &str) -> Result<(), NetworkError>;
}

/// The `nft` binary (from PATH, or `VASSALRUN_NFT`).
pub struct NftCli;

impl Firewall for NftCli {
    fn apply(&self, batch: &str) -> Result<(), NetworkError> {
        let program = std::env::var("VASSALRUN_NFT").unwrap_or_else(|_| "nft".into());
        let mut child = Command::new(&program)
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| NetworkError::Nft(format!("running {program}: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(batch.as_bytes())
                .map_err(|e| NetworkError::Nft(format!("writing to {program}: {e}")))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| NetworkError::Nft(format!("waiting for {program}: {e}")))?;
        if out.status.success() {
            return Ok(());
        }
        // nft's message spans the error line, the input line and a caret line.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or("failed").trim();
        Err(NetworkError::Nft(first.to_string()))
    }
}
