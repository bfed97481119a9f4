// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf - export, vend, map, set attributes of and revoke VFIO
 * DMA-BUFs from the shell.
 *
 * main.c: global options and the subcommand table.
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
#include <unistd.h>

#include "du/argp-exact.h"
#include "du/cli.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "du/table.h"
#include "du/pci.h"
#include "vfio-dmabuf.h"

const char *argp_program_version = DU_VERSION_STRING("vfio-dmabuf");

struct vd_global vd_g = {
	.proc_root = "/proc",
};

static int cmd_help(int argc, char **argv);

static const struct vd_cmd commands[] = {
	{ "export",  cmd_export,  "export BAR ranges as one DMA-BUF" },
	{ "serve",   cmd_serve,   "run a broker that owns devices and vends buffers" },
	{ "list",    cmd_list,    "list the buffers of a broker" },
	{ "exec",    cmd_exec,    "run a command holding a buffer fd" },
	{ "revoke",  cmd_revoke,  "permanently revoke a buffer" },
	{ "memattr", cmd_memattr, "get or set a buffer's memory attribute (nc, wc)" },
	{ "access",  cmd_access,  "map a buffer or BAR: read, write, fill, dump, verify" },
	{ "maps",    cmd_maps,    "list VFIO DMA-BUF and BAR mappings of processes" },
	{ "info",    cmd_info,    "describe buffers and which processes hold them" },
	{ "probe",   cmd_probe,   "show a device's BARs and DMA-BUF features" },
	{ "reset",   cmd_reset,   "reset a device (its buffers pause while it lasts)" },
	{ "stop",    cmd_stop,    "stop a broker (its buffers are revoked)" },
	{ "help",    cmd_help,    "show help for a command" },
	{ NULL, NULL, NULL },
};

/* Set while a subcommand runs so that messages name it. */
static char *cmd_path;

void vd_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	du_verr(fmt, ap);
	va_end(ap);
	exit(DU_EXIT_USAGE);
}

void vd_out_begin(void)
{
	if (du_out_init(vd_g.json, vd_g.pretty) < 0)
		du_die(DU_EXIT_FAILURE, "out of memory");
}

int vd_out_end(int status)
{
	if (du_out_finish() < 0 && status == DU_EXIT_OK)
		return DU_EXIT_FAILURE;
	return status;
}

struct du_table *vd_table_start(const struct du_column *cols, size_t ncols,
				struct du_table_opts *o, int *status)
{
	struct du_table *t;
	char msg[200];
	int r;

	if (o->json)
		vd_g.json = true;
	if (o->list_columns) {
		vd_out_begin();
		r = du_table_list_columns(cols, ncols);
		*status = vd_out_end(r ? DU_EXIT_FAILURE : DU_EXIT_OK);
		return NULL;
	}
	t = du_table_new(cols, ncols, o, msg, sizeof(msg));
	if (!t) {
		if (!strcmp(msg, "out of memory"))
			du_die(DU_EXIT_FAILURE, "%s", msg);
		vd_usage("%s", msg);
	}
	*status = DU_EXIT_OK;
	return t;
}

int vd_arg_fd(const char *opt, const char *s)
{
	int fd;

	if (du_parse_fd(s, &fd) < 0)
		vd_usage("%s: '%s' is not a file descriptor number", opt, s);
	return fd;
}

uint32_t vd_arg_u32(const char *opt, const char *s)
{
	uint32_t v;
	int err = du_parse_u32(s, &v);

	if (err == -ERANGE)
		vd_usage("%s: '%s' is out of range", opt, s);
	if (err < 0)
		vd_usage("%s: '%s' is not a number", opt, s);
	return v;
}

uint64_t vd_arg_size(const char *opt, const char *s)
{
	uint64_t v;
	int err = du_parse_size(s, &v);

	if (err == -ERANGE)
		vd_usage("%s: '%s' overflows 64 bits", opt, s);
	if (err < 0)
		vd_usage("%s: '%s' is not a size (e.g. 4096, 0x1000, 4K, 2M)",
			 opt, s);
	return v;
}

pid_t vd_arg_pid(const char *opt, const char *s)
{
	uint32_t v;

	if (du_parse_u32(s, &v) < 0 || v == 0 || v > INT_MAX)
		vd_usage("%s: '%s' is not a process id", opt, s);
	return (pid_t)v;
}

const char *vd_socket_default(const char *given)
{
	const char *env;

	if (given)
		return given;
	env = getenv("VFIO_DMABUF_SOCKET");
	return env && *env ? env : NULL;
}

/* ---- subcommand parsing ----------------------------------------------- */

/*
 * argp follows each usage error with a "Try `... --help' or `... --usage'
 * for more information." hint (wrapped over two lines).  Our rule is one
 * line naming what was wrong, so argp's error stream filters the hint out;
 * everything else passes to fd 2 unchanged.
 */
static struct {
	char line[1024];
	size_t len;
	bool skipping;
} errf;

static void errf_line(void)
{
	static const char hint[] = "Try `";
	bool ends = errf.len >= 13 &&
		memcmp(errf.line + errf.len - 13, "information.\n", 13) == 0;
	size_t off = 0;
	ssize_t n;

	if (!errf.skipping && errf.len >= sizeof(hint) - 1 &&
	    memcmp(errf.line, hint, sizeof(hint) - 1) == 0)
		errf.skipping = true;
	if (errf.skipping) {
		if (ends)
			errf.skipping = false;
		errf.len = 0;
		return;
	}
	while (off < errf.len) {
		n = write(STDERR_FILENO, errf.line + off, errf.len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	errf.len = 0;
}

static ssize_t errf_write(void *cookie, const char *buf, size_t size)
{
	size_t i;

	(void)cookie;
	for (i = 0; i < size; i++) {
		errf.line[errf.len++] = buf[i];
		if (buf[i] == '\n' || errf.len == sizeof(errf.line))
			errf_line();
	}
	return (ssize_t)size;
}

static int errf_close(void *cookie)
{
	(void)cookie;
	if (errf.len)
		errf_line();
	return 0;
}

/* argp_parse() with the filtered error stream. */
static void parse_filtered(const struct argp *argp, int argc, char **argv,
			   unsigned int flags, void *input)
{
	static const cookie_io_functions_t io = {
		.write = errf_write, .close = errf_close,
	};
	FILE *saved = stderr, *f = fopencookie(NULL, "w", io);

	if (f) {
		setvbuf(f, NULL, _IOLBF, 0);
		stderr = f;
	}
	du_argp_parse(argp, argc, argv, flags, NULL, input);
	if (f) {
		stderr = saved;
		fclose(f);
	}
}

/* Exact long options only (du/argp-exact.h): exits 2 on an abbreviation. */
static void check_exact(const struct argp *argp, int argc, char **argv,
			unsigned int flags)
{
	char msg[200];

	if (du_argp_exact_long_options(argp, argc, argv, flags, msg,
				       sizeof(msg)))
		vd_usage("%s", msg);
}

static void parse_cmd(const struct argp *argp, const char *path, int argc,
		      char **argv, void *input, unsigned int flags)
{
	char *saved = argv[0];
	char *name;

	if (asprintf(&name, "vfio-dmabuf %s", path) < 0)
		du_die(DU_EXIT_FAILURE, "out of memory");
	free(cmd_path);
	cmd_path = name;
	program_invocation_short_name = cmd_path;
	program_invocation_name = cmd_path;
	argv[0] = cmd_path;
	check_exact(argp, argc, argv, flags);
	parse_filtered(argp, argc, argv, ARGP_IN_ORDER, input);
	argv[0] = saved;
}

void vd_parse(const struct argp *argp, const char *path, int argc,
	      char **argv, void *input)
{
	parse_cmd(argp, path, argc, argv, input, 0);
}

void vd_parse_to_arg(const struct argp *argp, const char *path, int argc,
		     char **argv, void *input)
{
	parse_cmd(argp, path, argc, argv, input, DU_ARGP_EXACT_STOP_AT_ARG);
}

static void print_table(FILE *f, const char *prefix,
			const struct vd_cmd *table)
{
	const struct vd_cmd *c;

	fprintf(f, "Usage: %s COMMAND [OPTION...]\n\nCommands:\n", prefix);
	for (c = table; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'%s COMMAND --help' shows a command's options.\n",
		prefix);
}

int vd_dispatch(const char *prefix, const struct vd_cmd *table,
		int argc, char **argv)
{
	const struct vd_cmd *c;
	char *help_argv[3];
	char help_opt[] = "--help";

	program_invocation_short_name = (char *)prefix;
	if (argc < 1) {
		char list[256] = "";

		for (c = table; c->name; c++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", c == table ? "" : ", ", c->name);
		du_err("missing command: one of %s (try '%s help')", list,
		       prefix);
		return DU_EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0 && table != commands) {
		if (argc < 2) {
			print_table(stdout, prefix, table);
			return DU_EXIT_OK;
		}
		for (c = table; c->name; c++) {
			if (strcmp(c->name, argv[1]) == 0) {
				help_argv[0] = argv[1];
				help_argv[1] = help_opt;
				help_argv[2] = NULL;
				return c->fn(2, help_argv);
			}
		}
		du_err("unknown command '%s' (try '%s help')", argv[1], prefix);
		return DU_EXIT_USAGE;
	}
	for (c = table; c->name; c++)
		if (strcmp(c->name, argv[0]) == 0)
			return c->fn(argc, argv);
	du_err("unknown command '%s' (try '%s help')", argv[0], prefix);
	return DU_EXIT_USAGE;
}

static int cmd_help(int argc, char **argv)
{
	const struct vd_cmd *c;
	char *help_argv[3];
	char help_opt[] = "--help";

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		char *av[] = { (char *)"vfio-dmabuf", help_opt, NULL };
		extern const struct argp vd_main_argp;

		du_argp_parse(&vd_main_argp, 2, av, 0, NULL, NULL);
		return DU_EXIT_OK;
	}
	if (argc > 3 || (argc == 3 && strcmp(argv[1], "memattr") &&
			 strcmp(argv[1], "access")))
		vd_usage("help: too many arguments");
	for (c = commands; c->name; c++) {
		if (strcmp(c->name, argv[1]) == 0) {
			if (argc == 3) {
				/* "help memattr set" = "memattr set --help" */
				help_argv[0] = argv[1];
				help_argv[1] = argv[2];
				help_argv[2] = help_opt;
				return c->fn(3, help_argv);
			}
			help_argv[0] = argv[1];
			help_argv[1] = help_opt;
			help_argv[2] = NULL;
			return c->fn(2, help_argv);
		}
	}
	vd_usage("help: unknown command '%s'", argv[1]);
}

/* ---- global options --------------------------------------------------- */

enum {
	OPT_SYSFS_ROOT = 0x200,
	OPT_PROC_ROOT,
};

static const struct argp_option main_options[] = {
	{ "json", 'j', NULL, 0, "JSON on stdout (schema in vfio-dmabuf(1))", 0 },
	{ "pretty", 'p', NULL, 0, "indent the JSON output", 0 },
	{ "sysfs-root", OPT_SYSFS_ROOT, "DIR", 0,
	  "read PCI devices under DIR instead of /sys (also $DU_SYSFS_ROOT)", 0 },
	{ "proc-root", OPT_PROC_ROOT, "DIR", 0,
	  "read processes under DIR instead of /proc", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

struct main_state {
	int cmd_index;
};

static error_t main_parse(int key, char *arg, struct argp_state *state)
{
	struct main_state *ms = state->input;
	int err;

	switch (key) {
	case 'j':
		vd_g.json = true;
		break;
	case 'p':
		vd_g.pretty = true;
		break;
	case OPT_SYSFS_ROOT:
		err = du_sysfs_set_root(arg);
		if (err < 0)
			argp_failure(state, DU_EXIT_USAGE, -err,
				     "--sysfs-root '%s'", arg);
		break;
	case OPT_PROC_ROOT:
		if (!*arg)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--proc-root: empty directory name");
		vd_g.proc_root = arg;
		break;
	case ARGP_KEY_ARG:
		if (!ms)
			return ARGP_ERR_UNKNOWN;
		ms->cmd_index = state->next - 1;
		state->next = state->argc;	/* the rest is the command's */
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static char *main_help_filter(int key, const char *text, void *input)
{
	const struct vd_cmd *c;
	char *buf = NULL, *tmp;
	size_t len = 0;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fprintf(f, "%s\n\nCommands:\n", text);
	for (c = commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fprintf(f, "\n'vfio-dmabuf COMMAND --help' (or 'vfio-dmabuf help COMMAND') shows a command's options.\n"
		"Exit status: 0 ok, 1 failed, 2 usage error, 3 the kernel lacks the feature, 4 revoked, 5 the broker did not answer in time.\n\n"
		"Global options:");
	if (fclose(f) != 0) {
		free(buf);
		return (char *)text;
	}
	tmp = buf;
	return tmp;
}

const struct argp vd_main_argp = {
	.options = main_options,
	.parser = main_parse,
	.args_doc = "COMMAND [ARG...]",
	.doc = "Export, vend, map, set attributes of and revoke VFIO DMA-BUFs.",
	.help_filter = main_help_filter,
};

int main(int argc, char **argv)
{
	struct main_state ms = { .cmd_index = 0 };

	du_close_stdout_atexit();
	argp_err_exit_status = DU_EXIT_USAGE;
	argv[0] = (char *)"vfio-dmabuf";	/* messages name the command */

	check_exact(&vd_main_argp, argc, argv, DU_ARGP_EXACT_STOP_AT_ARG);
	parse_filtered(&vd_main_argp, argc, argv, ARGP_IN_ORDER, &ms);
	if (vd_g.pretty && !vd_g.json)
		vd_g.pretty = false;	/* -p only indents JSON */
	if (ms.cmd_index == 0) {
		du_err("missing command (try 'vfio-dmabuf help')");
		return DU_EXIT_USAGE;
	}
	return vd_dispatch("vfio-dmabuf", commands, argc - ms.cmd_index,
			   argv + ms.cmd_index);
}
