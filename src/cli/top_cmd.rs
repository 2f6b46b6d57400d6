//! `top CONTAINER`: the container's processes, `ps -ef`'s columns.

use std::process::ExitCode;

use clap::Args;

use crate::config::Settings;
use crate::runtime::layout::Layout;
use crate::runtime::lifecycle::top::{top, HEADER};
use crate::runtime::store::Store;

#[derive(Args, Debug)]
pub struct TopArgs {
    /// Container (name, id or unique id prefix)
    container: String,
    /// ps options (not supported: the columns are always ps -ef's)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    ps_options: Vec<String>,
}

pub fn run_top(settings: &Settings, args: &TopArgs) -> anyhow::Result<ExitCode> {
    if let Some(option) = args.ps_options.first() {
        anyhow::bail!("top: ps options are not supported ({option}): the columns are ps -ef's");
    }
    let store = Store::new(Layout::new(settings));
    let id = store.resolve(&args.container)?;
    let rows = top(&store.layout, &id)?;
    let header = HEADER.map(String::from);
    print_table(std::iter::once(&header).chain(rows.iter()));
    Ok(ExitCode::SUCCESS)
}

/// Columns padded to their widest cell; the last one (CMD) unpadded.
fn print_table<'a>(rows: impl Iterator<Item = &'a [String; 8]> + Clone) {
    let mut widths = [0usize; 8];
    for row in rows.clone() {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        println!("{line}");
    }
}
