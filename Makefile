# lathe: a mastering console for the terminal. Plain make + pkg-config.
#   make          build ./lathe          make test     build and run every test
#   make run      open the demo album    make asan     the suite under ASan+UBSan
#   make deps     install Debian packages make install PREFIX=/usr/local
#   make fuzz     libFuzzer targets, FUZZ_SECONDS each   make valgrind   CLI tests under valgrind
.SUFFIXES:
.SECONDARY:

PREFIX  ?= /usr/local
PKGS    := sndfile libebur128 soxr samplerate ncursesw alsa libcrypto flac ogg vorbis
# Debian packages that provide the libraries above and the tools the tests use.
DEBS    := build-essential pkg-config time libsndfile1-dev libebur128-dev \
           libsoxr-dev libsamplerate0-dev libncurses-dev libasound2-dev libssl-dev tmux \
           libflac-dev libogg-dev libvorbis-dev \
           cdrdao cuetools shntool cdrskin sox flac python3 chromium \
           clang libclang-rt-dev valgrind

CFLAGS_BASE = -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -ffp-contract=off -I.
OPT     ?= -O2 -g
BUILD   ?= build
BIN     ?= lathe

# Deferred (=), so that they are read after 'deps' has installed the libraries.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = $(CFLAGS_BASE) $(OPT) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LIBS       = $(PKG_LIBS) -lpthread -lm

LIB_SRCS  := $(sort $(wildcard session/*.c dsp/*.c audio/*.c tui/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(sort $(wildcard tests/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TOOL_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/make_*.c))

# `make bench` only: the tools lathe is measured against.
BENCH_DEBS := sox ffmpeg time python3
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(wildcard tests/bench/*.c))

.PHONY: all deps run test asan install clean demo bench bench-deps fuzz fuzz-targets valgrind

all: deps $(BIN)

# Installs only what is missing, so it is quick when everything is there.
deps:
	@sh tests/install-deps.sh $(DEBS)

$(BIN): $(BUILD)/main.o $(BUILD)/liblathe.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/main.o $(BUILD)/liblathe.a $(LIBS)

$(BUILD)/liblathe.a: $(LIB_OBJS)
	@rm -f $@
	@ar rcs $@ $(LIB_OBJS)

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(BUILD)/tests/harness.o $(BUILD)/liblathe.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/tests/harness.o $(BUILD)/liblathe.a $(LIBS)

# Test tools (signal and demo generators) have their own main.
$(BUILD)/tests/make_%: tests/make_%.c $(BUILD)/liblathe.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/liblathe.a $(LIBS)

demo: all $(TOOL_BINS)
	@$(BUILD)/tests/make_demo demo

run: all demo
	./lathe demo/demo.lathe

test: all $(TEST_BINS) $(TOOL_BINS)
	@sh tests/run.sh $(BUILD) ./$(BIN)

asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan BIN=build-asan/lathe \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# Kept out of `make test`: minutes of timing, written to BENCHMARKS.md.
bench: all bench-deps $(BENCH_BINS)
	@sh tests/bench/run.sh

bench-deps:
	@sh tests/install-deps.sh $(BENCH_DEBS)

$(BUILD)/tests/bench/%: tests/bench/%.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang into build-fuzz/
# and run one after the other for FUZZ_SECONDS each, seeded by the corpus.
FUZZ_SECONDS ?= 60
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz: all $(TOOL_BINS)
	@$(MAKE) --no-print-directory fuzz-targets BUILD=build-fuzz CC=clang \
	  OPT="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
	@sh tests/fuzz/run.sh build-fuzz $(BUILD) $(FUZZ_SECONDS)

fuzz-targets: $(FUZZ_BINS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/liblathe.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/liblathe.a $(LIBS)

# The command-line tests that touch sound files, with lathe under valgrind.
VALGRIND_TESTS ?= e2e_hostile e2e_check e2e_analyze e2e_ddp e2e_faults
valgrind: all $(TOOL_BINS)
	@sh tests/valgrind.sh $(BUILD) ./$(BIN) $(VALGRIND_TESTS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 lathe $(DESTDIR)$(PREFIX)/bin/lathe
	install -m 644 lathe.1 $(DESTDIR)$(PREFIX)/share/man/man1/lathe.1

clean:
	rm -rf build build-asan build-fuzz lathe demo

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
