# LabelAssign: `make run` runs the main job, `make test` the test suite.
SWIFT ?= swift
BIN := .build/release/labelassign
LIBDIR := .build/release
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test run bench lib lib-build install fuzz fuzz-build clean python-test python-install-check wheel wheel-check python-bench
.PHONY: test-integrations

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

## test: the whole test suite (unit, conformance against Tests/Fixtures, bad input), then the C library check,
## the Python package's tests and the wheel check.
test: deps
	$(SWIFT) test -c release
	$(MAKE) lib
	$(MAKE) python-test
	$(MAKE) wheel

## run: the main job, a comparison of the assigners on a built-in workload.
run: build
	$(BIN) compare --workload coco --images 64 --report report
	@echo "open report/index.html for the charts and one scene's assignments"

## bench: the benchmark suite (Benchmarks/, package-benchmark: wall time and mallocs per assigner and size).
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

## lib: the C ABI as a shared library ($(LIBOUT)/liblabelassign.so, SONAME liblabelassign.so.$(SOVERSION),
## Swift runtime linked in statically, linked by lld so that `nm -D` shows only the la_* functions), the C examples built against an installed
## prefix through pkg-config, the small-stack check (la_assign_json on a 64 KiB thread with deep
## nesting, hostile counts), examples/c/assign.c against `labelassign assign` for every preset on
## fixture scenes (tools/c_assign_check.py), and the C++ example (examples/cpp/raii.cpp).
# The symbols of labelassign.h, sorted: `lib` checks that the library exports exactly these.
LIB_SYMBOLS := la_assign la_assign_batch la_assign_json la_assigner_create la_assigner_describe la_assigner_free la_assigner_names la_assigner_outputs la_emd la_emd2 la_free la_linear_sum_assignment la_overlap_matrix la_sinkhorn la_sinkhorn_fixed la_version
LIBBUILD := .build/lib
LIBOUT := $(LIBBUILD)/out
VERSION := $(shell sed -n 's/^\#define LA_VERSION_STRING "\(.*\)"/\1/p' Sources/LabelAssignCABI/include/labelassign.h)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))
SONAME := liblabelassign.so.$(SOVERSION)
PREFIX ?= /usr/local
CHECK_PREFIX := $(CURDIR)/$(LIBBUILD)/check-prefix

lib-build: deps
	$(SWIFT) build -c release --scratch-path $(LIBBUILD) --product labelassign_c -Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
		-Xlinker --version-script=$(CURDIR)/Sources/LabelAssignCABI/labelassign.map -Xlinker -soname -Xlinker $(SONAME)
	mkdir -p $(LIBOUT)
	cp $(LIBBUILD)/release/liblabelassign_c.so $(LIBOUT)/liblabelassign.so.$(VERSION)
	strip --strip-unneeded $(LIBOUT)/liblabelassign.so.$(VERSION)
	ln -sf liblabelassign.so.$(VERSION) $(LIBOUT)/$(SONAME)
	ln -sf $(SONAME) $(LIBOUT)/liblabelassign.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' Sources/LabelAssignCABI/labelassign.pc.in > $(LIBOUT)/labelassign.pc

lib: lib-build
	@so=$(LIBOUT)/liblabelassign.so.$(VERSION); \
		extra=$$(nm -D --defined-only $$so | awk '$$3 !~ /^la_/ {print $$3}'); \
		if [ -n "$$extra" ]; then echo "lib: symbols besides la_* exported:"; echo "$$extra" | head; exit 1; fi; \
		exported=$$(nm -D --defined-only $$so | awk '$$3 ~ /^la_/ {print $$3}' | sort | tr '\n' ' '); \
		if [ "$$exported" != "$(LIB_SYMBOLS) " ]; then echo "lib: exports '$$exported', expected '$(LIB_SYMBOLS) '"; exit 1; fi; \
		if readelf -d $$so | grep -q 'NEEDED.*libswift'; then echo "lib: the Swift runtime is not linked in"; readelf -d $$so | grep NEEDED; exit 1; fi; \
		readelf -d $$so | grep -q "SONAME.*\[$(SONAME)\]" || { echo "lib: SONAME is not $(SONAME)"; exit 1; }; \
		echo "lib: $$so exports only la_* ($$(nm -D --defined-only $$so | awk '$$3 ~ /^la_/' | wc -l) symbols), SONAME $(SONAME), needs: $$(readelf -d $$so | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
	rm -rf $(CHECK_PREFIX)
	$(MAKE) --no-print-directory install PREFIX=$(CHECK_PREFIX)
	cc -O2 -o $(LIBOUT)/labelassign-example examples/c/example.c \
		$$(PKG_CONFIG_PATH=$(CHECK_PREFIX)/lib/pkgconfig pkg-config --cflags --libs labelassign)
	$(LIBOUT)/labelassign-example
	cc -O2 -pthread -o $(LIBOUT)/labelassign-small-stack examples/c/small_stack.c \
		$$(PKG_CONFIG_PATH=$(CHECK_PREFIX)/lib/pkgconfig pkg-config --cflags --libs labelassign)
	$(LIBOUT)/labelassign-small-stack
	cc -std=c99 -Wall -Wextra -pedantic -O2 -o $(LIBOUT)/assign examples/c/assign.c \
		$$(PKG_CONFIG_PATH=$(CHECK_PREFIX)/lib/pkgconfig pkg-config --cflags --libs labelassign)
	$(SWIFT) build -c release --product labelassign
	python3 tools/c_assign_check.py $(BIN) $(LIBOUT)/assign Tests/Fixtures
	c++ -std=c++17 -Wall -Wextra -O2 -o $(LIBOUT)/raii examples/cpp/raii.cpp \
		$$(PKG_CONFIG_PATH=$(CHECK_PREFIX)/lib/pkgconfig pkg-config --cflags --libs labelassign)
	$(LIBOUT)/raii

## install: the header, the shared library (with its SONAME links) and labelassign.pc under PREFIX
## (default /usr/local): `make install PREFIX=$$HOME/.local`.
install: lib-build
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 Sources/LabelAssignCABI/include/labelassign.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(LIBOUT)/liblabelassign.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf liblabelassign.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/liblabelassign.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' Sources/LabelAssignCABI/labelassign.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/labelassign.pc
	@echo "install: $(PREFIX)/lib/liblabelassign.so.$(VERSION) (needs libopenblas.so.0), include/labelassign.h, lib/pkgconfig/labelassign.pc"

## fuzz: the libFuzzer target (Fuzz/) for FUZZ_SECONDS (default 60) on FUZZ_JOBS jobs (default 1):
## scene parser, problem-file parser, la_assign_json / la_assign / la_overlap_matrix per preset family.
## New crashers land in Fuzz/crashes/ (keep them: `make test` replays that directory and Fuzz/corpus/).
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
FUZZ_MAX_LEN ?= 4096
FUZZ_BUILD := .build/fuzz
FUZZ_BIN := $(FUZZ_BUILD)/release/labelassign-fuzz
FUZZ_SWIFTC := $(shell dirname "$$(command -v $(SWIFT))")/swiftc

fuzz-build: deps
	$(SWIFT) build -c release --scratch-path $(FUZZ_BUILD) --target LabelAssignCABI \
		-Xswiftc -sanitize=fuzzer -Xcc -fsanitize=fuzzer-no-link
	$(FUZZ_SWIFTC) -O -sanitize=fuzzer -parse-as-library -module-name LabelAssignFuzz \
		Fuzz/FuzzMain.swift Tests/LabelAssignTests/Hardening/HardeningFuzzEntry.swift \
		-I $(FUZZ_BUILD)/release/Modules -I Sources/CBLAS \
		-Xcc -fmodule-map-file=$(FUZZ_BUILD)/release/_LabelAssignKernels.build/module.modulemap \
		-Xcc -ISources/_LabelAssignKernels/include \
		$(FUZZ_BUILD)/release/LabelAssign.build/*.o $(FUZZ_BUILD)/release/LabelAssignIO.build/*.o \
		$(FUZZ_BUILD)/release/LabelAssignCABI.build/*.o $(FUZZ_BUILD)/release/_LabelAssignKernels.build/*.o \
		-lopenblas -o $(FUZZ_BIN)

fuzz: fuzz-build
	mkdir -p $(FUZZ_BUILD)/corpus Fuzz/crashes
	SWIFT_BACKTRACE=enable=no $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) $(if $(filter-out 1,$(FUZZ_JOBS)),-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)) -max_len=$(FUZZ_MAX_LEN) \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=Fuzz/crashes/ \
		-dict=Fuzz/json.dict $(FUZZ_BUILD)/corpus Fuzz/corpus

## python-test: the Python package's tests (python/tests, pytest) against the library of lib-build,
## then `pip install ./python` into a fresh venv and a fixture check of the installed package.
## The test venv (numpy, pytest pinned in python/requirements-test.txt) is cached outside the
## clone, keyed by that file's hash, and built from nothing when absent.
PYTHON ?= python3
PY_CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/labelassign
PY_TEST_VENV := $(PY_CACHE)/venv-$(shell sha256sum python/requirements-test.txt | cut -c1-16)
PY_WHEEL_VENV := $(PY_CACHE)/venv-wheel-$(shell sha256sum python/requirements-wheel.txt | cut -c1-16)
PY_LIB := $(CURDIR)/$(LIBOUT)/liblabelassign.so
PY_SCRATCH := $(CURDIR)/.build/python
# PATH without the Swift toolchain's directory (the wheel check installs where no Swift is).
NO_SWIFT_PATH := $(shell printf '%s' "$$PATH" | tr ':' '\n' | grep -v -x -F "$$(dirname "$$(command -v $(SWIFT) 2>/dev/null || echo /nonexistent/x)")" | paste -sd:)

# .complete is written last: a venv whose install was cut short is made again.
define make-venv
	rm -rf $(@D)
	$(PYTHON) -m venv $(@D)
	$(@D)/bin/python -m pip install -q --disable-pip-version-check -r $<
	touch $@
endef
$(PY_TEST_VENV)/.complete: python/requirements-test.txt
	$(make-venv)
$(PY_WHEEL_VENV)/.complete: python/requirements-wheel.txt
	$(make-venv)

python-test: lib-build $(PY_TEST_VENV)/.complete
	cd python && LABELASSIGN_LIB=$(PY_LIB) PYTHONPATH=$(CURDIR)/python $(PY_TEST_VENV)/bin/python -m pytest -q tests
	$(MAKE) --no-print-directory python-install-check

## test-integrations: the labelassign.torch drop-in tests (python/tests/torch) against the real
## trainers pinned in python/requirements-integrations.txt (ultralytics, torch), DETR's matcher
## (vendored in python/tests/torch/third_party), two gloo ranks and forked DataLoader workers. The
## venv is cached outside the clone, keyed by that file's hash (its first install takes minutes).
PY_INTEGRATIONS_VENV := $(PY_CACHE)/venv-integrations-$(shell sha256sum python/requirements-integrations.txt | cut -c1-16)
$(PY_INTEGRATIONS_VENV)/.complete: python/requirements-integrations.txt
	$(make-venv)

test-integrations: lib-build $(PY_INTEGRATIONS_VENV)/.complete
	cd python && LABELASSIGN_LIB=$(PY_LIB) PYTHONPATH=$(CURDIR)/python $(PY_INTEGRATIONS_VENV)/bin/python -m pytest -q tests/torch

python-install-check: lib-build
	rm -rf $(PY_SCRATCH)/install-venv python/build python/labelassign.egg-info
	$(PYTHON) -m venv $(PY_SCRATCH)/install-venv
	env -u LABELASSIGN_LIB $(PY_SCRATCH)/install-venv/bin/python -m pip install -q --disable-pip-version-check ./python
	cd $(PY_SCRATCH) && env -u LABELASSIGN_LIB install-venv/bin/python $(CURDIR)/python/tests/check_installed.py $(CURDIR)/Tests/Fixtures
	@# Every preset's fixtures through the installed package (the tests copied out of the checkout).
	$(PY_SCRATCH)/install-venv/bin/python -m pip install -q --disable-pip-version-check -r python/requirements-test.txt
	rm -rf $(PY_SCRATCH)/installed-tests && mkdir -p $(PY_SCRATCH)/installed-tests
	cp python/tests/fixtures.py python/tests/test_presets.py $(PY_SCRATCH)/installed-tests/
	cd $(PY_SCRATCH)/installed-tests && env -u LABELASSIGN_LIB LABELASSIGN_FIXTURES=$(CURDIR)/Tests/Fixtures \
		../install-venv/bin/python -m pytest -q -p no:cacheprovider test_presets.py

## wheel: dist/labelassign-*.whl, a manylinux wheel carrying the library (the Swift runtime is linked
## into it; OpenBLAS and its runtime libraries bundled by auditwheel), then wheel-check.
wheel: lib-build $(PY_WHEEL_VENV)/.complete
	rm -rf $(PY_SCRATCH)/wheel-raw python/build python/labelassign.egg-info
	mkdir -p dist
	rm -f dist/labelassign-*.whl
	LABELASSIGN_BUNDLE=$(CURDIR)/$(LIBOUT)/liblabelassign.so.$(VERSION) $(PY_WHEEL_VENV)/bin/python -m pip wheel -q --no-deps \
		--no-build-isolation --disable-pip-version-check -w $(PY_SCRATCH)/wheel-raw ./python
	@# The most compatible manylinux tag the library's symbol versions allow (auditwheel show).
	raw=$$(ls $(PY_SCRATCH)/wheel-raw/labelassign-*.whl); export PATH=$(PY_WHEEL_VENV)/bin:$$PATH; \
		shown=$$(auditwheel show "$$raw" | tr '\n' ' '); \
		plat=$$(printf '%s' "$$shown" | sed -n 's/.*constrains the platform tag to "\([^"]*\)".*/\1/p'); \
		[ -n "$$plat" ] || plat=$$(printf '%s' "$$shown" | sed -n 's/.*consistent with the following platform tag: "\([^"]*\)".*/\1/p'); \
		case "$$plat" in manylinux*) ;; *) echo "wheel: no manylinux tag for $$raw: $$shown"; exit 1;; esac; \
		auditwheel repair --plat "$$plat" -w dist "$$raw"
	$(MAKE) --no-print-directory wheel-check

## wheel-check: installs dist/labelassign-*.whl into a fresh venv with the Swift toolchain off the PATH
## and LABELASSIGN_LIB unset, and checks fixture scenes with the installed package.
wheel-check:
	rm -rf $(PY_SCRATCH)/wheel-venv
	$(PYTHON) -m venv $(PY_SCRATCH)/wheel-venv
	env -u LABELASSIGN_LIB PATH="$(NO_SWIFT_PATH)" $(PY_SCRATCH)/wheel-venv/bin/python -m pip install -q --disable-pip-version-check dist/labelassign-*.whl
	cd $(PY_SCRATCH) && env -u LABELASSIGN_LIB PATH="$(NO_SWIFT_PATH)" wheel-venv/bin/python \
		$(CURDIR)/python/tests/check_installed.py $(CURDIR)/Tests/Fixtures --bundled

## python-bench: Python call overhead per image against `labelassign bench` on the same scene, and
## assign_batch on 64 COCO-like images at 1 and 2 threads (python/benchmarks/bench.py).
python-bench: build lib-build $(PY_TEST_VENV)/.complete
	LABELASSIGN_LIB=$(PY_LIB) PYTHONPATH=$(CURDIR)/python $(PY_TEST_VENV)/bin/python python/benchmarks/bench.py --cli $(BIN)

clean:
	rm -rf .build Benchmarks/.build report dist
