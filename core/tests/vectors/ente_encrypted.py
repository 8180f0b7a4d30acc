#!/usr/bin/env python3
"""Writes Ente Auth encrypted exports with libsodium (PyPI `pynacl`), from Ente's published format
(ente-io/ente docs/docs/auth/migration/export.md and the app's export code), independently of
Jeton's code, for core/tests/ente.rs.

The file is JSON: {"version": 1, "kdfParams": {"memLimit", "opsLimit", "salt"}, "encryptedData",
"encryptionNonce"}. The key is crypto_pwhash (Argon2id v1.3, memLimit in bytes, 32 bytes) of the
UTF-8 password with the 16-byte salt; encryptedData is one crypto_secretstream_xchacha20poly1305
message and encryptionNonce is the stream's 24-byte header. Ente today (ente_crypto_dart, since
2024) pushes the message with TAG_MESSAGE and leaves out the empty TAG_FINAL message that follows;
before that (flutter_sodium) it pushed the one message with TAG_FINAL. Both are written.
The plaintext is Ente's plain export: one otpauth:// URI a line, each ending in a newline.

Run: python3 ente_encrypted.py   (writes ente_encrypted.json and ente_encrypted_final.json here;
the salt is fixed, the stream header is random as libsodium makes it)"""
import base64
import json
import os

import nacl.bindings as b
import nacl.pwhash

PASSWORD = "Mot de passe d'Ente é"
LINES = [
    # codeDisplay as Ente writes it: percent-encoded JSON (pinned → favourite, tags → groups).
    "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno&algorithm=SHA1"
    "&digits=6&period=30&codeDisplay=%7B%22pinned%22%3Atrue%2C%22tags%22%3A%5B%22C%C3%A9gep%22%5D%7D",
    "otpauth://totp/SPDX:James?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&issuer=SPDX&algorithm=SHA256"
    "&digits=7&period=20",
    "otpauth://hotp/WWE:Mason?secret=5VAML3X35THCEBVRLV24CGBKOY&issuer=WWE&algorithm=SHA512"
    "&digits=8&counter=10300",
    "otpauth://totp/Airbnb:Elijah?secret=7ELGJSGXNCCTV3O6LKJWYFV2RA&issuer=Airbnb&algorithm=SHA512"
    "&digits=8&period=50",
]
PLAIN = "".join(line + "\n" for line in LINES).encode()


def export(tag, ops, mem, salt):
    key = nacl.pwhash.argon2id.kdf(32, PASSWORD.encode(), salt, opslimit=ops, memlimit=mem)
    state = b.crypto_secretstream_xchacha20poly1305_state()
    header = b.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    message = b.crypto_secretstream_xchacha20poly1305_push(state, PLAIN, None, tag)
    return json.dumps({
        "version": 1,
        "kdfParams": {"memLimit": mem, "opsLimit": ops,
                      "salt": base64.b64encode(salt).decode()},
        "encryptedData": base64.b64encode(message).decode(),
        "encryptionNonce": base64.b64encode(header).decode(),
    })


here = os.path.dirname(os.path.abspath(__file__))
# Cheap costs so the tests stay fast (Ente itself writes 256 MiB and 16 passes, or less memory
# and more passes on a phone that lacks it); memLimit is in bytes, as libsodium takes it.
with open(os.path.join(here, "ente_encrypted.json"), "w") as f:
    f.write(export(b.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, 2, 8 << 20,
                   bytes(range(16))))
with open(os.path.join(here, "ente_encrypted_final.json"), "w") as f:
    f.write(export(b.crypto_secretstream_xchacha20poly1305_TAG_FINAL, 3, 1 << 20,
                   bytes(range(16, 32))))
