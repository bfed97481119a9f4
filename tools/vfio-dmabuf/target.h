/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-dmabuf: selecting an existing buffer or BAR (argp child).
 */
#ifndef VFIO_DMABUF_TARGET_H
#define VFIO_DMABUF_TARGET_H

#include "du/vfio.h"
#include "vfio-dmabuf.h"

struct vd_target {
	const char *socket;
	uint32_t id;
	bool have_id;
	int fd;			/* --fd, -1 = not given */
	const char *device;
	int device_fd;		/* --device-fd, -1 = not given */
	int bar;		/* set by access's --bar, -1 = not given */
	enum vd_vfio_mode mode;
	/* filled by vd_target_open_device() */
	int devfd;
	struct vd_pcidev pci;
};

extern const struct argp vd_target_argp;
/* The same without --device, --device-fd and --vfio-mode (info, which
 * opens no device). */
extern const struct argp vd_target_select_argp;

enum {
	VD_TARGET_FD		= 1 << 0,	/* --fd accepted */
	VD_TARGET_NEED_DEVICE	= 1 << 1,	/* --fd needs the device */
	VD_TARGET_BAR		= 1 << 2,	/* --bar accepted */
};

/* Check the combination of options; exits 2 when it does not fit. */
void vd_target_check(const struct vd_target *t, unsigned int allow);

/* --fd is an open DMA-BUF?  0, or an exit status after the message. */
int vd_target_check_fd(const struct vd_target *t);

/*
 * Open --device (after the sysfs checks) or check --device-fd; sets
 * t->devfd and probes the features into *f (may be NULL).  *what names the
 * device for messages.  Returns 0 or an exit status after the message.
 * Close with du_vfio_close(vfio) (a no-op for --device-fd).
 */
int vd_target_open_device(struct vd_target *t, struct du_vfio_device *vfio,
			  struct vd_features *f, const char **what);

#endif /* VFIO_DMABUF_TARGET_H */
