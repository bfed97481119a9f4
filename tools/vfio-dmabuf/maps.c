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

int vd_proc_bufs_read(pid_t pid, struct vd_proc_bufs *pb)
{
	memset(pb, 0, sizeof(*pb));
	return vd_proc_fd_for_each(pid, collect_fd, pb);
}

const struct vd_proc_buf *vd_proc_bufs_find(const struct vd_proc_bufs *pb,
					    uint64_t ino)
{
	size_t i;

	for (i = 0; i < pb->n; i++)
		if (pb->v[i].fi.ino == ino)
			return &pb->v[i];
	return NULL;
}

void vd_proc_bufs_free(struct vd_proc_bufs *pb)
{
	free(pb->v);
	memset(pb, 0, sizeof(*pb));
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
};

struct maps_state {
	struct maps_args *a;
	pid_t pid;
	char comm[64];
	struct vd_proc_bufs bufs;
	bool bufs_read;
	unsigned int shown;
	unsigned int unreadable;
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
	du_print_string(DU_ANY, "comm", " %-15.15s", s->comm);
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
	int r;

	s->pid = pid;
	s->bufs_read = false;
	vd_proc_comm(pid, s->comm, sizeof(s->comm));
	r = vd_proc_maps_for_each(pid, show_entry, s);
	if (s->bufs_read)
		vd_proc_bufs_free(&s->bufs);
	if (r == -EACCES || r == -EPERM)
		s->unreadable++;
	else if (r == -EINVAL && !s->a->pid)
		du_warn("pid %d: malformed line in %s/%d/maps", (int)pid,
			vd_g.proc_root, (int)pid);
	if (s->a->pid)
		return r;
	return 0;	/* all processes: go on (some exit meanwhile) */
}

static const struct argp_option maps_options[] = {
	{ "pid", OPT_PID, "PID", 0, "only this process (default: all)", 0 },
	{ "device", OPT_DEVICE, "ADDR", 0, "only mappings of this device", 0 },
	{ "bar", OPT_BAR, "N", 0, "only mappings of this BAR", 0 },
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
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--device: invalid PCI address '%s' (expected DDDD:BB:DD.F or BB:DD.F)",
				     arg);
		a->device = arg;
		break;
	case OPT_BAR:
		if (du_parse_bar(arg, &ub) < 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--bar: '%s' is not a BAR index (0-5)",
				     arg);
		a->bar = (int)ub;
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
		} else if (r == -EINVAL) {
			du_err("malformed line in %s/%d/maps", vd_g.proc_root,
			       (int)a.pid);
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
		if (s.unreadable)
			du_warn("%u processes could not be inspected (permission denied)",
				s.unreadable);
	}
	du_out_close_array();
	return vd_out_end(status);
}
