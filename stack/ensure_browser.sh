#!/usr/bin/env bash
# The console's browser test drives Debian's Chromium (Playwright's own browser downloads
# do not work offline) and needs a Chinese font. Installs both when missing (root or sudo).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
  exit 0
fi
exec bash "$(dirname "$0")/apt_install.sh" "the browser test" chromium fonts-wqy-microhei
