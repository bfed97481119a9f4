// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for du/table.h: default and -o selected columns, "+LIST",
 * --output-all, unknown and empty column names, text through libsmartcols
 * (aligned, raw, no headings, --bytes), hostile strings in text and JSON,
 * JSON keys and types (null, "_hex" above 2^53), --list-columns in text
 * and JSON, and the argp child.  Each printing scenario runs in a child
 * whose stdout is captured.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "du/output.h"
#include "du/table.h"
#include "tap.h"

enum { C_PID, C_NAME, C_ADDR, C_SIZE, C_OK, C_TEXT, NCOLS };

static const struct du_column cols[NCOLS] = {
	{ "PID", "pid", DU_COL_INT, DU_COL_DEFAULT | DU_COL_RIGHT, "process id" },
	{ "NAME", "name", DU_COL_STR, DU_COL_DEFAULT, "a name" },
	{ "ADDR", "addr", DU_COL_ADDR, 0, "an address" },
	{ "SIZE", "size", DU_COL_SIZE, DU_COL_DEFAULT | DU_COL_RIGHT, "bytes" },
	{ "OK", "ok", DU_COL_BOOL, 0, "a flag" },
	{ "TEXT", NULL, DU_COL_STR, 0, "text only" },
};

struct run {
	char out[16384];
	int status;
};

struct scenario {
	bool json;
	struct du_table_opts o;
	const char *outputs[4];
};

static void read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
}

static void run(int (*fn)(void *), void *arg, struct run *r)
{
	int out[2], st;
	pid_t pid;

	fflush(stdout);
	if (pipe(out))
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		close(out[0]);
		dup2(out[1], STDOUT_FILENO);
		close(out[1]);
		exit(fn(arg));
	}
	close(out[1]);
	read_all(out[0], r->out, sizeof(r->out));
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Two rows: a plain one, and one with a hostile name, a 2^60 address and
 * unset cells. */
static int two_rows(void *arg)
{
	struct scenario *sc = arg;
	struct du_table *t;
	struct du_row *r;
	char msg[200];
	size_t n = 0;

	while (n < 4 && sc->outputs[n])
		n++;
	sc->o.output = n ? sc->outputs : NULL;
	sc->o.noutput = n;
	if (du_out_init(sc->json, false))
		return 10;
	t = du_table_new(cols, NCOLS, &sc->o, msg, sizeof(msg));
	if (!t) {
		printf("%s\n", msg);
		return 2;
	}
	r = du_table_new_row(t);
	du_row_set_int(r, C_PID, 100);
	du_row_set_str(r, C_NAME, "alpha");
	du_row_set_u64(r, C_ADDR, 0x1000);
	du_row_set_u64(r, C_SIZE, 2 * 1024 * 1024);
	du_row_set_bool(r, C_OK, true);
	du_row_set_str(r, C_TEXT, "t1");
	r = du_table_new_row(t);
	du_row_set_int(r, C_PID, 7);
	du_row_set_str(r, C_NAME, "b\033[2J\xff z");
	du_row_set_u64(r, C_ADDR, UINT64_C(1) << 60);
	du_row_set_str(r, C_NAME, "b\033[2J\xff z");	/* set twice */
	if (du_table_print(t, "rows"))
		return 11;
	du_table_free(t);
	return du_out_finish() ? 12 : 0;
}

static struct json_object *parse(const char *s)
{
	return json_tokener_parse(s);
}

static const char *jstr(struct json_object *o, const char *path0,
			size_t i, const char *key)
{
	struct json_object *a, *e, *v;

	if (!json_object_object_get_ex(o, path0, &a) ||
	    !(e = json_object_array_get_idx(a, i)))
		return "(missing row)";
	if (!json_object_object_get_ex(e, key, &v))
		return "(absent)";
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static size_t nkeys(struct json_object *o, const char *arr, size_t i)
{
	struct json_object *a, *e;

	if (!json_object_object_get_ex(o, arr, &a) ||
	    !(e = json_object_array_get_idx(a, i)))
		return 0;
	return (size_t)json_object_object_length(e);
}

static void test_text(void)
{
	struct scenario sc = { .json = false };
	struct run r;

	run(two_rows, &sc, &r);
	is_int(r.status, 0, "text: default columns print");
	is_str(r.out,
	       "PID NAME           SIZE\n"
	       "100 alpha            2M\n"
	       "  7 b\\x1b[2J\\xff z    -\n",
	       "text: aligned, right-aligned numbers, hostile name escaped once, null as -");

	sc = (struct scenario){ .json = false, .o = { .bytes = true,
			.noheadings = true } };
	run(two_rows, &sc, &r);
	is_str(r.out,
	       "100 alpha          2097152\n"
	       "  7 b\\x1b[2J\\xff z       -\n",
	       "text: --bytes and --noheadings");

	sc = (struct scenario){ .json = false, .o = { .raw = true } };
	run(two_rows, &sc, &r);
	ok(strstr(r.out, "PID NAME SIZE\n100 alpha 2M\n") != NULL,
	   "raw: one space between cells");
	ok(strstr(r.out, "7 b\\x1b[2J\\xff\\x20z -\n") != NULL,
	   "raw: ESC, bad byte and blank \\xHH-escaped by libsmartcols, once");
	ok(!strchr(r.out, '\033'), "raw: no raw ESC");

	sc = (struct scenario){ .json = false,
			.outputs = { "+addr,OK,text" } };
	run(two_rows, &sc, &r);
	ok(strstr(r.out, "PID NAME") == r.out &&
	   strstr(r.out, "SIZE ADDR") && strstr(r.out, "OK  TEXT"),
	   "+LIST appends to the defaults, names are case-insensitive");
	ok(strstr(r.out, "0x1000000000000000") != NULL,
	   "text: an address as 0x<hex>");
	ok(strstr(r.out, "yes") != NULL, "text: boolean as yes");

	sc = (struct scenario){ .json = false,
			.outputs = { "SIZE,PID", "+NAME" } };
	run(two_rows, &sc, &r);
	ok(!strncmp(r.out, "SIZE PID NAME", 13),
	   "-o in the order given; a second -o +LIST appends");
}

static void test_json(void)
{
	struct scenario sc = { .json = true };
	struct json_object *o;
	struct run r;

	run(two_rows, &sc, &r);
	is_int(r.status, 0, "json: prints");
	o = parse(r.out);
	ok(o != NULL, "json: one valid document");
	is_int(nkeys(o, "rows", 0), 6,
	       "json without -o: every column with a key, default or not (pid name addr addr_hex size ok)");
	is_str(jstr(o, "rows", 0, "addr"), "4096", "json: address number");
	is_str(jstr(o, "rows", 0, "addr_hex"), "\"0x1000\"",
	       "json: address _hex string, always");
	is_str(jstr(o, "rows", 0, "size"), "2097152", "json: size in bytes");
	is_str(jstr(o, "rows", 0, "ok"), "true", "json: boolean");
	is_str(jstr(o, "rows", 1, "size"), "null", "json: unset is null");
	is_str(jstr(o, "rows", 1, "addr_hex"), "\"0x1000000000000000\"",
	       "json: 2^60 exact as _hex");
	is_str(jstr(o, "rows", 1, "name"), "\"b\\u001b[2J\xef\xbf\xbd z\"",
	       "json: ESC escaped, bad byte U+FFFD");
	ok(strstr(r.out, "\"b\\u001b[2J\\ufffd z\"") != NULL,
	   "json: written as \\u001b and \\ufffd");
	is_str(jstr(o, "rows", 0, "TEXT"), "(absent)",
	       "json: a text-only column is absent");
	json_object_put(o);

	sc = (struct scenario){ .json = true, .outputs = { "name,pid,text" } };
	run(two_rows, &sc, &r);
	o = parse(r.out);
	is_int(nkeys(o, "rows", 0), 2, "json with -o: only the selected keyed columns");
	ok(strstr(r.out, "{\"name\":\"alpha\",\"pid\":100}") != NULL,
	   "json with -o: in the order given: %s", r.out);
	json_object_put(o);

	sc = (struct scenario){ .json = true, .o = { .output_all = true } };
	run(two_rows, &sc, &r);
	o = parse(r.out);
	is_int(nkeys(o, "rows", 0), 6, "json --output-all: every keyed column");
	json_object_put(o);
}

static void test_bad_output(void)
{
	static const char *bad[][2] = {
		{ "PID,FOO", "--output: unknown column 'FOO' (--list-columns lists them)" },
		{ "", "--output: empty column list ''" },
		{ "+", "--output: empty column list '+'" },
		{ "PID,,NAME", "--output: empty column name in 'PID,,NAME'" },
		{ "PID,", "--output: empty column name in 'PID,'" },
		{ "\033x", "--output: unknown column '\\x1bx' (--list-columns lists them)" },
	};
	char msg[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scenario sc = { .json = false, .outputs = { bad[i][0] } };
		struct run r;
		char want[220];

		msg[0] = '\0';
		is_int(du_table_check_output(cols, NCOLS, bad[i][0], msg,
					     sizeof(msg)), -EINVAL,
		       "-o '%s' is refused", bad[i][0]);
		is_str(msg, bad[i][1], "-o '%s': the message names it",
		       bad[i][0]);
		run(two_rows, &sc, &r);
		snprintf(want, sizeof(want), "%s\n", bad[i][1]);
		ok(r.status == 2 && !strcmp(r.out, want),
		   "du_table_new refuses -o '%s' with the same message",
		   bad[i][0]);
	}
	is_int(du_table_check_output(cols, NCOLS, "pid,Name,+x", msg,
				     sizeof(msg)), -EINVAL,
	       "'+' inside a list is not a column");
	is_int(du_table_check_output(cols, NCOLS, "pid,pid", msg,
				     sizeof(msg)), 0, "a column twice is fine");
}

static int list_columns(void *arg)
{
	if (du_out_init(*(bool *)arg, false))
		return 10;
	if (du_table_list_columns(cols, NCOLS))
		return 11;
	return du_out_finish() ? 12 : 0;
}

static void test_list_columns(void)
{
	bool json = false;
	struct json_object *o, *a, *e, *v;
	struct run r;

	run(list_columns, &json, &r);
	is_int(r.status, 0, "--list-columns: text");
	ok(!strncmp(r.out, "NAME JSON TYPE    DEFAULT DESCRIPTION\n", 38),
	   "--list-columns: a header");
	ok(strstr(r.out, "ADDR addr address no      an address\n") &&
	   strstr(r.out, "TEXT -    string  no      text only\n") &&
	   strstr(r.out, "PID  pid  number  yes     process id\n"),
	   "--list-columns: every column, its key, type, default, meaning");
	json = true;
	run(list_columns, &json, &r);
	o = parse(r.out);
	ok(o && json_object_object_get_ex(o, "columns", &a) &&
	   json_object_array_length(a) == NCOLS,
	   "--list-columns -j: {\"columns\":[...]} with every column");
	e = o ? json_object_array_get_idx(a, 2) : NULL;
	ok(e && json_object_object_get_ex(e, "type", &v) &&
	   !strcmp(json_object_get_string(v), "address"),
	   "--list-columns -j: type");
	json_object_put(o);
}

static error_t parent_parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key == ARGP_KEY_INIT) {
		state->child_inputs[0] = state->input;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static void test_argp_child(void)
{
	static const struct argp_child children[] = {
		{ &du_table_argp, 0, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	struct argp parent = { .parser = parent_parse, .children = children };
	struct du_table_opts o = { 0 };
	char *argv[] = { (char *)"t", (char *)"-o", (char *)"PID",
			 (char *)"--output", (char *)"+NAME", (char *)"-nrbHJ",
			 (char *)"--output-all", NULL };

	is_int(argp_parse(&parent, 7, argv, ARGP_NO_EXIT | ARGP_NO_ERRS, NULL,
			  &o), 0, "argp child parses");
	is_int(o.noutput, 2, "two -o lists kept");
	ok(o.noutput == 2 && !strcmp(o.output[0], "PID") &&
	   !strcmp(o.output[1], "+NAME"), "in order");
	ok(o.noheadings && o.raw && o.bytes && o.list_columns && o.json &&
	   o.output_all, "-n -r -b -H -J --output-all");
	du_table_opts_free(&o);
}

/* DU_COL_NESTED and DU_COL_OMIT_NULL */
enum { N_ID, N_RANGES, N_OPT, NN };

static const struct du_column ncols[NN] = {
	{ "ID", "id", DU_COL_U64, DU_COL_DEFAULT, "id" },
	{ "RANGES", "ranges", DU_COL_NESTED, DU_COL_DEFAULT, "ranges" },
	{ "OPT", "opt", DU_COL_U64, DU_COL_DEFAULT | DU_COL_OMIT_NULL,
	  "absent when unset" },
};

static void ranges_json(const char *key, const void *data)
{
	const uint64_t *v = data;

	du_out_open_array(key);
	for (size_t i = 0; i < 2; i++)
		du_print_u64(DU_JSON, NULL, NULL, v[i]);
	du_out_close_array();
}

static int nested(void *arg)
{
	const uint64_t v[2] = { 4096, 8192 };
	struct du_table *t;
	struct du_row *r;
	char msg[100];

	if (du_out_init(*(bool *)arg, false))
		return 10;
	t = du_table_new(ncols, NN, NULL, msg, sizeof(msg));
	if (!t)
		return 11;
	r = du_table_new_row(t);
	du_row_set_u64(r, N_ID, 1);
	du_row_set_nested(r, N_RANGES, "4K,8K", ranges_json, v, sizeof(v));
	du_row_set_u64(r, N_OPT, 5);
	r = du_table_new_row(t);
	du_row_set_u64(r, N_ID, 2);
	du_row_set_nested(r, N_RANGES, NULL, ranges_json, v, sizeof(v));
	r = du_table_new_row(t);
	du_row_set_absent(r, N_ID);
	du_row_set_absent(r, N_RANGES);
	du_row_set_u64(r, N_OPT, 6);
	du_out_open_object("wrap");
	du_table_print(t, "rows");
	du_out_close_object();
	du_table_free(t);
	return du_out_finish() ? 12 : 0;
}

static void test_nested(void)
{
	bool json = true;
	struct run r;

	run(nested, &json, &r);
	is_str(r.out, "{\"wrap\":{\"rows\":[{\"id\":1,\"ranges\":[4096,8192],\"opt\":5},{\"id\":2,\"ranges\":[4096,8192]},{\"opt\":6}]}}\n",
	       "json: a nested array from its callback, in column order; an unset OMIT_NULL column has no key; absent cells neither");
	json = false;
	run(nested, &json, &r);
	is_str(r.out, "ID RANGES OPT\n1  4K,8K  5\n2  -      -\n-  -      6\n",
	       "text: the nested cell's summary, - when none");
}

int main(void)
{
	test_nested();
	test_text();
	test_json();
	test_bad_output();
	test_list_columns();
	test_argp_child();
	return tap_done();
}
