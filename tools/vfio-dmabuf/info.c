// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf info: DMA-BUFs as /proc sees them (like Android's
 * dmabuf_dump): size, exporter, name and reference count from
 * /proc/<pid>/fdinfo, and which processes hold each buffer by fd and which
 * by mapping.  Buffers are told apart by their inode number (fdinfo's ino,
 * the maps inode column).  A BAR mapped through a device fd is backed by
 * a DMA-BUF of the kernel's own that only the mapping holds: it is listed
 * apart (bar_mappings), decoded to device and BAR, not among the buffers.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "maps.h"
#include "proto.h"
#include "target.h"
#include "vfio-dmabuf.h"

struct holder {
	pid_t pid;
	int fd;			/* fd holders */
	uint64_t start, end;	/* map holders */
	char perms[5];
	char comm[16];
};

struct ibuf {
	uint64_t ino;
	bool have_fi;
	struct du_dmabuf_fdinfo fi;
	char map_name[DU_DMABUF_NAME_LEN];	/* from maps, when no fd */
	bool bar;			/* a BAR mapped through a device fd */
	char device[DU_PCI_ADDR_STRLEN];
	char cdev[16];
	int bar_index;
	struct holder *fds;
	size_t nfds, capfds;
	struct holder *maps;
	size_t nmaps, capmaps;
};

/*
 * Buffers by inode: s->v grows geometrically, and an open-addressing hash
 * table (inode -> index + 1) finds one in constant time, so a scan is
 * linear in the fds and mappings it reads.
 */
struct info_state {
	struct ibuf *v;
	size_t n, cap;
	size_t *slot;		/* index + 1, 0 = free */
	size_t nslots;		/* a power of two, > 2 * n */
	pid_t pid;
	char comm[16];
	struct vd_proc_issues issues;
};

static size_t ino_hash(uint64_t ino, size_t nslots)
{
	ino ^= ino >> 33;
	ino *= UINT64_C(0xff51afd7ed558ccd);
	ino ^= ino >> 33;
	return (size_t)ino & (nslots - 1);
}

static void rehash(struct info_state *s)
{
	size_t n = s->nslots ? 2 * s->nslots : 64;

	free(s->slot);
	s->slot = calloc(n, sizeof(*s->slot));
	if (!s->slot)
		du_die(DU_EXIT_FAILURE, "out of memory");
	s->nslots = n;
	for (size_t i = 0; i < s->n; i++) {
		size_t h = ino_hash(s->v[i].ino, n);

		while (s->slot[h])
			h = (h + 1) & (n - 1);
		s->slot[h] = i + 1;
	}
}

static struct ibuf *find_or_add(struct info_state *s, uint64_t ino)
{
	struct ibuf *nv;
	size_t h;

	if (2 * (s->n + 1) > s->nslots)
		rehash(s);
	for (h = ino_hash(ino, s->nslots); s->slot[h];
	     h = (h + 1) & (s->nslots - 1))
		if (s->v[s->slot[h] - 1].ino == ino)
			return &s->v[s->slot[h] - 1];
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		nv = realloc(s->v, s->cap * sizeof(*nv));
		if (!nv)
			du_die(DU_EXIT_FAILURE, "out of memory");
		s->v = nv;
	}
	memset(&s->v[s->n], 0, sizeof(*nv));
	s->v[s->n].ino = ino;
	s->slot[h] = ++s->n;
	return &s->v[s->n - 1];
}

static struct holder *add_holder(struct holder **v, size_t *n, size_t *cap)
{
	struct holder *nv;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		nv = realloc(*v, *cap * sizeof(*nv));
		if (!nv)
			du_die(DU_EXIT_FAILURE, "out of memory");
		*v = nv;
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

static int scan_map(const struct du_maps_entry *e, void *arg)
{
	struct info_state *s = arg;
	struct vd_mapping m;
	struct ibuf *b;
	struct holder *h;

	if (!vd_classify_mapping(e, &m) || !m.is_dmabuf)
		return 0;
	b = find_or_add(s, e->inode);
	if (!b->map_name[0] && m.named)
		snprintf(b->map_name, sizeof(b->map_name), "%s", m.name);
	if (!strcmp(m.kind, "bar")) {
		b->bar = true;
		snprintf(b->device, sizeof(b->device), "%s", m.device);
		snprintf(b->cdev, sizeof(b->cdev), "%s", m.cdev);
		b->bar_index = m.bar;
	}
	h = add_holder(&b->maps, &b->nmaps, &b->capmaps);
	h->pid = s->pid;
	h->start = e->start;
	h->end = e->end;
	memcpy(h->perms, e->perms, sizeof(h->perms));
	memcpy(h->comm, s->comm, sizeof(h->comm));
	return 0;
}

static int scan_pid(pid_t pid, void *arg)
{
	struct info_state *s = arg;
	struct vd_proc_bufs pb;
	struct ibuf *b;
	struct holder *h;
	unsigned int bad;
	size_t i;
	int r;

	s->pid = pid;
	vd_proc_comm(pid, s->comm, sizeof(s->comm));
	r = vd_proc_bufs_read(pid, &pb);
	if (r == -ENOMEM)
		du_die(DU_EXIT_FAILURE, "out of memory");
	if (r < 0)
		vd_proc_issue_unreadable(&s->issues, pid, s->comm, "fd", -r);
	for (i = 0; i < pb.n; i++) {
		b = find_or_add(s, pb.v[i].fi.ino);
		if (!b->have_fi) {
			b->fi = pb.v[i].fi;
			b->have_fi = true;
		}
		h = add_holder(&b->fds, &b->nfds, &b->capfds);
		h->pid = pid;
		h->fd = pb.v[i].fd;
		memcpy(h->comm, s->comm, sizeof(h->comm));
	}
	vd_proc_bufs_free(&pb);
	r = vd_proc_maps_for_each(pid, scan_map, s, &bad);
	if (r < 0)
		vd_proc_issue_unreadable(&s->issues, pid, s->comm, "maps", -r);
	vd_proc_issue_malformed(&s->issues, pid, s->comm, bad);
	return 0;
}

static int cmp_ibuf(const void *a, const void *b)
{
	const struct ibuf *x = a, *y = b;

	return (x->ino > y->ino) - (x->ino < y->ino);
}

/* Listed among bar_mappings: a BAR's DMA-BUF that no fd holds. */
static bool is_bar_mapping(const struct ibuf *b)
{
	return b->bar && !b->nfds;
}

static void print_holders(const struct ibuf *b);

static void print_bar(const struct ibuf *b)
{
	du_out_open_object(NULL);
	du_print_u64(DU_ANY, "inode", "inode %" PRIu64, b->ino);
	du_print_string(DU_ANY, "device", " BAR mapping: device %s",
			b->device);
	du_print_u64(DU_ANY, "bar", " BAR %" PRIu64, (uint64_t)b->bar_index);
	if (b->cdev[0])
		du_print_string(DU_ANY, "cdev", " cdev %s", b->cdev);
	else
		du_print_null(DU_JSON, "cdev", NULL);
	du_print_string(DU_ANY, "name", " name %s", b->map_name);
	du_print_nl();
	print_holders(b);
	du_out_close_object();
}

static void print_ibuf(const struct ibuf *b)
{
	const char *name = b->have_fi ? b->fi.name : b->map_name;
	char sz[DU_SIZE_STRLEN];

	du_out_open_object(NULL);
	du_print_u64(DU_ANY, "inode", "inode %" PRIu64, b->ino);
	if (b->have_fi) {
		du_print_u64(DU_JSON, "size", NULL, b->fi.size);
		du_printf(" size %s", du_format_size(b->fi.size, sz,
						       sizeof(sz)));
		du_print_string(DU_ANY, "exporter", " exporter %s",
				b->fi.exp_name);
		du_print_int(DU_ANY, "count", " count %" PRId64, b->fi.count);
	} else {
		du_print_null(DU_JSON, "size", NULL);
		du_print_null(DU_JSON, "exporter", NULL);
		du_print_null(DU_JSON, "count", NULL);
		du_printf(" (mapped only: size and exporter unknown)");
	}
	if (name[0])
		du_print_string(DU_ANY, "name", " name %s", name);
	else
		du_print_null(DU_JSON, "name", NULL);
	du_print_nl();
	print_holders(b);
	du_out_close_object();
}

static void print_holders(const struct ibuf *b)
{
	size_t i;

	du_out_open_array("fds");
	for (i = 0; i < b->nfds; i++) {
		du_out_open_object(NULL);
		du_print_int(DU_ANY, "pid", "\tfd  pid %" PRId64, b->fds[i].pid);
		du_print_string(DU_ANY, "comm", " (%s)", b->fds[i].comm);
		du_print_int(DU_ANY, "fd", " fd %" PRId64, b->fds[i].fd);
		du_print_nl();
		du_out_close_object();
	}
	du_out_close_array();
	du_out_open_array("mappings");
	for (i = 0; i < b->nmaps; i++) {
		du_out_open_object(NULL);
		du_print_int(DU_ANY, "pid", "\tmap pid %" PRId64,
			     b->maps[i].pid);
		du_print_string(DU_ANY, "comm", " (%s)", b->maps[i].comm);
		du_print_hex_u64(DU_ANY, "start", " %s", b->maps[i].start);
		du_print_hex_u64(DU_ANY, "end", "-%s", b->maps[i].end);
		du_print_string(DU_ANY, "perms", " %s", b->maps[i].perms);
		du_print_nl();
		du_out_close_object();
	}
	du_out_close_array();
}

struct info_args {
	struct vd_target t;
	pid_t pid;
	uint64_t inode;
	bool have_inode;
	bool verbose;
};

static const struct argp_option info_options[] = {
	{ "pid", OPT_PID, "PID", 0,
	  "buffers this process holds (with --fd: whose fd)", 0 },
	{ "inode", OPT_INODE, "INO", 0, "the buffer with this inode number", 0 },
	{ "verbose", 'v', NULL, 0,
	  "name the processes that could not be inspected", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t info_parse(int key, char *arg, struct argp_state *state)
{
	struct info_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->t;
		break;
	case OPT_PID:
		a->pid = vd_arg_pid("--pid", arg);
		break;
	case OPT_INODE:
		if (du_parse_u64(arg, &a->inode) < 0 || !a->inode)
			vd_usage("--inode: '%s' is not an inode number",
				 arg);
		a->have_inode = true;
		break;
	case 'v':
		a->verbose = true;
		break;
	case ARGP_KEY_ARG:
		vd_usage("unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child info_children[] = {
	{ &vd_target_argp, 0, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct argp info_argp = {
	.options = info_options,
	.parser = info_parse,
	.doc = "Describe DMA-BUFs: size, exporter, name and reference count "
	       "(from /proc/PID/fdinfo), and which processes hold each by fd "
	       "and which by mapping.  Without a selection: every DMA-BUF "
	       "found.\v"
	       "Select one buffer with --inode, --fd (of this process, or of "
	       "--pid), or --socket and --id (a broker's buffer); --pid alone "
	       "selects the buffers that process holds.",
	.children = info_children,
};

static bool held_by(const struct ibuf *b, pid_t pid)
{
	size_t i;

	for (i = 0; i < b->nfds; i++)
		if (b->fds[i].pid == pid)
			return true;
	for (i = 0; i < b->nmaps; i++)
		if (b->maps[i].pid == pid)
			return true;
	return false;
}

int cmd_info(int argc, char **argv)
{
	struct info_args a;
	struct info_state s;
	struct du_dmabuf_fdinfo fi;
	struct vd_client c;
	size_t i, shown = 0;
	bool select = false;
	int fd, r, status;

	memset(&a, 0, sizeof(a));
	vd_parse(&info_argp, "info", argc, argv, &a);
	if (a.t.device || a.t.device_fd >= 0 || a.t.bar >= 0)
		vd_usage("--device and --device-fd do not apply to info");
	if ((a.t.have_id || a.t.fd >= 0) + a.have_inode > 1 ||
	    (a.t.have_id && a.t.fd >= 0))
		vd_usage("give one of --inode, --fd, --id");
	if (a.t.socket && !a.t.have_id)
		vd_usage("--socket needs --id");
	if (a.t.have_id && a.pid)
		vd_usage("--id names a broker's buffer: --pid does not apply");

	if (a.t.have_id) {
		status = vd_client_connect(&c, vd_socket_default(a.t.socket));
		if (status)
			return status;
		status = vd_client_get(&c, a.t.id, &fd, NULL);
		vd_client_close(&c);
		if (status)
			return status;
		a.inode = vd_inode(fd);
		close(fd);	/* we are not a holder worth listing */
		select = true;
	} else if (a.t.fd >= 0) {
		pid_t p = a.pid ? a.pid : getpid();

		r = vd_proc_fdinfo(p, a.t.fd, &fi);
		if (r == -ENOENT && !vd_proc_exists(p)) {
			du_err("no process %d (in %s)", (int)p, vd_g.proc_root);
			return DU_EXIT_FAILURE;
		}
		if (r == -ENOENT) {
			du_err("--fd: fd %d of process %d is not open or not a DMA-BUF",
			       a.t.fd, (int)p);
			return DU_EXIT_USAGE;
		}
		if (r == -EINVAL) {
			char why[PATH_MAX + 160];

			vd_proc_fdinfo_diagnose(p, a.t.fd, why, sizeof(why));
			du_err("--fd: fd %d of process %d: %s", a.t.fd, (int)p,
			       why);
			return DU_EXIT_USAGE;
		}
		if (r < 0) {
			du_err("--fd: cannot read the fdinfo of fd %d of process %d: %s",
			       a.t.fd, (int)p, strerror(-r));
			return DU_EXIT_FAILURE;
		}
		if (!fi.ino) {
			du_err("--fd: the fdinfo of fd %d has no inode number (kernel too old)",
			       a.t.fd);
			return DU_EXIT_FAILURE;
		}
		a.inode = fi.ino;
		a.pid = 0;	/* the buffer, not the process, is selected */
		select = true;
	} else if (a.have_inode) {
		select = true;
	} else if (a.pid && !vd_proc_exists(a.pid)) {
		du_err("no process %d (in %s)", (int)a.pid, vd_g.proc_root);
		return DU_EXIT_FAILURE;
	}

	memset(&s, 0, sizeof(s));
	r = vd_proc_for_each_pid(scan_pid, &s);
	if (r < 0) {
		du_err("cannot read %s: %s", vd_g.proc_root, strerror(-r));
		return DU_EXIT_FAILURE;
	}
	if (s.n)
		qsort(s.v, s.n, sizeof(*s.v), cmp_ibuf);
	vd_out_begin();
	du_out_open_array("buffers");
	for (i = 0; i < s.n; i++) {
		if (select && s.v[i].ino != a.inode)
			continue;
		if (!select && a.pid && !held_by(&s.v[i], a.pid))
			continue;
		if (is_bar_mapping(&s.v[i]))
			continue;
		print_ibuf(&s.v[i]);
		shown++;
	}
	du_out_close_array();
	du_out_open_array("bar_mappings");
	for (i = 0; i < s.n; i++) {
		if (select && s.v[i].ino != a.inode)
			continue;
		if (!select && a.pid && !held_by(&s.v[i], a.pid))
			continue;
		if (!is_bar_mapping(&s.v[i]))
			continue;
		print_bar(&s.v[i]);
		shown++;
	}
	du_out_close_array();
	status = DU_EXIT_OK;
	if (select && !shown) {
		du_err("no process holds a DMA-BUF with inode %" PRIu64,
		       a.inode);
		status = DU_EXIT_FAILURE;
	}
	vd_proc_issues_report(&s.issues, a.verbose);
	vd_proc_issues_free(&s.issues);
	for (i = 0; i < s.n; i++) {
		free(s.v[i].fds);
		free(s.v[i].maps);
	}
	free(s.v);
	free(s.slot);
	return vd_out_end(status);
}
