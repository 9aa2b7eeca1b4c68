#!/usr/bin/env bash
# The whole product in one command, on a machine with only Go (and bash):
# builds orgnotify and awssim, starts awssim on a free loopback port with the
# bundled example's organization (testdata/awssim/example-org.yaml), and runs
# the real commands against it through AWS_ENDPOINT_URL:
#   validate → trail → plan → apply → plan (empty) → events → both digests.
# awssim is stopped on exit, on Ctrl-C and on failure. Nothing reaches AWS or
# Slack: the credentials are dummies and both digests are dry runs.
#   bash .ci/demo.sh            (or: make demo)
# DEMO_DIR=dir keeps the work files (logs, full plans, Block Kit JSON) there.
# DEMO_ROOT=dir runs on another copy of the bundled organization (.ci/run
# uses testdata/example, so a fork with its own org.yaml stays green: the
# demo's seed matches the bundled example only).
set -euo pipefail
cd "$(dirname "$0")/.."

root=${DEMO_ROOT:-.}
work=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/orgnotify-demo.XXXXXX")}
mkdir -p "$work/bin"
awssim_pid=
stop_awssim() {
  if [[ -n "$awssim_pid" ]]; then
    kill "$awssim_pid" 2>/dev/null || true
    wait "$awssim_pid" 2>/dev/null || true
    awssim_pid=
  fi
}
trap stop_awssim EXIT
trap 'echo; echo "demo interrupted"; exit 130' INT TERM

n=0
step() { n=$((n + 1)); printf '\n== %d. %s\n' "$n" "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }

step "build orgnotify and awssim"
go build -o "$work/bin/" ./cmd/orgnotify ./cmd/awssim ./.ci/demo
bin=$work/bin
echo "binaries in $bin"

step "start awssim (the bundled organization: 6 accounts, roles, 70 days of costs)"
"$bin/awssim" -addr 127.0.0.1:0 -seed testdata/awssim/example-org.yaml >"$work/awssim.out" 2>"$work/awssim.log" &
awssim_pid=$!
url=
for _ in $(seq 100); do
  url=$(sed -n 's/^awssim ready on \(http:[^ ]*\)$/\1/p' "$work/awssim.out")
  [[ -n "$url" ]] && break
  kill -0 "$awssim_pid" 2>/dev/null || fail "awssim did not start: $(cat "$work/awssim.log")"
  sleep 0.1
done
[[ -n "$url" ]] || fail "awssim did not answer within 10 s"
echo "awssim on $url (log: $work/awssim.log)"

# Every AWS call goes to awssim: dummy static keys (they act as the
# management account), no profile or config file of this machine, no token.
export AWS_ENDPOINT_URL=$url AWS_ACCESS_KEY_ID=AKIDORGNOTIFYDEMO000 AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_CONFIG_FILE=$work/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$work/no-aws-credentials
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE SLACK_BOT_TOKEN SLACK_API_URL
orgnotify() { "$bin/orgnotify" "$@"; }

step "orgnotify validate (org.yaml and accounts/)"
orgnotify validate --root "$root"

step "create the organization trail (once, by the platform team; the lifecycle events need it)"
"$bin/demo" trail

step "orgnotify plan: everything to create"
orgnotify plan --root "$root" >"$work/plan.txt"
grep -E '^[-+~!] ' "$work/plan.txt" || true
tail -n 1 "$work/plan.txt"
echo "(the full plan, every policy and event pattern: $work/plan.txt)"

step "orgnotify apply"
orgnotify apply --root "$root" >"$work/apply.txt" 2>"$work/apply.err" || { cat "$work/apply.err"; fail "apply failed (see $work/apply.txt)"; }
cat "$work/apply.err"
grep -cE '^[-+~] .*\[ok\]$' "$work/apply.txt" | sed 's/$/ changes applied [ok]/'
if grep -E '^[-+~!] .*\[(failed|skipped)\]' "$work/apply.txt"; then fail "apply left changes undone"; fi

step "orgnotify plan --detailed-exitcode: nothing left to do"
code=0
orgnotify plan --root "$root" --detailed-exitcode || code=$?
[[ $code == 0 ]] || fail "the plan after apply is not empty (exit $code)"
echo "exit 0"

step "AWS services publish events on the member accounts' default buses"
"$bin/demo" events testdata/events testdata/awssim/example-events
echo "(forwarded by the rules apply made: member bus → hub bus → KMS-encrypted digest queue)"

out=$work/slack
step "orgnotify digest events --dry-run: the Slack messages, from the digest queue"
orgnotify digest events --root "$root" --dry-run --out "$out/events"

step "orgnotify digest cost --dry-run: yesterday's cost per account"
orgnotify digest cost --root "$root" --dry-run --out "$out/cost"

step "done"
echo "The Block Kit JSON of every message (paste one into https://app.slack.com/block-kit-builder):"
ls "$out"/events/*.json "$out"/cost/*.json | sed 's/^/  /'
