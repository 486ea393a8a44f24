#!/usr/bin/env bash
# Runs testkit's stub tests in JOBS groups at once. testkit's stub servers
# listen on fixed ports (9000-9010), so two runs on one network would
# collide: each group runs run-testkit.sh inside its own network namespace
# (unshare -n as root, a user namespace otherwise), with its own backend.
#
#   run-testkit-parallel.sh JOBS BACKEND_BINARY TESTKIT_DIR [MODULE ...]
#
# The per-module lines of all groups are printed sorted, then the total.
# TESTKIT_LOGS (optional) collects the logs of every group.
set -u

jobs=${1:?number of parallel groups}
backend=${2:?backend binary}
testkit=${3:?testkit directory}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
backend=$(cd "$(dirname "$backend")" && pwd)/$(basename "$backend")
logs=${TESTKIT_LOGS:-$(mktemp -d -t testkit-logs.XXXXXX)}
mkdir -p "$logs"

if [ ! -d "$testkit/tests/stub" ]; then
	echo "run-testkit-parallel: $testkit is not a testkit checkout (no tests/stub)" >&2
	exit 2
fi
testkit=$(cd "$testkit" && pwd)
if [ "$(id -u)" -eq 0 ]; then netns=(unshare -n); else netns=(unshare -rn); fi
if ! "${netns[@]}" true 2>/dev/null; then
	echo "run-testkit-parallel: cannot create a network namespace; use run-testkit.sh" >&2
	exit 2
fi

# The modules, largest first, dealt to the groups so the groups end at
# about the same time.
roots=("$@")
if [ ${#roots[@]} -eq 0 ]; then roots=(tests.stub); fi
mapfile -t modules < <(
	for r in "${roots[@]}"; do
		p=$testkit/${r//.//}
		if [ -f "$p.py" ]; then echo "$p.py"; else find "$p" -name 'test_*.py'; fi
	done | while read -r f; do
		# Subclassed suites (routing v4x3 inherits v4x4's tests) are
		# weighed by their file size as a rough measure.
		echo "$(wc -c <"$f") $f"
	done | sort -rn | awk '{print $2}' | sed "s|^$testkit/||; s|\.py$||; s|/|.|g"
)
declare -a groups
for i in "${!modules[@]}"; do
	g=$((i % jobs))
	groups[g]="${groups[g]:-} ${modules[i]}"
done

# Each namespace gets loopback and two more IPv4 addresses (a veth pair):
# some routing tests connect to the machine's non-loopback addresses and
# skip or fail without two of them.
setup='ip link set lo up
ip link add tk0 type veth peer name tk1 2>/dev/null &&
	ip addr add 10.254.0.1/32 dev tk0 && ip addr add 10.254.0.2/32 dev tk1 &&
	ip link set tk0 up && ip link set tk1 up
exec "$@"'
pids=()
for g in "${!groups[@]}"; do
	# shellcheck disable=SC2086 # the module list is meant to split
	TESTKIT_LOGS="$logs/group$g" "${netns[@]}" bash -c "$setup" _ \
		"$here/run-testkit.sh" "$backend" "$testkit" ${groups[g]} >"$logs/group$g.out" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

printf '%-72s %5s %6s %6s %7s\n' module ok failed errors skipped
cat "$logs"/group*.out | grep -v -E '^(module|TOTAL|logs:) ' | grep -E '^[a-z_.0-9]+ +[0-9]' | sort
awk '/^TOTAL / {ok += $2; f += $3; e += $4; s += $5}
	END {printf "%-72s %5d %6d %6d %7d\n", "TOTAL", ok, f, e, s; exit (f + e) != 0}' "$logs"/group*.out
status=$?
echo "logs: $logs"
exit $status
