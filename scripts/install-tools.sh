#!/usr/bin/env bash
# Installs what building and testing Qinxue needs, and only what is missing, so that a fresh
# machine of this kind needs nothing done by hand and a second run takes a second or two.
# Everything comes from the package registries this machine reaches (crates.io, npm, Debian);
# no browser or prebuilt toolchain is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

TRUNK_VERSION=0.21.14 # 0.22 needs a newer rustc than this machine's (TOOLCHAIN.md)
# The CLI must be exactly the wasm-bindgen crate version in Cargo.lock, or the generated JS
# glue and the wasm disagree at run time; reading it here keeps one place to change it.
WASM_BINDGEN_VERSION="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$WASM_BINDGEN_VERSION" ]] || { echo "install-tools: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

# `make run` needs brotli (pre-compression of dist/) and a CJK font that the server embeds in
# certificate PDFs (QINXUE_CERT_FONT; the same font makes the browser's screenshots and text
# widths real Chinese in the tests). `install-tools.sh test` adds what only the tests need: the
# browser for e2e, poppler-utils (pdftotext reads the certificates back), PostgreSQL for the
# second run of the integration tests and HAProxy for the tests through a balancer
# (scripts/cluster.sh); `install-tools.sh cluster` PostgreSQL and HAProxy for `make cluster`;
# `install-tools.sh fuzz` only Schemathesis (below);
# `install-tools.sh lighthouse` the browser and Lighthouse (below).
APT_PACKAGES=(brotli fonts-wqy-microhei)
if [[ "${1:-}" == test ]]; then
  APT_PACKAGES+=(chromium chromium-driver poppler-utils postgresql haproxy)
elif [[ "${1:-}" == cluster ]]; then
  APT_PACKAGES+=(postgresql haproxy)
elif [[ "${1:-}" == lighthouse ]]; then
  APT_PACKAGES+=(chromium)
fi

# Debian packages download and unpack while cargo compiles below (they need no CPU to speak
# of); the script waits for them before it ends.
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
apt_pid=""
if ((${#missing[@]})); then
  echo "install-tools: apt-get install ${missing[*]}"
  sudo=""; [[ "$(id -u)" == 0 ]] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}"; } &
  apt_pid=$!
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# The tools are built without fat LTO and with many codegen units: their own release profiles
# ask for LTO, which alone took two thirds of a fresh machine's first `make run`; a tool that
# runs for seconds per build gains nothing from it.
light_release=(env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16)
if [[ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]]; then
  "${light_release[@]}" cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# No --locked: one of the CLI's locked dependency versions is missing from the registry.
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  "${light_release[@]}" cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm: binaryen's wasm-opt (Debian's is too old and yields a broken wasm) and playwright-core
# (drives Debian's chromium; never `playwright install`). npm writes node_modules/.package-lock.json
# on every install, so one newer than both manifests means node_modules is up to date.
if [[ ! node_modules/.package-lock.json -nt package-lock.json || ! node_modules/.package-lock.json -nt package.json ]]; then
  npm ci --no-audit --no-fund
fi

# Schemathesis (the fuzzer of `make fuzz` and of `make test`, scripts/fuzz.sh), pinned, in a
# virtual environment of the project's own (target/ is ignored by git); the pin is the one
# place to change its version.
# Python 3.13 where there is one: before it, ast.parse raced between threads (CPython
# gh-106905), and Hypothesis' parse under Schemathesis' two workers then crashed the generator
# now and then ("AST constructor recursion depth mismatch"), a failed fuzz run that was no
# failure of the API. A venv on another Python than the chosen one is made again.
SCHEMATHESIS_VERSION=4.32.5
if [[ "${1:-}" == test || "${1:-}" == fuzz ]]; then
  venv=target/venv
  python=python3
  for candidate in python3.13 \
    "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3 2>/dev/null | sort -V | tail -n 1)"; do
    if [[ -n "$candidate" ]] && "$candidate" -c '' 2>/dev/null; then python="$candidate" && break; fi
  done
  want="$("$python" -c 'import sys; print(sys.version.split()[0])')"
  have="$("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || true)"
  if [[ "$have" != "$want" ||
    "$("$venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
fi

# Lighthouse for `make lighthouse` only (about 110 MB): its own pinned manifest and lock in
# scripts/lighthouse/, which also say why 12.2.3.
if [[ "${1:-}" == lighthouse ]]; then
  lh=scripts/lighthouse
  if [[ ! $lh/node_modules/.package-lock.json -nt $lh/package-lock.json || ! $lh/node_modules/.package-lock.json -nt $lh/package.json ]]; then
    npm ci --prefix "$lh" --no-audit --no-fund
  fi
fi

if [[ -n "$apt_pid" ]]; then
  wait "$apt_pid" || { echo "install-tools: apt-get install failed" >&2; exit 1; }
fi
