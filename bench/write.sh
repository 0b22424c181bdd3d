#!/usr/bin/env bash
# Instructions executed (`valgrind --tool=callgrind`, median of RUNS)
# of the commands that read and write a 1,000-account vault and its
# backups: a change (`otp rename`), a command that changes nothing (recovery
# codes already stored), `otp backup` (write, read back), `otp backup
# --verify --all`, and `otp recover --skip-existing` of that backup into the
# vault (every account already there: it reads and plans, writes nothing). Instructions do
# not depend on the load of a shared machine the way wall time does.
#
# Usage: bench/write.sh [otp] [base-otp]   (default: target/release/otp)
#        N=accounts (default 1000), RUNS=n (default 5)
# Needs: valgrind, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
OTP=$(realpath "${1:-target/release/otp}")
BASE=${2:+$(realpath "$2")}
N=${N:-1000}
RUNS=${RUNS:-5}
command -v valgrind >/dev/null || { echo "missing valgrind" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config"
unset OTP_CONFIG OTP_PASSPHRASE OTP_PASSPHRASE_FILE DISPLAY WAYLAND_DISPLAY
mkdir -p "$HOME" "$XDG_CONFIG_HOME/otp"
printf 'backup_warning = false\n' > "$XDG_CONFIG_HOME/otp/config.toml"

python3 - "$N" > "$WORK/uris.txt" <<'PY'
import base64, os, sys
for i in range(1, int(sys.argv[1]) + 1):
    s = base64.b32encode(os.urandom(20)).decode().rstrip("=")
    print(f"otpauth://totp/svc{i:05d}:user{i:05d}%40example.com?secret={s}&issuer=svc{i:05d}")
PY

instructions() { # command... (stdin from $IN) -> instructions executed
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" <"${IN:-/dev/null}" 2>&1 >/dev/null |
    awk '/Collected :/ {print $NF}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # otp -> table rows
  local otp=$1
  local w="$WORK/run-$RANDOM"
  mkdir -p "$w/backups"
  export OTP_VAULT="$w/vault.age"
  "$otp" init --generate-identity "$w/key.txt" >/dev/null 2>&1
  export OTP_IDENTITY="$w/key.txt"
  "$otp" import "$WORK/uris.txt" >/dev/null 2>&1
  printf 'AAAA 1111\n' | "$otp" recovery-codes add svc00001 >/dev/null 2>&1
  "$otp" backup --dir "$w/backups" >/dev/null 2>&1
  local b; b=$(ls "$w/backups"/*.age | head -1)
  row() { # name command... ("@I@" in an argument: the run's number)
    local name=$1; shift
    local v; v=$(for i in $(seq "$RUNS"); do instructions "${@//@I@/$i}"; done | median)
    echo "$name|$v"
  }
  row "rename (a change)" "$otp" rename svc00002 renamed@I@
  printf 'AAAA 1111\n' > "$w/code.txt"
  IN="$w/code.txt" row "recovery-codes add, already stored (no change)" "$otp" recovery-codes add svc00001
  row "backup (write + read back)" "$otp" backup --dir "$w/backups"
  row "backup --verify --all" "$otp" backup --verify --all --dir "$w/backups"
  row "recover BACKUP --skip-existing (all present)" "$otp" recover "$b" --skip-existing
}

echo "otp: $OTP ($("$OTP" --version)), $N accounts, median of $RUNS runs"
measure "$OTP" > "$WORK/after"
if [ -n "$BASE" ]; then
  measure "$BASE" > "$WORK/before"
  echo "| command | before | after | change |"
  echo "|---|---:|---:|---:|"
  paste -d'|' "$WORK/before" "$WORK/after" | awk -F'|' '{printf "| %s | %.2f M | %.2f M | %+.0f %% |\n", $1, $2/1e6, $4/1e6, ($4-$2)*100/$2}'
else
  echo "| command | instructions |"
  echo "|---|---:|"
  awk -F'|' '{printf "| %s | %.2f M |\n", $1, $2/1e6}' "$WORK/after"
fi
