/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-dmabuf: reading processes under a configurable proc root
 * (--proc-root), so that maps and info also run on recorded trees.  The
 * parsing itself is the library's (du/dmabuf.h).
 *
 * Should move to tools/lib as a proc-root counterpart of du_sysfs_set_root().
 */
#ifndef VFIO_DMABUF_PROCFS_H
#define VFIO_DMABUF_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

#include "du/dmabuf.h"

/* Call fn for every process (numeric directory) in pid order; stops when
 * fn returns non-zero and returns that.  -errno if the root is unreadable. */
int vd_proc_for_each_pid(int (*fn)(pid_t pid, void *arg), void *arg);

/* Does the process exist? */
int vd_proc_exists(pid_t pid);

/* The process's comm, or "?" when unreadable. */
void vd_proc_comm(pid_t pid, char *buf, size_t len);

/* Every line of <root>/<pid>/maps, parsed.  -errno when unreadable
 * (-ENOENT: no such process; -EACCES: not permitted).  A malformed line is
 * skipped and counted in *malformed; the lines after it are still read. */
int vd_proc_maps_for_each(pid_t pid, du_maps_fn fn, void *arg,
			  unsigned int *malformed);

/* Every fd of the process with its link text.  -errno as above. */
typedef int (*vd_proc_fd_fn)(pid_t pid, int fd, const char *link, void *arg);
int vd_proc_fd_for_each(pid_t pid, vd_proc_fd_fn fn, void *arg);

/* Read and parse <root>/<pid>/fdinfo/<fd> of a DMA-BUF. */
int vd_proc_fdinfo(pid_t pid, int fd, struct du_dmabuf_fdinfo *fi);

/* After vd_proc_fdinfo() returned -EINVAL: what is wrong with that fdinfo,
 * naming the file and its first malformed line (control bytes escaped),
 * e.g. "/proc/100/fdinfo/5: malformed line 5 'size:\tbig'". */
void vd_proc_fdinfo_diagnose(pid_t pid, int fd, char *msg, size_t len);

/* The PCI address of VFIO cdev "vfioN" from sysfs
 * (<sysfs>/class/vfio-dev/vfioN/device).  Should move to tools/lib (pci). */
int vd_vfio_cdev_to_pci(const char *cdev, char *bdf, size_t len);

#endif /* VFIO_DMABUF_PROCFS_H */
