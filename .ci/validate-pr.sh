#!/usr/bin/env bash
# Validates a pull request by the rules of its base commit, as
# .github/workflows/validate.yml runs it:
#
#   .ci/validate-pr.sh [--comment] BASE_DIR PR_DIR
#
# BASE_DIR is a checkout of the pull request's base commit, PR_DIR one of
# the pull request (the merge commit GitHub tests). orgnotify is built from
# BASE_DIR and validates PR_DIR's org.yaml and accounts/ with the schemas
# and rules compiled into it, so a pull request that edits schema/ or the
# validator is still judged by the rules it would change: its own take
# effect after merge. The workflow runs this script from BASE_DIR for the
# same reason. Nothing from PR_DIR is executed; it is only read.
#
# Output: annotations and the findings (--format github), the job summary
# when GITHUB_STEP_SUMMARY is set, and with --comment the sticky
# pull-request comment (GITHUB_TOKEN and the Actions variables needed),
# with the Slack digest preview of the accounts the pull request changes
# and, when ORGNOTIFY_PLAN_MEMBER_ROLE is set and AWS credentials are in
# the environment, the read-only plan (`orgnotify comment --plan`, which
# observes and compares, never applies).
# Exit status: validate's (0 clean, 1 findings, 2 error), or the comment's
# when validation passed but the comment could not be written.
set -euo pipefail

comment=false
if [[ "${1:-}" == "--comment" ]]; then
  comment=true
  shift
fi
if [[ $# -ne 2 ]]; then
  echo "usage: $0 [--comment] BASE_DIR PR_DIR" >&2
  exit 2
fi
base=$(cd "$1" && pwd)
pr=$(cd "$2" && pwd)

bin_dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/orgnotify-base.XXXXXX")
trap 'rm -rf "$bin_dir"' EXIT
bin="$bin_dir/orgnotify"
echo "--- building orgnotify from the base commit ($base)"
(cd "$base" && go build -o "$bin" ./cmd/orgnotify)

# The schemas and the code that decide what is valid. When the pull request
# changes them, say so: it is checked by the base's rules, not its own.
rules_changed=false
for p in schema internal/config internal/findings cmd/orgnotify go.mod go.sum; do
  if ! diff -rq "$base/$p" "$pr/$p" >/dev/null 2>&1; then
    rules_changed=true
  fi
done
if $rules_changed; then
  echo "::notice title=orgnotify validate::this pull request changes the rules (schema/ or the validator); it is checked by the base branch's rules, and its own take effect after merge"
fi

echo "--- validating the pull request with the base commit's rules"
status=0
"$bin" validate --root "$pr" --format github || status=$?

if $comment; then
  args=(comment --root "$pr")
  # A base built before --rules-changed existed cannot take it. (The help
  # is read whole: grep -q in a pipe could end it early by SIGPIPE.)
  help=$("$bin" comment -h 2>&1 || true)
  if $rules_changed && [[ "$help" == *-rules-changed* ]]; then
    args+=(--rules-changed)
  fi
  # The Slack digest preview of each account file the pull request adds or
  # changes against the base, on the base's sample events.
  if [[ "$help" == *"-base string"* ]]; then
    args+=(--base "$base")
  fi
  # The read-only plan, only when the workflow got AWS credentials for it
  # (pull requests from this repository, ORGNOTIFY_PLAN_MEMBER_ROLE set).
  # Without them the comment says that no plan was made.
  if [[ -n "${ORGNOTIFY_PLAN_MEMBER_ROLE:-}" && "$help" == *"-member-role string"* ]]; then
    args+=(--plan --member-role "$ORGNOTIFY_PLAN_MEMBER_ROLE")
  fi
  comment_status=0
  "$bin" "${args[@]}" || comment_status=$?
  if [[ $status -eq 0 ]]; then
    status=$comment_status
  fi
fi
exit "$status"
