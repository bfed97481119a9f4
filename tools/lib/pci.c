// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PCI devices through sysfs, under a configurable root.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "du/output.h"
#include "du/pci.h"

#define DU_SYSFS_DEFAULT "/sys"
#define VFIO_PCI_DRIVER "vfio-pci"

static char *sysfs_root;

/* What the last failing reader found wrong, naming the file. */
static struct {
	int err;
	char msg[PATH_MAX + 160];
} last;

static int pci_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int pci_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last.msg, sizeof(last.msg), fmt, ap);
	va_end(ap);
	last.err = err;
	return err;
}

const char *du_pci_strerror(int err)
{
	if (err && err == last.err && last.msg[0])
		return last.msg;
	return strerror(-err);
}

int du_sysfs_set_root(const char *dir)
{
	char *copy = NULL;

	if (dir) {
		if (strlen(dir) >= PATH_MAX / 2)
			return -ENAMETOOLONG;
		copy = strdup(dir);
		if (!copy)
			return -ENOMEM;
	}
	free(sysfs_root);
	sysfs_root = copy;
	return 0;
}

const char *du_sysfs_root(void)
{
	const char *env;

	if (sysfs_root)
		return sysfs_root;
	env = getenv("DU_SYSFS_ROOT");
	if (env && *env)
		return env;
	return DU_SYSFS_DEFAULT;
}

static int fmt_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fmt_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int du_pci_path(const struct du_pci_addr *a, const char *attr,
		char *buf, size_t len)
{
	char bdf[DU_PCI_ADDR_STRLEN];

	du_pci_addr_format(a, bdf, sizeof(bdf));
	return fmt_path(buf, len, "%s/bus/pci/devices/%s%s%s", du_sysfs_root(),
			bdf, attr ? "/" : "", attr ? attr : "");
}

bool du_pci_exists(const struct du_pci_addr *a)
{
	char path[PATH_MAX];
	struct stat st;

	return !du_pci_path(a, NULL, path, sizeof(path)) &&
	       !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Read a small text file without its trailing newlines. */
static ssize_t read_text(const char *path, char *buf, size_t len)
{
	char tmp[4096];
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < sizeof(tmp) - 1) {
		ssize_t n = read(fd, tmp + got, sizeof(tmp) - 1 - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	close(fd);
	while (got && tmp[got - 1] == '\n')
		got--;
	tmp[got] = '\0';
	if (got >= len)
		return -EOVERFLOW;
	memcpy(buf, tmp, got + 1);
	return (ssize_t)got;
}

ssize_t du_pci_read_attr(const struct du_pci_addr *a, const char *attr,
			 char *buf, size_t len)
{
	char path[PATH_MAX];
	int ret = du_pci_path(a, attr, path, sizeof(path));

	return ret ? ret : read_text(path, buf, len);
}

static int read_hex_attr(const struct du_pci_addr *a, const char *attr,
			 uint64_t max, uint64_t *out)
{
	char buf[64], path[PATH_MAX];
	ssize_t n;
	uint64_t v;

	if (du_pci_path(a, attr, path, sizeof(path)))
		return pci_fail(-ENAMETOOLONG, "%s/.../%s: path too long",
				du_sysfs_root(), attr);
	n = read_text(path, buf, sizeof(buf));
	if (n == -EOVERFLOW)
		return pci_fail(-EINVAL, "%s: malformed (too long for a hex number)",
				path);
	if (n < 0)
		return pci_fail((int)n, "%s: %s", path, strerror((int)-n));
	if (strncmp(buf, "0x", 2) || du_parse_u64(buf, &v) || v > max)
	{
		char safe[160];

		return pci_fail(-EINVAL, "%s: malformed: '%s' (expected a hex number up to 0x%" PRIx64 ")",
				path, du_text_safe(buf, safe, 48), max);
	}
	*out = v;
	return 0;
}

int du_pci_read_ids(const struct du_pci_addr *a, struct du_pci_ids *ids)
{
	uint64_t ven, dev, cls, sven = 0, sdev = 0;
	int ret;

	ret = read_hex_attr(a, "vendor", 0xffff, &ven);
	if (!ret)
		ret = read_hex_attr(a, "device", 0xffff, &dev);
	if (!ret)
		ret = read_hex_attr(a, "class", 0xffffff, &cls);
	if (ret)
		return ret;
	ret = read_hex_attr(a, "subsystem_vendor", 0xffff, &sven);
	if (ret && ret != -ENOENT)
		return ret;
	ret = read_hex_attr(a, "subsystem_device", 0xffff, &sdev);
	if (ret && ret != -ENOENT)
		return ret;
	ids->vendor = (uint16_t)ven;
	ids->device = (uint16_t)dev;
	ids->class = (uint32_t)cls;
	ids->subsystem_vendor = (uint16_t)sven;
	ids->subsystem_device = (uint16_t)sdev;
	return 0;
}

/* Linux resource flags as printed in the `resource` file. */
#define IORES_IO	0x00000100
#define IORES_MEM	0x00000200
#define IORES_PREFETCH	0x00002000
#define IORES_MEM_64	0x00100000

/* "0x<start> 0x<end> 0x<flags>" */
static int parse_resource_line(char *line, struct du_pci_bar *bar)
{
	uint64_t v[3];
	char *save = NULL, *tok = strtok_r(line, " \t", &save);

	for (int i = 0; i < 3; i++) {
		if (!tok || du_parse_u64(tok, &v[i]))
			return -EINVAL;
		tok = strtok_r(NULL, " \t", &save);
	}
	if (tok)
		return -EINVAL;
	bar->start = v[0];
	bar->size = 0;
	bar->flags = 0;
	if (v[1] > v[0] && (v[2] & (IORES_IO | IORES_MEM)))
		bar->size = v[1] - v[0] + 1;
	if (!bar->size) {
		bar->start = 0;
		return 0;
	}
	if (v[2] & IORES_MEM)
		bar->flags |= DU_BAR_MEM;
	if (v[2] & IORES_IO)
		bar->flags |= DU_BAR_IO;
	if (v[2] & IORES_MEM_64)
		bar->flags |= DU_BAR_64;
	if (v[2] & IORES_PREFETCH)
		bar->flags |= DU_BAR_PREFETCH;
	return 0;
}

int du_pci_read_bars(const struct du_pci_addr *a,
		     struct du_pci_bar bars[DU_PCI_NUM_BARS])
{
	char path[PATH_MAX], line[256], copy[80];
	int ret = du_pci_path(a, "resource", path, sizeof(path));
	FILE *f;

	if (ret)
		return pci_fail(ret, "%s/.../resource: path too long",
				du_sysfs_root());
	f = fopen(path, "re");
	if (!f)
		return pci_fail(-errno, "%s: %s", path, strerror(errno));
	for (unsigned int i = 0; i < DU_PCI_NUM_BARS; i++) {
		size_t l;

		if (!fgets(line, sizeof(line), f)) {
			ret = pci_fail(-EINVAL, "%s: malformed: %u lines (expected at least %u, one per BAR)",
				       path, i, DU_PCI_NUM_BARS);
			break;
		}
		l = strlen(line);
		if (!l || line[l - 1] != '\n') {
			ret = pci_fail(-EINVAL, "%s: malformed: line %u is too long or unterminated",
				       path, i + 1);
			break;
		}
		line[l - 1] = '\0';
		du_text_safe(line, copy, sizeof(copy));
		bars[i].index = i;
		ret = parse_resource_line(line, &bars[i]);
		if (ret) {
			pci_fail(ret, "%s: malformed: line %u '%s' (expected 0xSTART 0xEND 0xFLAGS)",
				 path, i + 1, copy);
			break;
		}
	}
	fclose(f);
	return ret;
}

/* The last component of the target of link <dev>/<attr>. */
static int link_name(const struct du_pci_addr *a, const char *attr,
		     char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int ret = du_pci_path(a, attr, path, sizeof(path));

	if (ret)
		return ret;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base)
		return -EINVAL;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int du_pci_iommu_group(const struct du_pci_addr *a, unsigned int *group)
{
	char name[64];
	uint32_t g;
	int ret = link_name(a, "iommu_group", name, sizeof(name));

	if (ret)
		return ret;
	if (du_parse_u32(name, &g))
		return -EINVAL;
	*group = g;
	return 0;
}

int du_pci_driver(const struct du_pci_addr *a, char *buf, size_t len)
{
	return link_name(a, "driver", buf, len);
}

static int write_text(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int du_pci_bind_vfio(const struct du_pci_addr *a)
{
	char path[PATH_MAX], drv[256], bdf[DU_PCI_ADDR_STRLEN];
	int ret;

	if (!du_pci_exists(a))
		return -ENOENT;
	du_pci_addr_format(a, bdf, sizeof(bdf));
	ret = du_pci_driver(a, drv, sizeof(drv));
	if (!ret && !strcmp(drv, VFIO_PCI_DRIVER))
		return 0;
	if (ret && ret != -ENOENT)
		return ret;

	ret = du_pci_path(a, "driver_override", path, sizeof(path));
	if (!ret)
		ret = write_text(path, VFIO_PCI_DRIVER);
	if (ret)
		return ret;
	if (!du_pci_driver(a, drv, sizeof(drv))) {
		ret = du_pci_path(a, "driver/unbind", path, sizeof(path));
		if (!ret)
			ret = write_text(path, bdf);
		if (ret)
			return ret;
	}
	ret = fmt_path(path, sizeof(path), "%s/bus/pci/drivers_probe",
		       du_sysfs_root());
	if (!ret)
		ret = write_text(path, bdf);
	if (ret)
		return ret;
	if (du_pci_driver(a, drv, sizeof(drv)) ||
	    strcmp(drv, VFIO_PCI_DRIVER))
		return -EIO;
	return 0;
}

int du_pci_vfio_cdev(const struct du_pci_addr *a, char *name, size_t nlen,
		     char *path, size_t plen)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret = du_pci_path(a, "vfio-dev", dir, sizeof(dir));

	if (ret)
		return ret;
	d = opendir(dir);
	if (!d)
		return -errno;
	ret = -ENOENT;
	while ((de = readdir(d))) {
		uint32_t n;

		if (strncmp(de->d_name, "vfio", 4) ||
		    du_parse_u32(de->d_name + 4, &n))
			continue;
		ret = 0;
		if (name)
			ret = fmt_path(name, nlen, "%s", de->d_name);
		if (!ret && path)
			ret = fmt_path(path, plen, "/dev/vfio/devices/%s",
				       de->d_name);
		break;
	}
	closedir(d);
	return ret;
}

int du_pci_vfio_group_path(const struct du_pci_addr *a, char *path,
			   size_t len)
{
	unsigned int group;
	int ret = du_pci_iommu_group(a, &group);

	return ret ? ret : fmt_path(path, len, "/dev/vfio/%u", group);
}

int du_pci_upstream(const struct du_pci_addr *a, struct du_pci_addr *up)
{
	char path[PATH_MAX], real[PATH_MAX], *slash;
	int ret = du_pci_path(a, NULL, path, sizeof(path));

	if (ret)
		return ret;
	if (!realpath(path, real))
		return -errno;
	slash = strrchr(real, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	slash = strrchr(real, '/');
	if (!slash || du_parse_pci_addr(slash + 1, up))
		return -ENOENT;
	return 0;
}

static int addr_cmp(const void *x, const void *y)
{
	const struct du_pci_addr *a = x, *b = y;

	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus - b->bus;
	if (a->dev != b->dev)
		return a->dev - b->dev;
	return a->fn - b->fn;
}

int du_pci_for_each(unsigned int flags, du_pci_iter_fn fn, void *arg)
{
	struct du_pci_addr *list = NULL;
	size_t n = 0, cap = 0;
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret;

	ret = fmt_path(dir, sizeof(dir), "%s/bus/pci/devices", du_sysfs_root());
	if (ret)
		return ret;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct du_pci_addr a;

		if (du_parse_pci_addr(de->d_name, &a))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct du_pci_addr *nl = reallocarray(list, ncap,
							      sizeof(*nl));

			if (!nl) {
				ret = -ENOMEM;
				break;
			}
			list = nl;
			cap = ncap;
		}
		list[n++] = a;
	}
	closedir(d);
	if (!ret && n)
		qsort(list, n, sizeof(*list), addr_cmp);
	for (size_t i = 0; !ret && i < n; i++) {
		char drv[256];

		if ((flags & DU_PCI_ITER_VFIO) &&
		    (du_pci_driver(&list[i], drv, sizeof(drv)) ||
		     strcmp(drv, VFIO_PCI_DRIVER)))
			continue;
		ret = fn(&list[i], arg);
	}
	free(list);
	return ret;
}

ssize_t du_pci_read_config(const struct du_pci_addr *a, void *buf,
			   size_t off, size_t len)
{
	char path[PATH_MAX];
	size_t got = 0;
	int fd, ret = du_pci_path(a, "config", path, sizeof(path));

	if (ret)
		return ret;
	if (off > (size_t)INT64_MAX)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got,
				  (off_t)(off + got));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}
