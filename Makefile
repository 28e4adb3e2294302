# nianbao - convenience wrapper around the CMake build.
#
#   make            install missing build dependencies, build into build/
#   make test       build and run every test (ctest)
#   make test-asan  the same under AddressSanitizer + UBSan, in build-asan/
#   make test-valgrind  the unit tests under valgrind memcheck
#   make demo       crawl the bundled offline demo site and show the result
#   make bench      run the benchmarks in bench/ (prints their numbers)
#   make install    install binaries, systemd units and example configs
#                   (PREFIX=/usr/local, DESTDIR honoured)
#   make format     reformat the sources with .clang-format
#   make fuzz       build the libFuzzer targets with clang in build-fuzz/ and
#                   run each for FUZZ_SECONDS (default 60) under ASan+UBSan

BUILD     ?= build
ASAN      ?= build-asan
FUZZ      ?= build-fuzz
FUZZ_SECONDS ?= 60
PREFIX    ?= /usr/local
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CMAKEFLAGS ?=

MAKEFLAGS += --no-print-directory

all: build

deps:
	@scripts/deps build

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKEFLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test-deps:
	@scripts/deps build test

test: test-deps build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: test-deps
	@cmake -S . -B $(ASAN) -DNB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKEFLAGS) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS)

# the cmocka unit tests under valgrind memcheck, failing on errors and leaks
test-valgrind: test-deps
	@cmake -S . -B build-valgrind -DNB_VALGRIND=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKEFLAGS) >/dev/null
	@cmake --build build-valgrind -j $(JOBS)
	@ctest --test-dir build-valgrind -L unit --output-on-failure -j $(JOBS)

fuzz: test-deps
	@CC=clang cmake -S . -B $(FUZZ) -DNB_FUZZ=ON -DNB_SANITIZE=ON \
	 -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link \
	 $(CMAKEFLAGS) >/dev/null
	@cmake --build $(FUZZ) -j $(JOBS) --target fuzz_indexer_text \
	 fuzz_indexer_html fuzz_indexer_docx fuzz_indexer_corpus \
	 fuzz_indexer_pdf fuzz_pdf_corpus
	@tests/indexer/fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS)
	@tests/pdf/fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS)

demo: build
	@tests/fixture/demo.sh $(BUILD)

bench: build
	@scripts/deps build bench
	@bench/run $(BUILD)

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ) build-valgrind

.PHONY: all deps build test-deps test test-asan test-valgrind fuzz demo bench install format clean
