#!/usr/bin/env bash
# Measures what the release `jeton` costs on the most hostile inputs we can build against each
# bound (issue 15 item 2): one table row per case with the exit status, the peak resident memory
# (max RSS, from GNU `/usr/bin/time -v`), the wall time and the first line of stderr.
#
# Usage: scripts/resources.sh [--no-build] [--timeout SECONDS]
# The inputs are made under target/resources (a few hundred MB of sparse and generated files;
# never commit them). Build first unless --no-build: `jcargo build --release -p jeton-harness
# --bin jeton`. Needs python3 (standard library only) and GNU time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
limit=300
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=0; shift ;;
    --timeout) limit=$2; shift 2 ;;
    *) echo "resources.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ ! -x /usr/bin/time ]; then
  echo "resources.sh: GNU time is missing; install it (apt-get install time)" >&2
  exit 2
fi
if [ "$build" = 1 ]; then
  cargo_cmd=$(command -v jcargo || command -v cargo)
  "$cargo_cmd" build --release -p jeton-harness --bin jeton >&2
fi
jeton=$PWD/target/release/jeton
[ -x "$jeton" ] || { echo "resources.sh: $jeton is missing" >&2; exit 2; }

dir=$PWD/target/resources
rm -rf "$dir"
mkdir -p "$dir/in" "$dir/runs" "$dir/out"
in=$dir/in
export JETON_PASSPHRASE='resources correct horse battery staple'
export JETON_FILE_PASSWORD='resources file password'
unset JETON_VAULT JETON_NEW_PASSPHRASE

# ---------------------------------------------------------------------------------------------
# The hostile inputs (python3, standard library only; seeded so every run builds the same bytes).
python3 - "$in" <<'PY'
import json, os, random, struct, sys, zlib

out = sys.argv[1]
rng = random.Random(15)

def chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

def png(path, width, height, colour, rows):
    """A PNG whose IDAT is `rows` (an iterator of raw scanlines), compressed as it goes."""
    z = zlib.compressobj(6)
    idat = bytearray()
    for row in rows:
        idat += z.compress(b"\x00" + row)
    idat += z.flush()
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)))
        f.write(chunk(b"IDAT", bytes(idat)))
        f.write(chunk(b"IEND", b""))

def noise(side):
    for _ in range(side):
        yield rng.randbytes(side)

png(f"{out}/noise-1500.png", 1500, 1500, 0, noise(1500))
png(f"{out}/noise-4000.png", 4000, 4000, 0, noise(4000))
# Just under the scanner's 40,000,000-pixel limit, RGBA, all white: a 150 MiB decode from ~150 KB.
side = 6320
row = b"\xff" * (side * 4)
png(f"{out}/max-pixels-rgba.png", side, side, 6, (row for _ in range(side)))
# A header claiming 100,000 × 100,000 RGBA (40 GB decoded) over a tiny IDAT.
with open(f"{out}/header-bomb.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n")
    f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 6, 0, 0, 0)))
    f.write(chunk(b"IDAT", zlib.compress(b"\x00" * 4096)))
    f.write(chunk(b"IEND", b""))

def aegis_plain(name):
    return {"version": 1, "header": {"slots": None, "params": None},
            "db": {"version": 1, "entries": [{
                "type": "totp", "uuid": "3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d",
                "name": name, "issuer": "Deno", "icon": None,
                "info": {"secret": "4SJHB4GSD43FZBAI7C2HLRJGPQ", "algo": "SHA1",
                         "digits": 6, "period": 30}}]}}

# 60 MiB, one name field (under the CLI's 64 MiB file limit).
with open(f"{out}/aegis-60mib-name.json", "w") as f:
    json.dump(aegis_plain("A" * (60 << 20)), f)
# 100,000-deep nesting.
with open(f"{out}/deep-100k.json", "w") as f:
    f.write("[" * 100_000 + "]" * 100_000)
with open(f"{out}/deep-100k-object.json", "w") as f:
    f.write('{"version":1,"header":' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}")

def aegis_encrypted(n, r, p):
    hx = lambda k: rng.randbytes(k).hex()
    return {"version": 1,
            "header": {"slots": [{"type": 1, "uuid": "a0c5f4a6-2d0e-4a5e-9a43-8f0e4d3b2c1a",
                                  "key": hx(32), "key_params": {"nonce": hx(12), "tag": hx(16)},
                                  "n": n, "r": r, "p": p, "salt": hx(32), "repaired": True}],
                       "params": {"nonce": hx(12), "tag": hx(16)}},
            "db": "AAAAAAAAAAAAAAAAAAAAAA=="}

with open(f"{out}/aegis-scrypt-2e30.json", "w") as f:
    json.dump(aegis_encrypted(1 << 30, 8, 1), f)
# The most scrypt a file may ask for: 128·r·N = 256 MiB, 4 passes.
with open(f"{out}/aegis-scrypt-ceiling.json", "w") as f:
    json.dump(aegis_encrypted(1 << 18, 8, 4), f)

# 5,000 distinct otpauth URIs, and 60 MiB of them (559,716 lines) for the line reader.
def uri(i):
    secret = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
    return f"otpauth://totp/Issuer{i}:user{i}%40example.com?secret={secret}&issuer=Issuer{i}\n"
with open(f"{out}/otpauth-5000.txt", "w") as f:
    for i in range(5000):
        f.write(uri(i))
with open(f"{out}/otpauth-60mib.txt", "w") as f:
    size, i = 0, 0
    while size < (60 << 20):
        line = uri(i); f.write(line); size += len(line); i += 1
PY
truncate -s 3G "$in/sparse-3g.bin"
# Linux refuses one argument over 128 KiB (MAX_ARG_STRLEN), so a label given on the command line
# cannot reach 1 MB: 120,000 bytes is the most `vault add URI` can be handed.
head -c 120000 /dev/zero | tr '\0' 'L' > "$in/label-120k.txt"

# A vault, and a real Jeton backup of it whose sealed header is then made to claim other costs
# (the header is authenticated, so these fail after the KDF, or before it when refused).
vault=$dir/vault.jeton
"$jeton" vault init --vault "$vault" >/dev/null
"$jeton" vault add --vault "$vault" 'otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno' >/dev/null
"$jeton" export --format jeton --vault "$vault" "$in/backup.jeton" >/dev/null
python3 - "$in" <<'PY'
import json, sys
out = sys.argv[1]
base = json.load(open(f"{out}/backup.jeton"))
for name, mem, it, lanes in [("backup-argon2-4gib", 4 << 20, 3, 1),
                             ("backup-argon2-ceiling-1gib", 1 << 20, 1, 1),
                             ("backup-argon2-ceiling-full", 1 << 20, 64, 16)]:
    b = json.loads(json.dumps(base))
    b["header"]["kdf"].update(memory_kib=mem, iterations=it, parallelism=lanes)
    json.dump(b, open(f"{out}/{name}.jeton", "w"))
PY
cp "$vault" "$dir/vault-pristine.jeton"

# ---------------------------------------------------------------------------------------------
# The runs.
n=0
printf '| # | command | exit | max RSS (MiB) | wall (s) | first line of stderr |\n'
printf '|---|---|---|---|---|---|\n'
run() { # run LABEL ARGS... : one row
  local label=$1; shift
  n=$((n + 1))
  local t=$dir/runs/$n
  local rc=0
  # timeout sends SIGTERM (jeton has no handler) and waits, so time still sees the peak.
  /usr/bin/time -v -o "$t.time" timeout -k 10 "$limit" "$jeton" "$@" >"$t.out" 2>"$t.err" </dev/null || rc=$?
  local rss wall err
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$t.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
           n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$t.time")
  [ "$rc" = 124 ] && err="(killed after ${limit} s)" || err=$(head -n 1 "$t.err" | cut -c1-110 | tr -d '\r' | sed 's/|/\\|/g')
  printf '| %d | `jeton %s` | %s | %s | %s | %s |\n' "$n" "$label" "$rc" "$rss" "$wall" "$err"
}
fresh() { cp "$dir/vault-pristine.jeton" "$vault"; rm -f "$vault-wal" "$vault-shm"; }

run "scan noise-1500.png (1500×1500 noise)" scan "$in/noise-1500.png"
run "scan noise-4000.png (4000×4000 noise)" scan "$in/noise-4000.png"
run "scan max-pixels-rgba.png (6320×6320 RGBA, 39.9 Mpx)" scan "$in/max-pixels-rgba.png"
run "scan header-bomb.png (claims 100000×100000)" scan "$in/header-bomb.png"
run "scan /dev/zero" scan /dev/zero
fresh; run "import /dev/zero" import --vault "$vault" /dev/zero
fresh; run "import sparse-3g.bin (3 GB sparse)" import --vault "$vault" "$in/sparse-3g.bin"
fresh; run "import aegis-60mib-name.json (one 60 MiB name)" import --vault "$vault" "$in/aegis-60mib-name.json"
fresh; run "import deep-100k.json (100k-deep arrays)" import --vault "$vault" "$in/deep-100k.json"
fresh; run "import deep-100k-object.json (100k-deep objects in an Aegis header)" import --vault "$vault" "$in/deep-100k-object.json"
fresh; run "import aegis-scrypt-2e30.json (scrypt N=2^30, r=8)" import --vault "$vault" "$in/aegis-scrypt-2e30.json"
fresh; run "import aegis-scrypt-ceiling.json (scrypt N=2^18, r=8, p=4: 256 MiB)" import --vault "$vault" "$in/aegis-scrypt-ceiling.json"
fresh; run "import backup-argon2-4gib.jeton (claims Argon2 4 GiB)" import --vault "$vault" "$in/backup-argon2-4gib.jeton"
fresh; run "import backup-argon2-ceiling-1gib.jeton (Argon2 1 GiB, 1 pass)" import --vault "$vault" "$in/backup-argon2-ceiling-1gib.jeton"
fresh; run "import backup-argon2-ceiling-full.jeton (Argon2 1 GiB, 64 passes, 16 lanes)" import --vault "$vault" "$in/backup-argon2-ceiling-full.jeton"
fresh; run "import otpauth-60mib.txt (559,716 URIs)" import --vault "$vault" "$in/otpauth-60mib.txt"
run "qr … --png --module-px 4294967295" qr 'otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ' --png "$dir/out/a.png" --module-px 4294967295
run "qr … --png --module-px 1000" qr 'otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ' --png "$dir/out/b.png" --module-px 1000
run "qr … --png --module-px 99 (the largest accepted)" qr 'otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ' --png "$dir/out/c.png" --module-px 99
fresh; run "vault add (120,000-byte label)" vault add --vault "$vault" "otpauth://totp/Deno:$(cat "$in/label-120k.txt")?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ"
fresh; run "import otpauth-5000.txt (5,000 URIs)" import --vault "$vault" "$in/otpauth-5000.txt"
run "vault list (5,001 accounts)" vault list --vault "$vault"
run "vault codes (5,001 accounts)" vault codes --vault "$vault"
