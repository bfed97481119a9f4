// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl: drive iommufd (/dev/iommu) from the shell: IO address
 * spaces, mappings of memory, files and DMA-BUFs, VFIO devices and HWPTs,
 * one command at a time or a whole batch in one context.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "du/argp-exact.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/output.h"
#include "du/parse.h"
#include "ctl.h"

#ifndef PACKAGE_VERSION
# define PACKAGE_VERSION "unknown"
#endif

const char *argp_program_version = "iommufd-ctl (dmabuf-utils) " PACKAGE_VERSION;

/* ---- messages ------------------------------------------------------------ */

static FILE *null_stream;	/* argp's own "Try --help" lines go here */

static void vmsg(struct ctl *c, const char *fmt, va_list ap)
{
	fflush(stdout);
	if (c->cmd)
		fprintf(stderr, "%s: %s: ", c->where, c->cmd);
	else
		fprintf(stderr, "%s: ", c->where);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int ctl_fail(struct ctl *c, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
	return status;
}

int ctl_err(struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
	return DU_EXIT_FAILURE;
}

int ctl_usage(struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
	return DU_EXIT_USAGE;
}

/* ---- per-command argp ------------------------------------------------------ */

struct ctl_parse_input {
	struct ctl *c;
	void *input;
};

void ctl_argp_init(struct argp_state *state)
{
	/* One line per error: argp's "Try --help" hint is dropped. */
	if (null_stream)
		state->err_stream = null_stream;
}

int ctl_argp_error(struct argp_state *state, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", state->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EINVAL;
}

/* 1: --help (or -h, -?, --usage) before any "--"; 2: --version or -V. */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V"))
			return 2;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-?") ||
		    !strcmp(argv[i], "--usage") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

int ctl_parse(struct ctl *c, const struct argp *argp, int argc, char **argv,
	      void *input)
{
	char name[sizeof(c->where) + 64], msg[200];
	char *saved = argv[0];
	int rc, help;

	snprintf(name, sizeof(name), "%s: %s", c->where, c->cmd);
	argv[0] = name;
	help = wants_help(argc, argv);
	if (help == 2) {
		printf("%s\n", argp_program_version);
		argv[0] = saved;
		return CTL_HELP_SHOWN;
	}
	if (help == 1) {
		/* -h is not an argp option: treat it as --help. */
		char *hv[] = { name, (char *)"--help", NULL };

		fflush(stdout);
		snprintf(name, sizeof(name), "iommufd-ctl %s", c->cmd);
		argp_parse(argp, 2, hv, ARGP_NO_EXIT, NULL, input);
		argv[0] = saved;
		return CTL_HELP_SHOWN;
	}
	if (du_argp_exact_long_options(argp, argc, argv, 0, msg,
				       sizeof(msg))) {
		argv[0] = saved;
		return ctl_usage(c, "%s", msg);
	}
	rc = argp_parse(argp, argc, argv, ARGP_NO_EXIT, NULL,
			input);
	argv[0] = saved;
	return rc ? DU_EXIT_USAGE : 0;
}

int ctl_opt_size(struct argp_state *st, const char *opt, const char *arg,
		 uint64_t *out, bool nonzero_page)
{
	uint64_t v;
	int rc = du_parse_size(arg, &v);

	if (rc == -ERANGE)
		return ctl_argp_error(st, "%s '%s' overflows 64 bits", opt, arg);
	if (rc)
		return ctl_argp_error(st, "invalid %s '%s' (a size such as 4096, 0x1000, 4K or 2M)",
				      opt, arg);
	if (nonzero_page && !v)
		return ctl_argp_error(st, "%s must not be zero", opt);
	if (nonzero_page && v % CTL_PAGE_SIZE)
		return ctl_argp_error(st, "%s '%s' is not a multiple of the page size (%u)",
				      opt, arg, CTL_PAGE_SIZE);
	*out = v;
	return 0;
}

int ctl_opt_iova(struct argp_state *st, const char *opt, const char *arg,
		 uint64_t *out)
{
	uint64_t v;
	int rc = du_parse_size(arg, &v);

	if (rc == -ERANGE)
		return ctl_argp_error(st, "%s '%s' overflows 64 bits", opt, arg);
	if (rc)
		return ctl_argp_error(st, "invalid %s '%s' (an address such as 0x100000 or 1M)",
				      opt, arg);
	if (v % CTL_PAGE_SIZE)
		return ctl_argp_error(st, "%s '%s' is not aligned to the page size (%u)",
				      opt, arg, CTL_PAGE_SIZE);
	*out = v;
	return 0;
}

int ctl_opt_name(struct argp_state *st, const char *arg, const char **out)
{
	if (!ctl_name_valid(arg))
		return ctl_argp_error(st, "invalid name '%s': use a letter or '_' then letters, digits, '_', '.' or '-' (at most %d)",
				      arg, CTL_NAME_MAX - 1);
	*out = arg;
	return 0;
}

int ctl_opt_name_word(struct argp_state *st, const char *arg,
		      const char **out, int *err)
{
	if (strcmp(arg, "name"))
		return 0;
	if (st->next >= st->argc) {
		*err = ctl_argp_error(st, "'name' needs a value");
		return 1;
	}
	*err = ctl_opt_name(st, st->argv[st->next++], out);
	return 1;
}

int ctl_opt_fd(struct argp_state *st, const char *opt, const char *arg,
	       int *out)
{
	int fd;
	int rc = du_parse_fd(arg, &fd);

	if (rc)
		return ctl_argp_error(st, "invalid %s '%s' (a file descriptor number)",
				      opt, arg);
	*out = fd;
	return 0;
}

static const struct du_keyword access_words[] = {
	{ "rw", DU_IOMMU_READ | DU_IOMMU_WRITE },
	{ "r", DU_IOMMU_READ },
	{ "w", DU_IOMMU_WRITE },
	{ NULL, 0 },
};

int ctl_opt_access(struct argp_state *st, const char *arg, unsigned int *out)
{
	int v;

	if (du_parse_keyword(arg, access_words, &v))
		return ctl_argp_error(st, "invalid --access '%s' (rw, r or w)", arg);
	*out = (unsigned int)v;
	return 0;
}

const char *ctl_access_name(unsigned int access)
{
	const char *s = du_keyword_name(access_words, (int)access);

	return s ? s : "none";
}

/* ---- dispatch ------------------------------------------------------------------ */

static void print_table(const struct ctl_cmd *t, const char *what)
{
	printf("Usage: iommufd-ctl [OPTION...] %s%sCOMMAND [ARG...]\n\nCommands:\n",
	       what ? what : "", what ? " " : "");
	for (; t->fn || t->name; t++)
		if (t->name)
			printf("  %-14s %s\n", t->name, t->summary);
	printf("  %-14s %s\n", "help", "this list");
	printf("\n'iommufd-ctl %s%sCOMMAND --help' describes a command's options.\n",
	       what ? what : "", what ? " " : "");
}

int ctl_dispatch(struct ctl *c, const struct ctl_cmd *table, const char *what,
		 int argc, char **argv)
{
	const struct ctl_cmd *t;
	static char cmdbuf[128];

	if (argc < 1) {
		for (t = table; t->fn || t->name; t++)
			if (!t->name)
				break;
		if (t->fn) {
			const struct ctl_cmd *named = table;
			char *dv[] = { (char *)what, NULL };

			/* Name it as the command it stands for ("ioas list"). */
			while ((named->fn || named->name) &&
			       !(named->name && named->fn == t->fn))
				named++;
			snprintf(cmdbuf, sizeof(cmdbuf), "%s%s%s", what,
				 named->name ? " " : "",
				 named->name ? named->name : "");
			c->cmd = cmdbuf;
			return t->fn(c, 1, dv);
		}
		c->cmd = NULL;
		return ctl_usage(c, "missing %s command (try '%s%shelp')",
				 what ? what : "a", what ? what : "",
				 what ? " " : "");
	}
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") ||
	    !strcmp(argv[0], "-h")) {
		print_table(table, what);
		return CTL_HELP_SHOWN;
	}
	for (t = table; t->fn || t->name; t++) {
		if (t->name && !strcmp(t->name, argv[0])) {
			if (what)
				snprintf(cmdbuf, sizeof(cmdbuf), "%s %s", what,
					 t->name);
			else
				snprintf(cmdbuf, sizeof(cmdbuf), "%s", t->name);
			c->cmd = cmdbuf;
			return t->fn(c, argc, argv);
		}
	}
	c->cmd = NULL;
	return ctl_usage(c, "unknown %s%scommand '%s' (try '%s%shelp')",
			 what ? what : "", what ? " " : "", argv[0],
			 what ? what : "", what ? " " : "");
}

static int cmd_help(struct ctl *c, int argc, char **argv);

static const struct ctl_cmd top_cmds[] = {
	{ "ioas", ctl_cmd_ioas, "IO address spaces and their mappings" },
	{ "device", ctl_cmd_device, "bind, attach, replace, detach VFIO devices; hw-info" },
	{ "hwpt", ctl_cmd_hwpt, "allocate and destroy hardware page tables" },
	{ "vfio-compat", ctl_cmd_compat, "the IOAS of the VFIO compatibility container" },
	{ "show", ctl_cmd_show, "every object of this context and its mappings" },
	{ "exec", ctl_cmd_exec, "run a program holding the iommufd and device fds" },
	{ NULL, NULL, NULL },
};

static int cmd_help(struct ctl *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	print_table(top_cmds, NULL);
	return CTL_HELP_SHOWN;
}

int ctl_run(struct ctl *c, int argc, char **argv)
{
	int rc;

	c->cmd = NULL;
	if (argc >= 1 && !strcmp(argv[0], "help"))
		return cmd_help(c, argc, argv);
	rc = ctl_dispatch(c, top_cmds, NULL, argc, argv);
	c->cmd = NULL;
	return rc;
}

/* ---- batch ------------------------------------------------------------------------ */

static int run_batch(struct ctl *c, const char *file)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int status = DU_EXIT_OK;

	c->batch = true;
	c->file = file;
	if (!strcmp(file, "-")) {
		f = stdin;
		c->batch_from_stdin = true;
	} else {
		f = fopen(file, "re");
		if (!f) {
			du_err("cannot open batch file '%s': %s", file,
			       strerror(errno));
			return DU_EXIT_USAGE;
		}
	}

	c->line = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char **argv;
		const char *lexerr;
		int n, rc;

		c->line++;
		snprintf(c->where, sizeof(c->where), "%s:%lu", file, c->line);
		c->cmd = NULL;
		if (memchr(line, '\0', (size_t)len)) {
			rc = ctl_usage(c, "NUL byte in the line");
			goto failed;
		}
		n = ctl_lex(line, &argv, &lexerr);
		if (n < 0) {
			rc = ctl_usage(c, "%s", lexerr);
			goto failed;
		}
		if (n == 0) {
			ctl_lex_free(argv);
			continue;
		}
		rc = ctl_run(c, n, argv);
		ctl_lex_free(argv);
		if (rc == CTL_HELP_SHOWN || rc == DU_EXIT_OK)
			continue;
failed:
		if (status == DU_EXIT_OK)
			status = rc;
		if (!c->force)
			break;
	}
	if (ferror(f) && status == DU_EXIT_OK) {
		du_err("reading '%s': %s", file, strerror(errno));
		status = DU_EXIT_FAILURE;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return status;
}

/* ---- global options ------------------------------------------------------------------ */

struct globals {
	bool json, pretty, force, dry_run;
	const char *batch;
	int argc;
	char **argv;
};

static const struct argp_option global_options[] = {
	{ "json", 'j', NULL, 0, "JSON output (one document on stdout)", 0 },
	{ "pretty", 'p', NULL, 0, "indent the JSON output", 0 },
	{ "batch", 'b', "FILE", 0, "run the commands in FILE ('-': stdin), one per line, in one iommufd context", 0 },
	{ "force", 'f', NULL, 0, "in a batch, go on after a failing line (the exit status still says it failed)", 0 },
	{ "dry-run", 'n', NULL, 0, "parse and check every command and object name; touch no device", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t global_parse(int key, char *arg, struct argp_state *state)
{
	struct globals *g = state->input;

	switch (key) {
	case 'j': g->json = true; break;
	case 'p': g->pretty = true; break;
	case 'b': g->batch = arg; break;
	case 'f': g->force = true; break;
	case 'n': g->dry_run = true; break;
	case ARGP_KEY_ARG:
		/* The command and its own options start here. */
		g->argc = state->argc - state->next + 1;
		g->argv = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (g->batch && g->argc)
			argp_error(state, "a command ('%s') and --batch exclude each other",
				   g->argv[0]);
		if (!g->batch && !g->argc)
			argp_error(state, "missing command (try 'iommufd-ctl help')");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char global_doc[] =
"Drive iommufd from the shell: IO address spaces (IOAS), mappings of "
"anonymous memory, files, memfds and DMA-BUFs, VFIO devices and hardware "
"page tables.\v"
"Commands: ioas, device, hwpt, vfio-compat, show, exec, help; "
"'iommufd-ctl OBJECT help' lists an object's commands.\n\n"
"Objects live as long as the /dev/iommu fd: a one-shot command creates "
"them and they are destroyed when it exits.  Use --batch to build an IO "
"address space step by step, and 'exec' to run a program while it exists.\n\n"
"Exit status: 0 success, 1 failure, 2 usage error or bad input, 3 the "
"running kernel lacks the feature, 4 the DMA-BUF was revoked.";

static const struct argp global_argp = {
	global_options, global_parse, "COMMAND [ARG...]\n-b FILE", global_doc,
	NULL, NULL, NULL,
};

int main(int argc, char **argv)
{
	struct globals g = { 0 };
	struct ctl c = { .iommufd = -1 };
	int status, frc;

	du_close_stdout_atexit();
	argp_err_exit_status = DU_EXIT_USAGE;
	{
		char msg[200];

		if (du_argp_exact_long_options(&global_argp, argc, argv,
					       DU_ARGP_EXACT_STOP_AT_ARG, msg,
					       sizeof(msg)))
			du_die(DU_EXIT_USAGE, "%s", msg);
	}
	argp_parse(&global_argp, argc, argv, ARGP_IN_ORDER, NULL, &g);

	null_stream = fopen("/dev/null", "we");
	c.force = g.force;
	c.dry_run = g.dry_run;
	c.next_fake_id = 1;
	snprintf(c.where, sizeof(c.where), "%s", "iommufd-ctl");
	if (du_out_init(g.json, g.pretty))
		du_die(DU_EXIT_FAILURE, "out of memory");
	du_out_open_array("results");

	if (g.batch) {
		status = run_batch(&c, g.batch);
	} else {
		status = ctl_run(&c, g.argc, g.argv);
		if (status == CTL_HELP_SHOWN)
			status = DU_EXIT_OK;
	}

	du_out_close_array();
	ctl_end(&c);
	frc = du_out_finish();
	if (null_stream)
		fclose(null_stream);
	if (frc && status == DU_EXIT_OK) {
		du_err("write error: %s", strerror(-frc));
		status = DU_EXIT_FAILURE;
	}
	return status;
}
