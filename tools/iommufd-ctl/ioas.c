// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl ioas: alloc, destroy, list, iova-ranges, allow-iovas, option,
 * map (anonymous memory, memfd, file, inherited fd, DMA-BUF), unmap, copy.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
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
#include "du/uapi.h"
#include "du/vfio.h"
#include "ctl.h"

/* Option keys without a short form. */
enum {
	OPT_IOAS = 0x100, OPT_NAME, OPT_IOVA, OPT_LENGTH, OPT_OFFSET,
	OPT_FILE, OPT_FD, OPT_DMABUF_FD, OPT_MEMFD, OPT_ACCESS, OPT_ALL,
	OPT_SRC_IOAS, OPT_SRC_IOVA, OPT_RANGES, OPT_CLEAR, OPT_HUGE_PAGES,
	OPT_MEM, OPT_MMAP_FD, OPT_DEVICE, OPT_BAR,
};

struct ioas_opts {
	const char *ioas, *name, *file, *src_ioas, *ranges_arg, *mem, *device;
	uint64_t iova, length, offset, src_iova;
	bool has_iova, has_length, has_offset, has_src_iova, memfd, all, clear;
	int fd, dmabuf_fd, mmap_fd;
	int bar;		/* --bar, or -1 */
	unsigned int access;
	int huge_pages;		/* -1 get, 0 off, 1 on */
	bool allow_name;	/* the command takes 'name NAME' */
	/* a hot line's objects, found already (else --ioas, --mem) */
	struct ctl_obj *ioas_obj, *mem_obj;
	struct du_range ranges[64];
	size_t nranges;
};

#define MAX_ALLOW_RANGES 64

static const struct du_keyword onoff_words[] = {
	{ "on", 1 }, { "off", 0 }, { NULL, 0 },
};

static error_t ioas_parse(int key, char *arg, struct argp_state *st)
{
	struct ioas_opts *o = st->input;
	int err = 0, v, rc;

	switch (key) {
	case ARGP_KEY_INIT:
		ctl_argp_init(st);
		return 0;
	case OPT_IOAS: o->ioas = arg; return 0;
	case OPT_SRC_IOAS: o->src_ioas = arg; return 0;
	case OPT_NAME: return ctl_opt_name(st, arg, &o->name);
	case OPT_IOVA:
		o->has_iova = true;
		return ctl_opt_iova(st, "--iova", arg, &o->iova);
	case OPT_SRC_IOVA:
		o->has_src_iova = true;
		return ctl_opt_iova(st, "--src-iova", arg, &o->src_iova);
	case OPT_LENGTH:
		o->has_length = true;
		return ctl_opt_size(st, "--length", arg, &o->length, true);
	case OPT_OFFSET:
		o->has_offset = true;
		rc = ctl_opt_size(st, "--offset", arg, &o->offset, false);
		if (!rc && o->offset % CTL_PAGE_SIZE)
			return ctl_argp_error(st, "--offset '%s' is not a multiple of the page size (%u)",
					      arg, CTL_PAGE_SIZE);
		return rc;
	case OPT_FILE: o->file = arg; return 0;
	case OPT_MEM: o->mem = arg; return 0;
	case OPT_FD: return ctl_opt_fd(st, "--fd", arg, &o->fd);
	case OPT_DMABUF_FD:
		return ctl_opt_fd(st, "--dmabuf-fd", arg, &o->dmabuf_fd);
	case OPT_MMAP_FD:
		return ctl_opt_fd(st, "--mmap-fd", arg, &o->mmap_fd);
	case OPT_DEVICE: o->device = arg; return 0;
	case OPT_BAR: return ctl_opt_bar(st, arg, &o->bar);
	case OPT_MEMFD: o->memfd = true; return 0;
	case OPT_ACCESS: return ctl_opt_access(st, arg, &o->access);
	case OPT_ALL: o->all = true; return 0;
	case OPT_CLEAR: o->clear = true; return 0;
	case OPT_RANGES:
		o->ranges_arg = arg;
		rc = du_parse_ranges(arg, CTL_PAGE_SIZE, o->ranges,
				     MAX_ALLOW_RANGES, &o->nranges);
		if (rc == -E2BIG)
			return ctl_argp_error(st, "--ranges: more than %d ranges",
					      MAX_ALLOW_RANGES);
		if (rc == -ERANGE)
			return ctl_argp_error(st, "--ranges '%s': a range overflows 64 bits",
					      arg);
		if (rc)
			return ctl_argp_error(st, "invalid --ranges '%s' (OFFSET:LENGTH[,...], page aligned, non-zero lengths)",
					      arg);
		return 0;
	case OPT_HUGE_PAGES:
		if (du_parse_keyword(arg, onoff_words, &v))
			return ctl_argp_error(st, "invalid --huge-pages '%s' (on or off)",
					      arg);
		o->huge_pages = v;
		return 0;
	case ARGP_KEY_ARG:
		if (o->allow_name &&
		    ctl_opt_name_word(st, arg, &o->name, &err))
			return err;
		return ctl_argp_error(st, "unexpected argument '%s'", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

#define O_IOAS { "ioas", OPT_IOAS, "IOAS", 0, "the IOAS (name or id; default: the only one)", 0 }
#define O_NAME { "name", OPT_NAME, "NAME", 0, "name the new object (same as the word 'name NAME')", 0 }
#define O_END { NULL, 0, NULL, 0, NULL, 0 }

/* What every command's options are before its words are read. */
static inline void opts_init(struct ioas_opts *o)
{
	memset(o, 0, offsetof(struct ioas_opts, ranges));
	o->nranges = 0;
	o->fd = -1;
	o->dmabuf_fd = -1;
	o->mmap_fd = -1;
	o->bar = -1;
	o->access = DU_IOMMU_READ | DU_IOMMU_WRITE;
	o->huge_pages = -1;
}

static int parse(struct ctl *c, const struct argp_option *opts,
		 const char *args, const char *doc, int argc, char **argv,
		 struct ioas_opts *o)
{
	struct argp argp = { opts, ioas_parse, args, doc, NULL, NULL, NULL };
	int rc;

	opts_init(o);
	o->allow_name = args && strstr(args, "name");
	if (c->batch) {
		/* ioas_parse(): ctl_argp_init() at ARGP_KEY_INIT, nothing
		 * at the end keys */
		rc = ctl_parse_fast(c, &argp, argc, argv, o,
				    CTL_FAST_OPTIONS_ONLY);
		if (rc != CTL_PARSE_SLOW)
			return rc;
	}
	return ctl_parse(c, &argp, argc, argv, o);
}

static int register_name(struct ctl *c, const char *name)
{
	if (name && ctl_find_name(c, name))
		return ctl_usage(c, "the name '%s' is already taken", name);
	return 0;
}

/* ---- alloc / destroy / list ------------------------------------------------- */

static int ioas_alloc(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_NAME, O_END };
	struct ioas_opts o;
	struct ctl_obj *obj;
	uint32_t id;
	int rc;

	rc = parse(c, opts, "[name NAME]",
		   "Allocate an IO address space.  Outside a batch it is destroyed when iommufd-ctl exits.",
		   argc, argv, &o);
	if (rc)
		return rc;
	rc = register_name(c, o.name);
	if (rc)
		return rc;
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	if (c->dry_run) {
		id = c->next_fake_id++;
	} else {
		rc = du_ioas_alloc(c->iommufd, &id);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_IOAS_ALLOC: %s", strerror(-rc));
	}
	obj = ctl_obj_new(c, CTL_OBJ_IOAS, o.name, id);
	if (!obj)
		return ctl_err(c, "out of memory");
	ctl_result_open(c);
	du_print_u64(DU_ANY, "ioas_id", "ioas %" PRIu64, id);
	du_print_string(o.name ? DU_ANY : DU_JSON, "name", " name %s", o.name);
	ctl_result_close();
	return 0;
}

static int destroy_err(struct ctl *c, int rc, const char *what, uint32_t id)
{
	if (rc == -EBUSY)
		return ctl_err(c, "%s %u is in use (attached devices, HWPTs or accesses hold it): detach them first",
			       what, id);
	if (rc == -ENOENT)
		return ctl_err(c, "no %s with id %u", what, id);
	return ctl_fail(c, du_exit_for_errno(rc, 0), "IOMMU_DESTROY %s %u: %s",
			what, id, strerror(-rc));
}

static int ioas_destroy(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_IOAS, O_END };
	struct ioas_opts o;
	struct ctl_obj *obj;
	uint32_t id;
	int rc;

	rc = parse(c, opts, NULL, "Destroy an IOAS (and every mapping in it).",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.ioas)
		return ctl_usage(c, "--ioas is required");
	rc = ctl_resolve(c, CTL_OBJ_IOAS, o.ioas, &obj, &id);
	if (rc)
		return rc;
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	if (!c->dry_run) {
		rc = du_ioas_destroy(c->iommufd, id);
		if (rc)
			return destroy_err(c, rc, "IOAS", id);
	}
	if (c->compat_known && c->compat_ioas_id == id)
		c->compat_known = false;	/* the kernel forgets it too */
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", obj, id);
	du_printf("destroyed ioas %s", o.ioas);
	ctl_result_close();
	if (obj)
		ctl_obj_remove(c, obj);
	return 0;
}

static void print_ioas(const struct ctl_obj *o)
{
	du_out_open_object(NULL);
	du_print_u64(DU_ANY, "ioas_id", "ioas %" PRIu64, o->id);
	du_print_string(DU_ANY, "name", " name %s", o->name[0] ? o->name : NULL);
	du_print_bool(DU_JSON, "implicit", NULL, o->implicit);
	ctl_print_maps(o);
	du_print_nl();
	du_out_close_object();
}

static int ioas_list(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_END };
	struct ioas_opts o;
	int rc;

	rc = parse(c, opts, NULL,
		   "List the IOASes of this context and the mappings made in them.",
		   argc, argv, &o);
	if (rc)
		return rc;
	ctl_result_open(c);
	du_out_open_array("ioas");
	for (struct ctl_obj *obj = ctl_first(c, CTL_OBJ_IOAS); obj;
	     obj = obj->type_next)
		print_ioas(obj);
	du_out_close_array();
	du_out_close_object();
	return 0;
}

/* ---- iova-ranges / allow-iovas / option -------------------------------------- */

static int ioas_iova_ranges(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_IOAS, O_END };
	struct ioas_opts o;
	struct ctl_obj *obj;
	struct du_iova_range *r = NULL;
	size_t n = 0;
	uint64_t align = 0;
	uint32_t id;
	int rc;

	rc = parse(c, opts, NULL,
		   "Show the IOVA ranges usable in the IOAS (they shrink when devices with reserved regions attach) and the IOVA alignment.",
		   argc, argv, &o);
	if (rc)
		return rc;
	rc = ctl_resolve_ioas(c, o.ioas, &id, &obj);
	if (rc)
		return rc;
	if (!c->dry_run) {
		rc = du_ioas_iova_ranges(c->iommufd, id, &r, &n, &align);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_IOAS_IOVA_RANGES on ioas %u: %s",
					id, strerror(-rc));
	}
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", obj, id);
	du_printf("ioas %u", id);
	du_print_u64(DU_ANY, "alignment", " alignment %" PRIu64, align);
	du_out_open_array("ranges");
	for (size_t i = 0; i < n; i++) {
		du_out_open_object(NULL);
		du_print_hex_u64(DU_ANY, "start", "\n  %s", r[i].start);
		du_print_hex_u64(DU_ANY, "last", "-%s", r[i].last);
		du_out_close_object();
	}
	du_out_close_array();
	ctl_result_close();
	free(r);
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct du_iova_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Dry run: remember the ranges the kernel may choose IOVAs from. */
static int set_allowed(struct ctl_obj *ioas, const struct du_iova_range *r,
		       size_t n)
{
	void *p = NULL;

	if (n) {
		p = malloc(n * sizeof(*ioas->allow));
		if (!p)
			return -ENOMEM;
	}
	free(ioas->allow);
	ioas->allow = p;
	ioas->nallow = n;
	for (size_t i = 0; i < n; i++) {
		ioas->allow[i].start = r[i].start;
		ioas->allow[i].last = r[i].last;
	}
	if (n)
		qsort(ioas->allow, n, sizeof(*ioas->allow), cmp_range);
	return 0;
}

static int ioas_allow_iovas(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		O_IOAS,
		{ "ranges", OPT_RANGES, "LIST", 0, "OFFSET:LENGTH[,OFFSET:LENGTH...]: the IOVAs the kernel may choose from", 0 },
		{ "clear", OPT_CLEAR, NULL, 0, "remove the restriction", 0 },
		O_END,
	};
	struct du_iova_range r[MAX_ALLOW_RANGES];
	struct ioas_opts o;
	struct ctl_obj *obj;
	uint32_t id;
	size_t i, j;
	int rc;

	rc = parse(c, opts, NULL,
		   "Restrict the IOVAs the kernel chooses for mappings without --iova (fixed IOVAs are not restricted).",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.ranges_arg == !o.clear)
		return ctl_usage(c, "give either --ranges LIST or --clear");
	if (du_ranges_overlap(o.ranges, o.nranges, &i, &j))
		return ctl_usage(c, "--ranges: range %zu overlaps range %zu",
				 i + 1, j + 1);
	rc = ctl_resolve_ioas(c, o.ioas, &id, &obj);
	if (rc)
		return rc;
	for (i = 0; i < o.nranges; i++) {
		r[i].start = o.ranges[i].offset;
		r[i].last = o.ranges[i].offset + o.ranges[i].length - 1;
	}
	if (!c->dry_run) {
		rc = du_ioas_allow_iovas(c->iommufd, id, r, o.nranges);
		if (rc == -EINVAL)
			return ctl_err(c, "IOMMU_IOAS_ALLOW_IOVAS on ioas %u: the kernel refused the ranges (they must cover every existing mapping and be aligned)",
				       id);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_IOAS_ALLOW_IOVAS on ioas %u: %s",
					id, strerror(-rc));
	}
	if (c->dry_run && obj && set_allowed(obj, r, o.nranges))
		return ctl_err(c, "out of memory");
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", obj, id);
	du_printf("ioas %u allowed iovas:%s", id, o.nranges ? "" : " any");
	du_out_open_array("ranges");
	for (i = 0; i < o.nranges; i++) {
		du_out_open_object(NULL);
		du_print_hex_u64(DU_ANY, "start", " %s", r[i].start);
		du_print_hex_u64(DU_ANY, "last", "-%s", r[i].last);
		du_out_close_object();
	}
	du_out_close_array();
	ctl_result_close();
	return 0;
}

static int ioas_option(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		O_IOAS,
		{ "huge-pages", OPT_HUGE_PAGES, "on|off", 0, "let the IOAS use huge IOPTEs (default on); without it: show the setting", 0 },
		O_END,
	};
	struct ioas_opts o;
	struct ctl_obj *obj;
	uint64_t val = 0;
	uint32_t id;
	int rc;

	rc = parse(c, opts, NULL,
		   "Show or set the options of an IOAS (IOMMU_OPTION).",
		   argc, argv, &o);
	if (rc)
		return rc;
	rc = ctl_resolve_ioas(c, o.ioas, &id, &obj);
	if (rc)
		return rc;
	if (!c->dry_run) {
		if (o.huge_pages >= 0)
			rc = du_iommufd_option_set(c->iommufd,
						   IOMMU_OPTION_HUGE_PAGES, id,
						   (uint64_t)o.huge_pages);
		if (!rc)
			rc = du_iommufd_option_get(c->iommufd,
						   IOMMU_OPTION_HUGE_PAGES, id,
						   &val);
		if (rc == -EBUSY)
			return ctl_err(c, "ioas %u: huge pages can only change while no device is attached",
				       id);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_OPTION huge-pages on ioas %u: %s",
					id, strerror(-rc));
	} else {
		val = o.huge_pages != 0;
	}
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", obj, id);
	du_printf("ioas %u", id);
	du_print_bool(DU_ANY, "huge_pages", " huge-pages %s", val != 0);
	ctl_result_close();
	return 0;
}

/* ---- map ---------------------------------------------------------------------------- */

/* What a map hands the kernel, for the words of its errors. */
enum map_kind {
	MAPK_MEM,		/* memory the kernel pins (or a file) */
	MAPK_DMABUF_FD,		/* IOMMU_IOAS_MAP_FILE of a DMA-BUF fd */
	MAPK_DEVMEM_VA,		/* by address: an mmap() of a BAR or DMA-BUF */
};

/* Why a map failed in words (IOMMU_IOAS_MAP, _MAP_FILE, _COPY,
 * VFIO_IOMMU_MAP_DMA), and the exit status. */
static int map_error(struct ctl *c, int rc, const char *ioctl,
		     enum map_kind kind, const struct ctl_obj *ioas,
		     uint64_t iova, uint64_t len, bool fixed)
{
	if (kind == MAPK_DEVMEM_VA) {
		/* The errnos of the kernel that resolves such a VMA to its
		 * DMA-BUF; one without that feature pins pages: EFAULT. */
		if (rc == -EFAULT)
			return ctl_fail(c, DU_EXIT_NOTSUPP,
					"%s: this kernel cannot map a BAR or DMA-BUF by address (EFAULT): export it as a DMA-BUF and map that with --dmabuf-fd (IOMMU_IOAS_MAP_FILE) instead",
					ioctl);
		if (rc == -ENODEV)
			return ctl_fail(c, DU_EXIT_REVOKED,
					"%s: the buffer was revoked, or the device is being reset or has its memory disabled (ENODEV)",
					ioctl);
		if (rc == -EOPNOTSUPP)
			return ctl_fail(c, DU_EXIT_NOTSUPP,
					"%s: iommufd cannot map this memory: a DMA-BUF of several ranges, or a BAR without a P2P provider (EOPNOTSUPP)",
					ioctl);
		if (rc == -EPERM)
			return ctl_err(c, "%s: the memory is mapped read-only (a read-only DMA-BUF, or no PROT_WRITE): map it with --access r (EPERM)",
				       ioctl);
	}
	if (kind == MAPK_DMABUF_FD && rc == -ENODEV)
		return ctl_fail(c, DU_EXIT_REVOKED,
				"%s: the DMA-BUF was revoked (ENODEV): export a new one",
				ioctl);
	if (kind == MAPK_DMABUF_FD && rc == -EOPNOTSUPP)
		return ctl_fail(c, DU_EXIT_NOTSUPP,
				"%s: iommufd maps only single-range VFIO DMA-BUFs, or the exporter does not support import (EOPNOTSUPP)",
				ioctl);
	if (rc == -EEXIST && fixed) {
		const struct ctl_map *m = ioas ? ctl_map_overlap(ioas, iova, len) : NULL;
		char end[24];

		/* The exclusive end of a range that reaches 2^64 is 2^64 */
		if (iova + len < iova || (len && iova + len == 0))
			snprintf(end, sizeof(end), "0x10000000000000000");
		else
			snprintf(end, sizeof(end), "0x%" PRIx64, iova + len);
		if (m && m->length_known)
			return ctl_err(c, "%s: [0x%" PRIx64 ", %s) overlaps the mapping at 0x%" PRIx64 " (length 0x%" PRIx64 ")",
				       ioctl, iova, end, m->iova, m->length);
		if (m)
			return ctl_err(c, "%s: [0x%" PRIx64 ", %s) overlaps the mapping at 0x%" PRIx64 " (length unknown in a dry run)",
				       ioctl, iova, end, m->iova);
		return ctl_err(c, "%s: [0x%" PRIx64 ", %s) overlaps an existing mapping (EEXIST)",
			       ioctl, iova, end);
	}
	if (rc == -ENOSPC)
		return ctl_err(c, "%s: no free IOVA range of 0x%" PRIx64 " bytes (see 'ioas iova-ranges')",
			       ioctl, len);
	if (rc == -EOVERFLOW || (rc == -EINVAL && fixed))
		return ctl_err(c, "%s: [0x%" PRIx64 ", +0x%" PRIx64 ") is outside the usable IOVA ranges, misaligned for this IOAS or overflows (%s; see 'ioas iova-ranges')",
			       ioctl, iova, len, strerror(-rc));
	if (rc == -ENOTTY && !strcmp(ioctl, "IOMMU_IOAS_MAP_FILE"))
		return ctl_fail(c, DU_EXIT_NOTSUPP,
				"%s: the running kernel lacks IOMMU_IOAS_MAP_FILE (Linux 6.13+)",
				ioctl);
	if (rc == -EINVAL && !strcmp(ioctl, "IOMMU_IOAS_MAP_FILE") &&
	    kind != MAPK_DMABUF_FD)
		return ctl_err(c, "%s: the kernel refused the file (it maps memfds, tmpfs/hugetlbfs files and DMA-BUFs, within their size)",
			       ioctl);
	if (rc == -ENOMEM)
		return ctl_err(c, "%s: out of memory or over the locked-memory limit (ulimit -l): %s",
			       ioctl, strerror(-rc));
	return ctl_fail(c, du_exit_for_errno(rc, kind == MAPK_DMABUF_FD ?
					     DU_ERRCTX_DMABUF : 0),
			"%s: %s", ioctl, strerror(-rc));
}

/*
 * Dry run: check a fixed IOVA against the mappings made so far, or choose
 * one as the kernel would (ctl_map_choose_iova()); length 0 is an fd of
 * unknown size, counted as one page.  Errors are reported as the kernel's
 * errno would be in a real run.
 */
static int dry_place(struct ctl *c, const struct ctl_obj *ioas,
		     const char *ioctl, enum map_kind kind, bool fixed,
		     uint64_t iova, uint64_t length, uint64_t offset,
		     uint64_t *out, bool *modelled)
{
	uint64_t len = length ? length : CTL_PAGE_SIZE;
	int rc;

	*out = iova;
	*modelled = false;
	if (!ioas)		/* an id the context does not know */
		return 0;
	if (fixed) {
		if (ctl_map_overlap(ioas, iova, len))
			return map_error(c, -EEXIST, ioctl, kind, ioas, iova,
					 len, true);
		return 0;
	}
	rc = ctl_map_choose_iova(ioas, len, offset, out);
	if (rc)
		return map_error(c, rc, ioctl, kind, ioas, 0, len, false);
	*modelled = true;
	return 0;
}

/*
 * vfio-compat map and unmap work on the IOAS the VFIO compatibility
 * container uses: the kernel says which (IOMMU_VFIO_IOAS GET), a dry run
 * knows it from 'vfio-compat set'.  Before the first map, VFIO_SET_IOMMU
 * type1v2, as a type1 user does (iommufd checks that the IOAS is set).
 */
static int resolve_compat(struct ctl *c, bool map, uint32_t *id,
			  struct ctl_obj **obj)
{
	int rc;

	*obj = NULL;
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	if (c->dry_run) {
		rc = c->compat_known ? 0 : -ENODEV;
		*id = c->compat_ioas_id;
	} else {
		rc = du_vfio_compat_ioas_get(c->iommufd, id);
	}
	if (rc == -ENODEV || rc == -ENOENT)
		return ctl_err(c, "the VFIO compatibility container has no IOAS: choose one with 'vfio-compat set --ioas IOAS' first");
	if (rc)
		return ctl_fail(c, du_exit_for_errno(rc, 0),
				"IOMMU_VFIO_IOAS GET: %s", strerror(-rc));
	if (map && !c->dry_run && !c->compat_iommu_set) {
		rc = du_vfio_compat_set_iommu(c->iommufd, VFIO_TYPE1v2_IOMMU);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"VFIO_SET_IOMMU type1v2 on the iommufd: %s",
					strerror(-rc));
		c->compat_iommu_set = true;
	}
	*obj = ctl_find_id(c, CTL_OBJ_IOAS, *id);
	return 0;
}

/* The IOAS a map or unmap works on: the compatibility container's, the
 * one a hot line found already, or --ioas (else the only one). */
static int resolve_target(struct ctl *c, const struct ioas_opts *o,
			  bool compat, bool map, uint32_t *id,
			  struct ctl_obj **obj)
{
	if (compat)
		return resolve_compat(c, map, id, obj);
	if (o->ioas_obj) {
		*obj = o->ioas_obj;
		*id = o->ioas_obj->id;
		return 0;
	}
	return ctl_resolve_ioas(c, o->ioas, id, obj);
}

/* The sources given to a map command (one at most). */
static int count_sources(const struct ioas_opts *o)
{
	return !!o->file + (o->fd >= 0) + (o->dmabuf_fd >= 0) + o->memfd +
	       !!o->mem + (o->mmap_fd >= 0) + (o->device || o->bar >= 0);
}

static int sources_error(struct ctl *c, bool compat)
{
	if (compat)
		return ctl_usage(c, "--mmap-fd, --device/--bar and --mem exclude each other");
	return ctl_usage(c, "--file, --fd, --dmabuf-fd, --memfd, --mmap-fd, --device/--bar and --mem exclude each other");
}

/*
 * ioas map --mem NAME: a slice of a memory object (mem.c), the hot line of
 * a batch that maps one buffer again and again: no allocation, no
 * system call but the ioctl, and in text mode no printf.  vfio-compat map
 * --mem maps the slice of an object that is mapped by address.
 */
static int map_mem(struct ctl *c, struct ioas_opts *o, bool compat)
{
	struct ctl_obj *mo, *obj;
	struct ctl_memobj *m;
	struct ctl_map *map;
	const char *ioctl_name;
	enum map_kind kind;
	uint64_t iova, len = o->length;
	bool modelled = false;
	uint32_t id;
	int rc;

	if (count_sources(o) > 1)
		return sources_error(c, compat);
	mo = o->mem_obj;
	if (!mo) {
		rc = ctl_mem_resolve(c, o->mem, &mo);
		if (rc)
			return rc;
	}
	m = &mo->memo;
	if ((o->access & DU_IOMMU_WRITE) && !(m->access & DU_IOMMU_WRITE))
		return ctl_usage(c, "memory object '%s' is read-only (opened with --access r): map it with --access r",
				 mo->name);
	if (compat && !m->by_addr)
		return ctl_usage(c, "memory object '%s' is mapped by fd: VFIO_IOMMU_MAP_DMA takes an address (open it with --mmap)",
				 mo->name);
	if (m->size) {
		/* The slice must lie inside the object. */
		if (o->offset >= m->size)
			return ctl_usage(c, "--offset 0x%" PRIx64 " is at or past the end of memory object '%s' (size 0x%" PRIx64 ")",
					 o->offset, mo->name, m->size);
		if (!o->has_length) {
			len = m->size - o->offset;
			if (len % CTL_PAGE_SIZE)
				return ctl_usage(c, "memory object '%s': size 0x%" PRIx64 " is not a multiple of the page size: give --length",
						 mo->name, m->size);
		} else if (len > m->size - o->offset) {
			return ctl_usage(c, "--offset 0x%" PRIx64 " + --length 0x%" PRIx64 " is past the end of memory object '%s' (size 0x%" PRIx64 ")",
					 o->offset, len, mo->name, m->size);
		}
		if (o->has_iova && o->iova + len - 1 < o->iova)
			return ctl_usage(c, "--iova 0x%" PRIx64 " + length 0x%" PRIx64 " overflows 64 bits",
					 o->iova, len);
	}
	if (m->by_addr)
		kind = m->devmem ? MAPK_DEVMEM_VA : MAPK_MEM;
	else
		kind = m->kind == CTL_MEM_DMABUF ? MAPK_DMABUF_FD : MAPK_MEM;
	ioctl_name = compat ? "VFIO_IOMMU_MAP_DMA" :
		     m->by_addr ? "IOMMU_IOAS_MAP" : "IOMMU_IOAS_MAP_FILE";
	rc = resolve_target(c, o, compat, true, &id, &obj);
	if (rc)
		return rc;
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	iova = o->iova;
	if (c->dry_run) {
		rc = dry_place(c, obj, ioctl_name, kind, o->has_iova, o->iova,
			       len, o->offset, &iova, &modelled);
		if (rc)
			return rc;
	} else {
		unsigned int flags = o->access |
				     (o->has_iova ? DU_IOMMU_FIXED : 0);

		if (compat)
			rc = du_vfio_compat_map_dma(c->iommufd, iova,
						    (char *)m->addr + o->offset,
						    len, o->access);
		else if (m->by_addr)
			rc = du_ioas_map(c->iommufd, id,
					 (char *)m->addr + o->offset, len,
					 &iova, flags);
		else
			rc = du_ioas_map_file(c->iommufd, id, m->fd, o->offset,
					      len, &iova, flags);
		if (rc)
			return map_error(c, rc, ioctl_name, kind, obj, o->iova,
					 len, o->has_iova);
	}
	if (obj) {
		map = ctl_map_add(obj, iova, len, CTL_SRC_MEM, o->access,
				  o->offset, NULL);
		if (!map)
			return ctl_err(c, "out of memory");
		map->memobj = mo;
		map->modelled = modelled;
		m->nmaps++;
	} else {
		m->untracked = true;	/* an IOAS id the context does not know */
	}

	if (!c->json) {
		struct ctl_txt t;

		ctl_txt_begin(&t);
		ctl_txt(&t, "ioas ");
		ctl_txt_u(&t, id);
		ctl_txt(&t, ": mapped mem (");
		ctl_txt_str(&t, mo->name);
		ctl_txt(&t, ") offset ");
		ctl_txt_hex(&t, o->offset);
		if (c->dry_run && !o->has_iova && !obj) {
			ctl_txt(&t, " at a kernel-chosen iova");
		} else {
			ctl_txt(&t, " at iova ");
			ctl_txt_hex(&t, iova);
			if (modelled)
				ctl_txt(&t, " (dry run: modelled kernel choice)");
		}
		if (len) {
			ctl_txt(&t, " length ");
			ctl_txt_hex(&t, len);
		} else {
			ctl_txt(&t, " length unknown");
		}
		ctl_txt(&t, " ");
		ctl_txt_str(&t, ctl_access_name(o->access));
		ctl_txt(&t, "\n");
		ctl_txt_put(&t);
		return 0;
	}
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", obj, id);
	du_print_string(DU_JSON, "source", NULL, ctl_src_name(CTL_SRC_MEM));
	du_print_string(DU_JSON, "what", NULL, mo->name);
	du_print_string(DU_JSON, "mem", NULL, mo->name);
	du_print_u64(DU_JSON, "offset", NULL, o->offset);
	if (c->dry_run && !o->has_iova && !obj) {
		du_print_null(DU_JSON, "iova", NULL);
	} else {
		du_print_hex_u64(DU_JSON, "iova", NULL, iova);
		if (modelled)
			du_print_bool(DU_JSON, "iova_modelled", NULL, true);
	}
	if (len)
		du_print_hex_u64(DU_JSON, "length", NULL, len);
	else
		du_print_null(DU_JSON, "length", NULL);
	du_print_bool(DU_JSON, "fixed", NULL, o->has_iova);
	du_print_bool(DU_JSON, "readable", NULL, o->access & DU_IOMMU_READ);
	du_print_bool(DU_JSON, "writable", NULL, o->access & DU_IOMMU_WRITE);
	ctl_result_close();
	return 0;
}

/*
 * Every other source of ioas map (anonymous memory, a memfd, a file, an
 * fd, a DMA-BUF, an mmap() of an fd or of a BAR) and of vfio-compat map
 * (anonymous memory and the mmap()s: VFIO_IOMMU_MAP_DMA takes addresses
 * only, at a fixed IOVA).
 */
static int map_src(struct ctl *c, struct ioas_opts *o, bool compat)
{
	struct ctl_obj *obj;
	struct ctl_bar bar = { .dev = NULL };
	enum ctl_src src = CTL_SRC_ANON;
	enum ctl_fd_kind fdk = CTL_FD_OTHER;
	enum map_kind kind = MAPK_MEM;
	/* Only what[0] needs a value: "= \"\"" would clear all 4 KiB on
	 * every map line. */
	char what[PATH_MAX + 16];
	const char *ioctl_name = compat ? "VFIO_IOMMU_MAP_DMA" : "IOMMU_IOAS_MAP";
	const char *fdopt = NULL;
	unsigned int flags;
	uint64_t iova, size, mmap_off = 0;
	uint32_t id;
	int nsrc, in_fd = -1, fd = -1, own_fd = -1, unchecked_fd = -1, rc;
	bool by_addr = true, fixed = compat || o->has_iova;
	void *mem = MAP_FAILED;
	struct ctl_map *m;
	struct stat st;
	bool modelled = false;

	what[0] = '\0';
	nsrc = count_sources(o);
	if (nsrc > 1)
		return sources_error(c, compat);
	if (o->device && o->bar < 0)
		return ctl_usage(c, "--device needs --bar (the BAR to map)");
	if (!nsrc && !o->has_length)
		return ctl_usage(c, "--length is required to map anonymous memory");
	if (o->memfd && !o->has_length)
		return ctl_usage(c, "--length is required with --memfd");
	if ((!nsrc || o->memfd) && o->has_offset)
		return ctl_usage(c, compat ? "--offset needs --mmap-fd or --bar" :
				 "--offset needs --file, --fd, --dmabuf-fd, --mmap-fd or --bar");
	if (o->has_iova && o->has_length && o->iova + o->length - 1 < o->iova)
		return ctl_usage(c, "--iova 0x%" PRIx64 " + --length 0x%" PRIx64 " overflows 64 bits",
				 o->iova, o->length);
	if (o->has_length && o->offset + o->length - 1 < o->offset)
		return ctl_usage(c, "--offset + --length overflows 64 bits");

	/* Sources given as fds: check them before anything is created. */
	if (o->fd >= 0) {
		in_fd = o->fd;
		fdopt = "--fd";
	} else if (o->dmabuf_fd >= 0) {
		in_fd = o->dmabuf_fd;
		fdopt = "--dmabuf-fd";
	} else if (o->mmap_fd >= 0) {
		in_fd = o->mmap_fd;
		fdopt = "--mmap-fd";
	}
	/* by address: anonymous memory and the mmap()s */
	by_addr = !o->file && o->fd < 0 && o->dmabuf_fd < 0 && !o->memfd;
	if (in_fd >= 0 && c->dry_run && fcntl(in_fd, F_GETFD) < 0) {
		/* The fd a real run inherits (vfio-dmabuf exec passes the
		 * DMA-BUF it exports) need not exist where a batch is
		 * checked: take it as what the option says it is. */
		unchecked_fd = in_fd;
		src = o->mmap_fd >= 0 ? CTL_SRC_MMAP_FD :
		      o->dmabuf_fd >= 0 ? CTL_SRC_DMABUF : CTL_SRC_FD;
		kind = o->dmabuf_fd >= 0 ? MAPK_DMABUF_FD : MAPK_MEM;
		snprintf(what, sizeof(what), "fd %d", unchecked_fd);
	} else if (in_fd >= 0) {
		fd = in_fd;
		fdk = ctl_fd_kind(fd);
		if (fdk == CTL_FD_CLOSED)
			return ctl_usage(c, "%s %d: no such open file descriptor",
					 fdopt, fd);
		if (o->dmabuf_fd >= 0 && fdk != CTL_FD_DMABUF)
			return ctl_usage(c, "--dmabuf-fd %d is not a DMA-BUF (it is %s)",
					 fd, ctl_describe_fd(fd));
		snprintf(what, sizeof(what), "fd %d", fd);
		if (o->mmap_fd >= 0) {
			rc = ctl_check_fd_access(c, fd, what, o->access);
			if (rc)
				return rc;
			src = CTL_SRC_MMAP_FD;
			kind = fdk != CTL_FD_OTHER ? MAPK_DEVMEM_VA : MAPK_MEM;
		} else {
			src = fdk == CTL_FD_DMABUF ? CTL_SRC_DMABUF : CTL_SRC_FD;
			kind = fdk == CTL_FD_DMABUF ? MAPK_DMABUF_FD : MAPK_MEM;
		}
	} else if (o->file) {
		int oflags = (o->access & DU_IOMMU_WRITE) ? O_RDWR : O_RDONLY;

		own_fd = open(o->file, oflags | O_CLOEXEC);
		if (own_fd < 0)
			return ctl_usage(c, "cannot open '%s': %s", o->file,
					 strerror(errno));
		fd = own_fd;
		src = CTL_SRC_FILE;
		fdk = ctl_fd_kind(fd);
		kind = fdk == CTL_FD_DMABUF ? MAPK_DMABUF_FD : MAPK_MEM;
		snprintf(what, sizeof(what), "%s", o->file);
	}
	if (fd >= 0) {
		bool sized = fdk == CTL_FD_DMABUF ||
			     (fstat(fd, &st) == 0 && S_ISREG(st.st_mode));

		/* Default length: the rest of the file or buffer. */
		if (sized) {
			off_t end = lseek(fd, 0, SEEK_END);

			size = end > 0 ? (uint64_t)end : 0;
			if (!o->has_length) {
				if (o->offset >= size) {
					rc = ctl_usage(c, "--offset 0x%" PRIx64 " is at or past the end of %s (size 0x%" PRIx64 ")",
						       o->offset, what, size);
					goto out;
				}
				o->length = size - o->offset;
				if (o->length % CTL_PAGE_SIZE) {
					rc = ctl_usage(c, "%s: size 0x%" PRIx64 " is not a multiple of the page size: give --length",
						       what, size);
					goto out;
				}
			} else if (o->offset + o->length > size &&
				   (fdk == CTL_FD_DMABUF || by_addr)) {
				rc = ctl_usage(c, "--offset + --length (0x%" PRIx64 ") is past the end of %s (size 0x%" PRIx64 ")",
					       o->offset + o->length,
					       fdk == CTL_FD_DMABUF ? "the DMA-BUF" : what,
					       size);
				goto out;
			}
		} else if (!o->has_length) {
			rc = ctl_usage(c, "%s: cannot tell its size: give --length", what);
			goto out;
		}
		mmap_off = o->offset;
	}
	if (o->bar >= 0) {
		rc = ctl_bar_resolve(c, o->device, (unsigned int)o->bar, &bar);
		if (rc)
			return rc;
		rc = ctl_bar_range(c, &bar, o->offset, o->has_length, &o->length);
		if (rc)
			goto out;
		src = CTL_SRC_BAR;
		kind = MAPK_DEVMEM_VA;
		fdk = CTL_FD_VFIO_DEVICE;
		snprintf(what, sizeof(what), "%s", bar.what);
		if (!c->dry_run)
			fd = bar.dev->dev.fd;
		mmap_off = bar.region_offset + o->offset;
	}
	if (!by_addr)
		ioctl_name = "IOMMU_IOAS_MAP_FILE";
	if (o->has_iova && o->length && o->iova + o->length - 1 < o->iova) {
		rc = ctl_usage(c, "--iova 0x%" PRIx64 " + length 0x%" PRIx64 " overflows 64 bits",
			       o->iova, o->length);
		goto out;
	}

	if (o->memfd)
		src = CTL_SRC_MEMFD;
	rc = resolve_target(c, o, compat, true, &id, &obj);
	if (rc)
		goto out;
	if (c->dry_run) {
		/* What the kernel would do with the IOVA, on the mappings
		 * this context made (length 0: unknown, one page). */
		rc = dry_place(c, obj, ioctl_name, kind, fixed, o->iova,
			       o->length, o->offset, &iova, &modelled);
		if (rc)
			goto out;
		m = obj ? ctl_map_add(obj, iova, o->length, src, o->access,
				      o->offset, what[0] ? what : NULL) : NULL;
		if (obj && !m) {
			rc = ctl_err(c, "out of memory");
			goto out;
		}
		if (m)
			m->modelled = modelled;
		goto done;
	}

	flags = o->access | (o->has_iova ? DU_IOMMU_FIXED : 0);
	iova = o->iova;
	if (o->memfd) {
		own_fd = memfd_create("iommufd-ctl", MFD_CLOEXEC);
		if (own_fd < 0 || ftruncate(own_fd, (off_t)o->length)) {
			rc = ctl_err(c, "memfd of 0x%" PRIx64 " bytes: %s", o->length,
				     strerror(errno));
			goto out;
		}
		fd = own_fd;
	}
	if (!by_addr) {
		rc = du_ioas_map_file(c->iommufd, id, fd, o->offset, o->length,
				      &iova, flags);
	} else {
		if (fd >= 0) {
			rc = ctl_mmap_shared(c, fd, mmap_off, o->length,
					     o->access, fdk, what, &mem);
			if (rc) {
				mem = MAP_FAILED;
				goto out;
			}
		} else {
			mem = mmap(NULL, o->length, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (mem == MAP_FAILED) {
				rc = ctl_err(c, "cannot allocate 0x%" PRIx64 " bytes: %s",
					     o->length, strerror(errno));
				goto out;
			}
		}
		if (compat)
			rc = du_vfio_compat_map_dma(c->iommufd, iova, mem,
						    o->length, o->access);
		else
			rc = du_ioas_map(c->iommufd, id, mem, o->length, &iova,
					 flags);
	}
	if (rc) {
		rc = map_error(c, rc, ioctl_name, kind, obj, o->iova, o->length,
			       fixed);
		goto out;
	}
	m = obj ? ctl_map_add(obj, iova, o->length, src, o->access, o->offset,
			      what[0] ? what : NULL) : NULL;
	if (mem != MAP_FAILED) {
		/* The IOAS refers to the memory: it lives as long as the
		 * mapping (or, for an IOAS this context does not track, as
		 * long as the context); never unmapped on an error here. */
		if (m) {
			m->mem = mem;
			m->memlen = o->length;
		} else if (ctl_mem_keep(c, mem, o->length)) {
			mem = MAP_FAILED;
			rc = ctl_err(c, "out of memory");
			goto out;
		}
		mem = MAP_FAILED;
	}
	if (obj && !m) {
		rc = ctl_err(c, "out of memory");
		goto out;
	}
done:
	bar.bound = false;	/* the device stays bound: it is mapped */
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", obj, id);
	du_printf("ioas %u:", id);
	du_print_string(DU_ANY, "source", " mapped %s", ctl_src_name(src));
	du_print_string(what[0] ? DU_ANY : DU_JSON, "what", " (%s)",
			what[0] ? what : NULL);
	if (src == CTL_SRC_MMAP_FD)
		du_print_int(DU_JSON, "fd", NULL, in_fd);
	if (src == CTL_SRC_BAR) {
		du_print_string(DU_JSON, "device", NULL, bar.dev->pci);
		du_print_int(DU_JSON, "bar", NULL, o->bar);
	}
	if (in_fd >= 0 || o->file || o->memfd || src == CTL_SRC_BAR)
		du_print_u64(DU_ANY, "offset", " offset 0x%" PRIx64, o->offset);
	if (in_fd >= 0)
		du_print_bool(DU_JSON, "fd_checked", NULL, unchecked_fd < 0);
	if (unchecked_fd >= 0)
		du_printf(" (fd %d is not open: not checked in a dry run)",
			  unchecked_fd);
	if (c->dry_run && !fixed && !obj) {
		du_print_null(DU_ANY, "iova", " at a kernel-chosen iova");
	} else {
		du_print_hex_u64(DU_ANY, "iova", " at iova %s", iova);
		if (modelled) {
			du_print_bool(DU_JSON, "iova_modelled", NULL, true);
			du_printf(" (dry run: modelled kernel choice)");
		}
	}
	if (o->length)
		du_print_hex_u64(DU_ANY, "length", " length %s", o->length);
	else
		du_print_null(DU_ANY, "length", " length unknown");
	du_print_bool(DU_JSON, "fixed", NULL, fixed);
	du_print_bool(DU_JSON, "readable", NULL, o->access & DU_IOMMU_READ);
	du_print_bool(DU_JSON, "writable", NULL, o->access & DU_IOMMU_WRITE);
	du_printf(" %s", ctl_access_name(o->access));
	ctl_result_close();
	rc = 0;
out:
	if (mem != MAP_FAILED)
		munmap(mem, o->length);
	if (own_fd >= 0)
		close(own_fd);
	if (rc)
		ctl_bar_undo(c, &bar);
	return rc;
}

#define MAP_SRC_DOC \
	"or an mmap() (shared) that iommufd-ctl makes and maps by address: of the inherited fd N (--mmap-fd: " \
	"a DMA-BUF, a file, a VFIO device fd at the region's offset), or of a BAR of a device bound in this " \
	"context through its VFIO device fd (--device DEV --bar N); the mmap() lasts as long as the mapping."

static int ioas_map(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		O_IOAS,
		{ "iova", OPT_IOVA, "IOVA", 0, "map at this IOVA (default: the kernel chooses)", 0 },
		{ "length", OPT_LENGTH, "SIZE", 0, "bytes to map (default for files, buffers and BARs: from --offset to the end)", 0 },
		{ "offset", OPT_OFFSET, "SIZE", 0, "start at this offset in the file, buffer or BAR (default 0)", 0 },
		{ "file", OPT_FILE, "PATH", 0, "map a file (tmpfs, hugetlbfs)", 0 },
		{ "fd", OPT_FD, "N", 0, "map the inherited fd N (memfd, tmpfs file or DMA-BUF)", 0 },
		{ "dmabuf-fd", OPT_DMABUF_FD, "N", 0, "map the inherited DMA-BUF fd N (refused if it is not one)", 0 },
		{ "memfd", OPT_MEMFD, NULL, 0, "map a fresh memfd of --length bytes", 0 },
		{ "mem", OPT_MEM, "NAME", 0, "map a slice of the memory object NAME ('mem alloc', 'mem open'): --offset, --length (default: the rest)", 0 },
		{ "mmap-fd", OPT_MMAP_FD, "N", 0, "mmap() the inherited fd N and map that address range (IOMMU_IOAS_MAP)", 0 },
		{ "device", OPT_DEVICE, "DEV", 0, "with --bar: the device (a name, or a PCI address bound on first use)", 0 },
		{ "bar", OPT_BAR, "N", 0, "mmap() BAR N of --device through its VFIO fd and map that address range", 0 },
		{ "access", OPT_ACCESS, "rw|r|w", 0, "what the device may do: read and write (default), read, write", 0 },
		O_END,
	};
	struct ioas_opts o;
	int rc;

	rc = parse(c, opts, NULL,
		   "Map memory into an IOAS: without a source, fresh anonymous memory of --length bytes; "
		   "else a memfd, a file or an inherited fd (IOMMU_IOAS_MAP_FILE, which also takes VFIO DMA-BUFs), "
		   "a slice of a memory object made once by 'mem alloc' or 'mem open' (--mem), "
		   MAP_SRC_DOC,
		   argc, argv, &o);
	if (rc)
		return rc;
	if (o.mem)
		return map_mem(c, &o, false);
	return map_src(c, &o, false);
}

int ctl_compat_map(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "iova", OPT_IOVA, "IOVA", 0, "map at this IOVA (required)", 0 },
		{ "length", OPT_LENGTH, "SIZE", 0, "bytes to map (default for buffers and BARs: from --offset to the end)", 0 },
		{ "offset", OPT_OFFSET, "SIZE", 0, "start at this offset in the fd, BAR or memory object (default 0)", 0 },
		{ "mmap-fd", OPT_MMAP_FD, "N", 0, "mmap() the inherited fd N and map that address range", 0 },
		{ "device", OPT_DEVICE, "DEV", 0, "with --bar: the device (a name, or a PCI address bound on first use)", 0 },
		{ "bar", OPT_BAR, "N", 0, "mmap() BAR N of --device through its VFIO fd and map that address range", 0 },
		{ "mem", OPT_MEM, "NAME", 0, "map a slice of the memory object NAME, which must be mapped by address", 0 },
		{ "access", OPT_ACCESS, "rw|r|w", 0, "what the device may do: read and write (default), read, write", 0 },
		O_END,
	};
	struct ioas_opts o;
	int rc;

	rc = parse(c, opts, NULL,
		   "Map memory by address into the IOAS of the VFIO compatibility container (VFIO_IOMMU_MAP_DMA on the iommufd, "
		   "after VFIO_SET_IOMMU type1v2), at a fixed IOVA: without a source, fresh anonymous memory of --length bytes; "
		   "else a slice of a memory object mapped by address (--mem), "
		   MAP_SRC_DOC,
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.has_iova)
		return ctl_usage(c, "--iova is required (VFIO_IOMMU_MAP_DMA has no kernel-chosen IOVA)");
	if (o.mem)
		return map_mem(c, &o, true);
	return map_src(c, &o, true);
}

/* ---- unmap ----------------------------------------------------------------------------- */

static int cut_error(struct ctl *c, const struct ioas_opts *o,
		     const struct ctl_map *m)
{
	if (!m->length_known)
		return ctl_err(c, "[0x%" PRIx64 ", 0x%" PRIx64 ") cuts through the mapping at 0x%" PRIx64 " (length unknown in a dry run): unmap whole mappings",
			       o->iova, o->iova + o->length, m->iova);
	return ctl_err(c, "[0x%" PRIx64 ", 0x%" PRIx64 ") cuts through the mapping at 0x%" PRIx64 " (length 0x%" PRIx64 "): unmap whole mappings",
		       o->iova, o->iova + o->length, m->iova, m->length);
}

/* ioas unmap and vfio-compat unmap (VFIO_IOMMU_UNMAP_DMA, which reports
 * 0 bytes where IOMMU_IOAS_UNMAP fails with ENOENT). */
static int unmap_common(struct ctl *c, struct ioas_opts *o, bool compat)
{
	struct ctl_obj *obj;
	uint64_t unmapped = 0;
	uint32_t id;
	int rc;

	if (o->all && (o->has_iova || o->has_length))
		return ctl_usage(c, "--all excludes --iova and --length");
	if (!o->all && (!o->has_iova || !o->has_length))
		return ctl_usage(c, "give --iova and --length, or --all");
	if (!o->all && o->iova + o->length - 1 < o->iova)
		return ctl_usage(c, "--iova 0x%" PRIx64 " + --length 0x%" PRIx64 " overflows 64 bits",
				 o->iova, o->length);
	rc = resolve_target(c, o, compat, false, &id, &obj);
	if (rc)
		return rc;
	if (c->dry_run) {
		const struct ctl_map *cut = NULL;

		/* The kernel unmaps whole mappings: a range that cuts
		 * through one fails (ENOENT), as does one with nothing. */
		unmapped = 0;
		if (obj)
			ctl_map_unmap_check(obj, o->all ? 0 : o->iova,
					    o->all ? 0 : o->length, &unmapped, &cut);
		if (cut)
			return cut_error(c, o, cut);
	} else {
		if (compat)
			rc = du_vfio_compat_unmap_dma(c->iommufd, o->all ? 0 : o->iova,
						      o->all ? 0 : o->length,
						      &unmapped);
		else
			rc = du_ioas_unmap(c->iommufd, id, o->all ? 0 : o->iova,
					   o->all ? UINT64_MAX : o->length,
					   &unmapped);
		if (rc == -ENOENT && !o->all) {
			const struct ctl_map *m = NULL;
			uint64_t bytes;

			if (obj)
				ctl_map_unmap_check(obj, o->iova, o->length,
						    &bytes, &m);
			if (m)
				return cut_error(c, o, m);
			return ctl_err(c, "nothing mapped in [0x%" PRIx64 ", 0x%" PRIx64 ") of ioas %u (or the range cuts through a mapping)",
				       o->iova, o->iova + o->length, id);
		}
		if (rc == -ENOENT)
			unmapped = 0;
		else if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"%s on ioas %u: %s",
					compat ? "VFIO_IOMMU_UNMAP_DMA" : "IOMMU_IOAS_UNMAP",
					id, strerror(-rc));
	}
	if (obj)
		ctl_map_forget(c, obj, o->all ? 0 : o->iova, o->all ? 0 : o->length);
	if (!unmapped && o->all)
		return ctl_err(c, "nothing was mapped in ioas %u", id);
	if (!unmapped && (c->dry_run || compat))
		return ctl_err(c, "nothing mapped in [0x%" PRIx64 ", 0x%" PRIx64 ") of ioas %u",
			       o->iova, o->iova + o->length, id);
	if (!c->json) {
		/* The hot line of a batch: no printf. */
		struct ctl_txt t;

		ctl_txt_begin(&t);
		ctl_txt(&t, "ioas ");
		ctl_txt_u(&t, id);
		ctl_txt(&t, ": unmapped");
		if (!o->all) {
			ctl_txt(&t, " [");
			ctl_txt_hex(&t, o->iova);
			ctl_txt(&t, " +");
			ctl_txt_hex(&t, o->length);
			ctl_txt(&t, "]");
		}
		ctl_txt(&t, " ");
		ctl_txt_hex(&t, unmapped);
		ctl_txt(&t, " bytes\n");
		ctl_txt_put(&t);
		return 0;
	}
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", obj, id);
	du_printf("ioas %u: unmapped", id);
	du_print_bool(DU_JSON, "all", NULL, o->all);
	if (!o->all) {
		du_print_hex_u64(DU_ANY, "iova", " [%s", o->iova);
		du_print_hex_u64(DU_ANY, "length", " +%s]", o->length);
	}
	du_print_hex_u64(DU_ANY, "unmapped", " %s bytes", unmapped);
	ctl_result_close();
	return 0;
}

static int ioas_unmap(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		O_IOAS,
		{ "iova", OPT_IOVA, "IOVA", 0, "start of the range to unmap", 0 },
		{ "length", OPT_LENGTH, "SIZE", 0, "length of the range to unmap", 0 },
		{ "all", OPT_ALL, NULL, 0, "unmap everything in the IOAS", 0 },
		O_END,
	};
	struct ioas_opts o;
	int rc;

	rc = parse(c, opts, NULL,
		   "Unmap whole mappings inside a range (or --all) and report the bytes unmapped; "
		   "a range that matches nothing, or cuts through a mapping, is an error.",
		   argc, argv, &o);
	if (rc)
		return rc;
	return unmap_common(c, &o, false);
}

int ctl_compat_unmap(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "iova", OPT_IOVA, "IOVA", 0, "start of the range to unmap", 0 },
		{ "length", OPT_LENGTH, "SIZE", 0, "length of the range to unmap", 0 },
		{ "all", OPT_ALL, NULL, 0, "unmap everything (VFIO_DMA_UNMAP_FLAG_ALL)", 0 },
		O_END,
	};
	struct ioas_opts o;
	int rc;

	rc = parse(c, opts, NULL,
		   "Unmap whole mappings of the compatibility container's IOAS inside a range (or --all) with VFIO_IOMMU_UNMAP_DMA "
		   "and report the bytes unmapped; a range that matches nothing, or cuts through a mapping, is an error.",
		   argc, argv, &o);
	if (rc)
		return rc;
	return unmap_common(c, &o, true);
}

/* ---- the hot lines of a batch (hot.c) ---------------------------------------------------- */

/*
 * The object named name, if it is of type: what the line before found
 * when the name is the same and no object was made or removed since (a
 * batch names the same IOAS and memory object line after line), else
 * ctl_find_name()'s answer, kept.  NULL for any other answer (a number, an
 * unknown name, an object of another type): the command resolves the
 * name itself and says what is wrong.
 */
static struct ctl_obj *hot_find(struct ctl *c, struct ctl_hot_ref *r,
				const char *name, enum ctl_obj_type type)
{
	struct ctl_obj *o;

	if (r->obj && r->gen == c->obj_gen && ctl_str_eq(r->name, name))
		return r->obj;
	o = ctl_find_name(c, name);
	if (!o || o->type != type)
		return NULL;
	r->obj = o;
	r->gen = c->obj_gen;
	memcpy(r->name, o->name, sizeof(r->name));
	return o;
}

int ctl_ioas_hot(struct ctl *c, const struct ctl_hot *h)
{
	struct ioas_opts o;

	/* what parse() and ioas_parse() make of the same words */
	opts_init(&o);
	o.ioas = h->has_ioas ? h->ioas : NULL;
	if (h->has_ioas)
		o.ioas_obj = hot_find(c, &c->hot_ioas, h->ioas, CTL_OBJ_IOAS);
	o.iova = h->iova;
	o.has_iova = h->has_iova;
	o.length = h->length;
	o.has_length = h->has_length;
	/* as ctl_dispatch() names the command: "ioas map", "ioas unmap" */
	c->cmd = NULL;
	c->cmd_what = "ioas";
	if (h->cmd == CTL_HOT_UNMAP) {
		c->cmd_word = "unmap";
		return unmap_common(c, &o, false);
	}
	c->cmd_word = "map";
	o.mem = h->mem;
	o.mem_obj = hot_find(c, &c->hot_mem, h->mem, CTL_OBJ_MEM);
	o.offset = h->offset;
	o.has_offset = h->has_offset;
	o.access = h->access;
	return map_mem(c, &o, false);
}

/* ---- copy ---------------------------------------------------------------------------------- */

static int ioas_copy(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "ioas", OPT_IOAS, "IOAS", 0, "the destination IOAS (default: the only one)", 0 },
		{ "src-ioas", OPT_SRC_IOAS, "IOAS", 0, "the IOAS that has the mapping", 0 },
		{ "src-iova", OPT_SRC_IOVA, "IOVA", 0, "where the mapping is in --src-ioas", 0 },
		{ "iova", OPT_IOVA, "IOVA", 0, "destination IOVA (default: the kernel chooses)", 0 },
		{ "length", OPT_LENGTH, "SIZE", 0, "bytes to copy", 0 },
		{ "access", OPT_ACCESS, "rw|r|w", 0, "device access in the destination (default rw)", 0 },
		O_END,
	};
	struct ioas_opts o;
	struct ctl_obj *dst, *srco;
	uint32_t dst_id, src_id;
	uint64_t iova;
	char what[96];
	bool modelled = false;
	int rc;

	rc = parse(c, opts, NULL,
		   "Map the pages behind a range of one IOAS into another, without the memory's owner (IOMMU_IOAS_COPY).",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.src_ioas || !o.has_src_iova || !o.has_length)
		return ctl_usage(c, "--src-ioas, --src-iova and --length are required");
	if (o.src_iova + o.length - 1 < o.src_iova ||
	    (o.has_iova && o.iova + o.length - 1 < o.iova))
		return ctl_usage(c, "an IOVA + --length overflows 64 bits");
	rc = ctl_resolve(c, CTL_OBJ_IOAS, o.src_ioas, &srco, &src_id);
	if (rc)
		return rc;
	if (!o.ioas) {
		/* Default destination: the only other IOAS. */
		struct ctl_obj *only = NULL;
		unsigned int n = 0;

		for (struct ctl_obj *x = ctl_first(c, CTL_OBJ_IOAS); x;
		     x = x->type_next)
			if (x != srco) {
				only = x;
				n++;
			}
		if (n != 1)
			return ctl_usage(c, "say which IOAS to copy to with --ioas");
		dst = only;
		dst_id = only->id;
	} else {
		rc = ctl_resolve(c, CTL_OBJ_IOAS, o.ioas, &dst, &dst_id);
		if (rc)
			return rc;
	}
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	iova = o.iova;
	if (c->dry_run && srco && !ctl_map_covered(srco, o.src_iova, o.length))
		return ctl_err(c, "ioas %u has no mapping covering [0x%" PRIx64 ", +0x%" PRIx64 ") (IOMMU_IOAS_COPY takes whole mappings)",
			       src_id, o.src_iova, o.length);
	if (c->dry_run) {
		rc = dry_place(c, dst, "IOMMU_IOAS_COPY", MAPK_MEM, o.has_iova,
			       o.iova, o.length, 0, &iova, &modelled);
		if (rc)
			return rc;
	} else {
		rc = du_ioas_copy(c->iommufd, dst_id, &iova, src_id, o.src_iova,
				  o.length,
				  o.access | (o.has_iova ? DU_IOMMU_FIXED : 0));
		if (rc == -ENOENT)
			return ctl_err(c, "ioas %u has no mapping covering [0x%" PRIx64 ", +0x%" PRIx64 ") (IOMMU_IOAS_COPY takes whole mappings)",
				       src_id, o.src_iova, o.length);
		if (rc)
			return map_error(c, rc, "IOMMU_IOAS_COPY", MAPK_MEM, dst,
					 o.iova, o.length, o.has_iova);
	}
	if (srco)
		ctl_map_share(srco, o.src_iova, o.length);
	snprintf(what, sizeof(what), "ioas %u iova 0x%" PRIx64, src_id, o.src_iova);
	if (dst) {
		struct ctl_map *m = ctl_map_add(dst, iova, o.length,
						CTL_SRC_COPY, o.access, 0, what);

		if (!m)
			return ctl_err(c, "out of memory");
		m->modelled = modelled;
	}
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", dst, dst_id);
	ctl_print_obj_ref("src_ioas_id", "src_name", srco, src_id);
	du_printf("ioas %u: copied from ioas %u", dst_id, src_id);
	du_print_hex_u64(DU_ANY, "src_iova", " iova %s", o.src_iova);
	if (c->dry_run && !o.has_iova && !dst) {
		du_print_null(DU_ANY, "iova", " to a kernel-chosen iova");
	} else {
		du_print_hex_u64(DU_ANY, "iova", " to iova %s", iova);
		if (modelled) {
			du_print_bool(DU_JSON, "iova_modelled", NULL, true);
			du_printf(" (dry run: modelled kernel choice)");
		}
	}
	du_print_hex_u64(DU_ANY, "length", " length %s", o.length);
	du_print_bool(DU_JSON, "readable", NULL, o.access & DU_IOMMU_READ);
	du_print_bool(DU_JSON, "writable", NULL, o.access & DU_IOMMU_WRITE);
	du_printf(" %s", ctl_access_name(o.access));
	ctl_result_close();
	return 0;
}

static const struct ctl_cmd ioas_cmds[] = {
	{ NULL, ioas_list, NULL },
	{ "alloc", ioas_alloc, "allocate an IOAS: ioas alloc [name NAME]" },
	{ "destroy", ioas_destroy, "destroy an IOAS" },
	{ "list", ioas_list, "the IOASes of this context and their mappings" },
	{ "iova-ranges", ioas_iova_ranges, "usable IOVA ranges and alignment" },
	{ "allow-iovas", ioas_allow_iovas, "restrict the IOVAs the kernel may choose" },
	{ "option", ioas_option, "show or set huge-pages" },
	{ "map", ioas_map, "map anonymous memory, a memfd, a file, a DMA-BUF, or an mmap() of an fd or BAR" },
	{ "unmap", ioas_unmap, "unmap a range or everything" },
	{ "copy", ioas_copy, "map another IOAS's mapping into this one" },
	{ NULL, NULL, NULL },
};

int ctl_cmd_ioas(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, ioas_cmds, "ioas", argc - 1, argv + 1);
}
