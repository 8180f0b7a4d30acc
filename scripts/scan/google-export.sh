#!/usr/bin/env bash
# Draws a Google Authenticator export of two QR codes (one account each) into DIR as
# migration-1.png and migration-2.png, for the Kotlin and Swift scan tests. The protobuf is
# written here from Google's published MigrationPayload schema, independently of the core's
# codec, and the codes are drawn by qrencode. Both accounts have RFC 6238's SHA-1 secret.
set -euo pipefail
out=${1:?usage: google-export.sh DIR}
mkdir -p "$out"
python3 - "$out" <<'PY'
import base64, sys, urllib.parse
def field(number, value):
    if isinstance(value, int):
        return bytes([number << 3, value])
    return bytes([number << 3 | 2, len(value)]) + value
def account(secret, name, issuer):  # SHA-1, 6 digits, TOTP
    return (field(1, secret) + field(2, name.encode()) + field(3, issuer.encode())
            + field(4, 1) + field(5, 1) + field(6, 2))
accounts = [account(b"12345678901234567890", "alice", "ACME"),
            account(b"12345678901234567890", "2412345", "Omnivox")]
for index, one in enumerate(accounts):
    payload = field(1, one) + field(2, 1) + field(3, 2) + field(4, index) + field(5, 77)
    data = urllib.parse.quote(base64.b64encode(payload).decode(), safe="")
    with open(f"{sys.argv[1]}/migration-{index + 1}.txt", "w") as out:
        out.write(f"otpauth-migration://offline?data={data}")
PY
for n in 1 2; do qrencode -o "$out/migration-$n.png" -s 6 -r "$out/migration-$n.txt"; done
