#!/usr/bin/env python3
"""The key derivations behind imports and backups, timed in OpenSSL (Python's hashlib) and
libsodium (PyPI pynacl), to compare with `jcargo bench -p jeton-core --bench transfer`.
Run: python3 core/benches/transfer_peers.py   (median of 7 runs, milliseconds)"""
import hashlib
import statistics
import time

import nacl.pwhash


def median_ms(fn, runs=7):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


salt = bytes(32)
print("openssl scrypt N=2^15 r=8 p=1 (Aegis slot): %.1f ms" % median_ms(
    lambda: hashlib.scrypt(b"test", salt=salt, n=32768, r=8, p=1, maxmem=64 << 20, dklen=32)))
print("openssl pbkdf2-hmac-sha256 10k (2FAS): %.1f ms" % median_ms(
    lambda: hashlib.pbkdf2_hmac("sha256", b"test", salt, 10_000, 32)))
print("libsodium argon2id m=64MiB t=3 p=1 (Jeton backup): %.1f ms" % median_ms(
    lambda: nacl.pwhash.argon2id.kdf(32, b"correct horse", salt[:16], opslimit=3,
                                     memlimit=64 << 20)))
