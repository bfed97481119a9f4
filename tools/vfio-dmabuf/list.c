// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf list / stop: ask a broker what it holds, or to stop.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "du/exitcodes.h"
#include "du/output.h"
#include "proto.h"
#include "vfio-dmabuf.h"

int vd_client_list_next(struct vd_client *c, void *reply, size_t *rlen);

struct sock_args {
	const char *socket;
};

static const struct argp_option sock_options[] = {
	{ "socket", OPT_SOCKET, "PATH", 0,
	  "the broker's socket (default $VFIO_DMABUF_SOCKET)", 0 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0,
	  "wait at most SECONDS for the broker at each step (default 5; 0 waits forever)", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t sock_parse(int key, char *arg, struct argp_state *state)
{
	struct sock_args *a = state->input;

	switch (key) {
	case OPT_SOCKET:
		a->socket = arg;
		break;
	case OPT_TIMEOUT:
		vd_client_timeout_ms = vd_arg_seconds("--timeout", arg);
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

static const struct argp list_argp = {
	.options = sock_options,
	.parser = sock_parse,
	.doc = "List the broker and the buffers it holds.",
};

static const struct argp stop_argp = {
	.options = sock_options,
	.parser = sock_parse,
	.doc = "Ask a broker to stop.  It revokes every buffer it exported, "
	       "closes its devices and removes its socket.",
};

static void print_hello(const struct vd_hello *h, const char *path)
{
	unsigned int i;

	du_out_open_object("broker");
	du_print_u64(DU_ANY, "pid", "broker %" PRIu64, h->pid);
	du_print_string(DU_ANY, "socket", " socket %s", path);
	du_print_u64(DU_ANY, "uid", " uid %" PRIu64, h->uid);
	du_print_u64(DU_ANY, "protocol", " protocol %" PRIu64, h->version);
	du_print_nl();
	du_out_open_array("devices");
	for (i = 0; i < h->ndevices && i < VD_MAX_DEVICES; i++) {
		if (!vd_proto_str_ok(h->devices[i].device,
				     sizeof(h->devices[i].device)) ||
		    !vd_proto_str_ok(h->devices[i].cdev,
				     sizeof(h->devices[i].cdev)))
			continue;
		du_out_open_object(NULL);
		du_print_string(DU_ANY, "device", "device %s",
				h->devices[i].device);
		if (h->devices[i].cdev[0])
			du_print_string(DU_ANY, "cdev", " cdev %s",
					h->devices[i].cdev);
		else
			du_print_null(DU_ANY, "cdev", " group");
		du_print_bool(DU_ANY, "revoke", " revoke %s",
			      h->devices[i].features & VD_FEAT_REVOKE);
		du_print_bool(DU_ANY, "memattr", " memattr %s",
			      h->devices[i].features & VD_FEAT_MEMATTR);
		du_print_nl();
		du_out_close_object();
	}
	du_out_close_array();
	du_out_close_object();
}

int cmd_list(int argc, char **argv)
{
	struct sock_args a = { NULL };
	struct vd_client c;
	struct vd_hello hello;
	const struct vd_list *l;
	char *reply;
	size_t rlen;
	uint32_t i, count;
	int status;
	const size_t off = sizeof(struct vd_msg_hdr) + sizeof(struct vd_status);

	vd_parse(&list_argp, "list", argc, argv, &a);
	status = vd_client_connect(&c, vd_socket_default(a.socket));
	if (status)
		return status;
	reply = malloc(VD_MSG_MAX);
	if (!reply)
		du_die(DU_EXIT_FAILURE, "out of memory");
	status = vd_client_call(&c, VD_MSG_HELLO, NULL, 0, reply, &rlen,
				NULL);
	if (status)
		goto out;
	memcpy(&hello, reply + off, sizeof(hello));
	status = vd_client_call(&c, VD_MSG_LIST, NULL, 0, reply, &rlen,
				NULL);
	if (status)
		goto out;
	l = (const void *)(reply + off);
	count = l->count;

	vd_out_begin();
	print_hello(&hello, c.path);
	du_out_open_array("buffers");
	for (i = 0; i < count; i++) {
		status = vd_client_list_next(&c, reply, &rlen);
		if (status)
			break;
		vd_print_wire_buffer((const void *)(reply +
				     sizeof(struct vd_msg_hdr)), -1);
	}
	du_out_close_array();
	status = vd_out_end(status);
out:
	free(reply);
	vd_client_close(&c);
	return status;
}

int cmd_stop(int argc, char **argv)
{
	struct sock_args a = { NULL };
	struct vd_hello hello;
	struct vd_client c;
	char *reply;
	size_t rlen;
	int status;

	vd_parse(&stop_argp, "stop", argc, argv, &a);
	status = vd_client_connect(&c, vd_socket_default(a.socket));
	if (status)
		return status;
	reply = malloc(VD_MSG_MAX);
	if (!reply)
		du_die(DU_EXIT_FAILURE, "out of memory");
	status = vd_client_call(&c, VD_MSG_HELLO, NULL, 0, reply, &rlen, NULL);
	if (status == 0)
		memcpy(&hello, reply + sizeof(struct vd_msg_hdr) +
		       sizeof(struct vd_status), sizeof(hello));
	if (status == 0)
		status = vd_client_call(&c, VD_MSG_SHUTDOWN, NULL, 0, reply,
					&rlen, NULL);
	if (status == 0) {
		/* The broker closes the connection once its buffers are
		 * revoked and its devices closed: wait for that. */
		struct pollfd p = { .fd = c.sock, .events = POLLIN };
		unsigned int ms = vd_client_timeout_ms;
		char secs[24];
		int r;

		/* revoking and closing devices may take a while: at least
		 * 30 s, longer with a longer --timeout, forever with 0 */
		if (ms && ms < 30000)
			ms = 30000;
		do
			r = poll(&p, 1, ms ? (int)ms : -1);
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			vd_format_seconds(ms, secs, sizeof(secs));
			du_err("the broker at %s did not stop within %s s: timed out",
			       c.path, secs);
			status = DU_EXIT_TIMEOUT;
		}
	}
	if (status == 0) {
		vd_out_begin();
		du_out_open_array("stopped");
		du_out_open_object(NULL);
		du_print_u64(DU_ANY, "pid", "stopped broker %" PRIu64, hello.pid);
		du_print_string(DU_ANY, "socket", " on %s", c.path);
		du_print_u64(DU_ANY, "buffers", " (%" PRIu64 " buffers revoked or ended)",
			     hello.nbuffers);
		du_print_nl();
		du_out_close_object();
		du_out_close_array();
		status = vd_out_end(status);
	}
	free(reply);
	vd_client_close(&c);
	return status;
}
