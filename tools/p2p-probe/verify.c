// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --verify: ask the kernel.  Export a DMA-BUF from the provider's BAR
 * (VFIO_DEVICE_FEATURE_DMA_BUF), map it into an IOAS the client is
 * attached to (IOMMU_IOAS_MAP_FILE), and when the client is QEMU's edu
 * device, let it DMA through that mapping and compare the bytes with what
 * the provider's BAR holds (read through an mmap of the BAR region of the
 * provider's VFIO device fd).  Then, with the client still attached, try
 * IOMMU_IOAS_MAP of address ranges backed by the provider's memory: an
 * mmap() of the BAR through its VFIO device fd, and an mmap() of the
 * exported buffer (does this kernel map BARs by address, as a VMM that
 * maps its guest's memory map asks it to?).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "du/edu.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/uapi.h"
#include "du/vfio.h"

#include "p2p-probe.h"

/* Where the edu test maps things: below edu's 28-bit DMA limit. */
#define EDU_RAM_IOVA	0x2000000ull	/* 32 MiB: one page of our memory */
#define EDU_BAR_IOVA	0x4000000ull	/* 64 MiB: the provider's buffer */
#define VERIFY_MAX	0x200000ull	/* export and map at most 2 MiB */
#define EDU_TIMEOUT_MS	5000

static int choose_bar(const struct p2p_node *p, int want)
{
	int best = -1;

	if (want >= 0)
		return (p->bars[want].size && (p->bars[want].flags & DU_BAR_MEM)) ?
		       want : -1;
	for (int i = 0; i < DU_PCI_NUM_BARS; i++) {
		const struct du_pci_bar *b = &p->bars[i];

		if (!b->size || !(b->flags & DU_BAR_MEM))
			continue;
		if (best < 0 || b->size > p->bars[best].size ||
		    (b->size == p->bars[best].size &&
		     (b->flags & DU_BAR_PREFETCH) &&
		     !(p->bars[best].flags & DU_BAR_PREFETCH)))
			best = i;
	}
	return best;
}

static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
}

/* The edu round trips: RAM -> edu -> provider BAR, BAR -> edu -> RAM. */
static void edu_dma(struct du_vfio_device *prov, struct du_vfio_device *cli,
		    int ifd, uint32_t ioas, const struct p2p_node *p, int bar,
		    uint64_t bar_iova, struct verify_result *r)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = DU_EDU_BUF_SIZE < (size_t)pg ? DU_EDU_BUF_SIZE : (size_t)pg;
	struct du_vfio_region reg;
	struct du_edu edu = { .bar0 = NULL };
	uint8_t *ram = MAP_FAILED, *save = NULL, *want = NULL;
	volatile uint8_t *barmap = MAP_FAILED;
	uint64_t ram_iova = EDU_RAM_IOVA;
	bool ram_mapped = false;
	int ret;

	if (!(p->bars[bar].flags & DU_BAR_PREFETCH)) {
		snprintf(r->dma_why, sizeof(r->dma_why),
			 "BAR%d of %s is not prefetchable memory (registers?): not written",
			 bar, p->name);
		return;
	}
	ret = du_vfio_region_info(prov->fd, (unsigned int)bar, &reg);
	if (ret) {
		snprintf(r->dma_why, sizeof(r->dma_why),
			 "region info of BAR%d: %s", bar, strerror(-ret));
		return;
	}
	barmap = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, prov->fd,
		      (off_t)reg.offset);
	if (barmap == MAP_FAILED) {
		snprintf(r->dma_why, sizeof(r->dma_why),
			 "mmap of BAR%d through the VFIO device fd: %s", bar,
			 strerror(errno));
		return;
	}
	ram = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	save = malloc(len);
	want = malloc(len);
	if (ram == MAP_FAILED || !save || !want) {
		snprintf(r->dma_why, sizeof(r->dma_why), "out of memory");
		goto out;
	}
	ret = du_ioas_map(ifd, ioas, ram, (uint64_t)pg, &ram_iova,
			  DU_IOMMU_FIXED | DU_IOMMU_READ | DU_IOMMU_WRITE);
	if (ret) {
		snprintf(r->dma_why, sizeof(r->dma_why),
			 "mapping a page of memory at IOVA 0x%llx: %s",
			 (unsigned long long)ram_iova, strerror(-ret));
		goto out;
	}
	ram_mapped = true;
	ret = du_edu_open(cli->fd, &edu);
	if (ret) {
		snprintf(r->dma_why, sizeof(r->dma_why), "edu: %s",
			 strerror(-ret));
		edu.bar0 = NULL;
		goto out;
	}
	r->dma_ran = true;
	for (size_t i = 0; i < len; i++)
		save[i] = barmap[i];

	/* client writes: RAM -> edu buffer -> provider BAR */
	fill(want, len, (uint32_t)time(NULL) ^ (uint32_t)getpid());
	memcpy(ram, want, len);
	ret = du_edu_dma(&edu, ram_iova, (uint32_t)len, DU_EDU_TO_DEVICE, 0,
			 EDU_TIMEOUT_MS);
	if (!ret)
		ret = du_edu_dma(&edu, bar_iova, (uint32_t)len,
				 DU_EDU_FROM_DEVICE, 0, EDU_TIMEOUT_MS);
	if (ret) {
		r->dma_err = -ret;
		snprintf(r->dma_why, sizeof(r->dma_why), "edu DMA: %s",
			 strerror(-ret));
		goto restore;
	}
	r->dma_write_ok = true;
	for (size_t i = 0; i < len; i++)
		if (barmap[i] != want[i]) {
			r->dma_write_ok = false;
			break;
		}

	/* client reads: provider BAR -> edu buffer -> RAM */
	fill(want, len, ~(uint32_t)time(NULL) ^ (uint32_t)getpid());
	for (size_t i = 0; i < len; i++)
		barmap[i] = want[i];
	memset(ram, 0, len);
	ret = du_edu_dma(&edu, bar_iova, (uint32_t)len, DU_EDU_TO_DEVICE, 0,
			 EDU_TIMEOUT_MS);
	if (!ret)
		ret = du_edu_dma(&edu, ram_iova, (uint32_t)len,
				 DU_EDU_FROM_DEVICE, 0, EDU_TIMEOUT_MS);
	if (ret) {
		r->dma_err = -ret;
		snprintf(r->dma_why, sizeof(r->dma_why), "edu DMA: %s",
			 strerror(-ret));
		goto restore;
	}
	r->dma_read_ok = !memcmp(ram, want, len);
	if (!r->dma_write_ok || !r->dma_read_ok)
		snprintf(r->dma_why, sizeof(r->dma_why),
			 "the bytes did not arrive (look for DMAR faults in dmesg)");
restore:
	for (size_t i = 0; i < len; i++)
		barmap[i] = save[i];
out:
	if (edu.bar0)
		du_edu_close(&edu);
	if (ram_mapped)
		du_ioas_unmap(ifd, ioas, ram_iova, (uint64_t)pg, NULL);
	if (ram != MAP_FAILED)
		munmap(ram, (size_t)pg);
	if (barmap != MAP_FAILED)
		munmap((void *)barmap, len);
	free(save);
	free(want);
}

/* IOMMU_IOAS_MAP of length bytes of fd at offset, mmap()ed; t says how
 * it went.  The mapping and the mmap() are undone. */
static void try_map_va(int ifd, uint32_t ioas, int fd, uint64_t offset,
		       uint64_t length, struct by_addr_try *t)
{
	uint64_t iova = 0;
	void *va;
	int ret;

	t->tried = true;
	va = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  (off_t)offset);
	if (va == MAP_FAILED) {
		t->mmap_failed = true;
		t->err = errno;
		return;
	}
	ret = du_ioas_map(ifd, ioas, va, length, &iova,
			  DU_IOMMU_READ | DU_IOMMU_WRITE);
	if (ret) {
		t->err = -ret;
	} else {
		t->ok = true;
		du_ioas_unmap(ifd, ioas, iova, length, NULL);
	}
	munmap(va, length);
}

static void by_address(struct du_vfio_device *prov, int ifd, uint32_t ioas,
		       int bar, uint64_t length, int dmabuf,
		       struct verify_result *r)
{
	struct du_vfio_region reg;
	int ret;

	r->by_addr_ran = true;
	ret = du_vfio_region_info(prov->fd, (unsigned int)bar, &reg);
	if (ret)
		snprintf(r->by_addr_bar.why, sizeof(r->by_addr_bar.why),
			 "region info of BAR%d: %s", bar, strerror(-ret));
	else if (!(reg.flags & VFIO_REGION_INFO_FLAG_MMAP))
		snprintf(r->by_addr_bar.why, sizeof(r->by_addr_bar.why),
			 "vfio-pci does not allow an mmap() of BAR%d", bar);
	else
		try_map_va(ifd, ioas, prov->fd, reg.offset, length,
			   &r->by_addr_bar);
	if (dmabuf < 0)
		snprintf(r->by_addr_dmabuf.why, sizeof(r->by_addr_dmabuf.why),
			 "no exported buffer (the export failed)");
	else
		try_map_va(ifd, ioas, dmabuf, 0, length, &r->by_addr_dmabuf);
}

void p2p_verify(struct p2p_node *provider, struct p2p_node *client, int bar,
		struct verify_result *r)
{
	struct du_vfio_device prov = { .fd = -1, .iommufd = -1, .group_fd = -1,
					.container_fd = -1 };
	struct du_vfio_device cli = prov;
	long pg = sysconf(_SC_PAGESIZE);
	bool is_edu = client->ids.vendor == DU_EDU_VENDOR &&
		      client->ids.device == DU_EDU_DEVICE;
	struct du_range range;
	uint32_t ioas = 0;
	int ifd = -1, dmabuf = -1, ret;
	unsigned int flags = DU_IOMMU_READ | DU_IOMMU_WRITE;

	memset(r, 0, sizeof(*r));
	r->exit_code = DU_EXIT_FAILURE;
	r->bar = choose_bar(provider, bar);
	if (r->bar < 0) {
		snprintf(r->why, sizeof(r->why),
			 "BAR%d of %s is not a memory BAR", bar, provider->name);
		r->exit_code = DU_EXIT_USAGE;
		return;
	}
	if (strcmp(provider->driver, "vfio-pci") ||
	    strcmp(client->driver, "vfio-pci")) {
		const struct p2p_node *n = strcmp(provider->driver, "vfio-pci") ?
					   provider : client;

		snprintf(r->why, sizeof(r->why),
			 "%s is bound to %s, not vfio-pci", n->name,
			 n->driver[0] ? n->driver : "no driver");
		return;
	}
	range.offset = 0;
	range.length = provider->bars[r->bar].size & ~((uint64_t)pg - 1);
	/* enough to prove the path; pinning a whole 64 MiB BAR into the IO
	 * page table costs seconds under emulation */
	if (range.length > VERIFY_MAX)
		range.length = VERIFY_MAX;
	if (!range.length) {
		snprintf(r->why, sizeof(r->why),
			 "BAR%d of %s is smaller than a page", r->bar,
			 provider->name);
		r->exit_code = DU_EXIT_USAGE;
		return;
	}
	r->length = range.length;

	ifd = du_iommufd_open();
	if (ifd < 0) {
		r->open_err = -ifd;
		snprintf(r->why, sizeof(r->why), "/dev/iommu: %s",
			 strerror(-ifd));
		r->exit_code = du_exit_for_errno(ifd, 0);
		return;
	}
	ret = du_vfio_open(&provider->addr, ifd, DU_VFIO_OPEN_NO_LEGACY, &prov);
	if (!ret)
		ret = du_vfio_open(&client->addr, ifd, DU_VFIO_OPEN_NO_LEGACY,
				   &cli);
	if (ret) {
		r->open_err = -ret;
		snprintf(r->why, sizeof(r->why), "opening %s: %s",
			 prov.fd < 0 ? provider->name : client->name,
			 du_vfio_strerror(DU_VFIO_OP_OPEN, ret));
		r->exit_code = du_vfio_exit_code(DU_VFIO_OP_OPEN, ret);
		goto out;
	}
	ret = du_ioas_alloc(ifd, &ioas);
	if (!ret)
		ret = du_vfio_attach(cli.fd, ioas, NULL);
	if (ret) {
		r->open_err = -ret;
		snprintf(r->why, sizeof(r->why),
			 "attaching %s to an IOAS: %s", client->name,
			 strerror(-ret));
		goto out;
	}
	r->ran = true;

	dmabuf = du_vfio_dmabuf_export(prov.fd, (unsigned int)r->bar, &range,
				       1, O_RDWR | O_CLOEXEC);
	if (dmabuf < 0) {
		r->export_err = -dmabuf;
		r->exit_code = du_vfio_exit_code(DU_VFIO_OP_EXPORT, dmabuf);
		goto by_addr;
	}
	if (is_edu) {
		r->iova = EDU_BAR_IOVA;
		flags |= DU_IOMMU_FIXED;
	}
	ret = du_ioas_map_file(ifd, ioas, dmabuf, 0, range.length, &r->iova,
			       flags);
	if (ret) {
		r->map_err = -ret;
		r->iova = 0;
		r->exit_code = du_vfio_exit_code(DU_VFIO_OP_MAP_FILE, ret);
		goto by_addr;
	}
	r->mapped = true;
	r->exit_code = DU_EXIT_OK;
	if (is_edu) {
		edu_dma(&prov, &cli, ifd, ioas, provider, r->bar, r->iova, r);
		if (r->dma_ran && (!r->dma_write_ok || !r->dma_read_ok))
			r->exit_code = DU_EXIT_FAILURE;
	} else {
		snprintf(r->dma_why, sizeof(r->dma_why),
			 "the client is not an edu device (1234:11e8)");
	}
	du_ioas_unmap(ifd, ioas, r->iova, range.length, NULL);
by_addr:
	by_address(&prov, ifd, ioas, r->bar, range.length, dmabuf, r);
out:
	if (dmabuf >= 0)
		close(dmabuf);
	du_vfio_close(&cli);
	du_vfio_close(&prov);
	if (ioas)
		du_ioas_destroy(ifd, ioas);
	close(ifd);
}
