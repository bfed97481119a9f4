// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pud-map - which page-table level maps a large BAR, for the VM suite
 * tests/vm/suites/pud-mappings.sh (profile hugebar: an ivshmem BAR2 of
 * 2 GiB or more).
 *
 * Usage: pud-map [--cdev PATH] [--bar N] KIND OFFSET LENGTH SKEW
 *   KIND    bar     mmap() of the device fd (the BAR at region offset)
 *           dmabuf  export [OFFSET, OFFSET+LENGTH) of the BAR as a VFIO
 *                   DMA-BUF and mmap() that
 *   OFFSET  where in the BAR the mapping starts (K, M, G suffixes)
 *   LENGTH  how much to map
 *   SKEW    the mapping's start address modulo 1 GiB (0: 1 GiB-aligned)
 *   --cdev  the device's VFIO cdev (default: $DU_BIGBAR_VFIO)
 *   --bar   BAR index (default 2)
 *
 * Maps, reads one word of every 4 KiB page and prints key=value lines:
 *   va=0x...            where the mapping starts
 *   faults=N            minor faults taken by that loop (getrusage): one
 *                       per GiB when PUD-mapped, per 2 MiB when PMD, per
 *                       page when PTE
 *   levels=L:SIZE,...   the page-table dump (debugfs page_tables) lines
 *                       covering the mapping, in address order: level
 *                       (pud, pmd, pte) and size, e.g. "pmd:1022M,pud:1G"
 *   pages=N             4 KiB pages touched
 * Exit status: 0 done, 1 failed (mmap, SIGBUS...), 2 usage, 3 the running
 * kernel cannot do it (no DMA-BUF export or mmap of DMA-BUFs, no
 * page-table dump).
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
#include <sys/resource.h>
#include <unistd.h>

#include "du/uapi.h"

#define SZ_4K	0x1000ull
#define SZ_1G	0x40000000ull

static void die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("pud-map: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}

static uint64_t size_arg(const char *what, const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die(2, "%s: '%s' is not a size", what, s);
	switch (*end) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	}
	if (*end)
		die(2, "%s: '%s' is not a size (suffixes K, M, G)", what, s);
	return v;
}

static int open_dev(const char *cdev)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int iommufd, fd;

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		die(1, "/dev/iommu: %s", strerror(errno));
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		die(1, "IOMMU_IOAS_ALLOC: %s", strerror(errno));
	fd = open(cdev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(1, "%s: %s", cdev, strerror(errno));
	bind.iommufd = iommufd;
	if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		die(1, "%s: bind: %s", cdev, strerror(errno));
	at.pt_id = alloc.out_ioas_id;
	if (ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		die(1, "%s: attach: %s", cdev, strerror(errno));
	return fd;
}

static int export(int dev, unsigned int bar, uint64_t off, uint64_t len)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_dma_buf h;
		struct vfio_region_dma_range r;
	} a = { 0 };
	int fd;

	a.f.argsz = sizeof(a);
	a.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	a.h.region_index = bar;
	a.h.open_flags = O_RDWR | O_CLOEXEC;
	a.h.nr_ranges = 1;
	a.r.offset = off;
	a.r.length = len;
	fd = ioctl(dev, VFIO_DEVICE_FEATURE, &a);
	if (fd < 0 && (errno == ENOTTY || errno == EOPNOTSUPP))
		die(3, "the kernel cannot export VFIO DMA-BUFs: %s",
		    strerror(errno));
	if (fd < 0)
		die(1, "export of BAR%u 0x%" PRIx64 "+0x%" PRIx64 ": %s", bar,
		    off, len, strerror(errno));
	return fd;
}

/* Map fd at offset off so that the mapping starts at skew modulo 1 GiB. */
static void *map_at_skew(int fd, uint64_t len, uint64_t skew, uint64_t off,
			 int *err)
{
	uint64_t span = len + 2 * SZ_1G;
	char *r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE, -1, 0);
	char *a, *m;

	if (r == MAP_FAILED) {
		*err = errno;
		return MAP_FAILED;
	}
	a = (char *)((((uintptr_t)r + SZ_1G - 1) & ~(uintptr_t)(SZ_1G - 1)) +
		     skew);
	m = mmap(a, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, off);
	*err = errno;
	/* Leave only the mapping itself. */
	if (a > r)
		munmap(r, a - r);
	if (r + span > a + len)
		munmap(a + len, r + span - (a + len));
	return m;
}

static sigjmp_buf jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(jmp, 1);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * Read one word of every 4 KiB page; returns the minor faults it took.
 * Not instrumented by ASan (configure --enable-asan): its shadow check
 * of every read would fault in one shadow page per 32 KiB touched.
 */
__attribute__((no_sanitize_address))
static long touch(const char *map, uint64_t len)
{
	static volatile uint64_t sink;
	volatile uint64_t page = 0;
	long f0;

	signal(SIGBUS, on_sigbus);
	if (sigsetjmp(jmp, 1))
		die(1, "SIGBUS at page %" PRIu64 " of the mapping", page);
	f0 = minflt();
	for (page = 0; page < len / SZ_4K; page++)
		sink += *(const volatile uint64_t *)(map + page * SZ_4K);
	return minflt() - f0;
}

/*
 * The page-table dump's lines covering [va, va + len), as "level:size,...".
 * current_user exists only with page-table isolation; current_kernel walks
 * the whole address space of the reading process, user part included.
 */
static bool levels(uintptr_t va, uint64_t len, char *out, size_t n)
{
	static const char *const files[] = {
		"/sys/kernel/debug/page_tables/current_user",
		"/sys/kernel/debug/page_tables/current_kernel",
	};
	char line[512], size[32], *lvl;
	unsigned long s, e;
	size_t used = 0;
	FILE *f = NULL;

	for (size_t i = 0; !f && i < sizeof(files) / sizeof(files[0]); i++)
		f = fopen(files[i], "r");
	if (!f)
		return false;
	out[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "0x%lx-0x%lx %31s", &s, &e, size) != 3 ||
		    e <= va || s >= va + len)
			continue;
		line[strcspn(line, "\n")] = 0;
		lvl = strrchr(line, ' ');
		used += snprintf(out + used, used < n ? n - used : 0, "%s%s:%s",
				 used ? "," : "", lvl ? lvl + 1 : "?", size);
	}
	fclose(f);
	return true;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cdev", required_argument, NULL, 'c' },
		{ "bar", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *cdev = getenv("DU_BIGBAR_VFIO");
	unsigned int bar = 2;
	uint64_t off, len, skew;
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	bool dmabuf;
	char lv[4096];
	int c, dev, fd, err;
	char *map;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': cdev = optarg; break;
		case 'b': bar = (unsigned int)size_arg("--bar", optarg); break;
		case 'h':
			puts("usage: pud-map [--cdev PATH] [--bar N] bar|dmabuf OFFSET LENGTH SKEW");
			return 0;
		default:
			return 2;
		}
	}
	if (argc - optind != 4)
		die(2, "need KIND OFFSET LENGTH SKEW (try --help)");
	if (!strcmp(argv[optind], "bar"))
		dmabuf = false;
	else if (!strcmp(argv[optind], "dmabuf"))
		dmabuf = true;
	else
		die(2, "KIND: '%s' is neither 'bar' nor 'dmabuf'", argv[optind]);
	off = size_arg("OFFSET", argv[optind + 1]);
	len = size_arg("LENGTH", argv[optind + 2]);
	skew = size_arg("SKEW", argv[optind + 3]);
	if (!len || (off | len | skew) % SZ_4K || skew >= SZ_1G)
		die(2, "OFFSET, LENGTH, SKEW: multiples of 4K, LENGTH > 0, SKEW < 1G");
	if (!cdev)
		die(2, "no device: give --cdev or set DU_BIGBAR_VFIO");

	dev = open_dev(cdev);
	ri.index = bar;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die(1, "region info of BAR%u: %s", bar, strerror(errno));
	printf("bar_size=0x%" PRIx64 "\n", (uint64_t)ri.size);
	if (off + len > ri.size)
		die(2, "0x%" PRIx64 "+0x%" PRIx64 " is beyond BAR%u (0x%" PRIx64 ")",
		    off, len, bar, (uint64_t)ri.size);

	if (dmabuf) {
		fd = export(dev, bar, off, len);
		map = map_at_skew(fd, len, skew, 0, &err);
		if (map == MAP_FAILED && (err == ENODEV || err == EINVAL ||
					  err == EOPNOTSUPP))
			die(3, "the kernel cannot mmap a VFIO DMA-BUF: %s",
			    strerror(err));
	} else {
		fd = dev;
		map = map_at_skew(dev, len, skew, ri.offset + off, &err);
	}
	if (map == MAP_FAILED)
		die(1, "mmap: %s", strerror(err));
	printf("va=%p\n", (void *)map);

	printf("faults=%ld\n", touch(map, len));
	printf("pages=%" PRIu64 "\n", (uint64_t)(len / SZ_4K));

	if (!levels((uintptr_t)map, len, lv, sizeof(lv)))
		die(3, "no page-table dump in /sys/kernel/debug/page_tables");
	printf("levels=%s\n", lv);
	munmap(map, len);
	if (fd != dev)
		close(fd);
	close(dev);
	return 0;
}
