/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/iommufd.h - thin wrappers for the iommufd ioctls on /dev/iommu.
 *
 * Every function returns 0 (or a documented non-negative value) on success
 * and -errno on failure, and prints nothing.  Object ids (IOAS, HWPT,
 * device) are only valid while the iommufd stays open.
 */
#ifndef DU_IOMMUFD_H
#define DU_IOMMUFD_H

#include <stddef.h>
#include <stdint.h>

/* Open /dev/iommu read-write, close-on-exec.  Returns the fd or -errno. */
int du_iommufd_open(void);

/* IOMMU_DESTROY of any object id. */
int du_iommufd_destroy(int fd, uint32_t id);

int du_ioas_alloc(int fd, uint32_t *ioas_id);
static inline int du_ioas_destroy(int fd, uint32_t ioas_id)
{
	return du_iommufd_destroy(fd, ioas_id);
}

/* Inclusive IOVA interval [start, last]. */
struct du_iova_range {
	uint64_t start;
	uint64_t last;
};

/*
 * The IOVA ranges usable in the IOAS (IOMMU_IOAS_IOVA_RANGES).  *ranges is
 * malloc()ed (free() it; NULL when *n == 0); *alignment (may be NULL)
 * receives the minimum IOVA alignment.
 */
int du_ioas_iova_ranges(int fd, uint32_t ioas_id, struct du_iova_range **ranges,
			size_t *n, uint64_t *alignment);

/* Restrict the IOVAs the kernel may choose (IOMMU_IOAS_ALLOW_IOVAS);
 * n == 0 removes the restriction. */
int du_ioas_allow_iovas(int fd, uint32_t ioas_id,
			const struct du_iova_range *ranges, size_t n);

/* Map flags (the kernel's IOMMU_IOAS_MAP_* values). */
enum {
	DU_IOMMU_FIXED	= 1 << 0,	/* *iova is the IOVA to use */
	DU_IOMMU_WRITE	= 1 << 1,	/* device may write */
	DU_IOMMU_READ	= 1 << 2,	/* device may read */
};

/*
 * Map user memory at va (IOMMU_IOAS_MAP).  With DU_IOMMU_FIXED *iova is
 * the IOVA; otherwise the kernel chooses and stores it in *iova.
 */
int du_ioas_map(int fd, uint32_t ioas_id, void *va, uint64_t length,
		uint64_t *iova, unsigned int flags);

/* Map [start, start + length) of a file, memfd or DMA-BUF fd
 * (IOMMU_IOAS_MAP_FILE); *iova as for du_ioas_map(). */
int du_ioas_map_file(int fd, uint32_t ioas_id, int file_fd, uint64_t start,
		     uint64_t length, uint64_t *iova, unsigned int flags);

/* Copy a mapping of src_ioas at src_iova to dst_ioas (IOMMU_IOAS_COPY);
 * *dst_iova as for du_ioas_map(). */
int du_ioas_copy(int fd, uint32_t dst_ioas, uint64_t *dst_iova,
		 uint32_t src_ioas, uint64_t src_iova, uint64_t length,
		 unsigned int flags);

/*
 * Unmap [iova, iova + length) (IOMMU_IOAS_UNMAP).  iova 0 with length 0
 * (or DU_IOAS_UNMAP_ALL) unmaps everything; the kernel's own spelling of
 * "all" is iova 0, length UINT64_MAX, which this function sends.
 * *unmapped (may be NULL) receives the number of bytes actually unmapped.
 * A range that matches no mapping is -ENOENT (the kernel's answer); a
 * range must cover whole mappings (else -ENOENT or -EINVAL from the
 * kernel).
 */
#define DU_IOAS_UNMAP_ALL UINT64_MAX
int du_ioas_unmap(int fd, uint32_t ioas_id, uint64_t iova, uint64_t length,
		  uint64_t *unmapped);

/* IOMMU_OPTION get/set (e.g. IOMMU_OPTION_HUGE_PAGES on an IOAS id, or
 * IOMMU_OPTION_RLIMIT_MODE with object 0). */
int du_iommufd_option_get(int fd, uint32_t option, uint32_t object_id,
			  uint64_t *val);
int du_iommufd_option_set(int fd, uint32_t option, uint32_t object_id,
			  uint64_t val);

/* The IOAS used by the VFIO compatibility container (IOMMU_VFIO_IOAS). */
int du_vfio_compat_ioas_get(int fd, uint32_t *ioas_id);
int du_vfio_compat_ioas_set(int fd, uint32_t ioas_id);
int du_vfio_compat_ioas_clear(int fd);

/*
 * The VFIO type1 container ioctls, which iommufd serves on its own fd for
 * the compatibility IOAS (above): VFIO_SET_IOMMU (type VFIO_TYPE1v2_IOMMU
 * or VFIO_TYPE1_IOMMU; iommufd needs the compatibility IOAS set first),
 * VFIO_IOMMU_MAP_DMA of user memory at va (flags DU_IOMMU_READ |
 * DU_IOMMU_WRITE; the IOVA is always fixed), VFIO_IOMMU_UNMAP_DMA of
 * [iova, iova + length) (iova 0 with length 0 or DU_IOAS_UNMAP_ALL:
 * everything, VFIO_DMA_UNMAP_FLAG_ALL) with *unmapped (may be NULL) the
 * bytes unmapped.  -ENODEV: no compatibility IOAS.
 */
int du_vfio_compat_set_iommu(int fd, unsigned long type);
int du_vfio_compat_map_dma(int fd, uint64_t iova, void *va, uint64_t length,
			   unsigned int flags);
int du_vfio_compat_unmap_dma(int fd, uint64_t iova, uint64_t length,
			     uint64_t *unmapped);

/* Allocate a HWPT for device dev_id on IOAS pt_id (IOMMU_HWPT_ALLOC, no
 * driver data).  flags: IOMMU_HWPT_ALLOC_*. */
int du_hwpt_alloc(int fd, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
		  uint32_t *hwpt_id);

/* IOMMU_GET_HW_INFO for a bound device. */
#define DU_HW_INFO_DATA_MAX 256
struct du_hw_info {
	uint32_t type;			/* IOMMU_HW_INFO_TYPE_* */
	uint64_t capabilities;		/* IOMMU_HW_CAP_* */
	uint32_t data_len;		/* bytes of data[] the kernel filled */
	unsigned char data[DU_HW_INFO_DATA_MAX]; /* driver specific */
};
int du_iommufd_hw_info(int fd, uint32_t dev_id, struct du_hw_info *info);

/* Name of an IOMMU_HW_INFO_TYPE_* ("intel-vtd", "none"...) or "unknown". */
const char *du_hw_info_type_name(uint32_t type);

#endif /* DU_IOMMUFD_H */
