// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf: device lookup, validation against sysfs, opening, feature
 * probing and the export sequence shared by export, exec and serve.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "du/pci.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "vfio-dmabuf.h"

const struct du_keyword vd_vfio_mode_keywords[] = {
	{ "auto", VD_VFIO_AUTO },
	{ "cdev", VD_VFIO_CDEV },
	{ "group", VD_VFIO_GROUP },
	{ NULL, 0 },
};

enum vd_vfio_mode vd_arg_vfio_mode(const struct argp_state *state,
				   const char *arg)
{
	char buf[64];
	int v;

	if (du_parse_keyword(arg, vd_vfio_mode_keywords, &v) < 0)
		argp_failure(state, DU_EXIT_USAGE, 0,
			     "--vfio-mode: unknown mode '%s' (expected %s)",
			     arg, du_keyword_list(vd_vfio_mode_keywords,
						  buf, sizeof(buf)));
	return (enum vd_vfio_mode)v;
}

const char *vd_memattr_name(uint32_t v)
{
	const char *n = du_keyword_name(du_memattr_keywords, (int)v);

	return n ? n : "unknown";
}

int vd_pcidev_lookup(const char *arg, struct vd_pcidev *d, char *msg,
		     size_t len)
{
	int err;

	memset(d, 0, sizeof(*d));
	if (du_parse_pci_addr(arg, &d->addr) < 0) {
		snprintf(msg, len, "invalid PCI address '%s' (expected DDDD:BB:DD.F or BB:DD.F)",
			 arg);
		return DU_EXIT_USAGE;
	}
	du_pci_addr_format(&d->addr, d->bdf, sizeof(d->bdf));
	if (!du_pci_exists(&d->addr)) {
		snprintf(msg, len, "no PCI device %s (looked in %s/bus/pci/devices)",
			 d->bdf, du_sysfs_root());
		return DU_EXIT_USAGE;
	}
	err = du_pci_read_bars(&d->addr, d->bars);
	if (err == -ENOENT) {
		char path[PATH_MAX];

		/* the device's directory is there (du_pci_exists): a PCI
		 * device in sysfs without its resource file is a malformed
		 * tree, i.e. bad input, not a failed read */
		du_pci_path(&d->addr, "resource", path, sizeof(path));
		snprintf(msg, len, "cannot read the BARs of %s: %s is missing (malformed sysfs tree)",
			 d->bdf, path);
		return DU_EXIT_USAGE;
	}
	if (err < 0) {
		snprintf(msg, len, "cannot read the BARs of %s: %s", d->bdf,
			 du_pci_strerror(err));
		/* a malformed tree is bad input; a read error is not */
		return err == -EINVAL ? DU_EXIT_USAGE : DU_EXIT_FAILURE;
	}
	return 0;
}

/*
 * After opening d failed: is its iommu_group link malformed (a target
 * whose last component is not a group number, e.g. a link to itself)?
 * Then say so, naming the link: that is a malformed sysfs tree (bad
 * input), not an open that failed.  A missing link is not malformed (a
 * device without an IOMMU).
 */
static int diagnose_iommu_group(const struct vd_pcidev *d, char *msg,
				size_t len)
{
	char path[PATH_MAX], target[PATH_MAX], safe[64];
	unsigned int group;
	ssize_t n;

	if (du_pci_iommu_group(&d->addr, &group) != -EINVAL ||
	    du_pci_path(&d->addr, "iommu_group", path, sizeof(path)))
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		n = 0;
	target[n] = '\0';
	snprintf(msg, len, "cannot open VFIO device %s: %s: malformed link to '%s' (not an IOMMU group)",
		 d->bdf, path, du_text_safe(target, safe, sizeof(safe)));
	return DU_EXIT_USAGE;
}

int vd_check_bar(const struct vd_pcidev *d, unsigned int bar, char *msg,
		 size_t len)
{
	const struct du_pci_bar *b;

	if (bar >= DU_PCI_NUM_BARS) {
		snprintf(msg, len, "BAR index %u out of range (0-5)", bar);
		return DU_EXIT_USAGE;
	}
	b = &d->bars[bar];
	if (b->size == 0) {
		if (bar > 0 && (d->bars[bar - 1].flags & DU_BAR_64) &&
		    d->bars[bar - 1].size)
			snprintf(msg, len, "BAR %u of %s is the upper half of 64-bit BAR %u",
				 bar, d->bdf, bar - 1);
		else
			snprintf(msg, len, "BAR %u of %s is not implemented",
				 bar, d->bdf);
		return DU_EXIT_USAGE;
	}
	if (b->flags & DU_BAR_IO || !(b->flags & DU_BAR_MEM)) {
		snprintf(msg, len, "BAR %u of %s is an I/O port BAR; only memory BARs hold DMA-BUFs or mappings",
			 bar, d->bdf);
		return DU_EXIT_USAGE;
	}
	return 0;
}

/* Find out which entry of a refused range list is wrong, and why. */
static void diagnose_ranges(const char *arg, uint64_t page, char *msg,
			    size_t len)
{
	const char *p = arg, *end, *colon;
	char entry[128], *c;
	uint64_t off, length;
	size_t n = 0;
	int err;

	for (;;) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		n++;
		if (end == p) {
			snprintf(msg, len, "range list '%s': entry %zu is empty",
				 arg, n);
			return;
		}
		if ((size_t)(end - p) >= sizeof(entry)) {
			snprintf(msg, len, "range list '%s': entry %zu is too long",
				 arg, n);
			return;
		}
		memcpy(entry, p, (size_t)(end - p));
		entry[end - p] = '\0';
		colon = strchr(entry, ':');
		if (!colon) {
			snprintf(msg, len, "range '%s' is not OFFSET:LENGTH",
				 entry);
			return;
		}
		c = entry + (colon - entry);
		*c = '\0';
		err = du_parse_size(entry, &off);
		if (err < 0) {
			snprintf(msg, len, "range '%s:%s': offset '%s' %s",
				 entry, c + 1, entry, err == -ERANGE ?
				 "overflows 64 bits" : "is not a size");
			return;
		}
		err = du_parse_size(c + 1, &length);
		if (err < 0) {
			snprintf(msg, len, "range '%s:%s': length '%s' %s",
				 entry, c + 1, c + 1, err == -ERANGE ?
				 "overflows 64 bits" : "is not a size");
			return;
		}
		if (length == 0) {
			snprintf(msg, len, "range '%s:%s' has zero length",
				 entry, c + 1);
			return;
		}
		if (off % page || length % page) {
			snprintf(msg, len, "range '%s:%s': %s 0x%" PRIx64 " is not a multiple of the page size (%" PRIu64 ")",
				 entry, c + 1, off % page ? "offset" : "length",
				 off % page ? off : length, page);
			return;
		}
		if (off + length < off) {
			snprintf(msg, len, "range '%s:%s' overflows: offset + length exceeds 2^64",
				 entry, c + 1);
			return;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	if (n > DU_VFIO_DMABUF_MAX_RANGES)
		snprintf(msg, len, "too many ranges: %zu (at most %d)", n,
			 DU_VFIO_DMABUF_MAX_RANGES);
	else
		snprintf(msg, len, "invalid range list '%s'", arg);
}

int vd_parse_ranges(const char *arg, struct du_range *ranges, size_t *n,
		    char *msg, size_t len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t total;

	if (du_parse_ranges(arg, page, ranges, DU_VFIO_DMABUF_MAX_RANGES,
			    n) < 0) {
		diagnose_ranges(arg, page, msg, len);
		return DU_EXIT_USAGE;
	}
	if (du_ranges_total(ranges, *n, &total) < 0) {
		snprintf(msg, len, "ranges '%s' add up to more than 2^64 bytes",
			 arg);
		return DU_EXIT_USAGE;
	}
	return 0;
}

int vd_check_ranges(const struct vd_pcidev *d, unsigned int bar,
		    const struct du_range *r, size_t n, bool allow_overlap,
		    char *msg, size_t len)
{
	const struct du_pci_bar *b = &d->bars[bar];
	char s1[DU_SIZE_STRLEN], s2[DU_SIZE_STRLEN], s3[DU_SIZE_STRLEN];
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (r[i].offset >= b->size ||
		    r[i].length > b->size - r[i].offset) {
			snprintf(msg, len, "range %s:%s goes past the end of BAR %u of %s (size %s)",
				 du_format_size(r[i].offset, s1, sizeof(s1)),
				 du_format_size(r[i].length, s2, sizeof(s2)),
				 bar, d->bdf,
				 du_format_size(b->size, s3, sizeof(s3)));
			return DU_EXIT_USAGE;
		}
	}
	if (!allow_overlap && du_ranges_overlap(r, n, &i, &j)) {
		char o2[DU_SIZE_STRLEN], l2[DU_SIZE_STRLEN];

		snprintf(msg, len, "ranges %zu (%s:%s) and %zu (%s:%s) overlap (--allow-overlap exports aliasing ranges)",
			 i + 1, du_format_size(r[i].offset, s1, sizeof(s1)),
			 du_format_size(r[i].length, s2, sizeof(s2)), j + 1,
			 du_format_size(r[j].offset, o2, sizeof(o2)),
			 du_format_size(r[j].length, l2, sizeof(l2)));
		return DU_EXIT_USAGE;
	}
	return 0;
}

int vd_check_vfio_bound(const struct vd_pcidev *d, char *msg, size_t len)
{
	char drv[64];
	int err = du_pci_driver(&d->addr, drv, sizeof(drv));

	if (err == -ENOENT) {
		snprintf(msg, len, "%s is not bound to any driver (bind it to vfio-pci first)",
			 d->bdf);
		return DU_EXIT_FAILURE;
	}
	if (err < 0) {
		snprintf(msg, len, "cannot read the driver of %s: %s", d->bdf,
			 strerror(-err));
		return DU_EXIT_FAILURE;
	}
	if (strcmp(drv, "vfio-pci") != 0) {
		snprintf(msg, len, "%s is bound to %s, not vfio-pci", d->bdf,
			 drv);
		return DU_EXIT_FAILURE;
	}
	return 0;
}

int vd_open_device(const struct vd_pcidev *d, enum vd_vfio_mode mode,
		   struct du_vfio_device *vfio, char *msg, size_t len)
{
	unsigned int flags = 0;
	int err;

	if (mode == VD_VFIO_CDEV)
		flags = DU_VFIO_OPEN_NO_LEGACY;
	else if (mode == VD_VFIO_GROUP)
		flags = DU_VFIO_OPEN_LEGACY;
	err = du_vfio_open(&d->addr, -1, flags, vfio);
	if (err < 0 && diagnose_iommu_group(d, msg, len))
		return DU_EXIT_USAGE;
	if (err < 0) {
		snprintf(msg, len, "cannot open VFIO device %s: %s%s", d->bdf,
			 du_vfio_strerror(DU_VFIO_OP_OPEN, err),
			 (err == -EBUSY || err == -EINVAL) ?
			 " (is another process, e.g. a vfio-dmabuf broker, using it?)" : "");
		return du_vfio_exit_code(DU_VFIO_OP_OPEN, err);
	}
	return 0;
}

void vd_probe_features(int devfd, struct vd_features *f)
{
	memset(f, 0, sizeof(*f));
	f->dma_buf_err = -du_vfio_feature_probe(devfd,
						VFIO_DEVICE_FEATURE_DMA_BUF, 0);
	f->dma_buf = f->dma_buf_err == 0;
	f->revoke_err = -du_vfio_feature_probe(devfd,
					       VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
					       VFIO_DEVICE_FEATURE_SET);
	f->revoke = f->revoke_err == 0;
	f->memattr_err = -du_vfio_feature_probe(devfd,
						VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
						VFIO_DEVICE_FEATURE_GET |
						VFIO_DEVICE_FEATURE_SET);
	f->memattr = f->memattr_err == 0;
}

void vd_bar_wc(int devfd, const struct vd_features *f,
	       const struct du_pci_bar *b, struct vd_bar_wc *w)
{
	bool io = b->flags & DU_BAR_IO;
	int feature = devfd < 0 || !f ? -1 : f->memattr, ret = -ENOENT;

	memset(w, 0, sizeof(*w));
	if (!io && feature == 1) {
		ret = du_vfio_bar_memattrs(devfd, b->index, &w->mask);
		w->have_mask = ret == 0;
	}
	w->wc = du_vfio_wc_verdict(io, b->flags & DU_BAR_PREFETCH, feature,
				   ret, w->mask);
}

const char *vd_memattr_why(int devfd, const struct vd_features *f,
			   const struct du_pci_bar *b, uint32_t memattr,
			   int err)
{
	struct vd_bar_wc w;

	if (err < 0)
		err = -err;
	if (err != EOPNOTSUPP || memattr != VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC ||
	    !b)
		return du_vfio_strerror(DU_VFIO_OP_MEMATTR, err);
	vd_bar_wc(devfd, f, b, &w);
	switch (w.wc) {
	case DU_WC_YES:
		return "a range covers a page of the device's MSI-X table, which the kernel keeps uncached (the BAR itself allows write-combining)";
	case DU_WC_NON_PREFETCHABLE:
		return "the BAR is not prefetchable: the kernel gives write-combining only to prefetchable BARs, where reads have no side effects";
	case DU_WC_NO_MEMTYPE:
		return "the platform has no write-combining memory type for this BAR (x86 booted with nopat, or a variant driver whose buffers are not BAR memory)";
	case DU_WC_IO_BAR:
		return "an I/O-port BAR cannot be mapped write-combining";
	default:
		return du_vfio_strerror(DU_VFIO_OP_MEMATTR, err);
	}
}

int vd_export(int devfd, const struct vd_features *f, unsigned int bar,
	      const struct du_pci_bar *bar_info,
	      const struct du_range *ranges, size_t n, const char *name,
	      int memattr, char *msg, size_t len)
{
	int fd, err;

	if (!f->dma_buf) {
		snprintf(msg, len, "the running kernel cannot export VFIO DMA-BUFs (VFIO_DEVICE_FEATURE_DMA_BUF: %s)",
			 strerror(f->dma_buf_err));
		return -DU_EXIT_NOTSUPP;
	}
	if (memattr >= 0 && !f->memattr) {
		snprintf(msg, len, "the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, needed by --memattr (%s)",
			 strerror(f->memattr_err));
		return -DU_EXIT_NOTSUPP;
	}
	if (name && strlen(name) >= DU_DMABUF_NAME_LEN) {
		snprintf(msg, len, "name '%s' is too long (at most %d bytes)",
			 name, DU_DMABUF_NAME_LEN - 1);
		return -DU_EXIT_USAGE;
	}
	fd = du_vfio_dmabuf_export(devfd, bar, ranges, n, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(msg, len, "export of BAR %u failed: %s", bar,
			 du_vfio_strerror(DU_VFIO_OP_EXPORT, fd));
		return -du_vfio_exit_code(DU_VFIO_OP_EXPORT, fd);
	}
	if (name && *name) {
		err = du_dmabuf_set_name(fd, name);
		if (err < 0) {
			snprintf(msg, len, "cannot name the buffer '%s': %s",
				 name, strerror(-err));
			close(fd);
			return -DU_EXIT_FAILURE;
		}
	}
	if (memattr >= 0) {
		err = du_vfio_dmabuf_memattr_set(devfd, fd, (uint32_t)memattr);
		if (err < 0) {
			snprintf(msg, len, "cannot set memattr %s: %s",
				 vd_memattr_name((uint32_t)memattr),
				 vd_memattr_why(devfd, f, bar_info,
						(uint32_t)memattr, err));
			close(fd);
			return -du_vfio_exit_code(DU_VFIO_OP_MEMATTR, err);
		}
	}
	return fd;
}

int64_t vd_dmabuf_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end < 0)
		return -errno;
	(void)lseek(fd, 0, SEEK_SET);
	return end;
}

uint64_t vd_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

int vd_check_dmabuf_fd(int fd, char *msg, size_t len)
{
	struct stat st;
	const char *what;
	int r = du_dmabuf_check_fd(fd);

	if (r == 1)
		return 0;
	if (r == -EBADF || fstat(fd, &st) < 0) {
		snprintf(msg, len, "fd %d is not open", fd);
		return DU_EXIT_USAGE;
	}
	if (r < 0) {
		snprintf(msg, len, "cannot inspect fd %d: %s", fd,
			 strerror(-r));
		return DU_EXIT_FAILURE;
	}
	what = du_file_type_name(st.st_mode);
	snprintf(msg, len, "fd %d is not a DMA-BUF (it is %s)", fd,
		 what ? what : "some other file");
	return DU_EXIT_USAGE;
}
