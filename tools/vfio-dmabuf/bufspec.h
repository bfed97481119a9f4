/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-dmabuf: the buffer specification options (--device, --bar, --range,
 * --name, --memattr, --allow-overlap, --vfio-mode) shared by export and
 * exec, as an argp child.
 */
#ifndef VFIO_DMABUF_BUFSPEC_H
#define VFIO_DMABUF_BUFSPEC_H

#include <stdbool.h>

#include "du/vfio.h"
#include "proto.h"
#include "vfio-dmabuf.h"

struct vd_bufspec {
	const char *device;
	int bar;			/* -1 = not given */
	char *ranges_arg;		/* every --range joined with ',' */
	const char *name;
	int memattr;			/* -1 = not given */
	bool allow_overlap;
	enum vd_vfio_mode mode;
	/* filled by vd_bufspec_syntax() / _validate() */
	struct du_range ranges[DU_VFIO_DMABUF_MAX_RANGES];
	size_t nranges;
	struct vd_pcidev dev;
};

extern const struct argp vd_bufspec_argp;

/* Any buffer option given? */
bool vd_bufspec_given(const struct vd_bufspec *b);
/* Required options present and ranges well-formed; exits 2 otherwise. */
int vd_bufspec_syntax(struct vd_bufspec *b);
/* Syntax, then the device, BAR and ranges against sysfs.  Returns 0 or an
 * exit status after printing the error. */
int vd_bufspec_validate(struct vd_bufspec *b);
void vd_bufspec_free(struct vd_bufspec *b);
/* Warn when the buffer has several ranges (iommufd imports one). */
void vd_bufspec_warn_multi(const struct vd_bufspec *b);
/* After validation: check the driver, open the device, probe, export.
 * Returns the DMA-BUF fd, or -exit status after printing the error (the
 * device is then closed). */
int vd_bufspec_export_local(struct vd_bufspec *b, struct du_vfio_device *vfio,
			    struct vd_features *f);
/* A malloc()ed description of the buffer (fd may be -1: not exported). */
struct vd_wire_buffer *vd_bufspec_describe(const struct vd_bufspec *b,
					   int fd, int devfd,
					   const struct vd_features *f);
/* A malloc()ed EXPORT request; *len its size. */
struct vd_export_req *vd_bufspec_request(const struct vd_bufspec *b,
					 uint32_t flags, size_t *len);

#endif /* VFIO_DMABUF_BUFSPEC_H */
