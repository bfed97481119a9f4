// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One printer for text and JSON.  JSON mode writes the document as it
 * goes (a streaming writer: memory does not grow with the document); text
 * mode prints as it goes.  Both make untrusted strings safe: see
 * du/output.h for the rules.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/output.h"

#define DU_OUT_MAX_DEPTH 32

/*
 * The document is kept in memory until it reaches this size, then written
 * out and streamed from there on: a command that fails before that (the
 * usual case: errors come before output) leaves stdout empty, and a big
 * document needs no more memory than this.
 */
#define DU_OUT_HOLD (64 * 1024)

/* Integers beyond +-2^53 are not exact in an IEEE double. */
#define DU_EXACT_MAX (UINT64_C(1) << 53)

struct frame {
	bool array;
	size_t n;			/* values written so far */
};

static struct {
	bool json;
	bool pretty;
	int depth;			/* open containers, [0] the root */
	struct frame st[DU_OUT_MAX_DEPTH];
	char *buf;			/* JSON not yet written */
	size_t len, cap;
	bool streamed;			/* part of the document is out */
	bool exit_hook;
	int write_err;			/* errno of a failed write */
} out;

/* du_out_set_text_sync(): the command's own text goes first */
static int (*text_sync)(void);
static const size_t *text_pending;

void du_out_set_text_sync(int (*fn)(void), const size_t *pending)
{
	text_sync = fn;
	text_pending = pending;
}

/* Every text printer calls it: with nothing pending, two loads. */
static void sync_text(void)
{
	int err;

	if (text_pending && *text_pending &&
	    (err = text_sync()) != 0 && !out.write_err)
		out.write_err = -err;	/* stdout's error, as any other */
}

void du_out_sync_text(void)
{
	sync_text();
}

static void __attribute__((noreturn)) out_bug(const char *what)
{
	fprintf(stderr, "%s: internal error: output: %s\n",
		program_invocation_short_name, what);
	abort();
}

/* ---- safe text --------------------------------------------------------- */

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 when p does not start
 * one.  p is NUL-terminated: a NUL is never a continuation byte, so the
 * checks stop before the end.
 */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned char c = p[0];

#define CONT(x) (((x) & 0xc0) == 0x80)
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return CONT(p[1]) ? 2 : 0;
	if (c < 0xf0) {
		if (!CONT(p[1]) || !CONT(p[2]))
			return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (c < 0xf5) {
		if (!CONT(p[1]) || !CONT(p[2]) || !CONT(p[3]))
			return 0;
		if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
#undef CONT
}

/* A control character: C0, DEL, or C1 (U+0080..U+009F, "\xc2\x80".."\xc2\x9f"). */
static bool is_control(const unsigned char *p, size_t n)
{
	if (n == 1)
		return p[0] < 0x20 || p[0] == 0x7f;
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/*
 * Terminal-safe copy of s: every byte of a control character (C0, DEL,
 * C1), of an invalid UTF-8 sequence, and every backslash becomes \xHH, as
 * util-linux's mangle does; keep lists bytes left as they are ("\n\t" for
 * free text).  Writes at most len bytes including the NUL; returns the
 * length the whole copy needs (like snprintf).
 */
static size_t text_safe(const char *s, const char *keep, char *buf,
			size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, w = 0;	/* bytes needed, bytes written */
	bool full = len == 0;

	while (*p) {
		size_t n = utf8_seq(p);
		bool esc = !n || is_control(p, n) || *p == '\\';

		if (esc && n == 1 && keep && strchr(keep, *p))
			esc = false;
		if (!n)
			n = 1;
		for (size_t i = 0; i < n; i++) {
			size_t need = esc ? 4 : 1;

			if (!full && w + need < len) {
				if (esc)
					snprintf(buf + w, 5, "\\x%02x", p[i]);
				else
					buf[w] = (char)p[i];
				w += need;
			} else {
				full = true;
			}
			o += need;
		}
		p += n;
	}
	if (len)
		buf[w] = '\0';
	return o;
}

const char *du_text_safe(const char *s, char *buf, size_t len)
{
	text_safe(s ? s : "", NULL, buf, len);
	return buf;
}

char *du_text_safe_dup(const char *s, const char *keep)
{
	size_t n = text_safe(s, keep, NULL, 0) + 1;
	char *d = malloc(n);

	if (!d)
		out_bug("out of memory");
	text_safe(s, keep, d, n);
	return d;
}

/* ---- the JSON writer --------------------------------------------------- */

static void flush_buf(void)
{
	sync_text();
	if (out.len && !out.write_err &&
	    fwrite(out.buf, 1, out.len, stdout) != out.len)
		out.write_err = errno ? errno : EIO;
	out.len = 0;
}

static void put(const char *s, size_t n)
{
	if (out.len + n > out.cap) {
		size_t cap = out.cap ? out.cap : 4096;
		char *nb;

		while (cap < out.len + n)
			cap *= 2;
		nb = realloc(out.buf, cap);
		if (!nb)
			out_bug("out of memory");
		out.buf = nb;
		out.cap = cap;
	}
	memcpy(out.buf + out.len, s, n);
	out.len += n;
}

static void puts_(const char *s)
{
	put(s, strlen(s));
}

/* Past the hold size the document streams (see DU_OUT_HOLD). */
static void maybe_stream(void)
{
	if (out.len >= DU_OUT_HOLD) {
		flush_buf();
		out.streamed = true;
	}
}

static void indent(int level)
{
	static const char sp[] = "                                ";

	for (int i = 0; i < 2 * level; i += 32)
		put(sp, 2 * level - i < 32 ? (size_t)(2 * level - i) : 32);
}

/*
 * A JSON string: RFC 8259 escapes (\" \\ \b \f \n \r \t, other controls
 * as \u00XX, also DEL and the C1 controls), and every byte that is not
 * part of well-formed UTF-8 replaced by U+FFFD ("\ufffd").
 */
static void put_json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];

	put("\"", 1);
	while (*p) {
		size_t n = utf8_seq(p);

		if (!n) {
			puts_("\\ufffd");
			p++;
			continue;
		}
		if (n == 1) {
			switch (*p) {
			case '"':  puts_("\\\""); break;
			case '\\': puts_("\\\\"); break;
			case '\b': puts_("\\b"); break;
			case '\f': puts_("\\f"); break;
			case '\n': puts_("\\n"); break;
			case '\r': puts_("\\r"); break;
			case '\t': puts_("\\t"); break;
			default:
				if (is_control(p, 1)) {
					snprintf(esc, sizeof(esc), "\\u%04x", *p);
					puts_(esc);
				} else {
					put((const char *)p, 1);
				}
			}
		} else if (is_control(p, n)) {
			snprintf(esc, sizeof(esc), "\\u%04x", p[1]);	/* U+0080..U+009F */
			puts_(esc);
		} else {
			put((const char *)p, n);
		}
		p += n;
	}
	put("\"", 1);
}

/* Start a value in the innermost container: separator, indent, key. */
static void begin_value(const char *key, const char *suffix)
{
	struct frame *top;

	if (!out.depth)
		out_bug("JSON value outside a session");
	top = &out.st[out.depth - 1];
	if (!top->array && !key)
		out_bug("JSON value without a key in an object");
	if (top->n)
		put(",", 1);
	if (out.pretty) {
		if (top->n)
			put("\n", 1);
		indent(out.depth);
	}
	top->n++;
	if (!top->array) {
		if (suffix) {
			char *k = malloc(strlen(key) + strlen(suffix) + 1);

			if (!k)
				out_bug("out of memory");
			strcat(strcpy(k, key), suffix);
			put_json_string(k);
			free(k);
		} else {
			put_json_string(key);
		}
		put(":", 1);
	}
}

static void open_container(bool array)
{
	put(array ? "[" : "{", 1);
	if (out.pretty)
		put("\n", 1);
}

static void push(const char *key, bool array)
{
	if (out.depth >= DU_OUT_MAX_DEPTH)
		out_bug("nesting too deep");
	begin_value(key, NULL);
	open_container(array);
	out.st[out.depth].array = array;
	out.st[out.depth].n = 0;
	out.depth++;
}

static void close_container(void)
{
	struct frame *top = &out.st[out.depth - 1];

	out.depth--;
	if (out.pretty) {
		if (top->n)
			put("\n", 1);
		indent(out.depth);
	}
	put(top->array ? "]" : "}", 1);
	maybe_stream();
}

static void pop(bool array)
{
	if (out.depth < 2 || out.st[out.depth - 1].array != array)
		out_bug("unbalanced close");
	close_container();
}

/*
 * A command that exits in the middle of a document (an error after output
 * began): if nothing is out yet, nothing is written, as before the
 * session; if part of it is, it is closed so that stdout stays one JSON
 * document (the exit status says it is incomplete).
 */
static void out_at_exit(void)
{
	if (!out.json || !out.depth)
		return;
	if (out.streamed) {
		while (out.depth)
			close_container();
		put("\n", 1);
		flush_buf();
	}
	free(out.buf);
	out.buf = NULL;
	out.len = out.cap = 0;
	out.depth = 0;
}

int du_out_init(bool json, bool pretty)
{
	if (out.depth)
		out_bug("session started twice");
	out.json = json;
	out.pretty = pretty;
	out.streamed = false;
	if (!json)
		return 0;
	if (!out.exit_hook) {
		if (atexit(out_at_exit))
			return -ENOMEM;
		out.exit_hook = true;
	}
	out.len = 0;
	open_container(false);
	out.st[0].array = false;
	out.st[0].n = 0;
	out.depth = 1;
	return 0;
}

bool du_out_is_json(void)
{
	return out.json;
}

/* Whether t prints in this mode; when it is text, the command's own text
 * is written out first. */
static bool want(enum du_out_type t)
{
	if (out.json)
		return t & DU_JSON;
	if (!(t & DU_TEXT))
		return false;
	sync_text();
	return true;
}

void du_out_open_object(const char *key)
{
	if (out.json)
		push(key, false);
}

void du_out_close_object(void)
{
	if (out.json)
		pop(false);
}

void du_out_open_array(const char *key)
{
	if (out.json)
		push(key, true);
}

void du_out_close_array(void)
{
	if (out.json)
		pop(true);
}

static bool in_array(void)
{
	if (!out.depth)
		out_bug("JSON value outside a session");
	return out.st[out.depth - 1].array;
}

/* "<key>_hex":"0x..." (or "-0x..."), the exact form of a 64-bit value */
static void put_hex_sibling(const char *key, bool neg, uint64_t mag)
{
	char s[2 + 2 + 16 + 1];

	snprintf(s, sizeof(s), "%s0x%" PRIx64, neg ? "-" : "", mag);
	begin_value(key, "_hex");
	put_json_string(s);
}

static void put_raw(const char *s)
{
	puts_(s);
	maybe_stream();
}

/*
 * The text formats come from the callers (string literals there); each
 * printer hands its format exactly one argument of the documented type.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void du_print_u64(enum du_out_type t, const char *key, const char *fmt,
		  uint64_t v)
{
	char s[24];

	if (!want(t))
		return;
	if (out.json) {
		begin_value(key, NULL);
		snprintf(s, sizeof(s), "%" PRIu64, v);
		put_raw(s);
		if (v > DU_EXACT_MAX && !in_array())
			put_hex_sibling(key, false, v);
	} else if (fmt) {
		printf(fmt, v);
	}
}

void du_print_int(enum du_out_type t, const char *key, const char *fmt,
		  int64_t v)
{
	uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char s[24];

	if (!want(t))
		return;
	if (out.json) {
		begin_value(key, NULL);
		snprintf(s, sizeof(s), "%" PRId64, v);
		put_raw(s);
		if (mag > DU_EXACT_MAX && !in_array())
			put_hex_sibling(key, v < 0, mag);
	} else if (fmt) {
		printf(fmt, v);
	}
}

void du_print_hex_u64(enum du_out_type t, const char *key, const char *fmt,
		      uint64_t v)
{
	char buf[24];

	if (!want(t))
		return;
	if (out.json) {
		if (in_array())
			out_bug("a hex value needs a key (it is printed twice)");
		begin_value(key, NULL);
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
		put_raw(buf);
		put_hex_sibling(key, false, v);
	} else if (fmt) {
		snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
		printf(fmt, buf);
	}
}

void du_print_string(enum du_out_type t, const char *key, const char *fmt,
		     const char *s)
{
	if (!want(t))
		return;
	if (out.json) {
		begin_value(key, NULL);
		if (s)
			put_json_string(s);
		else
			puts_("null");
		maybe_stream();
	} else if (fmt) {
		char *safe = du_text_safe_dup(s ? s : "-", NULL);

		printf(fmt, safe);
		free(safe);
	}
}

void du_print_bool(enum du_out_type t, const char *key, const char *fmt,
		   bool v)
{
	if (!want(t))
		return;
	if (out.json) {
		begin_value(key, NULL);
		put_raw(v ? "true" : "false");
	} else if (fmt) {
		printf(fmt, v ? "yes" : "no");
	}
}

void du_print_null(enum du_out_type t, const char *key, const char *fmt)
{
	if (!want(t))
		return;
	if (out.json) {
		begin_value(key, NULL);
		put_raw("null");
	} else if (fmt) {
		fputs(fmt, stdout);
	}
}

#pragma GCC diagnostic pop

void du_print_nl(void)
{
	if (!out.json) {
		sync_text();
		putchar('\n');
	}
}

void du_printf(const char *fmt, ...)
{
	va_list ap;
	char *s, *safe;
	int n;

	if (out.json)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_bug("out of memory");
	safe = du_text_safe_dup(s, "\n\t");
	sync_text();
	fputs(safe, stdout);
	free(safe);
	free(s);
}

int du_out_finish(void)
{
	int ret = 0;

	if (out.json) {
		if (out.depth != 1)
			out_bug("container left open at the end");
		close_container();
		put("\n", 1);
		errno = 0;
		flush_buf();
		free(out.buf);
		out.buf = NULL;
		out.len = out.cap = 0;
		out.depth = 0;
		if (out.write_err)
			ret = -out.write_err;
	}
	sync_text();
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno)
			out.write_err = errno;
		ret = -(out.write_err ? out.write_err : EIO);
	}
	out.json = false;
	out.pretty = false;
	out.streamed = false;
	return ret;
}

int du_close_stdout(void)
{
	bool pending, failed;
	int rc, err;

	sync_text();
	pending = __fpending(stdout) != 0;
	failed = ferror(stdout) != 0;

	errno = 0;
	rc = fclose(stdout);
	err = errno;
	if (failed || (rc != 0 && (pending || err != EBADF))) {
		if (!err)
			err = out.write_err ? out.write_err : EIO;
		return -err;
	}
	return 0;
}

static void close_stdout_handler(void)
{
	int err = du_close_stdout();

	if (err) {
		du_err("write error: %s", strerror(-err));
		_exit(DU_EXIT_FAILURE);
	}
	if (fclose(stderr) != 0 && errno != EBADF)
		_exit(DU_EXIT_FAILURE);
}

void du_close_stdout_atexit(void)
{
	atexit(close_stdout_handler);
}
