# Installs the Debian packages vassalrun needs to build and test, when missing.
# Sourced by scripts/demo.sh, scripts/test.sh and scripts/test-vm.sh.

# The cgroup v2 lane (scripts/test-vm.sh): a Debian guest built and booted here.
VASSALRUN_VM_PACKAGES="qemu-system-x86 debootstrap e2fsprogs binutils"

VASSALRUN_PACKAGES="libseccomp-dev pkg-config busybox-static tini tar nftables iproute2 uwsgi-core curl podman conmon containernetworking-plugins iptables containerd util-linux bsdutils runc crun docker-registry skopeo protobuf-compiler"

ensure_packages() {
    missing=""
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    echo "installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    # The tests start their own registry; the package's system service is not wanted.
    case " $missing " in
        *" docker-registry "*) systemctl disable --now docker-registry >/dev/null 2>&1 || true ;;
    esac
}

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "vassalrun needs a Rust toolchain (1.85 or newer) with cargo, rustfmt and clippy: install it with rustup" >&2
        exit 1
    fi
}
