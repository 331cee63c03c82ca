# Strata: the two commands a fresh machine needs are `make run` and `make test`.
# Both install missing Debian packages themselves (as root, or through sudo).

SWIFT        ?= swift
DATA_DIR     ?= ./data
LISTEN       ?= 127.0.0.1:9201
# Debian packages the build links against.
BUILD_PKGS   := liblz4-dev libsnappy-dev libzstd-dev pkg-config
# Debian packages the integration tests start as real peers.
PEER_PKGS    := prometheus prometheus-node-exporter victoria-metrics prometheus-alertmanager

.PHONY: all build release run test test-unit deps peer-deps bench bench-check bench-baseline clean-data help

all: build

help:
	@echo "make run    - build (release) and start strata serve on http://$(LISTEN), data in $(DATA_DIR)"
	@echo "make test   - install what is missing, build, run every test"
	@echo "make bench  - micro-benchmarks (release)"

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

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product strata

run: release
	@mkdir -p $(DATA_DIR)
	@echo "Strata listening on http://$(LISTEN)  (data in $(DATA_DIR))"
	$$($(SWIFT) build -c release --show-bin-path)/strata serve --data-dir $(DATA_DIR) --listen $(LISTEN)

test: deps peer-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-unit: deps
	$(SWIFT) test

bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

bench-baseline: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark baseline update main

bench-check: deps
	cd Benchmarks && $(SWIFT) package benchmark baseline check main

clean-data:
	rm -rf $(DATA_DIR)
