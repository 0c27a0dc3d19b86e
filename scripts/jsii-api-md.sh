#!/usr/bin/env bash
# Generates the jsii package's API reference (Python) with jsii-docgen from its assembly (built by
# scripts/jsii.sh when out of date) into $1, by default jsii/API.md (committed; test/jsii checks it
# is current by generating it to a temporary file).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-jsii/API.md}")"
bash scripts/jsii.sh
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# docgen appends the extension itself: strip it from the name it is given.
(cd jsii && ../node_modules/.bin/jsii-docgen --language python --output "${out%.md}")
echo "jsii-api-md: $out"
