#!/usr/bin/env bash
# Makes sure MariaDB answers on 127.0.0.1:3306 (root, empty password), starting it if it stopped.
set -euo pipefail
if mariadb -h127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1; then echo "MariaDB answers"; exit 0; fi
if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq mariadb-server >/dev/null
fi
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=root
for i in $(seq 60); do
  mariadb -h127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1 && { echo "MariaDB started"; exit 0; }
  sleep 0.5
done
echo "MariaDB did not answer on 127.0.0.1:3306" >&2
exit 1
