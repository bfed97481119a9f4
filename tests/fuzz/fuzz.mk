# SPDX-License-Identifier: GPL-2.0-or-later
#
# The libFuzzer build of the parsers: a separate build of the tool sources
# with clang, never mixed with the normal build (its objects live under
# $(OUT) only).  Run by tests/fuzz/run.sh; by hand:
#
#   make -f tests/fuzz/fuzz.mk SRC=$PWD BUILD=$PWD OUT=$PWD/tests/fuzz/out
#
# SRC: the source tree; BUILD: the configured build tree (for config.h);
# OUT: where objects and the fuzz-* binaries go.  FUZZ_CC picks the
# compiler (default clang), FUZZ_SAN the sanitizers besides fuzzer.

SRC ?= .
BUILD ?= .
OUT ?= tests/fuzz/out
FUZZ_CC ?= clang
FUZZ_SAN ?= address,undefined
JSONC_LIBS ?= $(shell pkg-config --libs json-c)
JSONC_CFLAGS ?= $(shell pkg-config --cflags json-c)
SMARTCOLS_LIBS ?= $(shell pkg-config --libs smartcols)
SMARTCOLS_CFLAGS ?= $(shell pkg-config --cflags smartcols)
# tools/p2p-probe/pciacc.c (compiled with every source, linked by no harness)
LIBPCI_CFLAGS ?= $(shell pkg-config --cflags libpci)

TARGETS = fuzz-size fuzz-ranges fuzz-pci-addr fuzz-pci-sysfs fuzz-lex \
	  fuzz-proto fuzz-maps fuzz-fdinfo fuzz-pcicap

CFLAGS_FUZZ = -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,$(FUZZ_SAN) -fno-sanitize-recover=all \
	-DHAVE_CONFIG_H -I$(BUILD) -I$(SRC)/tools/include $(JSONC_CFLAGS) \
	$(SMARTCOLS_CFLAGS) $(LIBPCI_CFLAGS)
LDFLAGS_FUZZ = -fsanitize=fuzzer,$(FUZZ_SAN)

# Every source of the library and of the commands; a command's main() is
# renamed so that libFuzzer's main() is the program's.
LIB_SRCS = $(wildcard $(SRC)/tools/lib/*.c)
VD_SRCS = $(wildcard $(SRC)/tools/vfio-dmabuf/*.c)
CTL_SRCS = $(wildcard $(SRC)/tools/iommufd-ctl/*.c)
P2P_SRCS = $(wildcard $(SRC)/tools/p2p-probe/*.c)

obj = $(patsubst $(SRC)/%.c,$(OUT)/obj/%.o,$(1))

all: $(addprefix $(OUT)/,$(TARGETS))

$(OUT)/obj/%.o: $(SRC)/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_FUZZ) $(if $(filter %/main.c,$<),-Dmain=du_fuzz_unused_main) \
		-MMD -MP -c $< -o $@

$(OUT)/libcommon.a: $(call obj,$(LIB_SRCS))
$(OUT)/libvd.a: $(call obj,$(VD_SRCS))
$(OUT)/libctl.a: $(call obj,$(CTL_SRCS))
$(OUT)/libp2p.a: $(call obj,$(P2P_SRCS))
$(OUT)/%.a:
	@rm -f $@
	ar cr $@ $^

# fuzz-NAME: harness, the command archive it needs, the library.
$(OUT)/fuzz-size $(OUT)/fuzz-ranges $(OUT)/fuzz-pci-addr \
$(OUT)/fuzz-pci-sysfs: $(OUT)/%: $(SRC)/tests/fuzz/%.c $(OUT)/libcommon.a
$(OUT)/fuzz-lex: $(OUT)/%: $(SRC)/tests/fuzz/%.c $(OUT)/libctl.a $(OUT)/libcommon.a
$(OUT)/fuzz-proto $(OUT)/fuzz-maps $(OUT)/fuzz-fdinfo: \
	$(OUT)/%: $(SRC)/tests/fuzz/%.c $(OUT)/libvd.a $(OUT)/libcommon.a
$(OUT)/fuzz-pcicap: $(OUT)/%: $(SRC)/tests/fuzz/%.c $(OUT)/libp2p.a $(OUT)/libcommon.a

$(addprefix $(OUT)/,$(TARGETS)): $(SRC)/tests/fuzz/fuzz.h
	$(FUZZ_CC) $(CFLAGS_FUZZ) -Wall -Wextra -Werror -I$(SRC)/tests/fuzz \
		-I$(SRC)/tools/vfio-dmabuf -I$(SRC)/tools/iommufd-ctl \
		-I$(SRC)/tools/p2p-probe $(LDFLAGS_FUZZ) \
		-o $@ $(filter %.c,$^) $(filter %.a,$^) $(JSONC_LIBS) \
		$(SMARTCOLS_LIBS) -lpthread

-include $(wildcard $(OUT)/obj/tools/*/*.d)

.PHONY: all
.DELETE_ON_ERROR:
