# pplx-proxy developer entry points. `make demo` and `make test` are the README's two quick-start commands.
SWIFT_BUILD_FLAGS ?=
BIN_DEBUG := .build/debug/pplx-proxy

.PHONY: deps demo build release test unit e2e bench lint fuzz fuzz-smoke clean

# System libraries (libcurl + OpenSSL headers) and the Python clients used by the end-to-end suite.
deps:
	@bash scripts/install-deps.sh

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

release: deps
	swift build -c release $(SWIFT_BUILD_FLAGS)

# Runs the proxy against the built-in offline emulator (no key needed); OpenAI SDK base_url http://127.0.0.1:8787/v1
demo: build
	$(BIN_DEBUG) serve --demo

# Every test: formatting lint, Swift unit + integration tests, the end-to-end suite against the built binary,
# then the fuzz targets: their seed corpus replayed, and a bounded libFuzzer run (25 s each).
test: build lint
	swift test $(SWIFT_BUILD_FLAGS)
	python3 -m pytest Tests/e2e -q
	.build/debug/HTTPRequestParserFuzzer Fuzz/corpus/http
	.build/debug/StreamFuzzer Fuzz/corpus/stream
	bash scripts/fuzz.sh 25

unit:
	swift test $(SWIFT_BUILD_FLAGS)

e2e: build
	python3 -m pytest Tests/e2e -q

bench: deps
	bash Benchmarks/run.sh

# Long fuzzing runs: FUZZ_SECONDS per target (default 600). Crashes land in fuzz-artifacts/.
fuzz: deps
	bash scripts/fuzz.sh $${FUZZ_SECONDS:-600}

lint:
	swift format lint --strict --recursive Sources Tests Fuzz

clean:
	rm -rf .build
