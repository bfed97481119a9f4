// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf reset: VFIO_DEVICE_RESET of a device, through the broker
 * that owns it (--socket) or with the device at hand (--device,
 * --device-fd).  vfio-pci revokes every DMA-BUF of the device while the
 * reset lasts and restores them after it; permanently revoked buffers
 * stay revoked.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "du/errname.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "proto.h"
#include "target.h"
#include "vfio-dmabuf.h"

/* What a failed VFIO_DEVICE_RESET means (vfio_pci_core_ioctl(),
 * pci_try_reset_function()). */
static const char *reset_strerror(int err, bool has_reset)
{
	switch (err) {
	case EINVAL:
		return has_reset ? "invalid request" :
			"the device has no reset method (no function-level, power-management or bus reset; alone below a bridge it could use a secondary bus reset)";
	case ENOTTY:
		return "no reset method of the device worked";
	case EAGAIN:
		return "the device is busy (another reset or a config-space access holds it); try again";
	case ENODEV:
		return "the device is gone";
	case EPERM:
	case EACCES:
		return "not allowed";
	default:
		return strerror(err);
	}
}

int vd_reset(int devfd, const char *what, uint64_t *ns, int *errp,
	     char *msg, size_t len)
{
	struct du_vfio_info info = { 0 };
	struct timespec t0, t1;
	bool has_reset;
	int err;

	has_reset = du_vfio_device_info(devfd, &info) == 0 &&
		(info.flags & VFIO_DEVICE_FLAGS_RESET);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = du_vfio_reset(devfd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
		(uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
	*errp = -err;
	if (err < 0) {
		snprintf(msg, len, "reset of %s failed: %s: %s", what,
			 du_errno_name(err), reset_strerror(-err, has_reset));
		return DU_EXIT_FAILURE;
	}
	return 0;
}

struct reset_args {
	const char *socket;
	const char *device;
	int device_fd;
	enum vd_vfio_mode mode;
};

static const struct argp_option reset_options[] = {
	{ "socket", OPT_SOCKET, "PATH", 0,
	  "ask the broker on PATH, which owns the device", 0 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0,
	  "wait at most SECONDS for the broker at each step (default 5; 0 waits forever)", 0 },
	{ "device", OPT_DEVICE, "ADDR", 0,
	  "the device to reset (opened here without --socket)", 0 },
	{ "device-fd", OPT_DEVICE_FD, "FD", 0,
	  "an inherited VFIO device file descriptor", 0 },
	{ "vfio-mode", OPT_VFIO_MODE, "auto|cdev|group", 0,
	  "how to open --device (default auto)", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t reset_parse(int key, char *arg, struct argp_state *state)
{
	struct reset_args *a = state->input;

	switch (key) {
	case OPT_SOCKET:
		if (!*arg)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--socket: empty path");
		a->socket = arg;
		break;
	case OPT_TIMEOUT:
		vd_client_timeout_ms = vd_arg_seconds("--timeout", arg);
		break;
	case OPT_DEVICE:
		a->device = arg;
		break;
	case OPT_DEVICE_FD:
		a->device_fd = vd_arg_fd("--device-fd", arg);
		break;
	case OPT_VFIO_MODE:
		a->mode = vd_arg_vfio_mode(state, arg);
		break;
	case ARGP_KEY_ARG:
		argp_failure(state, DU_EXIT_USAGE, 0,
			     "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (a->device && a->device_fd >= 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--device and --device-fd exclude each other");
		if (!a->device && a->device_fd < 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "which device? give --device (with or without --socket) or --device-fd");
		if (a->socket && a->device_fd >= 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--device-fd is a device at hand: --socket does not apply");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp reset_argp = {
	.options = reset_options,
	.parser = reset_parse,
	.doc = "Reset a device (VFIO_DEVICE_RESET).  vfio-pci revokes every "
	       "DMA-BUF of the device while the reset lasts and restores the "
	       "buffers after it; permanently revoked buffers stay revoked.\v"
	       "Through a broker: --socket PATH --device ADDR (the broker owns "
	       "the device, so nothing else can open it).  With the device at "
	       "hand: --device ADDR (opened here) or --device-fd FD.",
};

static void print_reset(const char *device, const char *cdev, int64_t buffers,
			int64_t revoked, uint64_t ns)
{
	vd_out_begin();
	du_out_open_array("resets");
	du_out_open_object(NULL);
	du_print_string(DU_ANY, "device", "reset %s", device);
	if (cdev && cdev[0])
		du_print_string(DU_ANY, "cdev", " (%s)", cdev);
	else
		du_print_null(DU_JSON, "cdev", NULL);
	if (buffers >= 0) {
		du_print_u64(DU_ANY, "buffers",
			     ": %" PRIu64 " buffer(s) revoked during the reset and restored",
			     (uint64_t)buffers);
		du_print_u64(DU_ANY, "revoked",
			     ", %" PRIu64 " revoked for good", (uint64_t)revoked);
	} else {
		du_print_null(DU_JSON, "buffers", NULL);
		du_print_null(DU_JSON, "revoked", NULL);
	}
	du_print_u64(DU_ANY, "duration_ns", " in %" PRIu64 " ns", ns);
	du_print_nl();
	du_out_close_object();
	du_out_close_array();
}

static int via_broker(const struct reset_args *a)
{
	struct vd_reset_req req;
	const struct vd_reset *rep;
	struct du_pci_addr addr;
	struct vd_client c;
	char *reply;
	size_t rlen;
	int status;

	if (du_parse_pci_addr(a->device, &addr) < 0)
		vd_usage("--device: '%s' is not a PCI address", a->device);
	memset(&req, 0, sizeof(req));
	if (strlen(a->device) >= sizeof(req.device))
		vd_usage("--device: '%s' is too long", a->device);
	strcpy(req.device, a->device);
	status = vd_client_connect(&c, a->socket);
	if (status)
		return status;
	reply = malloc(VD_MSG_MAX);
	if (!reply)
		du_die(DU_EXIT_FAILURE, "out of memory");
	status = vd_client_call(&c, VD_MSG_RESET, &req, sizeof(req), reply,
				&rlen, NULL);
	if (status == 0) {
		rep = (const void *)(reply + sizeof(struct vd_msg_hdr) +
				     sizeof(struct vd_status));
		print_reset(rep->device, NULL, rep->buffers, rep->revoked,
			    rep->duration_ns);
		status = vd_out_end(DU_EXIT_OK);
	}
	free(reply);
	vd_client_close(&c);
	return status;
}

static int at_hand(struct reset_args *a)
{
	struct vd_target t;
	struct du_vfio_device vfio;
	const char *what;
	char msg[VD_MSG_LEN];
	uint64_t ns;
	int status, err;

	memset(&t, 0, sizeof(t));
	t.fd = -1;
	t.bar = -1;
	t.device = a->device;
	t.device_fd = a->device_fd;
	t.mode = a->mode;
	status = vd_target_open_device(&t, &vfio, NULL, &what);
	if (status)
		return status;
	status = vd_reset(t.devfd, what, &ns, &err, msg, sizeof(msg));
	if (status)
		du_err("%s", msg);
	else
		print_reset(a->device ? t.pci.bdf : what,
			    a->device ? vfio.cdev : NULL, -1, -1, ns);
	if (!status)
		status = vd_out_end(DU_EXIT_OK);
	if (a->device_fd < 0)
		du_vfio_close(&vfio);
	return status;
}

int cmd_reset(int argc, char **argv)
{
	struct reset_args a = { .device_fd = -1 };

	vd_parse(&reset_argp, "reset", argc, argv, &a);
	if (a.socket)
		return via_broker(&a);
	return at_hand(&a);
}
