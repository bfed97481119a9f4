// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One printer for text and JSON.  JSON mode builds a json-c tree and writes
 * it out in du_out_finish(); text mode prints as it goes.
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

#include <json-c/json.h>

#include "du/exitcodes.h"
#include "du/output.h"

#define DU_OUT_MAX_DEPTH 32

static struct {
	bool json;
	bool pretty;
	int depth;			/* entries used in stack[] */
	json_object *stack[DU_OUT_MAX_DEPTH];	/* [0] is the root object */
	int write_err;			/* errno of a failed flush */
} out;

static void __attribute__((noreturn)) out_bug(const char *what)
{
	fprintf(stderr, "%s: internal error: output: %s\n",
		program_invocation_short_name, what);
	abort();
}

int du_out_init(bool json, bool pretty)
{
	if (out.depth)
		out_bug("session started twice");
	out.json = json;
	out.pretty = pretty;
	if (!json)
		return 0;
	out.stack[0] = json_object_new_object();
	if (!out.stack[0])
		return -ENOMEM;
	out.depth = 1;
	return 0;
}

bool du_out_is_json(void)
{
	return out.json;
}

static bool want(enum du_out_type t)
{
	return out.json ? (t & DU_JSON) : (t & DU_TEXT);
}

/* Add v (owned, may be NULL for JSON null) to the innermost container. */
static void add(const char *key, json_object *v)
{
	json_object *top;

	if (!out.depth)
		out_bug("JSON value outside a session");
	top = out.stack[out.depth - 1];
	if (json_object_is_type(top, json_type_array)) {
		if (json_object_array_add(top, v))
			out_bug("out of memory");
		return;
	}
	if (!key)
		out_bug("JSON value without a key in an object");
	if (json_object_object_add(top, key, v))
		out_bug("out of memory");
}

static void push(const char *key, json_object *c)
{
	if (!c)
		out_bug("out of memory");
	if (out.depth >= DU_OUT_MAX_DEPTH)
		out_bug("nesting too deep");
	add(key, c);
	out.stack[out.depth++] = c;
}

static void pop(json_type type)
{
	if (out.depth < 2 ||
	    !json_object_is_type(out.stack[out.depth - 1], type))
		out_bug("unbalanced close");
	out.depth--;
}

void du_out_open_object(const char *key)
{
	if (out.json)
		push(key, json_object_new_object());
}

void du_out_close_object(void)
{
	if (out.json)
		pop(json_type_object);
}

void du_out_open_array(const char *key)
{
	if (out.json)
		push(key, json_object_new_array());
}

void du_out_close_array(void)
{
	if (out.json)
		pop(json_type_array);
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
	if (!want(t))
		return;
	if (out.json)
		add(key, json_object_new_uint64(v));
	else if (fmt)
		printf(fmt, v);
}

void du_print_int(enum du_out_type t, const char *key, const char *fmt,
		  int64_t v)
{
	if (!want(t))
		return;
	if (out.json)
		add(key, json_object_new_int64(v));
	else if (fmt)
		printf(fmt, v);
}

void du_print_hex_u64(enum du_out_type t, const char *key, const char *fmt,
		      uint64_t v)
{
	char buf[2 + 16 + 1];

	if (!want(t))
		return;
	if (out.json) {
		add(key, json_object_new_uint64(v));
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
	if (out.json)
		add(key, s ? json_object_new_string(s) : NULL);
	else if (fmt)
		printf(fmt, s ? s : "-");
}

void du_print_bool(enum du_out_type t, const char *key, const char *fmt,
		   bool v)
{
	if (!want(t))
		return;
	if (out.json)
		add(key, json_object_new_boolean(v));
	else if (fmt)
		printf(fmt, v ? "yes" : "no");
}

void du_print_null(enum du_out_type t, const char *key, const char *fmt)
{
	if (!want(t))
		return;
	if (out.json)
		add(key, NULL);
	else if (fmt)
		fputs(fmt, stdout);
}

#pragma GCC diagnostic pop

void du_print_nl(void)
{
	if (!out.json)
		putchar('\n');
}

void du_printf(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

int du_out_finish(void)
{
	int ret = 0;

	if (out.json) {
		int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
			    (out.pretty ? JSON_C_TO_STRING_PRETTY
					: JSON_C_TO_STRING_PLAIN);
		const char *s;

		if (out.depth != 1)
			out_bug("container left open at the end");
		s = json_object_to_json_string_ext(out.stack[0], flags);
		if (!s || fputs(s, stdout) == EOF || putchar('\n') == EOF)
			ret = -EIO;
		json_object_put(out.stack[0]);
		out.stack[0] = NULL;
		out.depth = 0;
	}
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno)
			out.write_err = errno;
		ret = -(out.write_err ? out.write_err : EIO);
	} else if (ret) {
		out.write_err = EIO;
	}
	out.json = false;
	out.pretty = false;
	return ret;
}

int du_close_stdout(void)
{
	bool pending = __fpending(stdout) != 0;
	bool failed = ferror(stdout) != 0;
	int rc, err;

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
