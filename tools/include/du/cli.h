/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Help, usage and version, the same in every command and subcommand.
 *
 *   -h, -?, --help   the help, on standard output, exit status 0
 *   --usage          the short usage message, on standard output, 0
 *   -V, --version    "CMD (dmabuf-utils) VERSION", on standard output, 0
 *   help [SUB]       (commands with subcommands) the help of SUB, the
 *                    same text as 'SUB --help'
 *
 * A command defines its version string in one line:
 *
 *   const char *argp_program_version = DU_VERSION_STRING("vfio-dmabuf");
 *
 * and parses with du_argp_parse() instead of argp_parse().  The
 * consistency of help, man page and completion is checked by
 * tests/host/check-options.sh.
 */
#ifndef DU_CLI_H
#define DU_CLI_H

#include <argp.h>
#include <stdio.h>

/* One format for all commands, as util-linux's "lsblk from util-linux
 * 2.38.1": "iommufd-ctl (dmabuf-utils) 0.1.0".  Needs config.h. */
#define DU_VERSION_STRING(prog) prog " (" PACKAGE_NAME ") " PACKAGE_VERSION

enum du_help_kind {
	DU_HELP_NONE = 0,
	DU_HELP_HELP,		/* -h, -?, --help */
	DU_HELP_USAGE,		/* --usage */
	DU_HELP_VERSION,	/* -V, --version */
};

/* What a word asks for (DU_HELP_NONE: not a help option).  For
 * dispatchers that see the word where a subcommand is expected
 * ("ioas -h", "memattr --usage"). */
enum du_help_kind du_help_word(const char *word);

/* The first help option in argv[1..argc-1], before "--", or
 * DU_HELP_NONE; *index (when not NULL) is set to its index. */
enum du_help_kind du_help_find(int argc, char **argv, int *index);

/* A flag of du_argp_parse() (beyond argp's own): a command line whose
 * only argument is the word "help" ("p2p-probe help") asks for the help,
 * as in the commands that have subcommands.  For a command without
 * subcommands whose operands can never be "help". */
#define DU_ARGP_HELP_COMMAND 0x100000

/* du_argp_parse() returns this with ARGP_NO_EXIT after it printed the
 * help, the usage or the version: parsing stopped, exit with 0. */
#define DU_ARGP_HELP_SHOWN (-1)

/*
 * argp_parse() with the help options above in place of argp's own
 * (ARGP_NO_HELP is added): "-h, -?, --help", "--usage" and
 * "-V, --version" are listed last in every help.  Without ARGP_NO_EXIT
 * they print and exit with status 0; with it, parsing stops (no
 * ARGP_KEY_END) and DU_ARGP_HELP_SHOWN is returned.  Otherwise returns
 * what argp_parse() returns.  flags may add DU_ARGP_HELP_COMMAND.  An
 * argp that has its own "help" option is parsed as given (plain
 * argp_parse()).
 */
int du_argp_parse(const struct argp *argp, int argc, char **argv,
		  unsigned int flags, int *arg_index, void *input);

/*
 * Print what a help option of argp prints, without parsing, for a
 * command named name ("iommufd-ctl ioas map"): the help (DU_HELP_HELP),
 * the usage (DU_HELP_USAGE) or the version (DU_HELP_VERSION), on f.
 * 'help SUB' uses it so that it prints exactly what 'SUB --help' does.
 */
void du_argp_help(const struct argp *argp, FILE *f, enum du_help_kind what,
		  const char *name);

/* Print argp_program_version (or call its hook) and a newline on f. */
void du_print_version(FILE *f);

#endif /* DU_CLI_H */
