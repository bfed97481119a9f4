// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl vfio-compat (the VFIO compatibility container's IOAS), show
 * (everything in the context) and exec (run a program that inherits the
 * iommufd and the bound device fds).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/output.h"
#include "du/parse.h"
#include "ctl.h"

enum { OPT_IOAS = 0x100, OPT_DEVICE };

struct misc_opts {
	const char *ioas, *device;
	int nargs;
	char **args;
};

static error_t misc_parse(int key, char *arg, struct argp_state *st)
{
	struct misc_opts *o = st->input;

	switch (key) {
	case ARGP_KEY_INIT:
		ctl_argp_init(st);
		return 0;
	case OPT_IOAS: o->ioas = arg; return 0;
	case OPT_DEVICE: o->device = arg; return 0;
	case ARGP_KEY_ARGS:
		o->nargs = st->argc - st->next;
		o->args = st->argv + st->next;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

#define O_END { NULL, 0, NULL, 0, NULL, 0 }

static int parse(struct ctl *c, const struct argp_option *opts,
		 const char *args, const char *doc, int argc, char **argv,
		 struct misc_opts *o)
{
	struct argp argp = { opts, misc_parse, args, doc, NULL, NULL, NULL };

	memset(o, 0, sizeof(*o));
	return ctl_parse(c, &argp, argc, argv, o);
}

static int no_args(struct ctl *c, const struct misc_opts *o)
{
	if (o->nargs)
		return ctl_usage(c, "unexpected argument '%s'", o->args[0]);
	return 0;
}

/* ---- vfio-compat ------------------------------------------------------------ */

static int compat_show(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_END };
	struct du_iova_range *r = NULL;
	struct misc_opts o;
	struct ctl_obj *obj = NULL;
	uint64_t align = 0;
	uint32_t id = 0;
	size_t n = 0;
	bool have = false;
	int rc;

	rc = parse(c, opts, NULL,
		   "Show the IOAS that the VFIO compatibility container of this iommufd uses (IOMMU_VFIO_IOAS GET) and its IOVA ranges.",
		   argc, argv, &o);
	if (rc || (rc = no_args(c, &o)))
		return rc;
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	if (c->dry_run) {
		/* what 'vfio-compat set' chose (no ranges: no kernel) */
		have = c->compat_known;
		id = c->compat_ioas_id;
		obj = have ? ctl_find_id(c, CTL_OBJ_IOAS, id) : NULL;
	} else {
		rc = du_vfio_compat_ioas_get(c->iommufd, &id);
		if (rc && rc != -ENODEV && rc != -ENOENT)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_VFIO_IOAS GET: %s", strerror(-rc));
		have = !rc;
		if (have) {
			obj = ctl_find_id(c, CTL_OBJ_IOAS, id);
			rc = du_ioas_iova_ranges(c->iommufd, id, &r, &n, &align);
			if (rc)
				return ctl_fail(c, du_exit_for_errno(rc, 0),
						"IOMMU_IOAS_IOVA_RANGES on ioas %u: %s",
						id, strerror(-rc));
		}
	}
	ctl_result_open(c);
	if (have) {
		ctl_print_obj_ref("ioas_id", "name", obj, id);
		du_printf("vfio-compat ioas %u%s%s", id, obj && obj->name[0] ? " name " : "",
			  obj && obj->name[0] ? obj->name : "");
		du_print_u64(DU_ANY, "alignment", " alignment %" PRIu64, align);
		du_out_open_array("ranges");
		for (size_t i = 0; i < n; i++) {
			du_out_open_object(NULL);
			du_print_hex_u64(DU_ANY, "start", "\n  %s", r[i].start);
			du_print_hex_u64(DU_ANY, "last", "-%s", r[i].last);
			du_out_close_object();
		}
		du_out_close_array();
	} else {
		du_print_null(DU_JSON, "ioas_id", NULL);
		du_print_null(DU_JSON, "name", NULL);
		du_printf("vfio-compat: no IOAS (set one with 'vfio-compat set --ioas IOAS')");
	}
	ctl_result_close();
	free(r);
	return 0;
}

static int compat_set(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "ioas", OPT_IOAS, "IOAS", 0, "the IOAS (default: the only one)", 0 },
		O_END,
	};
	struct misc_opts o;
	struct ctl_obj *obj;
	uint32_t id;
	int rc;

	rc = parse(c, opts, NULL,
		   "Make an IOAS the one the VFIO compatibility container uses (IOMMU_VFIO_IOAS SET).",
		   argc, argv, &o);
	if (rc || (rc = no_args(c, &o)))
		return rc;
	rc = ctl_resolve_ioas(c, o.ioas, &id, &obj);
	if (rc)
		return rc;
	if (!c->dry_run) {
		rc = du_vfio_compat_ioas_set(c->iommufd, id);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_VFIO_IOAS SET ioas %u: %s", id,
					strerror(-rc));
	}
	c->compat_known = true;
	c->compat_ioas_id = id;
	c->compat_iommu_set = false;	/* VFIO_SET_IOMMU again for it */
	ctl_result_open(c);
	ctl_print_obj_ref("ioas_id", "name", obj, id);
	du_printf("vfio-compat ioas %u", id);
	ctl_result_close();
	return 0;
}

static int compat_clear(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_END };
	struct misc_opts o;
	int rc;

	rc = parse(c, opts, NULL,
		   "Forget the compatibility IOAS (IOMMU_VFIO_IOAS CLEAR).",
		   argc, argv, &o);
	if (rc || (rc = no_args(c, &o)))
		return rc;
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	if (!c->dry_run) {
		rc = du_vfio_compat_ioas_clear(c->iommufd);
		if (rc)
			return ctl_fail(c, du_exit_for_errno(rc, 0),
					"IOMMU_VFIO_IOAS CLEAR: %s", strerror(-rc));
	}
	c->compat_known = false;
	c->compat_iommu_set = false;
	ctl_result_open(c);
	du_printf("vfio-compat cleared");
	ctl_result_close();
	return 0;
}

static const struct ctl_cmd compat_cmds[] = {
	{ NULL, compat_show, NULL },
	{ "show", compat_show, "the compatibility IOAS and its IOVA ranges" },
	{ "set", compat_set, "use an IOAS for the compatibility container" },
	{ "clear", compat_clear, "forget the compatibility IOAS" },
	{ "map", ctl_compat_map, "VFIO_IOMMU_MAP_DMA of memory by address (anonymous, an mmap() of an fd or BAR)" },
	{ "unmap", ctl_compat_unmap, "VFIO_IOMMU_UNMAP_DMA of a range or everything" },
	{ NULL, NULL, NULL },
};

int ctl_cmd_compat(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, compat_cmds, "vfio-compat", argc - 1, argv + 1);
}

/* ---- show ---------------------------------------------------------------------- */

int ctl_cmd_show(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = { O_END };
	struct misc_opts o;
	int rc;

	rc = parse(c, opts, NULL,
		   "Show every object of this context: IOASes with their mappings, HWPTs, devices.",
		   argc, argv, &o);
	if (rc || (rc = no_args(c, &o)))
		return rc;
	ctl_result_open(c);
	du_print_int(DU_JSON, "iommufd", NULL, c->iommufd);
	du_out_open_array("objects");
	for (struct ctl_obj *x = c->objs; x; x = x->next) {
		du_out_open_object(NULL);
		du_print_string(DU_ANY, "type", "%s", ctl_type_name(x->type));
		du_print_u64(DU_ANY, "id", " %" PRIu64, x->id);
		du_print_string(x->name[0] ? DU_ANY : DU_JSON, "name", " name %s",
				x->name[0] ? x->name : NULL);
		if (x->type == CTL_OBJ_DEVICE) {
			du_print_string(DU_ANY, "device", " %s", x->pci);
			du_print_int(DU_JSON, "fd", NULL, x->dev.fd);
			if (x->attached)
				du_print_u64(DU_ANY, "pt_id", " attached to %" PRIu64, x->pt_id);
			else
				du_print_null(DU_JSON, "pt_id", NULL);
		}
		if (x->type == CTL_OBJ_HWPT)
			du_print_u64(DU_ANY, "ioas_id", " ioas %" PRIu64, x->parent_id);
		if (x->type == CTL_OBJ_IOAS)
			ctl_print_maps(x);
		du_print_nl();
		du_out_close_object();
	}
	du_out_close_array();
	du_out_close_object();
	return 0;
}

/* ---- exec --------------------------------------------------------------------------- */

static int setenv_u(const char *k, unsigned long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", v);
	return setenv(k, buf, 1);
}

int ctl_cmd_exec(struct ctl *c, int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "ioas", OPT_IOAS, "IOAS", 0, "put this IOAS's id in IOMMUFD_CTL_IOAS_ID (default: the only one, else the device's)", 0 },
		{ "device", OPT_DEVICE, "DEV", 0, "put this device's fd in IOMMUFD_CTL_DEVICE_FD (default: the only one)", 0 },
		O_END,
	};
	struct misc_opts o;
	struct ctl_obj *ioas = NULL, *dev = NULL;
	char *list = NULL;
	size_t listlen = 0;
	FILE *ls;
	uint32_t ioas_id = 0;
	int rc, status;
	pid_t pid;

	rc = parse(c, opts, "-- COMMAND [ARG...]",
		   "Run COMMAND with the iommufd and every bound device fd inherited, and wait for it. "
		   "Environment: IOMMUFD_CTL_FD (the iommufd), IOMMUFD_CTL_IOAS_ID, IOMMUFD_CTL_DEVICE_FD and "
		   "IOMMUFD_CTL_DEVICE_ID (the chosen or only device), IOMMUFD_CTL_DEVICES (\"NAME=FD ...\" for every device). "
		   "A non-zero exit of COMMAND fails the command.  With --json the command's stdout goes to stderr.",
		   argc, argv, &o);
	if (rc)
		return rc;
	if (!o.nargs)
		return ctl_usage(c, "missing the command to run (exec [--device DEV] [--ioas IOAS] -- COMMAND [ARG...])");
	if (o.ioas) {
		rc = ctl_resolve(c, CTL_OBJ_IOAS, o.ioas, &ioas, &ioas_id);
		if (rc)
			return rc;
	} else if ((ioas = ctl_only(c, CTL_OBJ_IOAS))) {
		ioas_id = ioas->id;
	}
	if (o.device) {
		rc = ctl_resolve_device(c, o.device, &dev);
		if (rc)
			return rc;
	} else {
		dev = ctl_only(c, CTL_OBJ_DEVICE);
	}
	/* Several IOASes: the one the device is attached to. */
	if (!o.ioas && !ioas && dev && dev->attached) {
		struct ctl_obj *x = ctl_find_id(c, CTL_OBJ_IOAS, dev->pt_id);

		if (!x) {
			struct ctl_obj *h = ctl_find_id(c, CTL_OBJ_HWPT, dev->pt_id);

			if (h)
				x = ctl_find_id(c, CTL_OBJ_IOAS, h->parent_id);
		}
		if (x) {
			ioas = x;
			ioas_id = x->id;
		}
	}
	rc = ctl_need_iommufd(c);
	if (rc)
		return rc;
	if (c->dry_run) {
		ctl_result_open(c);
		du_print_string(DU_ANY, "program", "would run %s", o.args[0]);
		du_print_null(DU_JSON, "exit_status", NULL);
		ctl_result_close();
		return 0;
	}

	ls = open_memstream(&list, &listlen);
	if (!ls)
		return ctl_err(c, "out of memory");
	for (struct ctl_obj *d = ctl_first(c, CTL_OBJ_DEVICE); d;
	     d = d->type_next) {
		char lbl[64];

		fprintf(ls, "%s%s=%d", ftell(ls) ? " " : "",
				ctl_obj_label(d, lbl, sizeof(lbl)), d->dev.fd);
	}
	fclose(ls);

	du_out_sync_text();
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		free(list);
		return ctl_err(c, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* Child: the fds survive exec, stdout stays free of it in
		 * JSON mode, and a batch read from stdin stays ours. */
		int fl = fcntl(c->iommufd, F_GETFD);

		fcntl(c->iommufd, F_SETFD, fl & ~FD_CLOEXEC);
		for (struct ctl_obj *d = ctl_first(c, CTL_OBJ_DEVICE); d;
		     d = d->type_next) {
			if (d->dev.fd < 0)
				continue;
			fl = fcntl(d->dev.fd, F_GETFD);
			fcntl(d->dev.fd, F_SETFD, fl & ~FD_CLOEXEC);
		}
		setenv_u("IOMMUFD_CTL_FD", (unsigned long)c->iommufd);
		setenv("IOMMUFD_CTL_DEVICES", list, 1);
		if (ioas)
			setenv_u("IOMMUFD_CTL_IOAS_ID", ioas_id);
		else if (o.ioas)
			setenv_u("IOMMUFD_CTL_IOAS_ID", ioas_id);
		else
			unsetenv("IOMMUFD_CTL_IOAS_ID");
		if (dev) {
			setenv_u("IOMMUFD_CTL_DEVICE_FD", (unsigned long)dev->dev.fd);
			setenv_u("IOMMUFD_CTL_DEVICE_ID", dev->id);
		} else {
			unsetenv("IOMMUFD_CTL_DEVICE_FD");
			unsetenv("IOMMUFD_CTL_DEVICE_ID");
		}
		if (du_out_is_json())
			dup2(STDERR_FILENO, STDOUT_FILENO);
		if (c->batch_from_stdin) {
			int nul = open("/dev/null", O_RDONLY);

			if (nul >= 0 && nul != STDIN_FILENO) {
				dup2(nul, STDIN_FILENO);
				close(nul);
			}
		}
		signal(SIGPIPE, SIG_DFL);
		execvp(o.args[0], o.args);
		fprintf(stderr, "%s: %s: cannot run '%s': %s\n", c->where,
			ctl_cmd_name(c), o.args[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	free(list);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return ctl_err(c, "waitpid: %s", strerror(errno));
	}
	ctl_result_open(c);
	du_print_string(DU_ANY, "program", "ran %s", o.args[0]);
	du_out_open_array("argv");
	for (int i = 0; i < o.nargs; i++)
		du_print_string(DU_JSON, NULL, NULL, o.args[i]);
	du_out_close_array();
	if (WIFEXITED(status)) {
		du_print_int(DU_ANY, "exit_status", ": exit status %" PRId64,
			     WEXITSTATUS(status));
		du_print_null(DU_JSON, "signal", NULL);
	} else {
		du_print_null(DU_JSON, "exit_status", NULL);
		du_print_int(DU_ANY, "signal", ": killed by signal %" PRId64,
			     WTERMSIG(status));
	}
	ctl_result_close();
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return ctl_err(c, "'%s' exited with status %d", o.args[0],
			       WEXITSTATUS(status));
	return ctl_err(c, "'%s' was killed by signal %d (%s)", o.args[0],
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
}
