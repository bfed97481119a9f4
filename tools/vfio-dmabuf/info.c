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
#include "du/table.h"
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

/* ---- the columns ------------------------------------------------------ */

/*
 * One column table for both arrays of info: "buffers" rows leave DEVICE,
 * BAR and CDEV out of their JSON (absent), "bar_mappings" rows SIZE,
 * EXPORTER and COUNT, so that each keeps its documented keys and order.
 * Text mode shows both kinds in one table (KIND tells them apart).
 */
enum {
	IC_INODE, IC_KIND, IC_SIZE, IC_EXPORTER, IC_COUNT, IC_DEVICE, IC_BAR,
	IC_CDEV, IC_NAME, IC_FDS, IC_MAPPINGS, IC_N
};

static const struct du_column info_cols[IC_N] = {
	[IC_INODE] = { "INODE", "inode", DU_COL_U64,
		       DU_COL_DEFAULT | DU_COL_RIGHT,
		       "inode number of the DMA-BUF" },
	[IC_KIND] = { "KIND", NULL, DU_COL_STR, DU_COL_DEFAULT,
		      "buffer or bar (text only: JSON has two arrays)" },
	[IC_SIZE] = { "SIZE", "size", DU_COL_SIZE,
		      DU_COL_DEFAULT | DU_COL_RIGHT,
		      "size from fdinfo (buffers; bytes with --bytes)" },
	[IC_EXPORTER] = { "EXPORTER", "exporter", DU_COL_STR, DU_COL_DEFAULT,
			  "exporter from fdinfo (buffers)" },
	[IC_COUNT] = { "COUNT", "count", DU_COL_INT,
		       DU_COL_DEFAULT | DU_COL_RIGHT,
		       "reference count from fdinfo (buffers)" },
	[IC_DEVICE] = { "DEVICE", "device", DU_COL_STR, DU_COL_DEFAULT,
			"PCI address (BAR mappings)" },
	[IC_BAR] = { "BAR", "bar", DU_COL_U64, DU_COL_DEFAULT | DU_COL_RIGHT,
		     "BAR index (BAR mappings)" },
	[IC_CDEV] = { "CDEV", "cdev", DU_COL_STR, DU_COL_DEFAULT,
		      "VFIO cdev (BAR mappings)" },
	[IC_NAME] = { "NAME", "name", DU_COL_STR, DU_COL_DEFAULT,
		      "DMA-BUF name" },
	[IC_FDS] = { "FDS", "fds", DU_COL_NESTED, DU_COL_DEFAULT,
		     "holders by fd: COMMAND[PID]:FD (JSON: [{pid, comm, fd}])" },
	[IC_MAPPINGS] = { "MAPPINGS", "mappings", DU_COL_NESTED,
			  DU_COL_DEFAULT,
			  "holders by mapping: COMMAND[PID] (JSON: [{pid, comm, start, end, perms}])" },
};

struct holders_data {
	size_t n;
	struct holder h[];
};

static void fds_json(const char *key, const void *data)
{
	const struct holders_data *d = data;

	du_out_open_array(key);
	for (size_t i = 0; i < d->n; i++) {
		du_out_open_object(NULL);
		du_print_int(DU_JSON, "pid", NULL, d->h[i].pid);
		du_print_string(DU_JSON, "comm", NULL, d->h[i].comm);
		du_print_int(DU_JSON, "fd", NULL, d->h[i].fd);
		du_out_close_object();
	}
	du_out_close_array();
}

static void maps_json(const char *key, const void *data)
{
	const struct holders_data *d = data;

	du_out_open_array(key);
	for (size_t i = 0; i < d->n; i++) {
		du_out_open_object(NULL);
		du_print_int(DU_JSON, "pid", NULL, d->h[i].pid);
		du_print_string(DU_JSON, "comm", NULL, d->h[i].comm);
		du_print_hex_u64(DU_JSON, "start", NULL, d->h[i].start);
		du_print_hex_u64(DU_JSON, "end", NULL, d->h[i].end);
		du_print_string(DU_JSON, "perms", NULL, d->h[i].perms);
		du_out_close_object();
	}
	du_out_close_array();
}

/* A nested holders cell: "comm[pid]:fd ..." or "comm[pid] ..." in text. */
static void set_holders(struct du_row *r, size_t col, const struct holder *h,
			size_t n, bool fds)
{
	struct holders_data *d;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	d = malloc(sizeof(*d) + n * sizeof(*h));
	f = open_memstream(&text, &len);
	if (!d || !f)
		du_die(DU_EXIT_FAILURE, "out of memory");
	d->n = n;
	if (n)
		memcpy(d->h, h, n * sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%s[%d]", i ? " " : "", h[i].comm, (int)h[i].pid);
		if (fds)
			fprintf(f, ":%d", h[i].fd);
	}
	if (fclose(f))
		du_die(DU_EXIT_FAILURE, "out of memory");
	du_row_set_nested(r, col, n ? text : NULL, fds ? fds_json : maps_json,
			  d, sizeof(*d) + n * sizeof(*h));
	free(text);
	free(d);
}

static void add_bar(struct du_table *t, const struct ibuf *b)
{
	struct du_row *r = du_table_new_row(t);

	du_row_set_u64(r, IC_INODE, b->ino);
	du_row_set_str(r, IC_KIND, "bar");
	du_row_set_absent(r, IC_SIZE);
	du_row_set_absent(r, IC_EXPORTER);
	du_row_set_absent(r, IC_COUNT);
	du_row_set_str(r, IC_DEVICE, b->device);
	du_row_set_u64(r, IC_BAR, (uint64_t)b->bar_index);
	du_row_set_str(r, IC_CDEV, b->cdev[0] ? b->cdev : NULL);
	du_row_set_str(r, IC_NAME, b->map_name);
	set_holders(r, IC_FDS, b->fds, b->nfds, true);
	set_holders(r, IC_MAPPINGS, b->maps, b->nmaps, false);
}

static void add_ibuf(struct du_table *t, const struct ibuf *b)
{
	const char *name = b->have_fi ? b->fi.name : b->map_name;
	struct du_row *r = du_table_new_row(t);

	du_row_set_u64(r, IC_INODE, b->ino);
	du_row_set_str(r, IC_KIND, "buffer");
	if (b->have_fi) {
		du_row_set_u64(r, IC_SIZE, b->fi.size);
		du_row_set_str(r, IC_EXPORTER, b->fi.exp_name);
		du_row_set_int(r, IC_COUNT, b->fi.count);
	}
	du_row_set_absent(r, IC_DEVICE);
	du_row_set_absent(r, IC_BAR);
	du_row_set_absent(r, IC_CDEV);
	du_row_set_str(r, IC_NAME, name[0] ? name : NULL);
	set_holders(r, IC_FDS, b->fds, b->nfds, true);
	set_holders(r, IC_MAPPINGS, b->maps, b->nmaps, false);
}

static const char *ibuf_name(const struct ibuf *b)
{
	const char *name = is_bar_mapping(b) || !b->have_fi ? b->map_name :
			   b->fi.name;

	return name[0] ? name : NULL;
}

struct info_args {
	struct vd_target t;
	pid_t pid;
	uint64_t inode;
	bool have_inode;
	bool verbose;
	const char **names;
	size_t nnames;
	struct du_table_opts topts;
};

static const struct argp_option info_options[] = {
	{ "pid", OPT_PID, "PID", 0,
	  "buffers this process holds (with --fd: whose fd)", 0 },
	{ "inode", OPT_INODE, "INO", 0, "the buffer with this inode number", 0 },
	{ "name", OPT_NAME, "PATTERN", 0,
	  "only buffers whose name matches this glob (repeat for more)", 0 },
	{ "verbose", 'v', NULL, 0,
	  "name the processes that could not be inspected", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t info_parse(int key, char *arg, struct argp_state *state)
{
	struct info_args *a = state->input;
	const char **names;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->t;
		state->child_inputs[1] = &a->topts;
		break;
	case OPT_NAME:
		vd_check_name_pattern("--name", arg);
		names = realloc(a->names, (a->nnames + 1) * sizeof(*names));
		if (!names)
			du_die(DU_EXIT_FAILURE, "out of memory");
		names[a->nnames++] = arg;
		a->names = names;
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
	{ &vd_target_select_argp, 0, NULL, 0 },
	{ &du_table_argp, 0, "Output:", 0 },
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
	       "selects the buffers that process holds; --name keeps the "
	       "buffers whose name matches.  --list-columns names the columns "
	       "for -o.",
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

static int info_run(struct info_args *ap, struct du_table *t)
{
	struct info_args a = *ap;
	struct info_state s;
	struct du_dmabuf_fdinfo fi;
	struct vd_client c;
	size_t i, shown = 0;
	bool select = false;
	struct du_table *bars = NULL;
	char msg[200];
	int fd, r, status;

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
	status = DU_EXIT_OK;
	vd_out_begin();
	for (i = 0; i < s.n; i++) {
		if (select && s.v[i].ino != a.inode)
			continue;
		if (!select && a.pid && !held_by(&s.v[i], a.pid))
			continue;
		if (!vd_name_matches(a.names, a.nnames, ibuf_name(&s.v[i])))
			continue;
		if (is_bar_mapping(&s.v[i]))
			continue;
		add_ibuf(t, &s.v[i]);
		shown++;
	}
	/* text: one table, the BAR mappings after the buffers */
	if (du_out_is_json()) {
		if (du_table_print(t, "buffers") < 0)
			status = DU_EXIT_FAILURE;
		bars = du_table_new(info_cols, IC_N, &a.topts, msg,
				    sizeof(msg));
		if (!bars)
			du_die(DU_EXIT_FAILURE, "%s", msg);
	}
	for (i = 0; i < s.n; i++) {
		if (select && s.v[i].ino != a.inode)
			continue;
		if (!select && a.pid && !held_by(&s.v[i], a.pid))
			continue;
		if (!vd_name_matches(a.names, a.nnames, ibuf_name(&s.v[i])))
			continue;
		if (!is_bar_mapping(&s.v[i]))
			continue;
		add_bar(bars ? bars : t, &s.v[i]);
		shown++;
	}
	if (du_table_print(bars ? bars : t, "bar_mappings") < 0)
		status = DU_EXIT_FAILURE;
	du_table_free(bars);
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

int cmd_info(int argc, char **argv)
{
	struct info_args a;
	struct du_table *t;
	int status;

	memset(&a, 0, sizeof(a));
	vd_parse(&info_argp, "info", argc, argv, &a);
	t = vd_table_start(info_cols, IC_N, &a.topts, &status);
	if (t) {
		status = info_run(&a, t);
		du_table_free(t);
	}
	free(a.names);
	du_table_opts_free(&a.topts);
	return status;
}
