#!/bin/sh
# Runs the whole test suite as CI does: installs the system packages it needs,
# checks formatting and lints, then runs every unit and integration test.
# Exits non-zero if anything fails.
set -eu
cd "$(dirname "$0")/.."
. scripts/packages.sh
ensure_rust
ensure_packages $VASSALRUN_PACKAGES

cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --locked --no-fail-fast
else
    cargo test --locked --no-fail-fast
fi
