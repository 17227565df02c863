# Run `make help` for the list.
SHELL := /bin/bash
GO ?= go
FUNCTION := sign_playback_id
DIST := dist

.PHONY: help dev test lint build-netlify e2e bench bench-ci load fuzz fuzz-ci ci

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

dev: ## run the function locally at http://localhost:8888/.netlify/functions/sign_playback_id
	$(GO) run ./functions/$(FUNCTION)

test: ## run every unit, conformance and wiring test, with the race detector
	$(GO) test -race -count=1 ./...

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./internal/e2e/...
	staticcheck ./...
	staticcheck -tags e2e ./internal/e2e/...

build-netlify: ## cross-build the function exactly as Netlify does, into dist/
	mkdir -p $(DIST)
	cd functions/$(FUNCTION) && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
		$(GO) build -o ../../$(DIST)/bootstrap -ldflags "-s -w" -tags lambda.norpc .
	@ls -l $(DIST)/bootstrap

e2e: ## prove it on the real runtimes: Lambda emulator, Netlify CLI and bundler, headless Chromium
	bash internal/e2e/run.sh

bench: ## benchmarks and cold starts, with the ratios of the performance targets
	bash internal/bench/run.sh

bench-ci: ## run every benchmark briefly (they must run, not meet a time)
	$(GO) test -run '^$$' -bench . -benchtime 20x -benchmem ./...

load: ## bounded load on the local server from a second process
	bash internal/load/run.sh

fuzz: ## run every fuzz target for FUZZTIME each (default 5m)
	bash internal/fuzz/run.sh $${FUZZTIME:-5m}

fuzz-ci: ## run every fuzz target briefly
	bash internal/fuzz/run.sh 20s
