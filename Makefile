# pcbudget - delegated primary care budgets for NHS finance teams.
# Copyright (C) 2026 the pcbudget authors.  GPL-3.0-or-later.
#
#   make            build build/pcbudget
#   make deps       install the Debian packages it needs (idempotent)
#   make example    run the main job on data/example, writing reports/
#   make test       every cmocka binary and the CLI golden tests
#   make check      everything again under ASan+UBSan in build-san/
#   make bench      performance targets, each beside a peer
#   make install    PREFIX=/usr/local DESTDIR=
#   DEVELOPER=1     adds -Werror (CI sets it); V=1 shows compile lines

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g

STD      := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wdouble-promotion \
            -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
            -Wold-style-definition -Wvla -Wwrite-strings -Wcast-qual \
            -Wfloat-equal -Wundef -Wswitch-enum -fno-common
ifneq ($(findstring gcc,$(shell $(CC) --version 2>/dev/null | head -n 1)),)
WARN     += -Wlogical-op -Wduplicated-cond -Wduplicated-branches
endif
ifeq ($(DEVELOPER),1)
WARN     += -Werror
endif

PKGS     := gsl inih jansson nettle xlsxwriter sqlite3
# Lazy (=), so that "make deps test" works on a machine where pkg-config
# and the libraries arrive only during the deps step.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libxlsxwriter and SQLite are not linked but opened when first needed
# (src/report/xlsx_lib.c, src/util/sqlite_lib.c), by the SONAME of the
# library the compiler would link: most commands need neither.
LINK_PKGS  = $(filter-out xlsxwriter sqlite3,$(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null)
soname = $(shell objdump -p "$$($(CC) -print-file-name=$(1))" 2>/dev/null | \
	awk '$$1 == "SONAME" { print $$2 }')
XLSX_SONAME = $(call soname,libxlsxwriter.so)
SQLITE_SONAME = $(call soname,libsqlite3.so)

ALL_CPPFLAGS := -Iinclude -DPCBUDGET_VERSION='"$(VERSION)"' -MMD -MP $(CPPFLAGS)
$(BUILD)/src/report/xlsx_lib.o: ALL_CPPFLAGS += $(if $(XLSX_SONAME),-DXLSXWRITER_SONAME='"$(XLSX_SONAME)"')
$(BUILD)/src/util/sqlite_lib.o: ALL_CPPFLAGS += $(if $(SQLITE_SONAME),-DSQLITE_SONAME='"$(SQLITE_SONAME)"')
ALL_CFLAGS   = $(STD) $(WARN) -fopenmp $(PKG_CFLAGS) $(CFLAGS)
LIBS         = -lcsv $(PKG_LIBS) -lm -ldl
ALL_LDFLAGS  := -fopenmp $(LDFLAGS)

SRC      := $(sort $(wildcard src/*/*.c))
OBJ      := $(SRC:%.c=$(BUILD)/%.o)
LIB_OBJ  := $(filter-out $(BUILD)/src/cli/main.o,$(OBJ))
# Data tables built into the binary (so it works after make install):
# data/NAME.csv -> $(BUILD)/gen/NAME.c, a byte array made with od and sed.
GEN_OBJ  := $(BUILD)/gen/payments_columns.o
LIB_OBJ  += $(GEN_OBJ)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/%)
TEST_HELPER_OBJ := $(BUILD)/tests/unit/helpers.o

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all deps example test unit cli-test check tsan bench install uninstall \
        clean hdrcheck format memcheck fuzz fuzz-build
all: $(BUILD)/pcbudget

.SECONDARY:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/payments_columns.c: data/payments_columns.csv
	@mkdir -p $(dir $@)
	$(Q){ echo '/* generated from $< by the Makefile: do not edit */'; \
	  echo '#include "payments_io.h"'; \
	  echo 'const unsigned char pay_builtin_columns[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const size_t pay_builtin_columns_len = sizeof(pay_builtin_columns);'; \
	} > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libpcbudget.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/pcbudget: $(BUILD)/src/cli/main.o $(BUILD)/libpcbudget.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/test_%: $(BUILD)/tests/unit/test_%.o $(TEST_HELPER_OBJ) $(BUILD)/libpcbudget.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

# Benchmark programs: tests/bench/bench_<name>.c -> build/bench_<name>.
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/%)
$(BUILD)/bench_%: $(BUILD)/tests/bench/bench_%.o $(BUILD)/libpcbudget.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Debian packages: build tools, the libraries, and what the tests and
# benchmarks use.  Uses sudo when not root.  Safe to run again.
DEB_PKGS := build-essential pkg-config libcsv-dev libgsl-dev libcmocka-dev \
            libinih-dev libjansson-dev nettle-dev libxlsxwriter-dev \
            libsqlite3-dev python3-pandas python3-openpyxl unzip clang libomp-14-dev \
            chromium valgrind time
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi

example: $(BUILD)/pcbudget
	$(BUILD)/pcbudget run data/example

unit: $(TEST_BIN)

# LD_PRELOAD shim for the fault-injection scripts (tests/fault/fault.c):
# plain flags, whatever the build, as it is loaded into the binary under test.
$(BUILD)/fault.so: tests/fault/fault.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(STD) $(WARN) -O2 -g -shared -fPIC -o $@ $< -ldl

# Every test binary runs even after a failure; the last line is the tally.
test: $(BUILD)/pcbudget $(TEST_BIN) $(BUILD)/fault.so
	@BUILD=$(BUILD) sh tests/run.sh $(TEST_BIN)

SAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
check:
	$(MAKE) BUILD=build-san CFLAGS="$(SAN)" LDFLAGS="$(SAN)" test

# ThreadSanitizer over the threaded import (tests/tsan/import.sh).
TSAN := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
tsan:
	$(MAKE) BUILD=build-tsan CFLAGS="$(TSAN)" LDFLAGS="$(TSAN)" build-tsan/pcbudget
	@sh tests/tsan/import.sh

bench: $(BUILD)/pcbudget $(BENCH_BIN)
	@BUILD=$(BUILD) sh tests/bench/run.sh

# libFuzzer harnesses (clang): tests/fuzz/fuzz_<name>.c with a seed corpus
# in tests/fuzz/<name>/.  FUZZ_TIME seconds each (default 600); new inputs
# go to build-fuzz/corpus-<name>/, crashes to build-fuzz/.
FUZZ_TIME ?= 600
FUZZ_SAN  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	  LDFLAGS="$(FUZZ_SAN)" DEVELOPER= build-fuzz/libpcbudget.a
	@for s in $(FUZZ_SRC); do n=$$(basename $$s .c); \
	  clang $(ALL_CPPFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(FUZZ_SAN) \
	    -fsanitize=fuzzer -fopenmp -o build-fuzz/$$n $$s build-fuzz/libpcbudget.a $(LIBS) || exit 1; done
fuzz: fuzz-build
	@for b in $(FUZZ_BIN); do n=$$(basename $$b | sed 's/^fuzz_//'); \
	  mkdir -p build-fuzz/corpus-$$n; echo "== fuzzing $$n for $(FUZZ_TIME)s"; \
	  $$b -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -artifact_prefix=build-fuzz/$$n- \
	    build-fuzz/corpus-$$n tests/fuzz/$$n || exit 1; done

hdrcheck:
	@for h in include/*.h; do \
	  echo "#include \"$$(basename $$h)\"" | $(CC) -Iinclude $(ALL_CFLAGS) -x c -fsyntax-only - || exit 1; \
	done; echo "headers: self-contained"

memcheck: $(BUILD)/pcbudget $(TEST_BIN)
	@for t in $(TEST_BIN); do valgrind -q --error-exitcode=1 --leak-check=full --suppressions=tests/valgrind.supp $$t >/dev/null || exit 1; done

format:
	clang-format -i src/*/*.c include/*.h tests/unit/*.c

install: $(BUILD)/pcbudget
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BUILD)/pcbudget $(DESTDIR)$(BINDIR)/pcbudget

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pcbudget

clean:
	rm -rf build build-san build-fuzz

-include $(OBJ:.o=.d) $(GEN_OBJ:.o=.d) $(TEST_BIN:$(BUILD)/%=$(BUILD)/tests/unit/%.d) $(TEST_HELPER_OBJ:.o=.d) \
         $(BENCH_BIN:$(BUILD)/%=$(BUILD)/tests/bench/%.d)
