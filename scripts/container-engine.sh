#!/bin/sh
# Install and configure a container engine for the docker tests and compose/: Debian's podman
# with runc, serving the Docker API that the `docker` SDK talks to, and docker-compose (v1, from
# Debian) to validate compose/. Idempotent; run as root.
#
#   scripts/container-engine.sh install        apt-get the engine and write its config
#   scripts/container-engine.sh serve SOCKET   serve the Docker API on SOCKET (foreground)
set -eu

CONF_DIR=/etc/containers/containers.conf.d
CONF="$CONF_DIR/mysql-chaos.conf"

install_engine() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "container-engine.sh: installing needs root" >&2
        exit 2
    fi
    missing=""
    for tool in podman runc mmdebstrap; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing="$missing $tool"
    done
    export DEBIAN_FRONTEND=noninteractive
    need_compose=""
    command -v docker-compose >/dev/null 2>&1 || need_compose=1
    # Fresh package lists before any install: stale ones name versions the mirror no longer has.
    if [ -n "$missing" ] || [ -n "$need_compose" ]; then
        apt-get update -qq
    fi
    if [ -n "$missing" ]; then
        # With its recommended packages: that is the podman these scripts were tested with.
        apt-get install -y -q $missing >/dev/null
    fi
    if [ -n "$need_compose" ]; then
        # Without recommends: they would bring docker.io, a second engine nobody asked for.
        apt-get install -y -q --no-install-recommends docker-compose >/dev/null
    fi
    mkdir -p "$CONF_DIR"
    # crun is not always installed and systemd may not run: runc and plain cgroupfs always work.
    # An empty default_ulimits keeps podman from raising RLIMIT_NOFILE beyond what a nested
    # container may set.
    cat >"$CONF" <<'CONF'
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[engine.runtimes]
runc = ["/usr/sbin/runc", "/usr/bin/runc"]
CONF
}

case "${1:-}" in
install) install_engine ;;
serve)
    # --time 0: serve until killed; whoever starts it stops it.
    exec podman system service --time 0 "unix://${2:?socket path}"
    ;;
*)
    echo "usage: container-engine.sh install | serve SOCKET" >&2
    exit 2
    ;;
esac
