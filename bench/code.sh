#!/usr/bin/env bash
# Whole-process timings of `otp code` (identity unlock) at 1, 1,000 and
# 10,000 accounts against `oathtool --totp -b`, peak memory, and the time of
# `otp code --copy` until the code is on an X11 clipboard (under Xvfb).
#
# Usage: bench/code.sh [path/to/otp]   (default: the binary as shipped on
#        x86_64 Linux, target/x86_64-unknown-linux-gnu/dist/otp; build it
#        first with `cargo build-static`)
#        BASE=path/to/older/otp bench/code.sh   also times another build in
#        the same runs, for a before/after that shares the machine's noise
#        (BASE=target/release/otp: the default dynamically linked build).
#        RUNS=N sets the runs per command (default 300).
# Needs: hyperfine, oathtool, python3, /usr/bin/time, readelf, Xvfb, xclip.
# Compare binaries in the same page-cache state: a binary just copied with
# `cp` starts up to 0.3 ms faster than the same file read back from disk
# or written by the linker (fewer page faults), until the cache drops it.
# So time binaries where the build left them, never fresh copies.
# Prints markdown tables (results go into bench/clipboard.md by hand).
set -euo pipefail
cd "$(dirname "$0")/.."

OTP=$(realpath "${1:-target/x86_64-unknown-linux-gnu/dist/otp}")
BASE=${BASE:+$(realpath "$BASE")}
[ -x "$OTP" ] || { echo "no otp binary at $OTP (cargo build-static)" >&2; exit 1; }
for tool in hyperfine oathtool python3 readelf Xvfb xclip; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 1; }

WORK=$(mktemp -d)
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
XVFB_PID=""
cleanup() {
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# An isolated world: nothing from the user's own otp setup leaks in.
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config"
unset OTP_CONFIG OTP_PASSPHRASE OTP_PASSPHRASE_FILE DISPLAY WAYLAND_DISPLAY
mkdir -p "$HOME" "$XDG_CONFIG_HOME/otp"
# Never wait for a fresh code (that would measure the clock); clear fast.
printf 'min_remaining_seconds = 0\nclipboard_clear_seconds = 1\n' > "$XDG_CONFIG_HOME/otp/config.toml"

SECRET=JBSWY3DPEHPK3PXP    # the account we ask for, in every vault
QUERY=svc00001             # a unique substring of its label

# N otpauth URIs with random secrets; account 1 gets $SECRET.
uris() {
  python3 - "$1" "$SECRET" <<'EOF'
import base64, os, sys
n, secret = int(sys.argv[1]), sys.argv[2]
for i in range(1, n + 1):
    s = secret if i == 1 else base64.b32encode(os.urandom(20)).decode().rstrip("=")
    print(f"otpauth://totp/svc{i:05d}:user{i:05d}%40example.com?secret={s}&issuer=svc{i:05d}")
EOF
}

make_vault() { # N -> vault path (all vaults share the identity $WORK/key.txt)
  local n=$1 vault="$WORK/vault-$1.age"
  uris "$n" > "$WORK/uris-$n.txt"
  if [ -f "$WORK/key.txt" ]; then
    OTP_VAULT="$vault" "$OTP" --identity "$WORK/key.txt" init >/dev/null 2>&1
  else
    OTP_VAULT="$vault" "$OTP" init --generate-identity "$WORK/key.txt" >/dev/null 2>&1
  fi
  OTP_VAULT="$vault" OTP_IDENTITY="$WORK/key.txt" "$OTP" import "$WORK/uris-$n.txt" >/dev/null
  # The same vault with one account in the trash: an empty trash is written
  # as `trash = []` and a full one as tables; the fast read path
  # (src/vault/index.rs) once skipped the first, so both are measured.
  cp "$vault" "$WORK/vault-$n-trash.age"
  (
    export OTP_VAULT="$WORK/vault-$n-trash.age" OTP_IDENTITY="$WORK/key.txt"
    "$OTP" add gone --issuer trashed --secret MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK >/dev/null
    "$OTP" remove trashed:gone --yes >/dev/null 2>&1
    "$OTP" trash list | grep -q trashed:gone || { echo "could not fill the trash" >&2; exit 1; }
  )
  echo "$vault"
}

peak_kib() { # command... -> peak RSS in KiB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

linkage() { # binary -> how it is linked
  if readelf -lW "$1" | grep -q INTERP; then echo "dynamically linked"; else echo "static"; fi
}
echo "otp: $OTP ($("$OTP" --version), $(linkage "$OTP"))"
[ -n "$BASE" ] && echo "base: $BASE ($("$BASE" --version), $(linkage "$BASE"))"
echo "oathtool: $(oathtool --version | head -1)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo

summary="| accounts | vault | otp code, empty trash | otp code, 1 in trash | oathtool --totp -b | wall ratio (empty / 1 in trash) | CPU user+sys: otp empty / 1 in trash / oathtool | peak RSS (empty / 1 in trash) |${BASE:+ base (median, ratio) |}
|---:|---:|---:|---:|---:|---:|---:|---:|${BASE:+---:|}"
for n in 1 1000 10000; do
  vault=$(make_vault "$n")
  export OTP_VAULT="$vault" OTP_IDENTITY="$WORK/key.txt"
  # Sanity: otp and oathtool agree.
  want=$(oathtool --totp -b "$SECRET" --now "@1700000000")
  got=$("$OTP" code "$QUERY" --at 1700000000)
  [ "$want" = "$got" ] || { echo "otp ($got) and oathtool ($want) disagree" >&2; exit 1; }
  base=()
  [ -n "$BASE" ] && base=(-n "base: otp code ($n accounts, empty trash)" "$BASE code $QUERY")
  hyperfine -N --warmup 20 --min-runs "${RUNS:-300}" \
    --export-json "$WORK/h-$n.json" --export-markdown "$RESULTS/code-$n.md" \
    -n "otp code ($n accounts, empty trash)" "$OTP code $QUERY" \
    -n "otp code ($n accounts, 1 in trash)" "$OTP --vault $WORK/vault-$n-trash.age code $QUERY" \
    -n "oathtool --totp -b" "oathtool --totp -b $SECRET" "${base[@]}" >/dev/null
  row=$(python3 - "$WORK/h-$n.json" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
e, t, a = results[:3]
# Medians: on a shared VM a few slow runs move the mean far more than the
# typical run; means are kept beside them.
f = lambda x: f"{x['median']*1000:.2f} ms ({x['mean']*1000:.1f} ± {x['stddev']*1000:.1f})"
c = lambda x: f"{(x['user'] + x['system'])*1000:.1f}"
row = f"{f(e)} | {f(t)} | {f(a)} | {e['median']/a['median']:.1f}× / {t['median']/a['median']:.1f}× | {c(e)} / {c(t)} / {c(a)} ms"
if len(results) > 3:  # BASE: the same vault, read by the binary compared against
    b = results[3]
    row += f" | {b['median']*1000:.2f} ms, {b['median']/a['median']:.1f}×"
print(row)
EOF
)
  rss_e=$(peak_kib "$OTP" code "$QUERY")
  rss_t=$(OTP_VAULT="$WORK/vault-$n-trash.age" peak_kib "$OTP" code "$QUERY")
  size=$(stat -c %s "$vault")
  rss="$((rss_e / 1024)) / $((rss_t / 1024)) MiB"
  if [ -n "$BASE" ]; then # keep the columns in header order
    summary+=$'\n'"| $n | $((size / 1024)) KiB | ${row% | *} | $rss | ${row##* | } |"
  else
    summary+=$'\n'"| $n | $((size / 1024)) KiB | $row | $rss |"
  fi
done
echo "$summary"
echo

# --copy until the code is on the clipboard: otp exits only after its
# serving child owns the X11 clipboard, so the process time is that time.
# Every copy leaves a child serving the clipboard for a second, and runs
# come every 2 ms: more clients than the X server's default limit (256).
Xvfb -displayfd 3 -nolisten tcp -maxclients 2048 -screen 0 320x240x8 3>"$WORK/display" 2>/dev/null &
XVFB_PID=$!
for _ in $(seq 100); do [ -s "$WORK/display" ] && break; sleep 0.05; done
export DISPLAY=":$(head -1 "$WORK/display")"
export OTP_VAULT="$WORK/vault-1000-trash.age" # the fast read path; see above
"$OTP" code "$QUERY" --copy 2>/dev/null
[ "$(xclip -o -selection clipboard)" = "$("$OTP" code "$QUERY")" ] ||
  [ "$(xclip -o -selection clipboard)" = "$("$OTP" code "$QUERY" --next)" ] ||
  { echo "the clipboard does not hold the code" >&2; exit 1; }
hyperfine -N --warmup 5 --min-runs 50 --export-markdown "$RESULTS/copy.md" \
  -n "otp code --copy (1000 accounts, Xvfb)" "$OTP code $QUERY --copy" \
  -n "otp code (1000 accounts)" "$OTP code $QUERY" >/dev/null
cat "$RESULTS/copy.md"
echo "peak RSS of otp code --copy: $(( $(peak_kib "$OTP" code "$QUERY" --copy) / 1024 )) MiB"
sleep 1.5 # let the serving children clear and exit before Xvfb goes
