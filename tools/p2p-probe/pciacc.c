// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2p-probe on pciutils' libpci (see pciacc.h).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "du/exitcodes.h"

#include "pciacc.h"

static struct pci_access *pacc;
static bool dump_mode;
static char source[PATH_MAX + 32];
/* what libpci was doing, for its error messages */
static const char *context = "libpci";
static char context_buf[PATH_MAX + 8];

static void pa_error(char *msg, ...) __attribute__((format(printf, 1, 2),
						     noreturn));
static void pa_error(char *msg, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	/* libpci ends some messages with a newline */
	buf[strcspn(buf, "\n")] = '\0';
	fflush(stdout);
	du_err("%s: %s", context, buf);
	exit(DU_EXIT_USAGE);
}

static void pa_warning(char *msg, ...) __attribute__((format(printf, 1, 2)));
static void pa_warning(char *msg, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	buf[strcspn(buf, "\n")] = '\0';
	du_warn("%s: %s", context, buf);
}

static void pa_debug(char *msg, ...) __attribute__((format(printf, 1, 2)));
static void pa_debug(char *msg, ...)
{
	(void)msg;
}

int pa_open(const struct pa_config *c)
{
	char path[PATH_MAX];
	FILE *f;

	pacc = pci_alloc();
	if (!pacc) {
		du_err("out of memory");
		return DU_EXIT_FAILURE;
	}
	pacc->error = pa_error;
	pacc->warning = pa_warning;
	pacc->debug = pa_debug;
	/*
	 * Names come from pci.ids only: no ~/.pciids-cache, no DNS, and no
	 * udev hwdb (libpci 3.9 leaks a udev context per lookup when the
	 * hwdb is missing, and it would make names depend on the host).
	 */
	pacc->id_lookup_mode = PCI_LOOKUP_NO_HWDB;
	if (c->ids) {
		char *dup;

		f = fopen(c->ids, "re");
		if (!f) {
			du_err("-i: cannot read %s: %s", c->ids,
			       strerror(errno));
			return DU_EXIT_USAGE;
		}
		fclose(f);
		dup = strdup(c->ids);
		if (!dup) {
			du_err("out of memory");
			return DU_EXIT_FAILURE;
		}
		pci_set_name_list_path(pacc, dup, 1);
	}
	if (c->dump) {
		struct stat st;

		/* libpci's dump reader gives no reason for a missing file,
		 * and reads a directory as an empty dump */
		f = fopen(c->dump, "re");
		if (!f || fstat(fileno(f), &st) || S_ISDIR(st.st_mode)) {
			du_err("-F: cannot read %s: %s", c->dump,
			       f ? S_ISDIR(st.st_mode) ? "Is a directory" :
			       strerror(errno) : strerror(errno));
			if (f)
				fclose(f);
			return DU_EXIT_USAGE;
		}
		fclose(f);
		pacc->method = PCI_ACCESS_DUMP;
		snprintf(path, sizeof(path), "%s", c->dump);
		pci_set_param(pacc, (char *)"dump.name", path);
		snprintf(source, sizeof(source), "the dump file %s", c->dump);
		dump_mode = true;
	} else {
		pacc->method = PCI_ACCESS_SYS_BUS_PCI;
		snprintf(path, sizeof(path), "%s/bus/pci", du_sysfs_root());
		pci_set_param(pacc, (char *)"sysfs.path", path);
		snprintf(source, sizeof(source), "%s", du_sysfs_root());
	}
	if (c->dump) {
		snprintf(context_buf, sizeof(context_buf), "-F %s", c->dump);
		context = context_buf;
	}
	pci_init(pacc);
	if (dump_mode) {
		pci_scan_bus(pacc);
		if (!pacc->devices) {
			du_err("-F: %s holds no device (expected the output of lspci -x)",
			       c->dump);
			return DU_EXIT_USAGE;
		}
	}
	/* now, not halfway through the output: a malformed file ends us */
	context = c->ids ? "-i" : "pci.ids";
	pci_load_name_list(pacc);
	context = "libpci";
	return 0;
}

void pa_close(void)
{
	if (pacc)
		pci_cleanup(pacc);
	pacc = NULL;
	dump_mode = false;
}

bool pa_dump_mode(void)
{
	return dump_mode;
}

const char *pa_source(void)
{
	return source;
}

static struct pci_dev *dump_find(const struct du_pci_addr *a)
{
	for (struct pci_dev *d = pacc->devices; d; d = d->next)
		if ((uint32_t)d->domain == a->domain && d->bus == a->bus &&
		    d->dev == a->dev && d->func == a->fn)
			return d;
	return NULL;
}

struct pci_dev *pa_get_dev(const struct du_pci_addr *a)
{
	if (dump_mode)
		return dump_find(a);
	if (a->domain > INT_MAX)
		return NULL;
	return pci_get_dev(pacc, (int)a->domain, a->bus, a->dev, a->fn);
}

void pa_put_dev(struct pci_dev *d)
{
	if (d && !dump_mode)
		pci_free_dev(d);
}

static int cmp_dev(const void *x, const void *y)
{
	const struct pci_dev *a = *(struct pci_dev *const *)x;
	const struct pci_dev *b = *(struct pci_dev *const *)y;

	if (a->domain != b->domain)
		return (unsigned int)a->domain < (unsigned int)b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return a->func < b->func ? -1 : a->func > b->func ? 1 : 0;
}

int pa_dump_for_each(du_pci_iter_fn fn, void *arg)
{
	struct pci_dev **v;
	size_t n = 0, i;
	int ret = 0;

	for (struct pci_dev *d = pacc->devices; d; d = d->next)
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	i = 0;
	for (struct pci_dev *d = pacc->devices; d; d = d->next)
		v[i++] = d;
	qsort(v, n, sizeof(*v), cmp_dev);
	for (i = 0; i < n && !ret; i++) {
		struct du_pci_addr a = {
			.domain = (uint32_t)v[i]->domain, .bus = v[i]->bus,
			.dev = v[i]->dev, .fn = v[i]->func,
		};

		ret = fn(&a, arg);
	}
	free(v);
	return ret;
}

int pa_dump_parent(const struct du_pci_addr *a, struct du_pci_addr *up)
{
	for (struct pci_dev *d = pacc->devices; d; d = d->next) {
		int ht = pci_read_byte(d, PCI_HEADER_TYPE) & 0x7f;

		if ((uint32_t)d->domain != a->domain || d->bus >= a->bus ||
		    (ht != PCI_HEADER_TYPE_BRIDGE &&
		     ht != PCI_HEADER_TYPE_CARDBUS) ||
		    pci_read_byte(d, PCI_SECONDARY_BUS) != a->bus)
			continue;
		up->domain = (uint32_t)d->domain;
		up->bus = d->bus;
		up->dev = d->dev;
		up->fn = d->func;
		return 0;
	}
	return -ENOENT;
}

int pa_dump_first_on_bus(uint32_t domain, unsigned int bus,
			 struct du_pci_addr *first)
{
	bool have = false;

	for (struct pci_dev *d = pacc->devices; d; d = d->next) {
		if ((uint32_t)d->domain != domain || d->bus != bus)
			continue;
		if (have && (d->dev > first->dev ||
			     (d->dev == first->dev && d->func >= first->fn)))
			continue;
		first->domain = domain;
		first->bus = (uint8_t)bus;
		first->dev = d->dev;
		first->fn = d->func;
		have = true;
	}
	return have ? 0 : -ENOENT;
}

int pa_find_cap(struct pci_dev *d, unsigned int id, unsigned int type)
{
	struct pci_cap *c = pci_find_cap(d, id, type);

	return c ? (int)c->addr : -1;
}

static void lookup(char *buf, size_t len, int flags, ...)
{
	char name[256];
	const char *s;
	va_list ap;

	va_start(ap, flags);
	/* pci_lookup_name() is variadic: pass the IDs on as ints */
	if (flags & PCI_LOOKUP_DEVICE) {
		int v = va_arg(ap, int), dv = va_arg(ap, int);

		s = pci_lookup_name(pacc, name, sizeof(name),
				    flags | PCI_LOOKUP_NO_NUMBERS, v, dv);
	} else {
		int v = va_arg(ap, int);

		s = pci_lookup_name(pacc, name, sizeof(name),
				    flags | PCI_LOOKUP_NO_NUMBERS, v);
	}
	va_end(ap);
	snprintf(buf, len, "%s", s ? s : "");
}

void pa_vendor_name(uint16_t vendor, char *buf, size_t len)
{
	lookup(buf, len, PCI_LOOKUP_VENDOR, (int)vendor);
}

void pa_device_name(uint16_t vendor, uint16_t device, char *buf, size_t len)
{
	lookup(buf, len, PCI_LOOKUP_DEVICE, (int)vendor, (int)device);
}

/* ---- filters ----------------------------------------------------------- */

void pa_filter_init(struct pa_filter *f)
{
	memset(f, 0, sizeof(*f));
	pci_filter_init(NULL, &f->f);
}

const char *pa_filter_slot(struct pa_filter *f, const char *arg)
{
	char *dup = strdup(arg);
	const char *err;

	if (!dup)
		return "out of memory";
	err = pci_filter_parse_slot(&f->f, dup);
	free(dup);
	if (!err)
		f->slot = true;
	return err;
}

const char *pa_filter_id(struct pa_filter *f, const char *arg)
{
	char *dup = strdup(arg);
	const char *err;

	if (!dup)
		return "out of memory";
	err = pci_filter_parse_id(&f->f, dup);
	free(dup);
	if (!err)
		f->id = true;
	return err;
}

bool pa_filter_active(const struct pa_filter *f)
{
	return f->slot || f->id;
}

bool pa_filter_match(const struct pa_filter *f, const struct du_pci_addr *a,
		     const struct du_pci_ids *ids)
{
	struct pci_filter pf = f->f;
	struct pci_dev *d;
	bool ok;

	if (a->domain > INT_MAX)
		return false;
	/* a handle of our own, filled with what we read: the filter then
	 * reads nothing itself, from sysfs or a dump alike */
	d = pci_get_dev(pacc, (int)a->domain, a->bus, a->dev, a->fn);
	d->vendor_id = ids->vendor;
	d->device_id = ids->device;
	d->device_class = (uint16_t)(ids->class >> 8);
	d->prog_if = (uint8_t)ids->class;
	d->known_fields |= PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT;
	ok = pci_filter_match(&pf, d);
	pci_free_dev(d);
	return ok;
}
