# Qinxue (勤学): the two commands a newcomer needs are `make run` and `make test` (README.md).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

# cargo-installed tools (trunk, wasm-bindgen) and npm's wasm-opt (binaryen 132; Debian's is
# too old, see TOOLCHAIN.md) must come first on the PATH so that Trunk, offline, finds them.
export PATH := $(CURDIR)/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

.PHONY: tools test-tools web server-release run cluster test fmt clean bench fuzz crash-test lighthouse

# Installs only what is missing: rustup target, trunk, wasm-bindgen-cli, npm packages, brotli;
# test-tools adds Chromium, PostgreSQL and HAProxy, which only the tests need.
tools:
	scripts/install-tools.sh

test-tools:
	scripts/install-tools.sh test

# Trunk runs cargo --offline (Trunk.toml), so the crates must be in the local registry first.
# The trainee bundle first: its build empties dist/, the admin bundle then goes in dist/admin/.
# The wasm build has a target folder of its own, so that it never waits for the lock of a
# server build running beside it (`make run`).
define build-web
	cargo fetch
	CARGO_TARGET_DIR=target/web trunk build --release
	CARGO_TARGET_DIR=target/web trunk build admin.html --release --dist dist/admin --public-url /admin/
	CARGO_TARGET_DIR=target/web trunk build certificates.html --release --dist dist/certificates --public-url /certificates/
	CARGO_TARGET_DIR=target/web trunk build room.html --release --dist dist/room --public-url /room/
	CARGO_TARGET_DIR=target/web trunk build welcome.html --release --dist dist/welcome --public-url /welcome/
	scripts/page-weight.sh dist
endef

# Release build of the front-end bundles into dist/, then the first visit's page weight (the
# visitors' bundle, dist/welcome; fails over its budget, scripts/page-weight.sh says why).
web: tools
	$(build-web)

# Builds everything and starts the server with demo data; it prints its URL and the demo logins.
# The payment platform's simulator (paysim/PROTOCOL.md) runs beside it on 127.0.0.1:8090 with
# the default secret, which are the server's defaults too, and stops when the server stops.
# The server's release build runs beside the tools' installation and the wasm build: on a
# fresh machine that overlap is most of what keeps the first `make run` short.
run:
	$(MAKE) --no-print-directory -j2 web server-release
	PAYSIM_ADDR=127.0.0.1:8090 PAYSIM_SECRET=paysim-dev-secret target/release/qinxue-paysim & \
	  sim=$$!; trap 'kill $$sim 2>/dev/null || true' EXIT; \
	  QINXUE_DEMO=1 target/release/qinxue-server

server-release:
	cargo build --release -p qinxue-server -p qinxue-paysim

# Scaled out (issue 15, scripts/cluster.sh): two release instances on one throw-away PostgreSQL
# behind HAProxy (round-robin, no stickiness), with demo data and the payment simulator beside;
# prints the balancer's URL (CLUSTER_PORT, default 8080) and the demo logins; Ctrl-C stops it.
cluster:
	scripts/install-tools.sh cluster
	$(MAKE) --no-print-directory -j2 web server-release
	scripts/cluster.sh

# Everything CI checks, in order, stopping at the first failure.
test: test-tools
	cargo fmt --all --check
	python3 content/check.py
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace
	scripts/with-postgres.sh cargo test -p qinxue-server --test api
	cargo build --release -p qinxue-server -p qinxue-paysim
	scripts/cluster.sh --test python3 scripts/cluster-test.py
	scripts/fuzz.sh --short
	$(build-web)
	scripts/e2e.sh

# Heartbeat benchmark (issues 3 and 15, README "Benchmark"): the release server on SQLite with
# 1,000,000 simulated learners, loaded from a separate process on loopback; prints a report and
# fails when a target is missed. Options: make bench BENCH_ARGS="--learners 600000";
# BENCH_ARGS=--postgres runs the heartbeats on PostgreSQL with one, then two instances. Then the
# reports run of issue 11 (300,000 trainees, 10 million study records) on SQLite and on a
# throw-away PostgreSQL; BENCH_ARGS="--only reports" runs that alone.
bench:
	cargo build --release -p qinxue-server -p qinxue-bench
	scripts/with-postgres.sh target/release/qinxue-bench $(BENCH_ARGS)

# Crash test (issue 13, scripts/crash-test.sh, OPERATIONS.md): SIGKILLs of the release server
# under load on SQLite, then on PostgreSQL; about 5 minutes each. CRASH_ARGS="--kills 40".
crash-test:
	scripts/crash-test.sh $(CRASH_ARGS)

# Schemathesis against the running release server's OpenAPI document, anonymous and as each
# demo role (issue 13, scripts/fuzz.sh); prints cases and failures per role. More cases:
# make fuzz FUZZ_EXAMPLES=500; another seed: FUZZ_SEED=7.
fuzz:
	scripts/install-tools.sh fuzz
	cargo build --release -p qinxue-server -p qinxue-paysim
	scripts/fuzz.sh

# Lighthouse's mobile preset on the home page, 选课 and 我的学习 of the release server with demo
# data (issue 14, scripts/lighthouse.sh); prints accessibility and performance, and fails below
# 100 and 95. Uses the front end in dist/ as built (`make web` first).
lighthouse:
	scripts/install-tools.sh lighthouse
	cargo build --release -p qinxue-server
	scripts/lighthouse.sh

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf dist tests/e2e/artifacts
