// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Print the uapi facts the tools rely on, one "name value" per line.
 *
 * Built two ways by tests/unit/test-uapi.sh: against du/uapi.h (the
 * project's definitions, as the tools see them) and, with
 * -DDU_UAPI_FROM_KERNEL, against the uapi headers installed from the kernel
 * tree (make headers_install).  The two outputs must agree.  Definitions
 * the series adds are only printed when the headers have them, so an
 * unpatched tree yields fewer lines, not a failure.
 */
#ifdef DU_UAPI_FROM_KERNEL
# include <linux/dma-buf.h>
# include <linux/iommufd.h>
# include <linux/vfio.h>
#else
# ifdef HAVE_CONFIG_H
#  include <config.h>
# endif
# include "du/uapi.h"
#endif

#include <stddef.h>
#include <stdio.h>

#define SIZE(t)		printf("sizeof:%s %zu\n", #t, sizeof(struct t))
#define OFF(t, f)	printf("offsetof:%s.%s %zu\n", #t, #f, \
			       offsetof(struct t, f))
#define NUM(m)		printf("%s 0x%llx\n", #m, (unsigned long long)(m))

int main(void)
{
	NUM(VFIO_GET_API_VERSION);
	NUM(VFIO_CHECK_EXTENSION);
	NUM(VFIO_SET_IOMMU);
	NUM(VFIO_IOMMU_MAP_DMA);
	NUM(VFIO_IOMMU_UNMAP_DMA);
	NUM(VFIO_DMA_MAP_FLAG_READ);
	NUM(VFIO_DMA_MAP_FLAG_WRITE);
	NUM(VFIO_DMA_UNMAP_FLAG_ALL);
	NUM(VFIO_GROUP_GET_STATUS);
	NUM(VFIO_GROUP_SET_CONTAINER);
	NUM(VFIO_GROUP_UNSET_CONTAINER);
	NUM(VFIO_GROUP_GET_DEVICE_FD);
	NUM(VFIO_DEVICE_GET_INFO);
	NUM(VFIO_DEVICE_GET_REGION_INFO);
	NUM(VFIO_DEVICE_RESET);
	NUM(VFIO_DEVICE_FEATURE);
	NUM(VFIO_DEVICE_BIND_IOMMUFD);
	NUM(VFIO_DEVICE_ATTACH_IOMMUFD_PT);
	NUM(VFIO_DEVICE_DETACH_IOMMUFD_PT);
	NUM(VFIO_API_VERSION);
	NUM(VFIO_TYPE1_IOMMU);
	NUM(VFIO_TYPE1v2_IOMMU);
	NUM(VFIO_GROUP_FLAGS_VIABLE);
	NUM(VFIO_DEVICE_FLAGS_RESET);
	NUM(VFIO_DEVICE_FLAGS_PCI);
	NUM(VFIO_REGION_INFO_FLAG_READ);
	NUM(VFIO_REGION_INFO_FLAG_WRITE);
	NUM(VFIO_REGION_INFO_FLAG_MMAP);
	NUM(VFIO_PCI_BAR0_REGION_INDEX);
	NUM(VFIO_PCI_BAR5_REGION_INDEX);
	NUM(VFIO_PCI_CONFIG_REGION_INDEX);
	NUM(VFIO_DEVICE_FEATURE_MASK);
	NUM(VFIO_DEVICE_FEATURE_GET);
	NUM(VFIO_DEVICE_FEATURE_SET);
	NUM(VFIO_DEVICE_FEATURE_PROBE);
	NUM(VFIO_DEVICE_FEATURE_DMA_BUF);
	SIZE(vfio_group_status);
	SIZE(vfio_iommu_type1_dma_map);
	OFF(vfio_iommu_type1_dma_map, flags);
	OFF(vfio_iommu_type1_dma_map, vaddr);
	OFF(vfio_iommu_type1_dma_map, iova);
	OFF(vfio_iommu_type1_dma_map, size);
	OFF(vfio_iommu_type1_dma_unmap, flags);
	OFF(vfio_iommu_type1_dma_unmap, iova);
	OFF(vfio_iommu_type1_dma_unmap, size);
	OFF(vfio_device_info, flags);
	OFF(vfio_device_info, num_regions);
	OFF(vfio_device_info, num_irqs);
	SIZE(vfio_region_info);
	OFF(vfio_region_info, flags);
	OFF(vfio_region_info, index);
	OFF(vfio_region_info, size);
	OFF(vfio_region_info, offset);
	SIZE(vfio_device_feature);
	OFF(vfio_device_feature, flags);
	OFF(vfio_device_feature, data);
	SIZE(vfio_device_bind_iommufd);
	OFF(vfio_device_bind_iommufd, flags);
	OFF(vfio_device_bind_iommufd, iommufd);
	OFF(vfio_device_bind_iommufd, out_devid);
	SIZE(vfio_device_attach_iommufd_pt);
	OFF(vfio_device_attach_iommufd_pt, pt_id);
	SIZE(vfio_device_detach_iommufd_pt);
	SIZE(vfio_region_dma_range);
	OFF(vfio_region_dma_range, length);
	SIZE(vfio_device_feature_dma_buf);
	OFF(vfio_device_feature_dma_buf, region_index);
	OFF(vfio_device_feature_dma_buf, open_flags);
	OFF(vfio_device_feature_dma_buf, flags);
	OFF(vfio_device_feature_dma_buf, nr_ranges);
	OFF(vfio_device_feature_dma_buf, dma_ranges);
#ifdef VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE
	NUM(VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE);
	SIZE(vfio_device_feature_dma_buf_revoke);
	OFF(vfio_device_feature_dma_buf_revoke, dmabuf_fd);
#endif
#ifdef VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR
	NUM(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR);
	NUM(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC);
	NUM(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC);
	SIZE(vfio_device_feature_dma_buf_memattr);
	OFF(vfio_device_feature_dma_buf_memattr, dmabuf_fd);
	OFF(vfio_device_feature_dma_buf_memattr, memattr);
#endif
	NUM(VFIO_REGION_INFO_FLAG_CAPS);
	SIZE(vfio_info_cap_header);
	OFF(vfio_info_cap_header, id);
	OFF(vfio_info_cap_header, version);
	OFF(vfio_info_cap_header, next);
	OFF(vfio_region_info, cap_offset);
#ifdef VFIO_REGION_INFO_CAP_MEMATTR
	NUM(VFIO_REGION_INFO_CAP_MEMATTR);
	SIZE(vfio_region_info_cap_memattr);
	OFF(vfio_region_info_cap_memattr, header);
	OFF(vfio_region_info_cap_memattr, supported);
	OFF(vfio_region_info_cap_memattr, reserved);
#endif

	NUM(DMA_BUF_SET_NAME);
	NUM(DMA_BUF_NAME_LEN);

	NUM(IOMMU_DESTROY);
	NUM(IOMMU_IOAS_ALLOC);
	NUM(IOMMU_IOAS_ALLOW_IOVAS);
	NUM(IOMMU_IOAS_COPY);
	NUM(IOMMU_IOAS_IOVA_RANGES);
	NUM(IOMMU_IOAS_MAP);
	NUM(IOMMU_IOAS_UNMAP);
	NUM(IOMMU_OPTION);
	NUM(IOMMU_VFIO_IOAS);
	NUM(IOMMU_HWPT_ALLOC);
	NUM(IOMMU_GET_HW_INFO);
	NUM(IOMMU_IOAS_MAP_FILE);
	NUM(IOMMU_IOAS_MAP_FIXED_IOVA);
	NUM(IOMMU_IOAS_MAP_WRITEABLE);
	NUM(IOMMU_IOAS_MAP_READABLE);
	NUM(IOMMU_OPTION_RLIMIT_MODE);
	NUM(IOMMU_OPTION_HUGE_PAGES);
	NUM(IOMMU_OPTION_OP_SET);
	NUM(IOMMU_OPTION_OP_GET);
	NUM(IOMMU_VFIO_IOAS_GET);
	NUM(IOMMU_VFIO_IOAS_SET);
	NUM(IOMMU_VFIO_IOAS_CLEAR);
	NUM(IOMMU_HWPT_DATA_NONE);
	NUM(IOMMU_HW_INFO_TYPE_INTEL_VTD);
	NUM(IOMMU_HW_INFO_TYPE_AMD);
	SIZE(iommu_destroy);
	SIZE(iommu_ioas_alloc);
	OFF(iommu_ioas_alloc, out_ioas_id);
	SIZE(iommu_iova_range);
	SIZE(iommu_ioas_allow_iovas);
	OFF(iommu_ioas_allow_iovas, num_iovas);
	OFF(iommu_ioas_allow_iovas, allowed_iovas);
	SIZE(iommu_ioas_copy);
	OFF(iommu_ioas_copy, dst_ioas_id);
	OFF(iommu_ioas_copy, src_ioas_id);
	OFF(iommu_ioas_copy, length);
	OFF(iommu_ioas_copy, dst_iova);
	OFF(iommu_ioas_copy, src_iova);
	SIZE(iommu_ioas_iova_ranges);
	OFF(iommu_ioas_iova_ranges, num_iovas);
	OFF(iommu_ioas_iova_ranges, allowed_iovas);
	OFF(iommu_ioas_iova_ranges, out_iova_alignment);
	SIZE(iommu_ioas_map);
	OFF(iommu_ioas_map, flags);
	OFF(iommu_ioas_map, ioas_id);
	OFF(iommu_ioas_map, user_va);
	OFF(iommu_ioas_map, length);
	OFF(iommu_ioas_map, iova);
	SIZE(iommu_ioas_unmap);
	OFF(iommu_ioas_unmap, iova);
	OFF(iommu_ioas_unmap, length);
	SIZE(iommu_option);
	OFF(iommu_option, option_id);
	OFF(iommu_option, op);
	OFF(iommu_option, object_id);
	OFF(iommu_option, val64);
	SIZE(iommu_vfio_ioas);
	OFF(iommu_vfio_ioas, ioas_id);
	OFF(iommu_vfio_ioas, op);
	SIZE(iommu_hwpt_alloc);
	OFF(iommu_hwpt_alloc, flags);
	OFF(iommu_hwpt_alloc, dev_id);
	OFF(iommu_hwpt_alloc, pt_id);
	OFF(iommu_hwpt_alloc, out_hwpt_id);
	OFF(iommu_hwpt_alloc, data_type);
	OFF(iommu_hwpt_alloc, data_len);
	OFF(iommu_hwpt_alloc, data_uptr);
	OFF(iommu_hwpt_alloc, fault_id);
	SIZE(iommu_hw_info);
	OFF(iommu_hw_info, dev_id);
	OFF(iommu_hw_info, data_len);
	OFF(iommu_hw_info, data_uptr);
	OFF(iommu_hw_info, out_data_type);
	OFF(iommu_hw_info, out_capabilities);
	SIZE(iommu_ioas_map_file);
	OFF(iommu_ioas_map_file, flags);
	OFF(iommu_ioas_map_file, ioas_id);
	OFF(iommu_ioas_map_file, fd);
	OFF(iommu_ioas_map_file, start);
	OFF(iommu_ioas_map_file, length);
	OFF(iommu_ioas_map_file, iova);
	return 0;
}
