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
 *
 * And ctl_hot_scan(), the one-pass reader of "ioas map --mem" and "ioas
 * unmap" lines (tools/iommufd-ctl/hot.c): it takes a line exactly when a
 * reading of its words (ctl_lex_simple(), du_parse_size()) says it is
 * such a line in the shape it promises to read, and then gives the values
 * du_parse_size() gives; it reads nothing past the line.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdbool.h>

#include "du/iommufd.h"
#include "du/parse.h"

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


/* ---- ctl_hot_scan() against a reading of the words ---------------------- */

static const char *const hot_names[] = {
	"ioas", "iova", "length", "offset", "mem", "access",
};

/* A number as the hot reader takes it: what du_parse_size() accepts,
 * written with at most 16 hex or 19 decimal digits. */
static bool ref_number(const char *s, uint64_t *v)
{
	size_t digits;

	if (du_parse_size(s, v))
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		digits = strspn(s + 2, "0123456789abcdefABCDEF");
	else
		digits = strspn(s, "0123456789");
	return digits <= (s[1] == 'x' || s[1] == 'X' ? 16u : 19u);
}

/* Does the line (words w[0..n)) read as a hot line?  Fills r if so. */
static bool ref_hot(char **w, int n, struct ctl_hot *r)
{
	unsigned int seen = 0, allowed;

	memset(r, 0, sizeof(*r));
	r->access = DU_IOMMU_READ | DU_IOMMU_WRITE;
	if (n < 2 || strcmp(w[0], "ioas"))
		return false;
	if (!strcmp(w[1], "map")) {
		r->cmd = CTL_HOT_MAP;
		allowed = 0x3f;
	} else if (!strcmp(w[1], "unmap")) {
		r->cmd = CTL_HOT_UNMAP;
		allowed = 0x7;
	} else {
		return false;
	}
	for (int i = 2; i < n; i++) {
		const char *word = w[i], *eq, *val;
		size_t len;
		int o;

		if (strncmp(word, "--", 2))
			return false;
		eq = strchr(word, '=');
		len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);
		for (o = 0; o < 6; o++)
			if (strlen(hot_names[o]) == len &&
			    !memcmp(word + 2, hot_names[o], len))
				break;
		if (o == 6 || !(allowed & (1u << o)) || (seen & (1u << o)))
			return false;
		seen |= 1u << o;
		if (eq)
			val = eq + 1;
		else if (i + 1 < n)
			val = w[++i];
		else
			return false;
		if (!*val || *val == '-')
			return false;
		switch (o) {
		case 0:
		case 4:
			if (strlen(val) >= CTL_NAME_MAX)
				return false;
			strcpy(o ? r->mem : r->ioas, val);
			break;
		case 1:
			if (!ref_number(val, &r->iova) || r->iova % 4096)
				return false;
			break;
		case 2:
			if (!ref_number(val, &r->length) || !r->length ||
			    r->length % 4096)
				return false;
			break;
		case 3:
			if (!ref_number(val, &r->offset) || r->offset % 4096)
				return false;
			break;
		case 5:
			if (!strcmp(val, "rw"))
				r->access = DU_IOMMU_READ | DU_IOMMU_WRITE;
			else if (!strcmp(val, "r"))
				r->access = DU_IOMMU_READ;
			else if (!strcmp(val, "w"))
				r->access = DU_IOMMU_WRITE;
			else
				return false;
			break;
		}
	}
	if (r->cmd == CTL_HOT_MAP ? !(seen & 0x10) : (seen & 0x6) != 0x6)
		return false;
	r->has_ioas = seen & 1;
	r->has_iova = seen & 2;
	r->has_length = seen & 4;
	r->has_offset = seen & 8;
	return true;
}

#define HOT_MAXLEN 200

static void check_hot(const char *line)
{
	/* The line up to its first '\n' (or its end), as a batch chunk
	 * holds it: then a '\n' and the CTL_HOT_PAD bytes it may read, and
	 * nothing more, so that ASan sees a read past them. */
	size_t len = strcspn(line, "\n");
	char *chunk = calloc(1, len + 2 + CTL_HOT_PAD), *seg = malloc(len + 1);
	char *words[64];
	const char *eol = NULL;
	struct ctl_hot h, r;
	bool took, want;
	int k;

	if (!chunk || !seg) {
		free(chunk);
		free(seg);
		return;
	}
	memcpy(chunk, line, len);
	chunk[len] = '\n';
	chunk[len + 1] = '\n';		/* *stop */
	memcpy(seg, line, len);
	seg[len] = '\0';
	memset(&h, 0x5a, sizeof(h));
	took = ctl_hot_scan(chunk, chunk + len + 1, HOT_MAXLEN, &h, &eol);
	k = ctl_lex_simple(seg, len, words, 64);
	want = k >= 0 && len <= HOT_MAXLEN && ref_hot(words, k, &r);
	if (took != want)
		fprintf(stderr, "ctl_hot_scan() %s '%s'\n",
			took ? "took" : "declined", line);
	FUZZ_ASSERT(took == want);
	if (took) {
		FUZZ_ASSERT(eol == chunk + len);
		FUZZ_ASSERT(h.cmd == r.cmd && h.access == r.access);
		FUZZ_ASSERT(h.has_ioas == r.has_ioas && h.has_iova == r.has_iova &&
			    h.has_length == r.has_length &&
			    h.has_offset == r.has_offset);
		FUZZ_ASSERT(!h.has_ioas || !strcmp(h.ioas, r.ioas));
		FUZZ_ASSERT(h.cmd != CTL_HOT_MAP || !strcmp(h.mem, r.mem));
		FUZZ_ASSERT(h.iova == r.iova && h.length == r.length &&
			    h.offset == r.offset);
	}
	free(seg);
	free(chunk);
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
	check_hot(line);
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
