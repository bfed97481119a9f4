// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl device and hwpt: bind a VFIO device cdev to the iommufd,
 * attach / replace / detach, IOMMU_GET_HW_INFO, HWPT alloc and destroy.
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
#include "du/iommufd.h"
#include "du/output.h"
#include "du/parse.h"
#include "du/pci.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "ctl.h"

enum {
	OPT_DEVICE = 0x100, OPT_IOAS, OPT_HWPT, OPT_NAME, OPT_NEST_PARENT,
	OPT_DIRTY,
};

struct dev_opts {
	const char *device, *ioas, *hwpt, *name;
	bool nest_parent, dirty;
	bool allow_name;
};

static error_t dev_parse(int key, char *arg, struct argp_state *st)
{
	struct dev_opts *o = st->input;
	int err = 0;

	switch (key) {
	case ARGP_KEY_INIT:
		ctl_argp_init(st);
		return 0;
	case OPT_DEVICE: o->device = arg; return 0;
	case OPT_IOAS: o->ioas = arg; return 0;
	case OPT_HWPT: o->hwpt = arg; return 0;
	case OPT_NAME: return ctl_opt_name(st, arg, &o->name);
	case OPT_NEST_PARENT: o->nest_parent = true; return 0;
	case OPT_DIRTY: o->dirty = true; return 0;
	case ARGP_KEY_ARG:
		if (o->allow_name &&
		    ctl_opt_name_word(st, arg, &o->name, &err))
			return err;
		return ctl_argp_error(st, "unexpected argument '%s'", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

#define O_DEVICE { "device", OPT_DEVICE, "DEV", 0, "the device: a name, or a PCI address (bound on first use)", 0 }
#define O_IOAS { "ioas", OPT_IOAS, "IOAS", 0, "an IOAS (name or id)", 0 }
#define O_HWPT { "hwpt", OPT_HWPT, "HWPT", 0, "a HWPT (name or id)", 0 }
#define O_NAME { "name", OPT_NAME, "NAME", 0, "name the new object (same as the word 'name NAME')", 0 }
#define O_END { NULL, 0, NULL, 0, NULL, 0 }

static int parse(struct ctl *c, const struct argp_option *opts,
		 const char *args, const char *doc, int argc, char **argv,
		 struct dev_opts *o)
{
	struct argp argp = { opts, dev_parse, args, doc, NULL, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->allow_name = args && strstr(args, "name");
	return ctl_parse(c, &argp, argc, argv, o);
}

/* ---- binding --------------------------------------------------------------- */

static int bind_device(struct ctl *c, const struct du_pci_addr *a,
		       const char *name, struct ctl_obj **out)
{
	char pci[DU_PCI_ADDR_STRLEN], drv[64], cdev[32];
	struct ctl_obj *o;
	int rc;

	du_pci_addr_format(a, pci, sizeof(pci));
	if (ctl_find_pci(c, a))
		return ctl_usage(c, "%s is already bound in this context", pci);
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	if (!c->dry_run) {
		if (!du_pci_exists(a))
			return ctl_usage(c, "no PCI device %s", pci);
		rc = du_pci_driver(a, drv, sizeof(drv));
		if (rc == -ENOENT)
			return ctl_err(c, "%s is bound to no driver: bind it to vfio-pci first", pci);
		if (rc >= 0 && strcmp(drv, "vfio-pci"))
			return ctl_err(c, "%s is bound to %s, not vfio-pci", pci, drv);
		rc = du_pci_vfio_cdev(a, cdev, sizeof(cdev), NULL, 0);
		if (rc == -ENOENT)
			return ctl_fail(c, DU_EXIT_NOTSUPP,
					"%s has no VFIO device cdev (the kernel lacks CONFIG_VFIO_DEVICE_CDEV)",
					pci);
	}
	o = ctl_obj_new(c, CTL_OBJ_DEVICE, name, 0);
	if (!o)
		return ctl_err(c, "out of memory");
	ctl_obj_set_pci(c, o, a);
	if (c->dry_run) {
		ctl_obj_set_id(c, o, c->next_fake_id++);
	} else {
		rc = du_vfio_open(a, c->iommufd, DU_VFIO_OPEN_NO_LEGACY, &o->dev);
		if (rc) {
			ctl_obj_remove(c, o);
			if (rc == -EBUSY)
				return ctl_err(c, "%s: the device is in use (opened by another process or bound elsewhere)",
					       pci);
			return ctl_fail(c, du_vfio_exit_code(DU_VFIO_OP_OPEN, rc),
					"binding %s: %s", pci,
					du_vfio_strerror(DU_VFIO_OP_OPEN, rc));
		}
		ctl_obj_set_id(c, o, o->dev.devid);
	}
	*out = o;
	return 0;
}

int ctl_resolve_device(struct ctl *c, const char *ref, struct ctl_obj **out)
{
	struct du_pci_addr a;
	struct ctl_obj *o;
	uint32_t id;

	if (!ref) {
		o = ctl_only(c, CTL_OBJ_DEVICE);
		if (o) {
			*out = o;
			return 0;
		}
		return ctl_usage(c, ctl_count(c, CTL_OBJ_DEVICE) ?
				 "there are several devices: say which with --device" :
				 "--device is required");
	}
	o = ctl_find_name(c, ref);
	if (o)
		return ctl_resolve(c, CTL_OBJ_DEVICE, ref, out, &id);
	if (!du_parse_pci_addr(ref, &a)) {
		o = ctl_find_pci(c, &a);
		if (o) {
			*out = o;
			return 0;
		}
		return bind_device(c, &a, NULL, out);
	}
	return ctl_resolve(c, CTL_OBJ_DEVICE, ref, out, &id);
}

static void print_device(const struct ctl_obj *o)
{
	du_print_string(DU_ANY, "device", "device %s", o->pci);
	du_print_string(o->name[0] ? DU_ANY : DU_JSON, "name", " name %s",
			o->name[0] ? o->name : NULL);
	du_print_string(DU_ANY, "cdev", " cdev %s",
			o->dev.cdev[0] ? o->dev.cdev : NULL);
	du_print_u64(DU_ANY, "dev_id", " dev_id %" PRIu64, o->id);
	du_print_int(DU_JSON, "fd", NULL, o->dev.fd);
	du_print_bool(DU_JSON, "attached", NULL, o->attached);
	if (o->attached) {
		du_print_u64(DU_ANY, "pt_id", " attached to %" PRIu64, o->pt_id);
		du_print_u64(DU_ANY, "hwpt_id", " hwpt %" PRIu64, o->hwpt_id);
	} else {
		du_print_null(DU_JSON, "pt_id", NULL);
		du_print_null(DU_JSON, "hwpt_id", NULL);
	}
}

static int dev_bind(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_DEVICE, O_NAME, O_END };
	struct dev_opts o;
	struct du_pci_addr a;
	struct ctl_obj *d;
	int rc;

	rc = parse(c, opts, "[name NAME]",
		   "Open the VFIO cdev of a vfio-pci device and bind it to the iommufd (VFIO_DEVICE_BIND_IOMMUFD).",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.device)
		return ctl_usage(c, "--device PCI-ADDRESS is required");
	if (du_parse_pci_addr(o.device, &a))
		return ctl_usage(c, "invalid PCI address '%s' (DDDD:BB:DD.F or BB:DD.F)",
				 o.device);
	if (o.name && ctl_find_name(c, o.name))
		return ctl_usage(c, "the name '%s' is already taken", o.name);
	rc = bind_device(c, &a, o.name, &d);
	if (rc)
		return rc;
	ctl_result_open(c);
	print_device(d);
	ctl_result_close();
	return 0;
}

static int dev_unbind(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_DEVICE, O_END };
	struct dev_opts o;
	struct ctl_obj *d;
	int rc;

	rc = parse(c, opts, NULL,
		   "Close the device (which detaches and unbinds it from the iommufd).",
		   argc, argv, &o);
	if (rc)
		return rc;
	rc = ctl_resolve_device(c, o.device, &d);
	if (rc)
		return rc;
	ctl_result_open(c);
	du_print_string(DU_ANY, "device", "unbound device %s", d->pci);
	du_print_u64(DU_JSON, "dev_id", NULL, d->id);
	ctl_result_close();
	ctl_obj_remove(c, d);
	return 0;
}

/* The page table to attach to: --hwpt or --ioas (or the only IOAS). */
static int resolve_pt(struct ctl *c, const struct dev_opts *o, uint32_t *pt,
		      const char **kind)
{
	struct ctl_obj *x;

	if (o->hwpt && o->ioas)
		return ctl_usage(c, "--ioas and --hwpt exclude each other");
	if (o->hwpt) {
		*kind = "hwpt";
		return ctl_resolve(c, CTL_OBJ_HWPT, o->hwpt, &x, pt);
	}
	*kind = "ioas";
	return ctl_resolve_ioas(c, o->ioas, pt, &x);
}

static int attach_common(struct ctl *c, int argc, char **argv, bool replace)
{
	static const struct argp_option opts[] = { O_DEVICE, O_IOAS, O_HWPT, O_END };
	struct dev_opts o;
	struct ctl_obj *d;
	const char *kind = "ioas";
	uint32_t pt, hwpt;
	int rc;

	rc = parse(c, opts, NULL, replace ?
		   "Move an attached device to another IOAS or HWPT without detaching it in between." :
		   "Attach a bound device to an IOAS (the kernel picks or makes a HWPT) or to an allocated HWPT.",
		   argc, argv, &o);
	if (rc)
		return rc;
	rc = ctl_resolve_device(c, o.device, &d);
	if (rc)
		return rc;
	if (replace && !d->attached)
		return ctl_usage(c, "device %s is not attached: use 'device attach'", d->pci);
	if (!replace && d->attached)
		return ctl_usage(c, "device %s is already attached to %u: use 'device replace' or 'device detach'",
				 d->pci, d->pt_id);
	rc = resolve_pt(c, &o, &pt, &kind);
	if (rc)
		return rc;
	hwpt = pt;
	if (!c->dry_run) {
		rc = du_vfio_attach(d->dev.fd, pt, &hwpt);
		if (rc == -ENOENT)
			return ctl_err(c, "no IOAS or HWPT with id %u", pt);
		if (rc == -EINVAL || rc == -EOPNOTSUPP)
			return ctl_err(c, "%s %u is not compatible with device %s (%s)",
				       kind, pt, d->pci, strerror(-rc));
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"VFIO_DEVICE_ATTACH_IOMMUFD_PT %s to %s %u: %s",
					d->pci, kind, pt, strerror(-rc));
	}
	d->attached = true;
	d->pt_id = pt;
	d->hwpt_id = hwpt;
	ctl_result_open(c);
	print_device(d);
	du_print_string(DU_JSON, "pt_type", NULL, kind);
	ctl_result_close();
	return 0;
}

static int dev_attach(struct ctl *c, int argc, char **argv)
{
	return attach_common(c, argc, argv, false);
}

static int dev_replace(struct ctl *c, int argc, char **argv)
{
	return attach_common(c, argc, argv, true);
}

static int dev_detach(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_DEVICE, O_END };
	struct dev_opts o;
	struct ctl_obj *d;
	int rc;

	rc = parse(c, opts, NULL, "Detach a device from its IOAS or HWPT.",
		   argc, argv, &o);
	if (rc)
		return rc;
	rc = ctl_resolve_device(c, o.device, &d);
	if (rc)
		return rc;
	if (!d->attached)
		return ctl_usage(c, "device %s is not attached", d->pci);
	if (!c->dry_run) {
		rc = du_vfio_detach(d->dev.fd);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"VFIO_DEVICE_DETACH_IOMMUFD_PT %s: %s",
					d->pci, strerror(-rc));
	}
	d->attached = false;
	ctl_result_open(c);
	print_device(d);
	ctl_result_close();
	return 0;
}

static int dev_list(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_END };
	struct dev_opts o;
	int rc;

	rc = parse(c, opts, NULL, "List the devices bound in this context.",
		   argc, argv, &o);
	if (rc)
		return rc;
	ctl_result_open(c);
	du_out_open_array("devices");
	for (struct ctl_obj *d = ctl_first(c, CTL_OBJ_DEVICE); d; d = d->type_next) {
		du_out_open_object(NULL);
		print_device(d);
		du_print_nl();
		du_out_close_object();
	}
	du_out_close_array();
	du_out_close_object();
	return 0;
}

/* ---- hw-info ------------------------------------------------------------------ */

static const struct {
	uint64_t bit;
	const char *name;
} hw_caps[] = {
	{ IOMMU_HW_CAP_DIRTY_TRACKING, "dirty_tracking" },
	{ IOMMU_HW_CAP_PCI_PASID_EXEC, "pci_pasid_exec" },
	{ IOMMU_HW_CAP_PCI_PASID_PRIV, "pci_pasid_priv" },
	{ IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED, "pci_ats_not_supported" },
};

static int dev_hw_info(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_DEVICE, O_END };
	struct du_hw_info info;
	struct dev_opts o;
	struct ctl_obj *d;
	int rc;

	rc = parse(c, opts, NULL,
		   "Show what the IOMMU behind a device offers (IOMMU_GET_HW_INFO).",
		   argc, argv, &o);
	if (rc)
		return rc;
	rc = ctl_resolve_device(c, o.device, &d);
	if (rc)
		return rc;
	memset(&info, 0, sizeof(info));
	if (!c->dry_run) {
		rc = du_iommufd_hw_info(c->iommufd, d->id, &info);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_GET_HW_INFO %s: %s", d->pci,
					strerror(-rc));
	}
	ctl_result_open(c);
	du_print_string(DU_ANY, "device", "device %s", d->pci);
	du_print_u64(DU_JSON, "dev_id", NULL, d->id);
	du_print_string(DU_ANY, "type", " iommu %s", du_hw_info_type_name(info.type));
	du_print_u64(DU_JSON, "type_id", NULL, info.type);
	du_print_hex_u64(DU_ANY, "capabilities", " capabilities %s", info.capabilities);
	du_out_open_array("capability_names");
	for (size_t i = 0; i < sizeof(hw_caps) / sizeof(hw_caps[0]); i++)
		if (info.capabilities & hw_caps[i].bit)
			du_print_string(DU_ANY, NULL, " %s", hw_caps[i].name);
	du_out_close_array();
	du_print_u64(DU_JSON, "data_len", NULL, info.data_len);
	if (info.type == IOMMU_HW_INFO_TYPE_INTEL_VTD && info.data_len >= 24) {
		uint64_t cap, ecap;

		memcpy(&cap, info.data + 8, sizeof(cap));
		memcpy(&ecap, info.data + 16, sizeof(ecap));
		du_print_hex_u64(DU_ANY, "vtd_cap_reg", " cap_reg %s", cap);
		du_print_hex_u64(DU_ANY, "vtd_ecap_reg", " ecap_reg %s", ecap);
	}
	ctl_result_close();
	return 0;
}

/* ---- hwpt ------------------------------------------------------------------------ */

static int hwpt_alloc(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		O_DEVICE,
		{ "ioas", OPT_IOAS, "IOAS", 0, "the IOAS the HWPT maps (default: the only one)", 0 },
		O_NAME,
		{ "nest-parent", OPT_NEST_PARENT, NULL, 0, "allocate a nesting parent", 0 },
		{ "dirty-tracking", OPT_DIRTY, NULL, 0, "enforce dirty tracking", 0 },
		O_END,
	};
	struct dev_opts o;
	struct ctl_obj *d, *ioas, *h;
	uint32_t pt, id, flags = 0;
	int rc;

	rc = parse(c, opts, "[name NAME]",
		   "Allocate a hardware page table for a device, mapping an IOAS (IOMMU_HWPT_ALLOC); attach devices to it with 'device attach --hwpt'.",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (o.name && ctl_find_name(c, o.name))
		return ctl_usage(c, "the name '%s' is already taken", o.name);
	rc = ctl_resolve_device(c, o.device, &d);
	if (rc)
		return rc;
	rc = ctl_resolve_ioas(c, o.ioas, &pt, &ioas);
	if (rc)
		return rc;
	if (o.nest_parent)
		flags |= IOMMU_HWPT_ALLOC_NEST_PARENT;
	if (o.dirty)
		flags |= IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	if (c->dry_run) {
		id = c->next_fake_id++;
	} else {
		rc = du_hwpt_alloc(c->iommufd, d->id, pt, flags, &id);
		if (rc == -EOPNOTSUPP)
			return ctl_fail(c, DU_EXIT_NOTSUPP,
					"IOMMU_HWPT_ALLOC: the IOMMU of %s does not support these flags",
					d->pci);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_HWPT_ALLOC for %s on ioas %u: %s",
					d->pci, pt, strerror(-rc));
	}
	h = ctl_obj_new(c, CTL_OBJ_HWPT, o.name, id);
	if (!h)
		return ctl_err(c, "out of memory");
	h->dev_id = d->id;
	h->parent_id = pt;
	h->flags = flags;
	ctl_result_open(c);
	du_print_u64(DU_ANY, "hwpt_id", "hwpt %" PRIu64, id);
	du_print_string(o.name ? DU_ANY : DU_JSON, "name", " name %s", o.name);
	du_print_u64(DU_ANY, "ioas_id", " ioas %" PRIu64, pt);
	du_print_string(DU_ANY, "device", " device %s", d->pci);
	du_print_u64(DU_JSON, "dev_id", NULL, d->id);
	du_print_bool(DU_JSON, "nest_parent", NULL, o.nest_parent);
	du_print_bool(DU_JSON, "dirty_tracking", NULL, o.dirty);
	ctl_result_close();
	return 0;
}

static int hwpt_destroy(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_HWPT, O_END };
	struct dev_opts o;
	struct ctl_obj *h;
	uint32_t id;
	int rc;

	rc = parse(c, opts, NULL, "Destroy a HWPT (no device may be attached to it).",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.hwpt)
		return ctl_usage(c, "--hwpt is required");
	rc = ctl_resolve(c, CTL_OBJ_HWPT, o.hwpt, &h, &id);
	if (rc)
		return rc;
	if (!c->dry_run) {
		rc = du_iommufd_destroy(c->iommufd, id);
		if (rc == -EBUSY)
			return ctl_err(c, "hwpt %u is in use: detach its devices first", id);
		if (rc == -ENOENT)
			return ctl_err(c, "no hwpt with id %u", id);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_DESTROY hwpt %u: %s", id, strerror(-rc));
	}
	ctl_result_open(c);
	du_print_u64(DU_ANY, "hwpt_id", "destroyed hwpt %" PRIu64, id);
	du_print_string(DU_JSON, "name", NULL, h && h->name[0] ? h->name : NULL);
	ctl_result_close();
	if (h)
		ctl_obj_remove(c, h);
	return 0;
}

static int hwpt_list(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_END };
	struct dev_opts o;
	int rc;

	rc = parse(c, opts, NULL, "List the HWPTs allocated in this context.",
		   argc, argv, &o);
	if (rc)
		return rc;
	ctl_result_open(c);
	du_out_open_array("hwpts");
	for (struct ctl_obj *h = ctl_first(c, CTL_OBJ_HWPT); h; h = h->type_next) {
		du_out_open_object(NULL);
		du_print_u64(DU_ANY, "hwpt_id", "hwpt %" PRIu64, h->id);
		du_print_string(h->name[0] ? DU_ANY : DU_JSON, "name", " name %s",
				h->name[0] ? h->name : NULL);
		du_print_u64(DU_ANY, "ioas_id", " ioas %" PRIu64, h->parent_id);
		du_print_u64(DU_ANY, "dev_id", " dev_id %" PRIu64, h->dev_id);
		du_print_nl();
		du_out_close_object();
	}
	du_out_close_array();
	du_out_close_object();
	return 0;
}

static const struct ctl_cmd dev_cmds[] = {
	{ NULL, dev_list, NULL },
	{ "bind", dev_bind, "bind a vfio-pci device's cdev: device bind --device PCI [name NAME]" },
	{ "unbind", dev_unbind, "close a bound device" },
	{ "attach", dev_attach, "attach to an IOAS or HWPT" },
	{ "replace", dev_replace, "move an attached device to another IOAS or HWPT" },
	{ "detach", dev_detach, "detach from its IOAS or HWPT" },
	{ "hw-info", dev_hw_info, "IOMMU_GET_HW_INFO (alias: get-hw-info)" },
	{ "get-hw-info", dev_hw_info, "same as hw-info" },
	{ "list", dev_list, "the devices bound in this context" },
	{ NULL, NULL, NULL },
};

int ctl_cmd_device(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, dev_cmds, "device", argc - 1, argv + 1);
}

static const struct ctl_cmd hwpt_cmds[] = {
	{ NULL, hwpt_list, NULL },
	{ "alloc", hwpt_alloc, "allocate a HWPT: hwpt alloc --device DEV [--ioas IOAS] [name NAME]" },
	{ "destroy", hwpt_destroy, "destroy a HWPT" },
	{ "list", hwpt_list, "the HWPTs of this context" },
	{ NULL, NULL, NULL },
};

int ctl_cmd_hwpt(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, hwpt_cmds, "hwpt", argc - 1, argv + 1);
}
