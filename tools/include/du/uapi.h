/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/uapi.h - the kernel ABI dmabuf-utils talks to, as of Linux 7.3.4 plus
 * the "mmap() for VFIO DMA-BUFs" series (kernel/patches/).
 *
 * The build machine's uapi headers may be older than the running kernel
 * (Debian 12 ships 6.1 headers: no <linux/iommufd.h>, no VFIO cdev ioctls,
 * no VFIO DMA-BUF export).  So: include whatever the system has, then fill
 * in each missing group of definitions, one group per ioctl, each guarded by
 * that ioctl's macro.  The definitions below were written from the ABI
 * (struct layouts and numbers); the _Static_asserts at the end pin every
 * size, offset and ioctl number the tools rely on, whichever header supplied
 * it.  tests/unit/test-uapi.sh also compares them against the headers of the
 * kernel tree itself when that has been built.
 *
 * Only fields that every kernel version since the ioctl's introduction
 * shares are used by the library, so an older system header that provides a
 * group still compiles.
 */
#ifndef DU_UAPI_H
#define DU_UAPI_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/ioctl.h>

#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#ifdef HAVE_LINUX_VFIO_H
# include <linux/vfio.h>
#endif
#ifdef HAVE_LINUX_IOMMUFD_H
# include <linux/iommufd.h>
#endif
#ifdef HAVE_LINUX_DMA_BUF_H
# include <linux/dma-buf.h>
#endif

#ifndef __aligned_u64
# define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif

/* ======================================================================
 * VFIO: container, group and device basics (present since Linux 3.6)
 * ====================================================================== */
#ifndef VFIO_API_VERSION
#define VFIO_API_VERSION	0
#define VFIO_TYPE1_IOMMU	1
#define VFIO_TYPE1v2_IOMMU	3
#define VFIO_NOIOMMU_IOMMU	8

/* All VFIO ioctls are ';' type, numbered from 100, no size encoded. */
#define VFIO_TYPE		(';')
#define VFIO_BASE		100

/* Header of each capability in a GET_INFO capability chain. */
struct vfio_info_cap_header {
	__u16	id;
	__u16	version;
	__u32	next;		/* offset of the next header, 0 = last */
};

/* /dev/vfio/vfio (container) */
#define VFIO_GET_API_VERSION		_IO(VFIO_TYPE, VFIO_BASE + 0)
#define VFIO_CHECK_EXTENSION		_IO(VFIO_TYPE, VFIO_BASE + 1)
#define VFIO_SET_IOMMU			_IO(VFIO_TYPE, VFIO_BASE + 2)

/* /dev/vfio/<group> */
struct vfio_group_status {
	__u32	argsz;
	__u32	flags;
#define VFIO_GROUP_FLAGS_VIABLE		(1 << 0)  /* all devices bound safely */
#define VFIO_GROUP_FLAGS_CONTAINER_SET	(1 << 1)
};
#define VFIO_GROUP_GET_STATUS		_IO(VFIO_TYPE, VFIO_BASE + 3)
#define VFIO_GROUP_SET_CONTAINER	_IO(VFIO_TYPE, VFIO_BASE + 4) /* arg: int * */
#define VFIO_GROUP_UNSET_CONTAINER	_IO(VFIO_TYPE, VFIO_BASE + 5)
#define VFIO_GROUP_GET_DEVICE_FD	_IO(VFIO_TYPE, VFIO_BASE + 6) /* arg: name */

/* device fd */
struct vfio_device_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_FLAGS_RESET		(1 << 0)
#define VFIO_DEVICE_FLAGS_PCI		(1 << 1)
#define VFIO_DEVICE_FLAGS_CAPS		(1 << 7)
	__u32	num_regions;
	__u32	num_irqs;
	__u32	cap_offset;
	__u32	pad;		/* 7.3: pads the struct to 24 bytes */
};
#define VFIO_DEVICE_GET_INFO		_IO(VFIO_TYPE, VFIO_BASE + 7)

struct vfio_region_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_REGION_INFO_FLAG_READ	(1 << 0)
#define VFIO_REGION_INFO_FLAG_WRITE	(1 << 1)
#define VFIO_REGION_INFO_FLAG_MMAP	(1 << 2)
#define VFIO_REGION_INFO_FLAG_CAPS	(1 << 3)
	__u32	index;
	__u32	cap_offset;
	__aligned_u64	size;	/* bytes, 0 = region not implemented */
	__aligned_u64	offset;	/* where the region lives in the device fd */
};
#define VFIO_DEVICE_GET_REGION_INFO	_IO(VFIO_TYPE, VFIO_BASE + 8)

#define VFIO_DEVICE_RESET		_IO(VFIO_TYPE, VFIO_BASE + 11)

/* Region indexes of a vfio-pci device. */
enum {
	VFIO_PCI_BAR0_REGION_INDEX,
	VFIO_PCI_BAR1_REGION_INDEX,
	VFIO_PCI_BAR2_REGION_INDEX,
	VFIO_PCI_BAR3_REGION_INDEX,
	VFIO_PCI_BAR4_REGION_INDEX,
	VFIO_PCI_BAR5_REGION_INDEX,
	VFIO_PCI_ROM_REGION_INDEX,
	VFIO_PCI_CONFIG_REGION_INDEX,
	VFIO_PCI_VGA_REGION_INDEX,
	VFIO_PCI_NUM_REGIONS = 9
};
#endif /* VFIO_API_VERSION */

/* ======================================================================
 * VFIO type1 container: map and unmap user memory (Linux 3.6; served by
 * iommufd's VFIO compatibility on a /dev/iommu fd since Linux 6.2)
 * ====================================================================== */
#ifndef VFIO_IOMMU_MAP_DMA
struct vfio_iommu_type1_dma_map {
	__u32	argsz;
	__u32	flags;
#define VFIO_DMA_MAP_FLAG_READ		(1 << 0)  /* device may read */
#define VFIO_DMA_MAP_FLAG_WRITE		(1 << 1)  /* device may write */
	__u64	vaddr;		/* the process's virtual address */
	__u64	iova;
	__u64	size;		/* bytes */
};
#define VFIO_IOMMU_MAP_DMA		_IO(VFIO_TYPE, VFIO_BASE + 13)

struct vfio_iommu_type1_dma_unmap {
	__u32	argsz;
	__u32	flags;
#define VFIO_DMA_UNMAP_FLAG_ALL		(1 << 1)  /* iova and size 0 */
	__u64	iova;
	__u64	size;		/* in: bytes; out: bytes unmapped */
};
#define VFIO_IOMMU_UNMAP_DMA		_IO(VFIO_TYPE, VFIO_BASE + 14)
#endif

/* ======================================================================
 * VFIO_DEVICE_FEATURE (Linux 5.18): GET / SET / PROBE a numbered feature
 * ====================================================================== */
#ifndef VFIO_DEVICE_FEATURE
struct vfio_device_feature {
	__u32	argsz;		/* header + payload */
	__u32	flags;		/* feature number | GET/SET/PROBE */
#define VFIO_DEVICE_FEATURE_MASK	(0xffff)
#define VFIO_DEVICE_FEATURE_GET		(1 << 16)
#define VFIO_DEVICE_FEATURE_SET		(1 << 17)
#define VFIO_DEVICE_FEATURE_PROBE	(1 << 18)
	__u8	data[];		/* feature specific payload */
};
#define VFIO_DEVICE_FEATURE		_IO(VFIO_TYPE, VFIO_BASE + 17)
#endif

/* ======================================================================
 * VFIO device cdev + iommufd (Linux 6.6): /dev/vfio/devices/vfioN
 * ====================================================================== */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_BIND_FLAG_TOKEN	(1 << 0)
	__s32	iommufd;		/* in: /dev/iommu fd */
	__u32	out_devid;		/* out: device id in that iommufd */
	__aligned_u64	token_uuid_ptr;	/* 7.x: VF token when FLAG_TOKEN */
};
#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#endif

#ifndef VFIO_DEVICE_ATTACH_IOMMUFD_PT
struct vfio_device_attach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_ATTACH_PASID	(1 << 0)
	__u32	pt_id;			/* in: IOAS or HWPT id; out: HWPT id */
	__u32	pasid;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)
#endif

#ifndef VFIO_DEVICE_DETACH_IOMMUFD_PT
struct vfio_device_detach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_DETACH_PASID	(1 << 0)
	__u32	pasid;
};
#define VFIO_DEVICE_DETACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 20)
#endif

/* ======================================================================
 * VFIO_DEVICE_FEATURE_DMA_BUF (Linux 6.19): export BAR ranges as a DMA-BUF.
 * GET only; the new fd is the ioctl's return value.  Probe with PROBE alone:
 * PROBE|GET would create a buffer.
 * ====================================================================== */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
#define VFIO_DEVICE_FEATURE_DMA_BUF	11

struct vfio_region_dma_range {
	__u64	offset;			/* within the region, page aligned */
	__u64	length;			/* non-zero, page aligned */
};

struct vfio_device_feature_dma_buf {
	__u32	region_index;		/* BAR index */
	__u32	open_flags;		/* O_RDWR, O_CLOEXEC... for the new fd */
	__u32	flags;			/* must be 0 */
	__u32	nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif

/* ======================================================================
 * New in the series (kernel/patches/): permanent revoke, SET only.
 * Errors: EBADF/EINVAL the fd is not a DMA-BUF; EOPNOTSUPP the device
 * cannot export; ENODEV not exported by this device; EBADFD already revoked.
 * ====================================================================== */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE
#define VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE	14

struct vfio_device_feature_dma_buf_revoke {
	__s32	dmabuf_fd;
};
#endif

/* ======================================================================
 * New in the series: memory attribute of future mmaps of a DMA-BUF, GET/SET.
 * SET only fails for a value that can never be provided for the buffer:
 * EOPNOTSUPP for an unknown value, and for WC on a BAR that is not
 * prefetchable, a range over a page of the MSI-X table, ranges the CPU
 * cannot map, or a platform without a write-combining memory type (x86
 * booted with nopat).  Whether one mapping gets it is decided at mmap():
 * with x86 PAT a page has one memory type at a time, and mmap() of the
 * buffer fails with EBUSY while a live mapping of any of its pages has the
 * other type (another buffer's mapping, this buffer's own earlier ones, an
 * ioeventfd, the MSI-X table, a mapping outside VFIO).  Mappings of the BAR
 * through the device fd follow the pages' type.  Other errors as for revoke.
 * ====================================================================== */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR	15
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC	0	/* uncached (default) */
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC	1	/* write-combining */

struct vfio_device_feature_dma_buf_memattr {
	__s32	dmabuf_fd;
	__u32	memattr;
};
#endif

/* ======================================================================
 * New in the series: a region-info capability of BAR regions telling which
 * memory attributes VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR accepts for buffers
 * exported from the BAR: bit N of supported = memattr N (so NC is bit 0, WC
 * bit 1).  vfio-pci adds it to the chain of a memory BAR it can export
 * from; no capability means the kernel predates it or cannot export from
 * that BAR.  A set WC bit does not promise every SET (a range over an MSI-X
 * table page is still refused) nor every mmap() (EBUSY, above).
 * ====================================================================== */
#ifndef VFIO_REGION_INFO_CAP_MEMATTR
#define VFIO_REGION_INFO_CAP_MEMATTR	6

struct vfio_region_info_cap_memattr {
	struct vfio_info_cap_header header;
	__u32	supported;		/* bit N: memattr N accepted */
	__u32	reserved;
};
#endif

/* ======================================================================
 * DMA-BUF (<linux/dma-buf.h>)
 * ====================================================================== */
#ifndef DMA_BUF_NAME_LEN
#define DMA_BUF_NAME_LEN	32	/* including the terminating NUL */
#endif
#ifndef DMA_BUF_BASE
#define DMA_BUF_BASE		'b'
#endif
#ifndef DMA_BUF_SET_NAME
/* The argument is a pointer to a NUL terminated name. */
#define DMA_BUF_SET_NAME	_IOW(DMA_BUF_BASE, 1, const char *)
#endif
/* statfs f_type of the DMA-BUF pseudo file system */
#define DU_DMA_BUF_MAGIC	0x444d4142

/* ======================================================================
 * iommufd (<linux/iommufd.h>, Linux 6.2+).  Every ioctl takes a struct
 * whose first field is its size (for extension); all are ';' type with
 * numbers from 0x80 and no size encoded.
 * ====================================================================== */
#ifndef IOMMUFD_TYPE
#define IOMMUFD_TYPE		(';')
#endif

#ifndef IOMMU_DESTROY
struct iommu_destroy {
	__u32	size;
	__u32	id;			/* any object id */
};
#define IOMMU_DESTROY		_IO(IOMMUFD_TYPE, 0x80)
#endif

#ifndef IOMMU_IOAS_ALLOC
struct iommu_ioas_alloc {
	__u32	size;
	__u32	flags;			/* must be 0 */
	__u32	out_ioas_id;
};
#define IOMMU_IOAS_ALLOC	_IO(IOMMUFD_TYPE, 0x81)
#endif

#ifndef IOMMU_IOAS_ALLOW_IOVAS
/* Inclusive IOVA interval, shared by ALLOW_IOVAS and IOVA_RANGES. */
struct iommu_iova_range {
	__aligned_u64	start;
	__aligned_u64	last;
};

struct iommu_ioas_allow_iovas {
	__u32	size;
	__u32	ioas_id;
	__u32	num_iovas;
	__u32	__reserved;
	__aligned_u64	allowed_iovas;	/* user pointer to iommu_iova_range[] */
};
#define IOMMU_IOAS_ALLOW_IOVAS	_IO(IOMMUFD_TYPE, 0x82)
#endif

#ifndef IOMMU_IOAS_COPY
struct iommu_ioas_copy {
	__u32	size;
	__u32	flags;			/* IOMMU_IOAS_MAP_* */
	__u32	dst_ioas_id;
	__u32	src_ioas_id;
	__aligned_u64	length;
	__aligned_u64	dst_iova;	/* in if FIXED_IOVA, else out */
	__aligned_u64	src_iova;
};
#define IOMMU_IOAS_COPY		_IO(IOMMUFD_TYPE, 0x83)
#endif

#ifndef IOMMU_IOAS_IOVA_RANGES
struct iommu_ioas_iova_ranges {
	__u32	size;
	__u32	ioas_id;
	__u32	num_iovas;		/* in: array capacity; out: count */
	__u32	__reserved;
	__aligned_u64	allowed_iovas;	/* user pointer to iommu_iova_range[] */
	__aligned_u64	out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES	_IO(IOMMUFD_TYPE, 0x84)
#endif

#ifndef IOMMU_IOAS_MAP
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA	= 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE	= 1 << 1,
	IOMMU_IOAS_MAP_READABLE		= 1 << 2,
};

struct iommu_ioas_map {
	__u32	size;
	__u32	flags;
	__u32	ioas_id;
	__u32	__reserved;
	__aligned_u64	user_va;
	__aligned_u64	length;
	__aligned_u64	iova;		/* in if FIXED_IOVA, else out */
};
#define IOMMU_IOAS_MAP		_IO(IOMMUFD_TYPE, 0x85)
#endif

#ifndef IOMMU_IOAS_UNMAP
struct iommu_ioas_unmap {
	__u32	size;
	__u32	ioas_id;
	__aligned_u64	iova;
	__aligned_u64	length;		/* in: range, 0 with iova 0 = all; out */
};
#define IOMMU_IOAS_UNMAP	_IO(IOMMUFD_TYPE, 0x86)
#endif

#ifndef IOMMU_OPTION
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE	= 0,
	IOMMU_OPTION_HUGE_PAGES		= 1,
};

enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET		= 0,
	IOMMU_OPTION_OP_GET		= 1,
};

struct iommu_option {
	__u32	size;
	__u32	option_id;
	__u16	op;
	__u16	__reserved;
	__u32	object_id;		/* 0 = the iommufd itself */
	__aligned_u64	val64;
};
#define IOMMU_OPTION		_IO(IOMMUFD_TYPE, 0x87)
#endif

#ifndef IOMMU_VFIO_IOAS
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET		= 0,
	IOMMU_VFIO_IOAS_SET		= 1,
	IOMMU_VFIO_IOAS_CLEAR		= 2,
};

struct iommu_vfio_ioas {
	__u32	size;
	__u32	ioas_id;
	__u16	op;
	__u16	__reserved;
};
#define IOMMU_VFIO_IOAS		_IO(IOMMUFD_TYPE, 0x88)
#endif

#ifndef IOMMU_HWPT_ALLOC
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT	= 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING	= 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID	= 1 << 2,
	IOMMU_HWPT_ALLOC_PASID		= 1 << 3,
};

enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE		= 0,
	IOMMU_HWPT_DATA_VTD_S1		= 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3	= 2,
	IOMMU_HWPT_DATA_AMD_GUEST	= 3,
};

struct iommu_hwpt_alloc {
	__u32	size;
	__u32	flags;
	__u32	dev_id;
	__u32	pt_id;			/* IOAS (or parent HWPT) */
	__u32	out_hwpt_id;
	__u32	__reserved;
	__u32	data_type;		/* IOMMU_HWPT_DATA_* */
	__u32	data_len;
	__aligned_u64	data_uptr;
	__u32	fault_id;
	__u32	__reserved2;
};
#define IOMMU_HWPT_ALLOC	_IO(IOMMUFD_TYPE, 0x89)
#endif

#ifndef IOMMU_GET_HW_INFO
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE		= 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD	= 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3	= 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	IOMMU_HW_INFO_TYPE_AMD		= 4,
};

enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING	= 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC	= 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV	= 1 << 2,
	IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
};

struct iommu_hw_info {
	__u32	size;
	__u32	flags;
	__u32	dev_id;
	__u32	data_len;		/* in: buffer size; out: bytes filled */
	__aligned_u64	data_uptr;
	union {
		__u32	in_data_type;
		__u32	out_data_type;	/* IOMMU_HW_INFO_TYPE_* */
	};
	__u8	out_max_pasid_log2;
	__u8	__reserved[3];
	__aligned_u64	out_capabilities; /* IOMMU_HW_CAP_* */
};
#define IOMMU_GET_HW_INFO	_IO(IOMMUFD_TYPE, 0x8a)
#endif

#ifndef IOMMU_IOAS_MAP_FILE
/* Map a memfd, regular file or DMA-BUF range (Linux 6.13; DMA-BUF 6.19). */
struct iommu_ioas_map_file {
	__u32	size;
	__u32	flags;			/* IOMMU_IOAS_MAP_* */
	__u32	ioas_id;
	__s32	fd;
	__aligned_u64	start;		/* offset in the file */
	__aligned_u64	length;
	__aligned_u64	iova;		/* in if FIXED_IOVA, else out */
};
#define IOMMU_IOAS_MAP_FILE	_IO(IOMMUFD_TYPE, 0x8f)
#endif

/* ======================================================================
 * The ABI pinned: layout and numbers as in Linux 7.3.4 (x86_64 and every
 * other Linux ABI: these structs have no implicit padding).
 * ====================================================================== */
#define DU_UAPI_SIZE(t, n)	_Static_assert(sizeof(struct t) == (n), \
					       "struct " #t " size")
#define DU_UAPI_OFF(t, f, n)	_Static_assert(offsetof(struct t, f) == (n), \
					       "struct " #t " field " #f)
#define DU_UAPI_NR(m, n)	_Static_assert((m) == (n), #m " number")

DU_UAPI_NR(VFIO_GET_API_VERSION, 0x3b64);
DU_UAPI_NR(VFIO_CHECK_EXTENSION, 0x3b65);
DU_UAPI_NR(VFIO_SET_IOMMU, 0x3b66);
DU_UAPI_NR(VFIO_GROUP_GET_STATUS, 0x3b67);
DU_UAPI_NR(VFIO_GROUP_SET_CONTAINER, 0x3b68);
DU_UAPI_NR(VFIO_GROUP_UNSET_CONTAINER, 0x3b69);
DU_UAPI_NR(VFIO_GROUP_GET_DEVICE_FD, 0x3b6a);
DU_UAPI_NR(VFIO_DEVICE_GET_INFO, 0x3b6b);
DU_UAPI_NR(VFIO_DEVICE_GET_REGION_INFO, 0x3b6c);
DU_UAPI_NR(VFIO_DEVICE_RESET, 0x3b6f);
DU_UAPI_NR(VFIO_DEVICE_FEATURE, 0x3b75);
DU_UAPI_NR(VFIO_DEVICE_BIND_IOMMUFD, 0x3b76);
DU_UAPI_NR(VFIO_DEVICE_ATTACH_IOMMUFD_PT, 0x3b77);
DU_UAPI_NR(VFIO_DEVICE_DETACH_IOMMUFD_PT, 0x3b78);
DU_UAPI_NR(VFIO_TYPE1v2_IOMMU, 3);
DU_UAPI_NR(VFIO_IOMMU_MAP_DMA, 0x3b71);
DU_UAPI_NR(VFIO_IOMMU_UNMAP_DMA, 0x3b72);
DU_UAPI_NR(VFIO_DMA_MAP_FLAG_READ, 1);
DU_UAPI_NR(VFIO_DMA_MAP_FLAG_WRITE, 2);
DU_UAPI_NR(VFIO_DMA_UNMAP_FLAG_ALL, 2);
DU_UAPI_NR(VFIO_PCI_CONFIG_REGION_INDEX, 7);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_MASK, 0xffff);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_GET, 0x10000);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_SET, 0x20000);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_PROBE, 0x40000);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_DMA_BUF, 11);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE, 14);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, 15);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC, 0);
DU_UAPI_NR(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC, 1);

DU_UAPI_SIZE(vfio_group_status, 8);
DU_UAPI_SIZE(vfio_iommu_type1_dma_map, 32);
DU_UAPI_OFF(vfio_iommu_type1_dma_map, vaddr, 8);
DU_UAPI_OFF(vfio_iommu_type1_dma_map, iova, 16);
DU_UAPI_OFF(vfio_iommu_type1_dma_map, size, 24);
DU_UAPI_OFF(vfio_iommu_type1_dma_unmap, iova, 8);
DU_UAPI_OFF(vfio_iommu_type1_dma_unmap, size, 16);
DU_UAPI_OFF(vfio_device_info, num_regions, 8);
DU_UAPI_OFF(vfio_device_info, num_irqs, 12);
DU_UAPI_SIZE(vfio_region_info, 32);
DU_UAPI_OFF(vfio_region_info, index, 8);
DU_UAPI_OFF(vfio_region_info, size, 16);
DU_UAPI_OFF(vfio_region_info, offset, 24);
DU_UAPI_SIZE(vfio_device_feature, 8);
DU_UAPI_OFF(vfio_device_feature, data, 8);
DU_UAPI_SIZE(vfio_device_bind_iommufd, 24);
DU_UAPI_OFF(vfio_device_bind_iommufd, iommufd, 8);
DU_UAPI_OFF(vfio_device_bind_iommufd, out_devid, 12);
DU_UAPI_SIZE(vfio_device_attach_iommufd_pt, 16);
DU_UAPI_OFF(vfio_device_attach_iommufd_pt, pt_id, 8);
DU_UAPI_SIZE(vfio_device_detach_iommufd_pt, 12);
DU_UAPI_SIZE(vfio_region_dma_range, 16);
DU_UAPI_SIZE(vfio_device_feature_dma_buf, 16);
DU_UAPI_OFF(vfio_device_feature_dma_buf, open_flags, 4);
DU_UAPI_OFF(vfio_device_feature_dma_buf, flags, 8);
DU_UAPI_OFF(vfio_device_feature_dma_buf, nr_ranges, 12);
DU_UAPI_OFF(vfio_device_feature_dma_buf, dma_ranges, 16);
DU_UAPI_SIZE(vfio_device_feature_dma_buf_revoke, 4);
DU_UAPI_SIZE(vfio_device_feature_dma_buf_memattr, 8);
DU_UAPI_OFF(vfio_device_feature_dma_buf_memattr, memattr, 4);
DU_UAPI_NR(VFIO_REGION_INFO_FLAG_CAPS, 8);
DU_UAPI_NR(VFIO_REGION_INFO_CAP_MEMATTR, 6);
DU_UAPI_SIZE(vfio_info_cap_header, 8);
DU_UAPI_OFF(vfio_info_cap_header, version, 2);
DU_UAPI_OFF(vfio_info_cap_header, next, 4);
DU_UAPI_OFF(vfio_region_info, cap_offset, 12);
DU_UAPI_SIZE(vfio_region_info_cap_memattr, 16);
DU_UAPI_OFF(vfio_region_info_cap_memattr, supported, 8);
DU_UAPI_OFF(vfio_region_info_cap_memattr, reserved, 12);

DU_UAPI_NR(DMA_BUF_SET_NAME, 0x40086201);
DU_UAPI_NR(DMA_BUF_NAME_LEN, 32);

DU_UAPI_NR(IOMMU_DESTROY, 0x3b80);
DU_UAPI_NR(IOMMU_IOAS_ALLOC, 0x3b81);
DU_UAPI_NR(IOMMU_IOAS_ALLOW_IOVAS, 0x3b82);
DU_UAPI_NR(IOMMU_IOAS_COPY, 0x3b83);
DU_UAPI_NR(IOMMU_IOAS_IOVA_RANGES, 0x3b84);
DU_UAPI_NR(IOMMU_IOAS_MAP, 0x3b85);
DU_UAPI_NR(IOMMU_IOAS_UNMAP, 0x3b86);
DU_UAPI_NR(IOMMU_OPTION, 0x3b87);
DU_UAPI_NR(IOMMU_VFIO_IOAS, 0x3b88);
DU_UAPI_NR(IOMMU_HWPT_ALLOC, 0x3b89);
DU_UAPI_NR(IOMMU_GET_HW_INFO, 0x3b8a);
DU_UAPI_NR(IOMMU_IOAS_MAP_FILE, 0x3b8f);
DU_UAPI_NR(IOMMU_IOAS_MAP_FIXED_IOVA, 1);
DU_UAPI_NR(IOMMU_IOAS_MAP_WRITEABLE, 2);
DU_UAPI_NR(IOMMU_IOAS_MAP_READABLE, 4);
DU_UAPI_NR(IOMMU_OPTION_HUGE_PAGES, 1);
DU_UAPI_NR(IOMMU_OPTION_OP_GET, 1);
DU_UAPI_NR(IOMMU_VFIO_IOAS_CLEAR, 2);

DU_UAPI_SIZE(iommu_destroy, 8);
DU_UAPI_SIZE(iommu_ioas_alloc, 12);
DU_UAPI_SIZE(iommu_iova_range, 16);
DU_UAPI_SIZE(iommu_ioas_allow_iovas, 24);
DU_UAPI_OFF(iommu_ioas_allow_iovas, allowed_iovas, 16);
DU_UAPI_SIZE(iommu_ioas_copy, 40);
DU_UAPI_OFF(iommu_ioas_copy, dst_iova, 24);
DU_UAPI_OFF(iommu_ioas_copy, src_iova, 32);
DU_UAPI_SIZE(iommu_ioas_iova_ranges, 32);
DU_UAPI_OFF(iommu_ioas_iova_ranges, out_iova_alignment, 24);
DU_UAPI_SIZE(iommu_ioas_map, 40);
DU_UAPI_OFF(iommu_ioas_map, user_va, 16);
DU_UAPI_OFF(iommu_ioas_map, iova, 32);
DU_UAPI_SIZE(iommu_ioas_unmap, 24);
DU_UAPI_OFF(iommu_ioas_unmap, iova, 8);
DU_UAPI_SIZE(iommu_option, 24);
DU_UAPI_OFF(iommu_option, op, 8);
DU_UAPI_OFF(iommu_option, object_id, 12);
DU_UAPI_OFF(iommu_option, val64, 16);
DU_UAPI_SIZE(iommu_vfio_ioas, 12);
DU_UAPI_OFF(iommu_vfio_ioas, op, 8);
DU_UAPI_SIZE(iommu_hwpt_alloc, 48);
DU_UAPI_OFF(iommu_hwpt_alloc, out_hwpt_id, 16);
DU_UAPI_OFF(iommu_hwpt_alloc, data_uptr, 32);
DU_UAPI_OFF(iommu_hwpt_alloc, fault_id, 40);
DU_UAPI_SIZE(iommu_hw_info, 40);
DU_UAPI_OFF(iommu_hw_info, data_uptr, 16);
DU_UAPI_OFF(iommu_hw_info, out_data_type, 24);
DU_UAPI_OFF(iommu_hw_info, out_capabilities, 24 + 8);
DU_UAPI_SIZE(iommu_ioas_map_file, 40);
DU_UAPI_OFF(iommu_ioas_map_file, fd, 12);
DU_UAPI_OFF(iommu_ioas_map_file, start, 16);
DU_UAPI_OFF(iommu_ioas_map_file, iova, 32);

#endif /* DU_UAPI_H */
