// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl: what keeps a batch line cheap.  A line costs what a plain C
 * loop issuing the same ioctls costs, plus as little as can be: the line
 * is split in place (lex.c), the command's options go to its own argp
 * parser function without argp_parse() (which rebuilds getopt tables for
 * every call), and the hot results are written without printf.  Anything
 * unusual (quotes, help words, short options, unknown or abbreviated
 * options, positional words) takes the full path, so messages are the
 * same either way.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "du/exitcodes.h"
#include "ctl.h"

static inline bool is_help_word(const char *w)
{
	/* help_word() in main.c: these anywhere send a line to ctl_parse() */
	if (w[0] != '-')
		return false;
	if (w[1] != '-')
		return (w[1] == 'h' || w[1] == '?' || w[1] == 'V') && !w[2];
	switch (w[2]) {
	case 'h': return !strcmp(w + 2, "help");
	case 'u': return !strcmp(w + 2, "usage");
	case 'v': return !strcmp(w + 2, "version");
	}
	return false;
}

/*
 * The option a word "--NAME" or "--NAME=VALUE" names (exact: no
 * abbreviation), with *eq at its '=' or NULL.  One pass: the word is
 * compared with each name as it is read, without measuring it first.
 */
static const struct argp_option *find_long(const struct argp_option *opts,
					   const char *name, const char **eq)
{
	for (const struct argp_option *o = opts;
	     o->name || o->key || o->doc; o++) {
		const char *a = o->name;
		size_t j = 1;

		if (!a || a[0] != name[0])
			continue;
		while (a[j] && a[j] == name[j])
			j++;
		if (a[j])
			continue;
		if (name[j] == '\0') {
			*eq = NULL;
			return o;
		}
		if (name[j] == '=') {
			*eq = name + j;
			return o;
		}
	}
	return NULL;
}

/* A parser's answer: ARGP_ERR_UNKNOWN is "not mine", as argp takes it. */
static bool failed(error_t rc)
{
	return rc && rc != ARGP_ERR_UNKNOWN;
}

#define FAST_WORDS_MAX 32	/* option words of a fast line */

int ctl_parse_fast(struct ctl *c, const struct argp *argp, int argc,
		   char **argv, void *input, unsigned int flags)
{
	const struct argp_option *found[FAST_WORDS_MAX];
	char *vals[FAST_WORDS_MAX];
	struct argp_state st;
	int i, n = 0;

	(void)c;
	if (argp->children || !argp->parser || !argp->options)
		return CTL_PARSE_SLOW;
	/* First the shape, without calling the parser. */
	for (i = 1; i < argc; i++) {
		const char *w = argv[i], *eq;
		const struct argp_option *o;

		/* "--" alone, short options and positional words: slow.  A
		 * help word is no option of a command (then it would be
		 * found): it is slow as an unknown option is. */
		if (w[0] != '-' || w[1] != '-' || !w[2] || n >= FAST_WORDS_MAX)
			return CTL_PARSE_SLOW;
		o = find_long(argp->options, w + 2, &eq);
		if (!o || o->flags || (!o->arg && eq) || is_help_word(w))
			return CTL_PARSE_SLOW;
		vals[n] = NULL;
		if (o->arg && eq) {
			vals[n] = (char *)eq + 1;
		} else if (o->arg) {
			if (i + 1 >= argc || is_help_word(argv[i + 1]))
				return CTL_PARSE_SLOW;
			vals[n] = argv[++i];
		}
		found[n++] = o;
	}
	memset(&st, 0, sizeof(st));
	st.root_argp = argp;
	st.argc = argc;
	st.argv = argv;
	st.input = input;
	st.name = argv[0];
	st.err_stream = stderr;
	st.out_stream = stdout;
	st.flags = ARGP_NO_EXIT;
	if (flags & CTL_FAST_OPTIONS_ONLY)
		ctl_argp_init(&st);
	else if (failed(argp->parser(ARGP_KEY_INIT, NULL, &st)))
		return DU_EXIT_USAGE;
	for (i = 0; i < n; i++) {
		st.next = argc;	/* no parser of a long option reads on */
		if (failed(argp->parser(found[i]->key, vals[i], &st)))
			return DU_EXIT_USAGE;
	}
	if (flags & CTL_FAST_OPTIONS_ONLY)
		return 0;
	st.next = argc;
	if (failed(argp->parser(ARGP_KEY_NO_ARGS, NULL, &st)) ||
	    failed(argp->parser(ARGP_KEY_END, NULL, &st)) ||
	    failed(argp->parser(ARGP_KEY_SUCCESS, NULL, &st)))
		return DU_EXIT_USAGE;
	argp->parser(ARGP_KEY_FINI, NULL, &st);
	return 0;
}

/* ---- text without printf -------------------------------------------------------- */

struct ctl_out ctl_out;

#define H2(x) { "0123456789abcdef"[(x) >> 4], "0123456789abcdef"[(x) & 15] }
#define H2x4(x) H2(x), H2((x) + 1), H2((x) + 2), H2((x) + 3)
#define H2x16(x) H2x4(x), H2x4((x) + 4), H2x4((x) + 8), H2x4((x) + 12)
const char ctl_hex2[256][2] = {
	H2x16(0x00), H2x16(0x10), H2x16(0x20), H2x16(0x30),
	H2x16(0x40), H2x16(0x50), H2x16(0x60), H2x16(0x70),
	H2x16(0x80), H2x16(0x90), H2x16(0xa0), H2x16(0xb0),
	H2x16(0xc0), H2x16(0xd0), H2x16(0xe0), H2x16(0xf0),
};

int ctl_out_sync(void)
{
	size_t n = ctl_out.n;

	if (!n)
		return 0;
	ctl_out.n = 0;
	errno = 0;
	if (fwrite_unlocked(ctl_out.b, 1, n, stdout) != n)
		return -(errno ? errno : EIO);
	return 0;
}
