// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-mock: check through the iommufd selftest mock (CONFIG_IOMMUFD_TEST)
 * that an IOAS built by `iommufd-ctl -b` really maps what it says, without a
 * device.  Run from `iommufd-ctl exec` (IOMMUFD_CTL_FD, IOMMUFD_CTL_IOAS_ID):
 *
 *   iommufd-mock check-map IOVA LENGTH FILE [OFFSET]
 *
 * attaches a mock device (IOMMU_TEST_OP_MOCK_DOMAIN) to the IOAS, which
 * fills its mock IO page table from the IOAS, then asks the kernel
 * (IOMMU_TEST_OP_MD_CHECK_MAP) whether [IOVA, IOVA + LENGTH) translates to
 * the very pages of FILE at OFFSET (mmap()ed shared here), and destroys the
 * mock device.  Exit: 0 it does, 1 it does not (or an error), 2 usage,
 * 3 the kernel has no iommufd selftest.  The mock's aperture is
 * [16 MiB, 2 GiB): the IOAS's mappings must lie inside it.
 *
 *   iommufd-mock dmabuf-exec LENGTH -- COMMAND [ARG...]
 *
 * creates a DMA-BUF of LENGTH bytes with the selftest's own exporter
 * (IOMMU_TEST_OP_DMABUF_GET: kernel memory, revocable) and runs COMMAND
 * holding it, its number in IOMMUFD_MOCK_DMABUF_FD; the exit status is
 * COMMAND's.  And
 *
 *   iommufd-mock dmabuf-revoke FD
 *
 * revokes such a buffer (IOMMU_TEST_OP_DMABUF_REVOKE): importers are
 * invalidated and a new IOMMU_IOAS_MAP_FILE of it fails with ENODEV, as
 * for a revoked VFIO DMA-BUF.  Both open their own /dev/iommu.
 *
 * The selftest interface is not uapi (drivers/iommu/iommufd/iommufd_test.h);
 * the parts used here are defined below and pinned to Linux 7.3.4's layout.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/parse.h"
#include "du/uapi.h"

enum {
	MOCK_OP_MOCK_DOMAIN = 2,	/* IOMMU_TEST_OP_MOCK_DOMAIN */
	MOCK_OP_MD_CHECK_MAP = 3,	/* IOMMU_TEST_OP_MD_CHECK_MAP */
	MOCK_OP_DMABUF_GET = 22,	/* IOMMU_TEST_OP_DMABUF_GET */
	MOCK_OP_DMABUF_REVOKE = 23,	/* IOMMU_TEST_OP_DMABUF_REVOKE */
};

struct mock_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__u32 length;
			__u32 open_flags;
		} dmabuf_get;
		struct {
			__s32 dmabuf_fd;
			__u32 revoked;
		} dmabuf_revoke;
		__u8 pad[48];		/* the largest member in 7.3.4 */
	};
	__u32 last;
};
#define MOCK_TEST_CMD _IO(IOMMUFD_TYPE, 0x80 + 32)

_Static_assert(sizeof(struct mock_test_cmd) == 72, "iommu_test_cmd size");
_Static_assert(offsetof(struct mock_test_cmd, last) == 64, "iommu_test_cmd last");
_Static_assert(offsetof(struct mock_test_cmd, check_map.uptr) == 32, "check_map");
_Static_assert(MOCK_TEST_CMD == 0x3ba0, "IOMMU_TEST_CMD");
_Static_assert(offsetof(struct mock_test_cmd, dmabuf_get.open_flags) == 20, "dmabuf_get");
_Static_assert(offsetof(struct mock_test_cmd, dmabuf_revoke.revoked) == 20, "dmabuf_revoke");

static int env_u32(const char *name, uint32_t *out)
{
	const char *s = getenv(name);

	if (!s || du_parse_u32(s, out)) {
		du_err("%s is not set: run me from 'iommufd-ctl exec'", name);
		return -1;
	}
	return 0;
}

static int test_cmd(int fd, struct mock_test_cmd *cmd)
{
	int rc;

	cmd->size = sizeof(*cmd);
	rc = ioctl(fd, MOCK_TEST_CMD, cmd);
	return rc < 0 ? -errno : rc;
}

static int open_iommufd(void)
{
	int fd = du_iommufd_open();

	if (fd < 0)
		du_die(DU_EXIT_NOTSUPP, "/dev/iommu: %s", strerror(-fd));
	return fd;
}

static void notsupp_if_no_selftest(int rc)
{
	if (rc == -ENOTTY)
		du_die(DU_EXIT_NOTSUPP, "the kernel has no iommufd selftest (CONFIG_IOMMUFD_TEST)");
}

static int dmabuf_exec(int argc, char **argv)
{
	struct mock_test_cmd cmd;
	uint64_t len;
	int ifd, lowest, bfd, rc, status;
	char num[16];
	pid_t pid;

	if (argc < 5 || du_parse_size(argv[2], &len) || !len || len > UINT32_MAX ||
	    strcmp(argv[3], "--"))
		du_die(DU_EXIT_USAGE, "usage: iommufd-mock dmabuf-exec LENGTH -- COMMAND [ARG...]");
	ifd = open_iommufd();
	/* 7.3.4's IOMMU_TEST_OP_DMABUF_GET installs the fd but returns 0:
	 * the fd is the lowest free number (this process is single
	 * threaded), so note it first and check it afterwards. */
	lowest = fcntl(ifd, F_DUPFD, 0);
	if (lowest < 0)
		du_die(DU_EXIT_FAILURE, "F_DUPFD: %s", strerror(errno));
	close(lowest);
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = MOCK_OP_DMABUF_GET;
	cmd.dmabuf_get.length = (uint32_t)len;
	cmd.dmabuf_get.open_flags = O_RDWR;
	rc = test_cmd(ifd, &cmd);
	notsupp_if_no_selftest(rc);
	if (rc < 0)
		du_die(DU_EXIT_FAILURE, "IOMMU_TEST_OP_DMABUF_GET: %s", strerror(-rc));
	bfd = rc > 0 ? rc : lowest;
	if (du_dmabuf_check_fd(bfd) != 1)
		du_die(DU_EXIT_FAILURE, "IOMMU_TEST_OP_DMABUF_GET: fd %d is not the new DMA-BUF", bfd);
	close(ifd);
	snprintf(num, sizeof(num), "%d", bfd);
	setenv("IOMMUFD_MOCK_DMABUF_FD", num, 1);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		du_die(DU_EXIT_FAILURE, "fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[4], argv + 4);
		du_err("cannot run '%s': %s", argv[4], strerror(errno));
		_exit(127);
	}
	close(bfd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			du_die(DU_EXIT_FAILURE, "waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int dmabuf_revoke(int argc, char **argv)
{
	struct mock_test_cmd cmd;
	int ifd, fd, rc;

	if (argc != 3 || du_parse_fd(argv[2], &fd))
		du_die(DU_EXIT_USAGE, "usage: iommufd-mock dmabuf-revoke FD");
	ifd = open_iommufd();
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = MOCK_OP_DMABUF_REVOKE;
	cmd.dmabuf_revoke.dmabuf_fd = fd;
	cmd.dmabuf_revoke.revoked = 1;
	rc = test_cmd(ifd, &cmd);
	notsupp_if_no_selftest(rc);
	close(ifd);
	if (rc < 0)
		du_die(DU_EXIT_FAILURE, "IOMMU_TEST_OP_DMABUF_REVOKE fd %d: %s", fd,
		       strerror(-rc));
	printf("revoked the selftest DMA-BUF fd %d\n", fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct mock_test_cmd cmd;
	uint64_t iova, len, off = 0;
	uint32_t iommufd, ioas, stdev, hwpt;
	int ffd, rc, status = DU_EXIT_FAILURE;
	void *mem;

	if (argc > 1 && !strcmp(argv[1], "dmabuf-exec"))
		return dmabuf_exec(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "dmabuf-revoke"))
		return dmabuf_revoke(argc, argv);
	if (argc < 5 || argc > 6 || strcmp(argv[1], "check-map") ||
	    du_parse_size(argv[2], &iova) || du_parse_size(argv[3], &len) ||
	    !len || (argc == 6 && du_parse_size(argv[5], &off)))
		du_die(DU_EXIT_USAGE, "usage: iommufd-mock check-map IOVA LENGTH FILE [OFFSET]");
	if (env_u32("IOMMUFD_CTL_FD", &iommufd) ||
	    env_u32("IOMMUFD_CTL_IOAS_ID", &ioas))
		return DU_EXIT_USAGE;

	ffd = open(argv[4], O_RDONLY | O_CLOEXEC);
	if (ffd < 0)
		du_die(DU_EXIT_USAGE, "cannot open '%s': %s", argv[4], strerror(errno));
	mem = mmap(NULL, len, PROT_READ, MAP_SHARED, ffd, (off_t)off);
	if (mem == MAP_FAILED)
		du_die(DU_EXIT_FAILURE, "mmap '%s': %s", argv[4], strerror(errno));

	memset(&cmd, 0, sizeof(cmd));
	cmd.op = MOCK_OP_MOCK_DOMAIN;
	cmd.id = ioas;
	rc = test_cmd((int)iommufd, &cmd);
	if (rc > 0)
		rc = 0;
	if (rc == -ENOTTY) {
		du_err("the kernel has no iommufd selftest (CONFIG_IOMMUFD_TEST)");
		status = DU_EXIT_NOTSUPP;
		goto out;
	}
	if (rc) {
		du_err("attaching a mock domain to ioas %u: %s (mappings outside [16M, 2G)?)",
		       ioas, strerror(-rc));
		goto out;
	}
	stdev = cmd.mock_domain.out_stdev_id;
	hwpt = cmd.mock_domain.out_hwpt_id;

	memset(&cmd, 0, sizeof(cmd));
	cmd.op = MOCK_OP_MD_CHECK_MAP;
	cmd.id = hwpt;
	cmd.check_map.iova = iova;
	cmd.check_map.length = len;
	cmd.check_map.uptr = (uintptr_t)mem;
	rc = test_cmd((int)iommufd, &cmd);
	if (!rc) {
		printf("iova 0x%" PRIx64 " length 0x%" PRIx64 " maps %s at 0x%" PRIx64 " (mock hwpt %u)\n",
		       iova, len, argv[4], off, hwpt);
		status = DU_EXIT_OK;
	} else if (rc == -EINVAL) {
		du_err("iova 0x%" PRIx64 " length 0x%" PRIx64 " does not map the pages of %s at 0x%" PRIx64,
		       iova, len, argv[4], off);
	} else {
		du_err("IOMMU_TEST_OP_MD_CHECK_MAP: %s", strerror(-rc));
	}
	rc = du_iommufd_destroy((int)iommufd, stdev);
	if (rc) {
		du_err("destroying the mock device %u: %s", stdev, strerror(-rc));
		status = DU_EXIT_FAILURE;
	}
out:
	munmap(mem, len);
	close(ffd);
	return status;
}
