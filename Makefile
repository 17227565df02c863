# Run `make help` for the list.
SHELL := /bin/bash
GO ?= go
FUNCTION := sign_playback_id
DIST := dist

.PHONY: help dev test flake lint build-netlify e2e bench bench-ci load fuzz fuzz-ci ci

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

dev: ## run the function locally at http://localhost:8888/.netlify/functions/sign_playback_id
	@echo "make dev: compiling the function and its local server; the first run can take up to a couple of minutes."
	$(GO) run ./functions/$(FUNCTION)

test: ## run every unit, conformance and wiring test, with the race detector (both builds of the function)
	$(GO) test -race -count=1 ./...
	$(GO) test -race -count=1 -tags lambda.norpc ./functions/...

flake: ## RUNS fresh-process runs of every unit-test package (default 200)
	bash internal/flake/run.sh $${RUNS:-200}

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./internal/e2e/...
	$(GO) vet -tags lambda.norpc ./functions/...
	staticcheck ./...
	staticcheck -tags e2e ./internal/e2e/...
	staticcheck -tags lambda.norpc ./functions/...

build-netlify: ## cross-build the function exactly as Netlify does, into dist/, and check it is the function only
	GO=$(GO) bash internal/bench/build-netlify.sh $(DIST)

e2e: ## prove it on the real runtimes: Lambda emulator, Netlify CLI and bundler, headless Chromium
	bash internal/e2e/run.sh

bench: ## benchmarks and cold starts, with the ratios of the performance targets
	bash internal/bench/run.sh

bench-ci: ## run every benchmark briefly (they must run, not meet a time), and a short edge-cache simulation
	$(GO) test -run '^$$' -bench . -benchtime 20x -benchmem ./...
	$(GO) run ./internal/bench/cdnsim -views 20000 -ids 100

load: ## bounded load on the local server from a second process
	bash internal/load/run.sh

fuzz: ## run every fuzz target for FUZZTIME each (default 5m)
	bash internal/fuzz/run.sh $${FUZZTIME:-5m}

fuzz-ci: ## run every fuzz target briefly (FUZZTIME each, default 20s)
	bash internal/fuzz/run.sh $${FUZZTIME:-20s}

ci: ## run the whole CI, as .ci/run does on a fresh clone
	bash .ci/run
