#!/usr/bin/env bash
# Build linkwatch's sdist and wheel and check them as a user would meet them: twine's metadata
# check, the wheel installed in a clean virtual environment, `--version` equal to the source's
# version (and to the tag, when one is given), and `validate` on the bundled and the root list.
#
#   bash .github/scripts/check-dist.sh [--tag vX.Y.Z] [--out DIR]   # default DIR: dist
#
# Used by CI on every push, by the release workflow and by .ci/run. Linux and macOS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

tag=""
out=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "check-dist: unknown argument $1" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-python3}
version=$("$python" -c 'import re, sys
text = open("src/linkwatch/_version.py", encoding="utf-8").read()
print(re.search(r"__version__ = \"([^\"]+)\"", text)[1])')
if [ -n "$tag" ] && [ "$tag" != "v$version" ]; then
  echo "check-dist: the tag $tag does not match the version $version (expected v$version)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet --disable-pip-version-check \
  "build==1.6.1" "twine==7.0.0"
rm -rf "$out"
"$work/tools/bin/python" -m build --outdir "$out" .
"$work/tools/bin/twine" check --strict "$out"/*

wheels=("$out"/linkwatch-"$version"-py3-none-any.whl)
sdists=("$out"/linkwatch-"$version".tar.gz)
[ -f "${wheels[0]}" ] && [ -f "${sdists[0]}" ] ||
  { echo "check-dist: expected one wheel and one sdist for $version in $out" >&2; exit 1; }

"$python" -m venv "$work/clean"
"$work/clean/bin/python" -m pip install --quiet --disable-pip-version-check "${wheels[0]}"
said=$("$work/clean/bin/linkwatch" --version)
if [ "$said" != "linkwatch $version" ]; then
  echo "check-dist: the wheel says '$said', expected 'linkwatch $version'" >&2
  exit 1
fi
# From an empty folder, `validate` reads the list bundled in the wheel.
(cd "$work" && "$work/clean/bin/linkwatch" validate)
"$work/clean/bin/linkwatch" validate links.yaml
echo "check-dist: $out holds linkwatch $version, checked"
