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
# testkit writes the stub scripts it fills in to fixed names in the temp
# directory (reader.script, ...): runs side by side must not share one.
scratch=$(mktemp -d -t testkit-tmp.XXXXXX)
export TMPDIR=$scratch

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
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 50); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
	sleep 0.1
done

# runner runs one module like `python -m unittest -v` and then prints the
# outcome per test method (not per subtest): an error in any subtest makes
# the test an error, else a failure makes it failed; a test skipped before
# running any subtest is skipped.
runner='
import sys, unittest
rank = {"ok": 0, "skipped": 1, "failed": 2, "errors": 3}
class Result(unittest.TextTestResult):
    outcome = {}
    def mark(self, test, kind):
        key = test.id() if not hasattr(test, "test_case") else test.test_case.id()
        if rank[kind] >= rank[self.outcome.get(key, "ok")]:
            self.outcome[key] = kind
    def startTest(self, test):
        self.outcome.setdefault(test.id(), "ok")
        super().startTest(test)
    def addError(self, test, err):
        self.mark(test, "errors"); super().addError(test, err)
    def addFailure(self, test, err):
        self.mark(test, "failed"); super().addFailure(test, err)
    def addSkip(self, test, reason):
        key = test.id() if not hasattr(test, "test_case") else test.test_case.id()
        if self.outcome.get(key, "ok") == "ok" and not hasattr(test, "test_case"):
            self.outcome[key] = "skipped"
        super().addSkip(test, reason)
    def addSubTest(self, test, subtest, err):
        if err is not None:
            self.mark(test, "errors" if not issubclass(err[0], test.failureException) else "failed")
        super().addSubTest(test, subtest, err)
suite = unittest.defaultTestLoader.loadTestsFromName(sys.argv[1])
result = unittest.TextTestRunner(resultclass=Result, verbosity=2, stream=sys.stdout).run(suite)
counts = [sum(1 for v in Result.outcome.values() if v == k) for k in ("ok", "failed", "errors", "skipped")]
print("TESTKIT-COUNTS", *counts)
'

total_ok=0 total_failed=0 total_errors=0 total_skipped=0
printf '%-72s %5s %6s %6s %7s\n' module ok failed errors skipped
for m in "${modules[@]}"; do
	log="$logs/$m.log"
	(cd "$testkit" && TEST_DRIVER_NAME=${TESTKIT_DRIVER_NAME:-go} TEST_BACKEND_HOST=127.0.0.1 \
		TEST_BACKEND_PORT="$port" TEST_STUB_HOST=127.0.0.1 \
		exec setsid "$python" -c "$runner" "$m") >"$log" 2>&1 &
	module_pid=$!
	wait "$module_pid"
	module_pid=
	counts=$(sed -n 's/^TESTKIT-COUNTS //p' "$log" | tail -1)
	if [ -z "$counts" ]; then counts="0 0 1 0"; fi # the module did not run to its end
	read -r ok failed errors skipped <<<"$counts"
	printf '%-72s %5d %6d %6d %7d\n' "${m#tests.stub.}" "$ok" "$failed" "$errors" "$skipped"
	total_ok=$((total_ok + ok)) total_failed=$((total_failed + failed))
	total_errors=$((total_errors + errors)) total_skipped=$((total_skipped + skipped))
done
printf '%-72s %5d %6d %6d %7d\n' TOTAL "$total_ok" "$total_failed" "$total_errors" "$total_skipped"
echo "logs: $logs"
if [ $((total_failed + total_errors)) -ne 0 ]; then exit 1; fi
