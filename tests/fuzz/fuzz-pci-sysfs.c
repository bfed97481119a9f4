// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the sysfs readers of tools/lib/pci.c: du_pci_read_ids,
 * du_pci_read_bars (and its static resource-line parser),
 * du_pci_iommu_group, du_pci_driver, du_pci_vfio_cdev, du_pci_upstream
 * and du_pci_for_each, on a device whose sysfs files are the input.
 *
 * pci.c is compiled into this harness (#include below) with its file
 * system calls (open, read, close, fopen, readlink, opendir, readdir,
 * closedir, realpath) redirected to an in-memory tree built from the
 * input: the code under test is unchanged, and a run does tens of
 * thousands of inputs a second instead of the few thousand that real
 * files on a tmpfs allow.  The tree is
 *
 *   /fuzz-sysfs/bus/pci/devices/0000:03:00.0/{resource,vendor,device,
 *       class,subsystem_vendor,subsystem_device}   files
 *   .../0000:03:00.0/{iommu_group,driver}          links
 *   .../0000:03:00.0/vfio-dev/<entry>              a directory entry
 *   /fuzz-sysfs/bus/pci/devices/<other>            a second entry
 *
 * Input: NUL-separated parts in that order (6 file contents, 2 link
 * targets, the vfio-dev entry, the other entry); a missing part is an
 * absent file.  The real path of the device (for du_pci_upstream) is
 * /fuzz-sysfs/devices/pci0000:00/<other>/0000:03:00.0.
 *
 * Checked: every call returns 0 or -errno; BAR sizes are consistent
 * (unimplemented BARs have start 0 and no flags); names fit their buffers.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT "/fuzz-sysfs"
#define DEVDIR ROOT "/bus/pci/devices/0000:03:00.0"

enum { P_RESOURCE, P_VENDOR, P_DEVICE, P_CLASS, P_SVENDOR, P_SDEVICE,
       P_GROUP, P_DRIVER, P_VFIODEV, P_OTHER, P_NPARTS };

static const char *const part_names[P_NPARTS] = {
	"resource", "vendor", "device", "class", "subsystem_vendor",
	"subsystem_device", "iommu_group", "driver", NULL, NULL,
};

static struct {
	const uint8_t *data[P_NPARTS];
	size_t len[P_NPARTS];
	bool present[P_NPARTS];
	size_t pos[P_NPARTS];	/* read offset of an open fake fd */
} fs;

#define FAKE_FD_BASE 10000

/* The part a device-relative path names, or -1. */
static int part_of(const char *path, int first, int last)
{
	if (strncmp(path, DEVDIR "/", strlen(DEVDIR) + 1))
		return -1;
	path += strlen(DEVDIR) + 1;
	for (int i = first; i <= last; i++)
		if (!strcmp(path, part_names[i]))
			return i;
	return -1;
}

static int fake_open(const char *path, int flags, ...)
{
	int i = part_of(path, P_RESOURCE, P_SDEVICE);

	if (flags & (O_WRONLY | O_RDWR)) {
		errno = EACCES;
		return -1;
	}
	if (i < 0 || !fs.present[i]) {
		errno = ENOENT;
		return -1;
	}
	fs.pos[i] = 0;
	return FAKE_FD_BASE + i;
}

static ssize_t fake_read(int fd, void *buf, size_t n)
{
	int i = fd - FAKE_FD_BASE;

	if (i < 0 || i > P_SDEVICE) {
		errno = EBADF;
		return -1;
	}
	if (n > fs.len[i] - fs.pos[i])
		n = fs.len[i] - fs.pos[i];
	memcpy(buf, fs.data[i] + fs.pos[i], n);
	fs.pos[i] += n;
	return (ssize_t)n;
}

static int fake_close(int fd)
{
	return fd >= FAKE_FD_BASE ? 0 : close(fd);
}

static FILE *fake_fopen(const char *path, const char *mode)
{
	int i = part_of(path, P_RESOURCE, P_SDEVICE);

	(void)mode;
	if (i < 0 || !fs.present[i]) {
		errno = ENOENT;
		return NULL;
	}
	if (!fs.len[i])
		return fopen("/dev/null", "r");
	return fmemopen((void *)fs.data[i], fs.len[i], "r");
}

static ssize_t fake_readlink(const char *path, char *buf, size_t size)
{
	int i = part_of(path, P_GROUP, P_DRIVER);
	size_t n;

	if (i < 0 || !fs.present[i] || !fs.len[i]) {
		errno = ENOENT;
		return -1;
	}
	n = fs.len[i] < size ? fs.len[i] : size;
	memcpy(buf, fs.data[i], n);
	return (ssize_t)n;
}

struct fake_dir {
	struct dirent de;
	const char *names[4];
	size_t lens[4];
	int n, next;
};

static DIR *fake_opendir(const char *path)
{
	static struct fake_dir d;

	memset(&d, 0, sizeof(d));
	d.names[d.n] = ".";
	d.lens[d.n++] = 1;
	d.names[d.n] = "..";
	d.lens[d.n++] = 2;
	if (!strcmp(path, DEVDIR "/vfio-dev")) {
		if (!fs.present[P_VFIODEV]) {
			errno = ENOENT;
			return NULL;
		}
		d.names[d.n] = (const char *)fs.data[P_VFIODEV];
		d.lens[d.n++] = fs.len[P_VFIODEV];
	} else if (!strcmp(path, ROOT "/bus/pci/devices")) {
		d.names[d.n] = "0000:03:00.0";
		d.lens[d.n++] = 12;
		if (fs.present[P_OTHER]) {
			d.names[d.n] = (const char *)fs.data[P_OTHER];
			d.lens[d.n++] = fs.len[P_OTHER];
		}
	} else {
		errno = ENOENT;
		return NULL;
	}
	return (DIR *)&d;
}

static struct dirent *fake_readdir(DIR *dir)
{
	struct fake_dir *d = (struct fake_dir *)dir;
	size_t n;

	if (d->next == d->n)
		return NULL;
	n = d->lens[d->next];
	if (n >= sizeof(d->de.d_name))
		n = sizeof(d->de.d_name) - 1;
	memcpy(d->de.d_name, d->names[d->next], n);
	d->de.d_name[n] = '\0';
	d->next++;
	return &d->de;
}

static int fake_closedir(DIR *dir)
{
	(void)dir;
	return 0;
}

static char *fake_realpath(const char *path, char *resolved)
{
	if (strcmp(path, DEVDIR)) {
		errno = ENOENT;
		return NULL;
	}
	snprintf(resolved, PATH_MAX, ROOT "/devices/pci0000:00/%.*s/0000:03:00.0",
		 fs.present[P_OTHER] ? (int)fs.len[P_OTHER] : 10,
		 fs.present[P_OTHER] ? (const char *)fs.data[P_OTHER]
				     : "pci0000:00");
	return resolved;
}

#define open(...) fake_open(__VA_ARGS__)
#define read(fd, buf, n) fake_read(fd, buf, n)
#define close(fd) fake_close(fd)
#define fopen(path, mode) fake_fopen(path, mode)
#define readlink(path, buf, size) fake_readlink(path, buf, size)
#define opendir(path) fake_opendir(path)
#define readdir(d) fake_readdir(d)
#define closedir(d) fake_closedir(d)
#define realpath(path, buf) fake_realpath(path, buf)

#include "../../tools/lib/pci.c"

#undef open
#undef read
#undef close
#undef fopen
#undef readlink
#undef opendir
#undef readdir
#undef closedir
#undef realpath

static int ok_ret(long r)
{
	return r == 0 || (r >= -4095 && r < 0);
}

static int count_dev(const struct du_pci_addr *a, void *arg)
{
	(void)a;
	++*(int *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct du_pci_addr dev = { 0, 3, 0, 0 };
	static bool ready;
	struct du_pci_ids ids;
	struct du_pci_bar bars[DU_PCI_NUM_BARS];
	struct du_pci_addr up;
	unsigned int group;
	char drv[64], cdev[16], cpath[64];
	size_t i, np = 0;
	int r, count = 0;

	if (!ready) {
		if (du_sysfs_set_root(ROOT))
			abort();
		ready = true;
	}
	if (size > 16384)
		return 0;
	memset(&fs, 0, sizeof(fs));
	for (i = 0; np < P_NPARTS; ) {
		const uint8_t *z = memchr(data + i, '\0', size - i);
		size_t end = z ? (size_t)(z - data) : size;

		fs.data[np] = data + i;
		fs.len[np] = end - i;
		fs.present[np++] = true;
		if (!z)
			break;
		i = end + 1;
	}
	/* a directory entry is a non-empty name without '/' */
	for (i = P_VFIODEV; i <= P_OTHER; i++)
		if (fs.present[i] && (!fs.len[i] || fs.len[i] > 255 ||
				      memchr(fs.data[i], '/', fs.len[i])))
			fs.present[i] = false;

	memset(&ids, 0, sizeof(ids));
	r = du_pci_read_ids(&dev, &ids);
	FUZZ_ASSERT(ok_ret(r));
	if (!r)
		FUZZ_ASSERT(ids.class <= 0xffffff);
	r = du_pci_read_bars(&dev, bars);
	FUZZ_ASSERT(ok_ret(r));
	if (!r) {
		for (i = 0; i < DU_PCI_NUM_BARS; i++) {
			FUZZ_ASSERT(bars[i].index == i);
			if (!bars[i].size)
				FUZZ_ASSERT(!bars[i].start && !bars[i].flags);
			else
				FUZZ_ASSERT(bars[i].flags &
					    (DU_BAR_MEM | DU_BAR_IO));
		}
	}
	r = du_pci_iommu_group(&dev, &group);
	FUZZ_ASSERT(ok_ret(r));
	r = du_pci_driver(&dev, drv, sizeof(drv));
	FUZZ_ASSERT(ok_ret(r));
	if (!r)
		FUZZ_ASSERT(*drv && !strchr(drv, '/'));
	r = du_pci_vfio_cdev(&dev, cdev, sizeof(cdev), cpath, sizeof(cpath));
	FUZZ_ASSERT(ok_ret(r));
	if (!r)
		FUZZ_ASSERT(!strncmp(cdev, "vfio", 4) &&
			    !strncmp(cpath, "/dev/vfio/devices/vfio", 22));
	r = du_pci_upstream(&dev, &up);
	FUZZ_ASSERT(ok_ret(r));
	r = du_pci_for_each(DU_PCI_ITER_ALL, count_dev, &count);
	FUZZ_ASSERT(r == 0 && count >= 1 && count <= 2);
	count = 0;
	r = du_pci_for_each(DU_PCI_ITER_VFIO, count_dev, &count);
	FUZZ_ASSERT(r == 0 && count <= 2);
	return 0;
}
