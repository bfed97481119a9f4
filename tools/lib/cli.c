// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Help, usage and version, the same in every command (du/cli.h).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "du/cli.h"
#include "du/output.h"

enum {
	OPT_USAGE = 0x7f0001,	/* long only (keys fit in 24 bits) */
};

/* argp's own wording (argp-parse.c), so that help texts stay as they
 * were, with -h next to -?. */
static const struct argp_option help_options[] = {
	{ "help", 'h', NULL, 0, "Give this help list", -1 },
	{ NULL, '?', NULL, OPTION_ALIAS, NULL, -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	{ "version", 'V', NULL, 0, "Print program version", -1 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

/* Set by the parser below when it printed something under ARGP_NO_EXIT;
 * the error it returns then to stop argp. */
static bool help_shown;
#define HELP_STOP ECANCELED

void du_print_version(FILE *f)
{
	if (argp_program_version_hook) {
		argp_program_version_hook(f, NULL);
		return;
	}
	fprintf(f, "%s\n", argp_program_version ? argp_program_version :
		program_invocation_short_name);
}

static error_t help_parse(int key, char *arg, struct argp_state *state)
{
	bool noexit = state->flags & ARGP_NO_EXIT;

	(void)arg;
	switch (key) {
	case 'h':
	case '?':
		du_out_sync_text();
		fflush(stdout);
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case OPT_USAGE:
		du_out_sync_text();
		fflush(stdout);
		argp_state_help(state, stdout,
				ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		break;
	case 'V':
		du_out_sync_text();
		du_print_version(stdout);
		if (!noexit)
			exit(0);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	/* Only with ARGP_NO_EXIT do we get here: stop parsing. */
	help_shown = true;
	return HELP_STOP;
}

static const struct argp help_argp = {
	help_options, help_parse, NULL, NULL, NULL, NULL, NULL,
};

static bool is_end(const struct argp_option *o)
{
	return !o->name && !o->key && !o->doc && !o->group;
}

static bool has_help(const struct argp *argp)
{
	const struct argp_option *o;
	const struct argp_child *c;

	if (!argp)
		return false;
	for (o = argp->options; o && !is_end(o); o++)
		if (o->name && !strcmp(o->name, "help"))
			return true;
	for (c = argp->children; c && c->argp; c++)
		if (has_help(c->argp))
			return true;
	return false;
}

/* A copy of argp with help_argp as its last child, in *out; the children
 * array is allocated (free it).  Returns false without memory. */
static bool wrap(const struct argp *argp, struct argp *out,
		 struct argp_child **children)
{
	size_t n = 0;

	while (argp->children && argp->children[n].argp)
		n++;
	*children = calloc(n + 2, sizeof(**children));
	if (!*children)
		return false;
	if (n)
		memcpy(*children, argp->children, n * sizeof(**children));
	(*children)[n].argp = &help_argp;
	*out = *argp;
	out->children = *children;
	/* glibc's argp-help.c (make_hol) allocates for an option array
	 * even when it is empty and frees only non-empty ones: give it
	 * none instead of an empty one. */
	if (out->options && is_end(out->options))
		out->options = NULL;
	return true;
}

int du_argp_parse(const struct argp *argp, int argc, char **argv,
		  unsigned int flags, int *arg_index, void *input)
{
	bool help_command = flags & DU_ARGP_HELP_COMMAND;
	struct argp_child *children;
	struct argp w;
	error_t err;

	flags &= ~(unsigned int)DU_ARGP_HELP_COMMAND;
	if (has_help(argp) || !wrap(argp, &w, &children))
		return argp_parse(argp, argc, argv, flags, arg_index, input);
	if (help_command && argc == 2 && !strcmp(argv[1], "help")) {
		const char *name = argv[0] ? argv[0] : "";
		const char *slash = strrchr(name, '/');	/* as argp does */

		free(children);
		du_argp_help(argp, stdout, DU_HELP_HELP,
			     slash ? slash + 1 : name);
		if (!(flags & ARGP_NO_EXIT))
			exit(0);
		return DU_ARGP_HELP_SHOWN;
	}
	help_shown = false;
	err = argp_parse(&w, argc, argv, flags | ARGP_NO_HELP, arg_index,
			 input);
	free(children);
	if (help_shown) {
		help_shown = false;
		fflush(stdout);
		return DU_ARGP_HELP_SHOWN;
	}
	return err;
}

void du_argp_help(const struct argp *argp, FILE *f, enum du_help_kind what,
		  const char *name)
{
	struct argp_child *children;
	struct argp w;
	const struct argp *a = argp;
	unsigned int flags;

	du_out_sync_text();
	if (what == DU_HELP_VERSION) {
		du_print_version(f);
		return;
	}
	flags = what == DU_HELP_USAGE ? ARGP_HELP_USAGE :
		ARGP_HELP_STD_HELP & ~(unsigned int)(ARGP_HELP_EXIT_OK |
						      ARGP_HELP_EXIT_ERR);
	children = NULL;
	if (!has_help(argp) && wrap(argp, &w, &children))
		a = &w;
	fflush(stdout);
	argp_help(a, f, flags, (char *)name);
	fflush(f);
	free(children);
}

enum du_help_kind du_help_word(const char *w)
{
	/* Every help word starts with '-': most words are done here (a
	 * batch asks this of every line's first words). */
	if (!w || w[0] != '-')
		return DU_HELP_NONE;
	if (!strcmp(w, "--help") || !strcmp(w, "-h") || !strcmp(w, "-?"))
		return DU_HELP_HELP;
	if (!strcmp(w, "--usage"))
		return DU_HELP_USAGE;
	if (!strcmp(w, "--version") || !strcmp(w, "-V"))
		return DU_HELP_VERSION;
	return DU_HELP_NONE;
}

enum du_help_kind du_help_find(int argc, char **argv, int *index)
{
	for (int i = 1; i < argc; i++) {
		enum du_help_kind k;

		if (!strcmp(argv[i], "--"))
			break;
		k = du_help_word(argv[i]);
		if (k != DU_HELP_NONE) {
			if (index)
				*index = i;
			return k;
		}
	}
	return DU_HELP_NONE;
}
