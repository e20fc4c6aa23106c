#!/usr/bin/env bash
# The test suite runs the store and the whole stack on PostgreSQL as well as SQLite.
# Installs Debian's PostgreSQL server when it is missing (needs root or sudo).
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi
echo "ensure_postgres: installing Debian's postgresql package for the tests"
if [ "$(id -u)" -eq 0 ]; then run=(); elif command -v sudo >/dev/null; then run=(sudo); else
  echo "ensure_postgres: PostgreSQL is missing and this user cannot install it;" \
       "run 'apt-get install postgresql' as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null
