#!/usr/bin/env bash
# The scanner's corpus generator and benchmark: Python with numpy, OpenCV (headless), zxing-cpp
# and segno (an encoder with every QR mode, for the charset check) from PyPI, in a venv under
# target/ (never committed); zbarimg comes from scripts/setup (Debian zbar-tools). Idempotent:
# quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/scan-venv
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import numpy, cv2, zxingcpp, segno' 2>/dev/null; then
  exit 0
fi
echo "setup: creating $venv with numpy, opencv-python-headless, zxing-cpp, segno"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check numpy opencv-python-headless zxing-cpp segno
"$venv/bin/python" -c 'import numpy, cv2, zxingcpp, segno'
