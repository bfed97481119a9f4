/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * p2p-probe.h - shared between p2p-probe's main.c (reports) and verify.c
 * (the --verify experiment).
 */
#ifndef P2P_PROBE_H
#define P2P_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "topo.h"

/* One try of IOMMU_IOAS_MAP of an mmap() of device memory (the client
 * attached first: a kernel without the feature then refuses the map). */
struct by_addr_try {
	bool tried;			/* false: see why */
	bool ok;			/* the kernel mapped it */
	bool mmap_failed;		/* err is mmap()'s, not the map's */
	int err;			/* errno, 0 when ok */
	char why[96];			/* why not tried */
};

/* Outcome of --verify for one pair. */
struct verify_result {
	bool ran;			/* false: skipped, see why */
	char why[192];			/* why skipped / what failed */
	int bar;			/* provider BAR exported */
	uint64_t length;		/* bytes exported and mapped */
	int open_err;			/* errno opening the devices (0: ok) */
	int export_err;			/* errno of the DMA-BUF export */
	int map_err;			/* errno of IOMMU_IOAS_MAP_FILE */
	bool mapped;
	uint64_t iova;
	bool dma_ran;			/* edu client: DMA through the mapping */
	char dma_why[192];		/* why not, or what failed */
	bool dma_write_ok;		/* edu -> provider BAR bytes arrived */
	bool dma_read_ok;		/* provider BAR -> edu bytes arrived */
	int dma_err;			/* errno from the edu engine */
	/* IOMMU_IOAS_MAP by address: an mmap() of the provider BAR through
	 * its VFIO device fd, and an mmap() of the exported buffer; no
	 * kernel flag says whether it works, so it is tried */
	bool by_addr_ran;
	struct by_addr_try by_addr_bar, by_addr_dmabuf;
	int exit_code;			/* DU_EXIT_* for this pair */
};

void p2p_verify(struct p2p_node *provider, struct p2p_node *client, int bar,
		struct verify_result *r);

#endif /* P2P_PROBE_H */
