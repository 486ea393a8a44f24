# boltrx developer targets. `make help` lists them.
GO        ?= go
FUZZTIME  ?= 5m
BENCHTIME ?= 1s
ROUNDS    ?= 5
SCENARIO  ?= all
PKGS      ?= ./...
# The modules of the repository: the driver (.), its test servers and
# end-to-end tests (e2e), the examples, and the side-by-side benchmarks.
MODULES   ?= . e2e examples bench

.PHONY: help demo test test-short bench bench-compare bench-telemetry fuzz lint fmt testkit chaos soak

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

demo: ## run the main demo against the embedded simulated cluster (or NEO4J_URI)
	cd examples && $(GO) run ./demo

test: ## vet and run every test of every module with the race detector (what CI runs)
	@set -e; for m in $(MODULES); do \
		echo "== module $$m"; \
		(cd $$m && $(GO) vet $(PKGS) && $(GO) test -race -count=1 -timeout 15m $(PKGS)); \
	done

test-short: ## quick test run of every module without the race detector
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) test -count=1 $(PKGS)); done

bench: ## micro-benchmarks, then boltrx beside neo4j-go-driver v6 (bench/: server and each driver in separate processes, ROUNDS rounds)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./packstream ./bolt
	cd e2e && $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./graphdb ./generator
	cd bench && $(GO) run . -rounds $(ROUNDS)

bench-telemetry: ## boltrx's latency and Rx streaming with OpenTelemetry off, no-op, drop-all sampler and recording (separate processes)
	cd bench && $(GO) run . -telemetry -rounds $(ROUNDS)

bench-compare: ## only the side-by-side figures (separate processes): make bench-compare ROUNDS=5 SCENARIO=latency,stream-rx,heap
	cd bench && $(GO) run . -rounds $(ROUNDS) -scenario $(SCENARIO)

DURATION      ?= 10m
SEED          ?= 1
POOL_DURATION ?= 1m

chaos: ## load and faults against the simulated cluster (or NEO4J_URI, without faults): make chaos DURATION=10m SEED=n
	cd e2e && $(GO) run ./cmd/chaos -duration $(DURATION) -seed $(SEED)

soak: ## the pool under pressure: 1,000 goroutines on a pool of 50, random deadlines (POOL_DURATION, default 1m)
	cd e2e && $(GO) run ./cmd/chaos -pool -duration $(POOL_DURATION) -seed $(SEED)

fuzz: ## run every fuzz target for FUZZTIME each (default 5m)
	@scripts/fuzz-all.sh $(FUZZTIME)

lint: ## gofmt, go vet and staticcheck, every module
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@set -e; for m in $(MODULES); do \
		echo "== module $$m"; \
		(cd $$m && $(GO) vet $(PKGS) && $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)); \
	done

fmt: ## format all Go files
	gofmt -w $$(git ls-files '*.go')

STATICCHECK_VERSION ?= v0.8.2

TESTKIT_DIR   ?=
TESTKIT_TESTS ?=

testkit: ## run testkit's stub tests against boltrx: make testkit TESTKIT_DIR=/path/to/testkit [TESTKIT_TESTS=tests.stub.x.y] [TESTKIT_JOBS=4]
	@test -n "$(TESTKIT_DIR)" || { echo "set TESTKIT_DIR to a testkit checkout (git clone https://github.com/neo4j-drivers/testkit)"; exit 2; }
	@mkdir -p bin
	cd e2e && $(GO) build -o ../bin/testkit-backend ./testkit-backend
	@if [ "$(TESTKIT_JOBS)" -gt 1 ] 2>/dev/null; then \
		e2e/testkit-backend/run-testkit-parallel.sh $(TESTKIT_JOBS) bin/testkit-backend $(TESTKIT_DIR) $(TESTKIT_TESTS); \
	else \
		e2e/testkit-backend/run-testkit.sh bin/testkit-backend $(TESTKIT_DIR) $(TESTKIT_TESTS); \
	fi
