// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exact long options for argp parsers (du/argp-exact.h).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "du/argp-exact.h"

/* What a lookup found: the option, and for a prefix how many matched. */
struct lookup {
	bool exact;
	bool arg;			/* the exact one takes an argument */
	bool optional;			/* ... an optional one ("--opt=V") */
	const char *prefix_of;		/* the one option it abbreviates */
	unsigned int nprefix;
};

static bool is_end(const struct argp_option *o)
{
	return !o->key && !o->name && !o->doc && !o->group;
}

static bool is_option(const struct argp_option *o)
{
	return o->name && !(o->flags & OPTION_DOC);
}

/* An alias takes the argument of the option it follows. */
static bool takes_arg(const struct argp_option *first,
		      const struct argp_option *o, bool *optional)
{
	while (o > first && (o->flags & OPTION_ALIAS) && !o->arg)
		o--;
	*optional = o->flags & OPTION_ARG_OPTIONAL;
	return o->arg != NULL;
}

static void find_long(const struct argp *argp, const char *name, size_t len,
		      struct lookup *l)
{
	const struct argp_option *o;
	const struct argp_child *c;

	if (!argp)
		return;
	for (o = argp->options; o && !is_end(o); o++) {
		if (!is_option(o) || strncmp(o->name, name, len))
			continue;
		if (strlen(o->name) == len) {
			if (!l->exact)
				l->arg = takes_arg(argp->options, o,
						   &l->optional);
			l->exact = true;
		} else if (!l->prefix_of || strcmp(l->prefix_of, o->name)) {
			l->prefix_of = o->name;
			l->nprefix++;
		}
	}
	for (c = argp->children; c && c->argp; c++)
		find_long(c->argp, name, len, l);
}

/* The short option key, or NULL. */
static bool find_short(const struct argp *argp, int key, bool *arg,
		       bool *optional)
{
	const struct argp_option *o;
	const struct argp_child *c;

	if (!argp)
		return false;
	for (o = argp->options; o && !is_end(o); o++)
		if (o->key == key && !(o->flags & OPTION_DOC)) {
			*arg = takes_arg(argp->options, o, optional);
			return true;
		}
	for (c = argp->children; c && c->argp; c++)
		if (find_short(c->argp, key, arg, optional))
			return true;
	return false;
}

/* argp's own options (argp-parse.c: argp_default_options and
 * argp_version_options). */
static bool builtin(const char *name, size_t len, const char **prefix_of)
{
	static const char *const names[] = { "help", "usage", "version" };
	size_t i, n = argp_program_version || argp_program_version_hook ?
		3 : 2;

	for (i = 0; i < n; i++) {
		if (strncmp(names[i], name, len))
			continue;
		if (strlen(names[i]) == len)
			return true;
		*prefix_of = names[i];
	}
	return false;
}

int du_argp_exact_long_options(const struct argp *argp, int argc,
			       char **argv, unsigned int flags, char *msg,
			       size_t len)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *bprefix = NULL;
		struct lookup l = { false, false, false, NULL, 0 };
		bool arg, optional;
		size_t n;

		if (!strcmp(a, "--"))
			break;
		if (a[0] != '-' || !a[1]) {
			if (flags & DU_ARGP_EXACT_STOP_AT_ARG)
				break;
			continue;	/* an argument, or "-" */
		}
		if (a[1] != '-') {
			/* short options "-jp", "-oVALUE", "-o VALUE" */
			for (name = a + 1; *name; name++) {
				if (!isprint((unsigned char)*name) ||
				    !find_short(argp, (unsigned char)*name,
						&arg, &optional) || !arg)
					continue;
				if (!name[1] && !optional)
					i++;
				break;
			}
			continue;
		}
		name = a + 2;
		n = strcspn(name, "=");
		find_long(argp, name, n, &l);
		if (l.exact) {
			if (l.arg && !name[n] && !l.optional)
				i++;	/* "--opt VALUE" */
			continue;
		}
		if (builtin(name, n, &bprefix))
			continue;
		if (msg && len) {
			if (l.nprefix == 1 && !bprefix)
				snprintf(msg, len, "unrecognized option '--%.*s'; did you mean '--%s'?",
					 (int)n, name, l.prefix_of);
			else if (l.nprefix == 0 && bprefix)
				snprintf(msg, len, "unrecognized option '--%.*s'; did you mean '--%s'?",
					 (int)n, name, bprefix);
			else
				snprintf(msg, len, "unrecognized option '--%.*s'",
					 (int)n, name);
		}
		return i;
	}
	return 0;
}
