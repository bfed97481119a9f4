/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pciacc.h - what p2p-probe takes from pciutils' libpci: the access
 * method (sysfs, or a dump file in `lspci -x` format as `lspci -F` reads),
 * device and vendor names from pci.ids, lspci's -s and -d filters, and
 * the capability lists.
 *
 * One libpci handle per process, opened by pa_open() after the options
 * are parsed and before anything is printed: libpci reports its errors
 * (a malformed dump file or pci.ids) through a callback that must not
 * return; ours prints one line naming the file and exits with status 2.
 */
#ifndef P2P_PCIACC_H
#define P2P_PCIACC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pci/pci.h>

#include "du/parse.h"
#include "du/pci.h"

struct pa_config {
	const char *dump;		/* -F FILE; NULL: sysfs */
	const char *sysfs_root;		/* --sysfs-root DIR; NULL: /sys */
	const char *ids;		/* -i FILE; NULL: libpci's pci.ids */
};

/* 0, or DU_EXIT_USAGE after printing why. */
int pa_open(const struct pa_config *c);
void pa_close(void);

/* Reading a dump file: no sysfs (drivers, IOMMU groups, BAR sizes and
 * NUMA nodes are unknown; the hierarchy comes from the bridges' bus
 * numbers). */
bool pa_dump_mode(void);
/* "the dump file F" or "/sys", for messages. */
const char *pa_source(void);

/*
 * The libpci device for an address: with sysfs a handle of its own
 * (release with pa_put_dev()), from a dump the device in the list (NULL
 * when the dump lacks it; pa_put_dev() does nothing).
 */
struct pci_dev *pa_get_dev(const struct du_pci_addr *a);
void pa_put_dev(struct pci_dev *d);

/* Devices of the dump in address order, as du_pci_for_each(). */
int pa_dump_for_each(du_pci_iter_fn fn, void *arg);

/* From a dump: the bridge (header type 1 or 2, on a lower bus) whose
 * secondary bus is a's bus; -ENOENT on a root bus. */
int pa_dump_parent(const struct du_pci_addr *a, struct du_pci_addr *up);
/* From a dump: the first device (lowest devfn) on a bus; -ENOENT. */
int pa_dump_first_on_bus(uint32_t domain, unsigned int bus,
			 struct du_pci_addr *first);

/* Offset of a capability (PCI_CAP_NORMAL or PCI_CAP_EXTENDED) or -1. */
int pa_find_cap(struct pci_dev *d, unsigned int id, unsigned int type);

/* Names from pci.ids (not the udev hwdb); "" when unknown. */
void pa_vendor_name(uint16_t vendor, char *buf, size_t len);
void pa_device_name(uint16_t vendor, uint16_t device, char *buf,
		    size_t len);

/* ---- -s and -d, as lspci takes them ---------------------------------- */

struct pa_filter {
	struct pci_filter f;
	bool slot, id;			/* which options were given */
};

void pa_filter_init(struct pa_filter *f);
/* NULL, or libpci's reason ("Invalid slot number"). */
const char *pa_filter_slot(struct pa_filter *f, const char *arg);
const char *pa_filter_id(struct pa_filter *f, const char *arg);
bool pa_filter_active(const struct pa_filter *f);
/* Whether a device with these IDs at this address passes. */
bool pa_filter_match(const struct pa_filter *f, const struct du_pci_addr *a,
		     const struct du_pci_ids *ids);

#endif /* P2P_PCIACC_H */
