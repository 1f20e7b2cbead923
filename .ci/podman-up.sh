#!/usr/bin/env bash
# Serves podman's Docker-compatible API on a unix socket (runc, ulimits that fit this machine).
set -euo pipefail
source "$(dirname "$0")/podman-env.sh"
mkdir -p "$CALIPSO_CI_DIR"
cat > "$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
if curl -sf --unix-socket "$CALIPSO_DOCKER_SOCKET" http://d/_ping >/dev/null 2>&1; then echo "podman API already up"; exit 0; fi
rm -f "$CALIPSO_DOCKER_SOCKET"
nohup podman system service --time=0 "unix://$CALIPSO_DOCKER_SOCKET" > "$CALIPSO_CI_DIR/podman-service.log" 2>&1 &
echo $! > "$CALIPSO_CI_DIR/podman-service.pid"
for i in $(seq 100); do curl -sf --unix-socket "$CALIPSO_DOCKER_SOCKET" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf --unix-socket "$CALIPSO_DOCKER_SOCKET" http://d/_ping >/dev/null
echo "podman API up on $CALIPSO_DOCKER_SOCKET"
