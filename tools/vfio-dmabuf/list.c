// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf list / stop: ask a broker what it holds, or to stop.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "du/exitcodes.h"
#include "du/output.h"
#include "du/table.h"
#include "maps.h"
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

/* ---- list: the broker's buffers as a table ---------------------------- */

enum {
	LC_ID, LC_DEVICE, LC_BAR, LC_SIZE, LC_NAME, LC_MEMATTR, LC_REVOKED,
	LC_INODE, LC_FD, LC_HANDED_OUT, LC_RANGES, LC_N
};

/* The JSON keys and order of a broker buffer ("buffers" in
 * vfio-dmabuf(1)), as vd_print_wire_buffer() writes them. */
static const struct du_column list_cols[LC_N] = {
	[LC_ID] = { "ID", "id", DU_COL_U64, DU_COL_DEFAULT | DU_COL_RIGHT,
		    "the broker's buffer id" },
	[LC_DEVICE] = { "DEVICE", "device", DU_COL_STR, DU_COL_DEFAULT,
			"PCI address of the exporting device" },
	[LC_BAR] = { "BAR", "bar", DU_COL_U64, DU_COL_DEFAULT | DU_COL_RIGHT,
		     "BAR index" },
	[LC_SIZE] = { "SIZE", "size", DU_COL_SIZE,
		      DU_COL_DEFAULT | DU_COL_RIGHT,
		      "size of the buffer (bytes with --bytes)" },
	[LC_NAME] = { "NAME", "name", DU_COL_STR, DU_COL_DEFAULT,
		      "DMA-BUF name (null: unnamed)" },
	[LC_MEMATTR] = { "MEMATTR", "memattr", DU_COL_STR, DU_COL_DEFAULT,
			 "memory attribute nc or wc (null: the default)" },
	[LC_REVOKED] = { "REVOKED", "revoked", DU_COL_BOOL, DU_COL_DEFAULT,
			 "revoked for good" },
	[LC_INODE] = { "INODE", "inode", DU_COL_U64,
		       DU_COL_DEFAULT | DU_COL_RIGHT,
		       "inode number of the DMA-BUF" },
	[LC_FD] = { "FD", "fd", DU_COL_INT, DU_COL_RIGHT,
		    "fd of the buffer here (always null in list)" },
	[LC_HANDED_OUT] = { "HANDED-OUT", "handed_out", DU_COL_U64,
			    DU_COL_DEFAULT | DU_COL_RIGHT | DU_COL_OMIT_NULL,
			    "fds given to clients so far" },
	[LC_RANGES] = { "RANGES", "ranges", DU_COL_NESTED, DU_COL_DEFAULT,
			"the BAR ranges OFFSET:LENGTH (JSON: [{offset, length}])" },
};

struct list_args {
	struct sock_args sock;
	struct du_pci_addr *addrs;
	size_t naddrs;
	const char **names;
	size_t nnames;
	struct du_table_opts topts;
};

static const struct argp_option list_options[] = {
	{ "device", OPT_DEVICE, "ADDR", 0,
	  "only buffers of this device (repeat for more)", 0 },
	{ "name", OPT_NAME, "PATTERN", 0,
	  "only buffers whose name matches this glob (repeat for more)", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t list_parse(int key, char *arg, struct argp_state *state)
{
	struct list_args *a = state->input;
	struct du_pci_addr addr;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->sock;
		state->child_inputs[1] = &a->topts;
		break;
	case OPT_DEVICE:
		if (du_parse_pci_addr(arg, &addr) < 0)
			vd_usage("--device: invalid PCI address '%s' (expected DDDD:BB:DD.F or BB:DD.F)",
				 arg);
		a->addrs = vd_grow_filter(a->addrs, a->naddrs, sizeof(*a->addrs));
		a->addrs[a->naddrs++] = addr;
		break;
	case OPT_NAME:
		vd_check_name_pattern("--name", arg);
		a->names = vd_grow_filter(a->names, a->nnames, sizeof(*a->names));
		a->names[a->nnames++] = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp sock_argp = {
	.options = sock_options,
	.parser = sock_parse,
};

static const struct argp_child list_children[] = {
	{ &sock_argp, 0, NULL, 0 },
	{ &du_table_argp, 0, "Output:", 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct argp list_argp = {
	.options = list_options,
	.parser = list_parse,
	.children = list_children,
	.doc = "List the broker and the buffers it holds.\v"
	       "Filters of different kinds must all match; repeated filters of "
	       "one kind match any of their values.  --list-columns names the "
	       "columns for -o.",
};

static bool list_wanted(const struct list_args *a,
			const struct vd_wire_buffer *b)
{
	struct du_pci_addr x;
	size_t i;

	if (a->naddrs) {
		if (du_parse_pci_addr(b->device, &x) < 0)
			return false;
		for (i = 0; i < a->naddrs; i++)
			if (du_pci_addr_equal(&x, &a->addrs[i]))
				break;
		if (i == a->naddrs)
			return false;
	}
	return vd_name_matches(a->names, a->nnames,
			       b->name[0] ? b->name : NULL);
}

struct ranges_data {
	uint32_t n;
	struct vd_wire_range r[VD_MAX_RANGES];
};

static void ranges_json(const char *key, const void *data)
{
	const struct ranges_data *d = data;

	du_out_open_array(key);
	for (uint32_t i = 0; i < d->n; i++) {
		du_out_open_object(NULL);
		du_print_u64(DU_JSON, "offset", NULL, d->r[i].offset);
		du_print_u64(DU_JSON, "length", NULL, d->r[i].length);
		du_out_close_object();
	}
	du_out_close_array();
}

static void list_row(struct du_table *t, const struct vd_wire_buffer *b)
{
	struct du_row *r = du_table_new_row(t);
	struct ranges_data d;
	char text[VD_MAX_RANGES * 2 * DU_SIZE_STRLEN + VD_MAX_RANGES];
	char o[DU_SIZE_STRLEN], l[DU_SIZE_STRLEN];
	size_t len = 0;

	if (b->id)
		du_row_set_u64(r, LC_ID, b->id);
	du_row_set_str(r, LC_DEVICE, b->device);
	du_row_set_u64(r, LC_BAR, b->bar);
	du_row_set_u64(r, LC_SIZE, b->size);
	du_row_set_str(r, LC_NAME, b->name[0] ? b->name : NULL);
	if (b->memattr != VD_MEMATTR_DEFAULT)
		du_row_set_str(r, LC_MEMATTR, vd_memattr_name(b->memattr));
	du_row_set_bool(r, LC_REVOKED, b->flags & VD_BUF_REVOKED);
	if (b->inode)
		du_row_set_u64(r, LC_INODE, b->inode);
	if (b->id)
		du_row_set_u64(r, LC_HANDED_OUT, b->handed_out);
	memset(&d, 0, sizeof(d));
	d.n = b->nranges < VD_MAX_RANGES ? b->nranges : VD_MAX_RANGES;
	text[0] = '\0';
	for (uint32_t i = 0; i < d.n; i++) {
		d.r[i] = b->ranges[i];
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s%s:%s", i ? "," : "",
					du_format_size(d.r[i].offset, o, sizeof(o)),
					du_format_size(d.r[i].length, l, sizeof(l)));
		if (len >= sizeof(text))
			len = sizeof(text) - 1;
	}
	du_row_set_nested(r, LC_RANGES, d.n ? text : NULL, ranges_json, &d,
			  sizeof(d));
}

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
	struct list_args a;
	struct vd_client c;
	struct vd_hello hello;
	const struct vd_list *l;
	struct du_table *t;
	char *reply;
	size_t rlen;
	uint32_t i, count;
	int status;
	const size_t off = sizeof(struct vd_msg_hdr) + sizeof(struct vd_status);

	memset(&a, 0, sizeof(a));
	vd_parse(&list_argp, "list", argc, argv, &a);
	t = vd_table_start(list_cols, LC_N, &a.topts, &status);
	if (!t)
		goto free_args;
	status = vd_client_connect(&c, vd_socket_default(a.sock.socket));
	if (status)
		goto free_table;
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
	for (i = 0; i < count; i++) {
		const struct vd_wire_buffer *b;

		status = vd_client_list_next(&c, reply, &rlen);
		if (status)
			break;
		b = (const void *)(reply + sizeof(struct vd_msg_hdr));
		if (list_wanted(&a, b))
			list_row(t, b);
	}
	if (du_table_print(t, "buffers") < 0 && !status)
		status = DU_EXIT_FAILURE;
	status = vd_out_end(status);
out:
	free(reply);
	vd_client_close(&c);
free_table:
	du_table_free(t);
free_args:
	free(a.addrs);
	free(a.names);
	du_table_opts_free(&a.topts);
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
