// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VFIO device access: cdev + iommufd or legacy group/container, regions,
 * reset, device features and the DMA-BUF features.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/pci.h"
#include "du/uapi.h"
#include "du/vfio.h"

/* Size of a struct up to and including member m. */
#define SIZE_THROUGH(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int du_vfio_cdev_open(const char *cdev_path)
{
	int fd = open(cdev_path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int du_vfio_bind_iommufd(int devfd, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind;
	int ret;

	memset(&bind, 0, sizeof(bind));
	/* The pre-token layout: accepted by every kernel with cdevs. */
	bind.argsz = SIZE_THROUGH(struct vfio_device_bind_iommufd, out_devid);
	bind.iommufd = iommufd;
	ret = xioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (ret < 0)
		return ret;
	if (devid)
		*devid = bind.out_devid;
	return 0;
}

int du_vfio_attach(int devfd, uint32_t pt_id, uint32_t *out_hwpt)
{
	struct vfio_device_attach_iommufd_pt at;
	int ret;

	memset(&at, 0, sizeof(at));
	at.argsz = SIZE_THROUGH(struct vfio_device_attach_iommufd_pt, pt_id);
	at.pt_id = pt_id;
	ret = xioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (ret < 0)
		return ret;
	if (out_hwpt)
		*out_hwpt = at.pt_id;
	return 0;
}

int du_vfio_detach(int devfd)
{
	struct vfio_device_detach_iommufd_pt de;
	int ret;

	memset(&de, 0, sizeof(de));
	de.argsz = SIZE_THROUGH(struct vfio_device_detach_iommufd_pt, flags);
	ret = xioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de);
	return ret < 0 ? ret : 0;
}

static int open_cdev(struct du_vfio_device *d, const char *path, int iommufd)
{
	int ret;

	d->fd = du_vfio_cdev_open(path);
	if (d->fd < 0)
		return d->fd;
	if (iommufd < 0) {
		iommufd = du_iommufd_open();
		if (iommufd < 0)
			return iommufd;
		d->own_iommufd = true;
	}
	d->iommufd = iommufd;
	ret = du_vfio_bind_iommufd(d->fd, iommufd, &d->devid);
	return ret;
}

static int open_legacy(struct du_vfio_device *d)
{
	struct vfio_group_status st;
	char path[PATH_MAX], bdf[DU_PCI_ADDR_STRLEN];
	int ret, type;

	ret = du_pci_vfio_group_path(&d->addr, path, sizeof(path));
	if (ret)
		return ret;
	d->group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->group_fd < 0)
		return -errno;
	memset(&st, 0, sizeof(st));
	st.argsz = sizeof(st);
	ret = xioctl(d->group_fd, VFIO_GROUP_GET_STATUS, &st);
	if (ret < 0)
		return ret;
	/* Another device of the group is not bound to a VFIO driver. */
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;

	d->container_fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container_fd < 0)
		return -errno;
	ret = xioctl(d->container_fd, VFIO_GET_API_VERSION, NULL);
	if (ret < 0)
		return ret;
	if (ret != VFIO_API_VERSION)
		return -EPROTO;
	type = VFIO_TYPE1v2_IOMMU;
	if (xioctl(d->container_fd, VFIO_CHECK_EXTENSION,
		   (void *)(long)type) <= 0)
		type = VFIO_TYPE1_IOMMU;
	ret = xioctl(d->group_fd, VFIO_GROUP_SET_CONTAINER, &d->container_fd);
	if (ret < 0)
		return ret;
	ret = xioctl(d->container_fd, VFIO_SET_IOMMU, (void *)(long)type);
	if (ret < 0)
		return ret;
	du_pci_addr_format(&d->addr, bdf, sizeof(bdf));
	ret = xioctl(d->group_fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (ret < 0)
		return ret;
	d->fd = ret;
	d->legacy = true;
	return 0;
}

static void reset_dev(struct du_vfio_device *d)
{
	memset(d, 0, sizeof(*d));
	d->fd = d->iommufd = d->group_fd = d->container_fd = -1;
	d->initialized = true;
}

int du_vfio_open(const struct du_pci_addr *addr, int iommufd,
		 unsigned int flags, struct du_vfio_device *d)
{
	char path[PATH_MAX];
	int ret;

	reset_dev(d);
	d->addr = *addr;
	if (!du_pci_exists(addr))
		return -ENOENT;
	if (!(flags & DU_VFIO_OPEN_LEGACY)) {
		ret = du_pci_vfio_cdev(addr, d->cdev, sizeof(d->cdev),
				       path, sizeof(path));
		if (!ret) {
			ret = open_cdev(d, path, iommufd);
			/* no /dev/iommu: the kernel has no iommufd */
			if (ret == -ENOENT && d->iommufd < 0 &&
			    !(flags & DU_VFIO_OPEN_NO_LEGACY)) {
				du_vfio_close(d);
				d->addr = *addr;
				goto legacy;
			}
			if (ret)
				du_vfio_close(d);
			return ret;
		}
		if (ret != -ENOENT || (flags & DU_VFIO_OPEN_NO_LEGACY))
			return ret;
	}
legacy:
	d->cdev[0] = '\0';
	ret = open_legacy(d);
	if (ret) {
		du_vfio_close(d);
		d->addr = *addr;
	}
	return ret;
}

void du_vfio_close(struct du_vfio_device *d)
{
	struct du_pci_addr addr = d->addr;

	if (!d->initialized)
		return;
	close_fd(&d->fd);
	if (d->own_iommufd)
		close_fd(&d->iommufd);
	close_fd(&d->group_fd);
	close_fd(&d->container_fd);
	reset_dev(d);
	d->addr = addr;
}

int du_vfio_device_info(int devfd, struct du_vfio_info *info)
{
	struct vfio_device_info di;
	int ret;

	memset(&di, 0, sizeof(di));
	/* Without cap_offset: no capability chain wanted. */
	di.argsz = SIZE_THROUGH(struct vfio_device_info, num_irqs);
	ret = xioctl(devfd, VFIO_DEVICE_GET_INFO, &di);
	if (ret < 0)
		return ret;
	info->flags = di.flags;
	info->num_regions = di.num_regions;
	info->num_irqs = di.num_irqs;
	return 0;
}

/* VFIO_DEVICE_GET_REGION_INFO of index into ri, size bytes (the struct,
 * or a larger buffer for the capability chain). */
static int region_info_ioctl(int devfd, unsigned int index,
			     struct vfio_region_info *ri, size_t size)
{
	memset(ri, 0, size);
	ri->argsz = (uint32_t)size;
	ri->index = index;
	return xioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, ri);
}

static void region_from_info(struct du_vfio_region *r,
			     const struct vfio_region_info *ri)
{
	r->index = ri->index;
	r->flags = ri->flags;
	r->size = ri->size;
	r->offset = ri->offset;
	r->cap_offset = 0;
}

int du_vfio_region_info(int devfd, unsigned int index,
			struct du_vfio_region *r)
{
	struct vfio_region_info ri;
	int ret;

	ret = region_info_ioctl(devfd, index, &ri, sizeof(ri));
	if (ret < 0)
		return ret;
	region_from_info(r, &ri);
	return 0;
}

int du_vfio_region_info_caps(int devfd, unsigned int index,
			     struct du_vfio_region *r, void **buf,
			     size_t *len)
{
	struct vfio_region_info ri, *p = NULL;
	size_t want = sizeof(ri);
	int ret, tries;

	*buf = NULL;
	*len = 0;
	ret = region_info_ioctl(devfd, index, &ri, sizeof(ri));
	if (ret < 0)
		return ret;
	/*
	 * Too small a buffer for the chain: the kernel sets argsz to what it
	 * needs, FLAG_CAPS, and leaves cap_offset 0.  Ask again with that
	 * much (and again should the chain grow in between).
	 */
	for (tries = 0; (ri.flags & VFIO_REGION_INFO_FLAG_CAPS) &&
	     ri.argsz > want; tries++) {
		void *np;

		if (tries == 3) {
			free(p);
			return -EAGAIN;
		}
		if (ri.argsz > DU_VFIO_INFO_MAX) {
			free(p);
			return -EOVERFLOW;
		}
		want = ri.argsz;
		np = realloc(p, want);
		if (!np) {
			free(p);
			return -ENOMEM;
		}
		p = np;
		ret = region_info_ioctl(devfd, index, p, want);
		if (ret < 0) {
			free(p);
			return ret;
		}
		memcpy(&ri, p, sizeof(ri));
	}
	region_from_info(r, &ri);
	if (p && (ri.flags & VFIO_REGION_INFO_FLAG_CAPS) && ri.cap_offset) {
		r->cap_offset = ri.cap_offset;
		*buf = p;
		*len = want;
	} else {
		free(p);
	}
	return 0;
}

long du_vfio_find_cap(const void *buf, size_t len, size_t fixed,
		      uint32_t first, uint16_t id, size_t cap_size)
{
	const unsigned char *b = buf;
	struct vfio_info_cap_header h;
	size_t off = first, links = 0, max_links;

	if (cap_size < sizeof(h))
		cap_size = sizeof(h);
	if (!buf || len < fixed || len > DU_VFIO_INFO_MAX)
		return -EBADMSG;
	/* Every header takes 8 bytes of its own: more links is a cycle. */
	max_links = (len - fixed) / sizeof(h);
	while (off) {
		if (off < fixed || off > len || len - off < sizeof(h) ||
		    ++links > max_links)
			return -EBADMSG;
		memcpy(&h, b + off, sizeof(h));
		if (h.id == id) {
			if (len - off < cap_size)
				return -EBADMSG;
			return (long)off;
		}
		off = h.next;
	}
	return -ENOENT;
}

int du_vfio_bar_memattrs(int devfd, unsigned int bar, uint32_t *mask)
{
	struct vfio_region_info_cap_memattr cap;
	struct du_vfio_region r;
	size_t len;
	void *buf;
	long off;
	int ret;

	if (bar > VFIO_PCI_BAR5_REGION_INDEX)
		return -EINVAL;
	ret = du_vfio_region_info_caps(devfd, bar, &r, &buf, &len);
	if (ret < 0)
		return ret;
	if (!buf)
		return -ENOENT;
	off = du_vfio_find_cap(buf, len, sizeof(struct vfio_region_info),
			       r.cap_offset, VFIO_REGION_INFO_CAP_MEMATTR,
			       sizeof(cap));
	if (off > 0) {
		memcpy(&cap, (unsigned char *)buf + off, sizeof(cap));
		*mask = cap.supported;
	}
	free(buf);
	return off < 0 ? (int)off : 0;
}

enum du_wc du_vfio_wc_verdict(bool io, bool prefetchable, int feature,
			      int cap_ret, uint32_t mask)
{
	if (io)
		return DU_WC_IO_BAR;
	if (feature < 0)
		return DU_WC_UNKNOWN;
	if (!feature)
		return DU_WC_KERNEL;
	if (cap_ret < 0)
		return DU_WC_UNKNOWN;
	if (mask & (1u << VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC))
		return DU_WC_YES;
	return prefetchable ? DU_WC_NO_MEMTYPE : DU_WC_NON_PREFETCHABLE;
}

const char *du_wc_name(enum du_wc wc)
{
	switch (wc) {
	case DU_WC_YES:
		return "yes";
	case DU_WC_IO_BAR:
		return "io-bar";
	case DU_WC_NON_PREFETCHABLE:
		return "non-prefetchable";
	case DU_WC_NO_MEMTYPE:
		return "no-wc-memtype";
	case DU_WC_KERNEL:
		return "kernel";
	case DU_WC_UNKNOWN:
		break;
	}
	return "unknown";
}

int du_vfio_reset(int devfd)
{
	int ret = xioctl(devfd, VFIO_DEVICE_RESET, NULL);

	return ret < 0 ? ret : 0;
}

int du_vfio_feature_probe(int devfd, uint32_t feature, uint32_t access)
{
	struct vfio_device_feature f;
	int ret;

	if (feature & ~(uint32_t)VFIO_DEVICE_FEATURE_MASK)
		return -EINVAL;
	access &= VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET;
	/* kernel-abi.md: DMA_BUF is probed without GET, never with it. */
	if (feature == VFIO_DEVICE_FEATURE_DMA_BUF)
		access &= ~(uint32_t)VFIO_DEVICE_FEATURE_GET;
	memset(&f, 0, sizeof(f));
	f.argsz = sizeof(f);
	f.flags = VFIO_DEVICE_FEATURE_PROBE | feature | access;
	ret = xioctl(devfd, VFIO_DEVICE_FEATURE, &f);
	return ret < 0 ? ret : 0;
}

int du_vfio_feature(int devfd, uint32_t flags, void *data, size_t len)
{
	struct vfio_device_feature *f;
	size_t total = sizeof(*f) + len;
	int ret;

	if (len > UINT32_MAX - sizeof(*f))
		return -EINVAL;
	f = calloc(1, total);
	if (!f)
		return -ENOMEM;
	f->argsz = (uint32_t)total;
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	ret = xioctl(devfd, VFIO_DEVICE_FEATURE, f);
	if (ret >= 0 && (flags & VFIO_DEVICE_FEATURE_GET) && len)
		memcpy(data, f->data, len);
	free(f);
	return ret;
}

int du_vfio_dmabuf_export(int devfd, unsigned int bar,
			  const struct du_range *ranges, size_t n,
			  int open_flags)
{
	struct vfio_device_feature_dma_buf *db;
	size_t len;
	int ret;

	if (bar > VFIO_PCI_BAR5_REGION_INDEX || !n ||
	    n > DU_VFIO_DMABUF_MAX_RANGES)
		return -EINVAL;
	len = sizeof(*db) + n * sizeof(db->dma_ranges[0]);
	db = calloc(1, len);
	if (!db)
		return -ENOMEM;
	db->region_index = bar;
	db->open_flags = (uint32_t)open_flags;
	db->nr_ranges = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		db->dma_ranges[i].offset = ranges[i].offset;
		db->dma_ranges[i].length = ranges[i].length;
	}
	ret = du_vfio_feature(devfd, VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_DMA_BUF, db, len);
	free(db);
	return ret;
}

int du_vfio_dmabuf_revoke(int devfd, int dmabuf_fd)
{
	struct vfio_device_feature_dma_buf_revoke rv = { .dmabuf_fd = dmabuf_fd };
	int ret;

	ret = du_vfio_feature(devfd, VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
			      &rv, sizeof(rv));
	return ret < 0 ? ret : 0;
}

int du_vfio_dmabuf_memattr_get(int devfd, int dmabuf_fd, uint32_t *memattr)
{
	struct vfio_device_feature_dma_buf_memattr ma = { .dmabuf_fd = dmabuf_fd };
	int ret;

	ret = du_vfio_feature(devfd, VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
			      &ma, sizeof(ma));
	if (ret < 0)
		return ret;
	*memattr = ma.memattr;
	return 0;
}

int du_vfio_dmabuf_memattr_set(int devfd, int dmabuf_fd, uint32_t memattr)
{
	struct vfio_device_feature_dma_buf_memattr ma = {
		.dmabuf_fd = dmabuf_fd,
		.memattr = memattr,
	};
	int ret;

	ret = du_vfio_feature(devfd, VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
			      &ma, sizeof(ma));
	return ret < 0 ? ret : 0;
}

const struct du_keyword du_memattr_keywords[] = {
	{ "nc", VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC },
	{ "wc", VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC },
	{ NULL, 0 },
};

/* ---- errors in words -------------------------------------------------- */

struct errmsg {
	int err;
	const char *msg;
};

static const struct errmsg open_msgs[] = {
	{ ENOENT, "no such device, or it is not bound to vfio-pci" },
	{ EBUSY, "the device or its IOMMU group is in use, or the group has devices not bound to vfio-pci" },
	{ EACCES, "permission denied (VFIO needs root or access to /dev/vfio and /dev/iommu)" },
	{ EPERM, "permission denied (VFIO needs root or access to /dev/vfio and /dev/iommu)" },
	{ ENOTTY, "the running kernel lacks VFIO cdev/iommufd support" },
	{ 0, NULL },
};

static const struct errmsg probe_msgs[] = {
	{ ENOTTY, "the running kernel lacks this VFIO device feature" },
	{ EINVAL, "the running kernel lacks this VFIO device feature" },
	{ EOPNOTSUPP, "the device does not support this feature" },
	{ 0, NULL },
};

static const struct errmsg export_msgs[] = {
	{ ENOTTY, "the running kernel lacks VFIO DMA-BUF export (CONFIG_VFIO_PCI_DMABUF)" },
	{ EOPNOTSUPP, "the device cannot export DMA-BUFs" },
	{ ENODEV, "the BAR cannot be exported (not a claimed memory BAR) or the device is going away" },
	{ EINVAL, "invalid ranges: zero, unaligned or past the end of the BAR, or the BAR has no P2P provider" },
	{ EOVERFLOW, "a range overflows the BAR's address" },
	{ 0, NULL },
};

static const struct errmsg revoke_msgs[] = {
	{ ENOTTY, "the running kernel lacks DMA-BUF revoke" },
	{ EBADF, "not a DMA-BUF" },
	{ EINVAL, "not a DMA-BUF" },
	{ EOPNOTSUPP, "the device cannot export DMA-BUFs" },
	{ ENODEV, "the buffer was not exported by this device" },
	{ EBADFD, "the buffer is already revoked" },
	{ 0, NULL },
};

static const struct errmsg memattr_msgs[] = {
	{ ENOTTY, "the running kernel lacks DMA-BUF memory attributes" },
	{ EBADF, "not a DMA-BUF" },
	{ EINVAL, "not a DMA-BUF" },
	{ EOPNOTSUPP, "not available for this buffer: the platform cannot provide it (BAR not prefetchable, MSI-X table pages, no write-combining memory type, or an older kernel that refuses it)" },
	{ ENODEV, "the buffer was not exported by this device" },
	{ EBADFD, "the buffer is revoked" },
	{ 0, NULL },
};

static const struct errmsg mmap_msgs[] = {
	{ ENODEV, "the buffer is revoked" },
	{ EINVAL, "invalid mapping: it must be MAP_SHARED and not larger than the buffer" },
	{ ENOTTY, "the running kernel cannot mmap() this DMA-BUF" },
	{ EBUSY, "the range is mapped with another memory type now (a write-combining or uncached mapping of another buffer or of this one, an ioeventfd, the MSI-X table, or a mapping outside VFIO)" },
	{ 0, NULL },
};

static const struct errmsg map_file_msgs[] = {
	{ ENODEV, "the buffer is revoked" },
	{ EOPNOTSUPP, "iommufd maps only single-range VFIO DMA-BUFs" },
	{ ENOTTY, "the running kernel lacks IOMMU_IOAS_MAP_FILE" },
	{ EBADF, "not an open file descriptor" },
	{ 0, NULL },
};

const char *du_vfio_strerror(enum du_vfio_op op, int err)
{
	static const struct errmsg *const tables[] = {
		[DU_VFIO_OP_OPEN] = open_msgs,
		[DU_VFIO_OP_PROBE] = probe_msgs,
		[DU_VFIO_OP_EXPORT] = export_msgs,
		[DU_VFIO_OP_REVOKE] = revoke_msgs,
		[DU_VFIO_OP_MEMATTR] = memattr_msgs,
		[DU_VFIO_OP_MMAP] = mmap_msgs,
		[DU_VFIO_OP_MAP_FILE] = map_file_msgs,
	};

	if (err < 0)
		err = -err;
	if ((unsigned int)op < sizeof(tables) / sizeof(tables[0]) && tables[op])
		for (const struct errmsg *m = tables[op]; m->msg; m++)
			if (m->err == err)
				return m->msg;
	return strerror(err);
}

int du_vfio_exit_code(enum du_vfio_op op, int err)
{
	unsigned int ctx = 0;

	if (op == DU_VFIO_OP_PROBE)
		ctx |= DU_ERRCTX_PROBE;
	if (op == DU_VFIO_OP_MMAP || op == DU_VFIO_OP_MAP_FILE)
		ctx |= DU_ERRCTX_DMABUF;
	return du_exit_for_errno(err, ctx);
}
