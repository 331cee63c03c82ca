# Strata: the two commands a fresh machine needs are `make run` and `make test`.
# Both install missing Debian packages themselves (as root, or through sudo).

SWIFT        ?= swift
DATA_DIR     ?= ./data
LISTEN       ?= 127.0.0.1:9201
# Debian packages the build links against.
BUILD_PKGS   := liblz4-dev libsnappy-dev libzstd-dev zlib1g-dev pkg-config
# Debian packages the integration tests start as real peers.
PEER_PKGS    := prometheus prometheus-node-exporter victoria-metrics prometheus-alertmanager
# Debian packages the browser tests of the dashboard use (Selenium comes from PyPI into a venv).
BROWSER_PKGS := chromium chromium-driver python3-venv
BROWSER_VENV := .build/browser-venv

.PHONY: all build release run test test-unit deps peer-deps browser-deps bench bench-check bench-baseline clean-data help fuzz fuzz-build fuzz-seeds

all: build

help:
	@echo "make run    - build (release) and start strata serve on http://$(LISTEN), data in $(DATA_DIR)"
	@echo "make test   - install what is missing, build, run every test"
	@echo "make bench  - benchmark Strata side by side with Prometheus and VictoriaMetrics (bench-results/)"
	@echo "make bench-micro / bench-check - ordo-one micro-benchmarks / check against the stored baseline"
	@echo "make tsan   - build and run the test suites under ThreadSanitizer (.build-tsan; docs/security.md)"
	@echo "make fuzz   - libFuzzer targets of the decoders, FUZZ_SECONDS (default 180) each (docs/fuzzing.md)"

# Installs only what is missing, so repeated runs are fast.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq || true; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_PKGS))

peer-deps:
	$(call apt_install,$(PEER_PKGS))

# Headless Chromium + chromedriver from Debian, Selenium from PyPI in a venv
# (the tests point Selenium at /usr/bin/chromedriver: nothing is downloaded).
browser-deps:
	$(call apt_install,$(BROWSER_PKGS))
	@$(BROWSER_VENV)/bin/python3 -c "import selenium" 2>/dev/null || \
	  { python3 -m venv $(BROWSER_VENV) && $(BROWSER_VENV)/bin/pip install -q selenium; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product strata

run: release
	@mkdir -p $(DATA_DIR)
	@echo "Strata listening on http://$(LISTEN)  (data in $(DATA_DIR))"
	$$($(SWIFT) build -c release --show-bin-path)/strata serve --data-dir $(DATA_DIR) --listen $(LISTEN)

test: deps peer-deps browser-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-unit: deps
	$(SWIFT) test

# ---- Benchmarks (issue #6) -------------------------------------------------
# `make bench`: the offline harness at default scale (node workload, 2,000
# series over 6 h, 2 connections, ~5,000-sample requests) against Strata,
# Prometheus 2.42 and VictoriaMetrics 1.79 from Debian (installed if missing),
# one after the other on 127.0.0.1. Writes $(BENCH_OUT)/results.{md,json} and
# ratios.svg. Extra flags: make bench BENCH_ARGS="--workload churn".
BENCH_OUT  ?= bench-results
BENCH_ARGS ?=
BENCH_BIN   = $$($(SWIFT) build -c release --show-bin-path)/strata

.PHONY: bench-quick bench-micro

bench: deps
	$(SWIFT) build -c release --product strata
	$(BENCH_BIN) bench --output $(BENCH_OUT) $(BENCH_ARGS)

# The same in under 2 minutes (500 series over 2 h, 5 runs per query).
bench-quick: deps
	$(SWIFT) build -c release --product strata
	$(BENCH_BIN) bench --quick --output $(BENCH_OUT) $(BENCH_ARGS)

# ordo-one micro-benchmarks of the hot paths (Benchmarks/, release build).
bench-micro: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

# Records the micro-benchmark baseline `main` that bench-check compares with.
bench-baseline: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark baseline update main

# Runs the micro-benchmarks and fails (exit 2) on a regression beyond the
# thresholds the benchmarks declare, against the stored baseline `main`.
bench-check: deps
	@ls -d Benchmarks/.benchmarkBaselines/*/main >/dev/null 2>&1 || \
	  { echo "no stored baseline 'main' in Benchmarks/.benchmarkBaselines: run 'make bench-baseline' first"; exit 1; }
	cd Benchmarks && $(SWIFT) package benchmark baseline check main

# ---- Fuzzing (issue #7, docs/fuzzing.md) ----------------------------------
# libFuzzer targets of the decoders of untrusted bytes, in the separate
# package Fuzz/ (they only link with -sanitize=fuzzer, so the normal build
# never sees them). `make fuzz` builds them with libFuzzer + AddressSanitizer
# and runs each for FUZZ_SECONDS, one after another; it fails if any target
# finds a crash (the input is in .build-fuzz/artifacts/<target>/). Not part
# of `make test`.
FUZZ_SECONDS  ?= 180
FUZZ_SANITIZE ?= fuzzer,address
FUZZ_BUILD    := .build-fuzz
FUZZ_TARGETS  ?= FuzzRemoteWrite FuzzSnappy FuzzLineProtocol FuzzJSONImport FuzzPromQL FuzzWALRecord FuzzXORChunk FuzzColumnarChunk FuzzRollupChunk
FUZZ_FLAGS     = -c release --package-path Fuzz --build-path $(FUZZ_BUILD) -Xswiftc -sanitize=$(FUZZ_SANITIZE) -Xswiftc -parse-as-library

fuzz-build: deps
	@mkdir -p $(FUZZ_BUILD)/logs
	@for t in $(FUZZ_TARGETS); do \
	  log=$(FUZZ_BUILD)/logs/build-$$t.log; \
	  if $(SWIFT) build $(FUZZ_FLAGS) --product $$t > $$log 2>&1; then tail -1 $$log; \
	  else grep -v -e "unhandled; explicitly declare" -e "CMakeLists.txt" $$log; exit 1; fi; \
	done

fuzz: fuzz-build
	@Fuzz/run.sh "$$($(SWIFT) build $(FUZZ_FLAGS) --show-bin-path)" $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Regenerates the seed corpora in Fuzz/Corpus/ from Strata's own encoders
# (a plain debug build, no sanitizers).
fuzz-seeds: deps
	$(SWIFT) run --package-path Fuzz --build-path $(FUZZ_BUILD)-seeds SeedCorpus Fuzz/Corpus Tests/StrataQueryTests/testdata

clean-data:
	rm -rf $(DATA_DIR)

# ---- ThreadSanitizer (issue #7) --------------------------------------------
# Builds into .build-tsan (from scratch: ~16 min on 2 cores) and runs the
# library suites and the in-process server suites under TSAN; the suites that
# start real processes for minutes are skipped (docs/security.md).
TSAN_SKIP ?= CrashMatrixTests|DurabilityTests|AuditDurabilityTests|DifferentialTests|PrometheusPeerTests|DashboardBrowserTests

.PHONY: tsan

tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --build-path .build-tsan
	$(SWIFT) test --skip-build --sanitize=thread --build-path .build-tsan --skip "$(TSAN_SKIP)"
