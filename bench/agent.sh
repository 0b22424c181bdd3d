#!/usr/bin/env bash
# Whole-process `otp code` on a 1,000-account PASSPHRASE vault while the
# agent holds its key (`otp unlock`), against `oathtool --totp -b` and the
# same vault opened with an identity file, in one hyperfine run; then the
# same passphrase vault without the agent (scrypt every time), a few runs.
#
# Usage: bench/agent.sh [path/to/otp]   (default: target/release/otp;
#        the shipped build is target/x86_64-unknown-linux-gnu/dist/otp,
#        `cargo build-static`). RUNS=N sets the runs (default 300).
# Needs: hyperfine, oathtool, python3.
# The agent it starts lives in a temporary XDG_RUNTIME_DIR and is told to
# forget (`otp lock`) when the script ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

OTP=$(realpath "${1:-target/release/otp}")
[ -x "$OTP" ] || { echo "no otp binary at $OTP (cargo build --release)" >&2; exit 1; }
for tool in hyperfine oathtool python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

WORK=$(mktemp -d)
# An isolated world, the agent's socket folder included.
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config"
export XDG_RUNTIME_DIR="$WORK/run"
unset OTP_CONFIG OTP_IDENTITY OTP_PASSPHRASE OTP_PASSPHRASE_FILE DISPLAY WAYLAND_DISPLAY
mkdir -p "$HOME" "$XDG_CONFIG_HOME/otp" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
cleanup() {
  "$OTP" lock >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
printf 'min_remaining_seconds = 0\n' > "$XDG_CONFIG_HOME/otp/config.toml"

SECRET=JBSWY3DPEHPK3PXP    # the account we ask for
QUERY=svc00001             # a unique substring of its label
python3 - 1000 "$SECRET" > "$WORK/uris.txt" <<'EOF'
import base64, os, sys
n, secret = int(sys.argv[1]), sys.argv[2]
for i in range(1, n + 1):
    s = secret if i == 1 else base64.b32encode(os.urandom(20)).decode().rstrip("=")
    print(f"otpauth://totp/svc{i:05d}:user{i:05d}%40example.com?secret={s}&issuer=svc{i:05d}")
EOF

PASSVAULT="$WORK/pass.age"
IDVAULT="$WORK/id.age"
echo "bench passphrase" > "$WORK/pass.txt"
OTP_VAULT="$PASSVAULT" "$OTP" --passphrase-file "$WORK/pass.txt" init >/dev/null 2>&1
OTP_VAULT="$PASSVAULT" "$OTP" --passphrase-file "$WORK/pass.txt" import "$WORK/uris.txt" >/dev/null 2>&1
OTP_VAULT="$IDVAULT" "$OTP" init --generate-identity "$WORK/key.txt" >/dev/null 2>&1
OTP_VAULT="$IDVAULT" "$OTP" --identity "$WORK/key.txt" import "$WORK/uris.txt" >/dev/null 2>&1

OTP_VAULT="$PASSVAULT" "$OTP" --passphrase-file "$WORK/pass.txt" unlock 2>/dev/null
# The agent answers with no passphrase source at all, and gives the right code.
want=$(oathtool --totp -b "$SECRET")
got=$(OTP_VAULT="$PASSVAULT" "$OTP" code "$QUERY" </dev/null)
[ "$got" = "$want" ] || { echo "otp code via the agent gave '$got', oathtool '$want'" >&2; exit 1; }

echo "## otp code, 1,000 accounts, $(basename "$OTP") build ($OTP)"
hyperfine -N --warmup 20 --min-runs "${RUNS:-300}" \
  -n "otp code (passphrase vault, agent holds the key)" "$OTP --vault $PASSVAULT code $QUERY" \
  -n "otp code (identity vault, no agent)" "$OTP --vault $IDVAULT --identity $WORK/key.txt code $QUERY" \
  -n "oathtool --totp -b" "oathtool --totp -b $SECRET" \
  --export-markdown "$WORK/agent.md" --export-json "$WORK/agent.json" >/dev/null
cat "$WORK/agent.md"
# Medians and minimums: a shared machine's noise only ever adds time.
python3 - "$WORK/agent.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
o = r[2]
print()
print("| command | median [ms] | min [ms] | median vs oathtool | min vs oathtool |")
print("|:---|---:|---:|---:|---:|")
for x in r:
    print(f"| {x['command']} | {x['median']*1e3:.2f} | {x['min']*1e3:.2f} | "
          f"{x['median']/o['median']:.2f}x | {x['min']/o['min']:.2f}x |")
EOF

echo
echo "## the same passphrase vault without the agent (scrypt every run)"
"$OTP" lock >/dev/null 2>&1
hyperfine -N --warmup 1 --runs 5 \
  -n "otp code (passphrase vault, no agent)" \
  "$OTP --vault $PASSVAULT --passphrase-file $WORK/pass.txt code $QUERY" \
  --export-markdown "$WORK/noagent.md" >/dev/null
cat "$WORK/noagent.md"
