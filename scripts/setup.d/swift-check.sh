#!/usr/bin/env bash
# Installs what scripts/test.d/swift-check.sh needs: clang (Debian) for the generated C header,
# and PyPI tree-sitter + tree-sitter-swift, in a virtualenv outside the repository, to parse
# the Swift sources. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/jvm-tools.sh
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
need_apt=()
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
python3 -c 'import venv' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup(swift-check): installing ${need_apt[*]}"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_apt[@]}" >/dev/null
fi
venv=$JETON_TOOLS/swift-check-venv
if ! "$venv/bin/python" -c 'import tree_sitter, tree_sitter_swift' 2>/dev/null; then
  echo "setup(swift-check): installing tree-sitter and tree-sitter-swift from PyPI"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "tree-sitter>=0.23" tree-sitter-swift
fi
