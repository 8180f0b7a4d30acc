#!/usr/bin/env bash
# The scanner's corpus generator and benchmark: Python with numpy, OpenCV (headless), zxing-cpp
# and segno (an encoder with every QR mode, for the charset check) from PyPI, in a venv under
# target/ (never committed); zbarimg comes from scripts/setup (Debian zbar-tools). Versions are
# pinned: the synthetic corpus is drawn with OpenCV and numpy, and zxing-cpp is the peer the
# benchmarks compare against, so a new release must not change them silently. Idempotent:
# quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/scan-venv
pins="numpy==2.4.6 opencv-python-headless==5.1.0.95 zxing-cpp==3.1.1 segno==1.6.6"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/pins" 2>/dev/null)" = "$pins" ] &&
  "$venv/bin/python" -c 'import numpy, cv2, zxingcpp, segno' 2>/dev/null; then
  exit 0
fi
echo "setup: creating $venv with $pins"
python3 -m venv "$venv"
# shellcheck disable=SC2086 # one argument per pin
"$venv/bin/pip" install -q --disable-pip-version-check $pins
"$venv/bin/python" -c 'import numpy, cv2, zxingcpp, segno'
echo "$pins" > "$venv/pins"
