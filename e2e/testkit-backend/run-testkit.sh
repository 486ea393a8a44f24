#!/usr/bin/env bash
# Runs testkit's stub tests against boltrx: starts the backend, runs each
# test module in its own unittest process, prints ok/failed/errors/skipped
# per module and in total, and stops the backend.
#
#   run-testkit.sh BACKEND_BINARY TESTKIT_DIR [MODULE ...]
#
# MODULEs are dotted unittest names (tests.stub.session_run.test_session_run
# or a package such as tests.stub.routing); without any, every module under
# tests/stub runs. Environment: TESTKIT_PORT (9876), TESTKIT_DRIVER_NAME (go),
# TESTKIT_PYTHON (/usr/bin/python3), TESTKIT_LOGS (a directory for the
# per-module logs; a temporary one by default), TESTKIT_BACKEND_FLAGS.
set -u

backend=${1:?backend binary}
testkit=${2:?testkit directory}
shift 2
port=${TESTKIT_PORT:-9876}
python=${TESTKIT_PYTHON:-/usr/bin/python3}
logs=${TESTKIT_LOGS:-$(mktemp -d -t testkit-logs.XXXXXX)}
mkdir -p "$logs"

if [ ! -d "$testkit/tests/stub" ]; then
	echo "run-testkit: $testkit is not a testkit checkout (no tests/stub)" >&2
	exit 2
fi
testkit=$(cd "$testkit" && pwd)

# Expand packages and the default into test modules.
modules=()
expand() {
	local path=${1//.//}
	if [ -f "$testkit/$path.py" ]; then
		modules+=("$1")
	elif [ -d "$testkit/$path" ]; then
		while IFS= read -r f; do
			f=${f#"$testkit"/}
			f=${f%.py}
			modules+=("${f//\//.}")
		done < <(find "$testkit/$path" -name 'test_*.py' | sort)
	else
		echo "run-testkit: no test module or package $1" >&2
		exit 2
	fi
}
if [ $# -eq 0 ]; then
	expand tests.stub
else
	for m in "$@"; do expand "$m"; done
fi

# shellcheck disable=SC2086 # the flags are meant to split
"$backend" -addr "127.0.0.1:$port" ${TESTKIT_BACKEND_FLAGS:-} >"$logs/backend.log" 2>&1 &
backend_pid=$!
module_pid=
# On exit (or interruption) stop the backend and the running module with
# the stub servers it started (its own process group).
cleanup() {
	if [ -n "$module_pid" ]; then kill -- "-$module_pid" 2>/dev/null; fi
	kill "$backend_pid" 2>/dev/null
	wait "$backend_pid" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 50); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
	sleep 0.1
done

total_ok=0 total_failed=0 total_errors=0 total_skipped=0
printf '%-72s %5s %6s %6s %7s\n' module ok failed errors skipped
for m in "${modules[@]}"; do
	log="$logs/$m.log"
	(cd "$testkit" && TEST_DRIVER_NAME=${TESTKIT_DRIVER_NAME:-go} TEST_BACKEND_HOST=127.0.0.1 \
		TEST_BACKEND_PORT="$port" TEST_STUB_HOST=127.0.0.1 \
		exec setsid "$python" -m unittest -v "$m") >"$log" 2>&1 &
	module_pid=$!
	wait "$module_pid"
	module_pid=
	ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$log" | tail -1)
	result=$(grep -E '^(OK|FAILED)( \(.*\))?$' "$log" | tail -1)
	count() { echo "$result" | sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }
	failed=$(count failures) errors=$(count errors) skipped=$(count skipped)
	ran=${ran:-0} failed=${failed:-0} errors=${errors:-0} skipped=${skipped:-0}
	if [ -z "$result" ]; then errors=$((errors + 1)); fi # the module did not even load
	ok=$((ran - failed - errors - skipped))
	if [ "$ok" -lt 0 ]; then ok=0; fi # failures count subtests, not tests
	printf '%-72s %5d %6d %6d %7d\n' "${m#tests.stub.}" "$ok" "$failed" "$errors" "$skipped"
	total_ok=$((total_ok + ok)) total_failed=$((total_failed + failed))
	total_errors=$((total_errors + errors)) total_skipped=$((total_skipped + skipped))
done
printf '%-72s %5d %6d %6d %7d\n' TOTAL "$total_ok" "$total_failed" "$total_errors" "$total_skipped"
echo "logs: $logs"
if [ $((total_failed + total_errors)) -ne 0 ]; then exit 1; fi
