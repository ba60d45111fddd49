#!/usr/bin/env bash
# Refreshes static/vendor/ from the npm registry at the versions pinned in static/package.json.
# The copies are committed, so running the product never needs npm or the network.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/static/package.json" "$work/"
(cd "$work" && npm install --silent --no-audit --no-fund)
dest="$root/static/vendor"
mkdir -p "$dest"
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$work/node_modules/@picocss/pico/css/pico.min.css" "$dest/pico.min.css"
cp "$work/node_modules/chart.js/dist/chart.umd.min.js" "$dest/chart.umd.min.js"
# The source maps are not vendored: drop the comments that point at them, or the production
# storage (ManifestStaticFilesStorage) refuses to collect a file whose reference it cannot find.
for file in "$dest"/*.js "$dest"/*.css; do
  sed -i -E -e '/^[[:space:]]*\/\/[#@] sourceMappingURL=/d' \
    -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##g' "$file"
done
for pkg in htmx.org @picocss/pico chart.js; do
  printf '%s %s\n' "$pkg" "$(node -p "require('$work/node_modules/$pkg/package.json').version")"
done > "$dest/VERSIONS"
cat "$dest/VERSIONS"
