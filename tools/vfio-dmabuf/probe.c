// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf probe: a device's BARs (from sysfs) and the DMA-BUF features
 * of the running kernel (VFIO_DEVICE_FEATURE_PROBE only: probing never
 * creates anything).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "du/exitcodes.h"
#include "du/output.h"
#include "du/pci.h"
#include "du/table.h"
#include "du/vfio.h"
#include "vfio-dmabuf.h"

enum {
	REQ_DMA_BUF = 1 << 0,
	REQ_REVOKE = 1 << 1,
	REQ_MEMATTR = 1 << 2,
	REQ_MMAP = 1 << 3,
};

static const struct du_keyword feature_keywords[] = {
	{ "dma_buf", REQ_DMA_BUF },
	{ "dma_buf_revoke", REQ_REVOKE },
	{ "dma_buf_memattr", REQ_MEMATTR },
	{ "dma_buf_mmap", REQ_MMAP },
	{ NULL, 0 },
};

struct probe_args {
	const char *device;
	unsigned int require;
	enum vd_vfio_mode mode;
	struct du_table_opts topts;
};

/* The BARs of the device: "bars" in vfio-dmabuf(1), keys and order as
 * they always were, then whether buffers of the BAR can be
 * write-combining (the region's VFIO_REGION_INFO_CAP_MEMATTR). */
enum {
	PC_INDEX, PC_TYPE, PC_64BIT, PC_PREFETCH, PC_START, PC_SIZE,
	PC_WC, PC_WC_REASON, PC_MEMATTRS, PC_N
};

static const struct du_column probe_cols[PC_N] = {
	[PC_INDEX] = { "BAR", "index", DU_COL_U64,
		       DU_COL_DEFAULT | DU_COL_RIGHT, "BAR index (0-5)" },
	[PC_TYPE] = { "TYPE", "type", DU_COL_STR, DU_COL_DEFAULT,
		      "mem or io" },
	[PC_64BIT] = { "64BIT", "is_64bit", DU_COL_BOOL, DU_COL_DEFAULT,
		       "a 64-bit memory BAR" },
	[PC_PREFETCH] = { "PREFETCH", "prefetchable", DU_COL_BOOL,
			  DU_COL_DEFAULT, "prefetchable" },
	[PC_START] = { "START", "start", DU_COL_ADDR,
		       DU_COL_DEFAULT | DU_COL_RIGHT,
		       "bus address where the BAR starts" },
	[PC_SIZE] = { "SIZE", "size", DU_COL_SIZE,
		      DU_COL_DEFAULT | DU_COL_RIGHT,
		      "size of the BAR (bytes with --bytes)" },
	[PC_WC] = { "WC", "wc", DU_COL_BOOL, DU_COL_DEFAULT,
		    "buffers of the BAR can be write-combining (- unknown)" },
	[PC_WC_REASON] = { "WC-REASON", "wc_reason", DU_COL_STR,
			   DU_COL_DEFAULT,
			   "why not: io-bar, non-prefetchable, no-wc-memtype, kernel, unknown" },
	[PC_MEMATTRS] = { "MEMATTRS", "memattrs", DU_COL_NESTED, 0,
			  "memory attributes the kernel accepts for its buffers (nc, wc)" },
};

/* The name of memattr bit i: "nc", "wc", or "memattr-N" for one this
 * program does not know. */
static const char *memattr_bit_name(unsigned int i, char buf[16])
{
	const char *n = du_keyword_name(du_memattr_keywords, (int)i);

	if (n)
		return n;
	snprintf(buf, 16, "memattr-%u", i);
	return buf;
}

/* PC_MEMATTRS in JSON: an array of the mask's names. */
static void memattrs_json(const char *key, const void *data)
{
	uint32_t mask;
	char buf[16];

	memcpy(&mask, data, sizeof(mask));
	du_out_open_array(key);
	for (unsigned int i = 0; i < 32; i++)
		if (mask & (1u << i))
			du_print_string(DU_JSON, NULL, NULL,
					memattr_bit_name(i, buf));
	du_out_close_array();
}

static void set_wc(struct du_row *r, const struct vd_bar_wc *w)
{
	char text[32 * 16] = "", buf[16];
	size_t used = 0;

	if (w->wc == DU_WC_UNKNOWN)
		du_row_set_null(r, PC_WC);
	else
		du_row_set_bool(r, PC_WC, w->wc == DU_WC_YES);
	if (w->wc == DU_WC_YES)
		du_row_set_null(r, PC_WC_REASON);
	else
		du_row_set_str(r, PC_WC_REASON, du_wc_name(w->wc));
	if (!w->have_mask) {
		du_row_set_null(r, PC_MEMATTRS);
		return;
	}
	/* text: "nc,wc" (32 names of at most 15 bytes and a comma fit) */
	for (unsigned int i = 0; i < 32; i++)
		if (w->mask & (1u << i))
			used += (size_t)snprintf(text + used, sizeof(text) - used,
						 "%s%s", used ? "," : "",
						 memattr_bit_name(i, buf));
	du_row_set_nested(r, PC_MEMATTRS, used ? text : "none",
			  memattrs_json, &w->mask, sizeof(w->mask));
}

static const struct argp_option probe_options[] = {
	{ "device", OPT_DEVICE, "ADDR", 0, "the PCI device", 0 },
	{ "require", OPT_REQUIRE, "FEATURE[,...]", 0,
	  "exit 3 unless the kernel has these: dma_buf, dma_buf_revoke, dma_buf_memattr, dma_buf_mmap",
	  0 },
	{ "vfio-mode", OPT_VFIO_MODE, "auto|cdev|group", 0,
	  "how to open the device (default auto)", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t probe_parse(int key, char *arg, struct argp_state *state)
{
	struct probe_args *a = state->input;
	char buf[128], *copy, *tok, *save;
	int v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->topts;
		break;
	case OPT_DEVICE:
		a->device = arg;
		break;
	case OPT_REQUIRE:
		copy = strdup(arg);
		if (!copy)
			argp_failure(state, DU_EXIT_FAILURE, ENOMEM, "--require");
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (du_parse_keyword(tok, feature_keywords, &v) < 0) {
				du_keyword_list(feature_keywords, buf,
						sizeof(buf));
				free(copy);
				vd_usage("--require: unknown feature in '%s' (expected %s)",
					 arg, buf);
			}
			a->require |= (unsigned int)v;
		}
		free(copy);
		if (!a->require)
			vd_usage("--require: empty feature list");
		break;
	case OPT_VFIO_MODE:
		a->mode = vd_arg_vfio_mode(state, arg);
		break;
	case ARGP_KEY_ARG:
		vd_usage("unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!a->device && !a->topts.list_columns)
			vd_usage("missing --device");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child probe_children[] = {
	{ &du_table_argp, 0, "Output (the BARs):", 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct argp probe_argp = {
	.options = probe_options,
	.parser = probe_parse,
	.children = probe_children,
	.doc = "Show a device's BARs and, when it is bound to vfio-pci, which "
	       "DMA-BUF features the running kernel offers for it, and for "
	       "each BAR whether its buffers can be write-combining.\v"
	       "Features are probed with VFIO_DEVICE_FEATURE_PROBE, which never "
	       "creates a buffer.  dma_buf_mmap cannot be probed without "
	       "creating one; it is reported together with dma_buf_revoke, "
	       "which the same kernel series adds.  WC comes from the BAR's "
	       "region info (VFIO_REGION_INFO_CAP_MEMATTR); WC-REASON says why "
	       "not: io-bar, non-prefetchable, no-wc-memtype (no "
	       "write-combining memory type, e.g. x86 with nopat), kernel (no "
	       "memory attributes for this device: dma_buf_memattr false), "
	       "unknown (the kernel does not report "
	       "it, or the device is not bound to vfio-pci).",
};

int cmd_probe(int argc, char **argv)
{
	struct probe_args a = { NULL };
	struct vd_pcidev d;
	struct du_vfio_device vfio;
	struct du_pci_ids ids;
	struct vd_features f;
	struct vd_bar_wc wc[DU_PCI_NUM_BARS];
	char msg[VD_MSG_LEN], drv[64], cdev[32];
	struct du_table *t;
	unsigned int group, i, missing = 0;
	bool bound, have_f = false;
	int status, err;

	vd_parse(&probe_argp, "probe", argc, argv, &a);
	t = vd_table_start(probe_cols, PC_N, &a.topts, &status);
	du_table_opts_free(&a.topts);
	if (!t)
		return status;
	status = vd_pcidev_lookup(a.device, &d, msg, sizeof(msg));
	if (status) {
		du_err("%s", msg);
		du_table_free(t);
		return status;
	}
	err = du_pci_driver(&d.addr, drv, sizeof(drv));
	bound = err == 0 && strcmp(drv, "vfio-pci") == 0;
	if (bound) {
		status = vd_open_device(&d, a.mode, &vfio, msg, sizeof(msg));
		if (status) {
			du_err("%s", msg);
			du_table_free(t);
			return status;
		}
		vd_probe_features(vfio.fd, &f);
		have_f = true;
		for (i = 0; i < DU_PCI_NUM_BARS; i++)
			if (d.bars[i].size)
				vd_bar_wc(vfio.fd, &f, &d.bars[i], &wc[i]);
		du_vfio_close(&vfio);
	} else if (a.require) {
		du_err("%s is not bound to vfio-pci: cannot probe its features",
		       d.bdf);
		du_table_free(t);
		return DU_EXIT_FAILURE;
	} else {
		for (i = 0; i < DU_PCI_NUM_BARS; i++)
			vd_bar_wc(-1, NULL, &d.bars[i], &wc[i]);
	}

	vd_out_begin();
	du_out_open_array("devices");
	du_out_open_object(NULL);
	du_print_string(DU_ANY, "device", "%s", d.bdf);
	if (du_pci_read_ids(&d.addr, &ids) == 0) {
		du_print_u64(DU_JSON, "vendor_id", NULL, ids.vendor);
		du_print_u64(DU_JSON, "device_id", NULL, ids.device);
		du_printf(" %04x:%04x", ids.vendor, ids.device);
	}
	if (err == 0)
		du_print_string(DU_ANY, "driver", " driver %s", drv);
	else
		du_print_null(DU_ANY, "driver", " driver -");
	if (du_pci_iommu_group(&d.addr, &group) == 0)
		du_print_u64(DU_ANY, "iommu_group", " iommu_group %" PRIu64,
			     group);
	else
		du_print_null(DU_ANY, "iommu_group", " iommu_group -");
	if (du_pci_vfio_cdev(&d.addr, cdev, sizeof(cdev), NULL, 0) == 0)
		du_print_string(DU_ANY, "cdev", " cdev %s", cdev);
	else
		du_print_null(DU_ANY, "cdev", " cdev -");
	du_print_nl();
	for (i = 0; i < DU_PCI_NUM_BARS; i++) {
		const struct du_pci_bar *b = &d.bars[i];
		struct du_row *r;

		if (!b->size)
			continue;
		r = du_table_new_row(t);
		du_row_set_u64(r, PC_INDEX, b->index);
		du_row_set_str(r, PC_TYPE, b->flags & DU_BAR_IO ? "io" : "mem");
		du_row_set_bool(r, PC_64BIT, b->flags & DU_BAR_64);
		du_row_set_bool(r, PC_PREFETCH, b->flags & DU_BAR_PREFETCH);
		du_row_set_u64(r, PC_START, b->start);
		du_row_set_u64(r, PC_SIZE, b->size);
		set_wc(r, &wc[i]);
	}
	if (du_table_print(t, "bars") < 0)
		status = DU_EXIT_FAILURE;
	du_table_free(t);
	if (have_f) {
		du_out_open_object("features");
		du_print_bool(DU_ANY, "dma_buf", "features: dma_buf %s",
			      f.dma_buf);
		du_print_bool(DU_ANY, "dma_buf_revoke", ", dma_buf_revoke %s",
			      f.revoke);
		du_print_bool(DU_ANY, "dma_buf_memattr", ", dma_buf_memattr %s",
			      f.memattr);
		du_print_bool(DU_ANY, "dma_buf_mmap", ", dma_buf_mmap %s",
			      f.revoke);
		du_print_nl();
		du_out_close_object();
		if ((a.require & REQ_DMA_BUF) && !f.dma_buf)
			missing |= REQ_DMA_BUF;
		if ((a.require & REQ_REVOKE) && !f.revoke)
			missing |= REQ_REVOKE;
		if ((a.require & REQ_MEMATTR) && !f.memattr)
			missing |= REQ_MEMATTR;
		if ((a.require & REQ_MMAP) && !f.revoke)
			missing |= REQ_MMAP;
	} else {
		du_print_null(DU_JSON, "features", NULL);
	}
	du_out_close_object();
	du_out_close_array();
	status = vd_out_end(status);
	if (missing) {
		msg[0] = '\0';
		for (i = 0; feature_keywords[i].name; i++)
			if (missing & (unsigned int)feature_keywords[i].value)
				snprintf(msg + strlen(msg),
					 sizeof(msg) - strlen(msg), "%s%s",
					 msg[0] ? ", " : "",
					 feature_keywords[i].name);
		du_err("the running kernel lacks: %s", msg);
		return DU_EXIT_NOTSUPP;
	}
	return status;
}
