# LabelAssign: `make run` runs the main job, `make test` the test suite.
SWIFT ?= swift
BIN := .build/release/labelassign
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test run bench lib clean

## deps: install OpenBLAS and LAPACKE headers when they are missing (Debian/Ubuntu).
deps:
	@if pkg-config --exists openblas 2>/dev/null && [ -f /usr/include/lapacke.h ]; then \
		echo "deps: OpenBLAS and LAPACKE present"; \
	else \
		echo "deps: installing libopenblas-dev liblapacke-dev"; \
		$(SUDO) apt-get update -qq || true; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev liblapacke-dev pkg-config; \
	fi

## build: release build of the library and the command-line tool.
build: deps
	$(SWIFT) build -c release

## test: the whole test suite (unit, conformance against Tests/Fixtures, bad input).
test: deps
	$(SWIFT) test -c release

## run: the main job, a comparison of the assigners on a built-in workload.
run: build
	$(BIN) compare --workload coco --images 64 --report report
	@echo "open report/index.html for the charts and one scene's assignments"

## bench: the benchmark suite (Benchmarks/, package-benchmark: wall time and mallocs per assigner and size).
bench: deps
	@if [ -f Benchmarks/Package.swift ]; then cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark; \
	else echo "bench: no Benchmarks/Package.swift yet"; fi

## lib: the C ABI as a shared library (.build/release/liblabelassign_c.so) and the C example.
lib: deps
	$(SWIFT) build -c release --product labelassign_c
	cc -O2 -o .build/release/labelassign-example examples/c/example.c -ISources/LabelAssignC/include \
		-L.build/release -llabelassign_c -Wl,-rpath,$(CURDIR)/.build/release
	.build/release/labelassign-example

clean:
	rm -rf .build Benchmarks/.build report
