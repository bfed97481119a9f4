// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf: /proc under a configurable root (see procfs.h).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/output.h"
#include "du/pci.h"
#include "vfio-dmabuf.h"

static int path_of(char *buf, size_t len, pid_t pid, const char *rest)
{
	int n = snprintf(buf, len, "%s/%d/%s", vd_g.proc_root, (int)pid, rest);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int numeric(const char *s, long *v)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	return !*end && !errno && *v > 0 && *v <= INT_MAX;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Sorted numeric entries of a directory; *out malloc()ed. */
static int numeric_entries(const char *dir, long **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long *v = NULL, *nv, x;
	size_t cap = 0, cnt = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!numeric(de->d_name, &x))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = x;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_long);
	*out = v;
	*n = cnt;
	return 0;
}

int vd_proc_for_each_pid(int (*fn)(pid_t pid, void *arg), void *arg)
{
	long *pids = NULL;
	size_t n = 0, i;
	int r;

	r = numeric_entries(vd_g.proc_root, &pids, &n);
	if (r < 0)
		return r;
	for (i = 0, r = 0; i < n && !r; i++)
		r = fn((pid_t)pids[i], arg);
	free(pids);
	return r;
}

int vd_proc_exists(pid_t pid)
{
	char p[PATH_MAX];

	return path_of(p, sizeof(p), pid, "") == 0 && access(p, F_OK) == 0;
}

void vd_proc_comm(pid_t pid, char *buf, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(buf, len, "?");
	if (path_of(p, sizeof(p), pid, "comm"))
		return;
	f = fopen(p, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	else
		snprintf(buf, len, "?");
	fclose(f);
}

int vd_proc_maps_for_each(pid_t pid, du_maps_fn fn, void *arg,
			  unsigned int *malformed)
{
	char p[PATH_MAX];
	struct du_maps_entry e;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r = 0;

	*malformed = 0;
	if (path_of(p, sizeof(p), pid, "maps"))
		return -ENAMETOOLONG;
	f = fopen(p, "re");
	if (!f)
		return -errno;
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		if (du_maps_parse_line(line, &e)) {
			/* one line the parser does not understand must not
			 * hide the rest: skip it, count it */
			(*malformed)++;
			continue;
		}
		r = fn(&e, arg);
		if (r)
			break;
		errno = 0;
	}
	if (!r && ferror(f))
		r = errno ? -errno : -EIO;
	free(line);
	fclose(f);
	return r;
}

int vd_proc_fd_for_each(pid_t pid, vd_proc_fd_fn fn, void *arg)
{
	char dir[PATH_MAX], p[PATH_MAX + 32], link[PATH_MAX];
	long *fds = NULL;
	size_t n = 0, i;
	ssize_t l;
	int r;

	if (path_of(dir, sizeof(dir), pid, "fd"))
		return -ENAMETOOLONG;
	r = numeric_entries(dir, &fds, &n);
	if (r < 0)
		return r;
	for (i = 0, r = 0; i < n && !r; i++) {
		snprintf(p, sizeof(p), "%s/%ld", dir, fds[i]);
		l = readlink(p, link, sizeof(link) - 1);
		if (l < 0)
			continue;	/* closed meanwhile */
		link[l] = '\0';
		r = fn(pid, (int)fds[i], link, arg);
	}
	free(fds);
	return r;
}

int vd_proc_fdinfo(pid_t pid, int fd, struct du_dmabuf_fdinfo *fi)
{
	char p[PATH_MAX], rest[64], text[4096];
	FILE *f;
	size_t n;

	snprintf(rest, sizeof(rest), "fdinfo/%d", fd);
	if (path_of(p, sizeof(p), pid, rest))
		return -ENAMETOOLONG;
	f = fopen(p, "re");
	if (!f)
		return -errno;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return du_dmabuf_fdinfo_parse(text, fi);
}

void vd_proc_fdinfo_diagnose(pid_t pid, int fd, char *msg, size_t len)
{
	char p[PATH_MAX], rest[64], text[4096], line[sizeof(text)], safe[96];
	struct du_dmabuf_fdinfo fi;
	const char *s, *nl;
	unsigned int no = 0;
	FILE *f;
	size_t n;

	snprintf(rest, sizeof(rest), "fdinfo/%d", fd);
	if (path_of(p, sizeof(p), pid, rest)) {
		snprintf(msg, len, "%s/%d/%s: path too long", vd_g.proc_root,
			 (int)pid, rest);
		return;
	}
	f = fopen(p, "re");
	if (!f) {
		snprintf(msg, len, "%s: %s", p, strerror(errno));
		return;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* the parser judges one line at a time: a line alone that it
	 * refuses (-EINVAL, not the -ENOENT of missing fields) is the culprit */
	for (s = text; *s; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		no++;
		memcpy(line, s, (size_t)(nl - s));
		line[nl - s] = '\0';
		if (du_dmabuf_fdinfo_parse(line, &fi) == -EINVAL) {
			snprintf(msg, len, "%s: malformed fdinfo: line %u '%s'",
				 p, no, du_text_safe(line, safe, sizeof(safe)));
			return;
		}
	}
	snprintf(msg, len, "%s: malformed fdinfo", p);
}

int vd_vfio_cdev_to_pci(const char *cdev, char *bdf, size_t len)
{
	char p[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t l;

	if (strchr(cdev, '/'))
		return -EINVAL;
	snprintf(p, sizeof(p), "%s/class/vfio-dev/%s/device", du_sysfs_root(),
		 cdev);
	l = readlink(p, link, sizeof(link) - 1);
	if (l < 0)
		return -errno;
	link[l] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(bdf, base);
	return 0;
}
