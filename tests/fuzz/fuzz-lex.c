// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the iommufd-ctl batch lexer, ctl_lex() (tools/iommufd-ctl/lex.c):
 * one input is one batch line.
 *
 * Checked: a success gives exactly n non-NULL words and a NULL after them;
 * a failure gives a message and no words; a line without quotes,
 * backslashes, '$' or '#' splits exactly at blanks (space, tab, CR, LF).
 * A few variables are set so that $NAME and ${NAME} expand (and one that
 * is not set, so that the error path runs too).
 *
 * And ctl_lex_simple(), the allocation-free splitter a batch tries first:
 * when it takes a line (no quote, escape, '$', '#' or control character
 * but the tab), its words are exactly ctl_lex()'s; when it declines, the
 * line is unchanged.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdbool.h>

#include "ctl.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Words of a line with no special characters, compared with argv. */
static void check_plain(const char *line, char **argv, int n)
{
	const char *p = line;
	int k = 0;

	for (;;) {
		size_t len;

		while (blank(*p))
			p++;
		if (!*p)
			break;
		len = 0;
		while (p[len] && !blank(p[len]))
			len++;
		FUZZ_ASSERT(k < n);
		FUZZ_ASSERT(strlen(argv[k]) == len &&
			    !memcmp(argv[k], p, len));
		k++;
		p += len;
	}
	FUZZ_ASSERT(k == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char **argv = (char **)1;
	const char *err = (const char *)1;
	char *line;
	int n;

	if (!ready) {
		setenv("VFIO_DMABUF_FD", "7", 1);
		setenv("EMPTY", "", 1);
		setenv("SPACED", "a b\t'c\" $EMPTY \\", 1);
		setenv("_x1", "0x1000", 1);
		unsetenv("UNSET");
		ready = true;
	}
	line = fuzz_strdup(data, size);
	if (!line)
		return 0;
	n = ctl_lex(line, &argv, &err);
	{
		/* the line as a batch gives it: up to its first NUL */
		size_t len = strlen(line);
		char *copy = fuzz_strdup((const uint8_t *)line, len);
		char *words[8];
		int k;

		if (copy) {
			k = ctl_lex_simple(copy, len, words, 8);
			if (k < 0) {
				FUZZ_ASSERT(!memcmp(copy, line, len));
			} else {
				FUZZ_ASSERT(n == k && words[k] == NULL);
				for (int i = 0; i < k; i++)
					FUZZ_ASSERT(!strcmp(words[i], argv[i]));
			}
			free(copy);
		}
	}
	if (n >= 0) {
		FUZZ_ASSERT(argv != NULL && err == NULL);
		for (int i = 0; i < n; i++)
			FUZZ_ASSERT(argv[i] != NULL);
		FUZZ_ASSERT(argv[n] == NULL);
		if (!strpbrk(line, "'\"\\$#"))
			check_plain(line, argv, n);
		ctl_lex_free(argv);
	} else {
		FUZZ_ASSERT(n == -EINVAL || n == -ENOMEM);
		FUZZ_ASSERT(argv == NULL);
		FUZZ_ASSERT(err != NULL && err != (const char *)1 && *err);
	}
	free(line);
	return 0;
}
