#!/usr/bin/env bash
# The Action's first step: check the inputs, then derive the paths and keys the later steps use
# (a shard gets its own state file, report, artifact and cache key). Writes $GITHUB_OUTPUT.
#
# Environment: the Action's inputs (CONFIG ISSUES HISTORY FAIL SUMMARY ANNOTATIONS SHARD MERGE
# STATE_FILE REPORT ARTIFACT). Exit status 2 on a bad input, with a ::error:: line.
# Runs on bash 3.2 (macOS) and Git Bash (Windows) too.
set -euo pipefail

fail() {
  echo "::error title=linkwatch action::$1"
  exit 2
}

for name in HISTORY FAIL SUMMARY ANNOTATIONS; do
  case "${!name}" in
    true | false) ;;
    *) fail "input $(echo "$name" | tr '[:upper:]' '[:lower:]'): '${!name}' is neither true nor false" ;;
  esac
done

summary_issue=false
per_link=false
case "$ISSUES" in
  none | "") ;;
  summary) summary_issue=true ;;
  per-link) per_link=true ;;
  summary,per-link | per-link,summary) summary_issue=true per_link=true ;;
  *) fail "input issues: '$ISSUES' is not one of none, summary, per-link, summary,per-link" ;;
esac

suffix=""
if [ -n "$SHARD" ]; then
  if ! [[ $SHARD =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] || [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
    fail "input shard: '$SHARD' is not K/N with 1 <= K <= N"
  fi
  suffix="-${BASH_REMATCH[1]}-of-${BASH_REMATCH[2]}"
  if [ -n "$MERGE" ]; then
    fail "inputs shard and merge: a job either checks one shard or merges them all"
  fi
  if [ "$summary_issue" = true ] || [ "$per_link" = true ]; then
    fail "input issues: a shard sees part of the list; set issues in the job that merges the shards"
  fi
fi
if [ -n "$MERGE" ] && [ "$HISTORY" = true ]; then
  fail "input history: the shard jobs keep the history; the merging job checks nothing"
fi

state=${STATE_FILE:-.linkwatch/state${suffix}.json}
report=${REPORT:-linkwatch-report${suffix}.json}
artifact=""
if [ -n "$ARTIFACT" ]; then artifact="$ARTIFACT$suffix"; fi
# One cache entry per list and shard: the config path, made safe for a cache key, then `all`
# or `K-of-N`, so that no key is a prefix of another's (restore-keys match by prefix).
list=$(printf '%s' "$CONFIG" | tr -c 'A-Za-z0-9._-' '_')
part=${suffix:--all}

{
  echo "history=$HISTORY"
  echo "state=$state"
  echo "report=$report"
  echo "artifact=$artifact"
  echo "cache-key=linkwatch-state-$list$part-"
  echo "summary-issue=$summary_issue"
  echo "per-link-issues=$per_link"
} >>"$GITHUB_OUTPUT"
