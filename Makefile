# SPDX-License-Identifier: MIT
# The crm toolkit.  make [all], check, demo, bench, fuzz, install, uninstall, clean.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/crm
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
CFLAGS ?= -O2 -g
# -Werror in development; WERROR= turns it off (a newer compiler's new warning).
WERROR ?= -Werror
WARN = -std=c11 -D_DEFAULT_SOURCE -pthread -Wall -Wextra $(WERROR) -Wshadow -Wno-unused-parameter
# libcrypto (libssl-dev) is loaded by lib/audit.c when a hash is first needed.
LIBS = -lsqlite3 -ljansson -lcsv -lgdbm -lidn2 -lunistring -ldl -lm -pthread
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

PROGS = crm crm-add crm-find crm-log crm-segment crm-gdpr-export crm-report
LIBSRC = $(wildcard lib/*.c)
HDRS = lib/crm.h lib/crm-private.h lib/banned.h lib/gdpr-private.h
# What the programs share and may print and exit: a library of its own.
CLISRC = $(wildcard cli/*.c)
CLIHDRS = lib/crm.h cli/crm-cli.h lib/banned.h

# Debian packages the build and the tests need.
DEPS = gcc make shellcheck cppcheck libsqlite3-dev libjansson-dev libcsv-dev libgdbm-dev libssl-dev libidn2-dev libunistring-dev sqlite3 jq mandoc perl time miller zsh fish
# The test of crm-report's HTML page renders it in a real browser.
DEPS += chromium python3
# The test of the documentation's examples runs them at a terminal with script(1).
DEPS += bsdutils

all: build/libcrm.a build/libcrm-cli.a $(addprefix build/,$(PROGS)) build/unit

build/lib/%.o: lib/%.c $(HDRS) | build/lib
	$(CC) $(WARN) $(CFLAGS) -c -o $@ $<

build/libcrm.a: $(patsubst lib/%.c,build/lib/%.o,$(LIBSRC))
	rm -f $@ && ar rcs $@ $^

build/cli/%.o: cli/%.c $(CLIHDRS) | build/cli
	$(CC) $(WARN) $(CFLAGS) -Ilib -c -o $@ $<

build/libcrm-cli.a: $(patsubst cli/%.c,build/cli/%.o,$(CLISRC))
	rm -f $@ && ar rcs $@ $^

build/%: cmd/%.c build/libcrm-cli.a build/libcrm.a $(CLIHDRS)
	$(CC) $(WARN) $(CFLAGS) -Ilib -Icli -o $@ $< build/libcrm-cli.a build/libcrm.a $(LIBS)

build-san/lib/%.o: lib/%.c $(HDRS) | build-san/lib
	$(CC) $(WARN) $(SANFLAGS) -c -o $@ $<

build-san/libcrm.a: $(patsubst lib/%.c,build-san/lib/%.o,$(LIBSRC))
	rm -f $@ && ar rcs $@ $^

build-san/cli/%.o: cli/%.c $(CLIHDRS) | build-san/cli
	$(CC) $(WARN) $(SANFLAGS) -Ilib -c -o $@ $<

build-san/libcrm-cli.a: $(patsubst cli/%.c,build-san/cli/%.o,$(CLISRC))
	rm -f $@ && ar rcs $@ $^

build-san/%: cmd/%.c build-san/libcrm-cli.a build-san/libcrm.a $(CLIHDRS)
	$(CC) $(WARN) $(SANFLAGS) -Ilib -Icli -o $@ $< build-san/libcrm-cli.a build-san/libcrm.a $(LIBS)

# The unit tests of the library's pure functions (tests/t-unit.sh runs them).
build/unit: tests/unit.c build/libcrm.a $(HDRS)
	$(CC) $(WARN) $(CFLAGS) -Ilib -o $@ $< build/libcrm.a $(LIBS)

build-san/unit: tests/unit.c build-san/libcrm.a $(HDRS)
	$(CC) $(WARN) $(SANFLAGS) -Ilib -o $@ $< build-san/libcrm.a $(LIBS)

build/lib build-san/lib build/cli build-san/cli:
	mkdir -p $@

san: build-san/libcrm.a build-san/libcrm-cli.a $(addprefix build-san/,$(PROGS)) build-san/unit

# libFuzzer harnesses of the readers, the term language and --map, built
# with clang and run FUZZ_SECONDS each (60 by default) from a seed corpus
# that tests/fuzz/seeds.sh writes; a crash, a leak or a sanitizer report
# stops it with a non-zero status, the input kept in build-fuzz/.
FUZZERS = fuzz-reader fuzz-terms fuzz-map
FUZZ_SECONDS ?= 60
FUZZFLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer

build-fuzz/lib/%.o: lib/%.c $(HDRS) | build-fuzz/lib
	clang $(WARN) $(FUZZFLAGS) -c -o $@ $<

build-fuzz/libcrm.a: $(patsubst lib/%.c,build-fuzz/lib/%.o,$(LIBSRC))
	rm -f $@ && ar rcs $@ $^

build-fuzz/%: tests/fuzz/%.c build-fuzz/libcrm.a lib/crm.h
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Ilib -o $@ $< \
	  build-fuzz/libcrm.a $(LIBS)

build-fuzz/lib:
	mkdir -p $@

fuzz: deps
	@command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang)"; exit 1; }
	$(MAKE) $(addprefix build-fuzz/,$(FUZZERS))
	@sh tests/fuzz/seeds.sh build-fuzz/corpus
	@for f in $(FUZZERS); do \
	  echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
	  (cd build-fuzz && ./$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 corpus/$$f) >build-fuzz/$$f.log 2>&1 \
	    || { tail -40 build-fuzz/$$f.log; echo "fuzz: $$f found a defect (build-fuzz/$$f.log)"; exit 1; }; \
	  grep -E '^stat::number_of_executed_units' build-fuzz/$$f.log; \
	done; echo "fuzz: no finding"

# Install missing Debian packages (as root), or say how.
deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "deps: missing:$$missing (no apt-get here: install them by hand)"; exit 1; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "deps: missing packages; run as root:"; \
	  echo "  apt-get update && apt-get install -y$$missing"; exit 1; fi; \
	echo "deps: installing:$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends$$missing >/dev/null

# Lint: the man pages (mandoc), the test scripts (shellcheck: the
# variables of tests/lib.sh, VAR= before a command, ls of files the
# tests made and a file named crontab are meant), the C (cppcheck).
LINT_SC = -e SC1007,SC2154,SC2010,SC2238
lint:
	mandoc -Tlint -W warning man/*.[157]
	shellcheck -s bash -S warning $(LINT_SC) tests/*.sh tests/fuzz/*.sh
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
	  -Ilib -Icli -D'json_object_foreach(o,k,v)=for(;;)' -D'json_array_foreach(a,i,v)=for(;;)' \
	  --suppress=missingIncludeSystem lib/*.c cli/*.c cmd/*.c

check: deps
	$(MAKE) lint
	$(MAKE) all san
	@CRM_BIN=$(CURDIR)/build CRM_LABEL=plain prove -j2 --exec bash tests/t-*.sh
	@CRM_BIN=$(CURDIR)/build-san CRM_LABEL=sanitized \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  prove -j2 --exec bash tests/t-*.sh

demo: deps
	$(MAKE) all
	@sh tests/demo.sh build

bench: deps
	$(MAKE) all
	@sh tests/bench.sh build

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	for p in $(PROGS); do install -m 755 build/$$p $(DESTDIR)$(BINDIR)/$$p; done
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 644 completions/crm.bash $(DESTDIR)$(BASHCOMPDIR)/crm
	for p in $(filter-out crm,$(PROGS)); do ln -sf crm $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	install -m 644 completions/_crm $(DESTDIR)$(ZSHCOMPDIR)/_crm
	install -m 644 completions/crm.fish $(DESTDIR)$(FISHCOMPDIR)/crm.fish
	for p in $(filter-out crm,$(PROGS)); do \
	  install -m 644 completions/crm.fish $(DESTDIR)$(FISHCOMPDIR)/$$p.fish; done
	mkdir -p $(DESTDIR)$(DOCDIR)
	install -m 644 examples/register.json $(DESTDIR)$(DOCDIR)/register.example.json

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(BASHCOMPDIR)/$$p \
	  $(DESTDIR)$(FISHCOMPDIR)/$$p.fish; done
	for m in man/*.[157]; do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_crm $(DESTDIR)$(FISHCOMPDIR)/crm.fish
	rm -f $(DESTDIR)$(DOCDIR)/register.example.json

clean:
	rm -rf build build-san build-fuzz

.PHONY: all san fuzz deps check demo bench install uninstall clean
.SECONDARY:
