// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl: split a batch line into words (a small subset of the shell's
 * quoting, so that paths with blanks and "exec -- sh -c '...'" work).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

void ctl_lex_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

static int push(char ***v, size_t *n, size_t *cap, char *w)
{
	if (*n + 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **nv = realloc(*v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = w;
	(*v)[*n] = NULL;
	return 0;
}

int ctl_lex(const char *line, char ***argv, const char **err)
{
	size_t len = strlen(line);
	char **v = NULL;
	size_t n = 0, cap = 0;
	const char *p = line;
	char *word = NULL;
	int rc;

	*argv = NULL;
	*err = NULL;
	rc = push(&v, &n, &cap, NULL) ? -ENOMEM : 0;	/* v = {NULL} */
	if (rc)
		goto fail_nomem;
	n = 0;

	for (;;) {
		size_t wl = 0;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		/* A word is never longer than the rest of the line. */
		word = malloc(len + 1);
		if (!word)
			goto fail_nomem;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		       *p != '\n') {
			if (*p == '\'') {
				p++;
				while (*p && *p != '\'')
					word[wl++] = *p++;
				if (!*p) {
					*err = "unterminated single quote";
					goto fail;
				}
				p++;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' &&
					    (p[1] == '"' || p[1] == '\\'))
						p++;
					word[wl++] = *p++;
				}
				if (!*p) {
					*err = "unterminated double quote";
					goto fail;
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1] || p[1] == '\n' ||
				    (p[1] == '\r' && p[2] == '\n')) {
					*err = "backslash at the end of the line (lines do not continue)";
					goto fail;
				}
				word[wl++] = p[1];
				p += 2;
			} else {
				word[wl++] = *p++;
			}
		}
		word[wl] = '\0';
		if (push(&v, &n, &cap, word))
			goto fail_nomem;
		word = NULL;
	}
	*argv = v;
	return (int)n;

fail_nomem:
	*err = "out of memory";
	free(word);
	ctl_lex_free(v);
	return -ENOMEM;
fail:
	free(word);
	ctl_lex_free(v);
	return -EINVAL;
}
