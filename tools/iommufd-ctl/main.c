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
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "du/argp-exact.h"
#include "du/cli.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/output.h"
#include "du/parse.h"
#include "ctl.h"

#ifndef PACKAGE_VERSION
# define PACKAGE_VERSION "unknown"
#endif

const char *argp_program_version = DU_VERSION_STRING("iommufd-ctl");

/* ---- messages ------------------------------------------------------------ */

FILE *ctl_null_stream;	/* argp's own "Try --help" lines go here */

/* Format into a buffer that grows as needed (kept for the next call, so
 * that a batch line costs no allocation).  Returns 0 or -ENOMEM. */
static int __attribute__((format(printf, 3, 4)))
grow_printf(char **buf, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf, *buf ? *cap : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if ((size_t)n < *cap && *buf)
			return 0;
		{
			size_t ncap = (size_t)n + 64;
			char *nb = realloc(*buf, ncap);

			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = ncap;
		}
	}
}

static int set_where(struct ctl *c)
{
	if (c->batch)
		return grow_printf(&c->where, &c->where_cap, "%s:%lu", c->file,
				   c->line);
	return grow_printf(&c->where, &c->where_cap, "%s", "iommufd-ctl");
}

/*
 * One line on stderr, "<head>: <message>", made terminal-safe as a whole:
 * file names, words and values may come from anywhere (the text rule of
 * tools/lib/output.c: control and non-UTF-8 bytes as \xHH).
 */
static void put_line(const char *head, const char *fmt, va_list ap)
{
	char *msg = NULL, *line = NULL, *safe;

	du_out_sync_text();
	fflush(stdout);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (asprintf(&line, "%s: %s", head, msg ? msg : "(out of memory)") < 0)
		line = NULL;
	safe = line ? du_text_safe_dup(line, NULL) : NULL;
	fprintf(stderr, "%s\n", safe ? safe : "iommufd-ctl: out of memory");
	free(safe);
	free(line);
	free(msg);
}

static void vmsg(struct ctl *c, const char *fmt, va_list ap)
{
	const char *where, *cmd;
	char *head = NULL;

	/* "FILE:LINE" is made when a message needs it, not for every line. */
	where = set_where(c) || !c->where ? "iommufd-ctl" : c->where;
	cmd = ctl_cmd_name(c);
	if (cmd && asprintf(&head, "%s: %s", where, cmd) < 0)
		head = NULL;
	put_line(head ? head : where, fmt, ap);
	free(head);
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

/* "<where>: <cmd>" while ctl_parse() runs: argp's state->name is only the
 * base name of argv[0], and a batch file's directory would be lost. */
static char *parse_name;
static size_t parse_name_cap;

struct ctl *ctl_current;

int ctl_argp_error(struct argp_state *state, const char *fmt, ...)
{
	va_list ap;

	/* "<where>: <cmd>", the head ctl_parse() gives argp, made here so
	 * that ctl_parse_fast() (which makes none) reports the same way. */
	va_start(ap, fmt);
	if (ctl_current)
		vmsg(ctl_current, fmt, ap);
	else
		put_line(parse_name ? parse_name : state->name, fmt, ap);
	va_end(ap);
	return EINVAL;
}

int ctl_parse(struct ctl *c, const struct argp *argp, int argc, char **argv,
	      void *input)
{
	char msg[200];
	char *saved = argv[0];
	enum du_help_kind help;
	int rc, hi = 0;

	help = du_help_find(argc, argv, &hi);
	if (help && c->batch) {
		/* Help text has no place in a batch's output (one JSON
		 * document with -j): say where to get it. */
		if (help == DU_HELP_VERSION)
			return ctl_usage(c, "%s is not available in a batch (run 'iommufd-ctl --version')",
					 argv[hi]);
		return ctl_usage(c, "%s is not available in a batch (run 'iommufd-ctl %s --help')",
				 argv[hi], ctl_cmd_name(c));
	}
	if (help) {
		/* The help options win over everything else on the line
		 * (du/cli.h); nothing else is parsed. */
		if (grow_printf(&parse_name, &parse_name_cap, "iommufd-ctl %s",
				ctl_cmd_name(c)))
			return ctl_err(c, "out of memory");
		du_argp_help(argp, stdout, help, parse_name);
		return CTL_HELP_SHOWN;
	}
	if (set_where(c) ||
	    grow_printf(&parse_name, &parse_name_cap, "%s: %s", c->where,
			ctl_cmd_name(c)))
		return ctl_err(c, "out of memory");
	argv[0] = parse_name;
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

int ctl_opt_bar(struct argp_state *st, const char *arg, int *out)
{
	unsigned int bar;

	if (du_parse_bar(arg, &bar))
		return ctl_argp_error(st, "invalid --bar '%s' (a BAR index, 0-5)",
				      arg);
	*out = (int)bar;
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
	/* access_words by hand: every map line of a batch asks */
	switch (access) {
	case DU_IOMMU_READ | DU_IOMMU_WRITE: return "rw";
	case DU_IOMMU_READ: return "r";
	case DU_IOMMU_WRITE: return "w";
	}
	return "none";
}

/* ---- dispatch ------------------------------------------------------------------ */

/* An object's commands ("iommufd-ctl ioas --help", "ioas help", "help
 * ioas"), or its short usage. */
static void print_table(const struct ctl_cmd *t, const char *what,
			enum du_help_kind kind)
{
	const struct ctl_cmd *e;

	du_out_sync_text();
	if (kind == DU_HELP_USAGE) {
		printf("Usage: iommufd-ctl %s COMMAND [OPTION...]\n  COMMAND:", what);
		for (e = t; e->fn || e->name; e++)
			if (e->name)
				printf(" %s", e->name);
		printf(" help\n");
		return;
	}
	printf("Usage: iommufd-ctl %s COMMAND [OPTION...]\n\nCommands:\n", what);
	for (e = t; e->fn || e->name; e++)
		if (e->name)
			printf("  %-14s %s\n", e->name, e->summary);
	printf("  %-14s %s\n", "help", "this list");
	printf("\n'iommufd-ctl %s COMMAND --help' (or 'iommufd-ctl help %s COMMAND') describes a command's options.\n",
	       what, what);
}

/* The word "help" (the first byte first: every batch line asks). */
static bool is_help_cmd(const char *w)
{
	return w[0] == 'h' && !strcmp(w, "help");
}

static char cmdbuf[128];

static void cmd_clear(struct ctl *c)
{
	c->cmd = NULL;
	c->cmd_word = NULL;
}

const char *ctl_cmd_name(struct ctl *c)
{
	/* "what word", made on the first use after ctl_dispatch() chose
	 * the command (both are short names of the tables; cut to fit) */
	if (!c->cmd && c->cmd_word) {
		size_t n = 0;

		for (const char *s = c->cmd_what; s && *s &&
		     n < sizeof(cmdbuf) - 2; s++)
			cmdbuf[n++] = *s;
		if (n)
			cmdbuf[n++] = ' ';
		for (const char *s = c->cmd_word; *s &&
		     n < sizeof(cmdbuf) - 1; s++)
			cmdbuf[n++] = *s;
		cmdbuf[n] = '\0';
		c->cmd = cmdbuf;
	}
	return c->cmd;
}

/*
 * Where the names of a command table that start with a given byte begin:
 * built on a table's first lookup (the tables are static, and few), so
 * that a batch line's command word is compared with the names that can
 * be it, not with every name before it.
 */
struct cmd_index {
	const struct ctl_cmd *table;
	unsigned char first[256];	/* 1 + index of the first such name */
};
static struct cmd_index cmd_index[8];

static const struct cmd_index *cmd_index_of(const struct ctl_cmd *table)
{
	struct cmd_index *x;
	size_t i, n;

	for (i = 0; i < sizeof(cmd_index) / sizeof(cmd_index[0]); i++) {
		x = &cmd_index[i];
		if (x->table == table)
			return x;
		if (x->table)
			continue;
		for (n = 0; table[n].fn || table[n].name; n++)
			;
		if (n >= 255)
			return NULL;
		while (n--)
			if (table[n].name)
				x->first[(unsigned char)table[n].name[0]] =
					(unsigned char)(n + 1);
		x->table = table;
		return x;
	}
	return NULL;	/* more tables than slots: no index */
}

/* The entry of table named w, or NULL. */
static const struct ctl_cmd *cmd_find(const struct ctl_cmd *table,
				      const char *w)
{
	const struct cmd_index *x = cmd_index_of(table);
	const struct ctl_cmd *t = table;

	if (x) {
		if (!x->first[(unsigned char)w[0]])
			return NULL;
		t = table + x->first[(unsigned char)w[0]] - 1;
	}
	for (; t->fn || t->name; t++)
		if (t->name && t->name[0] == w[0] && ctl_str_eq(t->name, w))
			return t;
	return NULL;
}

int ctl_dispatch(struct ctl *c, const struct ctl_cmd *table, const char *what,
		 int argc, char **argv)
{
	const struct ctl_cmd *t;

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
			c->cmd_word = NULL;
			c->cmd = cmdbuf;
			return t->fn(c, 1, dv);
		}
		cmd_clear(c);
		return ctl_usage(c, "missing %s command (try '%s%shelp')",
				 what ? what : "a", what ? what : "",
				 what ? " " : "");
	}
	if (!what && c->batch && is_help_cmd(argv[0])) {
		cmd_clear(c);
		return ctl_usage(c, "'help' is not available in a batch (run 'iommufd-ctl help')");
	}
	if (what && (is_help_cmd(argv[0]) || du_help_word(argv[0]))) {
		enum du_help_kind kind = du_help_word(argv[0]);

		cmd_clear(c);
		if (c->batch && kind == DU_HELP_VERSION)
			return ctl_usage(c, "%s is not available in a batch (run 'iommufd-ctl --version')",
					 argv[0]);
		if (c->batch)
			return ctl_usage(c, "'%s help' is not available in a batch (run 'iommufd-ctl %s help')",
					 what, what);
		if (kind == DU_HELP_VERSION) {
			du_out_sync_text();
			du_print_version(stdout);
		} else {
			print_table(table, what, kind);
		}
		return CTL_HELP_SHOWN;
	}
	t = cmd_find(table, argv[0]);
	if (t) {
		/* "what name" is made if a message or a JSON result asks
		 * for it (ctl_cmd_name()) */
		c->cmd = NULL;
		c->cmd_what = what;
		c->cmd_word = t->name;
		return t->fn(c, argc, argv);
	}
	cmd_clear(c);
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
	{ "mem", ctl_cmd_mem, "named memory objects that ioas map --mem maps" },
	{ "show", ctl_cmd_show, "every object of this context and its mappings" },
	{ "exec", ctl_cmd_exec, "run a program holding the iommufd and device fds" },
	{ NULL, NULL, NULL },
};

static const struct argp global_argp;

/* "help" = "--help"; "help CMD..." = "CMD... --help". */
static int cmd_help(struct ctl *c, int argc, char **argv)
{
	char **hv;
	int rc;

	if (argc < 2) {
		du_argp_help(&global_argp, stdout, DU_HELP_HELP, "iommufd-ctl");
		return CTL_HELP_SHOWN;
	}
	hv = calloc((size_t)argc + 1, sizeof(*hv));
	if (!hv)
		return ctl_err(c, "out of memory");
	memcpy(hv, argv + 1, (size_t)(argc - 1) * sizeof(*hv));
	hv[argc - 1] = (char *)"--help";
	rc = ctl_dispatch(c, top_cmds, NULL, argc, hv);
	free(hv);
	return rc;
}

int ctl_run(struct ctl *c, int argc, char **argv)
{
	int rc;

	cmd_clear(c);
	if (argc >= 1 && c->batch) {
		/* A line that is only a global help or version option. */
		enum du_help_kind w = du_help_word(argv[0]);

		if (w == DU_HELP_VERSION)
			return ctl_usage(c, "%s is not available in a batch (run 'iommufd-ctl --version')",
					 argv[0]);
		if (w)
			return ctl_usage(c, "%s is not available in a batch (run 'iommufd-ctl --help')",
					 argv[0]);
	}
	if (argc >= 1 && !c->batch && is_help_cmd(argv[0]))
		return cmd_help(c, argc, argv);
	rc = ctl_dispatch(c, top_cmds, NULL, argc, argv);
	cmd_clear(c);
	return rc;
}

/* ---- batch ------------------------------------------------------------------------ */

/*
 * Batch lines are read in chunks of CTL_CHUNK bytes.  The common line (a
 * whole line inside the chunk, plain words: ctl_lex_chunk()) is split
 * where it lies, in one pass; any other is copied, up to CTL_LINE_MAX
 * bytes, into one line buffer (read_line()): memory stays bounded
 * whatever the input, and each line costs time linear in its length.
 */
#define CTL_LINE_MAX 65535
#define CTL_CHUNK (128 * 1024)
#define CTL_WORDS_MAX 64	/* words the allocation-free splitter takes */

struct line_reader {
	int fd;
	bool regular;			/* a file: reading never waits */
	bool eof;
	int err;			/* errno of a failed read() */
	size_t start, end;		/* unread bytes of chunk */
	char chunk[CTL_CHUNK + 1 + CTL_HOT_PAD];	/* + a '\n' after the data,
						 * and what ctl_hot_scan()
						 * may read after it */
	char buf[CTL_LINE_MAX + 2];	/* the line, a CR, the NUL */
	size_t len;			/* bytes of the line in buf */
	bool too_long;
	char *words[CTL_WORDS_MAX];
};

/* Refill the chunk.  Returns false at the end of the input or on an
 * error (r->err). */
static bool refill(struct line_reader *r)
{
	ssize_t got;

	if (r->eof)
		return false;
	/* Output so far is seen before waiting for a pipe or terminal. */
	if (!r->regular) {
		du_out_sync_text();
		fflush(stdout);
	}
	do
		got = read(r->fd, r->chunk, CTL_CHUNK);
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		if (got < 0)
			r->err = errno;
		r->eof = true;
		return false;
	}
	r->start = 0;
	r->end = (size_t)got;
	r->chunk[r->end] = '\n';	/* what ctl_lex_chunk() stops at */
	memset(r->chunk + r->end + 1, 0, CTL_HOT_PAD);
	return true;
}

/* Read one line (without its '\n'; a CR just before it, or before the end
 * of the file, is dropped).  Returns 1 with a line, 0 at the end. */
static int read_line(struct line_reader *r)
{
	size_t n = 0;
	bool any = false;

	r->too_long = false;
	for (;;) {
		const char *nl;
		size_t k, room;

		if (r->start == r->end && !refill(r))
			break;
		any = true;
		nl = memchr(r->chunk + r->start, '\n', r->end - r->start);
		k = (nl ? (size_t)(nl - r->chunk) : r->end) - r->start;
		room = n < CTL_LINE_MAX + 1 ? CTL_LINE_MAX + 1 - n : 0;
		memcpy(r->buf + n, r->chunk + r->start, k < room ? k : room);
		if (k > room)
			r->too_long = true;
		n = n + k < n ? SIZE_MAX : n + k;
		r->start += k + (nl ? 1 : 0);
		if (nl)
			break;
	}
	if (!any)
		return 0;
	if (n <= CTL_LINE_MAX + 1 && n && r->buf[n - 1] == '\r')
		n--;
	if (n > CTL_LINE_MAX) {
		r->too_long = true;
		n = 0;
	}
	r->buf[n] = '\0';
	r->len = n;
	return 1;
}

/* A batch file is text: refuse NUL and control bytes (tabs are blanks).
 * Returns 0 or an exit status (printed). */
static int check_line(struct ctl *c, const struct line_reader *r)
{
	if (r->too_long)
		return ctl_usage(c, "line longer than %d bytes", CTL_LINE_MAX);
	for (size_t i = 0; i < r->len; i++) {
		unsigned char ch = (unsigned char)r->buf[i];

		if (ch == '\0')
			return ctl_usage(c, "NUL byte at column %zu (a batch file is text)",
					 i + 1);
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return ctl_usage(c, "control character 0x%02x at column %zu (only tabs and a CRLF line end are allowed)",
					 ch, i + 1);
	}
	return 0;
}

static int run_batch(struct ctl *c, const char *file)
{
	struct line_reader *r;
	struct stat st;
	const char *no_hot;
	bool hot;
	int status = DU_EXIT_OK;

	c->batch = true;
	c->file = file;
	r = malloc(sizeof(*r));
	if (!r) {
		du_err("out of memory");
		return DU_EXIT_FAILURE;
	}
	memset(r, 0, offsetof(struct line_reader, chunk));
	if (!strcmp(file, "-")) {
		r->fd = STDIN_FILENO;
		c->batch_from_stdin = true;
	} else {
		r->fd = open(file, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			du_err("cannot open batch file '%s': %s", file,
			       strerror(errno));
			free(r);
			return DU_EXIT_USAGE;
		}
	}
	if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		du_err("batch file '%s' is a directory", file);
		if (r->fd != STDIN_FILENO)
			close(r->fd);
		free(r);
		return DU_EXIT_USAGE;
	}
	r->regular = fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode);
	/* Full buffering, even to a pipe or terminal (without a buffer of
	 * ours, glibc takes the size it prefers, st_blksize, not 1 << 16);
	 * the results of ioas map --mem and unmap go out in blocks of
	 * CTL_OUT_SIZE (ctl_out).  Messages on stderr write both out first
	 * (put_line()), so the order stays that of the lines. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	/* The hot lines' own reader (hot.c) can be turned off, to compare
	 * (tests, a suspected difference): the results are the same. */
	no_hot = getenv("IOMMUFD_CTL_NO_HOT_LINES");
	hot = !no_hot || !*no_hot;
	c->line = 0;
	for (;;) {
		char **argv, *eol;
		const char *lexerr, *hot_eol;
		struct ctl_hot h;
		int n, rc;

		if (r->start == r->end && !refill(r))
			break;
		c->line++;
		cmd_clear(c);
		/* ioas map --mem and ioas unmap, written plainly: one pass. */
		if (hot && ctl_hot_scan(r->chunk + r->start, r->chunk + r->end,
					CTL_LINE_MAX, &h, &hot_eol)) {
			r->start = (size_t)(hot_eol - r->chunk) + 1;
			rc = ctl_ioas_hot(c, &h);
			cmd_clear(c);
			if (rc == DU_EXIT_OK)
				continue;
			goto failed;
		}
		/* The common line: plain words, split where it lies. */
		n = ctl_lex_chunk(r->chunk + r->start, r->chunk + r->end,
				  CTL_LINE_MAX, r->words, CTL_WORDS_MAX, &eol);
		if (n >= 0) {
			r->start = (size_t)(eol - r->chunk) + 1;
			if (n == 0)
				continue;
			rc = ctl_run(c, n, r->words);
			if (rc == CTL_HELP_SHOWN || rc == DU_EXIT_OK)
				continue;
			goto failed;
		}
		/* Any other line: copied whole, then the same splitter or
		 * the lexer.  (There is input: read_line() returns 1.) */
		if (!read_line(r))
			break;
		n = r->too_long ? -1 :
		    ctl_lex_simple(r->buf, r->len, r->words, CTL_WORDS_MAX);
		if (n == 0)
			continue;
		if (n > 0) {
			rc = ctl_run(c, n, r->words);
			if (rc == CTL_HELP_SHOWN || rc == DU_EXIT_OK)
				continue;
			goto failed;
		}
		rc = check_line(c, r);
		if (rc)
			goto failed;
		n = ctl_lex(r->buf, &argv, &lexerr);
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
	if (r->err && status == DU_EXIT_OK) {
		du_err("reading '%s': %s", file, strerror(r->err));
		status = DU_EXIT_FAILURE;
	}
	if (r->fd != STDIN_FILENO)
		close(r->fd);
	free(r);
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
"'iommufd-ctl COMMAND --help' (or 'iommufd-ctl help COMMAND') describes a "
"command; 'iommufd-ctl OBJECT help' lists an object's commands.\n\n"
"Objects live as long as the /dev/iommu fd: a one-shot command creates "
"them and they are destroyed when it exits.  Use --batch to build an IO "
"address space step by step, and 'exec' to run a program while it exists.\n\n"
"Exit status: 0 success, 1 failure, 2 usage error or bad input, 3 the "
"running kernel lacks the feature, 4 the DMA-BUF was revoked.";

/* The commands table after the first paragraph of the help. */
static char *global_help_filter(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC || !text)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fprintf(f, "%s\n\nCommands:\n", text);
	for (const struct ctl_cmd *t = top_cmds; t->name; t++)
		fprintf(f, "  %-12s %s\n", t->name, t->summary);
	fprintf(f, "  %-12s %s\n\nGlobal options:", "help",
		"this help; 'help COMMAND...': the command's");
	if (fclose(f)) {
		free(buf);
		return (char *)text;
	}
	return buf;	/* argp frees it */
}

static const struct argp global_argp = {
	global_options, global_parse, "COMMAND [ARG...]\n-b FILE", global_doc,
	NULL, global_help_filter, NULL,
};

/* Does a one-shot command line ask for help or the version? */
static bool asks_for_help(int argc, char **argv)
{
	if (argc >= 1 && (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") ||
			  !strcmp(argv[0], "-h")))
		return true;
	if (argc >= 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h")))
		return true;
	return du_help_find(argc, argv, NULL) != DU_HELP_NONE;
}

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
	du_argp_parse(&global_argp, argc, argv, ARGP_IN_ORDER, NULL, &g);

	ctl_null_stream = fopen("/dev/null", "we");
	c.force = g.force;
	c.dry_run = g.dry_run;
	c.next_fake_id = 1;
	c.next_mem_id = 1;
	ctl_current = &c;
	if (set_where(&c))
		du_die(DU_EXIT_FAILURE, "out of memory");
	/* A one-shot request for help prints the help alone: no JSON
	 * document after it. */
	if (!g.batch && asks_for_help(g.argc, g.argv))
		g.json = false;
	if (du_out_init(g.json, g.pretty))
		du_die(DU_EXIT_FAILURE, "out of memory");
	/* The batch's own text results go before anything else on stdout. */
	du_out_set_text_sync(ctl_out_sync, &ctl_out.n);
	c.json = du_out_is_json();
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
	if (ctl_null_stream)
		fclose(ctl_null_stream);
	free(c.where);
	free(parse_name);
	if (frc && status == DU_EXIT_OK) {
		du_err("write error: %s", strerror(-frc));
		status = DU_EXIT_FAILURE;
	}
	return status;
}
