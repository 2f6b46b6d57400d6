//! The firewall: one nftables table of our own (`inet vassalrun`), never
//! touching any other. Published ports are elements of maps keyed by port,
//! so adding the 500th costs what adding the first did; every change is one
//! atomic transaction (a container's elements: an in-process netlink batch;
//! the table's definition: `nft -f -`); removal deletes exact elements; a
//! rebuild replaces the whole table from state in one transaction.

pub mod conntrack;
pub mod netlink;
pub mod nft;
pub mod ruleset;

pub use nft::{Firewall, NftCli, Nftables};
