#!/bin/sh
# Runs the whole test suite as CI does: installs the system packages it needs,
# checks formatting and lints, runs every unit and integration test, then the
# cgroup v2 lane (scripts/test-vm.sh: the v2 test list in a Debian 12 guest
# with the unified hierarchy only, docs/cgroup-v2.md). Exits non-zero if
# anything fails. VASSALRUN_SKIP_VM_LANE=1 leaves the lane out (saying so).
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

if [ -n "${VASSALRUN_SKIP_VM_LANE:-}" ]; then
    echo "test.sh: the cgroup v2 lane was SKIPPED (VASSALRUN_SKIP_VM_LANE is set)" >&2
else
    sh scripts/test-vm.sh
fi
