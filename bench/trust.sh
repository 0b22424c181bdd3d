#!/usr/bin/env bash
# Before and after the vault, backups and syncs were authenticated: the commands whose path the
# tags and checks touch, on a 1,000-account vault synced with a bare git
# remote on local disk, with 30 backups in the backup folder.
#
#   otp code HOTP       an HOTP code: the counter moves, the vault is saved
#                       and sync commits it (auto-commit)
#   otp sync (nothing)  fetch, nothing new on either side
#   otp sync (pull)     fetch one new version another machine pushed
#                       (its HOTP code), check it, take it
#   otp backup          with 30 backups in the folder (retention)
#
# Each binary gets its own world (an otp from before authentication writes
# untagged vaults), built the same way.
#
# Usage: bench/trust.sh [otp] [base-otp]   (default target/release/otp)
#        RUNS=N runs per command (default 10)
# Needs: hyperfine, python3, git.
set -euo pipefail
cd "$(dirname "$0")/.."

OTP=$(realpath "${1:-target/release/otp}")
BASE=${2:+$(realpath "$2")}
RUNS=${RUNS:-10}
for tool in hyperfine python3 git; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
unset OTP_CONFIG OTP_PASSPHRASE OTP_PASSPHRASE_FILE OTP_VAULT DISPLAY WAYLAND_DISPLAY
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com \
  GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

python3 - > "$WORK/uris.txt" <<'EOF'
import base64, os
print("otpauth://hotp/hotp:counter%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=hotp&counter=0")
for i in range(2, 1001):
    s = base64.b32encode(os.urandom(20)).decode().rstrip("=")
    print(f"otpauth://totp/svc{i:05d}:user{i:05d}%40example.com?secret={s}&issuer=svc{i:05d}")
EOF

# env W M: the environment of machine M (a or b) of world W.
menv() {
  echo "HOME=$WORK/$1/$2/home XDG_CONFIG_HOME=$WORK/$1/$2/config XDG_DATA_HOME=$WORK/$1/$2/data OTP_IDENTITY=$WORK/$1/key.txt"
}

setup() { # W BIN: a world of two machines sharing one key and a bare remote
  local w=$1 bin=$2 m
  for m in a b; do
    mkdir -p "$WORK/$w/$m/home" "$WORK/$w/$m/config/otp"
    printf 'min_remaining_seconds = 0\nbackup_keep = 30\nbackup_warning = false\n' \
      > "$WORK/$w/$m/config/otp/config.toml"
  done
  git init -q --bare "$WORK/$w/remote.git"
  local a b
  a=$(menv "$w" a); b=$(menv "$w" b)
  env $(echo "$a" | sed 's/ OTP_IDENTITY=[^ ]*//') "$bin" init --generate-identity "$WORK/$w/key.txt" >/dev/null 2>&1
  env $a "$bin" import "$WORK/uris.txt" >/dev/null 2>&1
  env $a "$bin" sync init "$WORK/$w/remote.git" >/dev/null 2>&1
  env $b "$bin" sync clone "$WORK/$w/remote.git" >/dev/null 2>&1
  for _ in $(seq 30); do env $a "$bin" backup >/dev/null 2>&1; done
  [ "$(env $b "$bin" list | wc -l)" = 1000 ] || { echo "setup failed for $bin" >&2; exit 1; }
}

echo "otp: $OTP ($("$OTP" --version))"
[ -n "$BASE" ] && echo "base: $BASE ($("$BASE" --version))"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo
BINS=("$OTP")
[ -n "$BASE" ] && BINS=("$BASE" "$OTP")
for i in "${!BINS[@]}"; do setup "w$i" "${BINS[$i]}"; done

run() { # name, hyperfine options, then a command template with @A@ / @B@ / @BIN@
  local name=$1 opts=$2 cmd=$3 args=() i
  for i in "${!BINS[@]}"; do
    local bin=${BINS[$i]} a b c p
    a=$(menv "w$i" a); b=$(menv "w$i" b)
    c=${cmd//@A@/env $a}; c=${c//@B@/env $b}; c=${c//@BIN@/$bin}
    p=${opts//@A@/env $a}; p=${p//@B@/env $b}; p=${p//@BIN@/$bin}; p=${p//@W@/w$i}
    if [ "$i" = $((${#BINS[@]} - 1)) ]; then args+=(-n after); else args+=(-n before); fi
    [ -n "$p" ] && args+=(--prepare "$p")
    args+=("$c")
  done
  hyperfine -N --output pipe --warmup 2 --runs "$RUNS" --export-json "$WORK/h.json" "${args[@]}" >/dev/null
  python3 - "$WORK/h.json" "$name" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
f = lambda x: f"{x['median']*1000:.1f} ms"
cells = [f(x) for x in r]
ratio = f"{r[-1]['median']/r[0]['median']:.2f}×" if len(r) == 2 else ""
print(f"| {sys.argv[2]} | " + " | ".join(cells) + (f" | {ratio} |" if ratio else " |"))
EOF
}
if [ ${#BINS[@]} = 2 ]; then
  echo "| 1,000 accounts (medians) | before | after | ratio |"
  echo "|---|---:|---:|---:|"
else
  echo "| 1,000 accounts (medians) | otp |"
  echo "|---|---:|"
fi
run "otp code (HOTP, auto-commit)" "" "@A@ @BIN@ code hotp"
run "otp sync (nothing new)" "" "@A@ @BIN@ sync"
run "otp sync (one version from the other machine)" \
  "sh -c '@B@ @BIN@ code hotp 2>/dev/null | cat >/dev/null && @B@ @BIN@ sync >/dev/null 2>&1'" "@A@ @BIN@ sync"
run "otp backup (30 in the folder)" "" "@A@ @BIN@ backup"
# The same, with the record of proven backups (vault.age.proven) removed
# before each run: what retention costs when it opens every backup.
run "otp backup (30 in the folder, no record)" \
  "rm -f $WORK/@W@/a/data/otp/vault.age.proven" "@A@ @BIN@ backup"
