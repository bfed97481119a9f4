/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exact long options for argp parsers.
 *
 * argp parses with getopt_long, which accepts any unambiguous prefix of a
 * long option ("--matr" for "--matrix").  A new option can then change
 * what an old command line means, so the project accepts exact names only
 * (STYLE.md: keywords match exactly).  Call the check before argp_parse()
 * with the same argp and argv.
 */
#ifndef DU_ARGP_EXACT_H
#define DU_ARGP_EXACT_H

#include <argp.h>
#include <stddef.h>

enum {
	/* Stop at the first non-option argument, as a parser does that
	 * hands the rest of argv to a subcommand or a COMMAND to run. */
	DU_ARGP_EXACT_STOP_AT_ARG = 1 << 0,
};

/*
 * Check every "--name" and "--name=value" in argv[1..argc-1] (up to "--")
 * against the long options of argp and all its children, plus argp's own
 * --help, --usage and, when argp_program_version or its hook is set,
 * --version.  The argument of an option that takes one ("--socket PATH",
 * "-o VALUE") is skipped, so a value that starts with "--" is not taken
 * for an option.
 *
 * Returns 0 when every long option is exact, else the index in argv of
 * the first one that is not, with msg filled (when msg is not NULL) with
 * "unrecognized option '--matr'", followed by "; did you mean
 * '--matrix'?" when it abbreviates exactly one option.
 */
int du_argp_exact_long_options(const struct argp *argp, int argc,
			       char **argv, unsigned int flags, char *msg,
			       size_t len);

#endif /* DU_ARGP_EXACT_H */
