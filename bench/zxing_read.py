#!/usr/bin/env python3
"""zxing-cpp (PyPI `zxing-cpp`) on one image: prints how many QR codes it
reads (never their text). bench/qr.sh times this whole process, Python's
start and imports included; `-q` prints nothing (for hyperfine)."""

import sys

import cv2
import zxingcpp

quiet = sys.argv[1] == "-q"
img = cv2.imread(sys.argv[-1], cv2.IMREAD_GRAYSCALE)
found = [] if img is None else zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
if not quiet:
    print(len(found))
