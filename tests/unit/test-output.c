// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for du/output.h: the same calls in text and JSON mode,
 * nesting, escaping, 64-bit extremes, JSON-only stdout, and write errors
 * (stdout on /dev/full).  Each scenario runs in a child whose stdout and
 * stderr are captured.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "du/exitcodes.h"
#include "du/output.h"
#include "tap.h"

struct run {
	char out[8192];
	char err[1024];
	int status;		/* exit status, or 128 + signal */
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

/* Run fn(arg) in a child; its return value is the child's exit status.
 * With to_full, the child's stdout is /dev/full. */
static void run(int (*fn)(void *), void *arg, bool to_full, struct run *r)
{
	int out[2], err[2], st;
	pid_t pid;

	fflush(stdout);
	if (pipe(out) || pipe(err))
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		close(out[0]);
		close(err[0]);
		if (to_full) {
			int full = open("/dev/full", O_WRONLY);

			if (full < 0)
				_exit(99);
			dup2(full, STDOUT_FILENO);
			close(full);
		} else {
			dup2(out[1], STDOUT_FILENO);
		}
		dup2(err[1], STDERR_FILENO);
		close(out[1]);
		close(err[1]);
		exit(fn(arg));
	}
	close(out[1]);
	close(err[1]);
	read_all(out[0], r->out, sizeof(r->out));
	read_all(err[0], r->err, sizeof(r->err));
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The record printer shared by text and JSON runs. */
static int buffers(void *arg)
{
	const bool *modes = arg;	/* json, pretty */

	if (du_out_init(modes[0], modes[1]))
		return 10;
	du_out_open_array("buffers");
	for (int i = 0; i < 2; i++) {
		du_out_open_object(NULL);
		du_print_int(DU_ANY, "id", "buffer %" PRId64 ":", i);
		du_print_string(DU_ANY, "name", " name %s", i ? "b" : "a");
		du_print_u64(DU_ANY, "size", " size %" PRIu64, 4096u << i);
		du_print_hex_u64(DU_ANY, "iova", " iova %s", 0x100000u + i);
		du_print_bool(DU_ANY, "revoked", " revoked %s", i == 1);
		du_print_string(DU_TEXT, NULL, " %s", NULL);
		du_print_u64(DU_JSON, "json_only", "never printed %" PRIu64, 7);
		du_out_open_array("ranges");
		du_print_u64(DU_JSON, NULL, NULL, 0);
		du_print_u64(DU_JSON, NULL, NULL, 4096);
		du_out_close_array();
		du_print_nl();
		du_out_close_object();
	}
	du_out_close_array();
	du_printf("%d buffers\n", 2);
	return du_out_finish() ? 11 : 0;
}

static void test_same_calls(void)
{
	bool text[2] = { false, false }, json[2] = { true, false },
	     pretty[2] = { true, true };
	struct run r;
	json_object *doc, *arr, *b, *v;

	run(buffers, text, false, &r);
	is_int(r.status, 0, "text run exits 0");
	is_str(r.out,
	       "buffer 0: name a size 4096 iova 0x100000 revoked no -\n"
	       "buffer 1: name b size 8192 iova 0x100001 revoked yes -\n"
	       "2 buffers\n", "text output");
	is_str(r.err, "", "text: nothing on stderr");

	run(buffers, json, false, &r);
	is_int(r.status, 0, "json run exits 0");
	is_str(r.out,
	       "{\"buffers\":[{\"id\":0,\"name\":\"a\",\"size\":4096,"
	       "\"iova\":1048576,\"revoked\":false,\"json_only\":7,"
	       "\"ranges\":[0,4096]},{\"id\":1,\"name\":\"b\",\"size\":8192,"
	       "\"iova\":1048577,\"revoked\":true,\"json_only\":7,"
	       "\"ranges\":[0,4096]}]}\n", "json output (compact)");

	run(buffers, pretty, false, &r);
	is_int(r.status, 0, "pretty run exits 0");
	ok(strchr(r.out, '\n') != strrchr(r.out, '\n'), "pretty JSON has newlines");
	doc = json_tokener_parse(r.out);
	ok(doc, "pretty output parses as JSON");
	if (!doc)
		return;
	ok(json_object_object_get_ex(doc, "buffers", &arr) &&
	   json_object_is_type(arr, json_type_array) &&
	   json_object_array_length(arr) == 2, "top level holds buffers[2]");
	b = json_object_array_get_idx(arr, 1);
	ok(b && json_object_object_get_ex(b, "revoked", &v) &&
	   json_object_get_boolean(v), "buffers[1].revoked is true");
	ok(b && json_object_object_get_ex(b, "iova", &v) &&
	   json_object_is_type(v, json_type_int) &&
	   json_object_get_uint64(v) == 0x100001, "iova is a raw number");
	json_object_put(doc);
}

static int extremes(void *arg)
{
	(void)arg;
	if (du_out_init(true, false))
		return 10;
	du_out_open_object("values");
	du_print_u64(DU_ANY, "u64_max", NULL, UINT64_MAX);
	du_print_hex_u64(DU_ANY, "hex_max", NULL, UINT64_MAX);
	du_print_int(DU_ANY, "i64_min", NULL, INT64_MIN);
	du_print_int(DU_ANY, "i64_max", NULL, INT64_MAX);
	du_print_u64(DU_ANY, "zero", NULL, 0);
	du_print_null(DU_ANY, "nothing", "none");
	du_print_string(DU_ANY, "missing", "%s", NULL);
	du_print_string(DU_ANY, "escaped", "%s",
			"q\"b\\s/n\nt\tc\x01 \xc3\xa9");
	du_print_string(DU_ANY, "key \"quoted\"", "%s", "k");
	du_out_open_object("nested");
	du_out_open_array("deep");
	du_out_open_object(NULL);
	du_out_open_array("empty");
	du_out_close_array();
	du_out_close_object();
	du_out_close_array();
	du_out_close_object();
	du_out_close_object();
	return du_out_finish() ? 11 : 0;
}

static void test_extremes(void)
{
	struct run r;

	run(extremes, NULL, false, &r);
	is_int(r.status, 0, "extremes run exits 0");
	is_str(r.out,
	       "{\"values\":{\"u64_max\":18446744073709551615,"
	       "\"hex_max\":18446744073709551615,"
	       "\"i64_min\":-9223372036854775808,"
	       "\"i64_max\":9223372036854775807,\"zero\":0,"
	       "\"nothing\":null,\"missing\":null,"
	       "\"escaped\":\"q\\\"b\\\\s/n\\nt\\tc\\u0001 \xc3\xa9\","
	       "\"key \\\"quoted\\\"\":\"k\","
	       "\"nested\":{\"deep\":[{\"empty\":[]}]}}}\n",
	       "u64 max, i64 limits, null, escaping, nesting");
}

static int text_extremes(void *arg)
{
	(void)arg;
	du_out_init(false, false);
	du_print_u64(DU_ANY, "a", "%" PRIu64 " ", UINT64_MAX);
	du_print_hex_u64(DU_ANY, "b", "%s ", UINT64_MAX);
	du_print_hex_u64(DU_ANY, "c", "%s ", 0);
	du_print_int(DU_ANY, "d", "%" PRId64 " ", INT64_MIN);
	du_print_null(DU_ANY, "e", "none ");
	du_print_string(DU_ANY, "f", "%s ", NULL);
	du_print_bool(DU_ANY, "g", NULL, true);		/* NULL fmt: nothing */
	du_print_string(DU_JSON, "h", "%s", "json only");
	du_out_open_object("ignored");
	du_out_close_object();
	du_print_nl();
	return du_out_finish() ? 11 : 0;
}

static void test_text_extremes(void)
{
	struct run r;

	run(text_extremes, NULL, false, &r);
	is_int(r.status, 0, "text extremes exit 0");
	is_str(r.out, "18446744073709551615 0xffffffffffffffff 0x0 "
	       "-9223372036854775808 none - \n", "text extremes");
}

static int empty_json(void *arg)
{
	(void)arg;
	du_out_init(true, true);
	du_printf("text only\n");
	du_print_nl();
	return du_out_finish() ? 11 : 0;
}

static void test_json_only(void)
{
	struct run r;

	run(empty_json, NULL, false, &r);
	is_int(r.status, 0, "empty JSON session exits 0");
	ok(r.out[0] == '{' && strstr(r.out, "}\n") && !strstr(r.out, "text"),
	   "JSON mode prints only the document (got \"%s\")", r.out);
}

/* A tool's skeleton: close_stdout at exit, output to /dev/full. */
static int tool_text(void *arg)
{
	(void)arg;
	du_close_stdout_atexit();
	du_out_init(false, false);
	du_print_string(DU_ANY, "x", "%s\n", "hello");
	du_out_finish();		/* the tool ignores the error here */
	return DU_EXIT_OK;
}

static int tool_json(void *arg)
{
	(void)arg;
	du_close_stdout_atexit();
	du_out_init(true, false);
	du_print_string(DU_ANY, "x", "%s\n", "hello");
	if (du_out_finish()) {
		fprintf(stderr, "finish failed\n");
		return 12;
	}
	return DU_EXIT_OK;
}

static int tool_small(void *arg)
{
	(void)arg;
	du_close_stdout_atexit();
	printf("x\n");		/* stays in the buffer until exit */
	return DU_EXIT_OK;
}

static void test_dev_full(void)
{
	struct run r;

	run(tool_text, NULL, true, &r);
	is_int(r.status, DU_EXIT_FAILURE, "text to /dev/full exits 1");
	ok(strstr(r.err, "write error") != NULL,
	   "text to /dev/full says write error (got \"%s\")", r.err);

	ok(strstr(r.err, "No space left on device") != NULL,
	   "with the reason from the failed flush");

	run(tool_json, NULL, true, &r);
	ok(strstr(r.err, "finish failed") != NULL,
	   "JSON to /dev/full: du_out_finish() fails");
	is_int(r.status, DU_EXIT_FAILURE, "and the tool exits 1");

	run(tool_small, NULL, true, &r);
	is_int(r.status, DU_EXIT_FAILURE,
	       "buffered output to /dev/full fails at exit");
	ok(strstr(r.err, "No space left on device") != NULL,
	   "the reason is given (got \"%s\")", r.err);

	run(tool_small, NULL, false, &r);
	is_int(r.status, 0, "the same to a pipe exits 0");
	is_str(r.out, "x\n", "and writes its output");
}

static int unbalanced(void *arg)
{
	(void)arg;
	du_out_init(true, false);
	du_out_open_array("a");
	du_out_close_object();		/* wrong kind: a bug, aborts */
	return 0;
}

static int missing_key(void *arg)
{
	(void)arg;
	du_out_init(true, false);
	du_print_u64(DU_ANY, NULL, NULL, 1);	/* object needs a key */
	return 0;
}

static void test_misuse(void)
{
	struct run r;

	run(unbalanced, NULL, false, &r);
	ok(r.status == 128 + SIGABRT && strstr(r.err, "unbalanced"),
	   "unbalanced close aborts with a message");
	run(missing_key, NULL, false, &r);
	ok(r.status == 128 + SIGABRT && strstr(r.err, "without a key"),
	   "value without key in an object aborts");
}

int main(void)
{
	test_same_calls();
	test_extremes();
	test_text_extremes();
	test_json_only();
	test_dev_full();
	test_misuse();
	return tap_done();
}
