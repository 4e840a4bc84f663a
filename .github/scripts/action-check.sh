#!/usr/bin/env bash
# The Action's check step: `linkwatch check` (or, with MERGE, `linkwatch report` merging the
# shards' reports) into a JSON report; its exit code and counts go to $GITHUB_OUTPUT. The step
# itself always succeeds: the summary and issues come first, the exit policy is the last step.
#
# Environment: LINKWATCH_BIN CONFIG ARGS FAIL_ON FAIL_AFTER RECOVER_AFTER HISTORY STATE REPORT
# SHARD MERGE. ARGS and MERGE are split on white space and never evaluated by a shell; MERGE's
# words may be globs.
set -euo pipefail

linkwatch=$LINKWATCH_BIN/linkwatch
extra=()
read -r -d '' -a extra <<<"$ARGS" || true

status=0
if [ -n "$MERGE" ]; then
  words=()
  read -r -d '' -a words <<<"$MERGE" || true
  reports=()
  shopt -s nullglob
  for word in "${words[@]}"; do
    # shellcheck disable=SC2206 # the word is a glob, expanded on purpose (no white space in it)
    matched=($word)
    if [ "${#matched[@]}" -eq 0 ]; then
      echo "::error title=linkwatch action::input merge: nothing matches '$word'"
      status=2
    fi
    reports+=(${matched[@]+"${matched[@]}"})
  done
  shopt -u nullglob
  if [ "$status" -eq 0 ]; then
    "$linkwatch" report "${reports[@]}" --format json --output "$REPORT" --fail-on "$FAIL_ON" ||
      status=$?
  fi
else
  command=("$linkwatch" check --config "$CONFIG" --format json --output "$REPORT"
    --fail-on "$FAIL_ON")
  if [ "$HISTORY" = true ]; then
    mkdir -p "$(dirname "$STATE")"
    command+=(--state "$STATE" --fail-after "$FAIL_AFTER" --recover-after "$RECOVER_AFTER")
  fi
  if [ -n "$SHARD" ]; then command+=(--shard "$SHARD"); fi
  "${command[@]}" ${extra[@]+"${extra[@]}"} || status=$?
fi

usable=false
if [ "$status" -le 1 ] && [ -f "$REPORT" ]; then usable=true; fi
{
  echo "exit-code=$status"
  echo "report=$REPORT"
  echo "usable=$usable"
} >>"$GITHUB_OUTPUT"

if [ -f "$REPORT" ]; then
  # The counts, read from the report's own summary (every status, zero when absent).
  "$LINKWATCH_BIN/python" - "$REPORT" >>"$GITHUB_OUTPUT" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as stream:
    summary = json.load(stream)["summary"]
statuses = ("ok", "redirected", "broken", "blocked", "error", "skipped")
counts = {name: summary["statuses"].get(name, 0) for name in statuses}
print(f"total={summary['total']}")
print(f"problems={summary['problems']}")
for name, count in counts.items():
    print(f"{name}={count}")
print("counts=" + json.dumps(counts, separators=(",", ":")))
PY
fi
echo "linkwatch: exit code $status, report $REPORT"
