#!/bin/sh
# Serves the www folder next to this script on $PORT (default 8080).
set -eu
cd "$(dirname "$0")/www"
exec python3 -m http.server "${PORT:-8080}" --bind "${BIND:-0.0.0.0}"
