/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcicap.h - walking PCI capability lists in a config-space snapshot.
 *
 * Generic (nothing here is specific to p2p-probe): should move to
 * tools/lib as du/pcicap.h once another command needs it.
 *
 * The snapshot is what could be read from sysfs `config`: len bytes from
 * offset 0.  Non-root readers get only the 64-byte header (128 for
 * CardBus), so every lookup says whether the answer is known.
 *
 * p2p-probe walks the lists of a readable config space with libpci's
 * pci_find_cap() (topo.c); these walkers answer what libpci cannot: that
 * a header-only snapshot (or an `lspci -x` dump) leaves a capability
 * unknown, and a CardBus bridge's list, which starts at 0x14.
 */
#ifndef P2P_PCICAP_H
#define P2P_PCICAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_CFG_SPACE_SIZE	256
#define PCAP_CFG_SPACE_EXP_SIZE	4096

#define PCAP_ID_EXP		0x10	/* PCI Express capability */
#define PCAP_EXT_ID_ACS		0x000d	/* Access Control Services */

/* ACS capability and control register bits (PCIe r6.0 7.7.8). */
#define PCAP_ACS_SV	0x0001	/* Source Validation */
#define PCAP_ACS_TB	0x0002	/* Translation Blocking */
#define PCAP_ACS_RR	0x0004	/* P2P Request Redirect */
#define PCAP_ACS_CR	0x0008	/* P2P Completion Redirect */
#define PCAP_ACS_UF	0x0010	/* Upstream Forwarding */
#define PCAP_ACS_EC	0x0020	/* P2P Egress Control */
#define PCAP_ACS_DT	0x0040	/* Direct Translated P2P */
#define PCAP_ACS_NBITS	7

/* Short names of the ACS bits, index = bit number ("sv", "tb", ...). */
extern const char *const pcap_acs_bit_names[PCAP_ACS_NBITS];

/* PCI Express device/port types (PCIe capability register bits 7:4). */
enum {
	PCAP_EXP_TYPE_ENDPOINT		= 0x0,
	PCAP_EXP_TYPE_LEG_END		= 0x1,
	PCAP_EXP_TYPE_ROOT_PORT		= 0x4,
	PCAP_EXP_TYPE_UPSTREAM		= 0x5,
	PCAP_EXP_TYPE_DOWNSTREAM	= 0x6,
	PCAP_EXP_TYPE_PCI_BRIDGE	= 0x7,
	PCAP_EXP_TYPE_PCIE_BRIDGE	= 0x8,
	PCAP_EXP_TYPE_RC_END		= 0x9,
	PCAP_EXP_TYPE_RC_EC		= 0xa,
};

/* Result of a lookup. */
enum pcap_status {
	PCAP_FOUND,		/* *pos is the capability's offset */
	PCAP_ABSENT,		/* the list is readable and lacks it */
	PCAP_UNKNOWN,		/* the snapshot is too short to tell */
	PCAP_BROKEN,		/* the list points outside the space */
};

struct pcap_cfg {
	const uint8_t *data;
	size_t len;		/* readable bytes */
};

uint8_t pcap_read8(const struct pcap_cfg *c, size_t off);
uint16_t pcap_read16(const struct pcap_cfg *c, size_t off);
uint32_t pcap_read32(const struct pcap_cfg *c, size_t off);

/* Standard capability (list from 0x34), as the kernel's
 * pci_find_capability(). */
enum pcap_status pcap_find(const struct pcap_cfg *c, uint8_t id,
			   unsigned int *pos);

/*
 * Extended capability (list from 0x100), as pci_find_ext_capability():
 * a device whose config space is 256 bytes has none.  cfg_size is the
 * size of the device's config space (4096 for PCIe with extended config
 * access), which may exceed c->len when the reader lacks privileges.
 */
enum pcap_status pcap_find_ext(const struct pcap_cfg *c, size_t cfg_size,
			       uint16_t id, unsigned int *pos);

/* "downstream_port" etc. for JSON; "downstream port" for text. */
const char *pcap_exp_type_key(int type);
const char *pcap_exp_type_text(int type);

#endif /* P2P_PCICAP_H */
