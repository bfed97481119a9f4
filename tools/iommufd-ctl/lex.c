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
#include <stdbool.h>
#include <stdio.h>
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

struct word {
	char *s;
	size_t len, cap;
};

static int addc(struct word *w, char ch)
{
	if (w->len + 2 > w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		char *ns = realloc(w->s, ncap);

		if (!ns)
			return -ENOMEM;
		w->s = ns;
		w->cap = ncap;
	}
	w->s[w->len++] = ch;
	w->s[w->len] = '\0';
	return 0;
}

/* $NAME or ${NAME} at *pp (pointing at '$'): append the variable's value.
 * A '$' not followed by a name is kept as is.  Returns 0, -ENOMEM, or
 * -EINVAL with *err set. */
static int expand(const char **pp, struct word *w, const char **err,
		  char *errbuf, size_t errlen)
{
	const char *p = *pp + 1, *start, *val;
	bool braces = *p == '{';
	char name[128];
	size_t n;

	if (braces)
		p++;
	start = p;
	if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))) {
		if (braces) {
			*err = "bad ${...} substitution";
			return -EINVAL;
		}
		*pp += 1;
		return addc(w, '$');
	}
	while (*p == '_' || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
		p++;
	n = (size_t)(p - start);
	if (braces && *p++ != '}') {
		*err = "bad ${...} substitution";
		return -EINVAL;
	}
	if (n >= sizeof(name)) {
		*err = "variable name too long";
		return -EINVAL;
	}
	memcpy(name, start, n);
	name[n] = '\0';
	val = getenv(name);
	if (!val) {
		snprintf(errbuf, errlen, "$%s is not set", name);
		*err = errbuf;
		return -EINVAL;
	}
	for (; *val; val++) {
		unsigned char ch = (unsigned char)*val;

		/* The same rule as for the line itself (main.c). */
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			snprintf(errbuf, errlen, "$%s holds a control character (0x%02x)",
				 name, ch);
			*err = errbuf;
			return -EINVAL;
		}
		if (addc(w, *val))
			return -ENOMEM;
	}
	*pp = p;
	return 0;
}

int ctl_lex(const char *line, char ***argv, const char **err)
{
	static char errbuf[192];
	char **v = NULL;
	size_t n = 0, cap = 0;
	const char *p = line;
	struct word w = { NULL, 0, 0 };
	int rc;

	*argv = NULL;
	*err = NULL;
	if (push(&v, &n, &cap, NULL))
		goto fail_nomem;
	n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		w.len = 0;
		if (addc(&w, 'x'))	/* make sure the word is allocated */
			goto fail_nomem;
		w.len = 0;
		w.s[0] = '\0';
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		       *p != '\n') {
			if (*p == '\'') {
				p++;
				while (*p && *p != '\'')
					if (addc(&w, *p++))
						goto fail_nomem;
				if (!*p) {
					*err = "unterminated single quote";
					goto fail;
				}
				p++;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '$') {
						rc = expand(&p, &w, err, errbuf,
							    sizeof(errbuf));
						if (rc == -ENOMEM)
							goto fail_nomem;
						if (rc)
							goto fail;
						continue;
					}
					if (*p == '\\' &&
					    (p[1] == '"' || p[1] == '\\' ||
					     p[1] == '$'))
						p++;
					if (addc(&w, *p++))
						goto fail_nomem;
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
				if (addc(&w, p[1]))
					goto fail_nomem;
				p += 2;
			} else if (*p == '$') {
				rc = expand(&p, &w, err, errbuf, sizeof(errbuf));
				if (rc == -ENOMEM)
					goto fail_nomem;
				if (rc)
					goto fail;
			} else {
				if (addc(&w, *p++))
					goto fail_nomem;
			}
		}
		if (push(&v, &n, &cap, w.s))
			goto fail_nomem;
		w.s = NULL;
		w.cap = 0;
	}
	*argv = v;
	return (int)n;

fail_nomem:
	*err = "out of memory";
	free(w.s);
	ctl_lex_free(v);
	return -ENOMEM;
fail:
	free(w.s);
	ctl_lex_free(v);
	return -EINVAL;
}

/* Bytes the simple splitter leaves to ctl_lex(): quotes, escapes,
 * substitutions, comments, and what a batch line may not hold (control
 * characters but the tab, DEL), so that check_line() reports those
 * (class 2); blanks separate words (class 1). */
const unsigned char ctl_lex_class[256] = {
	[0x00 ... 0x08] = 2, ['\t'] = 1, [0x0a ... 0x1f] = 2,
	[' '] = 1, [0x7f] = 2,
	['\''] = 2, ['"'] = 2, ['\\'] = 2, ['$'] = 2, ['#'] = 2,
};

/*
 * The splitter of the common line, one pass: blanks are skipped and word
 * bytes run in two tight loops that stop at any other byte, which must be
 * the line's end: stop (a byte of class 2 is there: the loops need no
 * bound), or with at_newline a '\n' before stop.  Words are cut with NULs
 * as they end; anything else (class 2 bytes, more than max - 1 words, a
 * line longer than maxlen) puts the cut blanks back and returns -1 with
 * the line unchanged.  On success *eol is the line's end.
 */
static inline __attribute__((always_inline)) int
split(char *line, const char *stop, bool at_newline, size_t maxlen,
      char **argv, int max, char **eol)
{
	unsigned char *q = (unsigned char *)line;
	unsigned char *cut[64];		/* the blanks cut to NULs */
	unsigned char was[64];		/* and what they were */
	unsigned char c;
	int n = 0, ncut = 0;

	if (max > 64)
		max = 64;
	/* Each byte's class is loaded once: a word's loop ends on the
	 * class of the byte after it, which the blank loop starts with. */
	c = ctl_lex_class[*q];
	for (;;) {
		if (c == 1) {
			while (ctl_lex_class[*++q] == 1)
				;
			c = ctl_lex_class[*q];
		}
		if (c != 0)
			break;
		if (n >= max - 1)
			goto undo;
		argv[n++] = (char *)q;
		while (ctl_lex_class[*++q] == 0)
			;
		c = ctl_lex_class[*q];
		if (c == 1) {
			/* (q is read again: keeping the byte from the loop
			 * costs the loop two moves a byte) */
			__asm__("" : "+r"(q));
			/* cut here and now; undone if the line is not
			 * for this splitter after all */
			cut[ncut] = q;
			was[ncut++] = *q;
			*q = '\0';
			c = ctl_lex_class[*++q];
		}
	}
	if ((const char *)q == stop ? at_newline :
	    !(at_newline && *q == '\n'))
		goto undo;
	if ((size_t)((const char *)q - line) > maxlen)
		goto undo;
	/* The last word may end at the line's end: cut there too. */
	if (n > ncut)
		*q = '\0';
	argv[n] = NULL;
	*eol = (char *)q;
	return n;
undo:
	while (ncut--)
		*cut[ncut] = was[ncut];
	return -1;
}

int ctl_lex_simple(char *line, size_t len, char **argv, int max)
{
	char *eol;

	/* line[len] is the NUL that stops split()'s loops. */
	return split(line, line + len, false, SIZE_MAX, argv, max, &eol);
}

int ctl_lex_chunk(char *p, const char *end, size_t maxlen, char **argv,
		  int max, char **eol)
{
	return split(p, end, true, maxlen, argv, max, eol);
}
