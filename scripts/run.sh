#!/usr/bin/env bash
# Install everything, ingest the configured documents, then run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/quantriet ingest
if .venv/bin/quantriet serve --help >/dev/null 2>&1; then
    exec .venv/bin/quantriet serve
fi
exec .venv/bin/quantriet ask
