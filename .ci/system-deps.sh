#!/usr/bin/env bash
# Debian packages the tests need: a Docker-compatible engine (podman + runc), VNC server, Chromium, openssl.
set -euo pipefail
need=()
command -v podman >/dev/null || need+=(podman runc catatonit)
command -v runc >/dev/null || need+=(runc)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v Xvnc >/dev/null || need+=(tigervnc-standalone-server tigervnc-tools x11-apps)
command -v chromium >/dev/null || need+=(chromium)
command -v openssl >/dev/null || need+=(openssl)
command -v mariadb >/dev/null || need+=(mariadb-client)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "installed: ${need[*]}"
else
  echo "all system packages present"
fi
