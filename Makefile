# meshbridge — run `make help` for the targets.
GO            ?= go
BIN           := bin/translator
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# Built kube-apiserver and etcd for the controller's integration tests live outside the work tree,
# so that a fresh clone on the same machine (and CI, which caches this folder) reuses them.
ENVTEST_CACHE ?= $(HOME)/.cache/meshbridge/envtest

.PHONY: help build test demo fmt vet update-golden docs envtest bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/translator
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/translator

demo: build ## translate the bundled example (examples/shop) for Gateway API, then for Linkerd
	@echo "### translator convert -f examples/shop/ --to gatewayapi"
	@$(BIN) convert -f examples/shop/ --to gatewayapi --fail-on never
	@echo
	@echo "### translator convert -f examples/shop/ --to linkerd"
	@$(BIN) convert -f examples/shop/ --to linkerd --fail-on never

envtest: ## build (once) the kube-apiserver and etcd the integration tests run against
	@hack/envtest-assets.sh $(ENVTEST_CACHE) >/dev/null

test: vet envtest ## vet, then run every test (unit, golden, fuzz seeds, integration on a real API server)
	KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh $(ENVTEST_CACHE))" $(GO) test -count=1 ./...

vet: ## go vet and a gofmt check
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "run make fmt"; exit 1; }

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

update-golden: ## rewrite golden files (fixtures, docs/findings.md); review the diff as code
	$(GO) test ./... -run 'Fixtures|Golden|Doc' -update

docs: ## regenerate docs/findings.md from the findings catalog
	$(GO) test ./model -run TestFindingsDocIsCurrent -update

bench: ## benchmarks per stage
	@$(MAKE) --no-print-directory build
	$(GO) build -o .cache/bench/floor ./hack/bench/floor
	MESHBRIDGE_BENCH_SIZES=$(BENCH_SIZES) $(GO) test -run '^$$' -bench '$(BENCH_STAGES)' -benchmem -benchtime=$(BENCH_TIME) \
		./cmd/translator > .cache/bench/stages.txt 2>&1; s=$$?; cat .cache/bench/stages.txt; exit $$s
	$(GO) run ./hack/bench/measure -translator $(BIN) -floor .cache/bench/floor -cache .cache/bench/corpus \
		-stages .cache/bench/stages.txt -corpora $(BENCH_CORPORA) -runs $(BENCH_RUNS) -runs-large $(BENCH_RUNS_LARGE) -timeout $(BENCH_TIMEOUT) \
		-budget $(BENCH_BUDGET) $(if $(filter 1,$(BENCH_DOC)),-doc docs/performance.md)
	$(if $(filter 1,$(BENCH_CONTROLLER)),KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh $(ENVTEST_CACHE))" \
		$(GO) run ./hack/bench/controller -translator $(BIN) -istio $(BENCH_CONTROLLER_ISTIO) \
		$(if $(filter 1,$(BENCH_DOC)),-doc docs/performance.md),@echo "controller at scale: not measured (BENCH_CONTROLLER=1 or MESHBRIDGE_BENCH_CONTROLLER=1 to measure it)")

clean:
	rm -rf bin

# Performance (docs/performance.md). `make corpus N=10000 [MIX=vs-ap] [OUT=dir]` writes a generated
# corpus; `make bench` runs the stage benchmarks and measures convert as a whole process against a
# floor (BENCH_DOC=1 also writes the figures into docs/performance.md); BENCH_CONTROLLER=1 (or
# MESHBRIDGE_BENCH_CONTROLLER=1 in the environment) also measures `translator run` on a real API server.
N                ?= 10000
MIX              ?= mixed
OUT              ?= .cache/corpus/$(MIX)-$(N)
BENCH_SIZES      ?= 1000,10000
BENCH_STAGES     ?= Load|Read|Write|Print
BENCH_TIME       ?= 1x
BENCH_CORPORA    ?= mixed:10000,vs-ap:40000,mixed:100000
BENCH_RUNS       ?= 3
BENCH_RUNS_LARGE ?= 1
BENCH_TIMEOUT    ?= 60s
BENCH_BUDGET     ?= 8m
BENCH_DOC        ?=
BENCH_CONTROLLER ?= $(MESHBRIDGE_BENCH_CONTROLLER)
BENCH_CONTROLLER_ISTIO ?= 10000

.PHONY: corpus
corpus: ## write a generated corpus: make corpus N=10000 [MIX=mixed|vs-ap] [OUT=.cache/corpus/MIX-N]
	$(GO) run ./hack/corpusgen/cmd/corpusgen -n $(N) -mix $(MIX) -out $(OUT)
