// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl: the mappings of one IOAS, as a set ordered by IOVA.
 *
 * A treap (a binary search tree kept balanced by random priorities) gives
 * O(log n) insertion, removal and lookup; a list threaded through it in
 * IOVA order gives walks and neighbours.  Every node also holds three
 * values of its subtree: its lowest IOVA, its highest last byte and the
 * largest hole between two of its mappings, so that the dry run finds the
 * lowest free IOVA range the way the kernel would without visiting every
 * mapping.  Mappings never overlap (the kernel refuses it, and so does
 * the dry run), so IOVAs are unique keys.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ctl.h"

/* The kernel never chooses page 0 nor the last page (iopt_alloc_iova()). */
#define IOVA_LOWEST	((uint64_t)CTL_PAGE_SIZE)
#define IOVA_HIGHEST	(UINT64_MAX - CTL_PAGE_SIZE)	/* last usable byte */
#define ALIGN_MAX	(2u << 20)	/* HPAGE_SIZE: cap of the alignment */

/* Nodes of forgotten mappings, for the next ones: a batch mapping and
 * unmapping allocates nothing per line. */
static struct ctl_map *spare;

static struct ctl_map *map_alloc(void)
{
	struct ctl_map *m = spare;

	if (!m)
		return calloc(1, sizeof(*m));
	spare = m->next;
	memset(m, 0, sizeof(*m));
	return m;
}

void ctl_map_spare_free(void)
{
	while (spare) {
		struct ctl_map *m = spare;

		spare = m->next;
		free(m);
	}
}

static uint64_t last_of(const struct ctl_map *m)
{
	return m->iova + (m->length - 1);
}

/* Free bytes strictly between a mapping ending at last and one at start. */
static uint64_t gap(uint64_t last, uint64_t start)
{
	return start > last ? start - last - 1 : 0;
}

static uint32_t next_prio(void)
{
	/* xorshift32: any spread of priorities keeps the treap balanced. */
	static uint32_t x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static void update(struct ctl_map *m)
{
	uint64_t g = 0, last = last_of(m);

	m->min_start = m->left ? m->left->min_start : m->iova;
	m->max_last = m->right ? m->right->max_last : last;
	if (m->left) {
		if (m->left->max_gap > g)
			g = m->left->max_gap;
		if (gap(m->left->max_last, m->iova) > g)
			g = gap(m->left->max_last, m->iova);
	}
	if (m->right) {
		if (m->right->max_gap > g)
			g = m->right->max_gap;
		if (gap(last, m->right->min_start) > g)
			g = gap(last, m->right->min_start);
	}
	m->max_gap = g;
}

static struct ctl_map *rotate_right(struct ctl_map *t)
{
	struct ctl_map *l = t->left;

	t->left = l->right;
	l->right = t;
	update(t);
	update(l);
	return l;
}

static struct ctl_map *rotate_left(struct ctl_map *t)
{
	struct ctl_map *r = t->right;

	t->right = r->left;
	r->left = t;
	update(t);
	update(r);
	return r;
}

static struct ctl_map *insert(struct ctl_map *t, struct ctl_map *m)
{
	if (!t) {
		update(m);
		return m;
	}
	if (m->iova < t->iova) {
		t->left = insert(t->left, m);
		if (t->left->prio > t->prio)
			return rotate_right(t);
	} else {
		t->right = insert(t->right, m);
		if (t->right->prio > t->prio)
			return rotate_left(t);
	}
	update(t);
	return t;
}

/* Join two treaps, every IOVA of a below every IOVA of b. */
static struct ctl_map *join(struct ctl_map *a, struct ctl_map *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (a->prio > b->prio) {
		a->right = join(a->right, b);
		update(a);
		return a;
	}
	b->left = join(a, b->left);
	update(b);
	return b;
}

static struct ctl_map *erase(struct ctl_map *t, struct ctl_map *m)
{
	if (!t)
		return NULL;
	if (t == m)
		return join(t->left, t->right);
	if (m->iova < t->iova)
		t->left = erase(t->left, m);
	else
		t->right = erase(t->right, m);
	update(t);
	return t;
}

struct ctl_map *ctl_map_from(const struct ctl_obj *ioas, uint64_t iova)
{
	struct ctl_map *t = ioas->maps.root, *best = NULL;

	while (t) {
		if (t->iova >= iova) {
			best = t;
			t = t->left;
		} else {
			t = t->right;
		}
	}
	return best;
}

struct ctl_map *ctl_map_add(struct ctl_obj *ioas, uint64_t iova,
			    uint64_t length, enum ctl_src src,
			    unsigned int access, uint64_t offset,
			    const char *what)
{
	struct ctl_maps *s = &ioas->maps;
	struct ctl_map *m = map_alloc(), *next;

	if (!m)
		return NULL;
	m->iova = iova;
	m->length_known = length != 0;
	m->length = length ? length : CTL_PAGE_SIZE;
	m->src = src;
	m->access = access;
	m->offset = offset;
	m->prio = next_prio();
	if (what) {
		m->what = strdup(what);
		if (!m->what) {
			m->next = spare;
			spare = m;
			return NULL;
		}
	}
	/* Thread it into the list before its successor. */
	next = ctl_map_from(ioas, iova);
	m->next = next;
	m->prev = next ? next->prev : s->last;
	if (m->prev)
		m->prev->next = m;
	else
		s->first = m;
	if (next)
		next->prev = m;
	else
		s->last = m;
	s->root = insert(s->root, m);
	s->n++;
	return m;
}

struct ctl_map *ctl_map_overlap(const struct ctl_obj *ioas, uint64_t iova,
				uint64_t length)
{
	uint64_t last = iova + (length - 1);
	struct ctl_map *m = ctl_map_from(ioas, iova);
	struct ctl_map *before = m ? m->prev : ioas->maps.last;

	if (before && last_of(before) >= iova)
		return before;
	if (m && m->iova <= last)
		return m;
	return NULL;
}

/* Inside [iova, last]: the whole mapping. */
static bool inside(const struct ctl_map *m, uint64_t iova, uint64_t last)
{
	return m->iova >= iova && last_of(m) <= last;
}

void ctl_map_unmap_check(const struct ctl_obj *ioas, uint64_t iova,
			 uint64_t length, uint64_t *bytes,
			 const struct ctl_map **cut)
{
	uint64_t last = length ? iova + (length - 1) : UINT64_MAX;
	const struct ctl_map *m;

	*bytes = 0;
	*cut = NULL;
	m = length ? ctl_map_overlap(ioas, iova, length) : ioas->maps.first;
	if (!length)
		iova = 0;
	for (; m && m->iova <= last; m = m->next) {
		if (!inside(m, iova, last)) {
			if (!*cut)
				*cut = m;
			continue;
		}
		*bytes += m->length;
	}
}

bool ctl_map_covered(const struct ctl_obj *ioas, uint64_t iova,
		     uint64_t length)
{
	uint64_t last = iova + (length - 1), next = iova;
	const struct ctl_map *m = ctl_map_overlap(ioas, iova, length);

	if (!length)
		return false;
	for (; m && m->iova <= next; m = m->next) {
		if (last_of(m) >= last)
			return true;
		next = last_of(m) + 1;
	}
	return false;
}

/* ---- choosing an IOVA (dry run) ------------------------------------------ */

struct fit {
	uint64_t lo, hi;	/* window, inclusive */
	uint64_t length, align;
	uint64_t found;
};

/* Does the free range [start, last] hold an aligned block in the window? */
static bool try_hole(uint64_t start, uint64_t last, struct fit *f)
{
	uint64_t a;

	if (start > last)
		return false;
	if (start < f->lo)
		start = f->lo;
	if (last > f->hi)
		last = f->hi;
	if (start > last)
		return false;
	a = (start + (f->align - 1)) & ~(f->align - 1);
	if (a < start || a > last || last - a < f->length - 1)
		return false;
	f->found = a;
	return true;
}

/* The lowest fitting hole between two mappings of subtree t. */
static bool find_hole(const struct ctl_map *t, struct fit *f)
{
	if (!t || t->max_gap < f->length)
		return false;
	if (t->max_last < f->lo || t->min_start > f->hi)
		return false;
	if (find_hole(t->left, f))
		return true;
	if (t->left && t->iova &&
	    try_hole(t->left->max_last + 1, t->iova - 1, f))
		return true;
	if (t->right && try_hole(last_of(t) + 1, t->right->min_start - 1, f))
		return true;
	return find_hole(t->right, f);
}

static bool fit_window(const struct ctl_maps *s, struct fit *f)
{
	if (!s->root)
		return try_hole(0, UINT64_MAX, f);
	if (s->first->iova && try_hole(0, s->first->iova - 1, f))
		return true;
	if (find_hole(s->root, f))
		return true;
	return s->root->max_last != UINT64_MAX &&
	       try_hole(s->root->max_last + 1, UINT64_MAX, f);
}

int ctl_map_choose_iova(const struct ctl_obj *ioas, uint64_t length,
			uint64_t offset, uint64_t *iova)
{
	struct fit f = { .length = length };
	uint64_t align = CTL_PAGE_SIZE;

	/* iopt_alloc_iova() refuses these with EOVERFLOW. */
	if (!length || length >= UINT64_MAX / 2)
		return -EOVERFLOW;
	while (align < length && align < ALIGN_MAX)
		align <<= 1;
	if (offset && (offset & -offset) < align)
		align = offset & -offset;
	if (align < CTL_PAGE_SIZE)
		align = CTL_PAGE_SIZE;
	f.align = align;
	if (!ioas->nallow) {
		f.lo = IOVA_LOWEST;
		f.hi = IOVA_HIGHEST;
		if (fit_window(&ioas->maps, &f))
			goto found;
		return -ENOSPC;
	}
	for (size_t i = 0; i < ioas->nallow; i++) {
		f.lo = ioas->allow[i].start < IOVA_LOWEST ?
		       IOVA_LOWEST : ioas->allow[i].start;
		f.hi = ioas->allow[i].last > IOVA_HIGHEST ?
		       IOVA_HIGHEST : ioas->allow[i].last;
		if (f.lo <= f.hi && fit_window(&ioas->maps, &f))
			goto found;
	}
	return -ENOSPC;
found:
	*iova = f.found;
	return 0;
}

/* ---- forgetting ------------------------------------------------------------ */

static void map_release(struct ctl *c, struct ctl_map *m)
{
	if (m->memobj) {
		if (m->shared)
			m->memobj->memo.untracked = true;
		m->memobj->memo.nmaps--;
	}
	if (m->mem) {
		/* Pages another IOAS took with ioas copy may still be
		 * pinned from this address range later: keep it. */
		if (!m->shared)
			munmap(m->mem, m->memlen);
		else
			(void)ctl_mem_keep(c, m->mem, m->memlen);
			/* (out of memory: leaked rather than unmapped) */
	}
	if (m->what)		/* most have none: no call */
		free(m->what);
	m->next = spare;
	spare = m;
}

static void unlink_map(struct ctl_maps *s, struct ctl_map *m)
{
	s->root = erase(s->root, m);
	if (m->prev)
		m->prev->next = m->next;
	else
		s->first = m->next;
	if (m->next)
		m->next->prev = m->prev;
	else
		s->last = m->prev;
	s->n--;
}

void ctl_map_forget_all(struct ctl *c, struct ctl_obj *ioas)
{
	struct ctl_maps *s = &ioas->maps;

	while (s->first) {
		struct ctl_map *m = s->first;

		s->first = m->next;
		map_release(c, m);
	}
	memset(s, 0, sizeof(*s));
}

void ctl_map_forget(struct ctl *c, struct ctl_obj *ioas, uint64_t iova,
		    uint64_t length)
{
	uint64_t last = iova + (length - 1);
	struct ctl_map *m, *next;

	if (!length) {
		ctl_map_forget_all(c, ioas);
		return;
	}
	for (m = ctl_map_from(ioas, iova); m && m->iova <= last; m = next) {
		next = m->next;
		if (inside(m, iova, last)) {
			unlink_map(&ioas->maps, m);
			map_release(c, m);
		}
	}
}

void ctl_map_share(struct ctl_obj *ioas, uint64_t iova, uint64_t length)
{
	uint64_t last = iova + (length - 1);

	for (struct ctl_map *m = ctl_map_overlap(ioas, iova, length);
	     m && m->iova <= last; m = m->next) {
		m->shared = true;
		if (m->memobj)	/* its pages are now also elsewhere */
			m->memobj->memo.untracked = true;
	}
}
