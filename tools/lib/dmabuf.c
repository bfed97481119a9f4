// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DMA-BUF fds, their fdinfo, /proc/<pid>/maps lines and buffer names.
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
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/uapi.h"

_Static_assert(DU_DMABUF_NAME_LEN == DMA_BUF_NAME_LEN, "name length");

/* statfs magic of anon_inodefs, where DMA-BUFs lived before Linux 5.3 */
#define DU_ANON_INODE_MAGIC 0x09041934

#define DMABUF_PATH_PREFIX "/dmabuf:"
#define DMABUF_ANON_LINK "anon_inode:dmabuf"
#define DELETED_SUFFIX " (deleted)"

int du_dmabuf_check_fd(int fd)
{
	char link[64], target[PATH_MAX];
	struct statfs sf;
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	if (sf.f_type == DU_DMA_BUF_MAGIC)
		return 1;
	if (sf.f_type != DU_ANON_INODE_MAGIC)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return !strcmp(target, DMABUF_ANON_LINK);
}

const char *du_file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a pipe";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	}
	return NULL;
}

int du_dmabuf_set_name(int fd, const char *name)
{
	int ret;

	if (strlen(name) >= DU_DMABUF_NAME_LEN)
		return -ENAMETOOLONG;
	do {
		ret = ioctl(fd, DMA_BUF_SET_NAME, name);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

/* ---- fdinfo ----------------------------------------------------------- */

static int parse_octal(const char *s, unsigned int *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -EINVAL;
		v = v * 8 + (unsigned long)(*s - '0');
		if (v > UINT_MAX)
			return -ERANGE;
	}
	*out = (unsigned int)v;
	return 0;
}

static int copy_str(char *dst, size_t len, const char *s, size_t n)
{
	if (n >= len)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* One "key:<blanks>value" line (value without the newline). */
static int fdinfo_line(const char *line, size_t len,
		       struct du_dmabuf_fdinfo *fi, unsigned int *seen)
{
	const char *colon = memchr(line, ':', len);
	char key[16], val[128];
	size_t klen, vstart;
	uint64_t v;
	int ret = 0;

	if (!colon)
		return 0;		/* not ours to judge */
	klen = (size_t)(colon - line);
	if (klen >= sizeof(key))
		return 0;
	memcpy(key, line, klen);
	key[klen] = '\0';
	vstart = klen + 1;
	while (vstart < len && (line[vstart] == '\t' || line[vstart] == ' '))
		vstart++;
	if (len - vstart >= sizeof(val)) {
		/* only exp_name/name could be long, and those are bounded */
		if (!strcmp(key, "name") || !strcmp(key, "exp_name"))
			return -EINVAL;
		return 0;
	}
	memcpy(val, line + vstart, len - vstart);
	val[len - vstart] = '\0';

	if (!strcmp(key, "pos")) {
		ret = du_parse_u64(val, &fi->pos);
	} else if (!strcmp(key, "flags")) {
		ret = parse_octal(val, &fi->flags);
	} else if (!strcmp(key, "mnt_id")) {
		ret = du_parse_u64(val, &v);
		if (!ret && v > INT_MAX)
			ret = -ERANGE;
		if (!ret)
			fi->mnt_id = (int)v;
	} else if (!strcmp(key, "ino")) {
		ret = du_parse_u64(val, &fi->ino);
	} else if (!strcmp(key, "size")) {
		ret = du_parse_u64(val, &fi->size);
		*seen |= 1;
	} else if (!strcmp(key, "count")) {
		ret = du_parse_u64(val, &v);
		if (!ret && v > LONG_MAX)
			ret = -ERANGE;
		if (!ret)
			fi->count = (long)v;
	} else if (!strcmp(key, "exp_name")) {
		ret = copy_str(fi->exp_name, sizeof(fi->exp_name), val,
			       strlen(val));
		*seen |= 2;
	} else if (!strcmp(key, "name")) {
		ret = copy_str(fi->name, sizeof(fi->name), val, strlen(val));
	}
	return ret ? -EINVAL : 0;
}

int du_dmabuf_fdinfo_parse(const char *text, struct du_dmabuf_fdinfo *fi)
{
	struct du_dmabuf_fdinfo tmp;
	unsigned int seen = 0;
	const char *p = text;

	memset(&tmp, 0, sizeof(tmp));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int ret = fdinfo_line(p, len, &tmp, &seen);

		if (ret)
			return ret;
		p += len;
		if (*p)
			p++;
	}
	if (seen != 3)
		return -ENOENT;
	*fi = tmp;
	return 0;
}

int du_dmabuf_fdinfo_read(pid_t pid, int fd, struct du_dmabuf_fdinfo *fi)
{
	char path[64], text[8192];
	size_t got = 0;
	int f, ret;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	while (got < sizeof(text) - 1) {
		ssize_t n = read(f, text + got, sizeof(text) - 1 - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			close(f);
			return ret;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	close(f);
	text[got] = '\0';
	return du_dmabuf_fdinfo_parse(text, fi);
}

/* ---- maps ------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unsigned number in base 10 or 16 at *p (1..max_digits digits). */
static int num_at(const char **p, unsigned int base, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0, d;

	while ((d = hexval(**p)) >= 0 && (unsigned int)d < base) {
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			return -ERANGE;
		v = v * base + (unsigned int)d;
		(*p)++;
		n++;
	}
	if (!n)
		return -EINVAL;
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

int du_maps_parse_line(char *line, struct du_maps_entry *e)
{
	struct du_maps_entry t;
	const char *p = line;
	uint64_t maj, min;
	size_t len = strlen(line);

	if (len && line[len - 1] == '\n')
		line[--len] = '\0';
	memset(&t, 0, sizeof(t));
	if (num_at(&p, 16, &t.start) || expect(&p, '-') ||
	    num_at(&p, 16, &t.end) || expect(&p, ' '))
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		static const char allowed[4][3] = { "r-", "w-", "x-", "ps" };

		if (!*p || !strchr(allowed[i], *p))
			return -EINVAL;
		t.perms[i] = *p++;
	}
	t.perms[4] = '\0';
	if (expect(&p, ' ') || num_at(&p, 16, &t.offset) || expect(&p, ' ') ||
	    num_at(&p, 16, &maj) || expect(&p, ':') || num_at(&p, 16, &min) ||
	    expect(&p, ' ') || num_at(&p, 10, &t.inode))
		return -EINVAL;
	if (t.end < t.start || maj > UINT_MAX || min > UINT_MAX)
		return -EINVAL;
	t.dev_major = (unsigned int)maj;
	t.dev_minor = (unsigned int)min;
	if (*p && *p != ' ')
		return -EINVAL;
	while (*p == ' ')
		p++;
	t.path = p;
	*e = t;
	return 0;
}

int du_maps_for_each(pid_t pid, du_maps_fn fn, void *arg)
{
	char path[64];
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		struct du_maps_entry e;

		ret = du_maps_parse_line(line, &e);
		if (!ret)
			ret = fn(&e, arg);
		if (ret)
			break;
		errno = 0;
	}
	if (!ret && ferror(f))
		ret = errno ? -errno : -EIO;
	free(line);
	fclose(f);
	return ret;
}

/* ---- names ------------------------------------------------------------ */

/* "vfio<N>:<PCI address>/<BAR hex>", the kernel's name for BAR mmaps. */
static bool decode_vfio_bar(const char *name, struct du_dmabuf_name *n)
{
	char addr[DU_DMABUF_NAME_LEN];
	const char *p = name + 4, *colon, *slash;
	uint64_t num;
	size_t cdev_len, alen;

	if (strncmp(name, "vfio", 4))
		return false;
	if (num_at(&p, 10, &num) || *p != ':')
		return false;
	colon = p;
	slash = strrchr(colon, '/');
	if (!slash)
		return false;
	alen = (size_t)(slash - colon - 1);
	if (!alen || alen >= sizeof(addr))
		return false;
	memcpy(addr, colon + 1, alen);
	addr[alen] = '\0';
	if (du_parse_pci_addr(addr, &n->addr))
		return false;
	p = slash + 1;
	if (num_at(&p, 16, &num) || *p || num > 5 || strlen(slash + 1) != 1)
		return false;
	cdev_len = (size_t)(colon - name);
	if (cdev_len >= sizeof(n->cdev))
		return false;
	memcpy(n->cdev, name, cdev_len);
	n->cdev[cdev_len] = '\0';
	n->bar = (unsigned int)num;
	return true;
}

int du_dmabuf_decode_name(const char *name, struct du_dmabuf_name *n)
{
	size_t len = strlen(name);

	if (len >= DU_DMABUF_NAME_LEN)
		return -ENAMETOOLONG;
	memset(n, 0, sizeof(*n));
	memcpy(n->name, name, len + 1);
	if (!len)
		n->kind = DU_DMABUF_UNNAMED;
	else if (decode_vfio_bar(name, n))
		n->kind = DU_DMABUF_VFIO_BAR;
	else
		n->kind = DU_DMABUF_NAMED;
	if (n->kind != DU_DMABUF_VFIO_BAR) {
		memset(&n->addr, 0, sizeof(n->addr));
		n->cdev[0] = '\0';
		n->bar = 0;
	}
	return 0;
}

int du_dmabuf_decode_path(const char *path, struct du_dmabuf_name *n)
{
	char name[DU_DMABUF_NAME_LEN + sizeof(DELETED_SUFFIX)];
	size_t plen = strlen(DMABUF_PATH_PREFIX), len;
	const char *rest;
	int ret;

	if (!strcmp(path, DMABUF_ANON_LINK)) {
		ret = du_dmabuf_decode_name("", n);
		return ret ? ret : 1;
	}
	if (strncmp(path, DMABUF_PATH_PREFIX, plen))
		return 0;
	rest = path + plen;
	len = strlen(rest);
	if (len >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, rest, len + 1);
	if (len >= strlen(DELETED_SUFFIX) &&
	    !strcmp(name + len - strlen(DELETED_SUFFIX), DELETED_SUFFIX))
		name[len - strlen(DELETED_SUFFIX)] = '\0';
	ret = du_dmabuf_decode_name(name, n);
	return ret ? ret : 1;
}
