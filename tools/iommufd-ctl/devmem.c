// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl: memory it mmap()s itself to map by address (IOMMU_IOAS_MAP,
 * VFIO_IOMMU_MAP_DMA): an fd (ioas map --mmap-fd, mem open --mmap), or a
 * BAR of a device bound in the context, through its VFIO device fd
 * (--device DEV --bar N).  ioas map, vfio-compat map and mem open share
 * it.  Such memory is often device memory (a BAR, a VFIO DMA-BUF): the
 * kernel maps it by address only with the feature that resolves the VMA
 * to its DMA-BUF, and map errors are explained accordingly (ioas.c).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/errname.h"
#include "du/exitcodes.h"
#include "du/parse.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "ctl.h"

enum ctl_fd_kind ctl_fd_kind(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;
	int rc = du_dmabuf_check_fd(fd);

	if (rc < 0)
		return CTL_FD_CLOSED;
	if (rc == 1)
		return CTL_FD_DMABUF;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return CTL_FD_OTHER;
	path[n] = '\0';
	/* a device cdev, or a device fd of the group API */
	if (!strncmp(path, "/dev/vfio/devices/vfio", 22) ||
	    !strcmp(path, "anon_inode:[vfio-device]"))
		return CTL_FD_VFIO_DEVICE;
	return CTL_FD_OTHER;
}

const char *ctl_describe_fd(int fd)
{
	struct stat st;
	const char *name;

	if (fstat(fd, &st))
		return "unknown";
	name = du_file_type_name(st.st_mode);
	return name ? name : "not a DMA-BUF";
}

int ctl_check_fd_access(struct ctl *c, int fd, const char *what,
			unsigned int access)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && (access & DU_IOMMU_WRITE) && !(fl & O_PATH) &&
	    (fl & O_ACCMODE) == O_RDONLY)
		return ctl_usage(c, "%s is open read-only: map it with --access r",
				 what);
	return 0;
}

int ctl_bar_resolve(struct ctl *c, const char *ref, unsigned int bar,
		    struct ctl_bar *b)
{
	unsigned int before = ctl_count(c, CTL_OBJ_DEVICE);
	struct du_vfio_region r;
	int rc;

	memset(b, 0, sizeof(*b));
	b->bar = bar;
	rc = ctl_resolve_device(c, ref, &b->dev);
	if (rc)
		return rc;
	b->bound = ctl_count(c, CTL_OBJ_DEVICE) > before;
	snprintf(b->what, sizeof(b->what), "%s BAR%u", b->dev->pci, bar);
	if (c->dry_run)		/* no device: size unknown */
		return 0;
	rc = du_vfio_region_info(b->dev->dev.fd, bar, &r);
	if (rc) {
		rc = ctl_fail(c, du_exit_for_errno(rc, 0),
			      "VFIO_DEVICE_GET_REGION_INFO of BAR%u of %s: %s",
			      bar, b->dev->pci, strerror(-rc));
		goto undo;
	}
	if (!r.size) {
		rc = ctl_usage(c, "%s has no BAR%u", b->dev->pci, bar);
		goto undo;
	}
	if (!(r.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		rc = ctl_usage(c, "BAR%u of %s cannot be mmap()ed (an I/O port BAR, or vfio-pci does not allow it)",
			       bar, b->dev->pci);
		goto undo;
	}
	b->region_offset = r.offset;
	b->size = r.size;
	return 0;
undo:
	ctl_bar_undo(c, b);
	return rc;
}

void ctl_bar_undo(struct ctl *c, struct ctl_bar *b)
{
	if (b->bound && b->dev)
		ctl_obj_remove(c, b->dev);
	b->bound = false;
	b->dev = NULL;
}

int ctl_bar_range(struct ctl *c, const struct ctl_bar *b, uint64_t offset,
		  bool has_length, uint64_t *length)
{
	if (!b->size)		/* dry run: checked by the real run */
		return 0;
	if (offset >= b->size)
		return ctl_usage(c, "--offset 0x%" PRIx64 " is at or past the end of %s (size 0x%" PRIx64 ")",
				 offset, b->what, b->size);
	if (!has_length)
		*length = b->size - offset;
	else if (*length > b->size - offset && !offset)
		return ctl_usage(c, "--length 0x%" PRIx64 " is past the end of %s (size 0x%" PRIx64 ")",
				 *length, b->what, b->size);
	else if (*length > b->size - offset)
		return ctl_usage(c, "--offset 0x%" PRIx64 " + --length 0x%" PRIx64 " is past the end of %s (size 0x%" PRIx64 ")",
				 offset, *length, b->what, b->size);
	return 0;
}

int ctl_mmap_shared(struct ctl *c, int fd, uint64_t offset, uint64_t length,
		    unsigned int access, enum ctl_fd_kind kind,
		    const char *what, void **addr)
{
	bool write = access & DU_IOMMU_WRITE;
	void *p;
	int err;

	*addr = NULL;
	if (length > SIZE_MAX || offset > (uint64_t)INT64_MAX)
		return ctl_usage(c, "cannot mmap 0x%" PRIx64 " bytes at 0x%" PRIx64 " of %s: too big for this machine",
				 length, offset, what);
	p = mmap(NULL, (size_t)length, PROT_READ | (write ? PROT_WRITE : 0),
		 MAP_SHARED, fd, (off_t)offset);
	if (p != MAP_FAILED) {
		*addr = p;
		return 0;
	}
	err = errno;
	if (err == EACCES && write)
		return ctl_err(c, "cannot mmap %s for writing: it is open read-only (map it with --access r)",
			       what);
	if (kind == CTL_FD_DMABUF && err == ENODEV)
		return ctl_fail(c, DU_EXIT_REVOKED,
				"cannot mmap %s: the buffer was revoked (ENODEV)",
				what);
	if (kind == CTL_FD_DMABUF && err == EINVAL)
		return ctl_fail(c, DU_EXIT_NOTSUPP,
				"cannot mmap %s: the running kernel cannot mmap VFIO DMA-BUFs, or the range is past the end of the buffer (EINVAL)",
				what);
	if (kind != CTL_FD_OTHER)
		return ctl_fail(c, du_vfio_exit_code(DU_VFIO_OP_MMAP, err),
				"cannot mmap %s: %s (%s)", what,
				du_vfio_strerror(DU_VFIO_OP_MMAP, err),
				du_errno_name(err));
	return ctl_err(c, "cannot mmap %s: %s", what, strerror(err));
}
