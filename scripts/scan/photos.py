#!/usr/bin/env python3
"""Real-photo benchmark: `jeton scan`, zxing-cpp and plain rqrr on ../shared/fixtures/qr-photos-zxing-cpp.

Per folder: images read (a code whose bytes equal the `.txt` beside the image) and wrong texts (a
code found whose bytes are not the expected ones). Per decoder:

- whole set: the wall time of one process over all images, start-up included (`jeton scan --json`
  with every file; a Python process that imports OpenCV and zxing-cpp and reads every file);
  for rqrr, which has no command, the sum of its per-image times;
- p50 / p95 / max per image: in-process, file decoding included (Jeton through the
  `scan_corpus` example's `--files` mode, which calls `scan_image_with` on the file's bytes as
  `jeton scan` does; zxing-cpp as `cv2.imread` + `read_barcodes`); and the file decoding alone
  (the example's `decode`, and `cv2.imread`), the floor under each.

    python scripts/scan/photos.py --jeton target/release/jeton \\
        --example target/release/examples/scan_corpus [--no-zxing] [--no-rqrr] [--list]

`--runs N` times the two whole-set processes N times each, alternating (Jeton, then zxing-cpp),
and prints both medians and their ratio: on a noisy machine, one run of each decides little.
The per-image times are then each image's median over N + 1 in-process runs of each decoder
(one timing per image swings the p95 by a quarter from run to run).

`--check-floor N` scores Jeton only: it must read at least N images and give no wrong text;
prints "scan-photos: N passed, N failed" and exits 1 on a failure (the CI regression test,
`scripts/test.d/scan.sh`). With `--budget-ms`, the check reads through the example (the same
`scan_image_with` as `jeton scan`) with that budget, so that a slow debug build or a busy machine
cannot change what is read. Skips with a message (exit 0) when the fixture folder is absent.

An image may hold a second code besides the expected one: OTHER_CODES lists them (each also read
by zxing-cpp, the independent check), and their texts are not counted as wrong.
"""

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT = os.environ.get(
    "JETON_SHARED_FIXTURES", os.path.join(ROOT, "..", "shared", "fixtures")
)
DEFAULT = os.path.join(DEFAULT, "qr-photos-zxing-cpp")
IMAGE = (".png", ".jpg", ".jpeg", ".webp", ".gif")
# Second codes in an image, by path under the fixture folder: qrcode-2/16 is a code inside a code,
# and its .txt names the inner one only.
OTHER_CODES = {
    "qrcode-2/16.webp": "[外側QRコード]\r\n \r\n*ﾀﾞﾌﾞﾙQR*\r\nhttp://d-qr.net/ex/".encode(),
}


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


def run_example(binary, files, decoders, budget_ms=None):
    """Per-image results and times of the scan_corpus example: {decoder: (found, {file: ms})}."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(files) + "\n")
        listing = f.name
    try:
        out = subprocess.run(
            [binary, "--files", listing, "--decoders", ",".join(decoders)]
            + ([] if budget_ms is None else ["--budget-ms", str(budget_ms)]),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(listing)
    runs = {d: ({}, {}) for d in decoders}
    for line in out.splitlines():
        r = json.loads(line)
        found, times = runs[r["decoder"]]
        found[r["file"]] = [bytes.fromhex(h) for h in r["data"]]
        times[r["file"]] = r["ms"]
    return runs


ZXING_WORKER = r"""
import json, sys, time
import cv2, zxingcpp
for path in sys.argv[1:]:
    start = time.perf_counter()
    img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    read_ms = (time.perf_counter() - start) * 1000
    codes = [] if img is None else zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    ms = (time.perf_counter() - start) * 1000
    data = [c.text.encode("utf-8", "surrogatepass").hex() for c in codes if c.valid]
    print(json.dumps({"file": path, "data": data, "ms": ms, "read_ms": read_ms}))
"""


def run_zxing(files, decoding=None):
    """zxing-cpp in its own Python process: its wall time (start-up included) and per-image times
    (and, into `decoding`, each file's OpenCV decoding time alone)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", ZXING_WORKER, *files], check=True, capture_output=True, text=True
    ).stdout
    seconds = time.perf_counter() - start
    found, times = {}, {}
    for line in out.splitlines():
        r = json.loads(line)
        found[r["file"]] = [bytes.fromhex(h) for h in r["data"]]
        times[r["file"]] = r["ms"]
        if decoding is not None:
            decoding[r["file"]] = r["read_ms"]
    return found, times, seconds


def score(entries, found, root):
    per = {}
    wrong = []
    missed = []
    for folder, path, expected in entries:
        row = per.setdefault(folder, [0, 0, 0])
        row[0] += 1
        texts = found.get(path, [])
        if expected in texts:
            row[1] += 1
        else:
            missed.append(path)
        other = OTHER_CODES.get(os.path.relpath(path, root).replace(os.sep, "/"))
        bad = [t for t in texts if t != expected and t != other]
        row[2] += len(bad)
        wrong += [(path, t) for t in bad]
    return per, wrong, missed


def median_times(runs):
    """Each file's median time over several runs' {file: ms}."""
    return {f: statistics.median(t[f] for t in runs if f in t) for f in runs[0]}


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def check(entries, found, floor, root):
    per, wrong, _ = score(entries, found, root)
    read = sum(r[1] for r in per.values())
    total = sum(r[0] for r in per.values())
    checks = [
        (read >= floor, f"read {read}/{total} photos (floor {floor})"),
        (not wrong, f"wrong texts: {len(wrong)} (allowed 0)"),
    ]
    for path, text in wrong:
        print(f"  wrong: {path}: {text[:60]!r}")
    for ok, text in checks:
        print(("ok   " if ok else "FAIL ") + "photos " + text)
    failed = sum(1 for ok, _ in checks if not ok)
    print(f"scan-photos: {len(checks) - failed} passed, {failed} failed")
    return failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", default=DEFAULT)
    ap.add_argument("--jeton", default=os.path.join(ROOT, "target", "release", "jeton"))
    ap.add_argument(
        "--example", default=os.path.join(ROOT, "target", "release", "examples", "scan_corpus"),
        help="the scan_corpus example, for per-image times and plain rqrr",
    )
    ap.add_argument("--no-zxing", action="store_true")
    ap.add_argument("--no-rqrr", action="store_true")
    ap.add_argument("--list", action="store_true", help="list wrong texts, misses and slow images")
    ap.add_argument("--runs", type=int, default=1, help="whole-set runs of each, alternating; medians")
    ap.add_argument("--check-floor", type=int, metavar="N", help="CI: jeton must read N images, no wrong text")
    ap.add_argument("--budget-ms", type=int, help="with --check-floor: read through --example with this budget")
    args = ap.parse_args()
    if not os.path.isdir(args.fixtures):
        print(f"photos: skipped, {args.fixtures} is absent")
        if args.check_floor is not None:
            print("scan-photos: 0 passed, 0 failed")
        return 0
    entries = images(args.fixtures)
    files = [p for _, p, _ in entries]

    if args.check_floor is not None:
        start = time.perf_counter()
        if args.budget_ms is None:
            found, _ = run_jeton(args.jeton, files)
        else:
            found = run_example(args.example, files, ["jeton"], args.budget_ms)["jeton"][0]
        seconds = time.perf_counter() - start
        print(f"photos: {len(files)} images in {seconds:.1f} s")
        return 0 if check(entries, found, args.check_floor, args.fixtures) else 1

    found, seconds = run_jeton(args.jeton, files)
    runs = {}
    per_image = {}
    if os.path.exists(args.example):
        decoders = ["jeton", "decode"] + ([] if args.no_rqrr else ["rqrr"])
        per_image = run_example(args.example, files, decoders)
    else:
        print(f"(no {args.example}: no per-image times, no rqrr)")
    runs["jeton"] = (found, per_image.get("jeton", ({}, {}))[1], seconds)
    opencv_decoding = {}
    if not args.no_zxing:
        runs["zxing-cpp"] = run_zxing(files, opencv_decoding)
    if "rqrr" in per_image:
        rfound, rtimes = per_image["rqrr"]
        runs["rqrr"] = (rfound, rtimes, sum(rtimes.values()) / 1000)

    if args.runs > 1 and not args.no_zxing:
        jeton_s, zxing_s = [], []
        jeton_times, zxing_times = [runs["jeton"][1]], [runs["zxing-cpp"][1]]
        for _ in range(args.runs):
            jeton_s.append(run_jeton(args.jeton, files)[1])
            _, times, z = run_zxing(files)
            zxing_s.append(z)
            zxing_times.append(times)
            if per_image:
                jeton_times.append(run_example(args.example, files, ["jeton"])["jeton"][1])
        j, z = statistics.median(jeton_s), statistics.median(zxing_s)
        print(f"whole set, median of {args.runs} alternating runs: jeton {j:.3f} s, "
              f"zxing-cpp {z:.3f} s, ratio {j / z:.2f}; per image, medians of "
              f"{len(jeton_times)} and {len(zxing_times)} runs")
        runs["jeton"] = (runs["jeton"][0], median_times(jeton_times), j)
        runs["zxing-cpp"] = (runs["zxing-cpp"][0], median_times(zxing_times), z)

    folders = sorted({f for f, _, _ in entries})
    counts = {f: sum(1 for g, _, _ in entries if g == f) for f in folders}
    head = "| decoder | " + " | ".join(f"{f} ({counts[f]})" for f in folders)
    print(head + f" | read ({len(entries)}) | wrong | whole set | p50 / p95 / max per image |")
    print("|---|" + "---:|" * (len(folders) + 4))
    for name, (found, times, seconds) in runs.items():
        per, wrong, missed = score(entries, found, args.fixtures)
        total = [sum(r[i] for r in per.values()) for i in range(3)]
        cells = " | ".join(f"{per[f][1]}" + (f" ({per[f][2]} wrong)" if per[f][2] else "") for f in folders)
        ms = list(times.values())
        timing = (
            f"{percentile(ms, 50):.1f} / {percentile(ms, 95):.1f} / {max(ms):.0f} ms" if ms else "—"
        )
        whole = f"{seconds:.2f} s" + (" (sum)" if name == "rqrr" else "")
        print(f"| {name} | {cells} | **{total[1]}** | {total[2]} | {whole} | {timing} |")
        if args.list:
            for path, text in wrong:
                print(f"  wrong: {os.path.relpath(path, args.fixtures)}: {text[:60]!r}")
            for path in missed:
                t = f" {times[path]:.0f} ms" if path in times else ""
                print(f"  missed: {os.path.relpath(path, args.fixtures)}{t}")
    decoding = [("Jeton (image crate)", per_image.get("decode", ({}, {}))[1]),
                ("zxing-cpp's process (OpenCV)", opencv_decoding)]
    print("file decoding alone, p50 / p95 per image: " + ", ".join(
        f"{name} {percentile(list(t.values()), 50):.2f} / {percentile(list(t.values()), 95):.2f} ms"
        for name, t in decoding if t))
    if args.list and per_image:
        times = runs["jeton"][1]
        slow = sorted(times.items(), key=lambda kv: -kv[1])[:15]
        print("slowest jeton images: " + ", ".join(f"{os.path.relpath(p, args.fixtures)} {ms:.0f} ms" for p, ms in slow))
    return 0


if __name__ == "__main__":
    sys.exit(main())
