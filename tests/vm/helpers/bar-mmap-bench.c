// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bar-mmap-bench - how long mmap() of a BAR through the VFIO device fd
 * takes, for the kernel series' "mmap() got slower" item: run it on the
 * base kernel and on the patched kernel (scripts/bench-bar-mmap.sh boots
 * both) and compare. A benchmark: it prints figures and asserts nothing.
 *
 * Usage: bar-mmap-bench [--cdev PATH] [--bar N] [--size BYTES] [--rounds N]
 *   --cdev PATH   the device's VFIO cdev (default: $DU_IVSHMEM_VFIO)
 *   --bar N       BAR (default 2)
 *   --size BYTES  bytes to map, from offset 0 (default: the whole BAR)
 *   --rounds N    mmap()/touch/munmap() rounds (default 200)
 *
 * Each round maps the span at a 2 MiB-aligned address (MAP_FIXED over a
 * reserved area), touches one byte per 2 MiB, and unmaps it; the time of
 * each of the three steps is taken with CLOCK_MONOTONIC. The first round
 * is reported apart: on the patched kernel it is the one that creates the
 * BAR's DMA-BUF. Output: one "key=value" line per figure, in microseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "du/uapi.h"

#define SZ_2M	0x200000ul

static void die(const char *what)
{
	fprintf(stderr, "bar-mmap-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *name, double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%s_min_us=%.1f\n%s_median_us=%.1f\n%s_p90_us=%.1f\n"
	       "%s_max_us=%.1f\n", name, v[0], name, v[n / 2], name,
	       v[(n * 9) / 10], name, v[n - 1]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cdev", required_argument, NULL, 'c' },
		{ "bar", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cdev = getenv("DU_IVSHMEM_VFIO");
	unsigned long size = 0, rounds = 200, bar = 2;
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	double *t_mmap, *t_touch, *t_unmap;
	double first_mmap, first_touch, t;
	struct utsname un;
	int c, dev, iommufd;
	char *area, *base;
	unsigned long i, off;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cdev = optarg; break;
		case 'b': bar = strtoul(optarg, NULL, 0); break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: bar-mmap-bench [--cdev PATH] [--bar N] [--size BYTES] [--rounds N]\n");
			return 2;
		}
	}
	if (!cdev || rounds < 2) {
		fprintf(stderr, "bar-mmap-bench: need --cdev (or $DU_IVSHMEM_VFIO) and --rounds >= 2\n");
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
	if (!size)
		size = ri.size;
	if (size > ri.size || size % SZ_2M) {
		fprintf(stderr, "bar-mmap-bench: --size must be a multiple of 2 MiB within the BAR (%llu bytes)\n",
			(unsigned long long)ri.size);
		return 2;
	}

	/* A 2 MiB-aligned place to map at, reserved once */
	area = mmap(NULL, size + SZ_2M, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		die("reserve");
	base = (char *)(((unsigned long)area + SZ_2M - 1) & ~(SZ_2M - 1));

	t_mmap = calloc(rounds, sizeof(double));
	t_touch = calloc(rounds, sizeof(double));
	t_unmap = calloc(rounds, sizeof(double));
	if (!t_mmap || !t_touch || !t_unmap)
		die("calloc");

	for (i = 0; i < rounds; i++) {
		volatile char *p;

		t = now_us();
		p = mmap(base, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, dev, ri.offset);
		t_mmap[i] = now_us() - t;
		if (p == MAP_FAILED)
			die("mmap of the BAR");

		t = now_us();
		for (off = 0; off < size; off += SZ_2M)
			(void)p[off];
		t_touch[i] = now_us() - t;

		/* Put the reservation back rather than leave a hole */
		t = now_us();
		if (mmap(base, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
			die("munmap of the BAR");
		t_unmap[i] = now_us() - t;
	}

	uname(&un);
	printf("kernel=%s\nbar=%lu\nsize=%lu\nrounds=%lu\n", un.release, bar,
	       size, rounds);
	first_mmap = t_mmap[0];
	first_touch = t_touch[0];
	printf("first_mmap_us=%.1f\nfirst_touch_us=%.1f\n", first_mmap,
	       first_touch);
	report("mmap", t_mmap + 1, rounds - 1);
	report("touch", t_touch + 1, rounds - 1);
	report("unmap", t_unmap + 1, rounds - 1);
	free(t_mmap);
	free(t_touch);
	free(t_unmap);
	munmap(area, size + SZ_2M);
	close(dev);
	close(iommufd);
	/* Out before a sanitizer's exit-time report could cut it off */
	return fflush(stdout) ? 1 : 0;
}
