#!/bin/sh
# Regenerates the documentation that is rendered from the code: the command
# reference (docs/commands.md), shell completions (docs/completions/) and man
# pages (docs/man/). tests/docs_cli.rs fails when these drift from the code.
set -eu
cd "$(dirname "$0")/.."
cargo build --quiet --bin vassalrun
bin=target/debug/vassalrun
# Each generated file is independent of the caller's environment.
for var in $(env | sed -n 's/^\(VASSALRUN_[A-Z_]*\)=.*/\1/p'); do unset "$var"; done
"$bin" internal-docs commands >docs/commands.md
mkdir -p docs/completions
"$bin" completion bash >docs/completions/vassalrun.bash
"$bin" completion zsh >docs/completions/_vassalrun
"$bin" completion fish >docs/completions/vassalrun.fish
rm -rf docs/man
"$bin" man docs/man
echo "regenerated docs/commands.md, docs/completions/, docs/man/"
