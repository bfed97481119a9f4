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
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/errname.h"
#include "du/exitcodes.h"
#include "du/output.h"
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

struct maps_args {
	pid_t pid;
	const char *device;
	struct du_pci_addr addr;
	int bar;
	bool verbose;
};

struct maps_state {
	struct maps_args *a;
	pid_t pid;
	char comm[64];
	struct vd_proc_bufs bufs;
	bool bufs_read;
	unsigned int shown;
	struct vd_proc_issues issues;
};

static int show_entry(const struct du_maps_entry *e, void *arg)
{
	struct maps_state *s = arg;
	struct vd_mapping m;
	const struct vd_proc_buf *pb = NULL;
	char sz[DU_SIZE_STRLEN];

	if (!vd_classify_mapping(e, &m))
		return 0;
	if (s->a->device) {
		struct du_pci_addr x;

		if (!m.device[0] || du_parse_pci_addr(m.device, &x) < 0 ||
		    !du_pci_addr_equal(&x, &s->a->addr))
			return 0;
	}
	if (s->a->bar >= 0 && m.bar != s->a->bar)
		return 0;
	if (m.is_dmabuf) {
		if (!s->bufs_read) {
			(void)vd_proc_bufs_read(s->pid, &s->bufs);
			s->bufs_read = true;
		}
		pb = vd_proc_bufs_find(&s->bufs, e->inode);
	}
	if (!s->shown++ && !du_out_is_json())
		du_printf("%-7s %-15s %-33s %6s %-4s %-6s %-12s %-6s %3s %10s  %s\n",
			  "PID", "COMMAND", "ADDRESS", "SIZE", "PERM", "KIND",
			  "DEVICE", "CDEV", "BAR", "OFFSET", "NAME");
	du_out_open_object(NULL);
	du_print_int(DU_ANY, "pid", "%-7" PRId64, s->pid);
	du_print_string(DU_ANY, "comm", " %-15s", s->comm);
	du_print_hex_u64(DU_ANY, "start", " %s", e->start);
	du_print_hex_u64(DU_ANY, "end", "-%-16s", e->end);
	du_print_u64(DU_JSON, "size", NULL, e->end - e->start);
	du_printf(" %6s", du_format_size(e->end - e->start, sz, sizeof(sz)));
	du_print_string(DU_ANY, "perms", " %-4s", e->perms);
	du_print_string(DU_ANY, "kind", " %-6s", m.kind);
	if (m.device[0])
		du_print_string(DU_ANY, "device", " %-12s", m.device);
	else
		du_print_null(DU_ANY, "device", " -           ");
	if (m.cdev[0])
		du_print_string(DU_ANY, "cdev", " %-6s", m.cdev);
	else
		du_print_null(DU_ANY, "cdev", " -     ");
	if (m.bar >= 0)
		du_print_u64(DU_ANY, "bar", " %3" PRIu64, (uint64_t)m.bar);
	else
		du_print_null(DU_ANY, "bar", "   -");
	du_print_hex_u64(DU_ANY, "offset", " %10s", m.offset);
	if (m.have_bar_offset)
		du_print_hex_u64(DU_JSON, "bar_offset", NULL, m.bar_offset);
	else
		du_print_null(DU_JSON, "bar_offset", NULL);
	du_print_u64(DU_JSON, "inode", NULL, e->inode);
	if (m.is_dmabuf && m.named)
		du_print_string(DU_ANY, "name", "  %s", m.name);
	else
		du_print_null(DU_ANY, "name", "  -");
	if (pb)
		du_print_string(DU_JSON, "exporter", NULL, pb->fi.exp_name);
	else
		du_print_null(DU_JSON, "exporter", NULL);
	du_print_nl();
	du_out_close_object();
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
	if (s->a->pid)
		return r;
	if (r < 0 && r != -ENOMEM)
		vd_proc_issue_unreadable(&s->issues, pid, s->comm, "maps", -r);
	return r == -ENOMEM ? r : 0;	/* all processes: go on */
}

static const struct argp_option maps_options[] = {
	{ "pid", OPT_PID, "PID", 0, "only this process (default: all)", 0 },
	{ "device", OPT_DEVICE, "ADDR", 0, "only mappings of this device", 0 },
	{ "bar", OPT_BAR, "N", 0, "only mappings of this BAR", 0 },
	{ "verbose", 'v', NULL, 0,
	  "name the processes that could not be inspected", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t maps_parse(int key, char *arg, struct argp_state *state)
{
	struct maps_args *a = state->input;
	unsigned int ub;

	switch (key) {
	case OPT_PID:
		a->pid = vd_arg_pid("--pid", arg);
		break;
	case OPT_DEVICE:
		if (du_parse_pci_addr(arg, &a->addr) < 0)
			vd_usage("--device: invalid PCI address '%s' (expected DDDD:BB:DD.F or BB:DD.F)",
				 arg);
		a->device = arg;
		break;
	case OPT_BAR:
		if (du_parse_bar(arg, &ub) < 0)
			vd_usage("--bar: '%s' is not a BAR index (0-5)",
				 arg);
		a->bar = (int)ub;
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

static const struct argp maps_argp = {
	.options = maps_options,
	.parser = maps_parse,
	.doc = "List the VFIO DMA-BUF and BAR mappings of one process or of all, "
	       "from /proc/PID/maps, decoding names such as "
	       "/dmabuf:vfio0:0000:00:03.0/2 into device, cdev, BAR and offset.\v"
	       "KIND is bar (a BAR mapped through the device fd), buffer (an "
	       "exported DMA-BUF) or device (a BAR mapping on a kernel without "
	       "DMA-BUF backed BAR mmaps).",
};

int cmd_maps(int argc, char **argv)
{
	struct maps_args a = { .bar = -1 };
	struct maps_state s;
	int r, status = DU_EXIT_OK;

	vd_parse(&maps_argp, "maps", argc, argv, &a);
	memset(&s, 0, sizeof(s));
	s.a = &a;
	if (a.pid && !vd_proc_exists(a.pid)) {
		du_err("no process %d (in %s)", (int)a.pid, vd_g.proc_root);
		return DU_EXIT_FAILURE;
	}
	vd_out_begin();
	du_out_open_array("mappings");
	if (a.pid) {
		r = maps_pid(a.pid, &s);
		if (r == -EACCES || r == -EPERM) {
			du_err("cannot read the maps of process %d: %s (run as root)",
			       (int)a.pid, strerror(-r));
			status = DU_EXIT_FAILURE;
		} else if (r < 0) {
			du_err("cannot read the maps of process %d: %s",
			       (int)a.pid, strerror(-r));
			status = DU_EXIT_FAILURE;
		}
	} else {
		r = vd_proc_for_each_pid(maps_pid, &s);
		if (r < 0) {
			du_err("cannot read %s: %s", vd_g.proc_root,
			       strerror(-r));
			status = DU_EXIT_FAILURE;
		}
	}
	du_out_close_array();
	vd_proc_issues_report(&s.issues, a.verbose);
	vd_proc_issues_free(&s.issues);
	return vd_out_end(status);
}
