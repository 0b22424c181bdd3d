#!/usr/bin/env python3
"""Parameter sweeps of QR images, and how many codes each decoder reads.

    python3 -m pip install qrcode pillow numpy opencv-python-headless zxing-cpp
    bench/qr_sweep.py make            # writes bench/out/sweep/*.{png,jpg} + manifest.tsv
    bench/qr_sweep.py eval            # otp (qrdecode), zxing-cpp, zbarimg on every image
    OURS=path/to/qrdecode bench/qr_sweep.py eval      # another build of ours
    BEFORE=path/to/old/qrdecode bench/qr_sweep.py eval  # and the build before, image by image
    SETS=random,grid bench/qr_sweep.py eval           # only some sets

Sets (every image seeded: the same images on every run):

- classic: two codes, a one-account otpauth:// link (6 px modules) and a
  dense Google Authenticator export (10 accounts, 4 px modules); every
  single distortion over a range (perspective, Gaussian blur, sensor
  noise, JPEG quality, inverted polarity) and the cross product of
  moderate levels of all five (32 phone-photo-like images each).
- random: phone-photo-like frames drawn at random (seed = image number):
  canvas 1, 2, 4, 8 or 12 MP (4:3), module size 3-8 px, any rotation,
  perspective 0-40 %, uneven light, Gaussian blur 0-2 px, sensor noise
  0-20, JPEG quality 25-95 or PNG, dark-on-light or inverted.
- blank: 12 MP frames without a code (sensor noise, a smooth gradient
  with noise): the time to give up.
- grid: 2, 4, 6, 9, 12, 16 and 20 one-account codes (6 px modules) side by
  side, as ImageMagick's `montage -geometry +0+0` lays them out.
- page: an A4 page of 6 and of 12 codes laid out in HTML, printed to PDF by
  Chromium and rasterised by pdftoppm at 150 and 300 dpi (skipped when
  chromium or pdftoppm is missing).

"Read" counts the payloads a decoder returned that are exactly ones
encoded (otp reports only a SHA-256 prefix of each payload, never the
payload). Times are per image: otp's `qrdecode` prints its own time from
the file's bytes to the result (image decoding included) and runs as a
process per image; zxing-cpp runs in this process, cv2.imread (the file
read and decoded) plus read_barcodes; zbarimg as a process per image (its
whole run). The two in-process times are the ones to compare; they are
taken one after the other on the same image, REPEAT times (3 unless set)
on 12 MP frames, and the median kept. Results: bench/qr.md.
"""

import base64
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


def one_account(i, prefix="sweep"):
    secret = base64.b32encode(hashlib.sha1(f"{prefix}-{i}".encode()).digest()[:10]).decode().rstrip("=")
    return f"otpauth://totp/Service{i}:user{i}@example.com?secret={secret}&issuer=Service{i}"


def save(img, name, q):
    path = OUT / name
    if q:
        cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, int(q)])
    else:
        cv2.imwrite(str(path), img)


def random_frame(i):
    """A phone-photo-like frame: parameters drawn with seed i."""
    rng = np.random.default_rng(10_000 + i)
    mp = [1, 2, 4, 8, 12][i % 5]
    W = int(round((mp * 1e6 * 4 / 3) ** 0.5))
    H = int(round(W * 3 / 4))
    px = int(rng.integers(3, 9))
    payload = one_account(i)
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4)
    q.add_data(payload)
    q.make(fit=True)
    m = np.array(q.get_matrix(), dtype=bool)
    code = np.kron(np.where(m, 25, 230).astype(np.uint8), np.ones((px, px), np.uint8))
    n = code.shape[0]
    rot = float(rng.uniform(0, 360))
    persp = float(rng.choice([0, rng.uniform(0.05, 0.4)], p=[0.3, 0.7]))
    blur = float(rng.choice([0, rng.uniform(0.5, 2.0)], p=[0.3, 0.7]))
    noise = float(rng.uniform(0, 20))
    jpeg = [0, 95, 80, 60, 40, 25][int(rng.integers(0, 6))]
    invert = bool(rng.random() < 0.25)
    # Where the code lands: its corners, the top edge shortened by persp,
    # turned by rot, somewhere inside the frame.
    half = n / 2
    corners = np.float32([[-half * (1 - persp), -half], [half * (1 - persp), -half], [half, half], [-half, half]])
    a = np.deg2rad(rot)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    quad = corners @ R.T
    span = np.abs(quad).max() + 2
    cx = float(rng.uniform(span, W - span)) if W > 2 * span else W / 2
    cy = float(rng.uniform(span, H - span)) if H > 2 * span else H / 2
    dst = (quad + np.float32([cx, cy])).astype(np.float32)
    src = np.float32([[0, 0], [n, 0], [n, n], [0, n]])
    M = cv2.getPerspectiveTransform(src, dst)
    # Uneven light on a grey desk, the code on paper.
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    light = 0.75 + 0.25 * np.cos((xx / W - float(rng.uniform(0, 1))) * 2.5) * np.cos((yy / H - float(rng.uniform(0, 1))) * 2.0)
    canvas = np.full((H, W), 140, np.uint8)
    cv2.warpPerspective(code, M, (W, H), dst=canvas, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
    img = canvas.astype(np.float32) * light
    if invert:
        img = 255 - img
    if blur:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    img = img + rng.normal(0, noise, img.shape).astype(np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)
    case = f"{mp}MP-m{px}-r{rot:.0f}-p{persp:.2f}-b{blur:.1f}-n{noise:.0f}-q{jpeg}-i{int(invert)}"
    name = f"random_{i:03d}_{case}." + ("jpg" if jpeg else "png")
    save(img, name, jpeg)
    return (name, "random", case, short_sha(payload), str(mp))


def blank_frames():
    rows = []
    rng = np.random.default_rng(99)
    noise = rng.integers(0, 256, (3000, 4000), dtype=np.uint8)
    save(noise, "blank_noise_12MP.png", 0)
    rows.append(("blank_noise_12MP.png", "blank", "uniform noise", "", "12"))
    yy, xx = np.mgrid[0:3000, 0:4000].astype(np.float32)
    smooth = 90 + 80 * np.sin(xx / 700) * np.cos(yy / 500) + rng.normal(0, 12, (3000, 4000))
    save(np.clip(smooth, 0, 255).astype(np.uint8), "blank_gradient_12MP.jpg", 80)
    rows.append(("blank_gradient_12MP.jpg", "blank", "gradient, noise 12, JPEG 80", "", "12"))
    return rows


def code_matrix(payload, px):
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4)
    q.add_data(payload)
    q.make(fit=True)
    m = np.array(q.get_matrix(), dtype=bool)
    return np.kron(np.where(m, 0, 255).astype(np.uint8), np.ones((px, px), np.uint8))


def grids():
    rows = []
    for n in [2, 4, 6, 9, 12, 16, 20]:
        cols = {2: 2, 4: 2, 6: 3, 9: 3, 12: 4, 16: 4, 20: 5}[n]
        payloads = [one_account(k, f"grid{n}") for k in range(n)]
        codes = [code_matrix(p, 6) for p in payloads]
        cell = max(c.shape[0] for c in codes)
        r = (n + cols - 1) // cols
        page = np.full((cell * r, cell * cols), 255, np.uint8)
        for k, c in enumerate(codes):
            y, x = (k // cols) * cell, (k % cols) * cell
            page[y : y + c.shape[0], x : x + c.shape[1]] = c
        name = f"grid_{n:02d}.png"
        save(page, name, 0)
        rows.append((name, "grid", f"{n} codes", ",".join(short_sha(p) for p in payloads), f"{page.size / 1e6:.1f}"))
    return rows


def pages():
    import shutil
    import tempfile

    if not shutil.which("chromium") or not shutil.which("pdftoppm"):
        print("chromium or pdftoppm missing: no printed pages")
        return []
    rows = []
    for n in [6, 12]:
        payloads = [one_account(k, f"page{n}") for k in range(n)]
        with tempfile.TemporaryDirectory() as d:
            html = "<!doctype html><html><body style='font-family:sans-serif'><h1>Emergency sheet</h1>"
            for k, p in enumerate(payloads):
                cv2.imwrite(f"{d}/c{k}.png", code_matrix(p, 8))
                width = "6cm" if n == 6 else "4.2cm"
                html += f"<div style='display:inline-block;margin:8px;text-align:center'><img src='c{k}.png' style='width:{width}'><br>Service{k}</div>"
            open(f"{d}/page.html", "w").write(html + "</body></html>")
            subprocess.run(
                ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                 f"--user-data-dir={d}/profile", f"--print-to-pdf={d}/page.pdf", f"file://{d}/page.html"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            for dpi in [150, 300]:
                subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", f"{d}/page.pdf", f"{d}/out"], check=True)
                name = f"page_{n:02d}_{dpi}dpi.png"
                shutil.copy(f"{d}/out.png", OUT / name)
                h, w = cv2.imread(str(OUT / name), cv2.IMREAD_GRAYSCALE).shape
                rows.append((name, "page", f"{n} codes, {dpi} dpi", ",".join(short_sha(p) for p in payloads), f"{w * h / 1e6:.1f}"))
    return rows


RANDOM = int(os.environ.get("RANDOM_IMAGES", "100"))


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
            save(img, name, q)
            h, w = img.shape
            rows.append((name, f"classic-{code_name}", case, short_sha(payload), f"{w * h / 1e6:.1f}"))
    rows += [random_frame(i) for i in range(RANDOM)]
    rows += blank_frames()
    rows += grids()
    rows += pages()
    with open(OUT / "manifest.tsv", "w") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"{len(rows)} images in {OUT}")


def run_ours(binary, path):
    """Payload hashes and otp's own time (ms) for one image."""
    out = subprocess.run([binary, "--hash", str(path)], capture_output=True, text=True).stdout
    line = out.strip().splitlines()[-1] if out.strip() else ""
    _, _, rest = line.partition(": ")
    ms = float("nan")
    hashes = set()
    if "payload(s) in" in rest:
        head, _, tail = rest.partition(" ms")
        ms = float(head.rsplit(" ", 1)[1])
        hashes = {h for h in tail.strip().split(",") if h}
    elif "(" in rest:
        ms = float(rest.rsplit("(", 1)[1].split(" ms")[0])
    return hashes, ms


def run_zxing(path):
    import zxingcpp

    start = time.perf_counter()
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    ms = (time.perf_counter() - start) * 1000
    return {short_sha(b.text) for b in found}, ms


def run_zbar(path):
    start = time.perf_counter()
    r = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
    ms = (time.perf_counter() - start) * 1000
    return {short_sha(t) for t in r.stdout.splitlines() if t}, ms


def median(v):
    v = sorted(x for x in v if x == x)
    return v[len(v) // 2] if v else float("nan")


def evaluate():
    rows = [l.rstrip("\n").split("\t") for l in open(OUT / "manifest.tsv")]
    sets = os.environ.get("SETS")
    if sets:
        rows = [r for r in rows if any(r[1].startswith(s) for s in sets.split(","))]
    ours = os.environ.get("OURS", str(ROOT / "target" / "release" / "examples" / "qrdecode"))
    before = os.environ.get("BEFORE")
    repeat = int(os.environ.get("REPEAT", "3"))
    tools = [("otp", lambda p: run_ours(ours, p))]
    if before:
        tools.insert(0, ("otp before", lambda p: run_ours(before, p)))
    tools += [("zxing-cpp", run_zxing), ("zbarimg", run_zbar)]
    names = [t[0] for t in tools]
    res = {}  # name -> image -> (codes read, ms)
    for r in rows:
        path = OUT / r[0]
        want = {h for h in r[3].split(",") if h}
        n = repeat if float(r[4]) >= 11 else 1
        for name, fn in tools:
            times = []
            got = set()
            for _ in range(1 if name == "zbarimg" else n):
                got, ms = fn(path)
                times.append(ms)
            res.setdefault(name, {})[r[0]] = (len(got & want), median(times))
        print(r[0], " ".join(f"{nm}={res[nm][r[0]][0]}/{len(want)} {res[nm][r[0]][1]:.0f}ms" for nm in names), file=sys.stderr, flush=True)
    want_n = {r[0]: len([h for h in r[3].split(",") if h]) for r in rows}

    print("## Per set: codes read (of codes encoded), and median ms per image\n")
    print("| set | images | codes | " + " | ".join(f"{n}: read" for n in names) + " | " + " | ".join(f"{n}: median ms" for n in names) + " |")
    print("|---|---|---|" + "---|" * (2 * len(names)))
    groups = []
    for r in rows:
        key = r[1] if r[1] != "random" else f"random {r[4]} MP"
        if key not in groups:
            groups.append(key)
    for g in groups:
        sel = [r for r in rows if (r[1] if r[1] != "random" else f"random {r[4]} MP") == g]
        total = sum(want_n[r[0]] for r in sel)
        reads = [sum(res[n][r[0]][0] for r in sel) for n in names]
        meds = [median([res[n][r[0]][1] for r in sel]) for n in names]
        print(f"| {g} | {len(sel)} | {total} | " + " | ".join(str(x) for x in reads) + " | " + " | ".join(f"{m:.0f}" for m in meds) + " |")
    tot = sum(want_n.values())
    print(f"| **all** | {len(rows)} | {tot} | " + " | ".join(f"**{sum(res[n][r[0]][0] for r in rows)}**" for n in names) + " | |" + " |" * (len(names) - 1))

    print("\n## Images where otp reads fewer codes than another decoder (or than before)\n")
    print("| image | codes | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for r in rows:
        best = max(res[n][r[0]][0] for n in names if n != "otp")
        if res["otp"][r[0]][0] < best:
            print(f"| {r[0]} | {want_n[r[0]]} | " + " | ".join(str(res[n][r[0]][0]) for n in names) + " |")

    print("\n## Multi-code images and 12 MP frames, image by image (codes read, ms)\n")
    print("| image | codes | " + " | ".join(names) + " | otp / zxing-cpp time |")
    print("|---|---|" + "---|" * len(names) + "---|")
    ratios = []
    for r in rows:
        if r[1] in ("grid", "page") or float(r[4]) >= 11:
            ratio = res["otp"][r[0]][1] / max(res["zxing-cpp"][r[0]][1], 0.1)
            if float(r[4]) >= 11:
                ratios.append(ratio)
            print(f"| {r[0]} | {want_n[r[0]]} | " + " | ".join(f"{res[n][r[0]][0]}, {res[n][r[0]][1]:.0f}" for n in names) + f" | {ratio:.1f}× |")
    if ratios:
        print(f"\n12 MP frames: otp / zxing-cpp time, median {median(ratios):.1f}×, worst {max(ratios):.1f}×, best {min(ratios):.1f}× ({len(ratios)} frames)")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "make":
        make()
    elif cmd == "eval":
        evaluate()
    else:
        print(__doc__)
        sys.exit(2)
