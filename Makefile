# bgxfer: build, test, install.
#
#   make                      release build (.build/release/bgxfer)
#   make test                 every test: generated files up to date, unit tests, integration tests
#                             (as root: through sudo when make runs as a user)
#   make install PREFIX=…     after 'make': the binary, its notification helper (libexec/bgxfer),
#                             man page and shell completions (DESTDIR too); through sudo when
#                             PREFIX is not the user's to write
#   make generate             regenerate man/bgxfer.1 and completions/ after changing the commands
#   make bench                the download benchmark against curl, wget and aria2, and the cost of
#                             an idle 'bgxfer wake' (Benchmarks/)
#   make worker-order         profile a download worker (valgrind) and rewrite the code layout the
#                             release link follows (Benchmarks/worker.order)
#   make fuzz                 the libFuzzer targets for the parsers of untrusted input, each for
#                             FUZZ_SECONDS (default 600; CI runs 30), from Tests/Fuzz/Corpus

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
# The man page's date is pinned so that regenerating it changes nothing unless the commands did.
MAN_DATE ?= 2026-11-24

BINDIR = $(DESTDIR)$(PREFIX)/bin
# The notification helper: bgxfer looks for it in ../libexec/bgxfer/ from its own directory.
HELPERDIR = $(DESTDIR)$(PREFIX)/libexec/bgxfer
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

# Root's part of the work through sudo when make runs as a user: the tests (network namespaces,
# mounts, a user manager) and installing where the user cannot write. The user's PATH goes along,
# for the Swift toolchain.
AS_ROOT := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo env "PATH=$$PATH")
INSTALL_AS := $(shell [ "$$(id -u)" -eq 0 ] || [ -w "$(DESTDIR)$(PREFIX)" ] || echo sudo)

RELEASE_BIN = .build/release/bgxfer
RELEASE_HELPER = .build/release/bgxfer-notify
DEBUG_BIN = .build/debug/bgxfer
COMPLETIONS = completions/bgxfer.bash completions/_bgxfer completions/bgxfer.fish

.PHONY: all build worker-order debug test test-servers unit-test integration-test check-generated check-layers generate install uninstall bench clean fuzz fuzz-build

all: build

# Static Swift runtime and Foundation: the installed binary needs no toolchain at run time, and
# the worker maps only the code it uses. The release link lays out the worker's functions first
# (Package.swift, Benchmarks/worker.order): SwiftPM does not know the link reads that file, so
# a newer one removes the binary to have it linked again.
build:
	@if [ -e $(RELEASE_BIN) ] && [ Benchmarks/worker.order -nt $(RELEASE_BIN) ]; then rm -f $(RELEASE_BIN); fi
	$(SWIFT) build -c release --product bgxfer --static-swift-stdlib
	$(SWIFT) build -c release --product bgxfer-notify --static-swift-stdlib
	@Benchmarks/worker-order.sh --check

debug:
	$(SWIFT) build --product bgxfer
	$(SWIFT) build --product bgxfer-notify

# The tests' output is long and runs in parallel: when some fail, their issues are printed again
# at the end (the last lines are often all a CI log keeps), and the whole output stays in
# .build/test.log.
test: check-generated check-layers test-servers
	$(SWIFT) build --build-tests
	@{ $(AS_ROOT) $(SWIFT) test --skip-build; echo $$? > .build/test.status; } 2>&1 | tee .build/test.log; \
	status=$$(cat .build/test.status); \
	if [ "$$status" != 0 ]; then \
		echo "── failed (the whole output is in .build/test.log) ──"; \
		awk '/^✘ Test / { show = 1; print; next } show && /^↳ / { print; next } { show = 0 }' .build/test.log | tail -40; \
	fi; \
	exit $$status

# Test servers of our own that are Swift packages of their own (so the product never links
# SwiftNIO): the rufh server on swift-nio-extras' NIOResumableUpload.
test-servers:
	$(SWIFT) build --package-path Tests/RUFHServer --scratch-path .build-rufh

unit-test:
	$(SWIFT) test --filter BgxferTests

integration-test: test-servers
	$(SWIFT) build --build-tests
	$(AS_ROOT) $(SWIFT) test --skip-build --filter IntegrationTests

# The layers of Sources/BgxferCore (README, "Development"): no component folder names another's
# types; Model and Support name none above them.
check-layers:
	@python3 Tests/Layers/check-layers.py

# The man page and completions are committed; regenerating them must change nothing.
check-generated: debug
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	$(MAKE) --no-print-directory generate GENERATED_DIR="$$scratch" >/dev/null && \
	for file in man/bgxfer.1 $(COMPLETIONS); do \
		if ! cmp -s "$$file" "$$scratch/$$file"; then \
			diff -u "$$file" "$$scratch/$$file" | head -20; \
			echo "$$file is stale: run 'make generate' and commit the result" >&2; exit 1; \
		fi; \
	done && echo "generated files are up to date"

GENERATED_DIR ?= .
generate: debug
	mkdir -p $(GENERATED_DIR)/man $(GENERATED_DIR)/completions
	$(SWIFT) package plugin generate-manual --configuration debug --date $(MAN_DATE) \
		--authors 'the bgxfer developers' >/dev/null
	# The plugin lists hidden subcommands too: drop the worker's entry (".It Em __worker" to its ".El").
	awk '/^\.It Em __/ { hidden = 1 } !hidden { print } hidden && /^\.El$$/ { hidden = 0 }' \
		.build/plugins/GenerateManual/outputs/bgxfer/bgxfer.1 > $(GENERATED_DIR)/man/bgxfer.1
	$(DEBUG_BIN) --generate-completion-script bash > $(GENERATED_DIR)/completions/bgxfer.bash
	$(DEBUG_BIN) --generate-completion-script zsh > $(GENERATED_DIR)/completions/_bgxfer
	$(DEBUG_BIN) --generate-completion-script fish > $(GENERATED_DIR)/completions/bgxfer.fish

# No build here: 'make && make install' must not run the build as root.
install:
	@test -x $(RELEASE_BIN) && test -x $(RELEASE_HELPER) || { echo "no $(RELEASE_BIN) or $(RELEASE_HELPER): run 'make' first" >&2; exit 1; }
	$(INSTALL_AS) install -d $(BINDIR) $(HELPERDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	$(INSTALL_AS) install -m 0755 $(RELEASE_BIN) $(BINDIR)/bgxfer
	$(INSTALL_AS) install -m 0755 $(RELEASE_HELPER) $(HELPERDIR)/bgxfer-notify
	$(INSTALL_AS) install -m 0644 man/bgxfer.1 $(MANDIR)/bgxfer.1
	$(INSTALL_AS) install -m 0644 completions/bgxfer.bash $(BASHDIR)/bgxfer
	$(INSTALL_AS) install -m 0644 completions/_bgxfer $(ZSHDIR)/_bgxfer
	$(INSTALL_AS) install -m 0644 completions/bgxfer.fish $(FISHDIR)/bgxfer.fish

uninstall:
	$(INSTALL_AS) rm -f $(BINDIR)/bgxfer $(HELPERDIR)/bgxfer-notify $(MANDIR)/bgxfer.1 $(BASHDIR)/bgxfer $(ZSHDIR)/_bgxfer $(FISHDIR)/bgxfer.fish

worker-order:
	Benchmarks/worker-order.sh

# Tests/Fuzz is a package of its own: every module, bgxfer's and its dependencies', is built with
# libFuzzer's coverage and AddressSanitizer, and with testability (the targets reach internal
# parsers).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS = resume-data content-disposition header-field quantity transfer-url http-date timestamp netlink content-range
fuzz-build:
	$(SWIFT) build --package-path Tests/Fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing

fuzz: fuzz-build
	Tests/Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	Benchmarks/download.sh
	Benchmarks/wake.sh

clean:
	rm -rf .build
