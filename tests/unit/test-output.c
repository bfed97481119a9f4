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
	       "\"iova\":1048576,\"iova_hex\":\"0x100000\",\"revoked\":false,\"json_only\":7,"
	       "\"ranges\":[0,4096]},{\"id\":1,\"name\":\"b\",\"size\":8192,"
	       "\"iova\":1048577,\"iova_hex\":\"0x100001\",\"revoked\":true,\"json_only\":7,"
	       "\"ranges\":[0,4096]}]}\n", "json output (compact)");

	run(buffers, pretty, false, &r);
	is_int(r.status, 0, "pretty run exits 0");
	ok(strchr(r.out, '\n') != strrchr(r.out, '\n'), "pretty JSON has newlines");
	doc = json_tokener_parse(r.out);
	ok(doc, "pretty output parses as JSON");
	if (!doc)
		return;
	{
		const char *again = json_object_to_json_string_ext(doc,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
		char want[8192];

		snprintf(want, sizeof(want), "%s\n", again);
		is_str(r.out, want, "pretty layout is json-c's");
	}
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
	       "\"u64_max_hex\":\"0xffffffffffffffff\","
	       "\"hex_max\":18446744073709551615,"
	       "\"hex_max_hex\":\"0xffffffffffffffff\","
	       "\"i64_min\":-9223372036854775808,"
	       "\"i64_min_hex\":\"-0x8000000000000000\","
	       "\"i64_max\":9223372036854775807,"
	       "\"i64_max_hex\":\"0x7fffffffffffffff\",\"zero\":0,"
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

static void test_text_safe(void)
{
	char buf[16], *d;

	is_str(du_text_safe("a\x1b\xffz", buf, sizeof(buf)), "a\\x1b\\xffz",
	       "du_text_safe escapes");
	is_str(du_text_safe("abcdefghijklmnopq", buf, 8), "abcdefg",
	       "du_text_safe truncates");
	is_str(du_text_safe("abcde\x1b", buf, 8), "abcde",
	       "du_text_safe never cuts an escape in half");
	is_str(du_text_safe(NULL, buf, sizeof(buf)), "", "NULL gives \"\"");
	d = du_text_safe_dup("l1\nl2\t\x07", "\n");
	is_str(d, "l1\nl2\\x09\\x07", "du_text_safe_dup keeps only keep");
	free(d);
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


/* Untrusted bytes: invalid UTF-8, escape sequences, C1 controls (issue 13
 * defect 3).  JSON: valid UTF-8 JSON, invalid bytes as U+FFFD, controls
 * escaped; text: \xHH for the same bytes and for backslashes. */
#define HOSTILE "ok\xc3\xa9 \xff\xfe \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 " \
		"\x1b[31mred\x7f \xc2\x9b \xf0\x9f\x98\x80 a\\b \xe2\x82"

static int hostile(void *arg)
{
	const bool *json = arg;

	if (du_out_init(*json, false))
		return 10;
	du_print_string(DU_ANY, "comm", "comm %s|", HOSTILE);
	du_print_string(DU_ANY, "key\x1b\xff", "%s|", "v");
	du_printf("free %s\n\tend\x01\n", "\x1b]0;title\x07");
	return du_out_finish() ? 11 : 0;
}

static void test_untrusted_strings(void)
{
	bool json = true, text = false;
	struct run r;

	run(hostile, &json, false, &r);
	is_int(r.status, 0, "hostile strings: JSON run exits 0");
	is_str(r.out,
	       "{\"comm\":\"ok\xc3\xa9 \\ufffd\\ufffd \\ufffd\\ufffd "
	       "\\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\\ufffd "
	       "\\u001b[31mred\\u007f \\u009b \xf0\x9f\x98\x80 a\\\\b "
	       "\\ufffd\\ufffd\",\"key\\u001b\\ufffd\":\"v\"}\n",
	       "JSON: invalid UTF-8 -> U+FFFD, controls -> \\u00XX");

	run(hostile, &text, false, &r);
	is_int(r.status, 0, "hostile strings: text run exits 0");
	is_str(r.out,
	       "comm ok\xc3\xa9 \\xff\\xfe \\xc0\\xaf \\xed\\xa0\\x80 "
	       "\\xf4\\x90\\x80\\x80 \\x1b[31mred\\x7f \\xc2\\x9b "
	       "\xf0\x9f\x98\x80 a\\x5cb \\xe2\\x82|v|"
	       "free \\x1b]0;title\\x07\n\tend\\x01\n",
	       "text: control and invalid bytes -> \\xHH");
}

/* 64-bit values (issue 13 defect 7): exact number plus "<key>_hex". */
static int big(void *arg)
{
	(void)arg;
	if (du_out_init(true, false))
		return 10;
	du_print_hex_u64(DU_ANY, "iova", NULL, UINT64_C(0xffff8000deadbeef));
	du_print_hex_u64(DU_ANY, "small", NULL, 0x1000);
	du_print_u64(DU_ANY, "exact", NULL, UINT64_C(1) << 53);
	du_print_u64(DU_ANY, "above", NULL, (UINT64_C(1) << 53) + 1);
	du_print_int(DU_ANY, "neg", NULL, -(INT64_C(1) << 60) - 1);
	du_print_int(DU_ANY, "negsmall", NULL, -5);
	du_out_open_array("list");
	du_print_u64(DU_ANY, NULL, NULL, UINT64_MAX);
	du_out_close_array();
	return du_out_finish() ? 11 : 0;
}

static void test_64bit(void)
{
	struct run r;

	run(big, NULL, false, &r);
	is_int(r.status, 0, "64-bit run exits 0");
	is_str(r.out,
	       "{\"iova\":18446603339957124847,\"iova_hex\":\"0xffff8000deadbeef\","
	       "\"small\":4096,\"small_hex\":\"0x1000\","
	       "\"exact\":9007199254740992,"
	       "\"above\":9007199254740993,\"above_hex\":\"0x20000000000001\","
	       "\"neg\":-1152921504606846977,\"neg_hex\":\"-0x1000000000000001\","
	       "\"negsmall\":-5,\"list\":[18446744073709551615]}\n",
	       "hex fields always carry K_hex, others above 2^53 only");
}

/* Streaming: a document far bigger than the hold size comes out whole,
 * and one abandoned midway (exit without finish) is still closed. */
static int many(void *arg)
{
	const int *finish = arg;

	du_close_stdout_atexit();
	if (du_out_init(true, false))
		return 10;
	du_out_open_array("items");
	for (int i = 0; i < 20000; i++) {
		du_out_open_object(NULL);
		du_print_int(DU_ANY, "i", NULL, i);
		du_print_string(DU_ANY, "name", NULL, "item");
		du_out_close_object();
	}
	if (!*finish)
		exit(DU_EXIT_FAILURE);	/* e.g. du_die() midway */
	du_out_close_array();
	return du_out_finish() ? 11 : 0;
}

static int small_abandoned(void *arg)
{
	(void)arg;
	du_close_stdout_atexit();
	if (du_out_init(true, false))
		return 10;
	du_out_open_array("items");
	du_print_int(DU_ANY, NULL, NULL, 1);
	exit(DU_EXIT_FAILURE);
}

static void test_streaming(void)
{
	static struct run r;	/* big */
	static char big_out[1 << 20];
	int finish = 1;
	json_object *doc, *arr;
	int p[2], st;
	pid_t pid;
	size_t got = 0;
	ssize_t n;

	for (int pass = 0; pass < 2; pass++) {
		finish = !pass;
		fflush(stdout);
		if (pipe(p))
			abort();
		pid = fork();
		if (!pid) {
			close(p[0]);
			dup2(p[1], STDOUT_FILENO);
			close(p[1]);
			exit(many(&finish));
		}
		close(p[1]);
		got = 0;
		while (got < sizeof(big_out) - 1 &&
		       (n = read(p[0], big_out + got,
				 sizeof(big_out) - 1 - got)) > 0)
			got += (size_t)n;
		big_out[got] = '\0';
		close(p[0]);
		waitpid(pid, &st, 0);
		is_int(WEXITSTATUS(st), pass ? DU_EXIT_FAILURE : 0,
		       pass ? "abandoned document: exit 1" : "big document: exit 0");
		doc = json_tokener_parse(big_out);
		ok(doc != NULL, "%s: stdout is one JSON document (%zu bytes)",
		   pass ? "abandoned big document" : "big document", got);
		if (!doc)
			continue;
		ok(json_object_object_get_ex(doc, "items", &arr) &&
		   (pass ? json_object_array_length(arr) == 20000 :
		    json_object_array_length(arr) == 20000),
		   "with all 20000 items");
		json_object_put(doc);
	}
	run(small_abandoned, NULL, false, &r);
	is_int(r.status, DU_EXIT_FAILURE, "small abandoned document: exit 1");
	is_str(r.out, "", "and nothing on stdout");
}

int main(void)
{
	test_same_calls();
	test_extremes();
	test_text_extremes();
	test_json_only();
	test_dev_full();
	test_misuse();
	test_untrusted_strings();
	test_text_safe();
	test_64bit();
	test_streaming();
	return tap_done();
}
