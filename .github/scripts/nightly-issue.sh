#!/usr/bin/env bash
# Keep ONE open issue, labelled `linkwatch`, in step with a saved linkwatch JSON report:
# create it when problems appear, update it while they last, close it when a run is clean.
#
# Usage: nightly-issue.sh REPORT.json
#
# Environment:
#   GH_TOKEN            token for the gh CLI (the workflow's GITHUB_TOKEN; needs issues: write)
#   GH_REPO             owner/name of the repository (gh infers it inside a checkout)
#   LINKWATCH_LABEL     label of the tracking issue (default: linkwatch)
#   LINKWATCH_ISSUE_ON  --fail-on names that keep the issue open (default below: every
#                       problem a maintainer should act on; `slow` alone does not)
#
# Exit status: 0 when the issue is in step; linkwatch's own code (2, 3) when the report
# cannot be used, in which case the issue is left untouched rather than closed by mistake.
set -euo pipefail

report=${1:?usage: nightly-issue.sh REPORT.json}
label=${LINKWATCH_LABEL:-linkwatch}
issue_on=${LINKWATCH_ISSUE_ON:-broken,error,blocked,redirected,tracking_params,cross_site_redirect,https_downgrade,expect_text_missing,parked_domain,tls_expiring}
# The first line of every body linkwatch writes; with the label it identifies our issue,
# so an unrelated issue that happens to carry the label is never edited or closed.
marker='<!-- linkwatch:report -->'

body=$(mktemp)
trap 'rm -f "$body"' EXIT

status=0
linkwatch report "$report" --format markdown --fail-on "$issue_on" --output "$body" || status=$?
case $status in
  0) clean=true ;;
  1) clean=false ;;
  *)
    echo "nightly-issue: linkwatch report exited $status; leaving the issue as it is" >&2
    exit "$status"
    ;;
esac

# Oldest open issue with the label whose body carries the marker (there should be one at most).
number=$(gh issue list --label "$label" --state open --limit 100 --json number,body \
  --jq "[.[] | select(.body | contains(\"$marker\"))] | sort_by(.number) | .[0].number // empty")

run_url=""
if [[ -n ${GITHUB_RUN_ID:-} ]]; then
  run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID}"
fi

if [[ $clean == false ]]; then
  # The body's heading ("linkwatch: 3 links need attention") is the title.
  title=$(sed -n 's/^## //p' "$body" | head -n 1)
  title=${title:-linkwatch: links need attention}
  if [[ -n $number ]]; then
    gh issue edit "$number" --title "$title" --body-file "$body"
    echo "nightly-issue: updated #$number"
  else
    gh label create "$label" --color D93F0B --description "Links reported by linkwatch" --force
    gh issue create --title "$title" --label "$label" --body-file "$body"
    echo "nightly-issue: opened a new issue"
  fi
elif [[ -n $number ]]; then
  gh issue close "$number" --comment "linkwatch: every link passed${run_url:+ in $run_url}. Closing."
  echo "nightly-issue: closed #$number"
else
  echo "nightly-issue: all links passed and no issue is open"
fi
