// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl: the context (one /dev/iommu fd), the objects a script
 * names, the mappings it made, and the JSON/text result of each command.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/output.h"
#include "du/parse.h"
#include "ctl.h"

int ctl_need_iommufd(struct ctl *c)
{
	int fd;

	if (c->iommufd >= 0 || c->dry_run)
		return 0;
	fd = du_iommufd_open();
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
			return ctl_fail(c, DU_EXIT_NOTSUPP,
					"cannot open /dev/iommu: %s (is the kernel built with CONFIG_IOMMUFD and the iommufd module loaded?)",
					strerror(-fd));
		return ctl_err(c, "cannot open /dev/iommu: %s", strerror(-fd));
	}
	c->iommufd = fd;
	return 0;
}

bool ctl_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= CTL_NAME_MAX)
		return false;
	if (!isalpha((unsigned char)name[0]) && name[0] != '_')
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-')
			return false;
	}
	return true;
}

const char *ctl_type_name(enum ctl_obj_type type)
{
	switch (type) {
	case CTL_OBJ_IOAS: return "ioas";
	case CTL_OBJ_HWPT: return "hwpt";
	case CTL_OBJ_DEVICE: return "device";
	}
	return "object";
}

const char *ctl_obj_label(const struct ctl_obj *o, char *buf, size_t len)
{
	if (o->name[0])
		snprintf(buf, len, "%s", o->name);
	else if (o->type == CTL_OBJ_DEVICE)
		snprintf(buf, len, "%s", o->pci);
	else
		snprintf(buf, len, "%u", o->id);
	return buf;
}

struct ctl_obj *ctl_find_name(struct ctl *c, const char *name)
{
	for (struct ctl_obj *o = c->objs; o; o = o->next)
		if (o->name[0] && !strcmp(o->name, name))
			return o;
	return NULL;
}

struct ctl_obj *ctl_find_id(struct ctl *c, enum ctl_obj_type type,
			    uint32_t id)
{
	for (struct ctl_obj *o = c->objs; o; o = o->next)
		if (o->type == type && o->id == id)
			return o;
	return NULL;
}

struct ctl_obj *ctl_find_pci(struct ctl *c, const struct du_pci_addr *a)
{
	for (struct ctl_obj *o = c->objs; o; o = o->next)
		if (o->type == CTL_OBJ_DEVICE &&
		    du_pci_addr_equal(&o->dev.addr, a))
			return o;
	return NULL;
}

unsigned int ctl_count(struct ctl *c, enum ctl_obj_type type)
{
	unsigned int n = 0;

	for (struct ctl_obj *o = c->objs; o; o = o->next)
		n += o->type == type;
	return n;
}

struct ctl_obj *ctl_only(struct ctl *c, enum ctl_obj_type type)
{
	struct ctl_obj *found = NULL;

	for (struct ctl_obj *o = c->objs; o; o = o->next) {
		if (o->type != type)
			continue;
		if (found)
			return NULL;
		found = o;
	}
	return found;
}

struct ctl_obj *ctl_obj_new(struct ctl *c, enum ctl_obj_type type,
			    const char *name, uint32_t id)
{
	struct ctl_obj *o = calloc(1, sizeof(*o)), **pp;

	if (!o)
		return NULL;
	o->type = type;
	o->id = id;
	o->dev.fd = -1;
	o->dev.iommufd = -1;
	o->dev.group_fd = -1;
	o->dev.container_fd = -1;
	if (name)
		snprintf(o->name, sizeof(o->name), "%s", name);
	for (pp = &c->objs; *pp; pp = &(*pp)->next)
		;
	*pp = o;
	return o;
}

static void map_release(struct ctl *c, struct ctl_map *m)
{
	if (m->mem) {
		/* Pages another IOAS took with ioas copy may still be
		 * pinned from this address range later: keep it. */
		if (!m->shared)
			munmap(m->mem, m->memlen);
		else
			(void)ctl_mem_keep(c, m->mem, m->memlen);
			/* (out of memory: leaked rather than unmapped) */
	}
	free(m->what);
	free(m);
}

static void free_maps(struct ctl *c, struct ctl_obj *o)
{
	while (o->maps) {
		struct ctl_map *m = o->maps;

		o->maps = m->next;
		map_release(c, m);
	}
}

void ctl_obj_remove(struct ctl *c, struct ctl_obj *o)
{
	for (struct ctl_obj **pp = &c->objs; *pp; pp = &(*pp)->next) {
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	}
	if (o->type == CTL_OBJ_DEVICE)
		du_vfio_close(&o->dev);
	free_maps(c, o);
	free(o);
}

static bool parse_u32_id(const char *s, uint32_t *id)
{
	return isdigit((unsigned char)s[0]) && !du_parse_u32(s, id);
}

int ctl_resolve(struct ctl *c, enum ctl_obj_type type, const char *ref,
		struct ctl_obj **out, uint32_t *raw_id)
{
	struct ctl_obj *o = ctl_find_name(c, ref);
	uint32_t id;

	*out = NULL;
	if (o) {
		if (o->type != type)
			return ctl_usage(c, "'%s' is a %s, not a%s %s", ref,
					 ctl_type_name(o->type),
					 type == CTL_OBJ_IOAS ? "n" : "",
					 ctl_type_name(type));
		*out = o;
		*raw_id = o->id;
		return 0;
	}
	if (type != CTL_OBJ_DEVICE && parse_u32_id(ref, &id)) {
		/* A kernel object id; it may be one the context does not
		 * track (the HWPT an attach created): the kernel checks. */
		*out = ctl_find_id(c, type, id);
		*raw_id = id;
		return 0;
	}
	if (ctl_name_valid(ref))
		return ctl_usage(c, "unknown %s '%s'", ctl_type_name(type), ref);
	return ctl_usage(c, "invalid %s reference '%s' (a name%s)",
			 ctl_type_name(type), ref,
			 type == CTL_OBJ_DEVICE ? " or a PCI address" :
						  " or an object id");
}

int ctl_resolve_ioas(struct ctl *c, const char *ref, uint32_t *id,
		     struct ctl_obj **out)
{
	struct ctl_obj *o;
	int rc;

	if (ref)
		return ctl_resolve(c, CTL_OBJ_IOAS, ref, out, id);
	o = ctl_only(c, CTL_OBJ_IOAS);
	if (o) {
		*out = o;
		*id = o->id;
		return 0;
	}
	if (ctl_count(c, CTL_OBJ_IOAS))
		return ctl_usage(c, "there are several IOASes: say which with --ioas");
	if (c->batch)
		return ctl_usage(c, "no IOAS: allocate one first ('ioas alloc name A') or give --ioas");
	/* One-shot command: a fresh IOAS that lives as long as the command. */
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	if (c->dry_run) {
		*id = c->next_fake_id++;
	} else {
		rc = du_ioas_alloc(c->iommufd, id);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_IOAS_ALLOC: %s", strerror(-rc));
	}
	o = ctl_obj_new(c, CTL_OBJ_IOAS, NULL, *id);
	if (!o)
		return ctl_err(c, "out of memory");
	o->implicit = true;
	*out = o;
	return 0;
}

const char *ctl_src_name(enum ctl_src src)
{
	switch (src) {
	case CTL_SRC_ANON: return "anon";
	case CTL_SRC_MEMFD: return "memfd";
	case CTL_SRC_FILE: return "file";
	case CTL_SRC_FD: return "fd";
	case CTL_SRC_DMABUF: return "dmabuf";
	case CTL_SRC_COPY: return "copy";
	}
	return "unknown";
}

struct ctl_map *ctl_map_add(struct ctl_obj *ioas, uint64_t iova,
			    uint64_t length, enum ctl_src src,
			    unsigned int access, uint64_t offset,
			    const char *what)
{
	struct ctl_map *m = calloc(1, sizeof(*m)), **pp;

	if (!m)
		return NULL;
	m->iova = iova;
	m->length = length;
	m->src = src;
	m->access = access;
	m->offset = offset;
	if (what) {
		m->what = strdup(what);
		if (!m->what) {
			free(m);
			return NULL;
		}
	}
	/* Keep the list sorted by IOVA. */
	for (pp = &ioas->maps; *pp && (*pp)->iova < iova; pp = &(*pp)->next)
		;
	m->next = *pp;
	*pp = m;
	return m;
}

void ctl_map_share(struct ctl_obj *ioas, uint64_t iova, uint64_t length)
{
	for (struct ctl_map *m = ioas->maps; m; m = m->next)
		if (m->iova < iova + length && iova < m->iova + m->length)
			m->shared = true;
}

void ctl_map_forget(struct ctl *c, struct ctl_obj *ioas, uint64_t iova,
		    uint64_t length)
{
	struct ctl_map **pp = &ioas->maps;

	while (*pp) {
		struct ctl_map *m = *pp;
		bool inside = !length ||
			(m->iova >= iova &&
			 m->iova - iova + m->length <= length);

		if (inside) {
			*pp = m->next;
			map_release(c, m);
		} else {
			pp = &m->next;
		}
	}
}

int ctl_mem_keep(struct ctl *c, void *addr, size_t len)
{
	struct ctl_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->addr = addr;
	m->len = len;
	m->next = c->mem;
	c->mem = m;
	return 0;
}

void ctl_end(struct ctl *c)
{
	/* Devices first (they hold references on the iommufd), then the
	 * iommufd, which destroys every object, then the memory. */
	for (struct ctl_obj *o = c->objs; o; o = o->next)
		if (o->type == CTL_OBJ_DEVICE)
			du_vfio_close(&o->dev);
	if (c->iommufd >= 0)
		close(c->iommufd);
	c->iommufd = -1;
	while (c->objs)
		ctl_obj_remove(c, c->objs);
	while (c->mem) {
		struct ctl_mem *m = c->mem;

		c->mem = m->next;
		munmap(m->addr, m->len);
		free(m);
	}
}

/* ---- results --------------------------------------------------------------- */

void ctl_result_open(struct ctl *c)
{
	du_out_open_object(NULL);
	du_print_string(DU_JSON, "command", NULL, c->cmd);
	if (c->batch)
		du_print_u64(DU_JSON, "line", NULL, c->line);
	if (c->dry_run)
		du_print_bool(DU_JSON, "dry_run", NULL, true);
}

void ctl_result_close(void)
{
	du_print_nl();
	du_out_close_object();
}

void ctl_print_maps(const struct ctl_obj *ioas)
{
	char sz[DU_SIZE_STRLEN];

	du_out_open_array("mappings");
	for (const struct ctl_map *m = ioas->maps; m; m = m->next) {
		du_out_open_object(NULL);
		du_print_hex_u64(DU_ANY, "iova", "\n  iova %s", m->iova);
		du_print_hex_u64(DU_JSON, "length", NULL, m->length);
		du_printf(" length %s", du_format_size(m->length, sz, sizeof(sz)));
		du_print_string(DU_ANY, "source", " %s", ctl_src_name(m->src));
		du_print_string(m->what ? DU_ANY : DU_JSON, "what", " (%s)", m->what);
		du_print_u64(m->src == CTL_SRC_ANON || m->src == CTL_SRC_COPY ?
			     DU_JSON : DU_ANY, "offset", " offset 0x%" PRIx64, m->offset);
		du_print_string(DU_ANY, "access", " %s", ctl_access_name(m->access));
		du_out_close_object();
	}
	du_out_close_array();
}

void ctl_print_obj_ref(const char *key_id, const char *key_name,
		       const struct ctl_obj *o, uint32_t id)
{
	du_print_u64(DU_JSON, key_id, NULL, id);
	du_print_string(DU_JSON, key_name, NULL,
			o && o->name[0] ? o->name : NULL);
}
