#!/usr/bin/env bash
# Builds the local test images of @calipso/compute-docker from host files (no registry needed), idempotently:
#   localhost/busybox:latest       busybox-static rootfs
#   localhost/calipso-xvnc:latest  TigerVNC's Xvnc + xkbcomp + xclock with their libraries, and busybox
# Needs CONTAINERS_CONF in the environment (exported by .ci/podman-env.sh); sources it when missing.
set -euo pipefail
if [ -z "${CONTAINERS_CONF:-}" ]; then source "$(dirname "$0")/../podman-env.sh"; fi
export CONTAINERS_CONF

# The images copy /bin/busybox as it is: it must be the static build (Debian package busybox-static).
if ldd /bin/busybox >/dev/null 2>&1; then
  echo "/bin/busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi

# A rootfs skeleton with busybox and an /etc/passwd that also names the unprivileged test user 1000:1000.
skeleton() {
  local r=$1
  mkdir -p "$r"/{bin,etc,root,proc,sys,dev,tmp}
  chmod 1777 "$r/tmp"
  cp /bin/busybox "$r/bin/busybox"
  # The applet list contains "busybox" itself: linking it to itself would destroy the binary.
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\ncalipso:x:1000:1000:calipso:/tmp:/bin/sh\n' > "$r/etc/passwd"
  printf 'root:x:0:\ncalipso:x:1000:\n' > "$r/etc/group"
}

if ! podman image exists localhost/busybox:latest; then
  R=$(mktemp -d)
  skeleton "$R"
  tar -C "$R" -c . | podman import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - localhost/busybox:latest >/dev/null
  rm -rf "$R"
  echo "built localhost/busybox:latest"
else
  echo "localhost/busybox:latest present"
fi

if ! podman image exists localhost/calipso-xvnc:latest; then
  command -v Xtigervnc >/dev/null || { echo "Xtigervnc missing: apt-get install tigervnc-standalone-server x11-apps" >&2; exit 1; }
  R=$(mktemp -d)
  skeleton "$R"
  mkdir -p "$R/lib64" "$R/usr/share/X11" "$R/usr/lib/xorg" "$R/tmp/.X11-unix"
  chmod 1777 "$R/tmp/.X11-unix"
  for b in /usr/bin/Xtigervnc /usr/bin/xkbcomp /usr/bin/xclock; do
    [ -x "$b" ] || continue
    install -D "$b" "$R$b"
    for l in $(ldd "$b" | awk '/=>/{print $3}'); do install -D "$(readlink -f "$l")" "$R$l"; done
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
  ln -s Xtigervnc "$R/usr/bin/Xvnc"
  cp -a /usr/share/X11/xkb "$R/usr/share/X11/"
  cp /usr/lib/xorg/protocol.txt "$R/usr/lib/xorg/" 2>/dev/null || true
  # Start script: reads the VNC password from $CALIPSO_DESKTOP_PASSWORD or the file $CALIPSO_DESKTOP_PASSWORD_FILE,
  # writes the obfuscated VNC password file into /tmp (tmpfs-like, owned by the running user) and execs Xvnc.
  cat > "$R/bin/calipso-desktop" <<'SH'
#!/bin/sh
set -e
if [ -n "$CALIPSO_DESKTOP_PASSWORD_FILE" ]; then PW=$(cat "$CALIPSO_DESKTOP_PASSWORD_FILE"); else PW=$CALIPSO_DESKTOP_PASSWORD; fi
[ -n "$PW" ] || { echo "no desktop password given" >&2; exit 64; }
export HOME=/tmp
D=$(mktemp -d /tmp/vnc.XXXXXX)
# VNC password file in TigerVNC's obfuscated format (the host's vncpasswd, copied into the image).
/usr/bin/calipso-vncpasswd "$PW" > "$D/passwd"
unset CALIPSO_DESKTOP_PASSWORD PW
chmod 600 "$D/passwd"
exec Xvnc :0 -geometry "${GEOMETRY:-800x600}" -depth 24 -rfbport "${VNC_PORT:-5901}" -SecurityTypes VncAuth \
  -PasswordFile "$D/passwd" -nolisten tcp -desktop calipso
SH
  chmod 755 "$R/bin/calipso-desktop"
  install -D /usr/bin/vncpasswd "$R/usr/bin/vncpasswd.real"
  for l in $(ldd /usr/bin/vncpasswd | awk '/=>/{print $3}'); do install -D "$(readlink -f "$l")" "$R$l"; done
  printf '#!/bin/sh\nprintf "%%s\\n" "$1" | /usr/bin/vncpasswd.real -f\n' > "$R/usr/bin/calipso-vncpasswd"
  chmod 755 "$R/usr/bin/calipso-vncpasswd"
  tar -C "$R" -c . | podman import --change 'ENV PATH=/usr/bin:/bin' --change 'CMD ["/bin/calipso-desktop"]' \
    - localhost/calipso-xvnc:latest >/dev/null
  rm -rf "$R"
  echo "built localhost/calipso-xvnc:latest"
else
  echo "localhost/calipso-xvnc:latest present"
fi
