#!/usr/bin/env bash
# Renders docs/pick.png: `otp pick` on a demo vault in a 76x11 tmux pane,
# captured with its colours (`capture-pane -e`), written out as HTML and
# photographed by headless chromium. The codes in it are of public test
# secrets, at the time it was taken.
#
# Usage: docs/pick-screenshot.sh [path/to/otp]   (default target/debug/otp)
# Needs: tmux, python3, chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
OTP=$(realpath "${1:-target/debug/otp}")
work=$(mktemp -d)
sock="$work/tmux.sock"
trap 'tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

export HOME="$work" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
export OTP_VAULT="$work/vault.age" OTP_IDENTITY="$work/key.txt" TERM=xterm-256color
unset OTP_CONFIG OTP_PASSPHRASE OTP_PASSPHRASE_FILE DISPLAY WAYLAND_DISPLAY NO_COLOR TMUX
"$OTP" init --generate-identity "$OTP_IDENTITY" >/dev/null 2>&1
add() { "$OTP" add "$@" >/dev/null 2>&1; }
add alice@example.com --issuer GitHub --secret JBSWY3DPEHPK3PXP
add alice@example.com --issuer "Microsoft Azure" --secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
add alice --issuer AWS --digits 8 --period 60 --algorithm SHA256 --secret MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZ
add alice_gamer --issuer Steam --steam --secret MFRGGZDFMZTWQ2LK
add alice --issuer "Zürich Bank" --secret ONSWG4TFORZWK3DMN5XGK4TTMVRXEZLU
add alice --issuer "Old Bank" --hotp --secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ

tmux -S "$sock" -f /dev/null new-session -d -x 76 -y 11 -- "$OTP" --color always pick
tmux -S "$sock" set -g status off >/dev/null
sleep 1.5
tmux -S "$sock" send-keys Down
sleep 0.5
tmux -S "$sock" capture-pane -e -p >"$work/screen.ans"

python3 - "$work/screen.ans" "$work/screen.html" <<'PY'
import html, re, sys
# The xterm palette for colours 0-15, a dark background.
palette = ["#1e1e1e", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#dcdcdc",
           "#5c6370", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#ffffff"]
fg0, bg0 = "#dcdcdc", "#1e1e1e"
def colour(n):
    if n < 16:
        return palette[n]
    if n < 232:
        n -= 16
        return "#%02x%02x%02x" % tuple((0, 95, 135, 175, 215, 255)[(n // k) % 6] for k in (36, 6, 1))
    g = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (g, g, g)
out = []
for line in open(sys.argv[1], encoding="utf-8").read().split("\n")[:11]:
    st = {"fg": None, "bg": None, "bold": False, "dim": False, "rev": False}
    row = ""
    for part in re.split(r"(\x1b\[[0-9;]*m)", line):
        m = re.fullmatch(r"\x1b\[([0-9;]*)m", part)
        if m:
            codes = [int(c) if c else 0 for c in m.group(1).split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0: st = {"fg": None, "bg": None, "bold": False, "dim": False, "rev": False}
                elif c == 1: st["bold"] = True
                elif c == 2: st["dim"] = True
                elif c == 22: st["bold"] = st["dim"] = False
                elif c == 7: st["rev"] = True
                elif c == 27: st["rev"] = False
                elif 30 <= c <= 37: st["fg"] = palette[c - 30]
                elif 90 <= c <= 97: st["fg"] = palette[c - 82]
                elif 40 <= c <= 47: st["bg"] = palette[c - 40]
                elif c == 39: st["fg"] = None
                elif c == 49: st["bg"] = None
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    st["fg" if c == 38 else "bg"] = colour(codes[i + 2]); i += 2
                i += 1
            continue
        if not part:
            continue
        fg, bg = st["fg"] or fg0, st["bg"] or bg0
        if st["rev"]:
            fg, bg = bg, fg
        style = f"color:{fg};background:{bg};"
        if st["bold"]: style += "font-weight:bold;"
        if st["dim"]: style += "opacity:0.6;"
        row += f'<span style="{style}">{html.escape(part)}</span>'
    out.append(row)
page = f"""<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: {bg0}; }}
pre {{ margin: 0; padding: 12px 14px; font: 15px/1.35 'DejaVu Sans Mono', monospace; color: {fg0}; }}
</style><pre>{chr(10).join(out)}</pre>"""
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY
chromium --headless --no-sandbox --hide-scrollbars --force-device-scale-factor=1 \
  --window-size=720,245 --screenshot="$work/pick.png" "file://$work/screen.html" >/dev/null 2>&1
cp "$work/pick.png" docs/pick.png
echo "wrote docs/pick.png"
