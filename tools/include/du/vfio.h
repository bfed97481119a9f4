/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/vfio.h - VFIO device access: opening a device (cdev + iommufd, or the
 * legacy group/container), regions, reset, device features, and the
 * DMA-BUF export / revoke / memattr features.
 *
 * All functions return >= 0 on success and -errno on failure, and print
 * nothing.  du_vfio_strerror() turns an errno into words for a given
 * operation; du_exit_for_errno() (du/exitcodes.h) into an exit status.
 */
#ifndef DU_VFIO_H
#define DU_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "du/parse.h"

/* ---- opening a device ------------------------------------------------- */

/* An open VFIO device and what keeps it open. */
struct du_vfio_device {
	int fd;			/* device fd, -1 when closed */
	bool legacy;		/* opened through group + container */
	int iommufd;		/* cdev: the iommufd it is bound to */
	bool own_iommufd;	/* iommufd opened by du_vfio_open() */
	uint32_t devid;		/* cdev: device id in that iommufd */
	int group_fd;		/* legacy: /dev/vfio/<group>, else -1 */
	int container_fd;	/* legacy: /dev/vfio/vfio, else -1 */
	char cdev[32];		/* "vfio0", or "" for legacy */
	struct du_pci_addr addr;
	/* Set by du_vfio_open(); a zeroed struct (fds 0, not -1) has it
	 * clear, so du_vfio_close() never closes stdin by mistake. */
	bool initialized;
};

enum {
	DU_VFIO_OPEN_NO_LEGACY	= 1 << 0,	/* cdev or fail */
	DU_VFIO_OPEN_LEGACY	= 1 << 1,	/* group/container only */
};

/*
 * Open the vfio-pci device at addr.  Preferred: its cdev
 * (/dev/vfio/devices/vfioN) bound with VFIO_DEVICE_BIND_IOMMUFD to iommufd
 * (or, if iommufd < 0, to a /dev/iommu opened here and closed by
 * du_vfio_close()).  When the device has no cdev, fall back to
 * /dev/vfio/<group> + /dev/vfio/vfio with the type1v2 IOMMU (the iommufd
 * argument is then unused).  Returns 0 and fills *d, or -errno (-ENOENT:
 * no such device or not bound to vfio-pci).
 */
int du_vfio_open(const struct du_pci_addr *addr, int iommufd,
		 unsigned int flags, struct du_vfio_device *d);
/* Close every fd held by d (safe on a zeroed or already closed d). */
void du_vfio_close(struct du_vfio_device *d);

/* The pieces, for callers that need them. */
int du_vfio_cdev_open(const char *cdev_path);		/* device fd */
int du_vfio_bind_iommufd(int devfd, int iommufd, uint32_t *devid);
/* Attach to an IOAS or HWPT id (a second attach replaces); *out_hwpt, if
 * not NULL, receives the HWPT the kernel used. */
int du_vfio_attach(int devfd, uint32_t pt_id, uint32_t *out_hwpt);
int du_vfio_detach(int devfd);

/* ---- device information ----------------------------------------------- */

struct du_vfio_info {
	uint32_t flags;		/* VFIO_DEVICE_FLAGS_* (RESET, PCI...) */
	uint32_t num_regions;
	uint32_t num_irqs;
};
int du_vfio_device_info(int devfd, struct du_vfio_info *info);

struct du_vfio_region {
	uint32_t index;
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;		/* 0 = not implemented */
	uint64_t offset;	/* mmap()/pread() offset in the device fd */
	uint32_t cap_offset;	/* du_vfio_region_info_caps(): the first
				 * capability in its buffer, 0 = none */
};
/* Region index: BARs are 0-5, config space VFIO_PCI_CONFIG_REGION_INDEX.
 * Asks for no capability chain (r->cap_offset is 0). */
int du_vfio_region_info(int devfd, unsigned int index,
			struct du_vfio_region *r);

/* The largest GET_INFO reply the library accepts (capability chains are
 * a few dozen bytes; a sparse-mmap list of many areas is the big one). */
#define DU_VFIO_INFO_MAX (1u << 20)

/*
 * du_vfio_region_info() with the region's capability chain.  The kernel
 * is asked for the size it needs first, then for the whole reply: *buf
 * (malloc()ed, the caller frees it; NULL when the region has no
 * capabilities) receives it as the kernel wrote it, struct
 * vfio_region_info first, and *len its size; r->cap_offset is the first
 * capability's offset in it, for du_vfio_find_cap().  Returns 0 or -errno
 * (-EOVERFLOW: the kernel wants more than DU_VFIO_INFO_MAX; -EAGAIN: the
 * chain kept growing between the calls).
 */
int du_vfio_region_info_caps(int devfd, unsigned int index,
			     struct du_vfio_region *r, void **buf,
			     size_t *len);

/*
 * Find capability id in the chain of a VFIO GET_INFO reply: buf holds len
 * bytes, the info struct (fixed bytes) then its capabilities; first is
 * the info's cap_offset and each struct vfio_info_cap_header's next the
 * offset of the one after it, both from the start of buf, 0 ending the
 * chain.  The capability must have at least cap_size bytes (at least a
 * header).  The walk reads nothing outside buf and never loops: an offset
 * inside the fixed part or a header past len, a capability id found but
 * shorter than cap_size, or more links than headers fit in buf (a cycle)
 * make the chain malformed.
 * Returns the capability's offset in buf (> 0), -ENOENT when the chain
 * ends without it, -EBADMSG when it is malformed.
 */
long du_vfio_find_cap(const void *buf, size_t len, size_t fixed,
		      uint32_t first, uint16_t id, size_t cap_size);

/*
 * Which memory attributes VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR accepts for
 * buffers exported from BAR bar, from the region's
 * VFIO_REGION_INFO_CAP_MEMATTR: *mask bit N set = memattr N (bit
 * VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC: write-combining).  Creates
 * nothing.  Returns 0, -ENOENT when the region has no such capability
 * (a kernel before it, or a BAR it cannot export from), -EBADMSG for a
 * malformed chain, or the ioctl's -errno.
 */
int du_vfio_bar_memattrs(int devfd, unsigned int bar, uint32_t *mask);

/* Can buffers of a BAR be write-combining, and if not, why. */
enum du_wc {
	DU_WC_YES,		/* the kernel accepts WC for its buffers */
	DU_WC_IO_BAR,		/* an I/O-port BAR: nothing to map or export */
	DU_WC_NON_PREFETCHABLE,	/* the kernel says no: not prefetchable */
	DU_WC_NO_MEMTYPE,	/* the kernel says no for a prefetchable BAR:
				 * no WC memory type (x86 nopat), or a
				 * variant driver's buffers */
	DU_WC_KERNEL,		/* no VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR for
				 * the device (the kernel lacks it, or the
				 * device cannot export) */
	DU_WC_UNKNOWN,		/* the kernel does not say (no capability),
				 * or was not asked */
};

/*
 * The verdict for a BAR: io and prefetchable from sysfs; feature 1 when
 * VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR probed as supported, 0 when not, -1
 * when the device could not be asked (not bound to vfio-pci); cap_ret and
 * mask what du_vfio_bar_memattrs() returned (ignored unless feature is 1).
 * In that order: an I/O BAR, a kernel without the feature, the
 * capability's WC bit (without it: non-prefetchable or no WC memory type),
 * unknown.
 */
enum du_wc du_vfio_wc_verdict(bool io, bool prefetchable, int feature,
			      int cap_ret, uint32_t mask);
/* "yes", "io-bar", "non-prefetchable", "no-wc-memtype", "kernel",
 * "unknown" (probe's WC-REASON). */
const char *du_wc_name(enum du_wc wc);

/* VFIO_DEVICE_RESET (temporarily revokes the device's DMA-BUFs).  -EINVAL
 * when the device has no reset method (QEMU's ivshmem, for one). */
int du_vfio_reset(int devfd);

/* ---- device features -------------------------------------------------- */

/*
 * Is the feature supported?  access is VFIO_DEVICE_FEATURE_GET and/or
 * VFIO_DEVICE_FEATURE_SET (the methods to probe), or 0 for "any".  Only
 * ever sends PROBE, so it never creates anything; for
 * VFIO_DEVICE_FEATURE_DMA_BUF the GET bit is dropped (kernel-abi.md: probe
 * it without GET).
 * Returns 0 if supported, else -errno: ENOTTY (feature unknown, or no
 * VFIO_DEVICE_FEATURE at all), EINVAL (method not supported, or older
 * kernels' answer for an unknown feature), EOPNOTSUPP (the device cannot).
 */
int du_vfio_feature_probe(int devfd, uint32_t feature, uint32_t access);

/* Raw VFIO_DEVICE_FEATURE with a payload: flags = feature | GET or SET.
 * Returns the ioctl's non-negative result or -errno. */
int du_vfio_feature(int devfd, uint32_t flags, void *data, size_t len);

/* Most ranges one export accepts from this library. */
#define DU_VFIO_DMABUF_MAX_RANGES 256

/*
 * Export ranges of BAR bar as one DMA-BUF (VFIO_DEVICE_FEATURE_DMA_BUF).
 * open_flags: O_RDWR/O_CLOEXEC... for the new fd.  Returns the DMA-BUF fd
 * or -errno.  Ranges are passed as given (validate them first against the
 * region: non-zero, page aligned, inside the BAR).
 */
int du_vfio_dmabuf_export(int devfd, unsigned int bar,
			  const struct du_range *ranges, size_t n,
			  int open_flags);

/* Permanently revoke a DMA-BUF exported by this device (feature 14). */
int du_vfio_dmabuf_revoke(int devfd, int dmabuf_fd);

/* Memory attribute for future mmaps (feature 15):
 * VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC or _WC. */
int du_vfio_dmabuf_memattr_get(int devfd, int dmabuf_fd, uint32_t *memattr);
int du_vfio_dmabuf_memattr_set(int devfd, int dmabuf_fd, uint32_t memattr);

/* Table for du_parse_keyword(): "nc" and "wc". */
extern const struct du_keyword du_memattr_keywords[];

/* ---- errors in words -------------------------------------------------- */

enum du_vfio_op {
	DU_VFIO_OP_OPEN,	/* opening / binding a device */
	DU_VFIO_OP_PROBE,	/* du_vfio_feature_probe() */
	DU_VFIO_OP_EXPORT,	/* du_vfio_dmabuf_export() */
	DU_VFIO_OP_REVOKE,	/* du_vfio_dmabuf_revoke() */
	DU_VFIO_OP_MEMATTR,	/* du_vfio_dmabuf_memattr_get/set() */
	DU_VFIO_OP_MMAP,	/* mmap() of a DMA-BUF or BAR */
	DU_VFIO_OP_MAP_FILE,	/* IOMMU_IOAS_MAP_FILE of a DMA-BUF */
};

/*
 * A short explanation of err (positive or negative) for op, following the
 * kernel ABI (kernel-abi.md), e.g. for DU_VFIO_OP_REVOKE: EBADFD "the
 * buffer is already revoked", ENODEV "the buffer was not exported by this
 * device", EBADF/EINVAL "not a DMA-BUF", EOPNOTSUPP "the device cannot
 * export DMA-BUFs", ENOTTY "the running kernel lacks this feature".
 * Falls back to strerror().  Never NULL.
 */
const char *du_vfio_strerror(enum du_vfio_op op, int err);

/*
 * Exit status for err in op: DU_EXIT_NOTSUPP for ENOTTY, ENOSYS and
 * EOPNOTSUPP (and EINVAL for DU_VFIO_OP_PROBE); DU_EXIT_REVOKED for ENODEV
 * from DU_VFIO_OP_MMAP and DU_VFIO_OP_MAP_FILE; DU_EXIT_FAILURE otherwise.
 */
int du_vfio_exit_code(enum du_vfio_op op, int err);

#endif /* DU_VFIO_H */
