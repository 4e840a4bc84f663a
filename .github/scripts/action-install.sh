#!/usr/bin/env bash
# The Action's install step: a virtual environment in $RUNNER_TEMP holding linkwatch built
# from the action's own source. Dependencies come from requirements/action.txt, every file
# checked against its hash and wheels only (an sdist would run unpinned build code); linkwatch
# itself is built offline (--no-index) with the pinned hatchling. Nothing is installed by a
# package name alone. Writes `bin=` (the folder holding `linkwatch`) to $GITHUB_OUTPUT.
#
# Environment: PYTHON (the interpreter from actions/setup-python; else `python3`/`python` on
# PATH), GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_OUTPUT.
set -euo pipefail

source_dir=$GITHUB_ACTION_PATH
venv=$RUNNER_TEMP/linkwatch-venv
if command -v cygpath >/dev/null 2>&1; then # Git Bash on Windows: one path style
  source_dir=$(cygpath -u "$source_dir")
  venv=$(cygpath -u "$venv")
fi

python=${PYTHON:-}
if [ -z "$python" ]; then
  if command -v python3 >/dev/null 2>&1; then python=python3; else python=python; fi
fi
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "::error title=linkwatch action::linkwatch needs Python 3.11 or newer"; exit 2; }

rm -rf "$venv"
"$python" -m venv "$venv"
if [ -d "$venv/Scripts" ]; then bin=$venv/Scripts; else bin=$venv/bin; fi

pip=("$bin/python" -m pip --disable-pip-version-check --no-input --quiet)
"${pip[@]}" install --require-hashes --only-binary :all: -r "$source_dir/requirements/action.txt"
"${pip[@]}" install --no-deps --no-build-isolation --no-index "$source_dir"
"$bin/linkwatch" --version
echo "bin=$bin" >>"$GITHUB_OUTPUT"
