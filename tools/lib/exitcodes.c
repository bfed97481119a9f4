// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Diagnostics and the exit status convention.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "du/exitcodes.h"
#include "du/output.h"

/* One write per message, so that messages of several processes sharing
 * stderr do not interleave.  Messages quote untrusted strings (process
 * and buffer names, file contents, arguments): control characters and
 * bytes that are not UTF-8 are written as \xHH (du/output.h), newlines,
 * tabs and backslashes as they are. */
static void __attribute__((format(printf, 2, 0)))
vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL, *safe;

	/* Never cut a message short: the reason comes last (a long path) */
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	safe = du_text_safe_dup(msg ? msg : "out of memory", "\n\t\\");
	fprintf(stderr, "%s: %s%s\n", program_invocation_short_name, prefix,
		safe);
	free(safe);
	free(msg);
}

void du_verr(const char *fmt, va_list ap)
{
	vmsg("", fmt, ap);
}

void du_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	du_verr(fmt, ap);
	va_end(ap);
}

void du_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void du_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	du_verr(fmt, ap);
	va_end(ap);
	exit(status);
}

int du_exit_for_errno(int err, unsigned int ctx)
{
	if (err < 0)
		err = -err;

	switch (err) {
	case 0:
		return DU_EXIT_OK;
	case ENOTTY:
	case EOPNOTSUPP:
	case ENOSYS:
		return DU_EXIT_NOTSUPP;
	case EINVAL:
		return (ctx & DU_ERRCTX_PROBE) ? DU_EXIT_NOTSUPP : DU_EXIT_FAILURE;
	case ENODEV:
		return (ctx & DU_ERRCTX_DMABUF) ? DU_EXIT_REVOKED : DU_EXIT_FAILURE;
	default:
		return DU_EXIT_FAILURE;
	}
}
