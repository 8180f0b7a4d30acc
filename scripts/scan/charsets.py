#!/usr/bin/env python3
"""Text decoding against an independent encoder: segno (PyPI) draws QR codes in every mode and
character set a phone may meet — GB/T 18284 Hanzi, Kanji, byte segments with an ECI (UTF-8,
windows-1251, Shift_JIS) and without (UTF-8, Shift_JIS, ISO-8859-1, the way zxing guesses),
control characters — and Jeton's scanner (the scan_corpus example, `scan_image_with` on the PNG's
bytes) must give back exactly the text, as UTF-8. zxing-cpp reads the same images in the same run,
for comparison only. Ends with "scan-charsets: N passed, N failed".

    target/scan-venv/bin/python scripts/scan/charsets.py --example target/debug/examples/scan_corpus
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import segno

# (name, text, segno arguments). segno writes Kanji and Hanzi modes itself when asked, and byte
# segments in `encoding`, with an ECI designator when `eci` is set.
CASES = [
    ("hanzi", "阿。中文二维", dict(mode="hanzi")),
    ("kanji", "点茗テスト", dict(mode="kanji")),
    ("eci-utf8", "Grüße, 日本, ça va", dict(encoding="utf-8", eci=True)),
    ("eci-cp1251", "Привет, мир", dict(encoding="cp1251", eci=True)),
    ("eci-shift-jis", "テスト用コード", dict(encoding="shift_jis", eci=True)),
    ("utf8-guessed", "Omnivox · validation en 2 étapes", dict(encoding="utf-8")),
    ("shift-jis-guessed", "ﾃﾞｻﾞｲﾝQR コード", dict(encoding="shift_jis")),
    ("latin1-guessed", "café crème brûlée", dict(encoding="iso-8859-1")),
    ("controls", "\x01\x10AD:SUB:x\x1d42", dict(mode="byte")),
    ("alphanumeric", "OTPAUTH 2412345", dict()),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--example", required=True, help="the scan_corpus example")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for name, text, options in CASES:
            path = os.path.join(tmp, f"{name}.png")
            segno.make(text, error="m", micro=False, **options).save(path, scale=6, border=4)
            files.append(path)
        listing = os.path.join(tmp, "files.txt")
        with open(listing, "w") as f:
            f.write("\n".join(files) + "\n")
        out = subprocess.run([args.example, "--files", listing, "--decoders", "jeton"],
                             check=True, capture_output=True, text=True).stdout
        found = {}
        for line in out.splitlines():
            r = json.loads(line)
            found[r["file"]] = [bytes.fromhex(h) for h in r["data"]]
        zxing = {}
        try:
            import cv2
            import zxingcpp
            for path in files:
                codes = zxingcpp.read_barcodes(cv2.imread(path, cv2.IMREAD_GRAYSCALE))
                zxing[path] = [c.text for c in codes if c.valid]
        except ImportError:
            pass
    passed = failed = 0
    for (name, text, _), path in zip(CASES, files):
        got = found.get(path, [])
        ok = got == [text.encode("utf-8")]
        peer = "" if path not in zxing else f"  (zxing-cpp: {'reads it' if zxing[path] == [text] else zxing[path]})"
        print(f"scan-charsets: {name}: {'ok' if ok else 'WRONG ' + repr(got)}{peer}")
        passed += ok
        failed += not ok
    print(f"scan-charsets: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
