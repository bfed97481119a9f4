/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-dmabuf: classifying /proc/<pid>/maps lines and the DMA-BUF fds of a
 * process (shared by maps and info).
 */
#ifndef VFIO_DMABUF_MAPS_H
#define VFIO_DMABUF_MAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "du/dmabuf.h"
#include "du/parse.h"

struct vd_mapping {
	const char *kind;		/* "bar", "buffer", "device" */
	bool is_dmabuf;
	bool named;
	char name[DU_DMABUF_NAME_LEN];
	char device[DU_PCI_ADDR_STRLEN];	/* "" when unknown */
	char cdev[16];			/* "" when unknown */
	int bar;			/* -1 when unknown */
	uint64_t offset;		/* in what the mapping maps (see maps.c) */
	bool have_bar_offset;
	uint64_t bar_offset;		/* in the BAR, when known */
};

/* 1 and *m filled when the line is a VFIO DMA-BUF, DMA-BUF or VFIO BAR
 * mapping, else 0. */
int vd_classify_mapping(const struct du_maps_entry *e, struct vd_mapping *m);

struct vd_proc_buf {
	int fd;
	struct du_dmabuf_fdinfo fi;
};

struct vd_proc_bufs {
	struct vd_proc_buf *v;
	size_t n, cap;
};

/* The DMA-BUF fds of a process with their fdinfo, sorted by inode (a
 * lookup is a binary search). */
int vd_proc_bufs_read(pid_t pid, struct vd_proc_bufs *pb);
const struct vd_proc_buf *vd_proc_bufs_find(const struct vd_proc_bufs *pb,
					    uint64_t ino);
void vd_proc_bufs_free(struct vd_proc_bufs *pb);

/*
 * What maps and info could not see, reported the same way by both:
 * processes that could not be inspected (their maps or fds unreadable;
 * a process that exits meanwhile is not one) and processes whose maps had
 * malformed lines (skipped, the rest read).  A malformed count is warned
 * about at once, naming the process; the uninspected are summed up at the
 * end ("N processes could not be inspected"), named with -v.  JSON: the
 * top-level arrays "uninspected" [{pid, comm, file, errno, error}] and
 * "malformed" [{pid, comm, lines}].
 */
struct vd_proc_issue {
	pid_t pid;
	char comm[64];
	char file[32];		/* "maps" or "fd" */
	int err;		/* errno, uninspected */
	unsigned int lines;	/* malformed lines */
};

struct vd_proc_issues {
	struct vd_proc_issue *uninspected;
	size_t n_uninspected, cap_uninspected;
	struct vd_proc_issue *malformed;
	size_t n_malformed, cap_malformed;
};

/* Record that file ("maps", "fd") of pid could not be read (err > 0); an
 * err meaning the process is gone is ignored.  Returns true if recorded. */
bool vd_proc_issue_unreadable(struct vd_proc_issues *is, pid_t pid,
			      const char *comm, const char *file, int err);
/* Record and warn about lines malformed lines in the maps of pid. */
void vd_proc_issue_malformed(struct vd_proc_issues *is, pid_t pid,
			     const char *comm, unsigned int lines);
/* The JSON arrays, and the summary warning (naming them when verbose). */
void vd_proc_issues_report(const struct vd_proc_issues *is, bool verbose);
void vd_proc_issues_free(struct vd_proc_issues *is);

/*
 * --name PATTERN filters (maps, info): a shell glob (fnmatch(3) without
 * flags: *, ? and [...] match any characters, '/' and a leading '.'
 * included; a pattern without them matches the name exactly).  n == 0
 * matches everything; a NULL name (unnamed) matches no pattern.
 * vd_check_name_pattern refuses an empty or over-long pattern (exit 2).
 */
bool vd_name_matches(const char **patterns, size_t n, const char *name);
void vd_check_name_pattern(const char *opt, const char *pattern);
/* V (N elements of SIZE bytes) with room for one more: the repeatable
 * filter options' lists (--pid, --device, --name); dies on ENOMEM. */
void *vd_grow_filter(void *v, size_t n, size_t size);

#endif /* VFIO_DMABUF_MAPS_H */
