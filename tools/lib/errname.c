// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * errno values by name (du/errname.h).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <stdio.h>

#include "du/errname.h"

/* The errors the tools meet from sysfs, ioctls, mmap and sockets. */
static const char *const names[] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH",
	[EINTR] = "EINTR", [EIO] = "EIO", [ENXIO] = "ENXIO",
	[E2BIG] = "E2BIG", [EBADF] = "EBADF", [EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT",
	[EBUSY] = "EBUSY", [EEXIST] = "EEXIST", [ENODEV] = "ENODEV",
	[ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR", [EINVAL] = "EINVAL",
	[ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
	[EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE",
	[EROFS] = "EROFS", [EPIPE] = "EPIPE", [ERANGE] = "ERANGE",
	[EDEADLK] = "EDEADLK", [ENOSYS] = "ENOSYS",
	[EBADFD] = "EBADFD", [EBADMSG] = "EBADMSG",
	[EOVERFLOW] = "EOVERFLOW", [EMSGSIZE] = "EMSGSIZE",
	[EPROTONOSUPPORT] = "EPROTONOSUPPORT",
	[EOPNOTSUPP] = "EOPNOTSUPP", [ECONNREFUSED] = "ECONNREFUSED",
	[ECONNRESET] = "ECONNRESET", [ETIMEDOUT] = "ETIMEDOUT",
	[ENOTCONN] = "ENOTCONN", [EHWPOISON] = "EHWPOISON",
};

const char *du_errno_name(int err)
{
	static char buf[16];

	if (err < 0)
		err = -err;
	if ((size_t)err < sizeof(names) / sizeof(names[0]) && names[err])
		return names[err];
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}
