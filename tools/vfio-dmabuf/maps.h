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

/* The DMA-BUF fds of a process with their fdinfo. */
int vd_proc_bufs_read(pid_t pid, struct vd_proc_bufs *pb);
const struct vd_proc_buf *vd_proc_bufs_find(const struct vd_proc_bufs *pb,
					    uint64_t ino);
void vd_proc_bufs_free(struct vd_proc_bufs *pb);

#endif /* VFIO_DMABUF_MAPS_H */
