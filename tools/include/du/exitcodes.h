/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/exitcodes.h - exit status convention and diagnostics shared by every
 * dmabuf-utils command.  The exit codes are an interface: they are listed in
 * each man page's EXIT STATUS section and scripts (and CI) rely on them.
 */
#ifndef DU_EXITCODES_H
#define DU_EXITCODES_H

#include <stdarg.h>

enum {
	DU_EXIT_OK	= 0,	/* success */
	DU_EXIT_FAILURE	= 1,	/* the operation failed */
	DU_EXIT_USAGE	= 2,	/* usage error or bad input */
	DU_EXIT_NOTSUPP	= 3,	/* the running kernel lacks the feature */
	DU_EXIT_REVOKED	= 4,	/* the buffer was revoked */
	DU_EXIT_TIMEOUT	= 5,	/* vfio-dmabuf: the broker did not answer in
				 * time (--timeout) */
};

/*
 * Print "<prog>: <message>\n" on stderr (prog is
 * program_invocation_short_name).  A trailing newline in fmt is not needed.
 * du_warn() prints "<prog>: warning: <message>".  Neither exits.
 */
void du_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void du_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void du_verr(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* du_err() then exit(status). */
void du_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Context bits for du_exit_for_errno(). */
enum {
	/* The errno came from probing a feature: EINVAL also means the
	 * kernel does not know the feature. */
	DU_ERRCTX_PROBE		= 1 << 0,
	/* The errno came from using a DMA-BUF (mmap, map into an IOAS,
	 * access): ENODEV means the buffer was revoked. */
	DU_ERRCTX_DMABUF	= 1 << 1,
};

/*
 * Map an errno (positive or negative) from a kernel call to an exit status:
 * 0 -> DU_EXIT_OK; ENOTTY, EOPNOTSUPP, ENOSYS (and EINVAL with
 * DU_ERRCTX_PROBE) -> DU_EXIT_NOTSUPP; ENODEV with DU_ERRCTX_DMABUF ->
 * DU_EXIT_REVOKED; anything else -> DU_EXIT_FAILURE.
 */
int du_exit_for_errno(int err, unsigned int ctx);

#endif /* DU_EXITCODES_H */
