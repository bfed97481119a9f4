// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the PCI capability-list walkers p2p-probe runs on the config space
 * it reads from sysfs (tools/p2p-probe/pcicap.c): pcap_find() for the PCI
 * Express capability and pcap_find_ext() for ACS, on a snapshot of any
 * length, with a claimed config-space size of 256 or 4096 bytes.
 *
 * Input: byte 0 selects the claimed size and the capability IDs, the rest
 * is the snapshot (copied into an exact-size buffer).
 *
 * Checked: a found capability lies inside the snapshot and is reached
 * through a list that stays inside the space (no endless loop: libFuzzer's
 * -timeout catches one).
 */
#include "fuzz.h"

#include "pcicap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcap_cfg c;
	unsigned int pos = 0;
	enum pcap_status st;
	size_t cfg_size;
	uint8_t *buf;

	if (size < 1 || size > PCAP_CFG_SPACE_EXP_SIZE + 64)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	c.data = buf;
	c.len = size - 1;
	cfg_size = data[0] & 1 ? PCAP_CFG_SPACE_EXP_SIZE : PCAP_CFG_SPACE_SIZE;

	st = pcap_find(&c, data[0] & 2 ? PCAP_ID_EXP : data[0] >> 2, &pos);
	FUZZ_ASSERT(st == PCAP_FOUND || st == PCAP_ABSENT ||
		    st == PCAP_UNKNOWN || st == PCAP_BROKEN);
	if (st == PCAP_FOUND)
		FUZZ_ASSERT(pos >= 0x40 && pos < c.len && pos < 256);
	st = pcap_find_ext(&c, cfg_size,
			   data[0] & 2 ? PCAP_EXT_ID_ACS : data[0] >> 2, &pos);
	FUZZ_ASSERT(st == PCAP_FOUND || st == PCAP_ABSENT ||
		    st == PCAP_UNKNOWN || st == PCAP_BROKEN);
	if (st == PCAP_FOUND)
		FUZZ_ASSERT(pos >= 0x100 && pos < c.len && pos < cfg_size);
	/* the readers return 0 beyond the snapshot, never read past it */
	(void)pcap_read32(&c, c.len);
	(void)pcap_read16(&c, c.len ? c.len - 1 : 0);
	(void)pcap_read8(&c, (size_t)-1);
	free(buf);
	return 0;
}
