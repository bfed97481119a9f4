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
	int exit_code;			/* DU_EXIT_* for this pair */
};

void p2p_verify(struct p2p_node *provider, struct p2p_node *client, int bar,
		struct verify_result *r);

#endif /* P2P_PROBE_H */
