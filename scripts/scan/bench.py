#!/usr/bin/env python3
"""Side-by-side QR benchmark on the synthetic corpus: Jeton's scanner, plain rqrr, zxing-cpp, zbarimg.

Per category: the share of codes read; misreads (a payload that is not in the image) and
duplicates (a code of the image given more than once: each must come out once); median and
p95 decode time per image, in-process and excluding file loading (zbarimg runs as a process per
file, so its time includes start-up and loading and is shown apart).

    python scripts/scan/bench.py --corpus target/scan-corpus --per-category 23 --seed 1

Generates the corpus first when the folder has no manifest. `--repeat N` decodes each image N
times and keeps the median time (steadier on a busy machine); `--only CATEGORY` reads one
category; `--binary-b OTHER` adds a second build of the example as "jeton-b", for a before/after
in the same run. `--rounds N` runs every decoder over the corpus N times, taking turns (Jeton,
jeton-b, zxing-cpp, Jeton, ...), and keeps each image's median: the machine's speed drifts over
minutes, and decoders timed one after the other would each get a different part of it.
Expects the release example `target/release/examples/scan_corpus` (cargo build --release
--example scan_corpus).
With --check THRESHOLDS (JSON: {"overall": r, "categories": {name: r}, "misreads": 0,
"duplicates": 0}), it scores
Jeton only, prints one line per check and "scan: N passed, N failed", and exits 1 on a failure.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def load_manifest(corpus):
    with open(os.path.join(corpus, "manifest.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def run_rust(corpus, binary, decoders, budget_ms, repeat=1, only=None):
    cmd = [binary, corpus, "--decoders", ",".join(decoders)]
    if only:
        cmd += ["--only", only]
    if budget_ms is not None:
        cmd += ["--budget-ms", str(budget_ms)]
    if repeat > 1:
        cmd += ["--repeat", str(repeat)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    results = {}
    for line in out.splitlines():
        r = json.loads(line)
        results.setdefault(r["decoder"], {})[r["file"]] = (r["payloads"], r["ms"])
    return results


def run_zxing(corpus, manifest, repeat=1):
    import cv2
    import zxingcpp

    results = {}
    for entry in manifest:
        img = cv2.imread(os.path.join(corpus, entry["file"]), cv2.IMREAD_GRAYSCALE)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            codes = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
            times.append((time.perf_counter() - start) * 1000)
        ms = statistics.median(times)
        results[entry["file"]] = ([c.text for c in codes if c.valid], ms)
    return results


def median_of_rounds(rounds):
    """One decoder's results over several runs: each image's codes from the first run, its
    median time over all."""
    first = rounds[0]
    return {
        f: (payloads, statistics.median(r[f][1] for r in rounds))
        for f, (payloads, _) in first.items()
    }


def run_zbar(corpus, manifest):
    results = {}
    for entry in manifest:
        start = time.perf_counter()
        proc = subprocess.run(
            ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", os.path.join(corpus, entry["file"])],
            capture_output=True,
        )
        ms = (time.perf_counter() - start) * 1000
        text = proc.stdout.decode("utf-8", "replace")
        results[entry["file"]] = ([line for line in text.split("\n") if line], ms)
    return results


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def score(manifest, results):
    """Per category: codes read, codes, misreads, duplicates, times. 'no_code' counts only misreads."""
    cats = {}
    for entry in manifest:
        payloads, ms = results[entry["file"]]
        expected = entry["payloads"]
        c = cats.setdefault(entry["category"], {"read": 0, "codes": 0, "misreads": 0, "duplicates": 0, "ms": [], "images": []})
        c["codes"] += len(expected)
        remaining = list(expected)
        for p in payloads:
            if p in remaining:
                remaining.remove(p)
                c["read"] += 1
            elif p not in expected:
                c["misreads"] += 1
            else:
                c["duplicates"] += 1
        c["ms"].append(ms)
        c["images"].append((entry, ms))
    return cats


def summary(manifest, results):
    cats = score(manifest, results)
    read = sum(c["read"] for c in cats.values())
    codes = sum(c["codes"] for c in cats.values())
    misreads = sum(c["misreads"] for c in cats.values())
    duplicates = sum(c["duplicates"] for c in cats.values())
    code_ms = [ms for name, c in cats.items() if name != "no_code" for ms in c["ms"]]
    frames_1080 = [ms for c in cats.values() for (e, ms) in c["images"] if e["width"] == 1920 and e["height"] == 1080 and e["payloads"]]
    empty_720 = [ms for c in cats.values() for (e, ms) in c["images"] if e["width"] == 1280 and not e["payloads"]]
    return {
        "cats": cats,
        "read": read,
        "codes": codes,
        "misreads": misreads,
        "duplicates": duplicates,
        "median": statistics.median(code_ms) if code_ms else float("nan"),
        "p95": percentile(code_ms, 95),
        "median_1080": statistics.median(frames_1080) if frames_1080 else float("nan"),
        "median_720_empty": statistics.median(empty_720) if empty_720 else float("nan"),
    }


def table(manifest, all_results):
    names = list(all_results)
    sums = {n: summary(manifest, all_results[n]) for n in names}
    categories = [c for c in sums[names[0]]["cats"] if c != "no_code"]
    lines = ["| category | codes | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for cat in categories:
        codes = sums[names[0]]["cats"][cat]["codes"]
        cells = []
        for n in names:
            c = sums[n]["cats"][cat]
            cells.append(f"{100 * c['read'] / c['codes']:.0f}%")
        lines.append(f"| {cat} | {codes} | " + " | ".join(cells) + " |")
    s0 = sums[names[0]]
    lines.append(f"| **overall** | {s0['codes']} | " + " | ".join(f"**{100 * sums[n]['read'] / max(sums[n]['codes'], 1):.1f}%**" for n in names) + " |")
    lines.append("| misreads (incl. no-code frames) | | " + " | ".join(str(sums[n]["misreads"]) for n in names) + " |")
    lines.append("| duplicates | | " + " | ".join(str(sums[n]["duplicates"]) for n in names) + " |")
    lines.append("| lowest category | | " + " | ".join(lowest(sums[n]) for n in names) + " |")
    lines.append("| median ms / image with codes | | " + " | ".join(f"{sums[n]['median']:.2f}" for n in names) + " |")
    lines.append("| p95 ms / image with codes | | " + " | ".join(f"{sums[n]['p95']:.2f}" for n in names) + " |")
    lines.append("| median ms / 1080p frame with a code | | " + " | ".join(f"{sums[n]['median_1080']:.2f}" for n in names) + " |")
    lines.append("| median ms / 720p frame, no code | | " + " | ".join(f"{sums[n]['median_720_empty']:.2f}" for n in names) + " |")
    return "\n".join(lines)


def lowest(s):
    cats = [(100 * c["read"] / c["codes"], name) for name, c in s["cats"].items() if c["codes"]]
    if not cats:
        return "-"
    rate, name = min(cats)
    return f"{rate:.0f}% ({name})"


def check(manifest, results, thresholds):
    s = summary(manifest, results)
    passed = failed = 0

    def report(ok, text):
        nonlocal passed, failed
        print(("ok   " if ok else "FAIL ") + text)
        if ok:
            passed += 1
        else:
            failed += 1

    for cat, c in s["cats"].items():
        if not c["codes"]:
            continue
        rate = c["read"] / c["codes"]
        need = thresholds["categories"].get(cat, thresholds.get("default", 0.0))
        report(rate >= need, f"{cat}: {c['read']}/{c['codes']} read ({100 * rate:.0f}%, need {100 * need:.0f}%)")
    rate = s["read"] / s["codes"]
    report(rate >= thresholds["overall"], f"overall: {s['read']}/{s['codes']} ({100 * rate:.1f}%, need {100 * thresholds['overall']:.0f}%)")
    report(s["misreads"] <= thresholds.get("misreads", 0), f"misreads: {s['misreads']} (allowed {thresholds.get('misreads', 0)})")
    report(s["duplicates"] <= thresholds.get("duplicates", 0), f"duplicates: {s['duplicates']} (allowed {thresholds.get('duplicates', 0)})")
    print(f"scan: {passed} passed, {failed} failed")
    return failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "target", "scan-corpus"))
    ap.add_argument("--per-category", type=int, default=23)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "examples", "scan_corpus"))
    ap.add_argument("--budget-ms", type=int, default=None, help="Jeton's time budget (default: the library's)")
    ap.add_argument("--decoders", default="jeton,rqrr,zxing-cpp,zbarimg")
    ap.add_argument("--repeat", type=int, default=1, help="decode each image N times, keep the median time (Jeton, rqrr, zxing-cpp)")
    ap.add_argument("--rounds", type=int, default=1, help="run the decoders N times, taking turns, and keep each image's median time")
    ap.add_argument("--binary-b", metavar="BINARY", help="a second scan_corpus build, shown as 'jeton-b' (before/after in one run)")
    ap.add_argument("--only", metavar="CATEGORY", help="read only this category of the corpus")
    ap.add_argument("--by-layout", action="store_true", help="split multi_grid by layout (grid, sizes, export)")
    ap.add_argument("--check", metavar="THRESHOLDS", help="score Jeton against thresholds and exit 1 on a miss")
    args = ap.parse_args()

    if not os.path.exists(os.path.join(args.corpus, "manifest.jsonl")):
        subprocess.run(
            [sys.executable, os.path.join(HERE, "corpus.py"), "--out", args.corpus, "--per-category", str(args.per_category), "--seed", str(args.seed)],
            check=True,
        )
    manifest = load_manifest(args.corpus)
    if args.only:
        manifest = [e for e in manifest if e["category"] == args.only]
    if args.by_layout:
        for e in manifest:
            if "layout" in e:
                e["category"] = f"{e['category']}/{e['layout']}"

    if args.check:
        with open(args.check) as f:
            thresholds = json.load(f)
        results = run_rust(args.corpus, args.binary, ["jeton"], args.budget_ms, only=args.only)["jeton"]
        sys.exit(0 if check(manifest, results, thresholds) else 1)

    decoders = args.decoders.split(",")
    rust = [d for d in decoders if d in ("jeton", "rqrr")]
    runs = []
    if rust:
        runs.append(lambda: run_rust(args.corpus, args.binary, rust, args.budget_ms, args.repeat, args.only))
    if args.binary_b:
        runs.append(lambda: {"jeton-b": run_rust(args.corpus, args.binary_b, ["jeton"], args.budget_ms, args.repeat, args.only)["jeton"]})
    if "zxing-cpp" in decoders:
        runs.append(lambda: {"zxing-cpp": run_zxing(args.corpus, manifest, args.repeat)})
    rounds = {}
    for i in range(max(args.rounds, 1)):
        # Every other round in reverse order, so that no decoder always runs first.
        for run in runs if i % 2 == 0 else runs[::-1]:
            for d, results in run().items():
                rounds.setdefault(d, []).append(results)
    all_results = {d: median_of_rounds(r) for d, r in rounds.items()}
    if "zbarimg" in decoders:
        all_results["zbarimg (process)"] = run_zbar(args.corpus, manifest)
    ordered = {d: all_results[d] for d in all_results}
    n_images = len(manifest)
    print(f"{n_images} images, {sum(len(e['payloads']) for e in manifest)} codes, corpus {args.corpus}\n")
    print(table(manifest, ordered))


if __name__ == "__main__":
    main()
