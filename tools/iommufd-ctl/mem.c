// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl mem: named memory objects.  A batch allocates or opens
 * memory once (anonymous memory, a memfd, a file, an inherited fd or
 * DMA-BUF) under a name; "ioas map --mem NAME [--offset OFF] [--length
 * LEN]" then maps a slice of it as often as wanted, without new memory.
 * An object cannot be freed while a mapping of it is tracked.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/output.h"
#include "du/parse.h"
#include "ctl.h"

enum {
	OPT_NAME = 0x100, OPT_LENGTH, OPT_MEMFD, OPT_FILE, OPT_FD,
	OPT_DMABUF_FD, OPT_MMAP, OPT_ACCESS, OPT_MEM, OPT_DEVICE, OPT_BAR,
};

struct mem_opts {
	const char *name, *file, *mem, *device;
	uint64_t length;
	bool has_length, memfd, mmap;
	int fd, dmabuf_fd;
	int bar;		/* --bar, or -1 */
	unsigned int access;
	bool allow_name;
};

static error_t mem_parse(int key, char *arg, struct argp_state *st)
{
	struct mem_opts *o = st->input;
	int err = 0;

	switch (key) {
	case ARGP_KEY_INIT:
		ctl_argp_init(st);
		return 0;
	case OPT_NAME: return ctl_opt_name(st, arg, &o->name);
	case OPT_LENGTH:
		o->has_length = true;
		return ctl_opt_size(st, "--length", arg, &o->length, true);
	case OPT_MEMFD: o->memfd = true; return 0;
	case OPT_MMAP: o->mmap = true; return 0;
	case OPT_FILE: o->file = arg; return 0;
	case OPT_FD: return ctl_opt_fd(st, "--fd", arg, &o->fd);
	case OPT_DMABUF_FD:
		return ctl_opt_fd(st, "--dmabuf-fd", arg, &o->dmabuf_fd);
	case OPT_ACCESS: return ctl_opt_access(st, arg, &o->access);
	case OPT_MEM: o->mem = arg; return 0;
	case OPT_DEVICE: o->device = arg; return 0;
	case OPT_BAR: return ctl_opt_bar(st, arg, &o->bar);
	case ARGP_KEY_ARG:
		if (o->allow_name &&
		    ctl_opt_name_word(st, arg, &o->name, &err))
			return err;
		return ctl_argp_error(st, "unexpected argument '%s'", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

#define O_NAME { "name", OPT_NAME, "NAME", 0, "name the object (same as the word 'name NAME'; required)", 0 }
#define O_MEM { "mem", OPT_MEM, "NAME", 0, "the memory object", 0 }
#define O_MMAP { "mmap", OPT_MMAP, NULL, 0, "mmap() it and map the address range (IOMMU_IOAS_MAP) instead of the fd (IOMMU_IOAS_MAP_FILE)", 0 }
#define O_END { NULL, 0, NULL, 0, NULL, 0 }

static int parse(struct ctl *c, const struct argp_option *opts,
		 const char *args, const char *doc, int argc, char **argv,
		 struct mem_opts *o)
{
	struct argp argp = { opts, mem_parse, args, doc, NULL, NULL, NULL };
	int rc;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->dmabuf_fd = -1;
	o->bar = -1;
	o->access = DU_IOMMU_READ | DU_IOMMU_WRITE;
	o->allow_name = args && strstr(args, "name");
	if (c->batch) {
		/* mem_parse(): ctl_argp_init() at ARGP_KEY_INIT, nothing
		 * at the end keys */
		rc = ctl_parse_fast(c, &argp, argc, argv, o,
				    CTL_FAST_OPTIONS_ONLY);
		if (rc != CTL_PARSE_SLOW)
			return rc;
	}
	return ctl_parse(c, &argp, argc, argv, o);
}

const char *ctl_mem_kind_name(enum ctl_mem_kind kind)
{
	switch (kind) {
	case CTL_MEM_ANON: return "anon";
	case CTL_MEM_MEMFD: return "memfd";
	case CTL_MEM_FILE: return "file";
	case CTL_MEM_FD: return "fd";
	case CTL_MEM_DMABUF: return "dmabuf";
	case CTL_MEM_BAR: return "bar";
	}
	return "unknown";
}

int ctl_mem_resolve(struct ctl *c, const char *ref, struct ctl_obj **out)
{
	struct ctl_obj *o = ctl_find_name(c, ref);

	*out = NULL;
	if (o && o->type != CTL_OBJ_MEM)
		return ctl_usage(c, "'%s' is a%s %s, not a memory object", ref,
				 o->type == CTL_OBJ_IOAS ? "n" : "",
				 ctl_type_name(o->type));
	if (o) {
		*out = o;
		return 0;
	}
	if (ctl_name_valid(ref))
		return ctl_usage(c, "unknown memory object '%s' (make it with 'mem alloc' or 'mem open')",
				 ref);
	return ctl_usage(c, "invalid memory object name '%s'", ref);
}

void ctl_mem_release(struct ctl *c, struct ctl_obj *o)
{
	struct ctl_memobj *m = &o->memo;

	(void)c;
	if (m->addr)
		munmap(m->addr, m->size);
	m->addr = NULL;
	if (m->own_fd && m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	free(m->path);
	m->path = NULL;
}

static void print_mem(const struct ctl_obj *o)
{
	const struct ctl_memobj *m = &o->memo;

	du_print_u64(DU_ANY, "mem_id", "mem %" PRIu64, o->id);
	du_print_string(DU_ANY, "name", " name %s", o->name);
	du_print_string(DU_ANY, "kind", " %s", ctl_mem_kind_name(m->kind));
	du_print_string(m->path ? DU_ANY : DU_JSON, "path", " (%s)", m->path);
	if (m->kind == CTL_MEM_FD || m->kind == CTL_MEM_DMABUF)
		du_print_int(DU_ANY, "fd", " fd %" PRId64, m->fd);
	else
		du_print_null(DU_JSON, "fd", NULL);
	if (m->kind == CTL_MEM_FD || m->kind == CTL_MEM_DMABUF)
		du_print_bool(DU_JSON, "fd_checked", NULL, m->fd_checked);
	if (m->kind == CTL_MEM_BAR) {
		du_print_string(DU_ANY, "device", " device %s", m->dev);
		du_print_int(DU_ANY, "bar", " bar %" PRId64, m->bar);
	} else {
		du_print_null(DU_JSON, "device", NULL);
		du_print_null(DU_JSON, "bar", NULL);
	}
	if (m->size)
		du_print_hex_u64(DU_ANY, "size", " size %s", m->size);
	else
		du_print_null(DU_ANY, "size", " size unknown");
	du_print_string(DU_ANY, "map_by", " mapped by %s",
			m->by_addr ? "address" : "fd");
	du_print_bool(DU_JSON, "readable", NULL, true);
	du_print_bool(DU_JSON, "writable", NULL, m->access & DU_IOMMU_WRITE);
	du_printf(" %s", ctl_access_name(m->access));
	du_print_u64(DU_ANY, "mappings", " mappings %" PRIu64, m->nmaps);
}

static struct ctl_obj *new_mem(struct ctl *c, const char *name)
{
	struct ctl_obj *o = ctl_obj_new(c, CTL_OBJ_MEM, name,
					c->next_mem_id++);

	if (o) {
		o->memo.fd = -1;
		o->memo.bar = -1;
	}
	return o;
}

static void result(struct ctl *c, const struct ctl_obj *o)
{
	ctl_result_open(c);
	print_mem(o);
	if (o->memo.kind == CTL_MEM_FD || o->memo.kind == CTL_MEM_DMABUF) {
		if (!o->memo.fd_checked)
			du_printf(" (fd %d is not open: not checked in a dry run)",
				  o->memo.fd);
	}
	ctl_result_close();
}

/* ---- alloc ------------------------------------------------------------------ */

static int mem_alloc(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		O_NAME,
		{ "length", OPT_LENGTH, "SIZE", 0, "bytes to allocate (a multiple of the page size; required)", 0 },
		{ "memfd", OPT_MEMFD, NULL, 0, "a memfd instead of anonymous memory (mapped by fd unless --mmap)", 0 },
		O_MMAP,
		O_END,
	};
	struct mem_opts o;
	struct ctl_obj *obj;
	struct ctl_memobj m = { .fd = -1, .bar = -1 };
	int rc;

	rc = parse(c, opts, "name NAME",
		   "Allocate memory once under a name, for 'ioas map --mem NAME' to map slices of: "
		   "anonymous memory (mapped by address), or with --memfd a memfd (mapped by fd).",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.name)
		return ctl_usage(c, "a name is required ('mem alloc name NAME --length SIZE')");
	if (!o.has_length)
		return ctl_usage(c, "--length is required");
	if (o.mmap && !o.memfd)
		return ctl_usage(c, "--mmap goes with --memfd (anonymous memory is always mapped by address)");
	if (ctl_find_name(c, o.name))
		return ctl_usage(c, "the name '%s' is already taken", o.name);
	if (o.length > SIZE_MAX / 2)
		return ctl_usage(c, "--length 0x%" PRIx64 " is too big for this machine",
				 o.length);
	m.kind = o.memfd ? CTL_MEM_MEMFD : CTL_MEM_ANON;
	m.size = o.length;
	m.access = DU_IOMMU_READ | DU_IOMMU_WRITE;
	m.by_addr = !o.memfd || o.mmap;
	m.fd_checked = true;
	/* A dry run allocates nothing (nor does its ioas map). */
	if (!c->dry_run && o.memfd) {
		m.fd = memfd_create(o.name, MFD_CLOEXEC);
		if (m.fd < 0 || ftruncate(m.fd, (off_t)o.length)) {
			rc = ctl_err(c, "memfd of 0x%" PRIx64 " bytes: %s",
				     o.length, strerror(errno));
			goto fail;
		}
		m.own_fd = true;
	}
	if (!c->dry_run && m.by_addr) {
		void *p = mmap(NULL, o.length, PROT_READ | PROT_WRITE,
			       o.memfd ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS,
			       o.memfd ? m.fd : -1, 0);

		if (p == MAP_FAILED) {
			rc = ctl_err(c, "cannot allocate 0x%" PRIx64 " bytes: %s",
				     o.length, strerror(errno));
			goto fail;
		}
		m.addr = p;
	}
	obj = new_mem(c, o.name);
	if (!obj) {
		rc = ctl_err(c, "out of memory");
		goto fail;
	}
	obj->memo = m;
	result(c, obj);
	return 0;
fail:
	if (m.fd >= 0)
		close(m.fd);
	return rc;
}

/* ---- open ------------------------------------------------------------------- */

static int mem_open(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		O_NAME,
		{ "file", OPT_FILE, "PATH", 0, "open a file (tmpfs, hugetlbfs; any file with --mmap)", 0 },
		{ "fd", OPT_FD, "N", 0, "the inherited fd N (memfd, tmpfs file or DMA-BUF)", 0 },
		{ "dmabuf-fd", OPT_DMABUF_FD, "N", 0, "the inherited DMA-BUF fd N (refused if it is not one)", 0 },
		{ "device", OPT_DEVICE, "DEV", 0, "with --bar: the device (a name, or a PCI address bound on first use)", 0 },
		{ "bar", OPT_BAR, "N", 0, "BAR N of --device, mmap()ed through its VFIO fd (always mapped by address)", 0 },
		{ "length", OPT_LENGTH, "SIZE", 0, "use only the first SIZE bytes (default: the size of the file, buffer or BAR)", 0 },
		O_MMAP,
		{ "access", OPT_ACCESS, "rw|r", 0, "open for reading and writing (default) or reading only", 0 },
		O_END,
	};
	struct mem_opts o;
	struct ctl_obj *obj;
	struct ctl_memobj m = { .fd = -1, .bar = -1 };
	struct ctl_bar bar = { .dev = NULL };
	enum ctl_fd_kind fdk = CTL_FD_OTHER;
	const char *what;
	char label[32];
	struct stat st;
	uint64_t size = 0, map_off = 0;
	int nsrc, fd = -1, rc;

	rc = parse(c, opts, "name NAME",
		   "Open a file, an inherited fd or a DMA-BUF once under a name, for 'ioas map --mem NAME' "
		   "to map slices of: by fd (IOMMU_IOAS_MAP_FILE), or with --mmap by address; "
		   "or mmap() a BAR of a device bound in this context through its VFIO fd (--device DEV --bar N), "
		   "mapped by address.",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.name)
		return ctl_usage(c, "a name is required ('mem open name NAME --file PATH')");
	nsrc = !!o.file + (o.fd >= 0) + (o.dmabuf_fd >= 0) +
	       (o.device || o.bar >= 0);
	if (nsrc != 1)
		return ctl_usage(c, "give one of --file, --fd, --dmabuf-fd and --device/--bar");
	if (o.device && o.bar < 0)
		return ctl_usage(c, "--device needs --bar (the BAR to open)");
	if (o.access == DU_IOMMU_WRITE)
		return ctl_usage(c, "--access w: memory is opened for reading and writing (rw) or reading only (r)");
	if (ctl_find_name(c, o.name))
		return ctl_usage(c, "the name '%s' is already taken", o.name);
	m.access = o.access;
	m.by_addr = o.mmap || o.bar >= 0;
	m.fd_checked = true;

	if (o.bar >= 0) {
		rc = ctl_bar_resolve(c, o.device, (unsigned int)o.bar, &bar);
		if (rc)
			return rc;
		size = o.length;
		rc = ctl_bar_range(c, &bar, 0, o.has_length, &size);
		if (rc)
			goto fail;
		m.kind = CTL_MEM_BAR;
		m.bar = o.bar;
		snprintf(m.dev, sizeof(m.dev), "%s", bar.dev->pci);
		fd = c->dry_run ? -1 : bar.dev->dev.fd;
		fdk = CTL_FD_VFIO_DEVICE;
		map_off = bar.region_offset;
		what = bar.what;
	} else if (o.file) {
		fd = open(o.file, ((o.access & DU_IOMMU_WRITE) ? O_RDWR : O_RDONLY) |
			  O_CLOEXEC);
		if (fd < 0)
			return ctl_usage(c, "cannot open '%s': %s", o.file,
					 strerror(errno));
		m.own_fd = true;
		m.kind = CTL_MEM_FILE;
		what = o.file;
		m.path = strdup(o.file);
		if (!m.path) {
			rc = ctl_err(c, "out of memory");
			goto fail;
		}
		fdk = ctl_fd_kind(fd);
		if (fdk == CTL_FD_DMABUF)
			m.kind = CTL_MEM_DMABUF;
	} else {
		fd = o.fd >= 0 ? o.fd : o.dmabuf_fd;
		what = o.fd >= 0 ? "--fd" : "--dmabuf-fd";
		fdk = ctl_fd_kind(fd);
		if (fdk == CTL_FD_CLOSED) {
			if (!c->dry_run)
				return ctl_usage(c, "%s %d: no such open file descriptor",
						 what, fd);
			/* The fd a real run inherits (vfio-dmabuf exec
			 * passes the DMA-BUF it exports) need not exist
			 * where a batch is checked: take it as what the
			 * option says it is, of unknown size. */
			m.fd_checked = false;
			fdk = o.dmabuf_fd >= 0 ? CTL_FD_DMABUF : CTL_FD_OTHER;
		} else if (o.dmabuf_fd >= 0 && fdk != CTL_FD_DMABUF) {
			return ctl_usage(c, "--dmabuf-fd %d is not a DMA-BUF (it is %s)",
					 fd, ctl_describe_fd(fd));
		}
		m.kind = fdk == CTL_FD_DMABUF ? CTL_MEM_DMABUF : CTL_MEM_FD;
		snprintf(label, sizeof(label), "fd %d", fd);
		if (o.mmap && m.fd_checked) {
			rc = ctl_check_fd_access(c, fd, label, o.access);
			if (rc)
				return rc;
		}
	}
	m.fd = fd;
	m.devmem = m.by_addr && fdk != CTL_FD_OTHER;
	if (m.fd_checked && m.kind != CTL_MEM_BAR) {
		if (fdk == CTL_FD_DMABUF ||
		    (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))) {
			off_t end = lseek(fd, 0, SEEK_END);

			size = end > 0 ? (uint64_t)end : 0;
		}
		if (!size && !o.has_length) {
			rc = ctl_usage(c, "%s: cannot tell its size: give --length",
				       o.file ? o.file : what);
			goto fail;
		}
		if (size && o.has_length && o.length > size) {
			rc = ctl_usage(c, "--length 0x%" PRIx64 " is past the end of %s (size 0x%" PRIx64 ")",
				       o.length, o.file ? o.file : what, size);
			goto fail;
		}
	}
	if (o.has_length)
		size = o.length;
	m.size = size;
	/* (a BAR's size is known to a real run: a dry run keeps it unknown) */
	if (o.mmap && !size && m.kind != CTL_MEM_BAR) {
		rc = ctl_usage(c, "--mmap needs the size: give --length");
		goto fail;
	}
	if (m.by_addr && !c->dry_run) {
		if (!o.file && m.kind != CTL_MEM_BAR)
			what = label;
		rc = ctl_mmap_shared(c, fd, map_off, size, o.access, fdk, what,
				     &m.addr);
		if (rc)
			goto fail;
	}
	obj = new_mem(c, o.name);
	if (!obj) {
		rc = ctl_err(c, "out of memory");
		goto fail;
	}
	obj->memo = m;
	result(c, obj);
	return 0;
fail:
	if (m.addr)
		munmap(m.addr, m.size);
	if (m.own_fd && fd >= 0)
		close(fd);
	free(m.path);
	ctl_bar_undo(c, &bar);
	return rc;
}

/* ---- free / list -------------------------------------------------------------- */

static int mem_free(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_MEM, O_END };
	struct mem_opts o;
	struct ctl_obj *obj;
	int rc;

	rc = parse(c, opts, NULL,
		   "Free a memory object: unmap its memory, close its own fd.  Refused while a mapping of it is tracked: unmap it (or destroy its IOAS) first.",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.mem)
		return ctl_usage(c, "--mem is required");
	rc = ctl_mem_resolve(c, o.mem, &obj);
	if (rc)
		return rc;
	if (obj->memo.nmaps)
		return ctl_err(c, "memory object '%s' is still mapped (%lu mapping%s): unmap %s first",
			       obj->name, obj->memo.nmaps,
			       obj->memo.nmaps == 1 ? "" : "s",
			       obj->memo.nmaps == 1 ? "it" : "them");
	ctl_result_open(c);
	du_print_u64(DU_JSON, "mem_id", NULL, obj->id);
	du_print_string(DU_ANY, "name", "freed mem %s", obj->name);
	du_print_bool(DU_JSON, "kept", NULL, obj->memo.untracked);
	if (obj->memo.untracked)
		du_printf(" (its memory stays until the end: mapped where it is not tracked)");
	ctl_result_close();
	if (obj->memo.untracked && obj->memo.addr) {
		/* An IOAS this context does not follow (or ioas copy) may
		 * still use the pages: keep the address range. */
		if (ctl_mem_keep(c, obj->memo.addr, obj->memo.size))
			return ctl_err(c, "out of memory");
		obj->memo.addr = NULL;
	}
	ctl_obj_remove(c, obj);
	return 0;
}

static int mem_list(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_END };
	struct mem_opts o;
	int rc;

	rc = parse(c, opts, NULL, "List the memory objects of this context.",
		   argc, argv, &o);
	if (rc)
		return rc;
	ctl_result_open(c);
	du_out_open_array("mem");
	for (struct ctl_obj *x = ctl_first(c, CTL_OBJ_MEM); x;
	     x = x->type_next) {
		du_out_open_object(NULL);
		print_mem(x);
		du_print_nl();
		du_out_close_object();
	}
	du_out_close_array();
	du_out_close_object();
	return 0;
}

static const struct ctl_cmd mem_cmds[] = {
	{ NULL, mem_list, NULL },
	{ "alloc", mem_alloc, "allocate anonymous memory or a memfd: mem alloc name NAME --length SIZE" },
	{ "open", mem_open, "open a file, fd, DMA-BUF or BAR: mem open name NAME --file PATH" },
	{ "free", mem_free, "free a memory object that is not mapped" },
	{ "list", mem_list, "the memory objects of this context" },
	{ NULL, NULL, NULL },
};

int ctl_cmd_mem(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, mem_cmds, "mem", argc - 1, argv + 1);
}
