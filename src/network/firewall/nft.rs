//! Applying a transaction: `nft -f -` with the batch on stdin, or, for the
//! per-container changes, an in-process netlink batch. The kernel applies
//! the whole batch or none of it. `nft`'s output is never parsed.

use std::io::Write;
use std::process::{Command, Stdio};

use super::netlink;
use super::ruleset::{self, Element};
use crate::network::error::NetworkError;

/// The seam between what to change and the kernel's nftables.
pub trait Firewall {
    /// Applies `batch` (nft script lines) atomically.
    fn apply(&self, batch: &str) -> Result<(), NetworkError>;

    /// Adds `elements` in one transaction (see [`ruleset::add_batch`]).
    fn add_elements(&self, elements: &[Element]) -> Result<(), NetworkError> {
        self.apply(&ruleset::add_batch(elements))
    }

    /// Deletes exactly `elements` in one transaction (see [`ruleset::delete_batch`]).
    fn delete_elements(&self, elements: &[Element]) -> Result<(), NetworkError> {
        self.apply(&ruleset::delete_batch(elements))
    }

    /// Deletes the table if it is there.
    fn delete_table(&self) -> Result<(), NetworkError> {
        self.apply(&ruleset::delete_table_batch())
    }
}

/// vassalrun's firewall: the table's definition through `nft -f -`, the
/// per-container changes (port elements, the table's removal) as an
/// in-process netlink batch ([`super::netlink`]), which saves an `nft`
/// process per change.
pub struct Nftables;

impl Firewall for Nftables {
    fn apply(&self, batch: &str) -> Result<(), NetworkError> {
        NftCli.apply(batch)
    }

    fn add_elements(&self, elements: &[Element]) -> Result<(), NetworkError> {
        if netlink::encodable(elements) {
            return netlink::add_elements(elements);
        }
        NftCli.add_elements(elements)
    }

    fn delete_elements(&self, elements: &[Element]) -> Result<(), NetworkError> {
        if netlink::encodable(elements) {
            return netlink::delete_elements(elements);
        }
        NftCli.delete_elements(elements)
    }

    fn delete_table(&self) -> Result<(), NetworkError> {
        netlink::delete_table()
    }
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
