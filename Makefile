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

demo: build ## translate the bundled example (examples/shop) for Gateway API and for SMI (OSM)
	@echo "### translator convert -f examples/shop/ --to gatewayapi"
	@$(BIN) convert -f examples/shop/ --to gatewayapi --fail-on never
	@echo
	@echo "### translator convert -f examples/shop/ --to smi --mesh osm"
	@$(BIN) convert -f examples/shop/ --to smi --mesh osm --fail-on never

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
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
