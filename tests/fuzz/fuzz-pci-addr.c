// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz du_parse_pci_addr() and du_pci_addr_format() (tools/lib/parse.c):
 * an accepted address is in range, formats to the sysfs form, and that
 * form parses back to the same address; a refused one leaves *out alone.
 */
#include "fuzz.h"

#include <errno.h>

#include "du/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct du_pci_addr a, b;
	char buf[DU_PCI_ADDR_STRLEN];
	char *s = fuzz_strdup(data, size);
	int ret;

	if (!s)
		return 0;
	memset(&a, 0x5a, sizeof(a));
	ret = du_parse_pci_addr(s, &a);
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (ret) {
		memset(&b, 0x5a, sizeof(b));
		FUZZ_ASSERT(!memcmp(&a, &b, sizeof(a)));
	} else {
		FUZZ_ASSERT(a.dev <= 0x1f && a.fn <= 7);
		du_pci_addr_format(&a, buf, sizeof(buf));
		FUZZ_ASSERT(strlen(buf) >= 12);
		FUZZ_ASSERT(du_parse_pci_addr(buf, &b) == 0);
		FUZZ_ASSERT(du_pci_addr_equal(&a, &b));
	}
	free(s);
	return 0;
}
