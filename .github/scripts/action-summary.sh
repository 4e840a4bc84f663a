#!/usr/bin/env bash
# The Action's job summary: the report as Markdown, or one line saying why there is none.
#
# Environment: LINKWATCH_BIN CODE (the check's exit code) REPORT FAIL_ON GITHUB_STEP_SUMMARY.
set -euo pipefail

if [ "$CODE" -le 1 ] && [ -f "$REPORT" ]; then
  # The check's own policy, so the summary counts what failed the way the exit code did;
  # exit 1 here only repeats the check's verdict, which the policy step applies.
  status=0
  "$LINKWATCH_BIN/linkwatch" report "$REPORT" --format markdown --fail-on "$FAIL_ON" \
    >>"$GITHUB_STEP_SUMMARY" || status=$?
  [ "$status" -le 1 ] || exit "$status"
  exit 0
fi
case "$CODE" in
  2) why="the list or the Action's inputs are not valid (see the log of the check step)" ;;
  3) why="this runner has no network, so nothing is known about the links" ;;
  *) why="linkwatch stopped with exit code $CODE (see the log of the check step)" ;;
esac
printf '## linkwatch: the links were not checked\n\n%s.\n' "$why" >>"$GITHUB_STEP_SUMMARY"
