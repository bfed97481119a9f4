// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * series-dmabuf - exercise the UAPI that kernel/patches adds, for the VM
 * suite tests/vm/suites/series-dmabuf.sh: mmap() of exported VFIO DMA-BUFs,
 * DMA-BUF-backed BAR mmap() of the device fd, VFIO_DEVICE_FEATURE_DMA_BUF_
 * REVOKE (14) and VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (15).
 *
 * Usage: series-dmabuf [options] STEP
 *   --cdev PATH     the device's VFIO cdev (default: $DU_IVSHMEM_VFIO)
 *   --other PATH    a second device's cdev, for "wrong-device"
 *   --bar N         BAR (default 2)
 *   --range OFF:LEN a range of the buffer, repeatable (default 2M:2M)
 *   --seed N        pattern seed (default 1)
 *   --out FILE      "write": the pattern written, for the host to compare
 * Steps:
 *   probe          PROBE features 11, 14, 15 (exit 3 if 14/15 are missing)
 *   write          export the ranges, mmap, write the pattern, check it
 *                  through pread() on the device fd
 *   bar-name       mmap the BAR through the device fd, print its maps path
 *   pmd            export one 2M range, mmap at a 2M-aligned address,
 *                  touch it, print the page-table dump line (pmd=1 if PMD)
 *   revoke         mmap, revoke, then: access, mmap, import, second revoke
 *   wrong-device   revoke through --other: must be ENODEV
 *   memattr        default NC; set WC: accepted (then the PTE is WC) or
 *                  refused (EOPNOTSUPP, stays NC); unknown value
 *   temp-revoke    memory disable: SIGBUS; enable: the mapping works again
 *   close-device   close the device fds first: SIGBUS, mmap ENODEV
 * Prints "key=value" lines. Exit status: 0 as expected, 1 not as expected,
 * 2 usage, 3 the running kernel lacks the feature.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "du/uapi.h"

#define SZ_2M		0x200000ull
#define MAX_RANGES	8

static struct {
	const char *cdev, *other, *out;
	unsigned int bar;
	uint64_t seed;
	struct vfio_region_dma_range ranges[MAX_RANGES];
	unsigned int nr;
} o = { .bar = 2, .seed = 1 };

static int dev = -1, iommufd = -1;
static uint32_t ioas_id;
static uint64_t bar_offset;	/* region offset of the BAR in the device fd */
static uint64_t bar_size;
static long page;
static int bad;			/* checks not as expected */

#define check(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "series-dmabuf: FAIL %s:%d: ",		\
			__func__, __LINE__);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		bad++;							\
	}								\
} while (0)

static void die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("series-dmabuf: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}

static sigjmp_buf jmp;
static volatile sig_atomic_t armed;

static void on_sigbus(int sig)
{
	if (armed)
		siglongjmp(jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* 0 ok, 1 SIGBUS */
static int access64(volatile uint64_t *p, bool write, uint64_t *val)
{
	int r = 0;

	armed = 1;
	if (sigsetjmp(jmp, 1))
		r = 1;
	else if (write)
		*p = *val;
	else
		*val = *p;
	armed = 0;
	return r;
}

static int feature(int fd, uint32_t flags, void *data, size_t len)
{
	char buf[sizeof(struct vfio_device_feature) + 256]
		__attribute__((aligned(8))) = { 0 };
	struct vfio_device_feature *f = (void *)buf;
	int r;

	if (len > 256)
		die(2, "feature payload too large");
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	r = ioctl(fd, VFIO_DEVICE_FEATURE, f);
	if (len)
		memcpy(data, f->data, len);
	return r < 0 ? -errno : r;
}

static int open_dev(const char *cdev, uint32_t *ioas)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int fd;

	if (iommufd < 0) {
		iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		if (iommufd < 0)
			die(1, "/dev/iommu: %s", strerror(errno));
		if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
			die(1, "IOMMU_IOAS_ALLOC: %s", strerror(errno));
		ioas_id = alloc.out_ioas_id;
	}
	fd = open(cdev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(1, "%s: %s", cdev, strerror(errno));
	bind.iommufd = iommufd;
	if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		die(1, "%s: bind: %s", cdev, strerror(errno));
	at.pt_id = ioas_id;
	if (ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		die(1, "%s: attach: %s", cdev, strerror(errno));
	if (ioas)
		*ioas = ioas_id;
	return fd;
}

static void bar_info(void)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = o.bar };

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die(1, "region info: %s", strerror(errno));
	bar_offset = ri.offset;
	bar_size = ri.size;
	printf("bar_size=0x%" PRIx64 "\n", bar_size);
}

static int export(int devfd)
{
	struct {
		struct vfio_device_feature_dma_buf h;
		struct vfio_region_dma_range r[MAX_RANGES];
	} a = { 0 };
	int fd;

	a.h.region_index = o.bar;
	a.h.open_flags = O_RDWR | O_CLOEXEC;
	a.h.nr_ranges = o.nr;
	memcpy(a.r, o.ranges, o.nr * sizeof(a.r[0]));
	fd = feature(devfd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
		     &a, sizeof(a.h) + o.nr * sizeof(a.r[0]));
	if (fd == -ENOTTY || fd == -EOPNOTSUPP)
		die(3, "the kernel cannot export VFIO DMA-BUFs");
	if (fd < 0)
		die(1, "export: %s", strerror(-fd));
	return fd;
}

static uint64_t buf_len(void)
{
	uint64_t len = 0;

	for (unsigned int i = 0; i < o.nr; i++)
		len += o.ranges[i].length;
	return len;
}

static int revoke_fd(int devfd, int fd)
{
	struct vfio_device_feature_dma_buf_revoke r = { .dmabuf_fd = fd };

	return feature(devfd, VFIO_DEVICE_FEATURE_SET |
		       VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE, &r, sizeof(r));
}

static const char *errname(int err)
{
	switch (err) {
	case 0: return "0";
	case ENODEV: return "ENODEV";
	case EBADFD: return "EBADFD";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return strerror(err);
	}
}

static uint64_t pat(uint64_t seed, uint64_t i)
{
	return (seed << 48) ^ (i * 0x9e3779b97f4a7c15ull);
}

static void step_probe(void)
{
	int r11 = feature(dev, VFIO_DEVICE_FEATURE_PROBE |
			  VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0);
	int r14 = feature(dev, VFIO_DEVICE_FEATURE_PROBE |
			  VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE, NULL, 0);
	int r15 = feature(dev, VFIO_DEVICE_FEATURE_PROBE |
			  VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, NULL, 0);

	printf("probe_dma_buf=%s\nprobe_revoke=%s\nprobe_memattr=%s\n",
	       errname(-r11), errname(-r14), errname(-r15));
	if (r14 || r15)
		exit(3);
	check(!r11, "export feature missing");
}

/* Read the buffer's ranges back through the device fd (the kernel's
 * ioread path, not a mapping) and compare with the pattern. */
static void verify_pread(uint64_t seed)
{
	uint64_t off = 0, v;

	for (unsigned int i = 0; i < o.nr; i++) {
		for (uint64_t x = 0; x < o.ranges[i].length; x += page) {
			if (pread(dev, &v, 8, bar_offset + o.ranges[i].offset +
				  x) != 8)
				die(1, "pread: %s", strerror(errno));
			check(v == pat(seed, (off + x) / 8), "pread at 0x%" PRIx64
			      " of range %u: 0x%" PRIx64, x, i, v);
		}
		off += o.ranges[i].length;
	}
}

static void step_write(void)
{
	uint64_t len = buf_len(), *map, i;
	int fd = export(dev);
	FILE *f;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die(1, "mmap of the DMA-BUF: %s", strerror(errno));
	for (i = 0; i < len / 8; i++)
		map[i] = pat(o.seed, i);
	for (i = 0; i < len / 8; i += 513)
		check(map[i] == pat(o.seed, i), "read back at %" PRIu64, i);
	verify_pread(o.seed);
	if (o.out) {
		/* Single range: the bytes as they sit in the BAR */
		f = fopen(o.out, "w");
		if (!f || fwrite(map, 1, len, f) != len || fclose(f))
			die(1, "%s: %s", o.out, strerror(errno));
	}
	printf("written=0x%" PRIx64 "\n", len);
	munmap(map, len);
	close(fd);
}

static bool maps_path(void *addr, char *path, size_t n)
{
	unsigned long s, e;
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 &&
		    (unsigned long)addr >= s && (unsigned long)addr < e) {
			char *p = strchr(line, '/');

			snprintf(path, n, "%s", p ? p : "");
			path[strcspn(path, "\n")] = 0;
			found = true;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static void step_bar_name(void)
{
	char path[256];
	void *map;

	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		   bar_offset);
	if (map == MAP_FAILED)
		die(1, "mmap of BAR%u: %s", o.bar, strerror(errno));
	check(maps_path(map, path, sizeof(path)), "mapping not in maps");
	printf("maps_path=%s\n", path);
	munmap(map, page);
}

/* The ptdump line that covers addr, or "" */
static bool ptdump_line(void *addr, char *out, size_t n)
{
	/* current_user only exists with PTI; current_kernel covers user space */
	FILE *f = fopen("/sys/kernel/debug/page_tables/current_user", "r");
	unsigned long s, e;
	char line[512];

	out[0] = 0;
	if (!f)
		f = fopen("/sys/kernel/debug/page_tables/current_kernel", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "0x%lx-0x%lx", &s, &e) == 2 &&
		    (unsigned long)addr >= s && (unsigned long)addr < e) {
			snprintf(out, n, "%s", line);
			out[strcspn(out, "\n")] = 0;
		}
	}
	fclose(f);
	return true;
}

static void *map_aligned(int fd, uint64_t len, uint64_t align, off_t off)
{
	char *r = mmap(NULL, len + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (r == MAP_FAILED)
		return r;
	a = (char *)(((uintptr_t)r + align - 1) & ~(uintptr_t)(align - 1));
	return mmap(a, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		    fd, off);
}

static void step_pmd(void)
{
	char line[512];
	uint64_t *map, v = 0x600d600d600d600dull;
	int fd;

	o.nr = 1;
	o.ranges[0].offset = SZ_2M;
	o.ranges[0].length = SZ_2M;
	fd = export(dev);
	map = map_aligned(fd, SZ_2M, SZ_2M, 0);
	if (map == MAP_FAILED)
		die(1, "mmap: %s", strerror(errno));
	madvise(map, SZ_2M, MADV_HUGEPAGE);
	check(!access64(map + 4096, true, &v), "write raised SIGBUS");
	if (!ptdump_line(map, line, sizeof(line)))
		die(3, "no page table dump in /sys/kernel/debug/page_tables");
	printf("dmabuf_va=%p\ndmabuf_ptdump=%s\n", (void *)map, line);
	printf("dmabuf_pmd=%d\n", !!strstr(line, " pmd"));
	check(strstr(line, " pmd"), "exported buffer not mapped by a PMD");
	munmap(map, SZ_2M);
	close(fd);

	/* The same through the device fd */
	map = map_aligned(dev, SZ_2M, SZ_2M, bar_offset + SZ_2M);
	if (map == MAP_FAILED)
		die(1, "mmap of the BAR: %s", strerror(errno));
	check(!access64(map, false, &v), "read raised SIGBUS");
	ptdump_line(map, line, sizeof(line));
	printf("bar_va=%p\nbar_ptdump=%s\nbar_pmd=%d\n", (void *)map, line,
	       !!strstr(line, " pmd"));
	check(strstr(line, " pmd"), "BAR mapping not mapped by a PMD");
	munmap(map, SZ_2M);
}

static int ioas_map_file(int fd, uint64_t len)
{
	struct iommu_ioas_map_file m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = ioas_id, .fd = fd, .length = len, .iova = 1ull << 30,
	};

	return ioctl(iommufd, IOMMU_IOAS_MAP_FILE, &m) ? errno : 0;
}

static int ioas_unmap_all(void)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas_id, .iova = 0,
		.length = UINT64_MAX,
	};

	return ioctl(iommufd, IOMMU_IOAS_UNMAP, &u) ? errno : 0;
}

static void step_revoke(void)
{
	uint64_t len = buf_len(), *map, v = 5;
	int fd = export(dev), r;
	void *m2;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die(1, "mmap: %s", strerror(errno));
	check(!access64(map, true, &v), "access before revoke raised SIGBUS");
	r = o.nr == 1 ? ioas_map_file(fd, len) : -1;
	printf("import_before=%s\n", r < 0 ? "skipped" : errname(r));

	r = revoke_fd(dev, fd);
	printf("revoke=%s\n", errname(-r));
	check(!r, "revoke failed");

	r = access64(map, false, &v);
	printf("access_after=%s\n", r ? "SIGBUS" : "ok");
	check(r, "access after revoke did not raise SIGBUS");

	m2 = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("mmap_after=%s\n", m2 == MAP_FAILED ? errname(errno) : "ok");
	check(m2 == MAP_FAILED && errno == ENODEV, "mmap after revoke");

	if (o.nr == 1) {
		ioas_unmap_all();
		r = ioas_map_file(fd, len);
		printf("import_after=%s\n", errname(r));
		check(r == ENODEV, "import after revoke");
	}

	r = revoke_fd(dev, fd);
	printf("revoke_again=%s\n", errname(-r));
	check(r == -EBADFD, "second revoke");

	r = revoke_fd(dev, -1);
	printf("revoke_badfd=%s\n", errname(-r));
	check(r == -EBADF, "revoke of fd -1");
	r = revoke_fd(dev, dev);
	printf("revoke_not_dmabuf=%s\n", errname(-r));
	check(r == -EINVAL, "revoke of a non-DMA-BUF");

	munmap(map, len);
	close(fd);
}

static void step_wrong_device(void)
{
	int other, fd = export(dev), r;

	if (!o.other)
		die(2, "wrong-device needs --other");
	other = open_dev(o.other, NULL);
	r = revoke_fd(other, fd);
	printf("revoke_other=%s\n", errname(-r));
	check(r == -ENODEV || r == -EOPNOTSUPP, "revoke through another device");
	r = revoke_fd(dev, fd);
	check(!r, "revoke through the owner");
	close(fd);
	close(other);
}

static void step_memattr(void)
{
	struct vfio_device_feature_dma_buf_memattr ma = { 0 };
	uint64_t len = buf_len(), *map, v = 0x3c3c;
	char line[512];
	int fd = export(dev), r;
	bool wc;

	ma.dmabuf_fd = fd;
	r = feature(dev, VFIO_DEVICE_FEATURE_GET |
		    VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &ma, sizeof(ma));
	printf("memattr_default=%u\n", ma.memattr);
	check(!r && ma.memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC,
	      "default memattr");
	/*
	 * WC is either accepted, and then new mappings must really be WC,
	 * or refused with EOPNOTSUPP where the platform cannot provide it
	 * (x86 PAT while vfio-pci maps the BAR uncached), and then the
	 * attribute stays NC. Accepting it and mapping UC- is the bug.
	 */
	ma.memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC;
	r = feature(dev, VFIO_DEVICE_FEATURE_SET |
		    VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &ma, sizeof(ma));
	wc = !r;
	printf("memattr_set_wc=%s\n", r ? errname(-r) : "ok");
	check(!r || r == -EOPNOTSUPP, "set WC: %s", errname(-r));
	ma.memattr = 0xff;
	r = feature(dev, VFIO_DEVICE_FEATURE_GET |
		    VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &ma, sizeof(ma));
	printf("memattr_after_set=%u\n", ma.memattr);
	check(!r && ma.memattr == (wc ? VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC :
				   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC),
	      "get after set WC");
	ma.memattr = 42;
	r = feature(dev, VFIO_DEVICE_FEATURE_SET |
		    VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &ma, sizeof(ma));
	printf("memattr_unknown=%s\n", errname(-r));
	check(r == -EOPNOTSUPP, "unknown memattr");

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die(1, "mmap: %s", strerror(errno));
	check(!access64(map, true, &v), "write raised SIGBUS");
	/*
	 * The PTE's cache bits, x86 with the kernel's PAT layout: WC is PWT
	 * alone, UC- is PCD alone. Other platforms print no such flags.
	 */
	if (ptdump_line(map, line, sizeof(line)) && line[0]) {
		bool pwt = strstr(line, " PWT") != NULL;
		bool pcd = strstr(line, " PCD") != NULL;

		printf("memattr_ptdump=%s\n", line);
		if (pwt || pcd)
			printf("memattr_pte=%s\n", pwt && !pcd ? "wc" :
			       pcd && !pwt ? "uc-" : "other");
	}
	munmap(map, len);
	close(fd);
}

static void cmd_memory(bool on)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri),
				       .index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint16_t cmd;

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri) ||
	    pread(dev, &cmd, 2, ri.offset + 4) != 2)
		die(1, "config read: %s", strerror(errno));
	cmd = on ? cmd | 0x2 : cmd & ~0x2;	/* PCI_COMMAND_MEMORY */
	if (pwrite(dev, &cmd, 2, ri.offset + 4) != 2)
		die(1, "config write: %s", strerror(errno));
}

static void step_temp_revoke(void)
{
	uint64_t len = buf_len(), *map, *bar, v = 0x1234;
	int fd = export(dev), r;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	bar = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		   bar_offset + o.ranges[0].offset);
	if (map == MAP_FAILED || bar == MAP_FAILED)
		die(1, "mmap: %s", strerror(errno));
	check(!access64(map, true, &v), "access before");
	cmd_memory(false);
	r = access64(map, false, &v);
	printf("buffer_while_disabled=%s\n", r ? "SIGBUS" : "ok");
	check(r, "exported buffer readable while memory disabled");
	r = access64(bar, false, &v);
	printf("bar_while_disabled=%s\n", r ? "SIGBUS" : "ok");
	check(r, "BAR mapping readable while memory disabled");
	cmd_memory(true);
	r = access64(map, false, &v);
	printf("buffer_after_enable=%s\n", r ? "SIGBUS" : "ok");
	check(!r && v == 0x1234, "buffer after enable (0x%" PRIx64 ")", v);
	r = access64(bar, false, &v);
	printf("bar_after_enable=%s\n", r ? "SIGBUS" : "ok");
	check(!r && v == 0x1234, "BAR after enable");
	munmap(map, len);
	munmap(bar, page);
	close(fd);
}

static void step_close_device(void)
{
	uint64_t len = buf_len(), *map, v = 7;
	int fd = export(dev), r;
	void *m2;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die(1, "mmap: %s", strerror(errno));
	check(!access64(map, true, &v), "access before close");
	close(dev);
	close(iommufd);
	dev = iommufd = -1;
	r = access64(map, false, &v);
	printf("access_after_close=%s\n", r ? "SIGBUS" : "ok");
	check(r, "access after the device closed");
	m2 = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("mmap_after_close=%s\n", m2 == MAP_FAILED ? errname(errno) : "ok");
	check(m2 == MAP_FAILED && errno == ENODEV, "mmap after close");
	close(fd);
	r = access64(map, false, &v);
	check(r, "access after the buffer fd closed");
	munmap(map, len);
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (end == s)
		die(2, "bad number '%s'", s);
	switch (*end) {
	case 'K': case 'k': return v << 10;
	case 'M': case 'm': return v << 20;
	case 'G': case 'g': return v << 30;
	case 0: return v;
	}
	die(2, "bad number '%s'", s);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cdev", required_argument, NULL, 'c' },
		{ "other", required_argument, NULL, 'O' },
		{ "bar", required_argument, NULL, 'b' },
		{ "range", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_sigbus };
	const char *step;
	char *colon;
	int c;

	page = sysconf(_SC_PAGESIZE);
	o.cdev = getenv("DU_IVSHMEM_VFIO");
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o.cdev = optarg; break;
		case 'O': o.other = optarg; break;
		case 'b': o.bar = num(optarg); break;
		case 's': o.seed = num(optarg); break;
		case 'o': o.out = optarg; break;
		case 'r':
			colon = strchr(optarg, ':');
			if (!colon || o.nr == MAX_RANGES)
				die(2, "bad range '%s'", optarg);
			*colon = 0;
			o.ranges[o.nr].offset = num(optarg);
			o.ranges[o.nr].length = num(colon + 1);
			o.nr++;
			break;
		default:
			die(2, "usage: see the comment at the top of %s",
			    __FILE__);
		}
	}
	if (optind != argc - 1 || !o.cdev)
		die(2, "usage: series-dmabuf [--cdev PATH] [options] STEP");
	step = argv[optind];
	if (!o.nr) {
		o.nr = 1;
		o.ranges[0].offset = SZ_2M;
		o.ranges[0].length = SZ_2M;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);

	dev = open_dev(o.cdev, NULL);
	bar_info();

	if (!strcmp(step, "probe"))
		step_probe();
	else if (!strcmp(step, "write"))
		step_write();
	else if (!strcmp(step, "bar-name"))
		step_bar_name();
	else if (!strcmp(step, "pmd"))
		step_pmd();
	else if (!strcmp(step, "revoke"))
		step_revoke();
	else if (!strcmp(step, "wrong-device"))
		step_wrong_device();
	else if (!strcmp(step, "memattr"))
		step_memattr();
	else if (!strcmp(step, "temp-revoke"))
		step_temp_revoke();
	else if (!strcmp(step, "close-device"))
		step_close_device();
	else
		die(2, "unknown step '%s'", step);

	return bad ? 1 : 0;
}
