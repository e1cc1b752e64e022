# LabelAssign: `make run` runs the main job, `make test` the test suite.
SWIFT ?= swift
BIN := .build/release/labelassign
LIBDIR := .build/release
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test run bench lib clean

## deps: install OpenBLAS when it is missing (Debian/Ubuntu).
deps:
	@if pkg-config --exists openblas 2>/dev/null; then \
		echo "deps: OpenBLAS present"; \
	else \
		echo "deps: installing libopenblas-dev pkg-config"; \
		$(SUDO) apt-get update -qq || true; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev pkg-config; \
	fi

## build: release build of the library and the command-line tool.
build: deps
	$(SWIFT) build -c release

## test: the whole test suite (unit, conformance against Tests/Fixtures, bad input), then the C library check.
test: deps
	$(SWIFT) test -c release
	$(MAKE) lib

## run: the main job, a comparison of the assigners on a built-in workload.
run: build
	$(BIN) compare --workload coco --images 64 --report report
	@echo "open report/index.html for the charts and one scene's assignments"

## bench: the benchmark suite (Benchmarks/, package-benchmark: wall time and mallocs per assigner and size).
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

## lib: the C ABI as a shared library exporting only la_* ($(LIBDIR)/liblabelassign_c.so), and the C example.
lib: deps
	$(SWIFT) build -c release --product labelassign_c \
		-Xlinker --version-script=$(CURDIR)/Sources/LabelAssignCABI/labelassign.map
	@extra=$$(nm -D --defined-only $(LIBDIR)/liblabelassign_c.so | awk '$$2 ~ /^[TDBRVWi]$$/ && $$3 !~ /^la_/ {print $$3}'); \
		if [ -n "$$extra" ]; then echo "lib: symbols besides la_* exported:"; echo "$$extra" | head; exit 1; fi; \
		echo "lib: exports only la_* ($$(nm -D --defined-only $(LIBDIR)/liblabelassign_c.so | awk '$$3 ~ /^la_/' | wc -l) symbols)"
	cc -O2 -o $(LIBDIR)/labelassign-example examples/c/example.c -ISources/LabelAssignCABI/include \
		-L$(LIBDIR) -llabelassign_c -Wl,-rpath,$(CURDIR)/$(LIBDIR)
	$(LIBDIR)/labelassign-example

clean:
	rm -rf .build Benchmarks/.build report
