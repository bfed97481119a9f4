// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wc-bench - CPU write bandwidth through an uncached (NC) and a
 * write-combining (WC) mapping of the same size in one BAR, for the kernel
 * series' memory attribute. A benchmark: it prints figures and asserts
 * nothing.
 *
 * Usage: wc-bench [--cdev PATH] [--bar N] [--offset BYTES] [--size BYTES]
 *                 [--rounds N]
 *   --cdev PATH      the device's VFIO cdev (default: $DU_IVSHMEM_VFIO)
 *   --bar N          a prefetchable memory BAR (default 2)
 *   --offset BYTES   where the two buffers start in the BAR (default 0)
 *   --size BYTES     size of each buffer (default 4M)
 *   --rounds N       rounds per figure, the median is reported (default 9)
 *
 * It exports [offset, offset + size) and [offset + size, offset + 2 size)
 * of the BAR as two DMA-BUFs (VFIO_DEVICE_FEATURE_DMA_BUF), sets the
 * second one WC (VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR), maps both and
 * writes each whole buffer, once with 8-byte stores and once with 64-byte
 * blocks, followed by a store fence. It OVERWRITES those bytes of the BAR:
 * on real hardware use device memory that is safe to overwrite (an FPGA's
 * BRAM, a GPU aperture), never a register BAR. Output: "key=value" lines,
 * bandwidths in MB/s (10^6 bytes per second). Sizes take K, M and G.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "du/iommufd.h"
#include "du/parse.h"
#include "du/uapi.h"
#include "du/vfio.h"

static void die(const char *what)
{
	fprintf(stderr, "wc-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void store8(volatile uint64_t *p, size_t len, uint64_t v)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = v + i;
}

static void block64(volatile uint64_t *p, size_t len, uint64_t v)
{
	size_t i;

	/* Eight stores to one 64-byte line, then the next line */
	for (i = 0; i < len / 8; i += 8) {
		p[i] = v;
		p[i + 1] = v + 1;
		p[i + 2] = v + 2;
		p[i + 3] = v + 3;
		p[i + 4] = v + 4;
		p[i + 5] = v + 5;
		p[i + 6] = v + 6;
		p[i + 7] = v + 7;
	}
}

/* Median MB/s of @rounds runs of @fn over @len bytes at @p */
static double bandwidth(void (*fn)(volatile uint64_t *, size_t, uint64_t),
			volatile uint64_t *p, size_t len, unsigned int rounds)
{
	double *v = calloc(rounds, sizeof(*v)), t, m;
	unsigned int i;

	if (!v)
		die("calloc");
	for (i = 0; i < rounds; i++) {
		t = now_s();
		fn(p, len, i);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
#if defined(__x86_64__) || defined(__i386__)
		__asm__ __volatile__("sfence" ::: "memory");
#endif
		t = now_s() - t;
		v[i] = len / t / 1e6;
	}
	qsort(v, rounds, sizeof(*v), cmp_double);
	m = v[rounds / 2];
	free(v);
	return m;
}

/* A size option (4096, 0x1000, 4M...) or exit 2 */
static uint64_t size_arg(const char *opt, const char *s)
{
	uint64_t v;

	if (du_parse_size(s, &v)) {
		fprintf(stderr, "wc-bench: --%s: not a size: '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

static void check(int ret, const char *what)
{
	if (ret < 0) {
		errno = -ret;
		die(what);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cdev", required_argument, NULL, 'c' },
		{ "bar", required_argument, NULL, 'b' },
		{ "offset", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cdev = getenv("DU_IVSHMEM_VFIO");
	uint64_t bar = 2, offset = 0, size = 4ul << 20, rounds = 9;
	long page = sysconf(_SC_PAGESIZE);
	struct du_vfio_region ri;
	struct du_range range;
	volatile uint64_t *nc, *wc;
	int c, dev, iommufd, nc_fd, wc_fd, err;
	struct utsname un;
	uint32_t ioas;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cdev = optarg; break;
		case 'b': bar = size_arg("bar", optarg); break;
		case 'o': offset = size_arg("offset", optarg); break;
		case 's': size = size_arg("size", optarg); break;
		case 'r': rounds = size_arg("rounds", optarg); break;
		default:
			fprintf(stderr, "usage: wc-bench [--cdev PATH] [--bar N] [--offset BYTES] [--size BYTES] [--rounds N]\n");
			return 2;
		}
	}
	if (!cdev || !rounds || rounds > 1000 || bar > 5 || !size ||
	    size % page || offset % page) {
		fprintf(stderr, "wc-bench: need --cdev (or $DU_IVSHMEM_VFIO), --bar 0-5, --rounds 1-1000, and a page-aligned --offset and --size\n");
		return 2;
	}
	dev = du_vfio_cdev_open(cdev);
	check(dev, cdev);
	iommufd = du_iommufd_open();
	check(iommufd, "/dev/iommu");
	check(du_vfio_bind_iommufd(dev, iommufd, NULL), "VFIO_DEVICE_BIND_IOMMUFD");
	check(du_ioas_alloc(iommufd, &ioas), "IOMMU_IOAS_ALLOC");
	check(du_vfio_attach(dev, ioas, NULL), "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	check(du_vfio_region_info(dev, bar, &ri), "VFIO_DEVICE_GET_REGION_INFO");
	if (offset > ri.size || 2 * size > ri.size - offset) {
		fprintf(stderr, "wc-bench: two buffers of %" PRIu64 " bytes at %#" PRIx64 " do not fit in BAR %" PRIu64 " (%" PRIu64 " bytes)\n",
			size, offset, bar, ri.size);
		return 2;
	}

	range = (struct du_range){ .offset = offset, .length = size };
	nc_fd = du_vfio_dmabuf_export(dev, bar, &range, 1, O_RDWR | O_CLOEXEC);
	check(nc_fd, "VFIO_DEVICE_FEATURE_DMA_BUF");
	range.offset = offset + size;
	wc_fd = du_vfio_dmabuf_export(dev, bar, &range, 1, O_RDWR | O_CLOEXEC);
	check(wc_fd, "VFIO_DEVICE_FEATURE_DMA_BUF");
	err = du_vfio_dmabuf_memattr_set(dev, wc_fd,
					 VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC);
	nc = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, nc_fd, 0);
	if (nc == MAP_FAILED)
		die("mmap of the NC buffer");
	wc = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, wc_fd, 0);
	if (wc == MAP_FAILED)
		die("mmap of the WC buffer");

	uname(&un);
	printf("kernel=%s\nbar=%" PRIu64 "\noffset=%#" PRIx64 "\nsize=%" PRIu64 "\nrounds=%" PRIu64 "\n",
	       un.release, bar, offset, size, rounds);
	/* A refused SET leaves the buffer NC: say so next to the figures */
	printf("wc=%s\n", err ? strerror(-err) : "set");
	printf("nc_store8_mbps=%.1f\n", bandwidth(store8, nc, size, rounds));
	printf("wc_store8_mbps=%.1f\n", bandwidth(store8, wc, size, rounds));
	printf("nc_block64_mbps=%.1f\n", bandwidth(block64, nc, size, rounds));
	printf("wc_block64_mbps=%.1f\n", bandwidth(block64, wc, size, rounds));

	munmap((void *)nc, size);
	munmap((void *)wc, size);
	close(nc_fd);
	close(wc_fd);
	close(dev);
	close(iommufd);
	fflush(stdout);
	return 0;
}
