#!/usr/bin/env bash
# Runs every `func FuzzXxx` of the main module for the given time each.
# Usage: scripts/fuzz-all.sh 5m
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-5m}"
status=0
while IFS= read -r file; do
  pkg="./$(dirname "$file")"
  for name in $(grep -oE '^func Fuzz[A-Za-z0-9_]+' "$file" | sed 's/^func //'); do
    echo "== $pkg $name ($fuzztime)"
    if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"; then
      status=1
    fi
  done
done < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz' | sort)
exit $status
