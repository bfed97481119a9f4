/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/dmabuf.h - DMA-BUF fds and what /proc says about them.
 *
 * DMA-BUF files show as "/dmabuf:<name>" in /proc/<pid>/maps and in the
 * /proc/<pid>/fd links ("anon_inode:dmabuf" on old kernels).  With the
 * series, BAR mappings made through a VFIO device fd are DMA-BUFs named
 * "<cdev>:<PCI address>/<BAR index in hex>", e.g. /dmabuf:vfio0:0000:00:03.0/2.
 */
#ifndef DU_DMABUF_H
#define DU_DMABUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "du/parse.h"

/* Including the terminating NUL, as the kernel's DMA_BUF_NAME_LEN. */
#define DU_DMABUF_NAME_LEN 32

/*
 * Is fd an open DMA-BUF?  1 yes, 0 no (a regular file, pipe...), -EBADF if
 * fd is not open.  Checks the file system magic (fstatfs) and the
 * /proc/self/fd link.
 */
int du_dmabuf_check_fd(int fd);

/* What a file that is not a DMA-BUF is, by its st_mode, for messages:
 * "a regular file", "a directory", "a pipe", "a socket", "a character
 * device", "a block device"; NULL for any other type. */
const char *du_file_type_name(mode_t mode);

/* DMA_BUF_SET_NAME.  -ENAMETOOLONG if name has DU_DMABUF_NAME_LEN bytes or
 * more; an empty name is allowed by the kernel. */
int du_dmabuf_set_name(int fd, const char *name);

/* ---- /proc/<pid>/fdinfo/<fd> ------------------------------------------ */

struct du_dmabuf_fdinfo {
	uint64_t pos;
	unsigned int flags;	/* open flags (octal in fdinfo) */
	int mnt_id;
	uint64_t ino;		/* inode number; 0 when fdinfo lacks it */
	uint64_t size;		/* buffer size in bytes */
	long count;		/* references to the buffer's file, less the
				   one fdinfo itself holds */
	char exp_name[64];	/* exporter, e.g. "vfio-pci" */
	char name[DU_DMABUF_NAME_LEN];	/* "" when unnamed */
};

/*
 * Parse the text of a DMA-BUF's fdinfo.  Unknown lines are ignored.
 * -ENOENT when the text has no size/exp_name (not a DMA-BUF), -EINVAL when
 * a known line is malformed.
 */
int du_dmabuf_fdinfo_parse(const char *text, struct du_dmabuf_fdinfo *fi);

/* Read and parse /proc/<pid>/fdinfo/<fd> (pid 0 = this process). */
int du_dmabuf_fdinfo_read(pid_t pid, int fd, struct du_dmabuf_fdinfo *fi);

/* ---- /proc/<pid>/maps ------------------------------------------------- */

struct du_maps_entry {
	uint64_t start;
	uint64_t end;		/* exclusive */
	char perms[5];		/* "rw-s" */
	uint64_t offset;	/* file offset (page offset for DMA-BUFs) */
	unsigned int dev_major;
	unsigned int dev_minor;
	uint64_t inode;
	const char *path;	/* points into the parsed line; "" if none */
};

/*
 * Parse one maps line "start-end perms offset major:minor inode   path".
 * line is modified: a trailing newline is cut off so that e->path is a
 * NUL-terminated string inside line.  -EINVAL when malformed.
 */
int du_maps_parse_line(char *line, struct du_maps_entry *e);

/* Call fn for every line of /proc/<pid>/maps (pid 0 = self).  Stops when
 * fn returns non-zero and returns that value; -errno when the file cannot
 * be read (-ENOENT: no such process) or a line is malformed. */
typedef int (*du_maps_fn)(const struct du_maps_entry *e, void *arg);
int du_maps_for_each(pid_t pid, du_maps_fn fn, void *arg);

/* ---- DMA-BUF names ---------------------------------------------------- */

enum du_dmabuf_kind {
	DU_DMABUF_UNNAMED = 1,	/* "/dmabuf:" */
	DU_DMABUF_NAMED,	/* "/dmabuf:<name>" (any other name) */
	DU_DMABUF_VFIO_BAR,	/* "/dmabuf:vfioN:DDDD:BB:DD.F/<bar hex>" */
};

struct du_dmabuf_name {
	enum du_dmabuf_kind kind;
	char name[DU_DMABUF_NAME_LEN];	/* the name, "" when unnamed */
	/* DU_DMABUF_VFIO_BAR only: */
	char cdev[16];			/* "vfio0" */
	struct du_pci_addr addr;
	unsigned int bar;
};

/*
 * Decode a name as DMA_BUF_SET_NAME or the kernel set it (no "/dmabuf:"
 * prefix).  Always succeeds for names that fit (-ENAMETOOLONG otherwise):
 * a name that does not follow the VFIO BAR form exactly is DU_DMABUF_NAMED.
 */
int du_dmabuf_decode_name(const char *name, struct du_dmabuf_name *n);

/*
 * Decode a maps path or fd link.  Returns 1 and fills *n for a DMA-BUF
 * ("/dmabuf:..." or "anon_inode:dmabuf", the latter as unnamed), 0 when the
 * path is not a DMA-BUF, -ENAMETOOLONG for an over-long name.
 * A " (deleted)" suffix is ignored.
 */
int du_dmabuf_decode_path(const char *path, struct du_dmabuf_name *n);

#endif /* DU_DMABUF_H */
