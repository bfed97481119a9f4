// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * udmabuf-exec - run a command holding a DMA-BUF made by udmabuf from a
 * memfd, so that vfio-dmabuf's access, maps and info can be tested on a
 * real, mappable DMA-BUF on kernels without VFIO DMA-BUF mmap.
 *
 *   udmabuf-exec SIZE -- COMMAND [ARG...]
 *
 * The fd number is in VFIO_DMABUF_FD (as vfio-dmabuf exec does) and the
 * size in VFIO_DMABUF_SIZE.  Exit status: COMMAND's; 77 when /dev/udmabuf
 * is missing (the test then skips); 1 on other errors.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "du/parse.h"

struct vd_udmabuf_create {
	__u32 memfd;
	__u32 flags;
	__u64 offset;
	__u64 size;
};
#define VD_UDMABUF_CREATE _IOW('u', 0x42, struct vd_udmabuf_create)

int main(int argc, char **argv)
{
	struct vd_udmabuf_create c = { 0 };
	uint64_t size;
	char buf[32];
	int dev, mfd, fd;

	if (argc < 4 || strcmp(argv[2], "--") != 0 ||
	    du_parse_size(argv[1], &size) < 0 || !size) {
		fprintf(stderr, "usage: udmabuf-exec SIZE -- COMMAND [ARG...]\n");
		return 2;
	}
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "udmabuf-exec: /dev/udmabuf: %s\n", strerror(errno));
		return errno == ENOENT ? 77 : 1;
	}
	mfd = memfd_create("udmabuf-exec", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, (off_t)size) < 0 ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		perror("udmabuf-exec: memfd");
		return 1;
	}
	c.memfd = (__u32)mfd;
	c.size = size;
	fd = ioctl(dev, VD_UDMABUF_CREATE, &c);
	if (fd < 0) {
		perror("udmabuf-exec: UDMABUF_CREATE");
		return 1;
	}
	close(mfd);
	close(dev);
	snprintf(buf, sizeof(buf), "%d", fd);
	setenv("VFIO_DMABUF_FD", buf, 1);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)size);
	setenv("VFIO_DMABUF_SIZE", buf, 1);
	execvp(argv[3], argv + 3);
	fprintf(stderr, "udmabuf-exec: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
