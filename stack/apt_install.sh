#!/usr/bin/env bash
# apt_install.sh WHAT PACKAGE...: install Debian packages the tests need, as root or with
# sudo; otherwise say which command to run as root and fail.
set -euo pipefail
what=$1
shift
echo "kefu: installing Debian's $* for $what"
if [ "$(id -u)" -eq 0 ]; then run=(); elif command -v sudo >/dev/null; then run=(sudo); else
  echo "kefu: $* missing and this user cannot install them; run 'apt-get install $*' as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
