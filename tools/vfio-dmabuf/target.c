// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf: selecting an existing buffer (or a BAR) to act on, shared by
 * revoke, memattr, access and info: a broker's buffer (--socket, --id), an
 * inherited DMA-BUF fd (--fd) with its device (--device or --device-fd),
 * or a BAR through the device fd (--device/--device-fd with --bar).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/vfio.h"
#include "target.h"

static const struct argp_option target_options[] = {
	{ NULL, 0, NULL, 0, "Which buffer:", 2 },
	{ "socket", OPT_SOCKET, "PATH", 0,
	  "the broker's socket (default $VFIO_DMABUF_SOCKET)", 2 },
	{ "id", OPT_ID, "ID", 0, "the broker's buffer ID", 2 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0,
	  "wait at most SECONDS for the broker at each step (default 5; 0 waits forever)", 2 },
	{ "fd", OPT_FD, "FD", 0, "an inherited DMA-BUF file descriptor", 2 },
	{ "device", OPT_DEVICE, "ADDR", 0,
	  "the vfio-pci device (opened here; it must not be open elsewhere)",
	  2 },
	{ "device-fd", OPT_DEVICE_FD, "FD", 0,
	  "an inherited VFIO device file descriptor", 2 },
	{ "vfio-mode", OPT_VFIO_MODE, "auto|cdev|group", 0,
	  "how to open --device (default auto)", 2 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t target_parse(int key, char *arg, struct argp_state *state)
{
	struct vd_target *t = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		t->fd = -1;
		t->device_fd = -1;
		t->bar = -1;
		break;
	case OPT_SOCKET:
		t->socket = arg;
		break;
	case OPT_TIMEOUT:
		vd_client_timeout_ms = vd_arg_seconds("--timeout", arg);
		break;
	case OPT_ID:
		t->id = vd_arg_u32("--id", arg);
		if (t->id == 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--id: buffer IDs start at 1");
		t->have_id = true;
		break;
	case OPT_FD:
		t->fd = vd_arg_fd("--fd", arg);
		break;
	case OPT_DEVICE:
		t->device = arg;
		break;
	case OPT_DEVICE_FD:
		t->device_fd = vd_arg_fd("--device-fd", arg);
		break;
	case OPT_VFIO_MODE:
		t->mode = vd_arg_vfio_mode(state, arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp vd_target_argp = {
	.options = target_options,
	.parser = target_parse,
};

/* --socket, --id, --timeout and --fd only (the first entries above). */
static const struct argp_option select_options[] = {
	{ NULL, 0, NULL, 0, "Which buffer:", 2 },
	{ "socket", OPT_SOCKET, "PATH", 0,
	  "the broker's socket (default $VFIO_DMABUF_SOCKET)", 2 },
	{ "id", OPT_ID, "ID", 0, "the broker's buffer ID", 2 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0,
	  "wait at most SECONDS for the broker at each step (default 5; 0 waits forever)", 2 },
	{ "fd", OPT_FD, "FD", 0, "an inherited DMA-BUF file descriptor", 2 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

const struct argp vd_target_select_argp = {
	.options = select_options,
	.parser = target_parse,
};

void vd_target_check(const struct vd_target *t, unsigned int allow)
{
	int sources = (t->have_id ? 1 : 0) + (t->fd >= 0 ? 1 : 0) +
		(t->bar >= 0 ? 1 : 0);

	if (t->device && t->device_fd >= 0)
		vd_usage("--device and --device-fd exclude each other");
	if (sources > 1)
		vd_usage("give one of --id, --fd%s", allow & VD_TARGET_BAR ?
			 " and --bar" : "");
	if (sources == 0)
		vd_usage("which buffer? give --id (with --socket)%s%s",
			 allow & VD_TARGET_FD ? ", --fd" : "",
			 allow & VD_TARGET_BAR ? " or --device with --bar" : "");
	if (t->have_id && (t->device || t->device_fd >= 0))
		vd_usage("--id names a broker's buffer: --device and --device-fd do not apply");
	if (!t->have_id && t->socket)
		vd_usage("--socket needs --id");
	if (t->fd >= 0 && !(allow & VD_TARGET_FD))
		vd_usage("--fd is not accepted here");
	if (t->fd >= 0 && (allow & VD_TARGET_NEED_DEVICE) && !t->device &&
	    t->device_fd < 0)
		vd_usage("--fd needs the device that exported the buffer: --device or --device-fd");
	if (t->bar >= 0 && !t->device && t->device_fd < 0)
		vd_usage("--bar needs --device or --device-fd");
	if (t->fd < 0 && t->bar < 0 && !t->have_id)
		vd_usage("which buffer?");
}

int vd_target_check_fd(const struct vd_target *t)
{
	char msg[VD_MSG_LEN];
	int status = vd_check_dmabuf_fd(t->fd, msg, sizeof(msg));

	if (status)
		du_err("--fd: %s", msg);
	return status;
}

int vd_target_open_device(struct vd_target *t, struct du_vfio_device *vfio,
			  struct vd_features *f, const char **what)
{
	struct du_vfio_info info;
	struct vd_pcidev d;
	char msg[VD_MSG_LEN];
	int status, err;

	memset(vfio, 0, sizeof(*vfio));
	vfio->fd = -1;
	vfio->iommufd = -1;
	vfio->group_fd = -1;
	vfio->container_fd = -1;
	if (t->device_fd >= 0) {
		err = du_vfio_device_info(t->device_fd, &info);
		if (err < 0) {
			du_err("--device-fd: fd %d is not a VFIO device (%s)",
			       t->device_fd, strerror(-err));
			return DU_EXIT_USAGE;
		}
		t->devfd = t->device_fd;
		*what = "the device fd";
	} else {
		status = vd_pcidev_lookup(t->device, &d, msg, sizeof(msg));
		if (!status && t->bar >= 0)
			status = vd_check_bar(&d, (unsigned int)t->bar, msg,
					      sizeof(msg));
		if (!status)
			status = vd_check_vfio_bound(&d, msg, sizeof(msg));
		if (!status)
			status = vd_open_device(&d, t->mode, vfio, msg,
						sizeof(msg));
		if (status) {
			du_err("%s", msg);
			return status;
		}
		t->devfd = vfio->fd;
		t->pci = d;
		*what = t->device;
	}
	if (f)
		vd_probe_features(t->devfd, f);
	return 0;
}
