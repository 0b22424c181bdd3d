#!/usr/bin/env bash
# What authentication costs (docs/trust.md), with one binary: the same
# 1,000-account vault with its authentication key (every version and backup
# tagged) and without it (as an otp from before authentication wrote it:
# no tag line, no auth_key; retention then goes by file names, as before).
#
#   otp code QUERY      the everyday path (skips the tag)
#   otp backup          with 30 backups in the folder: retention now opens
#                       this vault's backups to check their tags
#   otp status          opens the newest backup of each folder
#
# Usage: bench/auth.sh [path/to/otp]   (default target/release/otp)
#        RUNS=N runs per command (default 30; `otp code` runs 10×N)
# Needs: hyperfine, python3, age. Stays under 2 minutes at the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

OTP=$(realpath "${1:-target/release/otp}")
RUNS=${RUNS:-30}
[ -x "$OTP" ] || { echo "no otp binary at $OTP (cargo build --release)" >&2; exit 1; }
for tool in hyperfine python3 age; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config"
unset OTP_CONFIG OTP_PASSPHRASE OTP_PASSPHRASE_FILE DISPLAY WAYLAND_DISPLAY
mkdir -p "$HOME" "$XDG_CONFIG_HOME/otp"
printf 'min_remaining_seconds = 0\nbackup_keep = 30\nbackup_warning = false\n' \
  > "$XDG_CONFIG_HOME/otp/config.toml"

python3 - > "$WORK/uris.txt" <<'EOF'
import base64, os
for i in range(1, 1001):
    s = "JBSWY3DPEHPK3PXP" if i == 1 else base64.b32encode(os.urandom(20)).decode().rstrip("=")
    print(f"otpauth://totp/svc{i:05d}:user{i:05d}%40example.com?secret={s}&issuer=svc{i:05d}")
EOF

KEY="$WORK/key.txt"
# keyed: as otp writes it today.
mkdir -p "$WORK/keyed" "$WORK/keyless"
OTP_VAULT="$WORK/keyed/vault.age" "$OTP" init --generate-identity "$KEY" >/dev/null 2>&1
OTP_VAULT="$WORK/keyed/vault.age" OTP_IDENTITY="$KEY" "$OTP" import "$WORK/uris.txt" >/dev/null 2>&1
# keyless: the same plaintext without the tag line and auth_key.
pub=$(grep -o 'age1[0-9a-z]*' "$KEY" | head -1)
age -d -i "$KEY" "$WORK/keyed/vault.age" | grep -v '^tag = \|^auth_key = ' \
  | age -r "$pub" -o "$WORK/keyless/vault.age"

for v in keyed keyless; do
  export XDG_DATA_HOME="$WORK/$v/data"
  for _ in $(seq 30); do
    OTP_VAULT="$WORK/$v/vault.age" OTP_IDENTITY="$KEY" "$OTP" backup >/dev/null 2>&1
  done
done
first_line() { # backup folder -> the first line of its first backup
  local f
  f=$(ls "$1" | grep -v identity | head -1)
  age -d -i "$KEY" -o "$WORK/plain.txt" "$1/$f"
  head -1 "$WORK/plain.txt"
  rm -f "$WORK/plain.txt"
}
case $(first_line "$WORK/keyed/data/otp/backups") in
  "tag = "*) ;; *) echo "keyed backups are not tagged" >&2; exit 1 ;;
esac
case $(first_line "$WORK/keyless/data/otp/backups") in
  "tag = "*) echo "keyless backups are tagged" >&2; exit 1 ;;
esac

echo "otp: $OTP ($("$OTP" --version))"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
run() { # name, then the command's arguments
  local name=$1; shift
  hyperfine -N --warmup 3 --runs "$RUNS_NOW" --export-json "$WORK/h.json" \
    -n "without auth" "env XDG_DATA_HOME=$WORK/keyless/data OTP_VAULT=$WORK/keyless/vault.age OTP_IDENTITY=$KEY $OTP $*" \
    -n "with auth" "env XDG_DATA_HOME=$WORK/keyed/data OTP_VAULT=$WORK/keyed/vault.age OTP_IDENTITY=$KEY $OTP $*" \
    >/dev/null
  python3 - "$WORK/h.json" "$name" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
f = lambda x: f"{x['median']*1000:.2f} ms"
print(f"| {sys.argv[2]} | {f(r[0])} | {f(r[1])} | {r[1]['median']/r[0]['median']:.2f}× |")
EOF
}
echo "| 1,000 accounts (medians) | without auth | with auth | ratio |"
echo "|---|---:|---:|---:|"
RUNS_NOW=$((RUNS * 10)) run "otp code" code svc00001
RUNS_NOW=$RUNS run "otp backup (30 in the folder)" backup
RUNS_NOW=$RUNS run "otp status" status
