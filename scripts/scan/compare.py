#!/usr/bin/env python3
"""Before/after check of a scanner change: two builds of the `scan_corpus` example, file by file.

For each corpus (synthetic folders made by `corpus.py`, and the real photos when present):

- the codes: each file's codes from OLD and NEW, compared (a change meant to make the scanner
  faster must give the same codes; one meant to read more must only add);
- the time: per-image times of both, runs alternating OLD and NEW, each image's median kept;
  the sums, p50 and p95, and the images that slowed down most.

Codes are read with a budget no machine reaches (`--budget-ms 100000`), so that a slow moment
cannot change them; times with the library's own budget. Both corpora matter: a step checked
on the photos alone once slowed synthetic frames with codes fourfold (docs/performance.md).

    python scripts/scan/compare.py OLD NEW [--corpus target/scan-corpus ...] [--runs 5]

OLD and NEW are `scan_corpus` binaries (for instance a copy of target/release/examples/
scan_corpus built before the change). Exits 1 when any file's codes differ.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from photos import DEFAULT as PHOTOS, images, percentile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(binary, source, budget_ms=None):
    """{file: (sorted codes, ms)} from one run of `binary` over `source` (corpus argv)."""
    cmd = [binary, *source, "--decoders", "jeton"]
    if budget_ms is not None:
        cmd += ["--budget-ms", str(budget_ms)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    results = {}
    for line in out.splitlines():
        r = json.loads(line)
        codes = r.get("data") or [p.encode("utf-8", "surrogatepass").hex() for p in r["payloads"]]
        results[r["file"]] = (sorted(codes), r["ms"])
    return results


def compare(name, source, old, new, runs):
    """Prints the comparison of one corpus; returns how many files' codes differ."""
    codes_old = run(old, source, 100000)
    codes_new = run(new, source, 100000)
    differ = [f for f in codes_old if codes_old[f][0] != codes_new.get(f, ([], 0))[0]]
    read = [sum(1 for c, _ in r.values() if c) for r in (codes_old, codes_new)]
    print(f"{name}: {len(codes_old)} images, codes differ on {len(differ)}; "
          f"images with codes {read[0]} -> {read[1]}")
    for f in differ[:10]:
        print(f"  differs: {f}: {len(codes_old[f][0])} -> {len(codes_new[f][0])} codes")
    times = {old: {}, new: {}}
    for _ in range(runs):
        for binary in (old, new):
            for f, (_, ms) in run(binary, source).items():
                times[binary].setdefault(f, []).append(ms)
    med = {b: {f: sorted(v)[len(v) // 2] for f, v in t.items()} for b, t in times.items()}
    a, b = med[old], med[new]
    stats = lambda m: (sum(m.values()), percentile(m.values(), 50), percentile(m.values(), 95))
    (sa, pa, qa), (sb, pb, qb) = stats(a), stats(b)
    print(f"  per image, median of {runs} alternating runs: sum {sa:.0f} -> {sb:.0f} ms "
          f"({sb / sa - 1:+.0%}), p50 {pa:.2f} -> {pb:.2f}, p95 {qa:.2f} -> {qb:.2f}")
    slower = sorted(a, key=lambda f: -(b[f] / max(a[f], 1e-3)))[:5]
    print("  most slowed: " + ", ".join(
        f"{os.path.basename(f)} {a[f]:.2f} -> {b[f]:.2f}" for f in slower))
    return len(differ)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--corpus", action="append", help="synthetic corpus folder (repeatable; "
                    "default target/scan-corpus)")
    ap.add_argument("--photos", default=PHOTOS, help="real photos folder (skipped when absent)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    differ = 0
    for corpus in args.corpus or [os.path.join(ROOT, "target", "scan-corpus")]:
        differ += compare(corpus, [corpus], args.old, args.new, args.runs)
    if os.path.isdir(args.photos):
        files = [path for _, path, _ in images(args.photos)]
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
            listing.write("\n".join(files) + "\n")
        try:
            differ += compare("photos", ["--files", listing.name], args.old, args.new, args.runs)
        finally:
            os.unlink(listing.name)
    else:
        print(f"photos: skipped, {args.photos} is absent")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
