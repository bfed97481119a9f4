// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2p-probe: predict, and with --verify try, PCI peer-to-peer DMA between
 * devices: the path through the hierarchy, ACS along it, the host bridge
 * allowlist and the P2PDMA map type Linux 7.3.4 would choose; for many
 * devices a matrix in the style of `nvidia-smi topo -m`.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "du/argp-exact.h"
#include "du/cli.h"
#include "du/errname.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "du/parse.h"
#include "du/pci.h"
#include "du/table.h"

#include "p2p-probe.h"
#include "pciacc.h"
#include "topo.h"

#ifndef PACKAGE_VERSION
# define PACKAGE_VERSION "unknown"
#endif

const char *argp_program_version = DU_VERSION_STRING("p2p-probe");

#define MAX_DEVICES 256

enum {
	OPT_VERIFY = 0x100,
	OPT_SYSFS_ROOT,
	OPT_BYTES,
};

struct opts {
	bool json;
	bool pretty;
	bool matrix;
	bool verify;
	bool all;
	int bar;			/* -1: choose */
	const char *sysfs_root;
	const char *dump;		/* -F */
	const char *ids;		/* -i */
	struct pa_filter filter;	/* -s, -d */
	struct du_table_opts topts;	/* -o, -n, -r, --bytes, -H, -J */
	struct du_pci_addr devs[MAX_DEVICES];
	size_t n_devs;
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Modes:", 1 },
	{ "matrix", 'm', NULL, 0,
	  "Compare every pair of DEVICEs (default: the devices bound to vfio-pci, else every endpoint with a memory BAR)", 1 },
	{ "verify", OPT_VERIFY, NULL, 0,
	  "Also try it: export a DMA-BUF of PROVIDER's BAR and map it into an IOAS attached to CLIENT (both bound to vfio-pci; needs root); with an edu CLIENT, DMA through it and check the bytes; then map the BAR and the buffer by the address of their mmap() (IOMMU_IOAS_MAP: does this kernel take BARs by address?).  With --matrix: every pair", 1 },
	{ NULL, 0, NULL, 0, "Options:", 2 },
	{ "all", 'a', NULL, 0,
	  "With --matrix and no DEVICE: every endpoint with a memory BAR, even when some devices are bound to vfio-pci", 2 },
	{ "bar", 'b', "N", 0,
	  "With --verify: the provider BAR to export (default: its largest memory BAR)", 2 },
	{ "slot", 's', "[[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]", 0,
	  "With --matrix and no DEVICE: only devices in this slot, as lspci -s", 2 },
	{ "device-id", 'd', "[VENDOR]:[DEVICE][:CLASS[:PROGIF]]", 0,
	  "With --matrix and no DEVICE: only devices with these IDs, as lspci -d", 2 },
	{ "sysfs-root", OPT_SYSFS_ROOT, "DIR", 0,
	  "Read sysfs (and config space) from DIR instead of /sys, e.g. a tree recorded by p2p-record (-s up to 0.1.0)", 2 },
	{ "dump", 'F', "FILE", 0,
	  "Read config space from FILE, the output of lspci -x (-xxxx as root for ACS), as lspci -F: no sysfs", 2 },
	{ "pci-ids", 'i', "FILE", 0,
	  "Device names from FILE instead of pci.ids, as lspci -i", 2 },
	{ "json", 'j', NULL, 0, "JSON output (the schema is in p2p-probe(1))", 2 },
	{ "pretty", 'p', NULL, 0, "Indent the JSON output", 2 },
	/* -h, -?, --help, --usage, -V, --version: du_argp_parse() */
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const char doc[] =
	"Predict (and with --verify try) PCI peer-to-peer DMA between devices."
	"\v"
	"PROVIDER exposes the memory (a BAR), CLIENT does the DMA.  Devices are "
	"PCI addresses, DDDD:BB:DD.F or BB:DD.F.  The verdict follows "
	"drivers/pci/p2pdma.c of Linux 7.3.4 for importers that use the DMA "
	"API; iommufd, which maps VFIO DMA-BUFs, does not check it.  "
	"Exit status: 0 ok, 1 failure (with --verify: the kernel refused or "
	"the bytes did not arrive), 2 usage error or bad input, 3 the kernel "
	"lacks VFIO DMA-BUF export.";

static const char args_doc[] = "PROVIDER CLIENT\n--matrix [DEVICE...]";

static FILE *null_stream;

/*
 * The listing options of du/table.h as an argp child, but --bytes without
 * its short form: -b has been --bar since p2p-probe's first version.
 */
static struct argp_option table_options[24];
static struct argp table_argp;

static error_t table_parse(int key, char *arg, struct argp_state *state)
{
	return du_table_argp.parser(key == OPT_BYTES ? 'b' : key, arg, state);
}

static void init_table_argp(void)
{
	const struct argp_option *op = du_table_argp.options;
	size_t i;

	for (i = 0; i + 1 < sizeof(table_options) / sizeof(table_options[0]) &&
		    (op[i].name || op[i].key || op[i].doc); i++) {
		table_options[i] = op[i];
		if (op[i].key == 'b')
			table_options[i].key = OPT_BYTES;
		/* --json is -j's; -J stays its alias */
		if (op[i].key == 'J')
			table_options[i].name = NULL;
	}
	memset(&table_options[i], 0, sizeof(table_options[i]));
	table_argp = du_table_argp;
	table_argp.options = table_options;
	table_argp.parser = table_parse;
}

/* One line on stderr naming what was wrong; the caller exits 2. */
static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	du_verr(fmt, ap);
	va_end(ap);
	return EINVAL;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	const char *err;
	unsigned int bar;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->topts;
		/* argp's "Try --help" hint would be a second line */
		if (null_stream)
			state->err_stream = null_stream;
		break;
	case 'm':
		o->matrix = true;
		break;
	case OPT_VERIFY:
		o->verify = true;
		break;
	case 'a':
		o->all = true;
		break;
	case 'b':
		if (du_parse_bar(arg, &bar))
			return usage_error("--bar: '%s' is not a BAR index (0-5)",
					   arg);
		o->bar = (int)bar;
		break;
	case OPT_SYSFS_ROOT:
		o->sysfs_root = arg;
		break;
	case 's':
		if (o->filter.slot)
			return usage_error("-s: given twice (one slot filter, as in lspci)");
		err = pa_filter_slot(&o->filter, arg);
		if (err)
			return usage_error("-s: '%s' is not a slot ([[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]): %s",
					   arg, err);
		break;
	case 'd':
		if (o->filter.id)
			return usage_error("-d: given twice (one ID filter, as in lspci)");
		err = pa_filter_id(&o->filter, arg);
		if (err)
			return usage_error("-d: '%s' is not an ID filter ([VENDOR]:[DEVICE][:CLASS[:PROGIF]]): %s",
					   arg, err);
		break;
	case 'F':
		o->dump = arg;
		break;
	case 'i':
		o->ids = arg;
		break;
	case 'j':
		o->json = true;
		break;
	case 'p':
		o->pretty = true;
		break;
	case ARGP_KEY_ARG:
		if (o->n_devs == MAX_DEVICES)
			return usage_error("too many devices (at most %d)",
					   MAX_DEVICES);
		if (du_parse_pci_addr(arg, &o->devs[o->n_devs]))
			return usage_error("'%s' is not a PCI address (DDDD:BB:DD.F or BB:DD.F)",
					   arg);
		for (size_t i = 0; i < o->n_devs; i++)
			if (du_pci_addr_equal(&o->devs[i], &o->devs[o->n_devs]))
				return usage_error("%s is given twice%s", arg,
						   o->matrix ? "" :
						   ": provider and client must be different devices");
		o->n_devs++;
		break;
	case ARGP_KEY_END:
		if (o->topts.json)
			o->json = true;		/* -J */
		if (o->topts.list_columns)
			break;			/* nothing else matters */
		if (o->all && !o->matrix)
			return usage_error("--all needs --matrix");
		if (o->all && o->n_devs)
			return usage_error("--all and a list of devices exclude each other");
		if (o->bar >= 0 && !o->verify)
			return usage_error("--bar needs --verify");
		if (o->verify && o->sysfs_root)
			return usage_error("--verify works on the live system only, not with --sysfs-root");
		if (o->verify && o->dump)
			return usage_error("--verify works on the live system only, not with -F");
		if (o->dump && o->sysfs_root)
			return usage_error("-F and --sysfs-root exclude each other: a dump file replaces sysfs");
		if (pa_filter_active(&o->filter) && !o->matrix)
			return usage_error("-s and -d select devices for --matrix");
		if (pa_filter_active(&o->filter) && o->n_devs)
			return usage_error("-s/-d and a list of devices exclude each other");
		if (!o->matrix && o->n_devs != 2)
			return usage_error(o->n_devs < 2 ?
					   "need a PROVIDER and a CLIENT device (or --matrix)" :
					   "too many devices: give PROVIDER CLIENT, or use --matrix");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* ---- printing ---------------------------------------------------------- */

static void print_tri(const char *key, enum tri v)
{
	if (v == TRI_UNKNOWN)
		du_print_null(DU_JSON, key, NULL);
	else
		du_print_bool(DU_JSON, key, NULL, v == TRI_YES);
}

static const char *tri_text(enum tri v, const char *yes, const char *no)
{
	return v == TRI_YES ? yes : v == TRI_NO ? no : "unknown";
}

/* ---- the device list: one column table (du/table.h) ------------------- */

/*
 * The columns of the device list: the matrix's D0, D1 ... list in text,
 * the "devices" array in JSON.  Without -o the JSON has every keyed
 * column in this order (the schema of p2p-probe(1)), text the default
 * ones.
 */
enum {
	COL_ID, COL_ADDRESS, COL_VENDOR, COL_DEVICE, COL_IDS, COL_VENDOR_NAME,
	COL_DEVICE_NAME, COL_NAME, COL_CLASS, COL_TYPE, COL_DRIVER, COL_GROUP,
	COL_NUMA, COL_HB, COL_CONFIG, COL_BARS, NCOLS
};

static const struct du_column dev_cols[NCOLS] = {
	[COL_ID] = { "ID", NULL, DU_COL_STR, DU_COL_DEFAULT,
		     "the device's label in the matrix (D0, D1 ...)" },
	[COL_ADDRESS] = { "ADDRESS", "address", DU_COL_STR, DU_COL_DEFAULT,
			  "PCI address, DDDD:BB:DD.F" },
	[COL_VENDOR] = { "VENDOR", "vendor", DU_COL_U64, DU_COL_RIGHT,
			 "vendor ID" },
	[COL_DEVICE] = { "DEVICE", "device", DU_COL_U64, DU_COL_RIGHT,
			 "device ID" },
	[COL_IDS] = { "IDS", NULL, DU_COL_STR, DU_COL_DEFAULT,
		      "VENDOR:DEVICE in hexadecimal, as lspci -nn" },
	[COL_VENDOR_NAME] = { "VENDOR-NAME", "vendor_name", DU_COL_STR, 0,
			      "vendor name from pci.ids" },
	[COL_DEVICE_NAME] = { "DEVICE-NAME", "device_name", DU_COL_STR, 0,
			      "device name from pci.ids" },
	[COL_NAME] = { "NAME", NULL, DU_COL_STR, DU_COL_DEFAULT | DU_COL_TRUNC,
		       "vendor and device name, as lspci shows them" },
	[COL_CLASS] = { "CLASS", "class", DU_COL_U64, DU_COL_RIGHT,
			"class code (24 bits: base, sub, prog-if)" },
	[COL_TYPE] = { "TYPE", "type", DU_COL_STR, DU_COL_DEFAULT,
		       "PCIe device/port type (JSON: a key; null when unreadable)" },
	[COL_DRIVER] = { "DRIVER", "driver", DU_COL_STR, DU_COL_DEFAULT,
			 "bound driver" },
	[COL_GROUP] = { "GROUP", "iommu_group", DU_COL_INT,
			DU_COL_DEFAULT | DU_COL_RIGHT, "IOMMU group" },
	[COL_NUMA] = { "NUMA", "numa_node", DU_COL_INT, DU_COL_RIGHT,
		       "NUMA node" },
	[COL_HB] = { "HOST-BRIDGE", "host_bridge", DU_COL_STR, DU_COL_DEFAULT,
		     "host bridge of its hierarchy (pciDDDD:BB)" },
	[COL_CONFIG] = { "CONFIG", "config_access", DU_COL_STR, 0,
			 "config space read: full, or restricted (header only)" },
	[COL_BARS] = { "BARS", "memory_bars", DU_COL_NESTED, DU_COL_DEFAULT,
		       "memory BARs (JSON: index, start, size, prefetchable, is_64bit)" },
};

static bool bytes_opt;		/* --bytes: BAR sizes in bytes */

/* what the memory_bars callback gets */
struct bars_cell {
	struct du_pci_bar bars[DU_PCI_NUM_BARS];
	bool sized[DU_PCI_NUM_BARS];	/* a memory BAR */
	bool from_dump;
};

static void bars_json(const char *key, const void *data)
{
	const struct bars_cell *c = data;

	du_out_open_array(key);
	for (int i = 0; i < DU_PCI_NUM_BARS; i++) {
		const struct du_pci_bar *b = &c->bars[i];

		if (!c->sized[i])
			continue;
		du_out_open_object(NULL);
		du_print_u64(DU_JSON, "index", NULL, b->index);
		du_print_hex_u64(DU_JSON, "start", NULL, b->start);
		if (c->from_dump)
			du_print_null(DU_JSON, "size", NULL);
		else
			du_print_u64(DU_JSON, "size", NULL, b->size);
		du_print_bool(DU_JSON, "prefetchable", NULL,
			      b->flags & DU_BAR_PREFETCH);
		du_print_bool(DU_JSON, "is_64bit", NULL, b->flags & DU_BAR_64);
		du_out_close_object();
	}
	du_out_close_array();
}

static const char *device_name_text(const struct p2p_node *n, char *buf,
				    size_t len);

static void device_row(struct du_table *t, size_t i, const struct p2p_node *n)
{
	struct du_row *r = du_table_new_row(t);
	struct bars_cell bc;
	char buf[384], text[160] = "";
	size_t l;

	snprintf(buf, sizeof(buf), "D%zu", i);
	du_row_set_str(r, COL_ID, buf);
	du_row_set_str(r, COL_ADDRESS, n->name);
	du_row_set_u64(r, COL_VENDOR, n->ids.vendor);
	du_row_set_u64(r, COL_DEVICE, n->ids.device);
	snprintf(buf, sizeof(buf), "%04x:%04x", n->ids.vendor, n->ids.device);
	du_row_set_str(r, COL_IDS, buf);
	du_row_set_str(r, COL_VENDOR_NAME,
		       n->vendor_name[0] ? n->vendor_name : NULL);
	du_row_set_str(r, COL_DEVICE_NAME,
		       n->device_name[0] ? n->device_name : NULL);
	device_name_text(n, buf, sizeof(buf));
	buf[strcspn(buf, "\0")] = '\0';
	l = strlen(buf);
	if (l && buf[l - 1] == ' ')
		buf[l - 1] = '\0';
	du_row_set_str(r, COL_NAME, buf[0] ? buf : NULL);
	du_row_set_u64(r, COL_CLASS, n->ids.class);
	du_row_set_str(r, COL_TYPE, du_out_is_json() ? node_type_key(n)
						     : node_type_text(n));
	du_row_set_str(r, COL_DRIVER, n->driver[0] ? n->driver : NULL);
	if (n->iommu_group >= 0)
		du_row_set_int(r, COL_GROUP, n->iommu_group);
	if (n->numa_node >= 0)
		du_row_set_int(r, COL_NUMA, n->numa_node);
	du_row_set_str(r, COL_HB, n->hb->name);
	du_row_set_str(r, COL_CONFIG,
		       n->cfg_access == CFG_FULL ? "full" : "restricted");
	memset(&bc, 0, sizeof(bc));
	memcpy(bc.bars, n->bars, sizeof(bc.bars));
	bc.from_dump = n->from_dump;
	for (int b = 0; b < DU_PCI_NUM_BARS; b++) {
		char sz[DU_SIZE_STRLEN];

		bc.sized[b] = node_mem_bar(n, b);
		if (!bc.sized[b])
			continue;
		l = strlen(text);
		snprintf(text + l, sizeof(text) - l, "%sBAR%d %s%s",
			 l ? "," : "", b,
			 n->from_dump ? "?" : bytes_opt ?
			 (snprintf(sz, sizeof(sz), "%" PRIu64, n->bars[b].size), sz) :
			 du_format_size(n->bars[b].size, sz, sizeof(sz)),
			 (n->bars[b].flags & DU_BAR_PREFETCH) ? " pref" : "");
	}
	du_row_set_nested(r, COL_BARS, text[0] ? text : NULL, bars_json, &bc,
			  sizeof(bc));
}

/* The table of the -o etc. options: made before any output, so that a
 * bad -o is a usage error with nothing on stdout. */
static struct du_table *dev_table;

static void free_dev_table(void)
{
	du_table_free(dev_table);
	dev_table = NULL;
}

static int print_device_list(struct p2p_node *const *nodes, size_t n)
{
	int ret;

	for (size_t i = 0; i < n; i++)
		device_row(dev_table, i, nodes[i]);
	ret = du_table_print(dev_table, "devices");
	if (ret)
		du_err("cannot print the device list: %s", strerror(-ret));
	return ret ? DU_EXIT_FAILURE : 0;
}

/* "0x<start> size 64M" of the memory BARs, for text */
static void print_bars_text(const struct p2p_node *n)
{
	bool any = false;

	for (int i = 0; i < DU_PCI_NUM_BARS; i++) {
		const struct du_pci_bar *b = &n->bars[i];
		char sz[DU_SIZE_STRLEN];

		if (!node_mem_bar(n, i))
			continue;
		du_printf("%s BAR%d %s%s", any ? "," : " memory", i,
			  n->from_dump ? "size?" :
			  du_format_size(b->size, sz, sizeof(sz)),
			  (b->flags & DU_BAR_PREFETCH) ? " pref" : "");
		any = true;
	}
	if (!any)
		du_printf(" no memory BAR");
}

/* "Red Hat, Inc. Inter-VM shared memory " as lspci names a device, ""
 * when pci.ids does not know the vendor */
static const char *device_name_text(const struct p2p_node *n, char *buf,
				    size_t len)
{
	if (!n->vendor_name[0])
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%s %s ", n->vendor_name,
			 n->device_name[0] ? n->device_name : "Device");
	return buf;
}

static void print_device_text(const char *label, const struct p2p_node *n)
{
	char name[sizeof(n->vendor_name) + sizeof(n->device_name) + 8];

	du_printf("%-9s %s %s[%04x:%04x] class %06x %s, driver %s, IOMMU group ",
		  label, n->name, device_name_text(n, name, sizeof(name)),
		  n->ids.vendor, n->ids.device, n->ids.class,
		  node_type_text(n),
		  n->driver[0] ? n->driver : n->from_dump ? "unknown" : "none");
	if (n->iommu_group >= 0)
		du_printf("%d,", n->iommu_group);
	else
		du_printf(n->from_dump ? "unknown," : "none,");
	print_bars_text(n);
	du_print_nl();
}

static void acs_bits_json(const char *key, uint16_t v)
{
	du_out_open_array(key);
	for (int i = 0; i < PCAP_ACS_NBITS; i++)
		if (v & (1u << i))
			du_print_string(DU_JSON, NULL, NULL,
					pcap_acs_bit_names[i]);
	du_out_close_array();
}

static void acs_text(const struct p2p_node *n, char *buf, size_t len)
{
	size_t l;

	switch (n->acs_state) {
	case PCAP_UNKNOWN:
		snprintf(buf, len, "ACS ?");
		return;
	case PCAP_FOUND:
		break;
	default:
		snprintf(buf, len, "no ACS");
		return;
	}
	snprintf(buf, len, "ACS");
	for (int i = 0; i < PCAP_ACS_NBITS; i++) {
		l = strlen(buf);
		snprintf(buf + l, len - l, " %c%c%c",
			 pcap_acs_bit_names[i][0] - 'a' + 'A',
			 pcap_acs_bit_names[i][1] - 'a' + 'A',
			 !(n->acs_cap & (1u << i)) ? '.' :
			 (n->acs_ctl & (1u << i)) ? '+' : '-');
	}
}

static void print_hop(const struct p2p_node *n, const char *role)
{
	char acs[64];
	enum tri redir = node_acs_redir(n);

	du_out_open_object(NULL);
	acs_text(n, acs, sizeof(acs));
	du_print_string(DU_ANY, "address", "  %-13s", n->name);
	du_print_string(DU_JSON, "type", NULL, node_type_key(n));
	du_printf(" %-32s", node_type_text(n));
	du_print_string(DU_ANY, "role", NULL, role);
	du_printf(" %-36s", acs);
	if (n->acs_state == PCAP_FOUND) {
		du_out_open_object("acs");
		du_print_u64(DU_JSON, "offset", NULL, n->acs_pos);
		du_print_u64(DU_JSON, "capability", NULL, n->acs_cap);
		du_print_u64(DU_JSON, "control", NULL, n->acs_ctl);
		acs_bits_json("capable", n->acs_cap);
		acs_bits_json("enabled", n->acs_ctl);
		du_out_close_object();
	} else {
		du_print_null(DU_JSON, "acs", NULL);
	}
	print_tri("acs_redirect", redir);
	du_printf(" %s", redir == TRI_YES ? "redirects" :
		  redir == TRI_UNKNOWN ? "?" : "-");
	if (strcmp(role, "bridge"))
		du_printf(" (%s)", role);
	du_print_nl();
	du_out_close_object();
}

static void print_hb_hop(const struct p2p_hb *hb)
{
	du_out_open_object(NULL);
	du_print_string(DU_ANY, "address", "  %-13s", hb->name);
	du_print_string(DU_JSON, "type", NULL, "host_bridge");
	du_printf(" %s", "host bridge (root complex)");
	du_print_string(DU_JSON, "role", NULL, "host_bridge");
	du_print_nl();
	du_out_close_object();
}

static void print_host_bridge(const struct p2p_hb *hb)
{
	enum tri al = topo_hb_allowlisted(hb, true, NULL);
	bool same_only = al == TRI_YES &&
			 topo_hb_allowlisted(hb, false, NULL) == TRI_NO;
	const struct p2p_node *r = hb->root;

	du_out_open_object(NULL);
	du_print_string(DU_ANY, "name", "host bridge %s:", hb->name);
	du_print_u64(DU_JSON, "domain", NULL, hb->domain);
	du_print_u64(DU_JSON, "bus", NULL, hb->bus);
	if (r) {
		du_print_string(DU_ANY, "root_device", " %s", r->name);
		du_print_u64(DU_JSON, "vendor", NULL, r->ids.vendor);
		du_print_u64(DU_JSON, "device", NULL, r->ids.device);
		du_printf(" [%04x:%04x]", r->ids.vendor, r->ids.device);
	} else {
		du_print_null(DU_JSON, "root_device", NULL);
		du_print_null(DU_JSON, "vendor", NULL);
		du_print_null(DU_JSON, "device", NULL);
		if (hb->root_known == TRI_UNKNOWN)
			du_printf(" first device %s not identified (config space not readable)",
				  hb->first->name);
		else
			du_printf(" no device 00.0 or root port first on its bus");
	}
	print_tri("allowlisted", al);
	du_print_bool(DU_JSON, "same_host_bridge_only", NULL, same_only);
	du_printf(", %s", al == TRI_YES ? "on the P2PDMA allowlist" :
		  al == TRI_NO ? "not on the P2PDMA allowlist" :
		  "allowlist status unknown");
	if (same_only)
		du_printf(" (only for devices below this same host bridge)");
	du_print_nl();
	du_out_close_object();
}

static void print_cpu(const struct p2p_topo *t)
{
	du_out_open_object("cpu");
	du_print_string(DU_ANY, "description", "CPU: %s", t->cpu.desc);
	print_tri("supports_p2pdma", t->cpu.supports);
	du_printf(", %s", tri_text(t->cpu.supports,
				   "supports P2P DMA through the host bridge (AMD Zen or later)",
				   "does not qualify by itself (the kernel's CPU rule: AMD family 0x17 or later)"));
	du_print_nl();
	du_out_close_object();
}

static void print_path(const struct p2p_verdict *v)
{
	du_out_open_array("path");
	for (size_t i = 0; i < v->n_pside; i++) {
		const struct p2p_node *n = v->pside[i];

		print_hop(n, n == v->provider ? "provider" :
			  n == v->common ? "common" : "bridge");
	}
	if (!v->common) {
		print_hb_hop(v->provider->hb);
		if (v->client->hb != v->provider->hb)
			print_hb_hop(v->client->hb);
	}
	for (size_t i = v->n_cside; i-- > 0;) {
		const struct p2p_node *n = v->cside[i];

		print_hop(n, n == v->client ? "client" : "bridge");
	}
	du_out_close_array();
}

static const char *topo_class_text(enum topo_class c)
{
	switch (c) {
	case TOPO_X:	return "the same device";
	case TOPO_PIX:	return "below one PCIe switch or bridge";
	case TOPO_PXB:	return "across several PCIe switches, without the host bridge";
	case TOPO_PHB:	return "through the PCIe host bridge";
	case TOPO_NODE:	return "across host bridges within a NUMA node";
	default:	return "across host bridges and NUMA nodes";
	}
}

static void print_dma_api(const struct p2p_verdict *v)
{
	char hint[2 * P2P_MAX_PATH * DU_PCI_ADDR_STRLEN];

	du_out_open_object("dma_api");
	du_printf("DMA API importers (pci_p2pdma checks): ");
	du_print_string(DU_JSON, "map_type", NULL, map_type_key(v->map));
	du_printf("%s", map_type_text(v->map));
	du_print_int(DU_ANY, "distance", ", distance %" PRId64, v->distance);
	du_print_nl();
	du_print_string(DU_ANY, "reason", "  why: %s", v->reason);
	du_print_nl();
	du_print_bool(DU_JSON, "via_host_bridge", NULL, v->via_host_bridge);
	print_tri("host_bridge_allowlisted", v->allowlisted);
	print_tri("cpu_supports_p2pdma", v->cpu_ok);
	du_out_open_array("acs_redirect");
	for (size_t i = 0; i < v->n_redir; i++)
		du_print_string(DU_JSON, NULL, NULL, v->redir[i]->name);
	du_out_close_array();
	du_out_open_array("acs_unknown");
	for (size_t i = 0; i < v->n_unknown; i++)
		du_print_string(DU_JSON, NULL, NULL, v->unknown[i]->name);
	du_out_close_array();
	hint[0] = '\0';
	for (size_t i = 0; i < v->n_redir; i++) {
		size_t l = strlen(hint);

		snprintf(hint + l, sizeof(hint) - l, "%s%s", i ? ";" : "",
			 v->redir[i]->name);
	}
	if (v->n_redir) {
		du_print_string(DU_ANY, "disable_acs_redir",
				"  hint: boot with pci=disable_acs_redir=%s for bus-address P2P (the devices then lose ACS isolation)",
				hint);
		du_print_nl();
	} else {
		du_print_null(DU_JSON, "disable_acs_redir", NULL);
	}
	du_out_close_object();
}

/* One by-address try: "bar_mmap" (true accepted, false refused, null not
 * tried), "bar_mmap_error" (the errno name of the refusal, or of the
 * mmap() that failed) and "bar_mmap_reason" (why not tried). */
static void print_by_addr_try(const char *key, const char *label,
			      const struct by_addr_try *t)
{
	char k_err[32], k_why[32], why[128];

	snprintf(k_err, sizeof(k_err), "%s_error", key);
	snprintf(k_why, sizeof(k_why), "%s_reason", key);
	du_printf("%s: ", label);
	if (t->tried && !t->mmap_failed) {
		du_print_bool(DU_JSON, key, NULL, t->ok);
		if (t->ok) {
			du_print_null(DU_JSON, k_err, NULL);
			du_printf("accepted");
		} else {
			du_print_string(DU_ANY, k_err, "refused (%s)",
					du_errno_name(t->err));
		}
		du_print_null(DU_JSON, k_why, NULL);
		return;
	}
	du_print_null(DU_JSON, key, NULL);
	if (t->mmap_failed) {
		du_print_string(DU_JSON, k_err, NULL, du_errno_name(t->err));
		snprintf(why, sizeof(why), "its mmap() failed: %s",
			 strerror(t->err));
	} else {
		du_print_null(DU_JSON, k_err, NULL);
		snprintf(why, sizeof(why), "%s", t->why);
	}
	du_print_string(DU_ANY, k_why, "not tried (%s)", why);
}

/*
 * "by_address" in "iommufd": does the kernel take IOMMU_IOAS_MAP of an
 * address range backed by a BAR (an mmap() through the VFIO device fd) or
 * by an exported buffer (its mmap())?  No kernel flag says so: --verify
 * tries it; without it, null and "by_address_reason".
 */
static void print_by_address(const struct verify_result *r)
{
	const struct by_addr_try *refused = NULL;
	char why[224];

	if (!r || !r->by_addr_ran) {
		snprintf(why, sizeof(why), "not tried: %s", !r ?
			 "needs --verify (no kernel flag says whether BARs are mapped by address; --verify tries it)" :
			 r->why[0] ? r->why : "--verify did not try this pair");
		du_print_null(DU_JSON, "by_address", NULL);
		du_print_string(DU_JSON, "by_address_reason", NULL, why);
		return;
	}
	du_out_open_object("by_address");
	du_printf("  by address (IOMMU_IOAS_MAP of an mmap()): ");
	print_by_addr_try("bar_mmap", "BAR through the device fd",
			  &r->by_addr_bar);
	du_printf("; ");
	print_by_addr_try("dmabuf_mmap", "exported buffer",
			  &r->by_addr_dmabuf);
	if (r->by_addr_bar.tried && !r->by_addr_bar.mmap_failed &&
	    !r->by_addr_bar.ok)
		refused = &r->by_addr_bar;
	else if (r->by_addr_dmabuf.tried && !r->by_addr_dmabuf.mmap_failed &&
		 !r->by_addr_dmabuf.ok)
		refused = &r->by_addr_dmabuf;
	if (refused) {
		du_print_string(DU_JSON, "error", NULL,
				du_errno_name(refused->err));
		if (refused->err == EFAULT)
			du_printf(": this kernel cannot map BARs by address (map a DMA-BUF with IOMMU_IOAS_MAP_FILE)");
	} else {
		du_print_null(DU_JSON, "error", NULL);
	}
	du_print_nl();
	du_out_close_object();
	du_print_null(DU_JSON, "by_address_reason", NULL);
}

static void print_iommufd(const struct p2p_verdict *v,
			  const struct verify_result *vr)
{
	du_out_open_object("iommufd");
	du_printf("iommufd importers (IOMMU_IOAS_MAP_FILE of a VFIO DMA-BUF): ");
	du_print_bool(DU_JSON, "maps", NULL, v->iommufd_maps);
	du_print_bool(DU_JSON, "p2pdma_checks", NULL, false);
	if (!v->iommufd_maps) {
		du_print_string(DU_ANY, "reason", "refused: %s",
				v->iommufd_reason);
		du_print_nl();
	} else {
		du_print_null(DU_JSON, "reason", NULL);
		du_printf("maps (no distance or allowlist check)");
		du_print_nl();
	}
	du_print_bool(DU_JSON, "switch_shortcut", NULL, v->switch_shortcut);
	if (v->ingress)
		du_print_string(DU_JSON, "switch_ingress", NULL,
				v->ingress->name);
	else
		du_print_null(DU_JSON, "switch_ingress", NULL);
	print_tri("root_complex_p2p_known_good", v->rc_p2p_known_good);
	print_by_address(vr);
	if (!v->iommufd_maps) {
		du_out_close_object();
		return;
	}
	du_printf("  route: the client's DMA to the IOVA goes up to the IOMMU in the root complex, which translates it to %s's BAR; ",
		  v->provider->name);
	if (v->rc_p2p_known_good == TRI_YES)
		du_printf("the root complex is known to forward it peer-to-peer (allowlisted host bridge or CPU)");
	else
		du_printf("whether the root complex forwards it peer-to-peer decides (not vouched for by the kernel's allowlist%s)",
			  v->rc_p2p_known_good == TRI_UNKNOWN ? ": unknown here" : "");
	du_print_nl();
	if (v->switch_shortcut)
		du_printf("  caution: %s %s: a request whose untranslated IOVA falls in a sibling's window is routed inside the switch, not to the IOMMU; keep IOVAs clear of the bridge windows or enable ACS\n",
			  v->ingress->name,
			  v->ingress->acs_state == PCAP_UNKNOWN ?
			  "may not redirect P2P requests upstream (its ACS control is not readable)" :
			  v->ingress->acs_state == PCAP_FOUND ?
			  "does not redirect P2P requests upstream (ACS RR off)" :
			  "does not redirect P2P requests upstream (no ACS capability)");
	du_out_close_object();
}

/* print_pair() inside --matrix (JSON only) */
static bool matrix_mode;

static void print_verify(const struct p2p_verdict *v,
			 const struct verify_result *r)
{
	du_out_open_object("verify");
	du_print_bool(DU_JSON, "ran", NULL, r->ran);
	du_printf("verify: ");
	if (!r->ran) {
		du_print_string(DU_ANY, "reason", "not run: %s", r->why);
		du_print_nl();
		du_out_close_object();
		return;
	}
	du_print_null(DU_JSON, "reason", NULL);
	du_print_int(DU_ANY, "bar", "BAR%" PRId64, r->bar);
	du_print_u64(DU_ANY, "length", ", %" PRIu64 " bytes", r->length);
	du_printf(": export ");
	du_out_open_object("export");
	du_print_bool(DU_JSON, "ok", NULL, !r->export_err);
	if (r->export_err) {
		du_print_int(DU_JSON, "errno", NULL, r->export_err);
		du_print_string(DU_ANY, "error", "failed with %s", du_errno_name(r->export_err));
		du_printf(" (%s)", strerror(r->export_err));
	} else {
		du_print_null(DU_JSON, "errno", NULL);
		du_print_null(DU_JSON, "error", NULL);
		du_printf("ok");
	}
	du_out_close_object();
	du_out_open_object("map");
	du_print_bool(DU_JSON, "ok", NULL, r->mapped);
	if (r->export_err) {
		du_print_null(DU_JSON, "errno", NULL);
		du_print_null(DU_JSON, "error", NULL);
		du_print_null(DU_JSON, "iova", NULL);
	} else if (r->map_err) {
		du_print_int(DU_JSON, "errno", NULL, r->map_err);
		du_print_string(DU_ANY, "error", ", IOMMU_IOAS_MAP_FILE failed with %s",
				du_errno_name(r->map_err));
		du_printf(" (%s)", strerror(r->map_err));
		du_print_null(DU_JSON, "iova", NULL);
	} else {
		du_print_null(DU_JSON, "errno", NULL);
		du_print_null(DU_JSON, "error", NULL);
		du_print_hex_u64(DU_ANY, "iova", ", mapped at IOVA %s", r->iova);
	}
	du_out_close_object();
	du_print_nl();
	du_out_open_object("dma");
	du_print_bool(DU_JSON, "ran", NULL, r->dma_ran);
	if (r->mapped) {
		du_printf("  DMA: ");
		if (!r->dma_ran) {
			du_print_string(DU_ANY, "reason", "not run: %s", r->dma_why);
		} else {
			du_print_string(DU_JSON, "reason", NULL,
					r->dma_why[0] ? r->dma_why : NULL);
			du_print_bool(DU_ANY, "write_ok",
				      "client writes into the provider BAR: %s",
				      r->dma_write_ok);
			du_print_bool(DU_ANY, "read_ok",
				      ", client reads from it: %s",
				      r->dma_read_ok);
			if (r->dma_why[0])
				du_printf(" (%s)", r->dma_why);
		}
		du_print_nl();
	} else {
		du_print_string(DU_JSON, "reason", NULL, "not mapped");
	}
	du_out_close_object();
	{
		bool agrees = r->mapped == v->iommufd_maps &&
			      (r->export_err == 0 || !v->iommufd_maps);

		du_print_bool(DU_ANY, "prediction_confirmed",
			      "  prediction for iommufd (maps: %s) ",
			      v->iommufd_maps);
		du_printf("%s", agrees ? "confirmed" : "CONTRADICTED");
		du_print_nl();
		du_print_bool(DU_JSON, "agrees", NULL, agrees);
	}
	du_out_close_object();
}

static void print_pair(const struct p2p_topo *t, const struct p2p_verdict *v,
		       const struct verify_result *vr)
{
	du_out_open_object(NULL);
	print_device_text("provider", v->provider);
	print_device_text("client", v->client);
	du_print_string(DU_JSON, "provider", NULL, v->provider->name);
	du_print_string(DU_JSON, "client", NULL, v->client->name);
	du_print_string(DU_ANY, "topology", "topology: %s", topo_class_name(v->topo));
	du_printf(" (%s), ", topo_class_text(v->topo));
	du_print_int(DU_JSON, "distance", NULL, v->distance);
	if (v->common)
		du_print_string(DU_ANY, "common_upstream",
				"common upstream device %s", v->common->name);
	else {
		du_print_null(DU_JSON, "common_upstream", NULL);
		du_printf("no common upstream bridge");
	}
	du_print_nl();
	du_printf("path (provider to client):\n");
	print_path(v);
	du_out_open_array("host_bridges");
	du_print_string(DU_JSON, NULL, NULL, v->provider->hb->name);
	if (v->client->hb != v->provider->hb)
		du_print_string(DU_JSON, NULL, NULL, v->client->hb->name);
	du_out_close_array();
	if (!du_out_is_json() && !matrix_mode) {
		print_host_bridge(v->provider->hb);
		if (v->client->hb != v->provider->hb)
			print_host_bridge(v->client->hb);
		print_cpu(t);
	}
	print_dma_api(v);
	print_iommufd(v, vr);
	{
		bool disagree = v->map == MAP_NOT_SUPPORTED && v->iommufd_maps;

		du_print_bool(DU_JSON, "importers_disagree", NULL, disagree);
		if (disagree)
			du_printf("note: the DMA API refuses this pair, iommufd maps it: a VFIO DMA-BUF of %s imported through iommufd reaches %s as far as the kernel is concerned; ACS and the root complex decide whether the TLPs arrive\n",
				  v->provider->name, v->client->name);
	}
	if (vr)
		print_verify(v, vr);
	else
		du_print_null(DU_JSON, "verify", NULL);
	du_out_close_object();
}

/* ---- loading devices --------------------------------------------------- */

static int load(struct p2p_topo *t, const struct du_pci_addr *a,
		struct p2p_node **out)
{
	const char *msg = NULL;
	int ret = topo_get(t, a, out, &msg);

	if (!ret)
		return 0;
	du_err("%s", msg ? msg : strerror(-ret));
	return ret == -ENOMEM ? DU_EXIT_FAILURE : DU_EXIT_USAGE;
}

/* One warning line for every device whose config space was cut short. */
static void warn_restricted(const struct p2p_topo *t)
{
	char list[512] = "";
	size_t n = 0;

	for (size_t i = 0; i < t->n_nodes; i++) {
		size_t l = strlen(list);

		if (t->nodes[i]->cfg_access != CFG_RESTRICTED)
			continue;
		if (n < 8)
			snprintf(list + l, sizeof(list) - l, "%s%s",
				 n ? ", " : "", t->nodes[i]->name);
		else if (n == 8)
			snprintf(list + l, sizeof(list) - l, ", ...");
		n++;
	}
	if (n && pa_dump_mode())
		du_warn("%s has only the config header of %s (lspci -xxxx as root dumps all of it): ACS and port types unknown",
			pa_source(), list);
	else if (n)
		du_warn("only the config header of %s is readable (the rest needs root): ACS and port types unknown",
			list);
}

struct collect {
	const struct pa_filter *filter;
	struct p2p_topo *t;
	struct p2p_node **nodes;
	size_t n;
	bool endpoints_only;
	int err;
};

static int collect_one(const struct du_pci_addr *a, void *arg)
{
	struct collect *c = arg;
	struct p2p_node *n;
	int ret;

	if (pa_filter_active(c->filter)) {
		struct du_pci_ids ids;

		/* a device filtered out is not read further; one whose IDs
		 * do not read is left to load() to report */
		memset(&ids, 0, sizeof(ids));
		if (c->filter->id) {
			if (pa_dump_mode()) {
				ret = load(c->t, a, &n);
				if (ret) {
					c->err = ret;
					return 1;
				}
				ids = n->ids;
			} else if (du_pci_read_ids(a, &ids)) {
				goto load;
			}
		}
		if (!pa_filter_match(c->filter, a, &ids))
			return 0;
	}
load:
	ret = load(c->t, a, &n);
	if (ret) {
		c->err = ret;
		return 1;
	}
	if (c->endpoints_only &&
	    (node_is_bridge(n) || (n->ids.class >> 16) == 0x06 ||
	     !node_has_mem_bar(n)))
		return 0;
	if (c->n == MAX_DEVICES)
		return 0;
	c->nodes[c->n++] = n;
	return 0;
}

static int for_each_dev(unsigned int flags, struct collect *c)
{
	if (!pa_dump_mode())
		return du_pci_for_each(flags, collect_one, c);
	/* a dump does not know drivers: no device is bound to vfio-pci */
	return flags & DU_PCI_ITER_VFIO ? 0 : pa_dump_for_each(collect_one, c);
}

static int default_set(struct p2p_topo *t, const struct opts *o,
		       struct p2p_node **nodes, size_t *n)
{
	struct collect c = { &o->filter, t, nodes, 0, false, 0 };
	int ret = 0;

	if (!o->all)
		ret = for_each_dev(DU_PCI_ITER_VFIO, &c);
	if (c.err)
		return c.err;
	if (ret < 0) {
		du_err("cannot list PCI devices under %s/bus/pci/devices: %s",
		       du_sysfs_root(), strerror(-ret));
		return DU_EXIT_USAGE;
	}
	if (!c.n) {
		c.endpoints_only = true;
		ret = for_each_dev(DU_PCI_ITER_ALL, &c);
		if (c.err)
			return c.err;
		if (ret < 0) {
			du_err("cannot list PCI devices under %s/bus/pci/devices: %s",
			       du_sysfs_root(), strerror(-ret));
			return DU_EXIT_USAGE;
		}
	}
	*n = c.n;
	if (!c.n) {
		du_err("no PCI endpoint with a memory BAR%s found %s %s",
		       pa_filter_active(&o->filter) ? " matching -s/-d" : "",
		       pa_dump_mode() ? "in" : "under", pa_source());
		return DU_EXIT_FAILURE;
	}
	return 0;
}

/* ---- modes ------------------------------------------------------------- */

static bool out_started;

/* Output starts once every input error has been reported, so that a
 * failing command writes nothing to stdout. */
static int start_output(const struct opts *o)
{
	if (du_out_init(o->json, o->pretty)) {
		du_err("out of memory");
		return DU_EXIT_FAILURE;
	}
	out_started = true;
	return 0;
}

static int run_pair(struct p2p_topo *t, const struct opts *o)
{
	struct p2p_node *prov, *cli;
	struct p2p_verdict v;
	struct verify_result vr;
	int ret;

	ret = load(t, &o->devs[0], &prov);
	if (!ret)
		ret = load(t, &o->devs[1], &cli);
	if (ret)
		return ret;
	if (!node_has_mem_bar(prov)) {
		du_err("%s has no memory BAR: it cannot provide P2P memory (swap PROVIDER and CLIENT?)",
		       prov->name);
		return DU_EXIT_USAGE;
	}
	if (topo_verdict(t, prov, cli, &v)) {
		du_err("%s, %s: the hierarchy is too deep", prov->name,
		       cli->name);
		return DU_EXIT_USAGE;
	}
	warn_restricted(t);
	if (o->verify) {
		p2p_verify(prov, cli, o->bar, &vr);
		if (!vr.ran)
			du_err("cannot verify: %s", vr.why);
	}
	ret = start_output(o);
	if (ret)
		return ret;

	if (du_out_is_json()) {
		/* text shows these inside the pair, after the path */
		struct p2p_node *both[2] = { prov, cli };

		ret = print_device_list(both, 2);
		if (ret)
			return ret;
		du_out_open_array("host_bridges");
		print_host_bridge(prov->hb);
		if (cli->hb != prov->hb)
			print_host_bridge(cli->hb);
		du_out_close_array();
		print_cpu(t);
	}
	du_out_open_array("pairs");
	print_pair(t, &v, o->verify ? &vr : NULL);
	du_out_close_array();
	if (o->verify)
		return vr.exit_code;
	return DU_EXIT_OK;
}

static const char *verdict_code(enum map_type m)
{
	switch (m) {
	case MAP_BUS_ADDR:		return "bus";
	case MAP_THRU_HOST_BRIDGE:	return "hb";
	case MAP_NOT_SUPPORTED:		return "no";
	default:			return "?";
	}
}

static void print_legend(void)
{
	du_printf("\nLegend (path):\n"
		  "  X    = the same device\n"
		  "  PIX  = below one PCIe switch or bridge (the common upstream device is at most 2 hops up)\n"
		  "  PXB  = across several PCIe switches, without the host bridge\n"
		  "  PHB  = through a PCIe host bridge (no common upstream bridge)\n"
		  "  NODE = across PCIe host bridges within a NUMA node\n"
		  "  SYS  = across PCIe host bridges and NUMA nodes\n"
		  "Legend (kernel verdict for importers that use the DMA API, drivers/pci/p2pdma.c):\n"
		  "  bus  = bus address, P2P below the common bridge (PCI_P2PDMA_MAP_BUS_ADDR)\n"
		  "  hb   = through the host bridge (PCI_P2PDMA_MAP_THRU_HOST_BRIDGE)\n"
		  "  no   = refused (PCI_P2PDMA_MAP_NOT_SUPPORTED)\n"
		  "  ?    = unknown: config space not readable (run as root)\n"
		  "  -    = the row device has no memory BAR to provide\n"
		  "Rows are providers, columns clients.  iommufd maps a VFIO DMA-BUF for any\n"
		  "client with an IOMMU group, without these checks: see p2p-probe ROW COLUMN.\n");
}

/* --matrix --verify, text: what the kernel answered for every pair */
static void print_verify_grid(struct p2p_node **nodes, size_t n,
			      const struct verify_result *vrs)
{
	printf("\nVerified (iommufd map of a DMA-BUF of the row's BAR for the column;\n"
	       "map+dma: and edu's DMA through it arrived both ways):\n%-6s", "");
	for (size_t j = 0; j < n; j++) {
		char lab[16];

		snprintf(lab, sizeof(lab), "D%zu", j);
		printf(j + 1 < n ? " %-10s" : " %s", lab);
	}
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		printf("D%-5zu", i);
		for (size_t j = 0; j < n; j++) {
			const struct verify_result *r = &vrs[i * n + j];
			char cell[24];

			if (i == j)
				snprintf(cell, sizeof(cell), "X");
			else if (!node_has_mem_bar(nodes[i]) || !r->ran)
				snprintf(cell, sizeof(cell), "-");
			else if (r->export_err)
				snprintf(cell, sizeof(cell), "exp:%s",
					 du_errno_name(r->export_err));
			else if (r->map_err)
				snprintf(cell, sizeof(cell), "%s",
					 du_errno_name(r->map_err));
			else if (r->dma_ran)
				snprintf(cell, sizeof(cell), "%s",
					 r->dma_write_ok && r->dma_read_ok ?
					 "map+dma" : "map+BAD");
			else
				snprintf(cell, sizeof(cell), "map");
			printf(j + 1 < n ? " %-10s" : " %s", cell);
		}
		printf("\n");
	}
}

/* The verdict for (provider, client): the depth was checked up front. */
static const struct p2p_verdict *verdict(struct p2p_topo *t,
					 struct p2p_node *provider,
					 struct p2p_node *client)
{
	static struct p2p_verdict v;

	if (topo_verdict(t, provider, client, &v))
		abort();	/* cannot happen: see run_matrix() */
	return &v;
}

static int run_matrix(struct p2p_topo *t, const struct opts *o)
{
	struct p2p_node *nodes[MAX_DEVICES];
	struct verify_result *vrs = NULL;
	size_t n = 0;
	int ret, vret = DU_EXIT_OK;

	matrix_mode = true;
	if (o->n_devs) {
		for (size_t i = 0; i < o->n_devs; i++) {
			ret = load(t, &o->devs[i], &nodes[i]);
			if (ret)
				return ret;
		}
		n = o->n_devs;
	} else {
		ret = default_set(t, o, nodes, &n);
		if (ret)
			return ret;
	}
	/*
	 * Verdicts are computed pair by pair as they are printed (one at a
	 * time: memory stays linear in the devices, the JSON streams out).
	 * Their one failure, a hierarchy deeper than P2P_MAX_PATH, depends on
	 * each device alone: checked here, before any output.
	 */
	for (size_t i = 0; i < n; i++) {
		size_t depth = 0;

		for (struct p2p_node *a = nodes[i]; a; a = a->up)
			depth++;
		if (depth > P2P_MAX_PATH) {
			du_err("%s, %s: the hierarchy is too deep",
			       nodes[0]->name, nodes[i]->name);
			return DU_EXIT_USAGE;
		}
	}
	warn_restricted(t);
	if (o->verify) {
		vrs = calloc(n * n, sizeof(*vrs));
		if (!vrs) {
			du_err("out of memory");
			return DU_EXIT_FAILURE;
		}
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				struct verify_result *r = &vrs[i * n + j];

				if (i == j || !node_has_mem_bar(nodes[i]))
					continue;
				if (o->bar >= 0 &&
				    (!nodes[i]->bars[o->bar].size ||
				     !(nodes[i]->bars[o->bar].flags & DU_BAR_MEM))) {
					/* --bar picks the providers */
					snprintf(r->why, sizeof(r->why),
						 "%s has no memory BAR%d",
						 nodes[i]->name, o->bar);
					continue;
				}
				p2p_verify(nodes[i], nodes[j], o->bar, r);
				if (!r->ran)
					du_err("cannot verify %s -> %s: %s",
					       nodes[i]->name, nodes[j]->name,
					       r->why);
				if (r->exit_code && !vret)
					vret = r->exit_code;
			}
	}

	ret = start_output(o);
	if (ret) {
		free(vrs);
		return ret;
	}
	/* text: the grid */
	if (!du_out_is_json()) {
		printf("%-6s", "");
		for (size_t j = 0; j < n; j++) {
			char lab[16];

			snprintf(lab, sizeof(lab), "D%zu", j);
			printf(j + 1 < n ? " %-8s" : " %s", lab);
		}
		printf("\n");
		for (size_t i = 0; i < n; i++) {
			printf("D%-5zu", i);
			for (size_t j = 0; j < n; j++) {
				const struct p2p_verdict *v;
				char cell[16];

				if (i == j) {
					snprintf(cell, sizeof(cell), "X");
				} else if (!node_has_mem_bar(nodes[i])) {
					snprintf(cell, sizeof(cell), "-");
				} else {
					v = verdict(t, nodes[i], nodes[j]);
					snprintf(cell, sizeof(cell), "%s/%s",
						 topo_class_name(v->topo),
						 verdict_code(v->map));
				}
				printf(j + 1 < n ? " %-8s" : " %s", cell);
			}
			printf("\n");
		}
		printf("\n");
		fflush(stdout);
		ret = print_device_list(nodes, n);
		if (ret) {
			free(vrs);
			return ret;
		}
		if (vrs)
			print_verify_grid(nodes, n, vrs);
		printf("\n");
		for (size_t h = 0; h < t->n_hbs; h++)
			print_host_bridge(t->hbs[h]);
		print_cpu(t);
		print_legend();
	} else {
		ret = print_device_list(nodes, n);
		if (ret) {
			free(vrs);
			return ret;
		}
		du_out_open_array("host_bridges");
		for (size_t h = 0; h < t->n_hbs; h++)
			print_host_bridge(t->hbs[h]);
		du_out_close_array();
		print_cpu(t);
		du_out_open_array("pairs");
		for (size_t i = 0; i < n; i++) {
			if (!node_has_mem_bar(nodes[i]))
				continue;
			for (size_t j = 0; j < n; j++)
				if (i != j)
					print_pair(t, verdict(t, nodes[i], nodes[j]),
						   vrs ? &vrs[i * n + j] : NULL);
		}
		du_out_close_array();
	}
	free(vrs);
	return vret;
}

int main(int argc, char **argv)
{
	static const struct argp_child kids[] = {
		{ &table_argp, 0,
		  "Device list (with --matrix; in JSON the \"devices\"):", 3 },
		{ NULL, 0, NULL, 0 },
	};
	static const struct argp argp = {
		options, parse_opt, args_doc, doc, kids, NULL, NULL,
	};
	struct opts o = { .bar = -1 };
	struct p2p_topo t;
	struct stat st;
	char path[4096], msg[200];
	int ret, fret;

	du_close_stdout_atexit();
	init_table_argp();
	argp_err_exit_status = DU_EXIT_USAGE;
	if (du_argp_exact_long_options(&argp, argc, argv, 0, msg,
				       sizeof(msg))) {
		du_err("%s", msg);
		return DU_EXIT_USAGE;
	}
	pa_filter_init(&o.filter);
	null_stream = fopen("/dev/null", "we");
	/* "p2p-probe help" is --help, as in the commands with subcommands */
	if (argc == 2 && !strcmp(argv[1], "help"))
		argv[1] = (char *)"--help";
	ret = du_argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (null_stream)
		fclose(null_stream);
	if (ret) {
		du_table_opts_free(&o.topts);
		return DU_EXIT_USAGE;
	}
	if (o.topts.list_columns) {
		du_table_opts_free(&o.topts);
		if (du_out_init(o.json, o.pretty)) {
			du_err("out of memory");
			return DU_EXIT_FAILURE;
		}
		ret = du_table_list_columns(dev_cols, NCOLS);
		fret = du_out_finish();
		return ret || fret ? DU_EXIT_FAILURE : DU_EXIT_OK;
	}
	bytes_opt = o.topts.bytes;
	dev_table = du_table_new(dev_cols, NCOLS, &o.topts, msg, sizeof(msg));
	du_table_opts_free(&o.topts);
	if (!dev_table) {
		du_err("%s", msg);
		return strcmp(msg, "out of memory") ? DU_EXIT_USAGE
						   : DU_EXIT_FAILURE;
	}
	atexit(free_dev_table);

	if (o.sysfs_root) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices", o.sysfs_root);
		if (stat(path, &st)) {
			int e = errno;

			if (e != ENOENT && e != ENOTDIR) {
				/* there may be a tree: say why it is unreadable */
				du_err("--sysfs-root: cannot read %s: %s", path,
				       strerror(e));
				return DU_EXIT_USAGE;
			}
			if (stat(o.sysfs_root, &st)) {
				du_err("--sysfs-root: cannot read %s: %s",
				       o.sysfs_root, strerror(errno));
				return DU_EXIT_USAGE;
			}
		}
		if (!S_ISDIR(st.st_mode) || stat(path, &st)) {
			du_err("--sysfs-root: %s is not a sysfs tree (no bus/pci/devices)",
			       o.sysfs_root);
			return DU_EXIT_USAGE;
		}
		if (access(path, R_OK | X_OK)) {
			du_err("--sysfs-root: cannot read %s: %s", path,
			       strerror(errno));
			return DU_EXIT_USAGE;
		}
		ret = du_sysfs_set_root(o.sysfs_root);
		if (ret) {
			du_err("--sysfs-root: %s", strerror(-ret));
			return DU_EXIT_USAGE;
		}
	}

	{
		struct pa_config pc = { o.dump, o.sysfs_root, o.ids };

		ret = pa_open(&pc);
		if (ret) {
			pa_close();
			du_sysfs_set_root(NULL);
			return ret;
		}
	}
	topo_init(&t);
	topo_read_cpu(&t);
	ret = o.matrix ? run_matrix(&t, &o) : run_pair(&t, &o);
	fret = out_started ? du_out_finish() : 0;
	topo_free(&t);
	pa_close();
	du_sysfs_set_root(NULL);
	if (fret) {
		du_err("write error: %s", strerror(-fret));
		return DU_EXIT_FAILURE;
	}
	return ret;
}
