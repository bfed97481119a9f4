// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for du/argp-exact.h (exact long options) and du/errname.h.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>

#include "du/argp-exact.h"
#include "du/errname.h"
#include "tap.h"

/* A child table, as a subcommand's shared options are. */
static const struct argp_option child_opts[] = {
	{ NULL, 0, NULL, 0, "Which buffer:", 2 },
	{ "socket", 0x100, "PATH", 0, "the socket", 2 },
	{ "device", 0x101, "ADDR", 0, "the device", 2 },
	{ "device-fd", 0x102, "FD", 0, "a device fd", 2 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};
static const struct argp child = { .options = child_opts };
static const struct argp_child children[] = {
	{ &child, 0, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct argp_option opts[] = {
	{ "json", 'j', NULL, 0, "JSON", 0 },
	{ "output", 'o', "FILE", 0, "output file", 0 },
	{ "out", 0x200, NULL, OPTION_ALIAS, NULL, 0 },	/* takes FILE too */
	{ "level", 'l', "N", OPTION_ARG_OPTIONAL, "level", 0 },
	{ "matrix", 0x201, NULL, 0, "all pairs", 0 },
	{ "map-bar", 0x202, "N", 0, "map BAR N", 0 },
	{ "map-bars", 0x203, NULL, 0, "map all", 0 },
	{ "Some text", 0, NULL, OPTION_DOC, NULL, 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};
static const struct argp top = { .options = opts, .children = children };

/* Run the check on a NULL-terminated argument list (argv[0] "prog"). */
static int check(unsigned int flags, char *msg, size_t len, ...)
{
	char *argv[32] = { (char *)"prog" };
	int argc = 1;
	va_list ap;

	va_start(ap, len);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	if (msg && len)
		msg[0] = '\0';
	return du_argp_exact_long_options(&top, argc, argv, flags, msg, len);
}

static void test_exact(void)
{
	char m[200];

	is_int(check(0, m, sizeof(m), "--json", "--matrix", NULL), 0,
	       "exact flags pass");
	is_int(check(0, m, sizeof(m), "--output", "x", "--output=y", NULL), 0,
	       "--opt VALUE and --opt=VALUE pass");
	is_int(check(0, m, sizeof(m), "--socket", "/s", "--device-fd=3", NULL),
	       0, "a child's options pass");
	is_int(check(0, m, sizeof(m), "--help", NULL), 0, "--help passes");
	is_int(check(0, m, sizeof(m), "--usage", NULL), 0, "--usage passes");
	is_int(check(0, m, sizeof(m), "pos", "--json", "pos2", NULL), 0,
	       "arguments around options pass");
	is_int(check(0, m, sizeof(m), "-", "--json", NULL), 0,
	       "'-' is an argument");
	is_str(m, "", "no message when all is well");
}

static void test_refused(void)
{
	char m[200];

	is_int(check(0, m, sizeof(m), "--matr", NULL), 1,
	       "an abbreviation is refused");
	is_str(m, "unrecognized option '--matr'; did you mean '--matrix'?",
	       "the message names it and the option it abbreviates");
	is_int(check(0, m, sizeof(m), "--json", "--matr=1", NULL), 2,
	       "--abbrev=value is refused at its index");
	is_str(m, "unrecognized option '--matr'; did you mean '--matrix'?",
	       "the value is not part of the name");
	is_int(check(0, m, sizeof(m), "--sock", "/s", NULL), 1,
	       "an abbreviated child option is refused");
	is_str(m, "unrecognized option '--sock'; did you mean '--socket'?",
	       "child option suggested");
	is_int(check(0, m, sizeof(m), "--map", "1", NULL), 1,
	       "an ambiguous abbreviation is refused");
	is_str(m, "unrecognized option '--map'",
	       "no suggestion when it abbreviates several");
	is_int(check(0, m, sizeof(m), "--map-ba", "1", NULL), 1,
	       "a prefix of two options (map-bar, map-bars) is refused");
	is_int(check(0, m, sizeof(m), "--bogus", NULL), 1,
	       "an unknown option is refused");
	is_str(m, "unrecognized option '--bogus'", "plain message");
	is_int(check(0, m, sizeof(m), "--he", NULL), 1,
	       "an abbreviated --help is refused");
	is_str(m, "unrecognized option '--he'; did you mean '--help'?",
	       "argp's own options are suggested");
	is_int(check(0, NULL, 0, "--matr", NULL) , 1, "works without msg");
	is_int(check(0, m, 8, "--matr", NULL), 1, "short msg buffer");
	is_str(m, "unrecog", "message truncated, terminated");
	is_int(check(0, m, sizeof(m), "--Some text", NULL), 1,
	       "doc entries are not options");
}

static void test_arguments_skipped(void)
{
	char m[200];

	is_int(check(0, m, sizeof(m), "--output", "--matr", NULL), 0,
	       "the value of --output is not an option");
	is_int(check(0, m, sizeof(m), "--out", "--matr", NULL), 0,
	       "an alias takes the aliased option's argument");
	is_int(check(0, m, sizeof(m), "-o", "--matr", NULL), 0,
	       "the value of -o is not an option");
	is_int(check(0, m, sizeof(m), "-jo", "--matr", NULL), 0,
	       "the value of a clustered -jo is not an option");
	is_int(check(0, m, sizeof(m), "-o--x", "--matr", NULL), 2,
	       "-oVALUE takes no separate value");
	is_int(check(0, m, sizeof(m), "--output=x", "--matr", NULL), 2,
	       "--output=VALUE takes no separate value");
	is_int(check(0, m, sizeof(m), "--level", "--matr", NULL), 2,
	       "an optional argument is never separate");
	is_int(check(0, m, sizeof(m), "-l", "--matr", NULL), 2,
	       "... nor after a short option");
	is_int(check(0, m, sizeof(m), "--", "--matr", NULL), 0,
	       "nothing after '--' is checked");
	is_int(check(0, m, sizeof(m), "cmd", "--matr", NULL), 2,
	       "options after an argument are checked");
	is_int(check(DU_ARGP_EXACT_STOP_AT_ARG, m, sizeof(m), "--json", "cmd",
		     "--matr", NULL), 0,
	       "STOP_AT_ARG: the rest after the first argument is not ours");
	is_int(check(DU_ARGP_EXACT_STOP_AT_ARG, m, sizeof(m), "--output",
		     "cmd", "--matr", NULL), 3,
	       "STOP_AT_ARG: an option's value is not the first argument");
}

static void test_version(void)
{
	char m[200];

	is_int(check(0, m, sizeof(m), "--version", NULL), 1,
	       "--version is refused without argp_program_version");
	argp_program_version = "prog 1";
	is_int(check(0, m, sizeof(m), "--version", NULL), 0,
	       "--version passes with argp_program_version");
	is_int(check(0, m, sizeof(m), "--vers", NULL), 1,
	       "--vers is refused");
	is_str(m, "unrecognized option '--vers'; did you mean '--version'?",
	       "--version suggested");
	argp_program_version = NULL;
}

static void test_errno_name(void)
{
	is_str(du_errno_name(ENODEV), "ENODEV", "ENODEV");
	is_str(du_errno_name(-EINVAL), "EINVAL", "a negative errno");
	is_str(du_errno_name(EOPNOTSUPP), "EOPNOTSUPP", "EOPNOTSUPP");
	is_str(du_errno_name(EBADFD), "EBADFD", "EBADFD");
	is_str(du_errno_name(ENOTTY), "ENOTTY", "ENOTTY");
	is_str(du_errno_name(EAGAIN), "EAGAIN", "EAGAIN");
	is_str(du_errno_name(0), "E0", "0 has no name");
	is_str(du_errno_name(4000), "E4000", "out of the table");
	is_str(du_errno_name(-4000), "E4000", "negative, out of the table");
}

int main(void)
{
	test_exact();
	test_refused();
	test_arguments_skipped();
	test_version();
	test_errno_name();
	return tap_done();
}
