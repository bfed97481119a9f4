/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/pci.h - PCI devices through sysfs.
 *
 * Every path is built under a sysfs root, "/sys" by default, so the tools
 * and tests can run on a recorded tree: du_sysfs_set_root(dir) wins, else
 * the environment variable DU_SYSFS_ROOT, else "/sys".  A device lives at
 * <root>/bus/pci/devices/<DDDD:BB:DD.F>.  Device nodes (/dev/vfio/...) are
 * not under the root.
 *
 * Functions return 0 (or a count) on success and -errno on failure:
 * -ENOENT when the device or attribute does not exist, -EINVAL when a
 * sysfs file does not parse, -ENAMETOOLONG when a path or name does not fit.
 */
#ifndef DU_PCI_H
#define DU_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "du/parse.h"

/* dir == NULL restores the default.  Returns 0 or -ENOMEM/-ENAMETOOLONG. */
int du_sysfs_set_root(const char *dir);
const char *du_sysfs_root(void);

/* "<root>/bus/pci/devices/<bdf>[/<attr>]" into buf (attr may be NULL). */
int du_pci_path(const struct du_pci_addr *a, const char *attr,
		char *buf, size_t len);

bool du_pci_exists(const struct du_pci_addr *a);

/* Read a sysfs attribute of the device as a string without the trailing
 * newline.  Returns its length or -errno. */
ssize_t du_pci_read_attr(const struct du_pci_addr *a, const char *attr,
			 char *buf, size_t len);

struct du_pci_ids {
	uint16_t vendor;
	uint16_t device;
	uint16_t subsystem_vendor;	/* 0 when sysfs has no such file */
	uint16_t subsystem_device;
	uint32_t class;			/* 24 bits: base, sub, prog-if */
};

int du_pci_read_ids(const struct du_pci_addr *a, struct du_pci_ids *ids);

/*
 * The reason for err, the -errno a du_pci_read_ids() or du_pci_read_bars()
 * just returned, in words that name the file and what is wrong with it
 * ("/sys/bus/pci/devices/0000:00:04.0/resource: malformed: line 2 'x'
 * (expected 0xSTART 0xEND 0xFLAGS)"); strerror() for other errors.  Valid
 * until the next call of the library.
 */
const char *du_pci_strerror(int err);

#define DU_PCI_NUM_BARS 6

/* BAR flags, decoded from the `resource` file's flags column. */
enum {
	DU_BAR_MEM	= 1 << 0,
	DU_BAR_IO	= 1 << 1,
	DU_BAR_64	= 1 << 2,
	DU_BAR_PREFETCH	= 1 << 3,
};

struct du_pci_bar {
	unsigned int index;	/* 0..5 */
	uint64_t start;		/* CPU physical address */
	uint64_t size;		/* 0 = not implemented */
	unsigned int flags;	/* DU_BAR_* */
};

/* Fill bars[0..5] from <dev>/resource (lines 0-5); unimplemented BARs get
 * size 0 and flags 0. */
int du_pci_read_bars(const struct du_pci_addr *a,
		     struct du_pci_bar bars[DU_PCI_NUM_BARS]);

/* IOMMU group number from the <dev>/iommu_group link; -ENOENT if none. */
int du_pci_iommu_group(const struct du_pci_addr *a, unsigned int *group);

/* Current driver name from the <dev>/driver link; -ENOENT when unbound. */
int du_pci_driver(const struct du_pci_addr *a, char *buf, size_t len);

/*
 * Bind the device to vfio-pci: write "vfio-pci" to driver_override, unbind
 * the current driver (if any and not vfio-pci), then write the address to
 * <root>/bus/pci/drivers_probe.  Returns 0 when the device ends up bound to
 * vfio-pci (already bound is fine), -ENODEV/-EBUSY style errors otherwise
 * (-EIO when probing left it on another driver).  Needs root on a live
 * system.
 */
int du_pci_bind_vfio(const struct du_pci_addr *a);

/*
 * The VFIO device cdev: <dev>/vfio-dev/vfioN gives name "vfioN" and path
 * "/dev/vfio/devices/vfioN".  name or path may be NULL.  -ENOENT if the
 * device has no cdev (not bound to vfio-pci, or kernel without
 * CONFIG_VFIO_DEVICE_CDEV).
 */
int du_pci_vfio_cdev(const struct du_pci_addr *a, char *name, size_t nlen,
		     char *path, size_t plen);

/* The legacy VFIO group node "/dev/vfio/<group>". */
int du_pci_vfio_group_path(const struct du_pci_addr *a, char *path,
			   size_t len);

/*
 * The upstream PCI device (bridge or switch port) of a device, from the
 * real path of its sysfs directory.  -ENOENT when the parent is not a PCI
 * device (the device sits on a root bus).
 */
int du_pci_upstream(const struct du_pci_addr *a, struct du_pci_addr *up);

/* Iterate over devices in address order. */
enum {
	DU_PCI_ITER_ALL		= 0,
	DU_PCI_ITER_VFIO	= 1 << 0,	/* only devices bound to vfio-pci */
};
/* Return non-zero from the callback to stop; that value is returned. */
typedef int (*du_pci_iter_fn)(const struct du_pci_addr *a, void *arg);
int du_pci_for_each(unsigned int flags, du_pci_iter_fn fn, void *arg);

/* Read len bytes of config space at off from <dev>/config.  Returns the
 * number of bytes read (short when the file is shorter, e.g. 64 bytes for
 * non-root readers) or -errno. */
ssize_t du_pci_read_config(const struct du_pci_addr *a, void *buf,
			   size_t off, size_t len);

#endif /* DU_PCI_H */
