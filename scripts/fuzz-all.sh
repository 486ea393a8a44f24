#!/usr/bin/env bash
# Runs every `func FuzzXxx` of every module for the given time each.
# Usage: scripts/fuzz-all.sh 5m
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fuzztime="${1:-5m}"
status=0
while IFS= read -r file; do
  # The package is run from its module's folder: the nearest go.mod above.
  dir=$(dirname "$file")
  mod=$dir
  while [ "$mod" != "." ] && [ ! -f "$mod/go.mod" ]; do mod=$(dirname "$mod"); done
  pkg="./${dir#"$mod"}"
  pkg="${pkg/#.\/\//./}"
  for name in $(grep -oE '^func Fuzz[A-Za-z0-9_]+' "$file" | sed 's/^func //'); do
    echo "== $mod $pkg $name ($fuzztime)"
    if ! (cd "$root/$mod" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"); then
      status=1
    fi
  done
done < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz' | sort)
exit $status
