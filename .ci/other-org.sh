#!/usr/bin/env bash
# Runs the tests as an adopter's fork would: with another organization in
# place of org.yaml and accounts/ (testdata/other-org). No test may depend
# on the bundled example's contents; tests read their own copies under
# testdata/. Called by .ci/run; runs in a temporary copy, never in place.
set -euo pipefail
cd "$(dirname "$0")/.."

copy=$(mktemp -d "${TMPDIR:-/tmp}/orgnotify-other-org.XXXXXX")
trap 'rm -rf "$copy"' EXIT

# The files of the repository (committed or not, minus what .gitignore
# excludes), or the whole tree outside git.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do if [[ -e "$f" ]]; then printf '%s\0' "$f"; fi; done |
    tar --null -T - -cf - | tar -xf - -C "$copy"
else
  tar --exclude=./.tools --exclude=./.git -cf - . | tar -xf - -C "$copy"
fi

rm -rf "$copy/accounts" "$copy/org.yaml"
mkdir "$copy/accounts"
# The schema lines point from testdata/other-org/; point them from the root.
sed 's|\$schema=\.\./\.\./schema/|$schema=schema/|' testdata/other-org/org.yaml >"$copy/org.yaml"
for f in testdata/other-org/accounts/*.yaml; do
  sed 's|\$schema=\.\./\.\./\.\./schema/|$schema=../schema/|' "$f" >"$copy/accounts/${f##*/}"
done

cd "$copy"
go run ./cmd/orgnotify validate
# The simulator's packages are left out: they import nothing of
# orgnotify's configuration (checked here) and take most of the test time.
sim_deps=$(go list -deps -test ./internal/awssim/... ./cmd/awssim)
if grep -qx 'github.com/orgnotify/orgnotify/internal/config' <<<"$sim_deps"; then
  echo "the simulator now depends on internal/config: test it here too" >&2
  exit 1
fi
go test -count=1 $(go list ./... | grep -v -e /internal/awssim -e /cmd/awssim)
