#!/usr/bin/env bash
# Install what rendering and testing need, idempotently:
#   Debian packages (as root, or via sudo; otherwise print the exact command),
#   uv (from PyPI), and the locked Python environment (.venv, system Python 3.11+).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(ffmpeg libcairo2-dev libpango1.0-dev pkg-config texlive-latex-base texlive-latex-extra
          dvisvgm espeak-ng sox fonts-cmu fonts-firacode fonts-jetbrains-mono
          chromium chromium-driver)  # a real headless browser for the page's tests

command -v npm >/dev/null || PACKAGES+=(npm)  # installs axe-core for the accessibility test

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: cannot install system packages without root; run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v uv >/dev/null; then
  echo "setup: installing uv from PyPI"
  python3 -m pip install --quiet uv
  if ! command -v uv >/dev/null; then  # e.g. pyenv without a shim yet: link it where PATH looks
    mkdir -p "$HOME/.local/bin"
    ln -sf "$(python3 -c 'import uv; print(uv.find_uv_bin())')" "$HOME/.local/bin/uv"
    export PATH="$HOME/.local/bin:$PATH"
  fi
fi

# axe-core (npm, pinned by tests/axe/package-lock.json) for the page's accessibility test;
# git-ignored, installed once, never fetched while the tests run
if [ ! -f tests/axe/node_modules/axe-core/axe.min.js ]; then
  echo "setup: installing axe-core (npm) into tests/axe/node_modules"
  npm ci --prefix tests/axe --no-audit --no-fund --silent
fi

export UV_PYTHON_DOWNLOADS=never   # use the system Python; never download one
# --compile-bytecode: with PYTHONDONTWRITEBYTECODE set (as on this machine and CI) Python
# never caches bytecode, so every process would compile Manim and SciPy from source again:
# a render child took 8.0 s to import, 2.8 s with the bytecode compiled once here
uv sync --locked --quiet --compile-bytecode
echo "setup: ready ($(uv run python --version), $(ffmpeg -version | head -1 | cut -d' ' -f1-3))"
