#!/usr/bin/env bash
# requirements/action.txt: what the Action installs, pinned by hash, for every platform and
# Python linkwatch supports (uv's universal resolution): linkwatch's runtime dependencies
# (pyproject.toml) and its build backend (requirements/build.in).
#
#   bash .github/scripts/lock.sh           # write the lock (keeps current pins; -U to upgrade)
#   bash .github/scripts/lock.sh --check   # regenerate into a temporary file and compare
#
# Needs uv (`pip install uv`) and the package index. Exit 1 when --check finds it stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

lock=requirements/action.txt
compile() {
  uv pip compile pyproject.toml requirements/build.in --universal --python-version 3.11 \
    --generate-hashes --quiet --custom-compile-command "bash .github/scripts/lock.sh" \
    --output-file "$1" "${@:2}"
}

if [ "${1:-}" = --check ]; then
  fresh=$(mktemp)
  trap 'rm -f "$fresh"' EXIT
  cp "$lock" "$fresh" # start from the current pins: only a changed requirement moves one
  compile "$fresh"
  if ! diff -u "$lock" "$fresh"; then
    echo "lock.sh: $lock is stale; run: bash .github/scripts/lock.sh" >&2
    exit 1
  fi
  echo "lock.sh: $lock is current"
else
  compile "$lock" "$@"
fi
