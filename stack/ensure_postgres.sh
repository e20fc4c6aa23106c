#!/usr/bin/env bash
# The test suite runs the store and the whole stack on PostgreSQL as well as SQLite.
# Installs Debian's PostgreSQL server when it is missing (needs root or sudo).
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi
exec bash "$(dirname "$0")/apt_install.sh" "the tests on PostgreSQL" postgresql
