/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topo.h - the PCI hierarchy as p2p-probe sees it: devices, the bridges
 * above them and their host bridges, read from sysfs (live or recorded
 * under --sysfs-root), and the kernel's P2PDMA verdict for a pair.
 */
#ifndef P2P_TOPO_H
#define P2P_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "du/parse.h"
#include "du/pci.h"

#include "pcicap.h"
#include "pciacc.h"

/* Three-valued answers: the config space of a device may be unreadable. */
enum tri { TRI_NO = 0, TRI_YES = 1, TRI_UNKNOWN = -1 };

/* How much of the config space could be read. */
enum cfg_access {
	CFG_FULL,		/* everything the device has */
	CFG_RESTRICTED,		/* the header only: non-root reader */
};

struct p2p_hb;

struct p2p_node {
	struct du_pci_addr addr;
	char name[DU_PCI_ADDR_STRLEN];	/* "0000:00:1c.0" */
	struct du_pci_ids ids;
	char vendor_name[128];		/* from pci.ids, "" when unknown */
	char device_name[192];
	struct pci_dev *pdev;		/* libpci's handle */
	bool from_dump;			/* read from a dump file: no driver,
					 * IOMMU group, NUMA node or BAR size */
	struct p2p_node *up;		/* pci_upstream_bridge(), NULL on a root bus */
	struct p2p_hb *hb;		/* host bridge of its hierarchy */
	int numa_node;			/* -1: none or unknown */
	char driver[64];		/* "" when unbound */
	int iommu_group;		/* -1 when none */
	struct du_pci_bar bars[DU_PCI_NUM_BARS];
	bool have_bars;			/* `resource` was readable */

	uint8_t cfg[PCAP_CFG_SPACE_EXP_SIZE];
	size_t cfg_len;			/* bytes read */
	size_t cfg_size;		/* size of the device's config space */
	enum cfg_access cfg_access;
	uint8_t hdr_type;		/* header type, bits 6:0 */

	/* PCIe device/port type, -1 when not PCIe; valid if exp_known. */
	int exp_type;
	bool exp_known;

	/* ACS: acs_state FOUND/ABSENT/UNKNOWN; regs valid when FOUND. */
	enum pcap_status acs_state;
	unsigned int acs_pos;
	uint16_t acs_cap;
	uint16_t acs_ctl;
};

struct p2p_hb {
	char name[32];			/* "pci0000:00" */
	uint32_t domain;
	unsigned int bus;
	/* pci_host_bridge_dev(): the first device on the root bus if it is
	 * devfn 00.0 or a root port; NULL otherwise (or none). */
	struct p2p_node *root;
	enum tri root_known;		/* TRI_UNKNOWN: root port test needed
					 * config space we could not read */
	struct p2p_node *first;		/* first device on the root bus */
};

/* What the CPU contributes (cpu_supports_p2pdma()). */
struct p2p_cpu {
	enum tri supports;		/* AMD family >= 0x17 */
	char desc[64];			/* "AMD family 0x19", "Intel family 0x6" */
};

struct p2p_topo {
	struct p2p_node **nodes;
	size_t n_nodes;
	struct p2p_hb **hbs;
	size_t n_hbs;
	struct p2p_cpu cpu;
};

/*
 * Errors while reading the tree: *errmsg gets a message naming the file
 * (static buffer).  Returns 0, -ENOENT (no such device), -EINVAL (the tree
 * does not look like sysfs) or another -errno.
 */
void topo_init(struct p2p_topo *t);
void topo_free(struct p2p_topo *t);
int topo_get(struct p2p_topo *t, const struct du_pci_addr *a,
	     struct p2p_node **out, const char **errmsg);
void topo_read_cpu(struct p2p_topo *t);

bool node_has_mem_bar(const struct p2p_node *n);
/* BAR i is a memory BAR (its size may be unknown: from_dump). */
bool node_mem_bar(const struct p2p_node *n, int i);
bool node_is_bridge(const struct p2p_node *n);
/* pci_bridge_has_acs_redir(): RR, CR or EC set in the ACS control reg. */
enum tri node_acs_redir(const struct p2p_node *n);
/* Human name of the node's type ("switch downstream port", ...). */
const char *node_type_text(const struct p2p_node *n);
/* JSON key of the node's type, NULL when unknown. */
const char *node_type_key(const struct p2p_node *n);

/* ---- the verdict ------------------------------------------------------ */

/* enum pci_p2pdma_map_type, plus UNKNOWN when we cannot tell. */
enum map_type {
	MAP_NOT_SUPPORTED,
	MAP_BUS_ADDR,
	MAP_THRU_HOST_BRIDGE,
	MAP_UNKNOWN,
};

/* nvidia-smi topo -m style class of the path. */
enum topo_class {
	TOPO_X,		/* the same device */
	TOPO_PIX,	/* at most one switch: common bridge within 2 hops */
	TOPO_PXB,	/* common upstream bridge, several switches */
	TOPO_PHB,	/* no common bridge: through the host bridge */
	TOPO_NODE,	/* different host bridges, same NUMA node */
	TOPO_SYS,	/* different host bridges and NUMA nodes */
};

#define P2P_MAX_PATH 64

struct p2p_verdict {
	struct p2p_node *provider, *client;
	enum topo_class topo;
	struct p2p_node *common;	/* common upstream device, or NULL */
	/* provider, its upstream bridges ... up to common (or the root bus) */
	struct p2p_node *pside[P2P_MAX_PATH];
	size_t n_pside;
	/* client ... up to below common (or the root bus) */
	struct p2p_node *cside[P2P_MAX_PATH];
	size_t n_cside;
	int distance;

	/* nodes whose ACS redirects (counted as the kernel does) */
	struct p2p_node *redir[2 * P2P_MAX_PATH];
	size_t n_redir;
	struct p2p_node *unknown[2 * P2P_MAX_PATH];	/* ACS unknown */
	size_t n_unknown;

	bool via_host_bridge;		/* the kernel consults the allowlist */
	enum tri cpu_ok;
	enum tri allowlisted;		/* host_bridge_whitelist() */
	bool same_hb_required;		/* an entry matched but needs one HB */
	enum map_type map;
	char reason[512];

	/* iommufd */
	bool iommufd_maps;		/* the map will be accepted */
	char iommufd_reason[160];	/* why not, when !iommufd_maps */
	bool switch_shortcut;		/* a switch may route IOVAs directly */
	struct p2p_node *ingress;	/* the client's port into that switch */
	enum tri rc_p2p_known_good;	/* allowlisted HB or CPU */
};

/* __host_bridge_whitelist(): same = both devices below this one. */
enum tri topo_hb_allowlisted(const struct p2p_hb *hb, bool same,
			     bool *same_required);

int topo_verdict(struct p2p_topo *t, struct p2p_node *provider,
		 struct p2p_node *client, struct p2p_verdict *v);

const char *map_type_key(enum map_type m);	/* "bus_addr" ... */
const char *map_type_text(enum map_type m);
const char *topo_class_name(enum topo_class c);	/* "PIX" ... */

#endif /* P2P_TOPO_H */
