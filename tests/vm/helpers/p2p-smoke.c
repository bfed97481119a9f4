// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2p-smoke - the VFIO / iommufd / DMA-BUF peer-to-peer chain, step by
 * step, for tests/vm/suites/base.sh.
 *
 * Each STEP does everything the previous ones do, then its own part:
 *   iommu   open /dev/iommu, allocate an IOAS
 *   attach  open edu's VFIO cdev, bind it to the iommufd, attach it to
 *           the IOAS, map its BAR0 and check its identification register
 *   export  open ivshmem's cdev (same iommufd), export BAR --bar range
 *           [--offset, +--length) as a DMA-BUF, map it into the IOAS at
 *           --iova with IOMMU_IOAS_MAP_FILE
 *   dma     put a pattern in anonymous memory mapped at a RAM IOVA, have
 *           edu copy it into its buffer, then out to --iova + --dma-offset,
 *           i.e. into the ivshmem BAR (P2P through the IOMMU); with
 *           --read-back, copy it back from the BAR into RAM and compare
 * The caller checks the BAR's bytes in ivshmem's backing file (the pattern
 * is written to --pattern-out).  With --unmap-before-dma the DMA-BUF
 * mapping is removed before the DMA, which must then not reach the BAR.
 *
 * Prints "key=value" lines on stdout.  Exit status: 0 ok, 1 failed,
 * 2 usage, 3 the running kernel lacks a feature.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "du/edu.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/parse.h"
#include "du/uapi.h"
#include "du/vfio.h"

#define RAM_SRC_IOVA	0x100000ull	/* pattern source, RAM */
#define RAM_DST_IOVA	0x200000ull	/* read-back destination, RAM */
#define DMA_TIMEOUT_MS	5000

enum step { STEP_IOMMU, STEP_ATTACH, STEP_EXPORT, STEP_DMA };

static const struct du_keyword steps[] = {
	{ "iommu", STEP_IOMMU },
	{ "attach", STEP_ATTACH },
	{ "export", STEP_EXPORT },
	{ "dma", STEP_DMA },
	{ NULL, 0 },
};

struct opts {
	const char *edu, *ivshmem, *pattern_out;
	unsigned int bar;
	uint64_t offset, length, iova, dma_offset, count, seed;
	bool read_back, unmap_before_dma;
};

static void usage(FILE *f, int status)
{
	fprintf(f,
"Usage: p2p-smoke [options] iommu|attach|export|dma\n"
"  --edu BDF            edu device (default: $DU_EDU_BDF)\n"
"  --ivshmem BDF        ivshmem device (default: $DU_IVSHMEM_BDF)\n"
"  --bar N              ivshmem BAR to export (default: 2)\n"
"  --offset OFF         start of the exported range in the BAR (default: 2M)\n"
"  --length LEN         length of the exported range (default: 2M)\n"
"  --iova IOVA          where the DMA-BUF is mapped (default: 16M)\n"
"  --dma-offset OFF     where in the mapping edu writes (default: 0)\n"
"  --count N            bytes to copy, at most 4096 (default: 4096)\n"
"  --seed N             pattern seed (default: 1)\n"
"  --pattern-out FILE   write the pattern bytes to FILE\n"
"  --read-back          copy the bytes back from the BAR and compare\n"
"  --unmap-before-dma   unmap the DMA-BUF before the DMA (negative test)\n"
"  -h, --help           this text\n"
"Exit status: 0 ok, 1 failed, 2 usage, 3 the kernel lacks a feature.\n");
	exit(status);
}

static uint64_t num_arg(const char *opt, const char *s)
{
	uint64_t v;

	if (du_parse_size(s, &v))
		du_die(DU_EXIT_USAGE, "%s: invalid number '%s'", opt, s);
	return v;
}

static void pattern(unsigned char *buf, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(seed * 29 + i * 7 + (i >> 8) * 13 + 1);
}

/* Die with the exit status for err from VFIO operation op. */
static void fail(enum du_vfio_op op, int err, const char *what)
{
	du_err("%s: %s", what, du_vfio_strerror(op, err));
	exit(du_vfio_exit_code(op, err));
}

/* Die for err from a plain system call or iommufd ioctl. */
static void sysfail(int err, const char *what)
{
	du_err("%s: %s", what, strerror(err < 0 ? -err : err));
	exit(du_exit_for_errno(err, 0));
}

static void open_dev(const char *opt, const char *bdf, int iommufd,
		     struct du_vfio_device *d)
{
	struct du_pci_addr a;
	int r;

	if (!bdf || !*bdf)
		du_die(DU_EXIT_USAGE, "%s not given and $DU_%s_BDF not set",
		       opt, opt[2] == 'e' ? "EDU" : "IVSHMEM");
	if (du_parse_pci_addr(bdf, &a))
		du_die(DU_EXIT_USAGE, "%s: invalid PCI address '%s'", opt, bdf);
	r = du_vfio_open(&a, iommufd, DU_VFIO_OPEN_NO_LEGACY, d);
	if (r)
		fail(DU_VFIO_OP_OPEN, r, bdf);
	printf("%s_cdev=%s\n%s_devid=%u\n", opt + 2, d->cdev, opt + 2,
	       d->devid);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "edu", required_argument, NULL, 'e' },
		{ "ivshmem", required_argument, NULL, 'i' },
		{ "bar", required_argument, NULL, 'b' },
		{ "offset", required_argument, NULL, 'o' },
		{ "length", required_argument, NULL, 'l' },
		{ "iova", required_argument, NULL, 'a' },
		{ "dma-offset", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "pattern-out", required_argument, NULL, 'p' },
		{ "read-back", no_argument, NULL, 'r' },
		{ "unmap-before-dma", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.edu = getenv("DU_EDU_BDF"), .ivshmem = getenv("DU_IVSHMEM_BDF"),
		.bar = 2, .offset = 2 << 20, .length = 2 << 20,
		.iova = 16 << 20, .count = DU_EDU_BUF_SIZE, .seed = 1,
	};
	struct du_vfio_device edu = { .fd = -1 }, ivs = { .fd = -1 };
	struct du_vfio_region reg;
	struct du_edu e;
	uint32_t ioas;
	int step, c, fd, r, dmabuf;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'e': o.edu = optarg; break;
		case 'i': o.ivshmem = optarg; break;
		case 'b':
			if (du_parse_bar(optarg, &o.bar))
				du_die(DU_EXIT_USAGE, "--bar: invalid BAR '%s'", optarg);
			break;
		case 'o': o.offset = num_arg("--offset", optarg); break;
		case 'l': o.length = num_arg("--length", optarg); break;
		case 'a': o.iova = num_arg("--iova", optarg); break;
		case 'd': o.dma_offset = num_arg("--dma-offset", optarg); break;
		case 'c': o.count = num_arg("--count", optarg); break;
		case 's': o.seed = num_arg("--seed", optarg); break;
		case 'p': o.pattern_out = optarg; break;
		case 'r': o.read_back = true; break;
		case 'u': o.unmap_before_dma = true; break;
		case 'h': usage(stdout, DU_EXIT_OK); break;
		default: usage(stderr, DU_EXIT_USAGE);
		}
	}
	if (optind != argc - 1 || du_parse_keyword(argv[optind], steps, &step))
		usage(stderr, DU_EXIT_USAGE);
	if (!o.count || o.count > DU_EDU_BUF_SIZE)
		du_die(DU_EXIT_USAGE, "--count must be 1..%u", DU_EDU_BUF_SIZE);
	if (o.dma_offset > o.length || o.count > o.length - o.dma_offset)
		du_die(DU_EXIT_USAGE, "--dma-offset + --count past --length");
	if (o.iova + o.length > DU_EDU_DMA_LIMIT || o.iova < RAM_DST_IOVA + 0x100000)
		du_die(DU_EXIT_USAGE, "--iova: the mapping must lie in [3M, 256M)");

	/* iommu */
	fd = du_iommufd_open();
	if (fd == -ENOENT)
		du_die(DU_EXIT_NOTSUPP, "no /dev/iommu: the kernel lacks iommufd");
	if (fd < 0)
		sysfail(fd, "/dev/iommu");
	r = du_ioas_alloc(fd, &ioas);
	if (r)
		sysfail(r, "IOMMU_IOAS_ALLOC");
	printf("ioas_id=%u\n", ioas);
	if (step == STEP_IOMMU)
		return DU_EXIT_OK;

	/* attach */
	open_dev("--edu", o.edu, fd, &edu);
	r = du_vfio_attach(edu.fd, ioas, NULL);
	if (r)
		sysfail(r, "VFIO_DEVICE_ATTACH_IOMMUFD_PT (edu)");
	r = du_edu_open(edu.fd, &e);
	if (r)
		sysfail(r, "edu BAR0");
	printf("edu_version=%u.%u\n", e.major, e.minor);
	if (step == STEP_ATTACH)
		return DU_EXIT_OK;

	/* export */
	open_dev("--ivshmem", o.ivshmem, fd, &ivs);
	r = du_vfio_region_info(ivs.fd, o.bar, &reg);
	if (r)
		sysfail(r, "VFIO_DEVICE_GET_REGION_INFO");
	printf("bar_size=0x%llx\n", (unsigned long long)reg.size);
	if (o.offset > reg.size || o.length > reg.size - o.offset)
		du_die(DU_EXIT_USAGE, "range 0x%llx+0x%llx is outside BAR%u (0x%llx bytes)",
		       (unsigned long long)o.offset, (unsigned long long)o.length,
		       o.bar, (unsigned long long)reg.size);
	dmabuf = du_vfio_dmabuf_export(ivs.fd, o.bar,
				       &(struct du_range){ o.offset, o.length },
				       1, O_RDWR | O_CLOEXEC);
	if (dmabuf < 0)
		fail(DU_VFIO_OP_EXPORT, dmabuf, "VFIO_DEVICE_FEATURE_DMA_BUF");
	printf("dmabuf_fd=%d\n", dmabuf);
	uint64_t iova = o.iova;
	r = du_ioas_map_file(fd, ioas, dmabuf, 0, o.length, &iova,
			     DU_IOMMU_FIXED | DU_IOMMU_READ | DU_IOMMU_WRITE);
	if (r)
		fail(DU_VFIO_OP_MAP_FILE, r, "IOMMU_IOAS_MAP_FILE");
	printf("dmabuf_iova=0x%llx\n", (unsigned long long)iova);
	if (step == STEP_EXPORT)
		return DU_EXIT_OK;

	/* dma: pattern -> RAM at RAM_SRC_IOVA -> edu -> BAR */
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *ram = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		du_die(DU_EXIT_FAILURE, "mmap: %s", strerror(errno));
	unsigned char *src = ram, *dst = ram + page;
	pattern(src, o.count, o.seed);
	memset(dst, 0, page);
	uint64_t ram_iova = RAM_SRC_IOVA;
	r = du_ioas_map(fd, ioas, src, page, &ram_iova,
			DU_IOMMU_FIXED | DU_IOMMU_READ | DU_IOMMU_WRITE);
	ram_iova = RAM_DST_IOVA;
	if (!r)
		r = du_ioas_map(fd, ioas, dst, page, &ram_iova,
				DU_IOMMU_FIXED | DU_IOMMU_READ | DU_IOMMU_WRITE);
	if (r)
		sysfail(r, "IOMMU_IOAS_MAP (RAM)");
	if (o.pattern_out) {
		FILE *f = fopen(o.pattern_out, "w");

		if (!f || fwrite(src, 1, o.count, f) != o.count || fclose(f))
			du_die(DU_EXIT_FAILURE, "%s: %s", o.pattern_out,
			       strerror(errno));
	}
	if (o.unmap_before_dma) {
		uint64_t done = 0;

		r = du_ioas_unmap(fd, ioas, o.iova, o.length, &done);
		if (r || done != o.length)
			du_die(DU_EXIT_FAILURE, "IOMMU_IOAS_UNMAP: %s (unmapped 0x%llx)",
			       strerror(-r), (unsigned long long)done);
		printf("unmapped=0x%llx\n", (unsigned long long)done);
	}
	r = du_edu_dma(&e, RAM_SRC_IOVA, (uint32_t)o.count, DU_EDU_TO_DEVICE, 0,
		       DMA_TIMEOUT_MS);
	if (r)
		du_die(DU_EXIT_FAILURE, "edu DMA RAM -> edu: %s", strerror(-r));
	uint64_t target = o.iova + o.dma_offset;
	r = du_edu_dma(&e, target, (uint32_t)o.count, DU_EDU_FROM_DEVICE, 0,
		       DMA_TIMEOUT_MS);
	if (r)
		du_die(DU_EXIT_FAILURE, "edu DMA edu -> 0x%llx: %s",
		       (unsigned long long)target, strerror(-r));
	printf("dma_iova=0x%llx\nbar_offset=0x%llx\ncount=%llu\n",
	       (unsigned long long)target,
	       (unsigned long long)(o.offset + o.dma_offset),
	       (unsigned long long)o.count);

	if (o.read_back) {
		/* Clear edu's buffer with zeroes from RAM first, so that the
		 * comparison cannot pass on stale data. */
		r = du_edu_dma(&e, RAM_DST_IOVA, (uint32_t)o.count,
			       DU_EDU_TO_DEVICE, 0, DMA_TIMEOUT_MS);
		if (!r)
			r = du_edu_dma(&e, target, (uint32_t)o.count,
				       DU_EDU_TO_DEVICE, 0, DMA_TIMEOUT_MS);
		if (!r)
			r = du_edu_dma(&e, RAM_DST_IOVA, (uint32_t)o.count,
				       DU_EDU_FROM_DEVICE, 0, DMA_TIMEOUT_MS);
		if (r)
			du_die(DU_EXIT_FAILURE, "edu read-back DMA: %s",
			       strerror(-r));
		if (memcmp(src, dst, o.count)) {
			size_t i = 0;

			while (src[i] == dst[i])
				i++;
			du_die(DU_EXIT_FAILURE,
			       "read-back differs at byte %zu: 0x%02x, expected 0x%02x",
			       i, dst[i], src[i]);
		}
		printf("read_back=ok\n");
	}
	du_edu_close(&e);
	du_vfio_close(&ivs);
	du_vfio_close(&edu);
	close(dmabuf);
	close(fd);
	return DU_EXIT_OK;
}
