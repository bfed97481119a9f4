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
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/parse.h"
#include "du/uapi.h"

enum {
	MOCK_OP_MOCK_DOMAIN = 2,	/* IOMMU_TEST_OP_MOCK_DOMAIN */
	MOCK_OP_MD_CHECK_MAP = 3,	/* IOMMU_TEST_OP_MD_CHECK_MAP */
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
		__u8 pad[48];		/* the largest member in 7.3.4 */
	};
	__u32 last;
};
#define MOCK_TEST_CMD _IO(IOMMUFD_TYPE, 0x80 + 32)

_Static_assert(sizeof(struct mock_test_cmd) == 72, "iommu_test_cmd size");
_Static_assert(offsetof(struct mock_test_cmd, last) == 64, "iommu_test_cmd last");
_Static_assert(offsetof(struct mock_test_cmd, check_map.uptr) == 32, "check_map");
_Static_assert(MOCK_TEST_CMD == 0x3ba0, "IOMMU_TEST_CMD");

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
	cmd->size = sizeof(*cmd);
	return ioctl(fd, MOCK_TEST_CMD, cmd) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct mock_test_cmd cmd;
	uint64_t iova, len, off = 0;
	uint32_t iommufd, ioas, stdev, hwpt;
	int ffd, rc, status = DU_EXIT_FAILURE;
	void *mem;

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
