// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests that need no device: exit codes, diagnostics, errno words of
 * the VFIO features, the ioctl wrappers' answers on a non-VFIO fd, and the
 * edu driver's register programming against a fake BAR in memory.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "du/edu.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "tap.h"

static void test_exit_codes(void)
{
	is_int(du_exit_for_errno(0, 0), DU_EXIT_OK, "0 -> ok");
	is_int(du_exit_for_errno(ENOTTY, 0), DU_EXIT_NOTSUPP, "ENOTTY -> 3");
	is_int(du_exit_for_errno(-ENOTTY, 0), DU_EXIT_NOTSUPP,
	       "-ENOTTY -> 3 (sign ignored)");
	is_int(du_exit_for_errno(EOPNOTSUPP, 0), DU_EXIT_NOTSUPP,
	       "EOPNOTSUPP -> 3");
	is_int(du_exit_for_errno(ENOSYS, 0), DU_EXIT_NOTSUPP, "ENOSYS -> 3");
	is_int(du_exit_for_errno(EINVAL, 0), DU_EXIT_FAILURE, "EINVAL -> 1");
	is_int(du_exit_for_errno(EINVAL, DU_ERRCTX_PROBE), DU_EXIT_NOTSUPP,
	       "EINVAL on probe -> 3");
	is_int(du_exit_for_errno(ENODEV, 0), DU_EXIT_FAILURE, "ENODEV -> 1");
	is_int(du_exit_for_errno(ENODEV, DU_ERRCTX_DMABUF), DU_EXIT_REVOKED,
	       "ENODEV on a DMA-BUF -> 4");
	is_int(du_exit_for_errno(EPERM, DU_ERRCTX_DMABUF | DU_ERRCTX_PROBE),
	       DU_EXIT_FAILURE, "EPERM -> 1");
	is_int(DU_EXIT_USAGE, 2, "usage is 2");

	is_int(du_vfio_exit_code(DU_VFIO_OP_PROBE, -EINVAL), DU_EXIT_NOTSUPP,
	       "probe EINVAL -> 3");
	is_int(du_vfio_exit_code(DU_VFIO_OP_REVOKE, -EINVAL), DU_EXIT_FAILURE,
	       "revoke EINVAL (not a DMA-BUF) -> 1");
	is_int(du_vfio_exit_code(DU_VFIO_OP_REVOKE, -ENOTTY), DU_EXIT_NOTSUPP,
	       "revoke ENOTTY -> 3");
	is_int(du_vfio_exit_code(DU_VFIO_OP_REVOKE, -ENODEV), DU_EXIT_FAILURE,
	       "revoke ENODEV (wrong device) -> 1");
	is_int(du_vfio_exit_code(DU_VFIO_OP_MMAP, -ENODEV), DU_EXIT_REVOKED,
	       "mmap ENODEV -> 4");
	is_int(du_vfio_exit_code(DU_VFIO_OP_MAP_FILE, ENODEV), DU_EXIT_REVOKED,
	       "map-file ENODEV -> 4");
}

static void test_words(void)
{
	is_str(du_vfio_strerror(DU_VFIO_OP_REVOKE, -EBADFD),
	       "the buffer is already revoked", "revoke EBADFD");
	is_str(du_vfio_strerror(DU_VFIO_OP_REVOKE, ENODEV),
	       "the buffer was not exported by this device", "revoke ENODEV");
	is_str(du_vfio_strerror(DU_VFIO_OP_REVOKE, -EBADF), "not a DMA-BUF",
	       "revoke EBADF");
	is_str(du_vfio_strerror(DU_VFIO_OP_REVOKE, -EINVAL), "not a DMA-BUF",
	       "revoke EINVAL");
	is_str(du_vfio_strerror(DU_VFIO_OP_REVOKE, -EOPNOTSUPP),
	       "the device cannot export DMA-BUFs", "revoke EOPNOTSUPP");
	is_str(du_vfio_strerror(DU_VFIO_OP_REVOKE, -ENOTTY),
	       "the running kernel lacks DMA-BUF revoke", "revoke ENOTTY");
	is_str(du_vfio_strerror(DU_VFIO_OP_MEMATTR, -EOPNOTSUPP),
	       "memory attribute not supported for this buffer (unknown, or the platform cannot provide it: x86 PAT refuses WC for a BAR vfio-pci maps uncached)",
	       "memattr EOPNOTSUPP");
	is_str(du_vfio_strerror(DU_VFIO_OP_MAP_FILE, -EOPNOTSUPP),
	       "iommufd maps only single-range VFIO DMA-BUFs",
	       "map-file EOPNOTSUPP");
	is_str(du_vfio_strerror(DU_VFIO_OP_MMAP, -ENODEV),
	       "the buffer is revoked", "mmap ENODEV");
	is_str(du_vfio_strerror(DU_VFIO_OP_PROBE, -ENOTTY),
	       "the running kernel lacks this VFIO device feature", "probe ENOTTY");
	is_str(du_vfio_strerror(DU_VFIO_OP_REVOKE, -ENOMEM), strerror(ENOMEM),
	       "unlisted errno falls back to strerror");
	is_str(du_vfio_strerror((enum du_vfio_op)99, -EIO), strerror(EIO),
	       "unknown op falls back to strerror");
}

static void test_diag(void)
{
	int p[2], st;
	char buf[256];
	ssize_t n;
	pid_t pid;

	memset(buf, 0, sizeof(buf));
	fflush(stdout);
	if (pipe(p))
		abort();
	pid = fork();
	if (!pid) {
		dup2(p[1], STDERR_FILENO);
		du_err("cannot open %s", "/dev/iommu");
		du_warn("iommufd imports only %d range", 1);
		du_die(DU_EXIT_USAGE, "bad %s", "range");
	}
	close(p[1]);
	for (size_t got = 0; got < sizeof(buf) - 1; got += (size_t)n) {
		n = read(p[0], buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
	}
	close(p[0]);
	waitpid(pid, &st, 0);
	is_str(buf, "test-vfio: cannot open /dev/iommu\n"
	       "test-vfio: warning: iommufd imports only 1 range\n"
	       "test-vfio: bad range\n", "du_err/du_warn/du_die messages");
	ok(WIFEXITED(st) && WEXITSTATUS(st) == DU_EXIT_USAGE,
	   "du_die exits with the status given");
}

static void test_not_vfio(void)
{
	struct du_vfio_region r;
	struct du_vfio_info info;
	struct du_range range = { 0, 4096 };
	struct du_vfio_device d;
	struct du_pci_addr a = { 0, 0x42, 0, 0 };
	struct du_edu e;
	uint32_t v32;
	uint64_t v64 = 0;
	int fd = open("/dev/null", O_RDWR);

	is_int(du_vfio_feature_probe(fd, VFIO_DEVICE_FEATURE_DMA_BUF, 0),
	       -ENOTTY, "probe on /dev/null: ENOTTY");
	is_int(du_vfio_feature_probe(fd, 0x10000, 0), -EINVAL,
	       "probe of a feature number beyond 16 bits");
	is_int(du_vfio_region_info(fd, 0, &r), -ENOTTY, "region info: ENOTTY");
	is_int(du_vfio_device_info(fd, &info), -ENOTTY, "device info: ENOTTY");
	is_int(du_vfio_reset(fd), -ENOTTY, "reset: ENOTTY");
	is_int(du_vfio_bind_iommufd(fd, fd, &v32), -ENOTTY, "bind: ENOTTY");
	is_int(du_vfio_attach(fd, 1, NULL), -ENOTTY, "attach: ENOTTY");
	is_int(du_vfio_detach(fd), -ENOTTY, "detach: ENOTTY");
	is_int(du_vfio_dmabuf_export(fd, 2, &range, 1, O_RDWR), -ENOTTY,
	       "export: ENOTTY");
	is_int(du_vfio_dmabuf_export(fd, 6, &range, 1, O_RDWR), -EINVAL,
	       "export of region 6 refused");
	is_int(du_vfio_dmabuf_export(fd, 0, &range, 0, O_RDWR), -EINVAL,
	       "export of no range refused");
	is_int(du_vfio_dmabuf_export(fd, 0, &range,
				     DU_VFIO_DMABUF_MAX_RANGES + 1, O_RDWR),
	       -EINVAL, "export of too many ranges refused");
	is_int(du_vfio_dmabuf_revoke(fd, 0), -ENOTTY, "revoke: ENOTTY");
	is_int(du_vfio_dmabuf_memattr_get(fd, 0, &v32), -ENOTTY,
	       "memattr get: ENOTTY");
	is_int(du_vfio_dmabuf_memattr_set(fd, 0, 1), -ENOTTY,
	       "memattr set: ENOTTY");
	is_int(du_iommufd_destroy(fd, 1), -ENOTTY, "iommufd destroy: ENOTTY");
	is_int(du_ioas_alloc(fd, &v32), -ENOTTY, "ioas alloc: ENOTTY");
	is_int(du_ioas_unmap(fd, 1, 0, 0, &v64), -ENOTTY, "unmap: ENOTTY");
	is_int(du_ioas_map(fd, 1, &v64, 4096, &v64, 1u << 5), -EINVAL,
	       "map with an unknown flag refused");
	is_int(du_ioas_map_file(fd, 1, fd, 0, 4096, &v64, DU_IOMMU_READ),
	       -ENOTTY, "map file: ENOTTY");
	is_int(du_iommufd_option_get(fd, IOMMU_OPTION_HUGE_PAGES, 1, &v64),
	       -ENOTTY, "option: ENOTTY");
	is_int(du_vfio_compat_ioas_get(fd, &v32), -ENOTTY, "vfio ioas: ENOTTY");
	is_int(du_edu_open(fd, &e), -ENOTTY, "edu open on /dev/null: ENOTTY");
	close(fd);

	is_int(du_vfio_open(&a, -1, 0, &d), -ENOENT,
	       "open a device that does not exist");
	is_int(d.fd, -1, "no fd left behind");
	du_vfio_close(&d);

	/* A zeroed struct holds fds 0: closing it must not close stdin. */
	{
		struct du_vfio_device z;
		int in = open("/dev/null", O_RDONLY), saved = dup(0);

		dup2(in, 0);
		memset(&z, 0, sizeof(z));
		du_vfio_close(&z);
		ok(fcntl(0, F_GETFD) != -1, "closing a zeroed device keeps fd 0");
		dup2(saved, 0);
		close(saved);
		close(in);
	}
	ok(du_parse_keyword("wc", du_memattr_keywords, (int *)&v32) == 0 &&
	   v32 == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC, "memattr keyword wc");
	is_str(du_hw_info_type_name(IOMMU_HW_INFO_TYPE_INTEL_VTD), "intel-vtd",
	       "hw info type name");
	is_str(du_hw_info_type_name(1000), "unknown", "hw info unknown type");
}

/*
 * A fake edu: BAR0 is plain memory, and a thread plays the DMA engine:
 * when the start bit is set it records the registers and clears the bit.
 */
static uint64_t fake_bar[1 << 9];	/* 4 KiB, 8-byte aligned */
static atomic_bool engine_on, engine_stop;
static struct { uint64_t src, dst, count; uint32_t cmd; int runs; } seen;

static void *engine(void *arg)
{
	volatile uint64_t *q = fake_bar;
	volatile uint32_t *w = (volatile uint32_t *)fake_bar;

	(void)arg;
	while (!atomic_load(&engine_stop)) {
		if (atomic_load(&engine_on) && (w[DU_EDU_REG_DMA_CMD / 4] & 1)) {
			seen.src = q[DU_EDU_REG_DMA_SRC / 8];
			seen.dst = q[DU_EDU_REG_DMA_DST / 8];
			seen.count = q[DU_EDU_REG_DMA_COUNT / 8];
			seen.cmd = w[DU_EDU_REG_DMA_CMD / 4];
			seen.runs++;
			w[DU_EDU_REG_DMA_CMD / 4] &= ~1u;
		}
		usleep(200);
	}
	return NULL;
}

static void test_edu_regs(void)
{
	struct du_edu e = {
		.devfd = -1, .bar0 = fake_bar, .bar0_size = sizeof(fake_bar),
	};
	volatile uint32_t *w = (volatile uint32_t *)fake_bar;
	pthread_t th;

	w[0] = 0x010000ed;
	is_int(du_edu_read32(&e, DU_EDU_REG_ID), 0x010000ed, "edu id register");
	if (pthread_create(&th, NULL, engine, NULL))
		abort();
	atomic_store(&engine_on, true);

	is_int(du_edu_dma(&e, 0x100000, 64, DU_EDU_TO_DEVICE, 16, 1000), 0,
	       "edu DMA to the device");
	is_int(seen.runs, 1, "one transfer started");
	is_u64(seen.src, 0x100000, "src = iova");
	is_u64(seen.dst, DU_EDU_BUF_ADDR + 16, "dst = edu buffer + offset");
	is_u64(seen.count, 64, "count");
	is_int(seen.cmd, DU_EDU_DMA_START, "cmd = start");

	is_int(du_edu_dma(&e, 0x200000, 4096, DU_EDU_FROM_DEVICE, 0, 1000), 0,
	       "edu DMA from the device");
	is_u64(seen.src, DU_EDU_BUF_ADDR, "src = edu buffer");
	is_u64(seen.dst, 0x200000, "dst = iova");
	is_u64(seen.count, 4096, "count = whole buffer");
	is_int(seen.cmd, DU_EDU_DMA_START | DU_EDU_DMA_FROM_EDU,
	       "cmd = start | from edu");
	is_int(du_edu_dma(&e, DU_EDU_DMA_LIMIT - 8, 8, DU_EDU_TO_DEVICE, 0,
			  1000), 0, "edu IOVA range ending at 256 MiB");

	/* engine stopped: a set start bit means busy; never cleared: timeout */
	atomic_store(&engine_on, false);
	w[DU_EDU_REG_DMA_CMD / 4] = DU_EDU_DMA_START;
	is_int(du_edu_dma(&e, 0x200000, 8, DU_EDU_TO_DEVICE, 0, 10), -EBUSY,
	       "edu busy while the start bit is set");
	w[DU_EDU_REG_DMA_CMD / 4] = 0;
	is_int(du_edu_dma(&e, 0x200000, 8, DU_EDU_TO_DEVICE, 0, 30),
	       -ETIMEDOUT, "edu DMA times out when the engine never finishes");
	atomic_store(&engine_stop, true);
	pthread_join(th, NULL);
	w[DU_EDU_REG_DMA_CMD / 4] = 0;
	seen.runs = 0;

	is_int(du_edu_dma(&e, 0x1000, 0, DU_EDU_TO_DEVICE, 0, 10), -EINVAL,
	       "edu zero length");
	is_int(du_edu_dma(&e, 0x1000, 4097, DU_EDU_TO_DEVICE, 0, 10), -EINVAL,
	       "edu longer than its buffer");
	is_int(du_edu_dma(&e, 0x1000, 8, DU_EDU_TO_DEVICE, 4092, 10), -EINVAL,
	       "edu past the end of its buffer");
	is_int(du_edu_dma(&e, 0x1000, 8, DU_EDU_TO_DEVICE, 4096, 10), -EINVAL,
	       "edu offset beyond its buffer");
	is_int(du_edu_dma(&e, DU_EDU_DMA_LIMIT, 8, DU_EDU_TO_DEVICE, 0, 10),
	       -ERANGE, "edu IOVA at 256 MiB");
	is_int(du_edu_dma(&e, DU_EDU_DMA_LIMIT - 4, 8, DU_EDU_TO_DEVICE, 0, 10),
	       -ERANGE, "edu IOVA range crossing 256 MiB");
	is_int(du_edu_dma(&e, UINT64_MAX - 2, 8, DU_EDU_TO_DEVICE, 0, 10),
	       -ERANGE, "edu IOVA near 2^64");
	is_int(du_edu_dma(&e, 0x1000, 8, (enum du_edu_dir)7, 0, 10), -EINVAL,
	       "edu unknown direction");
	is_int(w[DU_EDU_REG_DMA_CMD / 4], 0, "refused transfers start nothing");
	e.bar0 = NULL;
	is_int(du_edu_dma(&e, 0x1000, 8, DU_EDU_TO_DEVICE, 0, 10), -EINVAL,
	       "edu not open");
}

int main(void)
{
	test_exit_codes();
	test_words();
	test_diag();
	test_not_vfio();
	test_edu_regs();
	return tap_done();
}
