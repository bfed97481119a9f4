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

void du_verr(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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

	fprintf(stderr, "%s: warning: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
