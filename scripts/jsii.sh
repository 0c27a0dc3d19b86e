#!/usr/bin/env bash
# Builds the jsii package in jsii/ (airflow-xcom-kit-aws, jsii/README.md says why it is a folder of
# its own): copies its sources from lib/ into jsii/src/ (git-ignored; lib/aws/ stays the one source),
# compiles them with jsii (assembly jsii/.jsii, JavaScript in jsii/lib/) and packages the Python
# wheel with jsii-pacmak (jsii/dist/python/). Skips all of it when the inputs hash like the last build.
# XCOMKIT_JSII_SKIP_PACMAK=1 stops after the compile (what API.md needs).
set -euo pipefail
cd "$(dirname "$0")/.."

# jsii 5.9 prints a banner on every run since Node 20's end of life; package.json still allows Node 20.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
BIN="$PWD/node_modules/.bin"
STAMP=jsii/dist/.xcomkit-stamp
inputs_hash() {
  cat lib/aws/*.ts lib/rules.ts lib/binding-core.ts LICENSE jsii/index.ts jsii/package.json jsii/README.md package-lock.json "${BASH_SOURCE[0]}" \
    | sha256sum | cut -d' ' -f1
}
want="$(inputs_hash)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && compgen -G 'jsii/dist/python/*.whl' >/dev/null; then
  echo "jsii: jsii/.jsii and the wheel are up to date"
  exit 0
fi

echo "jsii: copying lib/aws, lib/rules.ts and lib/binding-core.ts to jsii/src"
rm -rf jsii/src jsii/lib jsii/dist jsii/.jsii
mkdir -p jsii/src/aws
cp lib/aws/*.ts jsii/src/aws/
rm jsii/src/aws/index.ts # the package's entry point is jsii/index.ts
cp lib/rules.ts lib/binding-core.ts jsii/src/
cp LICENSE jsii/LICENSE
# jsii-docgen resolves dependencies from the package's own node_modules: the root's, as jsii does.
ln -sfn ../node_modules jsii/node_modules

echo "jsii: compiling (jsii $("$BIN/jsii" --version 2>/dev/null | head -1))"
# reserved-word: "namespace" (C#) and "type" (Go) name struct fields; the package targets Python only.
# metadata/missing-dev-dependency: the dev dependencies (aws-cdk-lib, constructs) are the root package.json's.
start=$SECONDS
(cd jsii && "$BIN/jsii" --silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency)
echo "jsii: compiled in $((SECONDS - start)) s"
if [[ "${XCOMKIT_JSII_SKIP_PACMAK:-0}" == "1" ]]; then exit 0; fi

# pacmak builds in a throw-away venv of its own (made with the `python3` on PATH) with the build
# tools its version pins (setuptools, build, twine; from PyPI, through pip's cache), and checks the
# result with `twine check`. Its `python3` is the interpreter scripts/setup-python.sh uses, so the
# wheel is built by the Python the tests run on, whatever `python3` the machine has.
PYTHON="${PYTHON:-python3.11}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "jsii: $PYTHON not found on PATH (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
shim="$(mktemp -d)"
trap 'rm -rf "$shim"' EXIT
ln -s "$(command -v "$PYTHON")" "$shim/python3"
export PIP_DISABLE_PIP_VERSION_CHECK=1
start=$SECONDS
(cd jsii && PATH="$shim:$PATH" "$BIN/jsii-pacmak" --targets python)
echo "jsii: Python wheel $(ls jsii/dist/python/*.whl) in $((SECONDS - start)) s"
echo "$want" >"$STAMP"
