#!/usr/bin/env bash
# The console's browser test drives Debian's Chromium (Playwright's own browser downloads
# do not work offline) and needs a Chinese font. Installs both when missing (root or sudo).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
  exit 0
fi
echo "ensure_browser: installing Debian's chromium and fonts-wqy-microhei for the browser test"
if [ "$(id -u)" -eq 0 ]; then run=(); elif command -v sudo >/dev/null; then run=(sudo); else
  echo "ensure_browser: chromium is missing and this user cannot install it;" \
       "run 'apt-get install chromium fonts-wqy-microhei' as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null
