// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for du/cli.h: the help, usage and version options every
 * command and subcommand shares.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "du/cli.h"
#include "tap.h"

const char *argp_program_version = DU_VERSION_STRING("test-cli");

/* What the parser saw. */
struct seen {
	int json, end, args;
	const char *out;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct seen *s = state->input;

	switch (key) {
	case 'j': s->json++; break;
	case 'o': s->out = arg; break;
	case ARGP_KEY_ARG: s->args++; break;
	case ARGP_KEY_END: s->end++; break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option child_opts[] = {
	{ "socket", 0x100, "PATH", 0, "the socket", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};
static error_t child_parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	(void)state;
	return key == 0x100 ? 0 : ARGP_ERR_UNKNOWN;
}
static const struct argp child = { .options = child_opts, .parser = child_parse };
static const struct argp_child children[] = {
	{ &child, 0, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};
static const struct argp_option opts[] = {
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{ "output", 'o', "FILE", 0, "output file", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};
static const struct argp top = {
	opts, parse, "ARG...", "A test command.\vAfter the options.",
	children, NULL, NULL,
};

/* No options at all, as "iommufd-ctl show". */
static const struct argp_option no_opts[] = { { NULL, 0, NULL, 0, NULL, 0 } };
static const struct argp empty = { no_opts, parse, NULL, "Nothing to set.", NULL, NULL, NULL };

/* A command with its own help option (parsed as given). */
static const struct argp_option own_opts[] = {
	{ "help", 'h', NULL, 0, "my own help", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};
static error_t own_parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key != 'h')
		return ARGP_ERR_UNKNOWN;
	((struct seen *)state->input)->json = 42;
	return 0;
}
static const struct argp own = { own_opts, own_parse, NULL, NULL, NULL, NULL, NULL };

/* Run f with stdout in a buffer (malloc'd, returned). */
static char *capture(int (*f)(void *), void *arg, int *ret)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char *buf;
	long n;

	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	*ret = f(arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = ftell(tmp) > 0 ? ftell(tmp) : lseek(fileno(tmp), 0, SEEK_END);
	buf = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	if (buf && n > 0) {
		rewind(tmp);
		if (fread(buf, 1, (size_t)n, tmp) != (size_t)n)
			buf[0] = '\0';
	}
	fclose(tmp);
	return buf;
}

struct call {
	const struct argp *argp;
	int argc;
	char **argv;
	unsigned int flags;
	struct seen seen;
	enum du_help_kind what;
};

static int do_parse(void *p)
{
	struct call *c = p;

	return du_argp_parse(c->argp, c->argc, c->argv, c->flags, NULL,
			     &c->seen);
}

static int do_help(void *p)
{
	struct call *c = p;

	du_argp_help(c->argp, stdout, c->what, "test-cli sub");
	return 0;
}

/* Parse argv (NULL-terminated) with ARGP_NO_EXIT; output in *out. */
static int parse_noexit(const struct argp *argp, char **argv,
			unsigned int flags, struct seen *seen, char **out)
{
	struct call c = { argp, 0, argv, flags | ARGP_NO_EXIT, { 0 }, 0 };
	int ret;

	while (argv[c.argc])
		c.argc++;
	*out = capture(do_parse, &c, &ret);
	*seen = c.seen;
	return ret;
}

static bool contains(const char *s, const char *what)
{
	return s && strstr(s, what);
}

static void test_words(void)
{
	int i = -1;
	char *av[] = { (char *)"x", (char *)"-j", (char *)"--usage", (char *)"-h", NULL };
	char *av2[] = { (char *)"x", (char *)"--", (char *)"-V", NULL };

	is_int(du_help_word("--help"), DU_HELP_HELP, "--help is help");
	is_int(du_help_word("-h"), DU_HELP_HELP, "-h is help");
	is_int(du_help_word("-?"), DU_HELP_HELP, "-? is help");
	is_int(du_help_word("--usage"), DU_HELP_USAGE, "--usage is usage");
	is_int(du_help_word("-V"), DU_HELP_VERSION, "-V is the version");
	is_int(du_help_word("--version"), DU_HELP_VERSION, "--version is the version");
	is_int(du_help_word("help"), DU_HELP_NONE, "the word help is not an option");
	is_int(du_help_word("--he"), DU_HELP_NONE, "no abbreviations");
	is_int(du_help_word(NULL), DU_HELP_NONE, "NULL");
	is_int(du_help_find(4, av, &i), DU_HELP_USAGE, "the first help option wins");
	is_int(i, 2, "... and its index");
	is_int(du_help_find(3, av2, NULL), DU_HELP_NONE, "nothing after --");
}

static void test_version(void)
{
	char *argv[] = { (char *)"test-cli", (char *)"-V", NULL };
	char *argv2[] = { (char *)"test-cli", (char *)"--version", NULL };
	struct seen s;
	char *out;

	is_str(argp_program_version, "test-cli (dmabuf-utils) " PACKAGE_VERSION,
	       "DU_VERSION_STRING: 'CMD (dmabuf-utils) VERSION'");
	is_int(parse_noexit(&top, argv, 0, &s, &out), DU_ARGP_HELP_SHOWN,
	       "-V: DU_ARGP_HELP_SHOWN");
	is_str(out, "test-cli (dmabuf-utils) " PACKAGE_VERSION "\n", "-V prints the version line");
	is_int(s.end, 0, "-V: parsing stopped (no ARGP_KEY_END)");
	free(out);
	is_int(parse_noexit(&top, argv2, 0, &s, &out), DU_ARGP_HELP_SHOWN,
	       "--version: DU_ARGP_HELP_SHOWN");
	is_str(out, "test-cli (dmabuf-utils) " PACKAGE_VERSION "\n", "--version prints the same");
	free(out);
}

static void test_help_options(void)
{
	const char *words[] = { "--help", "-h", "-?" };
	char *first = NULL;
	struct seen s;

	for (size_t i = 0; i < 3; i++) {
		char *argv[] = { (char *)"test-cli", (char *)"-j", (char *)words[i],
				 (char *)"--output", (char *)"f", NULL };
		char *out;

		is_int(parse_noexit(&top, argv, 0, &s, &out), DU_ARGP_HELP_SHOWN,
		       "%s: DU_ARGP_HELP_SHOWN", words[i]);
		ok(contains(out, "Usage: test-cli [OPTION...] ARG..."), "%s: the usage line", words[i]);
		ok(contains(out, "A test command."), "%s: the doc", words[i]);
		ok(contains(out, "  -h, -?, --help "), "%s: lists -h, -?, --help", words[i]);
		ok(contains(out, "      --usage "), "%s: lists --usage", words[i]);
		ok(contains(out, "  -V, --version "), "%s: lists -V, --version", words[i]);
		ok(contains(out, "      --socket=PATH"), "%s: the children's options", words[i]);
		is_int(s.json, 1, "%s: options before it are parsed", words[i]);
		ok(!s.out && !s.end, "%s: nothing after it", words[i]);
		if (!first) {
			first = out;
		} else {
			is_str(out, first, "%s prints what --help prints", words[i]);
			free(out);
		}
	}
	free(first);
}

static void test_usage(void)
{
	char *argv[] = { (char *)"test-cli", (char *)"--usage", NULL };
	struct seen s;
	char *out;

	is_int(parse_noexit(&top, argv, 0, &s, &out), DU_ARGP_HELP_SHOWN,
	       "--usage: DU_ARGP_HELP_SHOWN");
	ok(contains(out, "Usage: test-cli [-jh?V]"), "--usage: the short options");
	ok(contains(out, "[--usage]") && contains(out, "[--socket=PATH]"),
	   "--usage: the long options");
	ok(!contains(out, "A test command."), "--usage: no doc text");
	if (!ok(out && strncmp(out, "Usage: test-cli", 15) == 0, "--usage starts with Usage:"))
		printf("#   %s", out ? out : "(null)");
	free(out);
}

static void test_plain_parse(void)
{
	char *argv[] = { (char *)"test-cli", (char *)"-j", (char *)"--socket", (char *)"s",
			 (char *)"a", (char *)"b", NULL };
	char *argv2[] = { (char *)"test-cli", (char *)"help", NULL };
	char *argv3[] = { (char *)"test-cli", (char *)"-h", NULL };
	struct seen s;
	char *out;

	is_int(parse_noexit(&top, argv, 0, &s, &out), 0, "no help option: 0");
	ok(s.json == 1 && s.args == 2 && s.end == 1, "no help option: parsed as usual");
	is_str(out, "", "no help option: nothing printed");
	free(out);
	is_int(parse_noexit(&top, argv2, 0, &s, &out), 0,
	       "the word help without DU_ARGP_HELP_COMMAND is an argument");
	is_int(s.args, 1, "... seen as one");
	free(out);
	is_int(parse_noexit(&top, argv2, DU_ARGP_HELP_COMMAND, &s, &out),
	       DU_ARGP_HELP_SHOWN, "DU_ARGP_HELP_COMMAND: 'help' shows the help");
	ok(contains(out, "Usage: test-cli [OPTION...]") && contains(out, "-h, -?, --help"),
	   "... the same help as --help");
	is_int(s.args, 0, "... and is not an argument");
	free(out);
	is_int(parse_noexit(&own, argv3, ARGP_NO_HELP, &s, &out), 0,
	       "an argp with its own help option is parsed as given");
	is_int(s.json, 42, "... its own -h handler ran");
	free(out);
}

static void test_help_without_parsing(void)
{
	struct call c = { &top, 0, NULL, 0, { 0 }, DU_HELP_HELP };
	char *help, *usage, *version;
	int ret;

	help = capture(do_help, &c, &ret);
	ok(contains(help, "Usage: test-cli sub [OPTION...] ARG..."), "du_argp_help: named as given");
	ok(contains(help, "-h, -?, --help"), "du_argp_help: the help options");
	ok(contains(help, "After the options."), "du_argp_help: the text after the options");
	c.what = DU_HELP_USAGE;
	usage = capture(do_help, &c, &ret);
	ok(usage && !strncmp(usage, "Usage: test-cli sub [-", 22), "du_argp_help: usage");
	ok(!contains(usage, "A test command."), "du_argp_help: usage has no doc");
	c.what = DU_HELP_VERSION;
	version = capture(do_help, &c, &ret);
	is_str(version, "test-cli (dmabuf-utils) " PACKAGE_VERSION "\n", "du_argp_help: version");
	free(help);
	free(usage);
	free(version);
	/* An argp without options: glibc's help code would leak (ASan). */
	c.argp = &empty;
	c.what = DU_HELP_HELP;
	help = capture(do_help, &c, &ret);
	ok(contains(help, "Nothing to set.") && contains(help, "-h, -?, --help"),
	   "no options of its own: the help options only");
	free(help);
}

/* Without ARGP_NO_EXIT the help options exit with status 0. */
static void test_exit_status(void)
{
	const char *words[] = { "--help", "-h", "-?", "--usage", "-V", "--version" };

	for (size_t i = 0; i < 6; i++) {
		int st = -1;
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			char *argv[] = { (char *)"test-cli", (char *)words[i], NULL };
			struct seen s = { 0 };

			if (!freopen("/dev/null", "w", stdout))
				_exit(99);
			du_argp_parse(&top, 2, argv, 0, NULL, &s);
			_exit(98);	/* not reached */
		}
		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s exits with status 0", words[i]);
	}
}

int main(void)
{
	test_words();
	test_version();
	test_help_options();
	test_usage();
	test_plain_parse();
	test_help_without_parsing();
	test_exit_status();
	return tap_done();
}
