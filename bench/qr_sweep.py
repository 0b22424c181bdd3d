#!/usr/bin/env python3
"""A parameter sweep of hard QR images, and how many each decoder reads.

    python3 -m pip install qrcode pillow numpy opencv-python-headless zxing-cpp
    bench/qr_sweep.py make            # writes bench/out/sweep/*.{png,jpg} + manifest.tsv
    bench/qr_sweep.py eval            # otp (qrdecode), zxing-cpp, zbarimg on every image
    OURS=path/to/qrdecode bench/qr_sweep.py eval   # another build of ours

Two codes: a one-account otpauth:// link (6 px modules) and a dense Google
Authenticator export (10 accounts, 4 px modules). For each, every single
distortion over a range (perspective, Gaussian blur, sensor noise, JPEG
quality, inverted polarity), and the full cross product of moderate levels
of all five (a phone photo of a screen: 2 x 2 x 2 x 2 x 2 = 32 images).
Everything is seeded: the same images on every run.

"Read" means the decoder returned the exact payload that was encoded (otp
reports only a SHA-256 prefix of each payload, never the payload). zbarimg
runs as a process per image (as a user would run it); zxing-cpp runs in this
process, image loading included; otp's qrdecode gets all images in one
process. Results: bench/qr.md.
"""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import qrcode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "sweep"

ONE = "otpauth://totp/ACME%20Co:john.doe@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co"


def migration_export():
    """A 10-account otpauth-migration link, built by hand (protobuf)."""
    import base64

    def field(num, wire, payload):
        key = bytes([(num << 3) | wire])
        if wire == 0:
            return key + varint(payload)
        return key + varint(len(payload)) + payload

    def varint(n):
        out = b""
        while True:
            b = n & 0x7F
            n >>= 7
            if n:
                out += bytes([b | 0x80])
            else:
                return out + bytes([b])

    body = b""
    for i in range(10):
        secret = hashlib.sha1(f"sweep-{i}".encode()).digest()
        params = (
            field(1, 2, secret)
            + field(2, 2, f"Example Corp:someone{i}@example.com".encode())
            + field(3, 2, b"Example Corp")
            + field(4, 0, 1)  # SHA1
            + field(5, 0, 1)  # 6 digits
            + field(6, 0, 2)  # TOTP
        )
        body += field(1, 2, params)
    body += field(2, 0, 1) + field(3, 0, 1) + field(4, 0, 0) + field(5, 0, 123456)
    data = base64.b64encode(body).decode()
    from urllib.parse import quote

    return "otpauth-migration://offline?data=" + quote(data, safe="")


CODES = {
    # name: (payload, pixels per module, error correction)
    "one": (ONE, 6, qrcode.constants.ERROR_CORRECT_M),
    "export": (migration_export(), 4, qrcode.constants.ERROR_CORRECT_L),
}

SINGLE = [
    ("perspective", [0.25, 0.4, 0.55]),
    ("blur", [1.5, 2.5, 3.5]),
    ("noise", [20, 40, 60]),
    ("jpeg", [30, 15, 8]),
    ("invert", [1]),
]
COMBO = {
    "perspective": [0.15, 0.3],
    "blur": [1.0, 1.8],
    "noise": [8, 16],
    "jpeg": [60, 30],
    "invert": [0, 1],
}


def short_sha(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def render(payload, px, ec):
    q = qrcode.QRCode(error_correction=ec, box_size=1, border=4)
    q.add_data(payload)
    q.make(fit=True)
    m = np.array(q.get_matrix(), dtype=bool)
    img = np.where(m, 20, 235).astype(np.uint8)  # a screen's black and white
    return np.kron(img, np.ones((px, px), dtype=np.uint8))


def distort(code, p, seed):
    """The code on a larger background, then the distortions in p."""
    rng = np.random.default_rng(seed)
    h, w = code.shape
    pad = w // 3
    img = np.full((h + 2 * pad, w + 2 * pad), 235, np.uint8)
    img[pad : pad + h, pad : pad + w] = code
    if p.get("invert"):
        img = 255 - img
    t = p.get("perspective", 0)
    if t:
        H, W = img.shape
        src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
        k = t * W / 2
        # Top edge shorter (the camera below the screen), a slight turn.
        dst = np.float32([[k, t * H * 0.2], [W - k * 0.6, 0], [W, H], [0, H - t * H * 0.1]])
        M = cv2.getPerspectiveTransform(src, dst)
        border = int(img[0, 0])
        img = cv2.warpPerspective(img, M, (W, H), flags=cv2.INTER_LINEAR, borderValue=border)
    s = p.get("blur", 0)
    if s:
        img = cv2.GaussianBlur(img, (0, 0), s)
    n = p.get("noise", 0)
    if n:
        img = np.clip(img.astype(np.float32) + rng.normal(0, n, img.shape), 0, 255).astype(np.uint8)
    return img


def cases():
    """(case name, parameters) for the single sweeps and the cross product."""
    out = []
    for key, values in SINGLE:
        for v in values:
            out.append((f"{key}-{v}", {key: v}))
    keys = list(COMBO)
    import itertools

    for combo in itertools.product(*(COMBO[k] for k in keys)):
        p = dict(zip(keys, combo))
        name = "photo-p{perspective}-b{blur}-n{noise}-q{jpeg}-i{invert}".format(**p)
        out.append((name, p))
    return out


def make():
    OUT.mkdir(parents=True, exist_ok=True)
    gi = OUT.parent / ".gitignore"
    if not gi.exists():
        gi.write_text("*\n")
    rows = []
    for code_name, (payload, px, ec) in CODES.items():
        code = render(payload, px, ec)
        for i, (case, p) in enumerate(cases()):
            img = distort(code, p, seed=1000 * len(code_name) + i)
            q = p.get("jpeg")
            name = f"{code_name}_{case}." + ("jpg" if q else "png")
            path = OUT / name
            if q:
                cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, int(q)])
            else:
                cv2.imwrite(str(path), img)
            rows.append((name, code_name, case, short_sha(payload)))
    with open(OUT / "manifest.tsv", "w") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"{len(rows)} images in {OUT}")


def run_ours(paths):
    ours = os.environ.get("OURS", str(ROOT / "target" / "release" / "examples" / "qrdecode"))
    start = time.monotonic()
    out = subprocess.run([ours, "--hash", *map(str, paths)], capture_output=True, text=True).stdout
    total = time.monotonic() - start
    got = {}
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        tail = rest.split(" ms", 1)[1].strip() if "payload(s)" in rest else ""
        got[Path(path).name] = {h for h in tail.split(",") if h}
    return got, total


def run_zxing(paths):
    import zxingcpp

    got = {}
    start = time.monotonic()
    for p in paths:
        img = cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)
        found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
        got[p.name] = {short_sha(b.text) for b in found}
    return got, time.monotonic() - start


def run_zbar(paths):
    got = {}
    start = time.monotonic()
    for p in paths:
        r = subprocess.run(["zbarimg", "-q", "--raw", str(p)], capture_output=True, text=True)
        got[p.name] = {short_sha(t) for t in r.stdout.splitlines() if t}
    return got, time.monotonic() - start


def evaluate():
    rows = [l.rstrip("\n").split("\t") for l in open(OUT / "manifest.tsv")]
    paths = [OUT / r[0] for r in rows]
    tools = [("otp", run_ours), ("zxing-cpp", run_zxing), ("zbarimg", run_zbar)]
    results = {}
    for name, fn in tools:
        got, secs = fn(paths)
        results[name] = ({r[0]: r[3] in got.get(r[0], set()) for r in rows}, secs)
    names = [t[0] for t in tools]
    print("| code | case | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for r in rows:
        marks = ["yes" if results[n][0][r[0]] else "**no**" for n in names]
        print(f"| {r[1]} | {r[2]} | " + " | ".join(marks) + " |")
    print()
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for code in CODES:
        for group, test in (("single", lambda c: not c.startswith("photo")), ("photo", lambda c: c.startswith("photo"))):
            sel = [r for r in rows if r[1] == code and test(r[2])]
            counts = [sum(results[n][0][r[0]] for r in sel) for n in names]
            print(f"| {code}, {group} distortions | " + " | ".join(f"{c}/{len(sel)}" for c in counts) + " |")
    total = [sum(results[n][0].values()) for n in names]
    print("| all | " + " | ".join(f"**{c}/{len(rows)}**" for c in total) + " |")
    print("| wall time, s | " + " | ".join(f"{results[n][1]:.1f}" for n in names) + " |")
    either = sum(results["zxing-cpp"][0][r[0]] or results["zbarimg"][0][r[0]] for r in rows)
    missed = [r[0] for r in rows if (results["zxing-cpp"][0][r[0]] or results["zbarimg"][0][r[0]]) and not results["otp"][0][r[0]]]
    print(f"\nread by zxing-cpp or zbarimg: {either}; of those, otp misses {len(missed)}: {' '.join(missed)}")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "make":
        make()
    elif cmd == "eval":
        evaluate()
    else:
        print(__doc__)
        sys.exit(2)
