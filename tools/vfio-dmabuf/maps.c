// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf maps: the VFIO DMA-BUF and BAR mappings of one process or of
 * all, from /proc/<pid>/maps, with names decoded into device, BAR, offset.
 *
 * What a line can be:
 *   /dmabuf:vfio0:0000:00:03.0/2   a BAR mapped through the device fd
 *                                  (DMA-BUF backed, with the series)
 *   /dmabuf:NAME, /dmabuf:         an exported buffer (named or not)
 *   /dev/vfio/devices/vfio0        a BAR mapped through the device fd on
 *   anon_inode:[vfio-device]       a kernel without the series (cdev or
 *                                  group); the BAR is in the offset's top
 *                                  bits (VFIO_PCI_OFFSET_SHIFT, 40)
 *
 * offset is the mapping's offset in its file: in the buffer for exported
 * buffers, in the BAR for device-fd mappings without the series.  With the
 * series a BAR mapping is a buffer covering exactly the mapped span (its
 * offset is 0), so where in the BAR it starts is not in /proc: bar_offset
 * is then unknown.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/errname.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "du/table.h"
#include "maps.h"
#include "vfio-dmabuf.h"

#define VFIO_OFFSET_SHIFT 40
#define VFIO_CDEV_PREFIX "/dev/vfio/devices/"
#define VFIO_ANON "anon_inode:[vfio-device]"

/* ---- DMA-BUF fds of a process (to name exporters) ---------------------- */

static int collect_fd(pid_t pid, int fd, const char *link, void *arg)
{
	struct vd_proc_bufs *pb = arg;
	struct du_dmabuf_name n;
	struct du_dmabuf_fdinfo fi;
	struct vd_proc_buf *nb;

	if (du_dmabuf_decode_path(link, &n) != 1)
		return 0;
	if (vd_proc_fdinfo(pid, fd, &fi) < 0)
		return 0;
	if (pb->n == pb->cap) {
		pb->cap = pb->cap ? 2 * pb->cap : 16;
		nb = realloc(pb->v, pb->cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		pb->v = nb;
	}
	pb->v[pb->n].fd = fd;
	pb->v[pb->n].fi = fi;
	pb->n++;
	return 0;
}

static int cmp_buf_ino(const void *a, const void *b)
{
	const struct vd_proc_buf *x = a, *y = b;

	if (x->fi.ino != y->fi.ino)
		return (x->fi.ino > y->fi.ino) - (x->fi.ino < y->fi.ino);
	return (x->fd > y->fd) - (x->fd < y->fd);
}

int vd_proc_bufs_read(pid_t pid, struct vd_proc_bufs *pb)
{
	int r;

	memset(pb, 0, sizeof(*pb));
	r = vd_proc_fd_for_each(pid, collect_fd, pb);
	if (pb->n > 1)
		qsort(pb->v, pb->n, sizeof(*pb->v), cmp_buf_ino);
	return r;
}

/* The lowest fd holding ino (the array is sorted by inode, then fd). */
const struct vd_proc_buf *vd_proc_bufs_find(const struct vd_proc_bufs *pb,
					    uint64_t ino)
{
	size_t lo = 0, hi = pb->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pb->v[mid].fi.ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pb->n && pb->v[lo].fi.ino == ino ? &pb->v[lo] : NULL;
}

void vd_proc_bufs_free(struct vd_proc_bufs *pb)
{
	free(pb->v);
	memset(pb, 0, sizeof(*pb));
}

/* ---- what could not be seen ------------------------------------------- */

static struct vd_proc_issue *issue_add(struct vd_proc_issue **v, size_t *n,
				       size_t *cap, pid_t pid,
				       const char *comm)
{
	struct vd_proc_issue *nv;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		nv = realloc(*v, *cap * sizeof(*nv));
		if (!nv)
			du_die(DU_EXIT_FAILURE, "out of memory");
		*v = nv;
	}
	nv = &(*v)[(*n)++];
	memset(nv, 0, sizeof(*nv));
	nv->pid = pid;
	snprintf(nv->comm, sizeof(nv->comm), "%s", comm);
	return nv;
}

bool vd_proc_issue_unreadable(struct vd_proc_issues *is, pid_t pid,
			      const char *comm, const char *file, int err)
{
	struct vd_proc_issue *x;

	if (err == ENOENT || err == ESRCH)
		return false;	/* exited meanwhile: nothing to see */
	if (is->n_uninspected && is->uninspected[is->n_uninspected - 1].pid == pid)
		return true;	/* one entry per process */
	x = issue_add(&is->uninspected, &is->n_uninspected,
		      &is->cap_uninspected, pid, comm);
	snprintf(x->file, sizeof(x->file), "%s", file);
	x->err = err;
	return true;
}

void vd_proc_issue_malformed(struct vd_proc_issues *is, pid_t pid,
			     const char *comm, unsigned int lines)
{
	char safe[256];

	if (!lines)
		return;
	issue_add(&is->malformed, &is->n_malformed, &is->cap_malformed, pid,
		  comm)->lines = lines;
	du_warn("process %d (%s): %u malformed line%s in %s/%d/maps skipped",
		(int)pid, du_text_safe(comm, safe, sizeof(safe)), lines,
		lines == 1 ? "" : "s", vd_g.proc_root, (int)pid);
}

void vd_proc_issues_report(const struct vd_proc_issues *is, bool verbose)
{
	char safe[256];
	size_t i, denied = 0;

	du_out_open_array("uninspected");
	for (i = 0; i < is->n_uninspected; i++) {
		const struct vd_proc_issue *x = &is->uninspected[i];
		char file[64];

		snprintf(file, sizeof(file), "%d/%s", (int)x->pid, x->file);
		du_out_open_object(NULL);
		du_print_int(DU_JSON, "pid", NULL, x->pid);
		du_print_string(DU_JSON, "comm", NULL, x->comm);
		du_print_string(DU_JSON, "file", NULL, file);
		du_print_int(DU_JSON, "errno", NULL, x->err);
		du_print_string(DU_JSON, "error", NULL, du_errno_name(x->err));
		du_out_close_object();
		if (x->err == EACCES || x->err == EPERM)
			denied++;
	}
	du_out_close_array();
	du_out_open_array("malformed");
	for (i = 0; i < is->n_malformed; i++) {
		du_out_open_object(NULL);
		du_print_int(DU_JSON, "pid", NULL, is->malformed[i].pid);
		du_print_string(DU_JSON, "comm", NULL, is->malformed[i].comm);
		du_print_u64(DU_JSON, "lines", NULL, is->malformed[i].lines);
		du_out_close_object();
	}
	du_out_close_array();
	if (!is->n_uninspected)
		return;
	{
		const char *why = denied < is->n_uninspected ? "" :
				  geteuid() ? "permission denied: run as root" :
				  "permission denied";

		du_warn("%zu process%s could not be inspected%s%s%s%s%s",
			is->n_uninspected,
			is->n_uninspected == 1 ? "" : "es",
			*why || !verbose ? " (" : "", why,
			*why && !verbose ? "; " : "",
			verbose ? "" : "-v names them",
			*why || !verbose ? ")" : "");
	}
	if (!verbose)
		return;
	for (i = 0; i < is->n_uninspected; i++) {
		const struct vd_proc_issue *x = &is->uninspected[i];

		du_warn("process %d (%s): cannot read %s/%d/%s: %s",
			(int)x->pid,
			du_text_safe(x->comm, safe, sizeof(safe)),
			vd_g.proc_root, (int)x->pid, x->file,
			strerror(x->err));
	}
}

void vd_proc_issues_free(struct vd_proc_issues *is)
{
	free(is->uninspected);
	free(is->malformed);
	memset(is, 0, sizeof(*is));
}

/* ---- classification --------------------------------------------------- */

int vd_classify_mapping(const struct du_maps_entry *e, struct vd_mapping *m)
{
	struct du_dmabuf_name n;
	const char *cdev;
	int r;

	memset(m, 0, sizeof(*m));
	m->bar = -1;
	r = du_dmabuf_decode_path(e->path, &n);
	if (r == 1) {
		m->is_dmabuf = true;
		snprintf(m->name, sizeof(m->name), "%s", n.name);
		m->named = n.kind != DU_DMABUF_UNNAMED;
		if (n.kind == DU_DMABUF_VFIO_BAR) {
			m->kind = "bar";
			snprintf(m->cdev, sizeof(m->cdev), "%s", n.cdev);
			du_pci_addr_format(&n.addr, m->device,
					   sizeof(m->device));
			m->bar = (int)n.bar;
			m->offset = e->offset;
			if (e->offset >> VFIO_OFFSET_SHIFT) {
				/* a kernel keeping the region encoding */
				m->offset = e->offset &
					((1ull << VFIO_OFFSET_SHIFT) - 1);
				m->have_bar_offset = true;
				m->bar_offset = m->offset;
			}
		} else {
			m->kind = "buffer";
			m->offset = e->offset;
		}
		return 1;
	}
	if (r < 0)
		return 0;
	if (strncmp(e->path, VFIO_CDEV_PREFIX, strlen(VFIO_CDEV_PREFIX)) == 0) {
		cdev = e->path + strlen(VFIO_CDEV_PREFIX);
		snprintf(m->cdev, sizeof(m->cdev), "%.*s",
			 (int)strcspn(cdev, " "), cdev);
		if (vd_vfio_cdev_to_pci(m->cdev, m->device,
					sizeof(m->device)) < 0)
			m->device[0] = '\0';
	} else if (strcmp(e->path, VFIO_ANON) != 0) {
		return 0;
	}
	m->kind = "device";
	m->bar = (int)(e->offset >> VFIO_OFFSET_SHIFT);
	m->offset = e->offset & ((1ull << VFIO_OFFSET_SHIFT) - 1);
	m->have_bar_offset = true;
	m->bar_offset = m->offset;
	return 1;
}

/* ---- the command ------------------------------------------------------ */

/* A DMA-BUF name has at most 31 bytes; a glob for it needs no more than
 * a few times that. */
#define VD_NAME_PATTERN_MAX 255

/* The columns of maps: the JSON keys and their order are the documented
 * schema of "mappings" (vfio-dmabuf(1)); the default text columns are the
 * ones maps always printed. */
enum {
	MC_PID, MC_COMM, MC_START, MC_END, MC_ADDRESS, MC_SIZE, MC_PERMS,
	MC_KIND, MC_DEVICE, MC_CDEV, MC_BAR, MC_OFFSET, MC_BAR_OFFSET,
	MC_INODE, MC_NAME, MC_EXPORTER, MC_N
};

static const struct du_column maps_cols[MC_N] = {
	[MC_PID] = { "PID", "pid", DU_COL_INT, DU_COL_DEFAULT,
		     "process id" },
	[MC_COMM] = { "COMMAND", "comm", DU_COL_STR, DU_COL_DEFAULT,
		      "process name (comm)" },
	[MC_START] = { "START", "start", DU_COL_ADDR, 0,
		       "start address of the mapping" },
	[MC_END] = { "END", "end", DU_COL_ADDR, 0,
		     "end address of the mapping (exclusive)" },
	[MC_ADDRESS] = { "ADDRESS", NULL, DU_COL_STR, DU_COL_DEFAULT,
			 "START-END (text only; JSON has start and end)" },
	[MC_SIZE] = { "SIZE", "size", DU_COL_SIZE,
		      DU_COL_DEFAULT | DU_COL_RIGHT,
		      "size of the mapping (bytes with --bytes)" },
	[MC_PERMS] = { "PERM", "perms", DU_COL_STR, DU_COL_DEFAULT,
		       "permissions as in /proc/PID/maps (rw-s)" },
	[MC_KIND] = { "KIND", "kind", DU_COL_STR, DU_COL_DEFAULT,
		      "bar, buffer or device (see DESCRIPTION)" },
	[MC_DEVICE] = { "DEVICE", "device", DU_COL_STR, DU_COL_DEFAULT,
			"PCI address of the device, when known" },
	[MC_CDEV] = { "CDEV", "cdev", DU_COL_STR, DU_COL_DEFAULT,
		      "VFIO cdev (vfioN), when known" },
	[MC_BAR] = { "BAR", "bar", DU_COL_INT, DU_COL_DEFAULT | DU_COL_RIGHT,
		     "BAR index, when known" },
	[MC_OFFSET] = { "OFFSET", "offset", DU_COL_ADDR,
			DU_COL_DEFAULT | DU_COL_RIGHT,
			"offset of the mapping in its buffer or device file" },
	[MC_BAR_OFFSET] = { "BAR-OFFSET", "bar_offset", DU_COL_ADDR,
			    DU_COL_RIGHT,
			    "offset in the BAR, when /proc tells it" },
	[MC_INODE] = { "INODE", "inode", DU_COL_U64, DU_COL_RIGHT,
		       "inode number of the DMA-BUF or device file" },
	[MC_NAME] = { "NAME", "name", DU_COL_STR, DU_COL_DEFAULT,
		      "DMA-BUF name (null for unnamed buffers and device mappings)" },
	[MC_EXPORTER] = { "EXPORTER", "exporter", DU_COL_STR, 0,
			  "exporter from fdinfo, when the process holds an fd of the buffer" },
};

struct maps_args {
	pid_t *pids;
	size_t npids;
	struct du_pci_addr *addrs;
	size_t naddrs;
	const char **names;
	size_t nnames;
	int bar;
	bool verbose;
	struct du_table_opts topts;
};

struct maps_state {
	struct maps_args *a;
	struct du_table *t;
	pid_t pid;
	char comm[64];
	struct vd_proc_bufs bufs;
	bool bufs_read;
	unsigned int shown;
	struct vd_proc_issues issues;
};

/* --device: does the mapping belong to one of the devices? */
static bool device_matches(const struct maps_args *a, const char *device)
{
	struct du_pci_addr x;

	if (!a->naddrs)
		return true;
	if (!device || !device[0] || du_parse_pci_addr(device, &x) < 0)
		return false;
	for (size_t i = 0; i < a->naddrs; i++)
		if (du_pci_addr_equal(&x, &a->addrs[i]))
			return true;
	return false;
}

void vd_check_name_pattern(const char *opt, const char *pattern)
{
	if (!*pattern)
		vd_usage("%s: empty pattern", opt);
	if (strlen(pattern) > VD_NAME_PATTERN_MAX)
		vd_usage("%s: pattern longer than %d bytes", opt,
			 VD_NAME_PATTERN_MAX);
}

void *vd_grow_filter(void *v, size_t n, size_t size)
{
	void *nv = realloc(v, (n + 1) * size);

	if (!nv)
		du_die(DU_EXIT_FAILURE, "out of memory");
	return nv;
}

bool vd_name_matches(const char **patterns, size_t n, const char *name)
{
	if (!n)
		return true;
	if (!name)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!fnmatch(patterns[i], name, 0))
			return true;
	return false;
}

static int show_entry(const struct du_maps_entry *e, void *arg)
{
	struct maps_state *s = arg;
	struct vd_mapping m;
	const struct vd_proc_buf *pb = NULL;
	struct du_row *r;
	char addr[2 * 20 + 2];

	if (!vd_classify_mapping(e, &m))
		return 0;
	if (!device_matches(s->a, m.device))
		return 0;
	if (s->a->bar >= 0 && m.bar != s->a->bar)
		return 0;
	if (!vd_name_matches(s->a->names, s->a->nnames,
			     m.is_dmabuf && m.named ? m.name : NULL))
		return 0;
	if (m.is_dmabuf && du_table_wants(s->t, MC_EXPORTER)) {
		if (!s->bufs_read) {
			(void)vd_proc_bufs_read(s->pid, &s->bufs);
			s->bufs_read = true;
		}
		pb = vd_proc_bufs_find(&s->bufs, e->inode);
	}
	s->shown++;
	r = du_table_new_row(s->t);
	du_row_set_int(r, MC_PID, s->pid);
	du_row_set_str(r, MC_COMM, s->comm);
	du_row_set_u64(r, MC_START, e->start);
	du_row_set_u64(r, MC_END, e->end);
	snprintf(addr, sizeof(addr), "0x%" PRIx64 "-0x%" PRIx64, e->start,
		 e->end);
	du_row_set_str(r, MC_ADDRESS, addr);
	du_row_set_u64(r, MC_SIZE, e->end - e->start);
	du_row_set_str(r, MC_PERMS, e->perms);
	du_row_set_str(r, MC_KIND, m.kind);
	du_row_set_str(r, MC_DEVICE, m.device[0] ? m.device : NULL);
	du_row_set_str(r, MC_CDEV, m.cdev[0] ? m.cdev : NULL);
	if (m.bar >= 0)
		du_row_set_int(r, MC_BAR, m.bar);
	du_row_set_u64(r, MC_OFFSET, m.offset);
	if (m.have_bar_offset)
		du_row_set_u64(r, MC_BAR_OFFSET, m.bar_offset);
	du_row_set_u64(r, MC_INODE, e->inode);
	du_row_set_str(r, MC_NAME, m.is_dmabuf && m.named ? m.name : NULL);
	du_row_set_str(r, MC_EXPORTER, pb ? pb->fi.exp_name : NULL);
	return 0;
}

static int maps_pid(pid_t pid, void *arg)
{
	struct maps_state *s = arg;
	unsigned int bad;
	int r;

	s->pid = pid;
	s->bufs_read = false;
	vd_proc_comm(pid, s->comm, sizeof(s->comm));
	r = vd_proc_maps_for_each(pid, show_entry, s, &bad);
	if (s->bufs_read)
		vd_proc_bufs_free(&s->bufs);
	vd_proc_issue_malformed(&s->issues, pid, s->comm, bad);
	if (s->a->npids)
		return r;
	if (r < 0 && r != -ENOMEM)
		vd_proc_issue_unreadable(&s->issues, pid, s->comm, "maps", -r);
	return r == -ENOMEM ? r : 0;	/* all processes: go on */
}

static const struct argp_option maps_options[] = {
	{ "pid", OPT_PID, "PID", 0,
	  "only this process (repeat for more; default: all)", 0 },
	{ "device", OPT_DEVICE, "ADDR", 0,
	  "only mappings of this device (repeat for more)", 0 },
	{ "bar", OPT_BAR, "N", 0, "only mappings of this BAR", 0 },
	{ "name", OPT_NAME, "PATTERN", 0,
	  "only DMA-BUFs whose name matches this glob (repeat for more)", 0 },
	{ "verbose", 'v', NULL, 0,
	  "name the processes that could not be inspected", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t maps_parse(int key, char *arg, struct argp_state *state)
{
	struct maps_args *a = state->input;
	struct du_pci_addr addr;
	unsigned int ub;
	pid_t pid;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->topts;
		break;
	case OPT_PID:
		pid = vd_arg_pid("--pid", arg);
		a->pids = vd_grow_filter(a->pids, a->npids, sizeof(*a->pids));
		a->pids[a->npids++] = pid;
		break;
	case OPT_DEVICE:
		if (du_parse_pci_addr(arg, &addr) < 0)
			vd_usage("--device: invalid PCI address '%s' (expected DDDD:BB:DD.F or BB:DD.F)",
				 arg);
		a->addrs = vd_grow_filter(a->addrs, a->naddrs, sizeof(*a->addrs));
		a->addrs[a->naddrs++] = addr;
		break;
	case OPT_BAR:
		if (du_parse_bar(arg, &ub) < 0)
			vd_usage("--bar: '%s' is not a BAR index (0-5)",
				 arg);
		a->bar = (int)ub;
		break;
	case OPT_NAME:
		vd_check_name_pattern("--name", arg);
		a->names = vd_grow_filter(a->names, a->nnames, sizeof(*a->names));
		a->names[a->nnames++] = arg;
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

static const struct argp_child maps_children[] = {
	{ &du_table_argp, 0, "Output:", 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct argp maps_argp = {
	.options = maps_options,
	.parser = maps_parse,
	.children = maps_children,
	.doc = "List the VFIO DMA-BUF and BAR mappings of one process or of all, "
	       "from /proc/PID/maps, decoding names such as "
	       "/dmabuf:vfio0:0000:00:03.0/2 into device, cdev, BAR and offset.\v"
	       "KIND is bar (a BAR mapped through the device fd), buffer (an "
	       "exported DMA-BUF) or device (a BAR mapping on a kernel without "
	       "DMA-BUF backed BAR mmaps).  Filters of different kinds must "
	       "all match; repeated filters of one kind match any of their "
	       "values.  --list-columns names the columns for -o.",
};

static void maps_args_free(struct maps_args *a)
{
	free(a->pids);
	free(a->addrs);
	free(a->names);
	du_table_opts_free(&a->topts);
}

int cmd_maps(int argc, char **argv)
{
	struct maps_args a = { .bar = -1 };
	struct maps_state s;
	size_t i, j;
	int r, status = DU_EXIT_OK;

	vd_parse(&maps_argp, "maps", argc, argv, &a);
	memset(&s, 0, sizeof(s));
	s.a = &a;
	s.t = vd_table_start(maps_cols, MC_N, &a.topts, &status);
	if (!s.t) {
		maps_args_free(&a);
		return status;
	}
	/* one pass per process, in the order given; a pid given twice once */
	for (i = 0; i < a.npids; i++) {
		for (j = 0; j < i && a.pids[j] != a.pids[i]; j++)
			;
		if (j < i) {
			memmove(&a.pids[i], &a.pids[i + 1],
				(a.npids - i - 1) * sizeof(*a.pids));
			a.npids--;
			i--;
			continue;
		}
		if (!vd_proc_exists(a.pids[i])) {
			du_err("no process %d (in %s)", (int)a.pids[i],
			       vd_g.proc_root);
			du_table_free(s.t);
			maps_args_free(&a);
			return DU_EXIT_FAILURE;
		}
	}
	vd_out_begin();
	for (i = 0; i < a.npids; i++) {
		r = maps_pid(a.pids[i], &s);
		if (r == -EACCES || r == -EPERM) {
			du_err("cannot read the maps of process %d: %s (run as root)",
			       (int)a.pids[i], strerror(-r));
			status = DU_EXIT_FAILURE;
		} else if (r < 0) {
			du_err("cannot read the maps of process %d: %s",
			       (int)a.pids[i], strerror(-r));
			status = DU_EXIT_FAILURE;
		}
	}
	if (!a.npids) {
		r = vd_proc_for_each_pid(maps_pid, &s);
		if (r < 0) {
			du_err("cannot read %s: %s", vd_g.proc_root,
			       strerror(-r));
			status = DU_EXIT_FAILURE;
		}
	}
	if (du_table_print(s.t, "mappings") < 0 && status == DU_EXIT_OK)
		status = DU_EXIT_FAILURE;
	du_table_free(s.t);
	vd_proc_issues_report(&s.issues, a.verbose);
	vd_proc_issues_free(&s.issues);
	maps_args_free(&a);
	return vd_out_end(status);
}
