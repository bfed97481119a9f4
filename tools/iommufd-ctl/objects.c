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

int ctl_open_iommufd(struct ctl *c)
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
	case CTL_OBJ_MEM: return "mem";
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

/* ---- indexes: chained hash tables over the objects ------------------------- */

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static uint32_t hash_id(enum ctl_obj_type type, uint32_t id)
{
	uint64_t x = ((uint64_t)type << 32 | id) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(x >> 32);
}

static uint32_t hash_pci(const struct du_pci_addr *a)
{
	char pci[DU_PCI_ADDR_STRLEN];

	du_pci_addr_format(a, pci, sizeof(pci));
	return hash_str(pci);
}

static int idx_grow(struct ctl_index *x, int k)
{
	size_t nb = x->nbuckets ? x->nbuckets * 2 : 64;
	struct ctl_obj **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < x->nbuckets; i++) {
		struct ctl_obj *o = x->bucket[i], *next;

		for (; o; o = next) {
			next = o->hnext[k];
			o->hnext[k] = b[o->hash[k] & (nb - 1)];
			b[o->hash[k] & (nb - 1)] = o;
		}
	}
	free(x->bucket);
	x->bucket = b;
	x->nbuckets = nb;
	return 0;
}

static void idx_add(struct ctl *c, int k, struct ctl_obj *o, uint32_t h)
{
	struct ctl_index *x = &c->idx[k];
	size_t i;

	/* Out of memory while growing: longer chains, still correct. */
	if (x->n >= x->nbuckets && idx_grow(x, k) && !x->nbuckets)
		return;
	i = h & (x->nbuckets - 1);
	o->hash[k] = h;
	o->hnext[k] = x->bucket[i];
	x->bucket[i] = o;
	o->indexed[k] = true;
	x->n++;
}

static void idx_del(struct ctl *c, int k, struct ctl_obj *o)
{
	struct ctl_index *x = &c->idx[k];
	struct ctl_obj **pp;

	if (!o->indexed[k])
		return;
	for (pp = &x->bucket[o->hash[k] & (x->nbuckets - 1)]; *pp;
	     pp = &(*pp)->hnext[k]) {
		if (*pp == o) {
			*pp = o->hnext[k];
			break;
		}
	}
	o->indexed[k] = false;
	x->n--;
}

static struct ctl_obj *idx_chain(struct ctl *c, int k, uint32_t h)
{
	struct ctl_index *x = &c->idx[k];

	return x->nbuckets ? x->bucket[h & (x->nbuckets - 1)] : NULL;
}

struct ctl_obj *ctl_find_name(struct ctl *c, const char *name)
{
	for (struct ctl_obj *o = idx_chain(c, CTL_IDX_NAME, hash_str(name)); o;
	     o = o->hnext[CTL_IDX_NAME])
		if (ctl_str_eq(o->name, name))
			return o;
	return NULL;
}

struct ctl_obj *ctl_find_id(struct ctl *c, enum ctl_obj_type type,
			    uint32_t id)
{
	for (struct ctl_obj *o = idx_chain(c, CTL_IDX_ID, hash_id(type, id)); o;
	     o = o->hnext[CTL_IDX_ID])
		if (o->type == type && o->id == id)
			return o;
	return NULL;
}

struct ctl_obj *ctl_find_pci(struct ctl *c, const struct du_pci_addr *a)
{
	for (struct ctl_obj *o = idx_chain(c, CTL_IDX_PCI, hash_pci(a)); o;
	     o = o->hnext[CTL_IDX_PCI])
		if (o->type == CTL_OBJ_DEVICE && du_pci_addr_equal(&o->dev.addr, a))
			return o;
	return NULL;
}

unsigned int ctl_count(struct ctl *c, enum ctl_obj_type type)
{
	return c->type_count[type];
}

struct ctl_obj *ctl_first(struct ctl *c, enum ctl_obj_type type)
{
	return c->type_first[type];
}

struct ctl_obj *ctl_only(struct ctl *c, enum ctl_obj_type type)
{
	return c->type_count[type] == 1 ? c->type_first[type] : NULL;
}

struct ctl_obj *ctl_obj_new(struct ctl *c, enum ctl_obj_type type,
			    const char *name, uint32_t id)
{
	struct ctl_obj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	c->obj_gen++;
	o->type = type;
	o->id = id;
	o->dev.fd = -1;
	o->dev.iommufd = -1;
	o->dev.group_fd = -1;
	o->dev.container_fd = -1;
	if (name)
		snprintf(o->name, sizeof(o->name), "%s", name);
	o->prev = c->objs_last;
	if (c->objs_last)
		c->objs_last->next = o;
	else
		c->objs = o;
	c->objs_last = o;
	o->type_prev = c->type_last[type];
	if (c->type_last[type])
		c->type_last[type]->type_next = o;
	else
		c->type_first[type] = o;
	c->type_last[type] = o;
	c->type_count[type]++;
	if (o->name[0])
		idx_add(c, CTL_IDX_NAME, o, hash_str(o->name));
	idx_add(c, CTL_IDX_ID, o, hash_id(type, id));
	return o;
}

void ctl_obj_set_id(struct ctl *c, struct ctl_obj *o, uint32_t id)
{
	idx_del(c, CTL_IDX_ID, o);
	o->id = id;
	idx_add(c, CTL_IDX_ID, o, hash_id(o->type, id));
}

void ctl_obj_set_pci(struct ctl *c, struct ctl_obj *o,
		     const struct du_pci_addr *a)
{
	idx_del(c, CTL_IDX_PCI, o);
	o->dev.addr = *a;
	du_pci_addr_format(a, o->pci, sizeof(o->pci));
	idx_add(c, CTL_IDX_PCI, o, hash_pci(a));
}

void ctl_obj_remove(struct ctl *c, struct ctl_obj *o)
{
	c->obj_gen++;
	for (int k = 0; k < CTL_IDX_N; k++)
		idx_del(c, k, o);
	if (o->prev)
		o->prev->next = o->next;
	else
		c->objs = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		c->objs_last = o->prev;
	if (o->type_prev)
		o->type_prev->type_next = o->type_next;
	else
		c->type_first[o->type] = o->type_next;
	if (o->type_next)
		o->type_next->type_prev = o->type_prev;
	else
		c->type_last[o->type] = o->type_prev;
	c->type_count[o->type]--;
	if (o->type == CTL_OBJ_DEVICE)
		du_vfio_close(&o->dev);
	if (o->type == CTL_OBJ_MEM)
		ctl_mem_release(c, o);
	ctl_map_forget_all(c, o);
	free(o->allow);
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
	case CTL_SRC_MEM: return "mem";
	case CTL_SRC_MMAP_FD: return "mmap-fd";
	case CTL_SRC_BAR: return "bar";
	}
	return "unknown";
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
	for (struct ctl_obj *o = ctl_first(c, CTL_OBJ_DEVICE); o; o = o->type_next)
		du_vfio_close(&o->dev);
	if (c->iommufd >= 0)
		close(c->iommufd);
	c->iommufd = -1;
	/* The mappings of the IOASes count on the memory objects: those
	 * go last. */
	for (struct ctl_obj *o = c->objs, *next; o; o = next) {
		next = o->next;
		if (o->type != CTL_OBJ_MEM)
			ctl_obj_remove(c, o);
	}
	while (c->objs)
		ctl_obj_remove(c, c->objs);
	ctl_map_spare_free();
	for (int k = 0; k < CTL_IDX_N; k++) {
		free(c->idx[k].bucket);
		memset(&c->idx[k], 0, sizeof(c->idx[k]));
	}
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
	du_print_string(DU_JSON, "command", NULL, ctl_cmd_name(c));
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
	for (const struct ctl_map *m = ioas->maps.first; m; m = m->next) {
		du_out_open_object(NULL);
		du_print_hex_u64(DU_ANY, "iova", "\n  iova %s", m->iova);
		if (m->modelled) {
			du_print_bool(DU_JSON, "iova_modelled", NULL, true);
			du_printf(" (modelled)");
		}
		if (m->length_known) {
			du_print_hex_u64(DU_JSON, "length", NULL, m->length);
			du_printf(" length %s", du_format_size(m->length, sz, sizeof(sz)));
		} else {
			du_print_null(DU_ANY, "length", " length unknown");
		}
		du_print_string(DU_ANY, "source", " %s", ctl_src_name(m->src));
		{
			const char *what = m->memobj ? m->memobj->name : m->what;

			du_print_string(what ? DU_ANY : DU_JSON, "what", " (%s)",
					what);
		}
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
