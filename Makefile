# rspcheck — see README.md. `make test` is what CI runs.
SHELL := /bin/bash
GO ?= go
SCHEMAS_FROM ?=
SCHEMAS_DIR ?= schemas/official
FUZZTIME ?= 10s
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all schemas build test unit lint fuzz bench run clean check-schemas soak images containers containers-deps

all: lint test

## schemas: install the official XSDs into $(SCHEMAS_DIR) (from SCHEMAS_FROM, else the canonical URLs), sha256-checked, erratum applied
schemas:
	SCHEMAS_FROM="$(SCHEMAS_FROM)" SCHEMAS_DIR="$(SCHEMAS_DIR)" bash schemas/install.sh

check-schemas:
	@test -f $(SCHEMAS_DIR)/catalog.xml || { echo "schemas are not installed: run 'make schemas' (SCHEMAS_FROM=../shared/schemas for an offline copy)"; exit 1; }

## build: both binaries into bin/ (rsppeer is pure Go, CGO_ENABLED=0)
build:
	mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/rspcheck ./cmd/rspcheck
	@if [ -d cmd/rsppeer ] && ls cmd/rsppeer/*.go >/dev/null 2>&1; then \
	  echo "CGO_ENABLED=0 $(GO) build -o bin/rsppeer ./cmd/rsppeer"; \
	  CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/rsppeer ./cmd/rsppeer; \
	else echo "rsppeer: not built yet (issue #4)"; fi

## test: what CI runs: lint, unit tests with the race detector (the container adapter's tests,
## which drive Docker, without it), the fixture cross-checks, then `make containers`
test: check-schemas lint
	RSPCHECK_SCHEMAS=$(CURDIR)/$(SCHEMAS_DIR) $(GO) test -race -count=1 $$($(GO) list ./... | grep -v '/container$$')
	RSPCHECK_SCHEMAS=$(CURDIR)/$(SCHEMAS_DIR) TESTCONTAINERS_RYUK_DISABLED=true $(GO) test -count=1 -timeout 15m ./container/
	# allocation pins cannot run under the race detector (sync.Pool drops items there)
	$(GO) test -count=1 -run 'Allocs' ./internal/xmlsec/c14n/
	bash fixtures/check.sh $(SCHEMAS_DIR)
	$(MAKE) containers

## soak: the kill -9 crash test with 100 iterations (make test runs 20)
soak:
	RSPCHECK_SOAK_ITERATIONS=100 $(GO) test -count=1 -timeout 30m -run '^TestCrash' -v ./cmd/rsppeer/

## images: the rsppeer (FROM scratch) and gSOAP 2.8.124 (FROM scratch) images, built locally
images: containers-deps
	bash container/build-images.sh

containers-deps:
	bash container/thirdparty/gsoap/deps.sh

## containers: the suite against both images in both roles, and the interop matrix;
## reports in reports/containers/{rsppeer,rsppeer-initiator,gsoap,gsoap-client}/ and matrix.md.
## rsppeer must pass every MUST; gSOAP must respect its baseline (exit 0 either way).
CONTAINER_ENV = RSPCHECK_SCHEMAS=$(CURDIR)/$(SCHEMAS_DIR) TESTCONTAINERS_RYUK_DISABLED=true
containers: build check-schemas containers-deps
	$(CONTAINER_ENV) ./bin/rspcheck run --sut container/rsppeer/sut.yaml --report-dir reports/containers/rsppeer
	$(CONTAINER_ENV) ./bin/rspcheck run --sut container/rsppeer/sut-initiator.yaml --report-dir reports/containers/rsppeer-initiator
	$(CONTAINER_ENV) ./bin/rspcheck run --sut container/thirdparty/gsoap/sut.yaml --report-dir reports/containers/gsoap
	$(CONTAINER_ENV) ./bin/rspcheck run --sut container/thirdparty/gsoap/sut-client.yaml --report-dir reports/containers/gsoap-client
	$(CONTAINER_ENV) ./bin/rspcheck interop --report-dir reports/containers

## lint: gofmt, go vet, and the layer check (imports point down, libraries confined)
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go' 2>/dev/null)); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run ./tools/layercheck

## fuzz: a short run of every fuzz target (FUZZTIME each)
fuzz: check-schemas
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "== $$pkg $$t"; RSPCHECK_SCHEMAS=$(CURDIR)/$(SCHEMAS_DIR) $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

## bench: the benchmarks quoted in README
bench: check-schemas
	RSPCHECK_SCHEMAS=$(CURDIR)/$(SCHEMAS_DIR) $(GO) test -run '^$$' -bench . -benchmem ./schemas/ ./internal/... ./peer/ ./cmd/...

## run: the conformance suite on the embedded reference peers (both roles, profile P11, SOAP 1.2);
## reports in reports/ (index.html, junit.xml, conformance.md/.json, report.json). RUNFLAGS adds flags.
run: build check-schemas
	RSPCHECK_SCHEMAS=$(CURDIR)/$(SCHEMAS_DIR) ./bin/rspcheck run --report-dir reports $(RUNFLAGS)

clean:
	rm -rf bin
