#!/usr/bin/env python3
"""Writes a Jeton backup with libsodium (PyPI `pynacl`) from the format described in
core/src/backup.rs, independently of Jeton's code, for core/tests/backup.rs.
Run: python3 jeton_backup.py   (prints the file; salt and nonce are fixed so it is reproducible)"""
import base64
import json

import nacl.bindings
import nacl.pwhash

PASSPHRASE = b"correct horse battery staple"
salt = bytes(range(16))
nonce = bytes(range(100, 124))
header = {
    "kdf": {"algorithm": "argon2id", "version": 19, "memory_kib": 256, "iterations": 2,
            "parallelism": 1, "salt": base64.b64encode(salt).decode()},
    "cipher": {"algorithm": "xchacha20poly1305", "nonce": base64.b64encode(nonce).decode()},
    "created": 1795000000,
}
contents = {"accounts": [
    {"issuer": "Deno", "name": "Mason", "secret": "4SJHB4GSD43FZBAI7C2HLRJGPQ", "kind": "totp",
     "algorithm": "SHA1", "digits": 6, "period": 30, "counter": 0, "t0": 0,
     "groups": ["Cégep"], "note": "from libsodium", "favourite": True},
    {"issuer": "WWE", "name": "Mason", "secret": "5VAML3X35THCEBVRLV24CGBKOY", "kind": "hotp",
     "algorithm": "SHA512", "digits": 8, "period": 30, "counter": 10300, "t0": 0,
     "groups": [], "note": None, "favourite": False},
    {"issuer": None, "name": "Sophia", "secret": "JRZCL47CMXVOQMNPZR2F7J4RGI", "kind": "steam",
     "algorithm": "SHA1", "digits": 5, "period": 30, "counter": 0, "t0": 0},
]}
key = nacl.pwhash.argon2id.kdf(32, PASSPHRASE, salt,
                               opslimit=header["kdf"]["iterations"],
                               memlimit=header["kdf"]["memory_kib"] * 1024)
aad = b"jeton-backup/1\n" + json.dumps(header, separators=(",", ":")).encode()
ciphertext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
    json.dumps(contents, ensure_ascii=False).encode(), aad, nonce, key)
print(json.dumps({"jeton_backup": 1, "header": header,
                  "ciphertext": base64.b64encode(ciphertext).decode()}, indent=2))
