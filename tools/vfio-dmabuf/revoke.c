// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf revoke and memattr: act on an existing buffer through its
 * broker or with its device at hand.
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

#include "du/exitcodes.h"
#include "du/output.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "proto.h"
#include "target.h"
#include "vfio-dmabuf.h"

struct op_args {
	struct vd_target t;
	int memattr;		/* memattr set: the value */
	bool set;
};

static error_t op_parse(int key, char *arg, struct argp_state *state)
{
	struct op_args *a = state->input;
	char buf[64];
	int v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->t;
		a->memattr = -1;
		break;
	case ARGP_KEY_ARG:
		if (!a->set || a->memattr >= 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "unexpected argument '%s'", arg);
		if (du_parse_keyword(arg, du_memattr_keywords, &v) < 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "unknown memory attribute '%s' (expected %s)",
				     arg, du_keyword_list(du_memattr_keywords,
							  buf, sizeof(buf)));
		a->memattr = v;
		break;
	case ARGP_KEY_END:
		if (a->set && a->memattr < 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "missing the memory attribute (nc or wc)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child op_children[] = {
	{ &vd_target_argp, 0, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct argp revoke_argp = {
	.parser = op_parse,
	.doc = "Permanently revoke a buffer (VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE): "
	       "every mapping and import of it stops working and no new one is "
	       "allowed.\v"
	       "Through a broker: --socket PATH --id ID.  With the device at "
	       "hand: --fd FD (the buffer) and --device ADDR or --device-fd FD "
	       "(the device that exported it).",
	.children = op_children,
};

static const struct argp memattr_get_argp = {
	.parser = op_parse,
	.doc = "Show a buffer's memory attribute for future mmaps: nc "
	       "(uncached, the default) or wc (write-combining).",
	.children = op_children,
};

static const struct argp memattr_set_argp = {
	.parser = op_parse,
	.args_doc = "nc|wc",
	.doc = "Set a buffer's memory attribute for future mmaps "
	       "(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR); existing mappings keep "
	       "theirs.",
	.children = op_children,
};

/* Print a buffer known only by fd and device. */
static void print_local(const struct vd_target *t, const char *device,
			bool revoked, int memattr)
{
	vd_out_begin();
	du_out_open_array("buffers");
	du_out_open_object(NULL);
	du_print_null(DU_JSON, "id", NULL);
	du_print_int(DU_ANY, "fd", "fd %" PRId64, t->fd);
	du_print_string(DU_ANY, "device", " device %s", device);
	du_print_u64(DU_ANY, "inode", " inode %" PRIu64, vd_inode(t->fd));
	if (memattr >= 0)
		du_print_string(DU_ANY, "memattr", " memattr %s",
				vd_memattr_name((uint32_t)memattr));
	du_print_bool(DU_JSON, "revoked", NULL, revoked);
	if (revoked)
		du_printf(" revoked");
	du_print_nl();
	du_out_close_object();
	du_out_close_array();
}

static int via_broker(struct op_args *a, uint16_t type)
{
	struct vd_client c;
	struct vd_memattr_req mreq = { .id = a->t.id };
	struct vd_id_req ireq = { .id = a->t.id };
	char *reply;
	size_t rlen;
	int status;

	status = vd_client_connect(&c, vd_socket_default(a->t.socket));
	if (status)
		return status;
	reply = malloc(VD_MSG_MAX);
	if (!reply)
		du_die(DU_EXIT_FAILURE, "out of memory");
	if (type == VD_MSG_MEMATTR_SET) {
		mreq.memattr = (uint32_t)a->memattr;
		status = vd_client_call(&c, type, &mreq, sizeof(mreq), reply,
					&rlen, NULL);
	} else {
		status = vd_client_call(&c, type, &ireq, sizeof(ireq), reply,
					&rlen, NULL);
	}
	if (status == 0) {
		vd_out_begin();
		du_out_open_array("buffers");
		vd_print_wire_buffer((const void *)(reply +
				     sizeof(struct vd_msg_hdr) +
				     sizeof(struct vd_status)), -1);
		du_out_close_array();
		status = vd_out_end(DU_EXIT_OK);
	}
	free(reply);
	vd_client_close(&c);
	return status;
}

static int run_op(struct op_args *a, uint16_t type)
{
	struct du_vfio_device vfio;
	struct vd_features f;
	const char *what;
	uint32_t v = 0;
	int status, err;

	vd_target_check(&a->t, VD_TARGET_FD | VD_TARGET_NEED_DEVICE);
	if (a->t.have_id)
		return via_broker(a, type);

	status = vd_target_check_fd(&a->t);
	if (status)
		return status;
	status = vd_target_open_device(&a->t, &vfio, &f, &what);
	if (status)
		return status;
	if (type == VD_MSG_REVOKE && !f.revoke) {
		du_err("the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE (%s)",
		       strerror(f.revoke_err));
		status = DU_EXIT_NOTSUPP;
		goto out;
	}
	if (type != VD_MSG_REVOKE && !f.memattr) {
		du_err("the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (%s)",
		       strerror(f.memattr_err));
		status = DU_EXIT_NOTSUPP;
		goto out;
	}
	switch (type) {
	case VD_MSG_REVOKE:
		err = du_vfio_dmabuf_revoke(a->t.devfd, a->t.fd);
		break;
	case VD_MSG_MEMATTR_SET:
		err = du_vfio_dmabuf_memattr_set(a->t.devfd, a->t.fd,
						 (uint32_t)a->memattr);
		if (!err)
			err = du_vfio_dmabuf_memattr_get(a->t.devfd, a->t.fd,
							 &v);
		break;
	default:
		err = du_vfio_dmabuf_memattr_get(a->t.devfd, a->t.fd, &v);
		break;
	}
	if (err < 0) {
		enum du_vfio_op op = type == VD_MSG_REVOKE ?
			DU_VFIO_OP_REVOKE : DU_VFIO_OP_MEMATTR;

		du_err("fd %d through %s: %s", a->t.fd, what,
		       du_vfio_strerror(op, err));
		status = du_vfio_exit_code(op, err);
		goto out;
	}
	print_local(&a->t, a->t.device_fd >= 0 ? what : a->t.pci.bdf,
		    type == VD_MSG_REVOKE, type == VD_MSG_REVOKE ? -1 : (int)v);
	status = vd_out_end(DU_EXIT_OK);
out:
	if (a->t.device_fd < 0)
		du_vfio_close(&vfio);
	return status;
}

int cmd_revoke(int argc, char **argv)
{
	struct op_args a;

	memset(&a, 0, sizeof(a));
	vd_parse(&revoke_argp, "revoke", argc, argv, &a);
	return run_op(&a, VD_MSG_REVOKE);
}

static int cmd_memattr_get(int argc, char **argv)
{
	struct op_args a;

	memset(&a, 0, sizeof(a));
	vd_parse(&memattr_get_argp, "memattr get", argc, argv, &a);
	return run_op(&a, VD_MSG_MEMATTR_GET);
}

static int cmd_memattr_set(int argc, char **argv)
{
	struct op_args a;

	memset(&a, 0, sizeof(a));
	a.set = true;
	vd_parse(&memattr_set_argp, "memattr set", argc, argv, &a);
	return run_op(&a, VD_MSG_MEMATTR_SET);
}

static const struct vd_cmd memattr_cmds[] = {
	{ "get", cmd_memattr_get, "show a buffer's memory attribute" },
	{ "set", cmd_memattr_set, "set it: nc or wc (future mmaps)" },
	{ "help", NULL, "show this list" },
	{ NULL, NULL, NULL },
};

int cmd_memattr(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		char *av[] = { (char *)"help" };

		return vd_dispatch("vfio-dmabuf memattr", memattr_cmds, 1, av);
	}
	return vd_dispatch("vfio-dmabuf memattr", memattr_cmds, argc - 1,
			   argv + 1);
}
