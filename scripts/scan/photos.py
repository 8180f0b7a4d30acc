#!/usr/bin/env python3
"""Real-photo benchmark: `jeton scan` and zxing-cpp on ../shared/fixtures/qr-photos-zxing-cpp.

Per folder: images read (a code whose text equals the `.txt` beside the image), wrong texts (a code
found whose text is not the expected one), and the whole-set time of each (one `jeton scan --json`
process over all images; zxing-cpp in this process, after Python start-up).

    python scripts/scan/photos.py --jeton target/release/jeton [--no-zxing] [--list-wrong]

Skips with a message (exit 0) when the fixture folder is absent.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT = os.path.join(ROOT, "..", "shared", "fixtures", "qr-photos-zxing-cpp")
IMAGE = (".png", ".jpg", ".jpeg", ".webp", ".gif")


def images(folder):
    out = []
    for sub in sorted(os.listdir(folder)):
        path = os.path.join(folder, sub)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            stem, ext = os.path.splitext(name)
            txt = os.path.join(path, stem + ".txt")
            if ext.lower() in IMAGE and os.path.exists(txt):
                with open(txt, "rb") as f:
                    out.append((sub, os.path.join(path, name), f.read()))
    return out


def run_jeton(binary, files):
    start = time.perf_counter()
    proc = subprocess.run([binary, "scan", "--json", *files], capture_output=True)
    seconds = time.perf_counter() - start
    found = {}
    for line in proc.stdout.decode().splitlines():
        code = json.loads(line)
        data = base64.b64decode(code["bytes"]) if "bytes" in code else code["text"].encode()
        found.setdefault(code["file"], []).append(data)
    return found, seconds


def run_zxing(files):
    import cv2
    import zxingcpp

    found = {}
    start = time.perf_counter()
    for path in files:
        img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if img is None:
            continue
        codes = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
        found[path] = [c.text.encode() for c in codes if c.valid]
    return found, time.perf_counter() - start


def score(entries, found):
    per = {}
    wrong = []
    for folder, path, expected in entries:
        row = per.setdefault(folder, [0, 0, 0])
        row[0] += 1
        texts = found.get(path, [])
        if expected in texts:
            row[1] += 1
        bad = [t for t in texts if t != expected]
        row[2] += len(bad)
        wrong += [(path, t) for t in bad]
    return per, wrong


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", default=DEFAULT)
    ap.add_argument("--jeton", default=os.path.join(ROOT, "target", "release", "jeton"))
    ap.add_argument("--no-zxing", action="store_true")
    ap.add_argument("--list-wrong", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.fixtures):
        print(f"photos: skipped, {args.fixtures} is absent")
        return 0
    entries = images(args.fixtures)
    files = [p for _, p, _ in entries]
    runs = {"jeton": run_jeton(args.jeton, files)}
    if not args.no_zxing:
        runs["zxing-cpp"] = run_zxing(files)
    for name, (found, seconds) in runs.items():
        per, wrong = score(entries, found)
        total = [sum(r[i] for r in per.values()) for i in range(3)]
        cells = "  ".join(f"{k}: {r[1]}/{r[0]} ({r[2]} wrong)" for k, r in per.items())
        print(f"{name}: read {total[1]}/{total[0]}, wrong {total[2]}, {seconds:.2f} s  [{cells}]")
        if args.list_wrong:
            for path, text in wrong:
                print(f"  wrong: {os.path.relpath(path, args.fixtures)}: {text[:60]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
