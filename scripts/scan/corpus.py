#!/usr/bin/env python3
"""Generates the scanner's synthetic corpus: screenshots and camera-like frames with ground truth.

Seeded and reproducible (same seed, same files); written to a folder at test or bench time, never
committed. QR codes are drawn by `qrencode` (Debian), not by Jeton, so the scanner is checked
against an independent encoder. Needs numpy and opencv-python-headless (scripts/setup.d/scan.sh).

    python scripts/scan/corpus.py --out target/scan-corpus --per-category 30 --seed 1

Writes OUT/manifest.jsonl: one line per image with its file, category, kind (a camera "frame", a
"screenshot" file or a "photo" file), size and the payloads it holds (an empty list for the
no-code frames); "multi_grid" screenshots (several codes, scripts/scan/grid.py) also say their
layout. `--only CATEGORY` makes one category (the same images as in the whole corpus).
"""

import argparse
import base64
import json
import os

import cv2
import numpy as np

import grid

# Category -> what it exercises. Screenshots are PNG unless the name says JPEG.
CATEGORIES = [
    "screenshot_light",  # a portal page with the code, light mode
    "screenshot_dark",  # dark mode: light modules on a dark page (inverted)
    "screenshot_jpeg",  # screenshot saved as a low-quality JPEG
    "screenshot_small",  # small code on a large screenshot (2-3 px per module)
    "dense",  # Google Authenticator export: long otpauth-migration payload
    "nominal",  # camera frame, mild tilt, good light
    "perspective",  # strongly tilted phone
    "rotation",  # any rotation
    "blur",  # out of focus
    "motion",  # hand shake
    "lowlight",  # dark and noisy
    "glare",  # a bright reflection across the code
    "low_contrast",  # washed out
    "inverted",  # a dark-mode screen filmed by a camera
    "small",  # far away: few pixels per module
    "large",  # very close: the code fills the frame
    "multi",  # several codes in one frame
]
NO_CODE = "no_code"  # frames without a code: false positives and time to give up
# Screenshots of several codes (grids, mixed sizes, Google Authenticator export screens), after
# NO_CODE in the seeding so that adding them changed no other image (scan/grid.py draws them);
# then photos of a code seen close at a steep angle (scanned as files, as `jeton scan` reads a
# photo).
LATER = ["multi_grid", "steep"]

ISSUERS = ["Omnivox", "GitHub", "Google", "Cégep", "Amazon Web Services", "Proton", "Deno"]
NAMES = ["2412345", "marie@example.com", "jean.tremblay", "alice", "bob@omnivox.ca"]


def b32(rng, n_bytes):
    return base64.b32encode(rng.bytes(n_bytes)).decode().rstrip("=")


def otpauth(rng):
    issuer = ISSUERS[rng.integers(len(ISSUERS))]
    name = NAMES[rng.integers(len(NAMES))]
    label = f"{issuer}:{name}".replace(" ", "%20").replace("é", "%C3%A9").replace("@", "%40")
    kind = "totp" if rng.random() < 0.85 else "hotp"
    uri = f"otpauth://{kind}/{label}?secret={b32(rng, int(rng.choice([10, 20, 32])))}"
    uri += f"&issuer={issuer.replace(' ', '%20').replace('é', '%C3%A9')}"
    if kind == "hotp":
        uri += f"&counter={rng.integers(0, 1000)}"
    if rng.random() < 0.3:
        uri += "&algorithm=SHA256&digits=8&period=30"
    return uri


def migration(rng):
    # The shape of Google Authenticator's export: base64 of a protobuf batch of ~5-10 accounts.
    data = base64.b64encode(rng.bytes(int(rng.integers(250, 600)))).decode()
    return "otpauth-migration://offline?data=" + data.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def modules(text, level="M"):
    """The code's modules (True = dark) with a 4-module quiet zone, drawn by qrencode."""
    return grid.code(text, level, margin=4)


def background(rng, w, h, mean=150.0):
    """A camera scene: smooth shading, a few soft shapes, sensor grain."""
    small = rng.normal(mean, 35, (max(h // 64, 2), max(w // 64, 2))).astype(np.float32)
    bg = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    for _ in range(int(rng.integers(2, 6))):
        c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.circle(bg, c, int(rng.integers(20, h // 3)), float(rng.uniform(40, 230)), -1)
    for _ in range(int(rng.integers(1, 4))):
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.rectangle(bg, p1, p2, float(rng.uniform(40, 230)), -1)
    bg = cv2.GaussianBlur(bg, (0, 0), 3)
    return bg


def place(canvas, mods, quad, dark=20.0, light=235.0):
    """Draws the module grid into `canvas` (float32) on the quadrilateral `quad` (4x2: tl, tr,
    br, bl of the quiet-zone square), antialiased by supersampling."""
    n = mods.shape[0]
    scale = 8
    src_img = np.where(np.kron(mods, np.ones((scale, scale), bool)), dark, light).astype(np.float32)
    side = n * scale
    src = np.float32([[0, 0], [side, 0], [side, side], [0, side]])
    m = cv2.getPerspectiveTransform(src, np.float32(quad))
    h, w = canvas.shape
    warped = cv2.warpPerspective(src_img, m, (w, h), flags=cv2.INTER_AREA, borderValue=0)
    mask = cv2.warpPerspective(np.ones((side, side), np.float32), m, (w, h), flags=cv2.INTER_LINEAR)
    canvas[:] = canvas * (1 - mask) + warped * mask


def square_quad(cx, cy, size, angle_deg=0.0, tilt=0.0, rng=None):
    """A square of `size` around (cx, cy), rotated, with perspective tilt (0 = none)."""
    a = np.deg2rad(angle_deg)
    r = size / 2
    pts = np.array([[-r, -r], [r, -r], [r, r], [-r, r]], np.float32)
    if tilt and rng is not None:
        # Shrink one side: a plane seen at an angle.
        side = int(rng.integers(4))
        k = 1 - tilt
        for i in (side, (side + 1) % 4):
            pts[i] *= k
        pts += rng.normal(0, size * tilt * 0.05, pts.shape).astype(np.float32)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    return pts @ rot.T + np.float32([cx, cy])


def frame_size(rng):
    return (1280, 720) if rng.random() < 0.5 else (1920, 1080)


def jpeg(img, quality):
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


def finish_camera(img, rng, noise=3.0):
    img = img + rng.normal(0, noise, img.shape).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    return jpeg(out, rng.integers(70, 92))  # phones compress frames on the way


def camera(rng, category, payloads):
    w, h = frame_size(rng)
    img = background(rng, w, h)
    mods = [modules(p) for p in payloads]
    n = mods[0].shape[0]
    size = float(rng.uniform(0.35, 0.6) * h)
    angle = float(rng.uniform(-12, 12))
    tilt = float(rng.uniform(0.0, 0.12))
    dark, light = 20.0, 235.0
    if category == "perspective":
        tilt = float(rng.uniform(0.25, 0.4))
    elif category == "rotation":
        angle = float(rng.uniform(0, 360))
    elif category == "small":
        size = float(n * rng.uniform(2.4, 3.4))
    elif category == "large":
        size = float(rng.uniform(0.9, 1.15) * h)
        angle = float(rng.uniform(-4, 4))
        tilt = float(rng.uniform(0.0, 0.05))
    elif category == "low_contrast":
        mid = rng.uniform(110, 170)
        spread = rng.uniform(25, 40)
        dark, light = mid - spread / 2, mid + spread / 2
    elif category == "inverted":
        dark, light = 230.0, 35.0
        img *= 0.4
    if category == "multi":
        k = len(payloads)
        size = min(size, 0.9 * w / k, 0.8 * h)
        for i, m in enumerate(mods):
            cx = (i + 0.5) * w / k + rng.uniform(-0.03, 0.03) * w
            cy = h / 2 + rng.uniform(-0.1, 0.1) * h
            place(img, m, square_quad(cx, cy, size * 0.95, angle, tilt, rng), dark, light)
    else:
        cx = w / 2 + rng.uniform(-0.2, 0.2) * (w - size)
        cy = h / 2 + rng.uniform(-0.2, 0.2) * (h - size)
        if category == "large":
            cx, cy = w / 2, h / 2
        place(img, mods[0], square_quad(cx, cy, size, angle, tilt, rng), dark, light)

    noise = 3.0
    if category == "blur":
        img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(1.5, 2.5) * size / n / 5))
    elif category == "motion":
        length = int(max(3, rng.uniform(0.5, 0.9) * size / n))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        kernel /= kernel.sum()
        img = cv2.filter2D(img, -1, kernel)
    elif category == "lowlight":
        img = img * float(rng.uniform(0.2, 0.35))
        noise = float(rng.uniform(5, 9))
    elif category == "glare":
        gx, gy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = float(rng.uniform(0.1, 0.2) * h)
        glow = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * r * r)) * float(rng.uniform(120, 200))
        img = img + glow
    elif category != "large":
        img = cv2.GaussianBlur(img, (0, 0), 0.7)
    return finish_camera(img, rng, noise)


def steep(rng, payload):
    """A photo of a printed code seen close, 45-70 degrees from straight on: the page tilted about
    a random axis, the camera 1.1-2 code widths away, the picture turned any way."""
    w, h = 640, 480
    img = background(rng, w, h)
    tilt, axis = np.deg2rad(rng.uniform(45, 70)), rng.uniform(0, np.pi)
    distance = rng.uniform(1.1, 2.0)
    # The code's corners on a unit square, rotated about the axis (Rodrigues), then projected.
    a = np.array([np.cos(axis), np.sin(axis), 0.0])
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    r = np.eye(3) + np.sin(tilt) * k + (1 - np.cos(tilt)) * k @ k
    corners = np.array([[-0.5, -0.5, 0], [0.5, -0.5, 0], [0.5, 0.5, 0], [-0.5, 0.5, 0]]) @ r.T
    corners[:, 2] += distance
    quad = corners[:, :2] / corners[:, 2:3]
    spin = rng.uniform(0, 2 * np.pi)
    quad = quad @ np.array([[np.cos(spin), np.sin(spin)], [-np.sin(spin), np.cos(spin)]])
    lo, hi = quad.min(0), quad.max(0)
    scale = rng.uniform(0.7, 0.95) * min(w / (hi - lo)[0], h / (hi - lo)[1])
    quad = (quad - (lo + hi) / 2) * scale + [w / 2, h / 2]
    place(img, modules(payload), quad.astype(np.float32))
    img = cv2.GaussianBlur(img, (0, 0), 0.7)
    return finish_camera(img, rng)


def screenshot(rng, category, payload):
    """A phone or desktop screenshot of a portal page: flat colours, text-like clutter."""
    w, h = ((1080, 2340) if rng.random() < 0.5 else (1920, 1080))
    dark_mode = category == "screenshot_dark"
    page, ink = (18.0, 225.0) if dark_mode else (250.0, 30.0)
    img = np.full((h, w), page, np.float32)
    for _ in range(int(rng.integers(10, 30))):  # lines of "text"
        x, y = int(rng.integers(0, w - 200)), int(rng.integers(0, h - 20))
        cv2.rectangle(img, (x, y), (x + int(rng.integers(50, 600)), y + int(rng.integers(6, 14))), ink, -1)
    mods = modules(payload)
    n = mods.shape[0]
    if category == "screenshot_small":
        px = int(rng.integers(2, 4))
    else:
        px = int(rng.integers(4, 11))
    px = max(1, min(px, (min(w, h) - 1) // n))  # a large code (a dense export) must still fit
    code = np.where(np.kron(mods, np.ones((px, px), bool)), ink, page).astype(np.float32)
    side = n * px
    x, y = int(rng.integers(0, w - side)), int(rng.integers(0, h - side))
    img[y : y + side, x : x + side] = code
    img = np.clip(img, 0, 255).astype(np.uint8)
    return img


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-category", type=int, default=20)
    ap.add_argument("--no-code", type=int, default=None, help="no-code frames (default: per-category)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", metavar="CATEGORY", action="append", help="make only this category (repeatable)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for ci, category in enumerate(CATEGORIES + [NO_CODE] + LATER):
        if args.only and category not in args.only:
            continue
        count = args.per_category if category != NO_CODE else (args.no_code if args.no_code is not None else args.per_category)
        for i in range(count):
            rng = np.random.default_rng([args.seed, ci, i])
            ext = "png"
            kind = "frame"
            if category == NO_CODE:
                w, h = (1280, 720) if i % 2 == 0 else (1920, 1080)
                payloads = []
                img = finish_camera(background(rng, w, h), rng)
            elif category.startswith("screenshot"):
                payloads = [otpauth(rng)]
                img = screenshot(rng, category, payloads[0])
                kind = "screenshot"
                if category == "screenshot_jpeg":
                    ext = "jpg"
            elif category == "multi_grid":
                img, payloads, ext, layout = grid.screenshot(rng)
                kind = "screenshot"
            elif category == "steep":
                payloads = [otpauth(rng)]
                img, kind = steep(rng, payloads[0]), "photo"
            elif category == "dense":
                payloads = [migration(rng)]
                if i % 2 == 0:
                    img, kind = screenshot(rng, "screenshot_light", payloads[0]), "screenshot"
                else:
                    img = camera(rng, "nominal", payloads)
            else:
                payloads = [otpauth(rng) for _ in range(int(rng.integers(2, 4)) if category == "multi" else 1)]
                img = camera(rng, category, payloads)
            name = f"{category}-{i:03d}.{ext}"
            path = os.path.join(args.out, name)
            if ext == "jpg" and category == "multi_grid":
                cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(55, 90))])
            elif ext == "jpg":
                cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 45))])
            else:
                cv2.imwrite(path, img)
            entry = {"file": name, "category": category, "kind": kind, "width": int(img.shape[1]), "height": int(img.shape[0]), "payloads": payloads}
            if category == "multi_grid":
                entry["layout"] = layout  # grid, sizes (side by side) or export
            manifest.append(entry)
    with open(os.path.join(args.out, "manifest.jsonl"), "w") as f:
        for entry in manifest:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"corpus: {len(manifest)} images in {args.out}")


if __name__ == "__main__":
    main()
