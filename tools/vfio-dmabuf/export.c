// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf export: export ranges of one BAR as a DMA-BUF, locally or
 * through a broker.  The buffer specification options are shared with
 * exec (bufspec.h).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "bufspec.h"
#include "proto.h"
#include "vfio-dmabuf.h"

/* ---- the shared buffer specification ---------------------------------- */

static const struct argp_option bufspec_options[] = {
	{ NULL, 0, NULL, 0, "Buffer:", 1 },
	{ "device", OPT_DEVICE, "ADDR", 0,
	  "vfio-pci device, DDDD:BB:DD.F or BB:DD.F", 1 },
	{ "bar", OPT_BAR, "N", 0, "BAR index (0-5), a memory BAR", 1 },
	{ "range", OPT_RANGE, "OFF:LEN[,...]", 0,
	  "ranges of the BAR (page aligned; 4K/2M/1G suffixes); repeatable",
	  1 },
	{ "name", OPT_NAME, "NAME", 0,
	  "name the buffer (DMA_BUF_SET_NAME, at most 31 bytes)", 1 },
	{ "memattr", OPT_MEMATTR, "nc|wc", 0,
	  "memory attribute for mmaps of the buffer", 1 },
	{ "allow-overlap", OPT_ALLOW_OVERLAP, NULL, 0,
	  "allow ranges that overlap (aliasing)", 1 },
	{ "vfio-mode", OPT_VFIO_MODE, "auto|cdev|group", 0,
	  "open the device through its cdev (+ iommufd) or the legacy group; default auto",
	  1 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t bufspec_parse(int key, char *arg, struct argp_state *state)
{
	struct vd_bufspec *b = state->input;
	char buf[64];
	size_t len;
	char *n;
	unsigned int ub;
	int v, err;

	switch (key) {
	case ARGP_KEY_INIT:
		b->memattr = -1;
		b->bar = -1;
		break;
	case OPT_DEVICE:
		b->device = arg;
		break;
	case OPT_BAR:
		err = du_parse_bar(arg, &ub);
		if (err == -ERANGE)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--bar: BAR index %s out of range (0-5)",
				     arg);
		if (err < 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--bar: '%s' is not a BAR index (0-5)",
				     arg);
		b->bar = (int)ub;
		break;
	case OPT_RANGE:
		if (!*arg)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--range: empty range list");
		len = b->ranges_arg ? strlen(b->ranges_arg) + 1 : 0;
		n = realloc(b->ranges_arg, len + strlen(arg) + 1);
		if (!n)
			argp_failure(state, DU_EXIT_FAILURE, ENOMEM, "--range");
		if (len)
			n[len - 1] = ',';
		strcpy(n + len, arg);
		b->ranges_arg = n;
		break;
	case OPT_NAME:
		if (strlen(arg) >= DU_DMABUF_NAME_LEN)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--name: '%s' is too long (at most %d bytes)",
				     arg, DU_DMABUF_NAME_LEN - 1);
		b->name = arg;
		break;
	case OPT_MEMATTR:
		if (du_parse_keyword(arg, du_memattr_keywords, &v) < 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--memattr: unknown memory attribute '%s' (expected %s)",
				     arg, du_keyword_list(du_memattr_keywords,
							  buf, sizeof(buf)));
		b->memattr = v;
		break;
	case OPT_ALLOW_OVERLAP:
		b->allow_overlap = true;
		break;
	case OPT_VFIO_MODE:
		b->mode = vd_arg_vfio_mode(state, arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp vd_bufspec_argp = {
	.options = bufspec_options,
	.parser = bufspec_parse,
};

bool vd_bufspec_given(const struct vd_bufspec *b)
{
	return b->device || b->bar >= 0 || b->ranges_arg || b->name ||
		b->memattr >= 0 || b->allow_overlap;
}

int vd_bufspec_syntax(struct vd_bufspec *b)
{
	char msg[VD_MSG_LEN];

	if (!b->device)
		vd_usage("missing --device");
	if (b->bar < 0)
		vd_usage("missing --bar");
	if (!b->ranges_arg)
		vd_usage("missing --range");
	if (vd_parse_ranges(b->ranges_arg, b->ranges, &b->nranges, msg,
			    sizeof(msg)))
		vd_usage("--range: %s", msg);
	return 0;
}

int vd_bufspec_validate(struct vd_bufspec *b)
{
	char msg[VD_MSG_LEN];
	int status;

	vd_bufspec_syntax(b);
	status = vd_pcidev_lookup(b->device, &b->dev, msg, sizeof(msg));
	if (status == 0)
		status = vd_check_bar(&b->dev, (unsigned int)b->bar, msg,
				      sizeof(msg));
	if (status == 0)
		status = vd_check_ranges(&b->dev, (unsigned int)b->bar,
					 b->ranges, b->nranges,
					 b->allow_overlap, msg, sizeof(msg));
	if (status)
		du_err("%s", msg);
	return status;
}

void vd_bufspec_free(struct vd_bufspec *b)
{
	free(b->ranges_arg);
	b->ranges_arg = NULL;
}

void vd_bufspec_warn_multi(const struct vd_bufspec *b)
{
	if (b->nranges > 1)
		du_warn("the buffer has %zu ranges: iommufd (IOMMU_IOAS_MAP_FILE) imports only single-range buffers",
			b->nranges);
}

int vd_bufspec_export_local(struct vd_bufspec *b, struct du_vfio_device *vfio,
			    struct vd_features *f)
{
	struct du_vfio_region reg;
	char msg[VD_MSG_LEN];
	int status, fd, err;

	status = vd_check_vfio_bound(&b->dev, msg, sizeof(msg));
	if (status == 0)
		status = vd_open_device(&b->dev, b->mode, vfio, msg,
					sizeof(msg));
	if (status) {
		du_err("%s", msg);
		return -status;
	}
	err = du_vfio_region_info(vfio->fd, (unsigned int)b->bar, &reg);
	if (err < 0 || reg.size == 0) {
		du_err("BAR %d of %s has no VFIO region%s%s", b->bar,
		       b->dev.bdf, err < 0 ? ": " : "",
		       err < 0 ? strerror(-err) : "");
		du_vfio_close(vfio);
		return -DU_EXIT_FAILURE;
	}
	vd_probe_features(vfio->fd, f);
	fd = vd_export(vfio->fd, f, (unsigned int)b->bar,
		       b->bar < DU_PCI_NUM_BARS ? &b->dev.bars[b->bar] : NULL,
		       b->ranges,
		       b->nranges, b->name, b->memattr, msg, sizeof(msg));
	if (fd < 0) {
		du_err("%s", msg);
		du_vfio_close(vfio);
		return fd;
	}
	vd_bufspec_warn_multi(b);
	return fd;
}

struct vd_wire_buffer *vd_bufspec_describe(const struct vd_bufspec *b,
					   int fd, int devfd,
					   const struct vd_features *f)
{
	struct vd_wire_buffer *w;
	uint64_t total = 0;
	uint32_t attr;
	size_t i;

	w = calloc(1, vd_wire_buffer_size((uint32_t)b->nranges));
	if (!w)
		du_die(DU_EXIT_FAILURE, "out of memory");
	w->bar = (uint32_t)b->bar;
	snprintf(w->device, sizeof(w->device), "%s", b->dev.bdf);
	for (i = 0; i < b->nranges; i++) {
		w->ranges[i].offset = b->ranges[i].offset;
		w->ranges[i].length = b->ranges[i].length;
		total += b->ranges[i].length;
	}
	w->nranges = (uint32_t)b->nranges;
	w->size = total;
	w->memattr = VD_MEMATTR_DEFAULT;
	if (b->memattr >= 0)
		w->memattr = (uint32_t)b->memattr;
	if (b->name)
		snprintf(w->name, sizeof(w->name), "%s", b->name);
	if (fd >= 0) {
		int64_t sz = vd_dmabuf_size(fd);

		if (sz >= 0)
			w->size = (uint64_t)sz;
		w->inode = vd_inode(fd);
		if (f && f->memattr &&
		    du_vfio_dmabuf_memattr_get(devfd, fd, &attr) == 0)
			w->memattr = attr;
	}
	return w;
}

/* Fill an EXPORT request from a buffer specification. */
struct vd_export_req *vd_bufspec_request(const struct vd_bufspec *b,
					 uint32_t flags, size_t *len)
{
	struct vd_export_req *req;
	size_t i;

	*len = sizeof(*req) + b->nranges * sizeof(req->ranges[0]);
	req = calloc(1, *len);
	if (!req)
		du_die(DU_EXIT_FAILURE, "out of memory");
	if (strlen(b->device) >= sizeof(req->device))
		vd_usage("--device: invalid PCI address '%s' (expected DDDD:BB:DD.F or BB:DD.F)",
			 b->device);
	strcpy(req->device, b->device);
	req->bar = (uint32_t)b->bar;
	req->memattr = b->memattr >= 0 ? (uint32_t)b->memattr :
		VD_MEMATTR_DEFAULT;
	req->flags = flags | (b->allow_overlap ? VD_EXPORT_ALLOW_OVERLAP : 0);
	req->nranges = (uint32_t)b->nranges;
	if (b->name)
		snprintf(req->name, sizeof(req->name), "%s", b->name);
	for (i = 0; i < b->nranges; i++) {
		req->ranges[i].offset = b->ranges[i].offset;
		req->ranges[i].length = b->ranges[i].length;
	}
	return req;
}

/* ---- export ----------------------------------------------------------- */

struct export_args {
	struct vd_bufspec spec;
	const char *socket;
	bool dry_run;
};

static const struct argp_option export_options[] = {
	{ "socket", OPT_SOCKET, "PATH", 0,
	  "ask the broker at PATH to export and hold the buffer", 0 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0,
	  "wait at most SECONDS for the broker at each step (default 5; 0 waits forever)", 0 },
	{ "dry-run", OPT_DRY_RUN, NULL, 0,
	  "only validate against sysfs; do not open the device", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t export_parse(int key, char *arg, struct argp_state *state)
{
	struct export_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->spec;
		break;
	case OPT_SOCKET:
		a->socket = arg;
		break;
	case OPT_TIMEOUT:
		vd_client_timeout_ms = vd_arg_seconds("--timeout", arg);
		break;
	case OPT_DRY_RUN:
		a->dry_run = true;
		break;
	case ARGP_KEY_ARG:
		argp_failure(state, DU_EXIT_USAGE, 0,
			     "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child export_children[] = {
	{ &vd_bufspec_argp, 0, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct argp export_argp = {
	.options = export_options,
	.parser = export_parse,
	.doc = "Export one or more ranges of one BAR of a vfio-pci device as a "
	       "single DMA-BUF.\v"
	       "Everything is validated against the BAR's size and type in sysfs "
	       "before the kernel is called.  Without --socket the buffer lives "
	       "only until vfio-dmabuf exits (use serve or exec to hold it); "
	       "with --socket the broker exports and holds it and prints its id.",
	.children = export_children,
};

static int export_via_broker(struct export_args *a)
{
	struct vd_client c;
	struct vd_export_req *req;
	char *reply;
	size_t len, rlen;
	int status;

	vd_bufspec_syntax(&a->spec);
	req = vd_bufspec_request(&a->spec, 0, &len);
	status = vd_client_connect(&c, a->socket);
	if (status) {
		free(req);
		return status;
	}
	reply = malloc(VD_MSG_MAX);
	if (!reply)
		du_die(DU_EXIT_FAILURE, "out of memory");
	status = vd_client_call(&c, VD_MSG_EXPORT, req, len, reply, &rlen,
				NULL);
	if (status == 0) {
		vd_bufspec_warn_multi(&a->spec);
		vd_out_begin();
		du_out_open_array("buffers");
		vd_print_wire_buffer((const void *)(reply +
				     sizeof(struct vd_msg_hdr) +
				     sizeof(struct vd_status)), -1);
		du_out_close_array();
		status = vd_out_end(DU_EXIT_OK);
	}
	free(reply);
	free(req);
	vd_client_close(&c);
	return status;
}

int cmd_export(int argc, char **argv)
{
	struct export_args a = { .socket = NULL };
	struct du_vfio_device vfio;
	struct vd_features f;
	struct vd_wire_buffer *w;
	int fd, status;

	vd_parse(&export_argp, "export", argc, argv, &a);
	if (a.socket && a.dry_run)
		vd_usage("--dry-run and --socket exclude each other");
	if (a.socket) {
		status = export_via_broker(&a);
		vd_bufspec_free(&a.spec);
		return status;
	}
	status = vd_bufspec_validate(&a.spec);
	if (status) {
		vd_bufspec_free(&a.spec);
		return status;
	}
	if (a.dry_run) {
		w = vd_bufspec_describe(&a.spec, -1, -1, NULL);
		vd_bufspec_warn_multi(&a.spec);
		vd_out_begin();
		du_out_open_array("buffers");
		vd_print_wire_buffer(w, -1);
		du_out_close_array();
		free(w);
		vd_bufspec_free(&a.spec);
		return vd_out_end(DU_EXIT_OK);
	}
	fd = vd_bufspec_export_local(&a.spec, &vfio, &f);
	if (fd < 0) {
		vd_bufspec_free(&a.spec);
		return -fd;
	}
	w = vd_bufspec_describe(&a.spec, fd, vfio.fd, &f);
	vd_out_begin();
	du_out_open_array("buffers");
	vd_print_wire_buffer(w, fd);
	du_out_close_array();
	status = vd_out_end(DU_EXIT_OK);
	free(w);
	close(fd);
	du_vfio_close(&vfio);
	vd_bufspec_free(&a.spec);
	return status;
}
