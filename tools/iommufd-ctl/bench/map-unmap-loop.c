// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The baseline for tools/iommufd-ctl/bench/run.sh: a plain C loop issuing
 * the ioctls an iommufd-ctl batch of "ioas map" + "ioas unmap" lines
 * issues (IOMMU_IOAS_MAP at a fixed IOVA, IOMMU_IOAS_UNMAP of it), on a
 * fresh IOAS, optionally with a VFIO device attached so that every map
 * reaches a real IO page table.
 *
 *   iommufd-bench-loop [-f] COUNT LENGTH [PCI-ADDRESS]
 *
 * -f maps fresh anonymous memory each time (mmap before the map, munmap
 * after the unmap), as an iommufd-ctl batch does; without it one buffer
 * is mapped over and over.
 *
 * Prints "pairs=N seconds=S pairs_per_second=R".
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/parse.h"
#include "du/vfio.h"

int main(int argc, char **argv)
{
	struct du_vfio_device dev = { .fd = -1 };
	uint64_t count, len, iova;
	struct timespec t0, t1;
	bool have_dev = false;
	uint32_t ioas;
	bool fresh = false;
	double secs;
	void *mem;
	int fd, rc;

	if (argc > 1 && !strcmp(argv[1], "-f")) {
		fresh = true;
		argc--;
		argv++;
	}
	if (argc < 3 || argc > 4 || du_parse_u64(argv[1], &count) || !count ||
	    du_parse_size(argv[2], &len) || !len || len % 4096)
		du_die(DU_EXIT_USAGE, "usage: iommufd-bench-loop [-f] COUNT LENGTH [PCI-ADDRESS]");
	fd = du_iommufd_open();
	if (fd < 0)
		du_die(DU_EXIT_NOTSUPP, "/dev/iommu: %s", strerror(-fd));
	rc = du_ioas_alloc(fd, &ioas);
	if (rc)
		du_die(DU_EXIT_FAILURE, "IOMMU_IOAS_ALLOC: %s", strerror(-rc));
	if (argc == 4) {
		struct du_pci_addr a;

		if (du_parse_pci_addr(argv[3], &a))
			du_die(DU_EXIT_USAGE, "invalid PCI address '%s'", argv[3]);
		rc = du_vfio_open(&a, fd, DU_VFIO_OPEN_NO_LEGACY, &dev);
		if (!rc)
			rc = du_vfio_attach(dev.fd, ioas, NULL);
		if (rc)
			du_die(DU_EXIT_FAILURE, "%s: %s", argv[3], strerror(-rc));
		have_dev = true;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		du_die(DU_EXIT_FAILURE, "mmap: %s", strerror(errno));
	memset(mem, 0, len);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 0; i < count; i++) {
		void *m = mem;

		if (fresh) {
			m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED)
				du_die(DU_EXIT_FAILURE, "mmap: %s", strerror(errno));
		}
		iova = 0x100000;
		rc = du_ioas_map(fd, ioas, m, len, &iova,
				 DU_IOMMU_FIXED | DU_IOMMU_READ | DU_IOMMU_WRITE);
		if (!rc)
			rc = du_ioas_unmap(fd, ioas, iova, len, NULL);
		if (fresh)
			munmap(m, len);
		if (rc)
			du_die(DU_EXIT_FAILURE, "iteration %" PRIu64 ": %s", i,
			       strerror(-rc));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("pairs=%" PRIu64 " seconds=%.3f pairs_per_second=%.0f\n", count,
	       secs, (double)count / secs);
	munmap(mem, len);
	if (have_dev)
		du_vfio_close(&dev);
	close(fd);
	return 0;
}
