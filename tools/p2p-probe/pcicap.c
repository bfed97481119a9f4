// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Capability list walking on a config-space snapshot (see pcicap.h).
 * Follows the rules of drivers/pci/pci.c: a bounded number of hops, list
 * pointers dword aligned, extended list ends at a zero header or a pointer
 * below 0x100.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include "pcicap.h"

const char *const pcap_acs_bit_names[PCAP_ACS_NBITS] = {
	"sv", "tb", "rr", "cr", "uf", "ec", "dt",
};

uint8_t pcap_read8(const struct pcap_cfg *c, size_t off)
{
	return off < c->len ? c->data[off] : 0xff;
}

uint16_t pcap_read16(const struct pcap_cfg *c, size_t off)
{
	return (uint16_t)(pcap_read8(c, off) | pcap_read8(c, off + 1) << 8);
}

uint32_t pcap_read32(const struct pcap_cfg *c, size_t off)
{
	return (uint32_t)pcap_read16(c, off) |
	       (uint32_t)pcap_read16(c, off + 2) << 16;
}

#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_HEADER_TYPE		0x0e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_CB_CAPABILITY_LIST	0x14
#define PCI_FIND_CAP_TTL	48

enum pcap_status pcap_find(const struct pcap_cfg *c, uint8_t id,
			   unsigned int *pos)
{
	unsigned int p, ttl = PCI_FIND_CAP_TTL;

	if (c->len < 64)
		return PCAP_UNKNOWN;
	if (!(pcap_read16(c, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return PCAP_ABSENT;
	p = (pcap_read8(c, PCI_HEADER_TYPE) & 0x7f) == 2 ?
		PCI_CB_CAPABILITY_LIST : PCI_CAPABILITY_LIST;
	p = pcap_read8(c, p);
	while (ttl--) {
		uint8_t cap_id;

		if (p < 0x40)
			return PCAP_ABSENT;
		p &= ~3u;
		if (p + 2 > c->len)
			return p + 2 > PCAP_CFG_SPACE_SIZE ? PCAP_BROKEN
							   : PCAP_UNKNOWN;
		cap_id = pcap_read8(c, p);
		if (cap_id == 0xff)
			return PCAP_ABSENT;
		if (cap_id == id) {
			*pos = p;
			return PCAP_FOUND;
		}
		p = pcap_read8(c, p + 1);
	}
	return PCAP_BROKEN;
}

enum pcap_status pcap_find_ext(const struct pcap_cfg *c, size_t cfg_size,
			       uint16_t id, unsigned int *pos)
{
	unsigned int p = PCAP_CFG_SPACE_SIZE;
	unsigned int ttl = (PCAP_CFG_SPACE_EXP_SIZE - PCAP_CFG_SPACE_SIZE) / 8;
	uint32_t h;

	if (cfg_size <= PCAP_CFG_SPACE_SIZE)
		return PCAP_ABSENT;
	if (c->len < PCAP_CFG_SPACE_SIZE + 4)
		return PCAP_UNKNOWN;
	h = pcap_read32(c, p);
	/* No capabilities: ID, version and next pointer all zero. */
	if (!h || h == 0xffffffff)
		return PCAP_ABSENT;
	while (ttl--) {
		if ((h & 0xffff) == id) {
			*pos = p;
			return PCAP_FOUND;
		}
		p = (h >> 20) & 0xffc;
		if (p < PCAP_CFG_SPACE_SIZE)
			return PCAP_ABSENT;
		if (p + 4 > c->len)
			return p + 4 > cfg_size ? PCAP_BROKEN : PCAP_UNKNOWN;
		h = pcap_read32(c, p);
	}
	return PCAP_BROKEN;
}

static const struct {
	int type;
	const char *key;
	const char *text;
} exp_types[] = {
	{ PCAP_EXP_TYPE_ENDPOINT,	"endpoint",		"endpoint" },
	{ PCAP_EXP_TYPE_LEG_END,	"legacy_endpoint",	"legacy endpoint" },
	{ PCAP_EXP_TYPE_ROOT_PORT,	"root_port",		"root port" },
	{ PCAP_EXP_TYPE_UPSTREAM,	"upstream_port",	"switch upstream port" },
	{ PCAP_EXP_TYPE_DOWNSTREAM,	"downstream_port",	"switch downstream port" },
	{ PCAP_EXP_TYPE_PCI_BRIDGE,	"pcie_to_pci_bridge",	"PCIe-to-PCI bridge" },
	{ PCAP_EXP_TYPE_PCIE_BRIDGE,	"pci_to_pcie_bridge",	"PCI-to-PCIe bridge" },
	{ PCAP_EXP_TYPE_RC_END,		"rc_endpoint",		"root complex integrated endpoint" },
	{ PCAP_EXP_TYPE_RC_EC,		"rc_event_collector",	"root complex event collector" },
};

const char *pcap_exp_type_key(int type)
{
	for (size_t i = 0; i < sizeof(exp_types) / sizeof(exp_types[0]); i++)
		if (exp_types[i].type == type)
			return exp_types[i].key;
	return "reserved";
}

const char *pcap_exp_type_text(int type)
{
	for (size_t i = 0; i < sizeof(exp_types) / sizeof(exp_types[0]); i++)
		if (exp_types[i].type == type)
			return exp_types[i].text;
	return "reserved PCIe type";
}
