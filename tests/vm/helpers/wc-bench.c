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
 *   --size BYTES     size of each buffer (default 4 MiB)
 *   --rounds N       rounds per figure, the median is reported (default 9)
 *
 * It exports [offset, offset + size) and [offset + size, offset + 2 size)
 * of the BAR as two DMA-BUFs (VFIO_DEVICE_FEATURE_DMA_BUF), sets the
 * second one WC (VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR), maps both and
 * writes each whole buffer, once with 8-byte stores and once with 64-byte
 * blocks, followed by a store fence. It OVERWRITES those bytes of the BAR:
 * on real hardware use device memory that is safe to overwrite (an FPGA's
 * BRAM, a GPU aperture), never a register BAR. Output: "key=value" lines,
 * bandwidths in MB/s (10^6 bytes per second).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "du/uapi.h"

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

/* Export [off, off + len) of BAR @bar; the DMA-BUF fd */
static int export_range(int dev, unsigned int bar, uint64_t off,
			uint64_t len)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf get;
		struct vfio_region_dma_range range;
	} arg;
	int fd;

	memset(&arg, 0, sizeof(arg));
	arg.hdr.argsz = sizeof(arg);
	arg.hdr.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	arg.get.region_index = bar;
	arg.get.open_flags = O_RDWR | O_CLOEXEC;
	arg.get.nr_ranges = 1;
	arg.range.offset = off;
	arg.range.length = len;
	fd = ioctl(dev, VFIO_DEVICE_FEATURE, &arg);
	if (fd < 0)
		die("VFIO_DEVICE_FEATURE_DMA_BUF");
	return fd;
}

/* 0, or the errno of VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR SET */
static int set_memattr(int dev, int buf, unsigned int memattr)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf_memattr ma;
	} arg;

	memset(&arg, 0, sizeof(arg));
	arg.hdr.argsz = sizeof(arg);
	arg.hdr.flags = VFIO_DEVICE_FEATURE_SET |
			VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR;
	arg.ma.dmabuf_fd = buf;
	arg.ma.memattr = memattr;
	return ioctl(dev, VFIO_DEVICE_FEATURE, &arg) ? errno : 0;
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
	unsigned long bar = 2, offset = 0, size = 4ul << 20, rounds = 9;
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	volatile uint64_t *nc, *wc;
	int c, dev, iommufd, nc_fd, wc_fd, err;
	struct utsname un;
	long page = sysconf(_SC_PAGESIZE);

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cdev = optarg; break;
		case 'b': bar = strtoul(optarg, NULL, 0); break;
		case 'o': offset = strtoul(optarg, NULL, 0); break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: wc-bench [--cdev PATH] [--bar N] [--offset BYTES] [--size BYTES] [--rounds N]\n");
			return 2;
		}
	}
	if (!cdev || !rounds || !size || size % page || offset % page) {
		fprintf(stderr, "wc-bench: need --cdev (or $DU_IVSHMEM_VFIO), --rounds >= 1, and a page-aligned --offset and --size\n");
		return 2;
	}
	dev = open(cdev, O_RDWR);
	if (dev < 0)
		die(cdev);
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("/dev/iommu");
	bind.iommufd = iommufd;
	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		die("VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		die("IOMMU_IOAS_ALLOC");
	at.pt_id = alloc.out_ioas_id;
	if (ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		die("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	ri.index = bar;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("VFIO_DEVICE_GET_REGION_INFO");
	if (offset > ri.size || 2 * size > ri.size - offset) {
		fprintf(stderr, "wc-bench: two buffers of %lu bytes at %#lx do not fit in BAR %lu (%llu bytes)\n",
			size, offset, bar, (unsigned long long)ri.size);
		return 2;
	}

	nc_fd = export_range(dev, bar, offset, size);
	wc_fd = export_range(dev, bar, offset + size, size);
	err = set_memattr(dev, wc_fd, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC);
	nc = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, nc_fd, 0);
	if (nc == MAP_FAILED)
		die("mmap of the NC buffer");
	wc = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, wc_fd, 0);
	if (wc == MAP_FAILED)
		die("mmap of the WC buffer");

	uname(&un);
	printf("kernel=%s\nbar=%lu\noffset=%#lx\nsize=%lu\nrounds=%lu\n",
	       un.release, bar, offset, size, rounds);
	/* A refused SET leaves the buffer NC: say so next to the figures */
	printf("wc=%s\n", err ? strerror(err) : "set");
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
