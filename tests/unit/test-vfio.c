// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests that need no device: exit codes, diagnostics, errno words of
 * the VFIO features, the ioctl wrappers' answers on a non-VFIO fd, the
 * region-info capability chain parser on fabricated replies (malformed
 * ones included), the write-combining verdict of a BAR, and the edu
 * driver's register programming against a fake BAR in memory.
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
	       "not available for this buffer: the platform cannot provide it (BAR not prefetchable, MSI-X table pages, no write-combining memory type, or an older kernel that refuses it)",
	       "memattr EOPNOTSUPP");
	ok(strlen("buffer 4294967295: ") +
	   strlen(du_vfio_strerror(DU_VFIO_OP_MEMATTR, EOPNOTSUPP)) < 200,
	   "memattr EOPNOTSUPP fits a broker's reply (VD_MSG_LEN 200)");
	is_str(du_vfio_strerror(DU_VFIO_OP_MMAP, EBUSY),
	       "the range is mapped with another memory type now (a write-combining or uncached mapping of another buffer or of this one, an ioeventfd, the MSI-X table, or a mapping outside VFIO)",
	       "mmap EBUSY: another memory type");
	is_int(du_vfio_exit_code(DU_VFIO_OP_MMAP, -EBUSY), DU_EXIT_FAILURE,
	       "mmap EBUSY -> 1 (transient, not a missing feature)");
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
	{
		void *buf = &r;
		size_t len = 1;

		is_int(du_vfio_region_info_caps(fd, 2, &r, &buf, &len), -ENOTTY,
		       "region info with caps: ENOTTY");
		ok(buf == NULL && len == 0, "no buffer handed back");
	}
	is_int(du_vfio_bar_memattrs(fd, 2, &v32), -ENOTTY,
	       "BAR memattrs: ENOTTY");
	is_int(du_vfio_bar_memattrs(fd, 6, &v32), -EINVAL,
	       "BAR memattrs of region 6 (the ROM) refused");
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
	is_int(du_vfio_compat_set_iommu(fd, VFIO_TYPE1v2_IOMMU), -ENOTTY,
	       "VFIO_SET_IOMMU: ENOTTY");
	is_int(du_vfio_compat_map_dma(fd, 0x100000, &v64, 4096,
				      DU_IOMMU_READ | DU_IOMMU_WRITE),
	       -ENOTTY, "VFIO_IOMMU_MAP_DMA: ENOTTY");
	is_int(du_vfio_compat_map_dma(fd, 0x100000, &v64, 4096,
				      DU_IOMMU_READ | DU_IOMMU_FIXED),
	       -EINVAL, "VFIO_IOMMU_MAP_DMA: only read and write flags");
	v64 = 7;
	is_int(du_vfio_compat_unmap_dma(fd, 0x100000, 4096, &v64), -ENOTTY,
	       "VFIO_IOMMU_UNMAP_DMA: ENOTTY");
	is_int((int)v64, 7, "nothing unmapped reported on an error");
	is_int(du_vfio_compat_unmap_dma(fd, 0, 0, NULL), -ENOTTY,
	       "VFIO_IOMMU_UNMAP_DMA of everything: ENOTTY");
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

/* ---- the capability chain parser on fabricated replies ---------------- */

#define FIXED ((size_t)sizeof(struct vfio_region_info))	/* 32 */

static unsigned char reply[512];

/* A header at off: id, version 1, next. */
static void put_cap(size_t off, uint16_t id, uint32_t next)
{
	struct vfio_info_cap_header h = { .id = id, .version = 1, .next = next };

	memcpy(reply + off, &h, sizeof(h));
}

static long find(size_t len, uint32_t first, uint16_t id, size_t size)
{
	return du_vfio_find_cap(reply, len, FIXED, first, id, size);
}

static void test_find_cap(void)
{
	struct vfio_region_info_cap_memattr ma = {
		.header = { .id = VFIO_REGION_INFO_CAP_MEMATTR, .version = 1 },
		.supported = 3,
	};
	const size_t MA = sizeof(ma);
	size_t n;

	/* 32: a 24-byte capability (id 1), 56: memattr, the end at 72 */
	memset(reply, 0, sizeof(reply));
	put_cap(32, 1, 56);
	memcpy(reply + 56, &ma, MA);
	is_int(find(72, 32, VFIO_REGION_INFO_CAP_MEMATTR, MA), 56,
	       "memattr found behind another capability");
	is_int(find(72, 32, 1, 8), 32, "the first one found");
	is_int(find(72, 32, 3, 8), -ENOENT, "an id not in the chain");
	is_int(find(72, 0, 1, 8), -ENOENT, "cap_offset 0: no chain");
	is_int(find(72, 56, VFIO_REGION_INFO_CAP_MEMATTR, MA), 56,
	       "a chain of one");
	is_int(find(71, 32, VFIO_REGION_INFO_CAP_MEMATTR, MA), -EBADMSG,
	       "the capability cut short by the reply's end");
	is_int(find(72, 32, VFIO_REGION_INFO_CAP_MEMATTR, 0), 56,
	       "cap_size below a header counts as a header");
	is_int(du_vfio_find_cap(NULL, 72, FIXED, 32, 1, 8), -EBADMSG,
	       "no buffer");
	is_int(find(16, 32, 1, 8), -EBADMSG, "a reply shorter than the info");
	is_int(find((size_t)DU_VFIO_INFO_MAX + 1, 32, 1, 8), -EBADMSG,
	       "a length beyond DU_VFIO_INFO_MAX");

	/* offsets out of bounds */
	is_int(find(72, 8, 1, 8), -EBADMSG, "cap_offset inside the info struct");
	is_int(find(72, 72, 1, 8), -EBADMSG, "cap_offset at the end");
	is_int(find(72, 68, 1, 8), -EBADMSG, "a header cut by the end");
	is_int(find(72, 0xffffffffu, 1, 8), -EBADMSG, "cap_offset 2^32-1");
	put_cap(32, 1, 4);
	is_int(find(72, 32, VFIO_REGION_INFO_CAP_MEMATTR, MA), -EBADMSG,
	       "next pointing back into the info struct");
	put_cap(32, 1, 0xfffffff8u);
	is_int(find(72, 32, VFIO_REGION_INFO_CAP_MEMATTR, MA), -EBADMSG,
	       "next far beyond the reply");
	put_cap(32, 1, 70);
	is_int(find(72, 32, VFIO_REGION_INFO_CAP_MEMATTR, MA), -EBADMSG,
	       "next leaving less than a header");

	/* cycles: never found, never endless */
	put_cap(32, 1, 32);
	is_int(find(72, 32, VFIO_REGION_INFO_CAP_MEMATTR, MA), -EBADMSG,
	       "a capability pointing to itself");
	put_cap(32, 1, 40);
	put_cap(40, 2, 32);
	is_int(find(72, 32, VFIO_REGION_INFO_CAP_MEMATTR, MA), -EBADMSG,
	       "two capabilities pointing to each other");
	put_cap(32, 1, 40);
	put_cap(40, 2, 48);
	put_cap(48, 4, 40);
	is_int(find(sizeof(reply), 32, VFIO_REGION_INFO_CAP_MEMATTR, MA),
	       -EBADMSG, "a cycle behind the first capability");
	is_int(find(sizeof(reply), 32, 4, 8), 48,
	       "an id before the cycle is still found");

	/* unaligned headers are read, not dereferenced (UBSan would say) */
	memset(reply, 0, sizeof(reply));
	put_cap(33, 1, 45);
	memcpy(reply + 45, &ma, MA);
	is_int(find(64, 33, VFIO_REGION_INFO_CAP_MEMATTR, MA), 45,
	       "unaligned headers");

	/* the longest chain that fits: a header every 8 bytes, the memattr
	 * one last: exactly as many links as headers, not one too few */
	memset(reply, 0, sizeof(reply));
	for (n = 32; n + 8 < 32 + 8 * 40; n += 8)
		put_cap(n, 1, (uint32_t)(n + 8));
	put_cap(n, VFIO_REGION_INFO_CAP_MEMATTR, 0);
	is_int(find(n + 8, 32, VFIO_REGION_INFO_CAP_MEMATTR, 8), (long)n,
	       "40 headers back to back, the last one found");
	put_cap(n, 1, 32);
	is_int(find(n + 8, 32, VFIO_REGION_INFO_CAP_MEMATTR, 8), -EBADMSG,
	       "the same with the last one pointing to the first");
}

static void test_wc_verdict(void)
{
	const uint32_t NC = 1u << VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC;
	const uint32_t WC = 1u << VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC;

	is_int(du_vfio_wc_verdict(false, true, 1, 0, NC | WC), DU_WC_YES,
	       "the capability allows WC");
	is_int(du_vfio_wc_verdict(false, false, 1, 0, NC | WC), DU_WC_YES,
	       "the capability decides, not the prefetch bit");
	is_int(du_vfio_wc_verdict(false, false, 1, 0, NC),
	       DU_WC_NON_PREFETCHABLE, "NC only, not prefetchable");
	is_int(du_vfio_wc_verdict(false, true, 1, 0, NC), DU_WC_NO_MEMTYPE,
	       "NC only, prefetchable: no WC memory type");
	is_int(du_vfio_wc_verdict(false, true, 1, -ENOENT, 0), DU_WC_UNKNOWN,
	       "the feature but no capability: unknown");
	is_int(du_vfio_wc_verdict(false, true, 1, -EBADMSG, WC),
	       DU_WC_UNKNOWN, "a malformed chain: unknown");
	is_int(du_vfio_wc_verdict(false, true, 0, 0, NC | WC), DU_WC_KERNEL,
	       "no memattr feature: the kernel");
	is_int(du_vfio_wc_verdict(false, true, -1, 0, NC | WC),
	       DU_WC_UNKNOWN, "not asked: unknown");
	is_int(du_vfio_wc_verdict(true, false, 1, 0, NC | WC), DU_WC_IO_BAR,
	       "an I/O BAR, whatever else");
	is_int(du_vfio_wc_verdict(true, false, -1, -ENOENT, 0), DU_WC_IO_BAR,
	       "an I/O BAR of a device not asked");
	is_str(du_wc_name(DU_WC_YES), "yes", "name yes");
	is_str(du_wc_name(DU_WC_IO_BAR), "io-bar", "name io-bar");
	is_str(du_wc_name(DU_WC_NON_PREFETCHABLE), "non-prefetchable",
	       "name non-prefetchable");
	is_str(du_wc_name(DU_WC_NO_MEMTYPE), "no-wc-memtype",
	       "name no-wc-memtype");
	is_str(du_wc_name(DU_WC_KERNEL), "kernel", "name kernel");
	is_str(du_wc_name(DU_WC_UNKNOWN), "unknown", "name unknown");
	is_str(du_wc_name((enum du_wc)42), "unknown", "out of range: unknown");
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
	test_find_cap();
	test_wc_verdict();
	test_edu_regs();
	return tap_done();
}
