"""Screenshots with several QR codes, for corpus.py's "multi_grid" category.

Three kinds, in turn:

- a grid of 2x2 up to 3x4 otpauth codes, as people screenshot a page of enrolment codes;
- codes of different versions and module sizes side by side;
- Google Authenticator export screens: `otpauth-migration://offline?data=...` codes holding up to
  10 accounts each (versions 10 to 20), several on one screen.

Phone (1080x2340) and desktop (1366x768 to 2560x1440) sizes, light and dark mode (dark: the codes
either on a white card or drawn light on dark), quiet zones between neighbouring codes as tight as
real screens put them (2 to 4 modules), some saved as JPEG and some scaled down by a non-integer
factor (a screenshot shared through a chat app). Codes are drawn by `qrencode`, the export's
protobuf is written here from Google's published schema (google_auth.proto of Google
Authenticator's migration format), never with Jeton's codec.
"""

import base64
import subprocess
import urllib.parse

import cv2
import numpy as np

ISSUERS = ["Omnivox", "GitHub", "Google", "Cégep", "Amazon Web Services", "Proton", "Deno", "Dropbox", "Microsoft"]
NAMES = ["2412345", "marie@example.com", "jean.tremblay", "alice", "bob@omnivox.ca", "admin", "x.y@z.org"]


def code(text, level="M", margin=0):
    """The code's modules (True = dark) with `margin` modules of quiet zone, drawn by qrencode."""
    png = subprocess.run(
        ["qrencode", "-l", level, "-s", "1", "-m", str(margin), "-o", "-", "--", text],
        check=True,
        capture_output=True,
    ).stdout
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE) < 128


def b32(rng, n_bytes):
    return base64.b32encode(rng.bytes(n_bytes)).decode().rstrip("=")


def otpauth(rng, secret_bytes=None):
    issuer = ISSUERS[rng.integers(len(ISSUERS))]
    name = NAMES[rng.integers(len(NAMES))]
    q = lambda s: urllib.parse.quote(s, safe="")  # noqa: E731
    n = secret_bytes if secret_bytes is not None else int(rng.choice([10, 20, 32]))
    uri = f"otpauth://totp/{q(issuer)}:{q(name)}?secret={b32(rng, n)}&issuer={q(issuer)}"
    if rng.random() < 0.3:
        uri += "&algorithm=SHA256&digits=8&period=30"
    return uri


# --- Google Authenticator's migration payload (protobuf), from its published schema:
# message MigrationPayload { repeated OtpParameters otp_parameters = 1; int32 version = 2;
#   int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5; }
# message OtpParameters { bytes secret = 1; string name = 2; string issuer = 3;
#   Algorithm algorithm = 4; DigitCount digits = 5; OtpType type = 6; int64 counter = 7; }
# Algorithm: SHA1 = 1, SHA256 = 2, SHA512 = 3, MD5 = 4; DigitCount: SIX = 1, EIGHT = 2;
# OtpType: HOTP = 1, TOTP = 2.


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, value):
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


def otp_parameters(rng):
    hotp = rng.random() < 0.15
    issuer = ISSUERS[rng.integers(len(ISSUERS))]
    name = NAMES[rng.integers(len(NAMES))]
    msg = field(1, rng.bytes(int(rng.choice([10, 20, 20, 32]))))
    msg += field(2, f"{issuer}:{name}" if rng.random() < 0.5 else name)
    msg += field(3, issuer)
    msg += field(4, int(rng.choice([1, 1, 1, 2, 3])))
    msg += field(5, int(rng.choice([1, 1, 1, 2])))
    msg += field(6, 1 if hotp else 2)
    if hotp:
        msg += field(7, int(rng.integers(0, 5000)))
    return msg


def migration(rng, accounts, batch_size, batch_index, batch_id):
    payload = b"".join(field(1, otp_parameters(rng)) for _ in range(accounts))
    payload += field(2, 1) + field(3, batch_size) + field(4, batch_index) + field(5, batch_id)
    data = base64.b64encode(payload).decode()
    return "otpauth-migration://offline?data=" + urllib.parse.quote(data, safe="")


def export_codes(rng, count):
    """`count` export codes of one batch, each of version 10 to 20 (level L, as short as that
    takes: accounts are dropped from a code until it fits)."""
    batch_id = int(rng.integers(1, 2**31 - 1))
    out = []
    for index in range(count):
        accounts = int(rng.integers(4, 11))
        while True:
            payload = migration(rng, accounts, count, index, batch_id)
            mods = code(payload, "L")
            version = (mods.shape[0] - 17) // 4
            if version <= 20 or accounts == 1:
                break
            accounts -= 1
        if version < 10:  # too few accounts for a dense code: pad with more
            continue
        out.append((payload, mods))
    while len(out) < count:  # always as many as asked
        payload = migration(rng, 10, count, len(out), batch_id)
        out.append((payload, code(payload, "L")))
    return out


def screen_size(rng, phone):
    if phone:
        return 1080, 2340
    return [(1366, 768), (1920, 1080), (2560, 1440)][int(rng.integers(3))]


def clutter(img, rng, ink, avoid):
    """Lines of "text" on the page, outside the rectangle `avoid` (x0, y0, x1, y1)."""
    h, w = img.shape
    for _ in range(int(rng.integers(10, 30))):
        x, y = int(rng.integers(0, w - 200)), int(rng.integers(0, h - 20))
        x1, y1 = x + int(rng.integers(50, 600)), y + int(rng.integers(6, 14))
        if x1 > avoid[0] and x < avoid[2] and y1 > avoid[1] and y < avoid[3]:
            continue
        cv2.rectangle(img, (x, y), (x1, y1), ink, -1)


def layout(rng, kind, phone):
    """The codes (payload, modules) in rows, and the module size to draw them at, in pixels."""
    if kind == 0:  # a grid of otpauth codes
        a, b = int(rng.integers(2, 4)), int(rng.integers(2, 5))  # 2-3 by 2-4
        rows, cols = (max(a, b), min(a, b)) if phone else (min(a, b), max(a, b))
        secret = int(rng.choice([10, 20, 32]))  # one site's codes: the same shape
        cells = [[otpauth(rng, secret) for _ in range(cols)] for _ in range(rows)]
        return [[(p, code(p)) for p in row] for row in cells]
    if kind == 1:  # different sizes side by side, 2-4 codes in one or two rows
        count = int(rng.integers(2, 5))
        items = []
        for _ in range(count):
            if rng.random() < 0.25:
                items.append(export_codes(rng, 1)[0])
            else:
                p = otpauth(rng, int(rng.choice([10, 20, 32, 64])))
                items.append((p, code(p, str(rng.choice(["L", "M", "Q", "H"])))))
        if count == 4 and rng.random() < 0.5:
            return [items[:2], items[2:]]
        return [items]
    # Google Authenticator export: 2-4 dense codes of one batch.
    count = int(rng.integers(2, 5))
    items = export_codes(rng, count)
    if count == 4 and rng.random() < 0.5:
        return [items[:2], items[2:]]
    if phone:
        return [[it] for it in items]
    return [items]


LAYOUTS = ["grid", "sizes", "export"]


def screenshot(rng):
    """One screenshot: (grayscale image, payloads in it, "png" or "jpg", layout: one of LAYOUTS)."""
    kind = int(rng.integers(3))
    phone = rng.random() < 0.5
    w, h = screen_size(rng, phone)
    dark = rng.random() < 0.35
    inverted = dark and rng.random() < 0.5  # light modules on a dark page; else a white card
    page, ink = (18.0, 225.0) if dark else (250.0, 30.0)
    rows = layout(rng, kind, phone)
    # Different sizes side by side: each code at its own module size; otherwise one size.
    scales = [[1.0 for _ in row] for row in rows]
    if kind == 1:
        scales = [[float(rng.uniform(0.6, 1.4)) for _ in row] for row in rows]
    gap = int(rng.integers(2, 5))  # modules of quiet zone between neighbours, and around
    # The largest module size at which everything fits in 92% of the screen.
    width_mod = max(sum(m.shape[0] * s for (_, m), s in zip(row, sc)) + gap * (len(row) + 1) for row, sc in zip(rows, scales))
    height_mod = sum(max(m.shape[0] * s for (_, m), s in zip(row, sc)) for row, sc in zip(rows, scales)) + gap * (len(rows) + 1)
    fit = min(0.92 * w / width_mod, 0.92 * h / height_mod)
    base = float(rng.uniform(max(2.0, 0.5 * fit), max(2.0, fit)))
    px = [[max(2, int(base * s)) for s in sc] for sc in scales]
    g = max(2, int(base)) * gap
    total_w = max(sum(m.shape[0] * p for (_, m), p in zip(row, pr)) + g * (len(row) + 1) for row, pr in zip(rows, px))
    total_h = sum(max(m.shape[0] * p for (_, m), p in zip(row, pr)) for row, pr in zip(rows, px)) + g * (len(rows) + 1)
    if total_w > w or total_h > h:  # rounding up to two pixels per module: a larger screen
        w, h = max(w, total_w + 8), max(h, total_h + 8)
    img = np.full((h, w), page, np.float32)
    x0 = int(rng.integers(0, w - total_w + 1))
    y0 = int(rng.integers(0, h - total_h + 1))
    clutter(img, rng, ink, (x0, y0, x0 + total_w, y0 + total_h))
    card = 255.0 if dark and not inverted else page
    dark_ink = ink if inverted else (30.0 if dark else ink)
    img[y0 : y0 + total_h, x0 : x0 + total_w] = card
    payloads = []
    y = y0 + g
    for row, pr in zip(rows, px):
        x = x0 + g
        row_h = max(m.shape[0] * p for (_, m), p in zip(row, pr))
        for (payload, mods), p in zip(row, pr):
            side = mods.shape[0] * p
            tile = np.where(np.kron(mods, np.ones((p, p), bool)), dark_ink, card).astype(np.float32)
            top = y + (row_h - side) // 2 if kind == 1 else y
            img[top : top + side, x : x + side] = tile
            payloads.append(payload)
            x += side + g
        y += row_h + g
    out = np.clip(img, 0, 255).astype(np.uint8)
    # A screenshot shared through a chat app comes back scaled down, not by a whole factor.
    smallest = min(p for pr in px for p in pr)
    if rng.random() < 0.25 and smallest >= 3:
        f = float(rng.uniform(max(0.5, 2.2 / smallest), 0.9))
        out = cv2.resize(out, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)
    ext = "jpg" if rng.random() < 0.3 else "png"
    return out, payloads, ext, LAYOUTS[kind]
