#!/usr/bin/env bash
# Decode time and peak memory of otp's QR reader against `zbarimg --raw` and
# zxing-cpp (bench/zxing_read.py), on the QR fixtures and on generated
# 4000x3000 images. See bench/qr.md; the parameter sweep of hard images is
# bench/qr_sweep.py.
#
#   bench/qr.sh              # release build of the decoder, then all images
#   RUNS=3 bench/qr.sh a.png # only the given images
#
# Until `otp import IMAGE --dry-run` exists, "ours" is the qrdecode example
# (the same library call the importer makes); set OURS to another command
# taking one image argument to compare that instead.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
OUT=bench/out
mkdir -p "$OUT"
[ -f "$OUT/.gitignore" ] || echo "*" > "$OUT/.gitignore"  # generated images and JSON
for tool in hyperfine zbarimg /usr/bin/time jq; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install hyperfine zbar-tools time jq)" >&2; exit 1; }
done
python3 -c 'import cv2, zxingcpp' 2>/dev/null ||
    { echo "missing: zxing-cpp (python3 -m pip install zxing-cpp opencv-python-headless)" >&2; exit 1; }
ZX="python3 bench/zxing_read.py"

if [ -z "${OURS:-}" ]; then
    cargo build --quiet --release --example qrdecode
    OURS=target/release/examples/qrdecode
fi
GEN=${GEN:-target/release/examples/qrdecode}

if [ $# -gt 0 ]; then
    images=("$@")
else
    [ -f "$OUT/photo_12mp.jpg" ] || "$GEN" --make-photo "$OUT/photo_12mp.jpg" 16
    [ -f "$OUT/photo_12mp_small_code.jpg" ] || "$GEN" --make-photo "$OUT/photo_12mp_small_code.jpg" 5
    [ -f "$OUT/noise_12mp.png" ] || "$GEN" --make-noise "$OUT/noise_12mp.png"
    images=(tests/fixtures/qr/*.png tests/fixtures/qr/*.jpg tests/fixtures/qr/*.webp
            "$OUT/photo_12mp.jpg" "$OUT/photo_12mp_small_code.jpg" "$OUT/noise_12mp.png")
fi

# Peak resident memory in MB of one run.
peak_mb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1 / 1024}'; }
# Median wall time in ms from a hyperfine JSON export.
median_ms() { jq -r ".results[$2].median * 1000 | floor" "$1"; }

echo "| image | otp: codes | otp: median ms | otp: peak MB | zbarimg: codes | zbarimg: median ms | zbarimg: peak MB | zxing-cpp: codes | zxing-cpp: median ms | zxing-cpp: peak MB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for img in "${images[@]}"; do
    name=$(basename "$img")
    ours_codes=$("$OURS" "$img" 2>/dev/null | sed -n 's/.*: \([0-9]*\) payload.*/\1/p' || true)
    zbar_codes=$(zbarimg -q --raw "$img" 2>/dev/null | grep -c . || true)
    zx_codes=$($ZX "$img" 2>/dev/null || true)
    json="$OUT/${name}.json"
    hyperfine --style none --warmup 1 --runs "$RUNS" -i --export-json "$json" \
        "$OURS '$img'" "zbarimg -q --raw '$img'" "$ZX -q '$img'" >/dev/null 2>&1
    echo "| $name | ${ours_codes:-0} | $(median_ms "$json" 0) | $(peak_mb "$OURS" "$img") |" \
         "${zbar_codes:-0} | $(median_ms "$json" 1) | $(peak_mb zbarimg -q --raw "$img") |" \
         "${zx_codes:-0} | $(median_ms "$json" 2) | $(peak_mb $ZX -q "$img") |"
done
