#!/usr/bin/env bash
# Whole-process time and peak memory of `otp import` (a dry run, then the
# real import into an empty identity vault) of N generated otpauth URIs,
# for N = 50,000 and 200,000 by default, and the time of `otp recover
# --dry-run` of the same list (the restore plan) into the empty vault and
# into the full one (every entry then a conflict): the numbers show whether
# import and recover grow linearly with the number of entries (earlier
# versions were quadratic: 200,000 URIs took minutes to import, and 80,000
# took 10.5 s to plan a restore).
#
# Usage: bench/import.sh [path/to/otp] [N ...]   (default: target/debug/otp)
# Needs: python3, /usr/bin/time.
# Prints one markdown table row per N.
set -euo pipefail
cd "$(dirname "$0")/.."

OTP=$(realpath "${1:-target/debug/otp}")
shift || true
SIZES=("${@:-50000 200000}")
[ -x "$OTP" ] || { echo "no otp binary at $OTP (cargo build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "| URIs | dry run | import | peak memory (import) | recover --dry-run (empty vault) | recover --dry-run (full vault) |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in ${SIZES[@]}; do
  dir="$WORK/$n"
  mkdir -p "$dir"
  python3 - "$n" "$dir/uris.txt" <<'PY'
import base64, sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n):
        secret = base64.b32encode(i.to_bytes(5, "big") + b"otp!!").decode().rstrip("=")
        f.write(f"otpauth://totp/Issuer{i % 1000}:user{i}?secret={secret}&issuer=Issuer{i % 1000}\n")
PY
  run() {
    env -i PATH="$PATH" HOME="$dir" XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" \
      OTP_VAULT="$dir/vault.age" OTP_IDENTITY="$dir/key.txt" "$@"
  }
  run "$OTP" init --generate-identity "$dir/key.txt" >/dev/null 2>&1
  run /usr/bin/time -o "$dir/dry" -f "%e" "$OTP" import --dry-run "$dir/uris.txt" >/dev/null 2>&1
  run /usr/bin/time -o "$dir/rec0" -f "%e" "$OTP" recover --dry-run "$dir/uris.txt" >/dev/null 2>&1
  run /usr/bin/time -o "$dir/real" -f "%e %M" "$OTP" import "$dir/uris.txt" >/dev/null 2>&1
  # Every entry is now a conflict: recover refuses (exit 1) after planning.
  run /usr/bin/time -o "$dir/rec1" -f "%e" "$OTP" recover --dry-run "$dir/uris.txt" >/dev/null 2>&1 || true
  read -r dry <"$dir/dry"
  read -r secs kib <"$dir/real"
  rec0=$(tail -n 1 "$dir/rec0")
  rec1=$(tail -n 1 "$dir/rec1")
  echo "| $n | ${dry} s | ${secs} s | $(( kib / 1024 )) MiB | ${rec0} s | ${rec1} s |"
  rm -rf "$dir"
done
