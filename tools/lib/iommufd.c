// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Thin wrappers for the iommufd ioctls.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "du/iommufd.h"
#include "du/uapi.h"

_Static_assert((int)DU_IOMMU_FIXED == (int)IOMMU_IOAS_MAP_FIXED_IOVA, "map flags");
_Static_assert((int)DU_IOMMU_WRITE == (int)IOMMU_IOAS_MAP_WRITEABLE, "map flags");
_Static_assert((int)DU_IOMMU_READ == (int)IOMMU_IOAS_MAP_READABLE, "map flags");
_Static_assert(sizeof(struct du_iova_range) == sizeof(struct iommu_iova_range),
	       "iova range layout");

#define DU_MAP_FLAGS (DU_IOMMU_FIXED | DU_IOMMU_WRITE | DU_IOMMU_READ)

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

static uint64_t uptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int du_iommufd_open(void)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int du_iommufd_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };
	int ret = xioctl(fd, IOMMU_DESTROY, &cmd);

	return ret < 0 ? ret : 0;
}

int du_ioas_alloc(int fd, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret = xioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (ret < 0)
		return ret;
	*ioas_id = cmd.out_ioas_id;
	return 0;
}

int du_ioas_iova_ranges(int fd, uint32_t ioas_id, struct du_iova_range **ranges,
			size_t *n, uint64_t *alignment)
{
	struct iommu_ioas_iova_ranges cmd;
	struct iommu_iova_range *buf = NULL;
	int ret;

	*ranges = NULL;
	*n = 0;
	/*
	 * Ask for the count first; the set can grow between calls (a device
	 * attached meanwhile), in which case the kernel answers EMSGSIZE
	 * with the new count and we try again.
	 */
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.ioas_id = ioas_id;
	for (;;) {
		ret = xioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
		if (ret != -EMSGSIZE)
			break;
		free(buf);
		buf = calloc(cmd.num_iovas, sizeof(*buf));
		if (!buf)
			return -ENOMEM;
		cmd.allowed_iovas = uptr(buf);
	}
	if (ret < 0) {
		free(buf);
		return ret;
	}
	if (!cmd.num_iovas) {
		free(buf);
		buf = NULL;
	}
	*ranges = (struct du_iova_range *)buf;
	*n = cmd.num_iovas;
	if (alignment)
		*alignment = cmd.out_iova_alignment;
	return 0;
}

int du_ioas_allow_iovas(int fd, uint32_t ioas_id,
			const struct du_iova_range *ranges, size_t n)
{
	struct iommu_ioas_allow_iovas cmd;
	int ret;

	if (n > UINT32_MAX)
		return -EINVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.ioas_id = ioas_id;
	cmd.num_iovas = (uint32_t)n;
	cmd.allowed_iovas = uptr(ranges);
	ret = xioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
	return ret < 0 ? ret : 0;
}

int du_ioas_map(int fd, uint32_t ioas_id, void *va, uint64_t length,
		uint64_t *iova, unsigned int flags)
{
	struct iommu_ioas_map cmd;
	int ret;

	if (flags & ~(unsigned int)DU_MAP_FLAGS)
		return -EINVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.flags = flags;
	cmd.ioas_id = ioas_id;
	cmd.user_va = uptr(va);
	cmd.length = length;
	if (flags & DU_IOMMU_FIXED)
		cmd.iova = *iova;
	ret = xioctl(fd, IOMMU_IOAS_MAP, &cmd);
	if (ret < 0)
		return ret;
	*iova = cmd.iova;
	return 0;
}

int du_ioas_map_file(int fd, uint32_t ioas_id, int file_fd, uint64_t start,
		     uint64_t length, uint64_t *iova, unsigned int flags)
{
	struct iommu_ioas_map_file cmd;
	int ret;

	if (flags & ~(unsigned int)DU_MAP_FLAGS)
		return -EINVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.flags = flags;
	cmd.ioas_id = ioas_id;
	cmd.fd = file_fd;
	cmd.start = start;
	cmd.length = length;
	if (flags & DU_IOMMU_FIXED)
		cmd.iova = *iova;
	ret = xioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);
	if (ret < 0)
		return ret;
	*iova = cmd.iova;
	return 0;
}

int du_ioas_copy(int fd, uint32_t dst_ioas, uint64_t *dst_iova,
		 uint32_t src_ioas, uint64_t src_iova, uint64_t length,
		 unsigned int flags)
{
	struct iommu_ioas_copy cmd;
	int ret;

	if (flags & ~(unsigned int)DU_MAP_FLAGS)
		return -EINVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.flags = flags;
	cmd.dst_ioas_id = dst_ioas;
	cmd.src_ioas_id = src_ioas;
	cmd.length = length;
	cmd.src_iova = src_iova;
	if (flags & DU_IOMMU_FIXED)
		cmd.dst_iova = *dst_iova;
	ret = xioctl(fd, IOMMU_IOAS_COPY, &cmd);
	if (ret < 0)
		return ret;
	*dst_iova = cmd.dst_iova;
	return 0;
}

int du_ioas_unmap(int fd, uint32_t ioas_id, uint64_t iova, uint64_t length,
		  uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.ioas_id = ioas_id;
	cmd.iova = iova;
	cmd.length = length;
	if (!iova && !length)
		cmd.length = DU_IOAS_UNMAP_ALL;
	ret = xioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
	if (ret < 0)
		return ret;
	if (unmapped)
		*unmapped = cmd.length;
	return 0;
}

static int option(int fd, uint16_t op, uint32_t option_id, uint32_t object_id,
		  uint64_t *val)
{
	struct iommu_option cmd;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.option_id = option_id;
	cmd.op = op;
	cmd.object_id = object_id;
	cmd.val64 = *val;
	ret = xioctl(fd, IOMMU_OPTION, &cmd);
	if (ret < 0)
		return ret;
	*val = cmd.val64;
	return 0;
}

int du_iommufd_option_get(int fd, uint32_t option_id, uint32_t object_id,
			  uint64_t *val)
{
	*val = 0;
	return option(fd, IOMMU_OPTION_OP_GET, option_id, object_id, val);
}

int du_iommufd_option_set(int fd, uint32_t option_id, uint32_t object_id,
			  uint64_t val)
{
	return option(fd, IOMMU_OPTION_OP_SET, option_id, object_id, &val);
}

static int vfio_ioas(int fd, uint16_t op, uint32_t *ioas_id)
{
	struct iommu_vfio_ioas cmd;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.op = op;
	cmd.ioas_id = *ioas_id;
	ret = xioctl(fd, IOMMU_VFIO_IOAS, &cmd);
	if (ret < 0)
		return ret;
	*ioas_id = cmd.ioas_id;
	return 0;
}

int du_vfio_compat_ioas_get(int fd, uint32_t *ioas_id)
{
	*ioas_id = 0;
	return vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, ioas_id);
}

int du_vfio_compat_ioas_set(int fd, uint32_t ioas_id)
{
	return vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &ioas_id);
}

int du_vfio_compat_ioas_clear(int fd)
{
	uint32_t id = 0;

	return vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR, &id);
}

int du_vfio_compat_set_iommu(int fd, unsigned long type)
{
	int ret = xioctl(fd, VFIO_SET_IOMMU, (void *)type);

	return ret < 0 ? ret : 0;
}

int du_vfio_compat_map_dma(int fd, uint64_t iova, void *va, uint64_t length,
			   unsigned int flags)
{
	struct vfio_iommu_type1_dma_map cmd;
	int ret;

	if (flags & ~(unsigned int)(DU_IOMMU_READ | DU_IOMMU_WRITE))
		return -EINVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.argsz = sizeof(cmd);
	if (flags & DU_IOMMU_READ)
		cmd.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (flags & DU_IOMMU_WRITE)
		cmd.flags |= VFIO_DMA_MAP_FLAG_WRITE;
	cmd.vaddr = uptr(va);
	cmd.iova = iova;
	cmd.size = length;
	ret = xioctl(fd, VFIO_IOMMU_MAP_DMA, &cmd);
	return ret < 0 ? ret : 0;
}

int du_vfio_compat_unmap_dma(int fd, uint64_t iova, uint64_t length,
			     uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap cmd;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.argsz = sizeof(cmd);
	if (!iova && (!length || length == DU_IOAS_UNMAP_ALL)) {
		cmd.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	} else {
		cmd.iova = iova;
		cmd.size = length;
	}
	ret = xioctl(fd, VFIO_IOMMU_UNMAP_DMA, &cmd);
	if (ret < 0)
		return ret;
	if (unmapped)
		*unmapped = cmd.size;
	return 0;
}

int du_hwpt_alloc(int fd, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
		  uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc cmd;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.flags = flags;
	cmd.dev_id = dev_id;
	cmd.pt_id = pt_id;
	cmd.data_type = IOMMU_HWPT_DATA_NONE;
	ret = xioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	if (ret < 0)
		return ret;
	*hwpt_id = cmd.out_hwpt_id;
	return 0;
}

int du_iommufd_hw_info(int fd, uint32_t dev_id, struct du_hw_info *info)
{
	struct iommu_hw_info cmd;
	int ret;

	memset(info, 0, sizeof(*info));
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.dev_id = dev_id;
	cmd.data_len = sizeof(info->data);
	cmd.data_uptr = uptr(info->data);
	ret = xioctl(fd, IOMMU_GET_HW_INFO, &cmd);
	if (ret < 0)
		return ret;
	info->type = cmd.out_data_type;
	info->capabilities = cmd.out_capabilities;
	info->data_len = cmd.data_len < sizeof(info->data) ? cmd.data_len
							    : sizeof(info->data);
	return 0;
}

const char *du_hw_info_type_name(uint32_t type)
{
	switch (type) {
	case IOMMU_HW_INFO_TYPE_NONE:		return "none";
	case IOMMU_HW_INFO_TYPE_INTEL_VTD:	return "intel-vtd";
	case IOMMU_HW_INFO_TYPE_ARM_SMMUV3:	return "arm-smmuv3";
	case IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV:	return "tegra241-cmdqv";
	case IOMMU_HW_INFO_TYPE_AMD:		return "amd";
	default:				return "unknown";
	}
}
