# correlator - build, test, benchmark, fuzz.
# `make` builds bin/correlator; `make test` runs unit tests, end-to-end tests
# and the sanitizer build of both; `make bench`; `make fuzz`; `make install`.

CC       ?= cc
PREFIX   ?= /usr/local
PKGS     := libpcap libxml-2.0 libpcre2-8 zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lxml2 -lpcre2-8 -lz) -lcsv
EVTX_LIBS  := $(shell pkg-config --libs libevtx 2>/dev/null)
FWNT_LIBS  := $(shell pkg-config --libs libfwnt 2>/dev/null || echo -lfwnt)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wwrite-strings -Wundef -Wno-unused-parameter
CSTD     := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE
OPT      ?= -O2 -g

# LeakSanitizer: known leaks inside libevtx are suppressed (see the file)
export LSAN_OPTIONS ?= suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0

# SAN=1 builds everything with AddressSanitizer + UBSan (+ LeakSanitizer) in build/san
ifeq ($(SAN),1)
BUILD    := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1 -g
else ifeq ($(SAN),thread)
# SAN=thread: ThreadSanitizer in build/tsan (`make tsan` runs the threaded tests)
BUILD    := build/tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
OPT      := -O1 -g
else
BUILD    := build/rel
SANFLAGS :=
endif

CFLAGS_ALL  = $(CSTD) $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS) \
              -DCORRELATOR_RULES_DIR='"$(PREFIX)/share/correlator/rules"'
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)
LIBS_ALL    = $(PKG_LIBS) $(EVTX_LIBS) $(FWNT_LIBS) -lpthread -lm

# one wildcard per stage folder: a new file in any of them is built, no list to keep
STAGES   := correlator/core correlator/analyze correlator/rulelang correlator/report correlator/cli \
            parsers parsers/decode
CORE_SRC := $(filter-out correlator/cli/main.c,$(foreach d,$(STAGES),$(wildcard $(d)/*.c)))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/correlator/cli/main.o
BIN      := $(if $(filter 1 thread,$(SAN)),$(BUILD)/bin/correlator,bin/correlator)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPERS := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
UNIT_HELPER_OBJ := $(UNIT_HELPERS:%.c=$(BUILD)/%.o)

.PHONY: layers all test unit e2e asan tsan bench fuzz fuzz-run fuzz-replay fuzz-ci install clean check-style

all: $(BIN)

# `make layers`: no #include runs from a lower stage to a higher one (correlator/README.md)
layers:
	@./tests/tools/check_layers.sh && echo "layers: every #include stays within its stage or below"

$(BIN): $(CORE_OBJ) $(MAIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ) $(UNIT_HELPER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -o $@ $< $(CORE_OBJ) $(UNIT_HELPER_OBJ) $(LDFLAGS_ALL) $(LIBS_ALL) $(CHECK_LIBS)

# Unit tests (check), then end-to-end tests against the binary.
unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do \
		CK_FORK=yes ./$$t || fail=1; \
	done; exit $$fail

e2e: $(BIN)
	@CORRELATOR=$(abspath $(BIN)) ./tests/e2e/run.sh

# `make test`: the release build and the sanitizer build, each running every test.
test: layers
	$(MAKE) unit e2e fuzz-replay
	$(MAKE) SAN=1 unit e2e fuzz-replay
	$(MAKE) fuzz-ci

asan:
	$(MAKE) SAN=1 unit e2e fuzz-replay

# `make tsan`: the end-to-end tests that read sources on several threads, built
# with ThreadSanitizer (any data race fails them: halt_on_error)
TSAN_E2E ?= test_threads test_path test_capture_ring test_damaged
tsan:
	$(MAKE) SAN=thread all
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $(TSAN_OPTIONS)" E2E_ONLY="$(TSAN_E2E)" $(MAKE) SAN=thread e2e

bench: bin/correlator
	@mkdir -p build/bench
	$(CC) -O2 -Wall -Wextra -o build/bench/gen_capture tests/bench/gen_capture.c
	$(CC) -O2 -Wall -Wextra $(PKG_CFLAGS) -o build/bench/pcap_read tests/bench/pcap_read.c $(PKG_LIBS)
	@./tests/bench/bench.sh

# Fuzzing: one harness (tests/fuzz/fuzz_parser.c) per format in tests/fuzz/seeds.txt,
# and tests/fuzz/fuzz_rules.c for the rule language (the "rules" line there).
FUZZ_FORMATS := $(shell awk '!/^\#/ && NF {print $$1}' tests/fuzz/seeds.txt)
REPLAY_BIN := $(FUZZ_FORMATS:%=$(BUILD)/fuzz-replay/replay_%)

$(BUILD)/fuzz-replay/replay_%: tests/fuzz/fuzz_parser.c tests/fuzz/replay_main.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DFUZZ_PARSER='"$*"' -o $@ $< $(CORE_OBJ) $(LDFLAGS_ALL) $(LIBS_ALL)

$(BUILD)/fuzz-replay/replay_rules: tests/fuzz/fuzz_rules.c tests/fuzz/replay_main.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(CORE_OBJ) $(LDFLAGS_ALL) $(LIBS_ALL)

# replay seeds and every saved crash input through the harnesses (in make test)
fuzz-replay: $(REPLAY_BIN)
	@./tests/fuzz/run.sh replay $(BUILD)

# libFuzzer builds: the core compiled once with coverage instrumentation,
# each target linked with the fuzzer runtime.
FUZZ_CFLAGS := $(CSTD) -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
               $(PKG_CFLAGS) -DCORRELATOR_RULES_DIR='"$(PREFIX)/share/correlator/rules"'
FUZZ_LINK   := -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER
FUZZ_OBJ    := $(CORE_SRC:%.c=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_parser.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(FUZZ_LINK) -DFUZZ_PARSER='"$*"' -o $@ $< $(FUZZ_OBJ) $(LIBS_ALL)

build/fuzz/fuzz_rules: tests/fuzz/fuzz_rules.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(FUZZ_LINK) -o $@ $< $(FUZZ_OBJ) $(LIBS_ALL)

# `make fuzz` builds the libFuzzer targets; `make fuzz-run FUZZ_SECONDS=600` runs
# them (FUZZ_JOBS at a time); `make fuzz-ci` is the short run `make test` does.
FUZZ_SECONDS ?= 20
FUZZ_JOBS ?= 2
FUZZ_CI_SECONDS ?= 4
fuzz: $(FUZZ_FORMATS:%=build/fuzz/fuzz_%)

fuzz-run: fuzz
	@FUZZ_JOBS=$(FUZZ_JOBS) ./tests/fuzz/run.sh fuzz $(FUZZ_SECONDS)

# skipped, with a note, where clang or its libFuzzer runtime is missing; a crash
# it finds is reported loudly but does not fail `make test` (see the message)
fuzz-ci:
	@mkdir -p build; if ./tests/fuzz/run.sh have-libfuzzer; then \
		$(MAKE) --no-print-directory -j$(FUZZ_JOBS) fuzz >build/fuzz-build.log 2>&1 || { tail -20 build/fuzz-build.log; exit 1; }; \
		FUZZ_JOBS=$(FUZZ_JOBS) ./tests/fuzz/run.sh fuzz $(FUZZ_CI_SECONDS) || \
		echo "fuzz-ci: NEW CRASH FOUND: the input is saved under tests/fuzz/regress/; commit it and fix the parser (make fuzz-replay reproduces it). Not fatal here: a random find must not fail an unrelated change; the replay of saved inputs is what gates."; \
	else echo "fuzz-ci: skipped: clang with the libFuzzer runtime not found"; fi

# the binary finds the rules at PREFIX/share/correlator/rules (compiled in) or,
# installed under another PREFIX or DESTDIR, at <exe>/../share/correlator/rules.
# INSTALL_BIN=PATH installs another build of it (the e2e test does).
INSTALL_BIN ?= bin/correlator
install: $(INSTALL_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/correlator/rules
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/bin/correlator
	cp -r rules/. $(DESTDIR)$(PREFIX)/share/correlator/rules/

check-style:
	@! grep -rn '[[:space:]]$$' correlator parsers tests/unit --include='*.[ch]' || (echo "trailing blanks"; exit 1)
	@for f in $(foreach d,$(STAGES),$(wildcard $(d)/*.[ch])); do head -3 $$f | grep -q '^ \* ' || { echo "$$f: no header comment"; exit 1; }; done

clean:
	rm -rf build bin

-include $(CORE_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_HELPER_OBJ:.o=.d) $(wildcard $(FUZZ_OBJ:.o=.d))
