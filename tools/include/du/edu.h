/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/edu.h - a tiny driver for QEMU's "edu" teaching device (PCI 1234:11e8)
 * through a VFIO device fd, used to prove that an IOVA mapping reaches
 * memory (or another device's BAR).
 *
 * BAR0 (1 MiB MMIO) registers used here:
 *   0x00  identification: 0xRRrr00ed (major RR, minor rr)
 *   0x04  liveness check: reads back the bitwise NOT of what was written
 *   0x80  DMA source address (64-bit)
 *   0x88  DMA destination address (64-bit)
 *   0x90  DMA byte count
 *   0x98  DMA command: bit 0 start (clears when done), bit 1 direction
 *         (0: RAM -> edu buffer, 1: edu buffer -> RAM), bit 2 raise IRQ
 * The device's 4 KiB buffer sits at DMA address 0x40000; its DMA mask is
 * 28 bits, so IOVAs must be below 256 MiB.  Each transfer takes ~0.1 s.
 */
#ifndef DU_EDU_H
#define DU_EDU_H

#include <stdint.h>
#include <stddef.h>

#define DU_EDU_VENDOR		0x1234
#define DU_EDU_DEVICE		0x11e8
#define DU_EDU_BUF_ADDR		0x40000u	/* edu buffer's DMA address */
#define DU_EDU_BUF_SIZE		4096u
#define DU_EDU_DMA_LIMIT	(1ull << 28)	/* IOVAs must be below */

/* Register offsets in BAR0. */
#define DU_EDU_REG_ID		0x00
#define DU_EDU_REG_LIVENESS	0x04
#define DU_EDU_REG_DMA_SRC	0x80
#define DU_EDU_REG_DMA_DST	0x88
#define DU_EDU_REG_DMA_COUNT	0x90
#define DU_EDU_REG_DMA_CMD	0x98
#define DU_EDU_DMA_START	0x1
#define DU_EDU_DMA_FROM_EDU	0x2
#define DU_EDU_DMA_IRQ		0x4

struct du_edu {
	int devfd;			/* the VFIO device fd (not owned) */
	volatile void *bar0;		/* MAP_FAILED/NULL when closed */
	size_t bar0_size;
	unsigned int major;		/* from the identification register */
	unsigned int minor;
};

enum du_edu_dir {
	DU_EDU_TO_DEVICE,	/* iova (RAM) -> edu's buffer */
	DU_EDU_FROM_DEVICE,	/* edu's buffer -> iova (RAM) */
};

/*
 * Map BAR0 of the edu device behind vfio_devfd (region info + mmap), check
 * the identification register and enable memory decode and bus mastering
 * in the command register (through the VFIO config region).  Returns 0,
 * -ENODEV when the device is not an edu, or -errno.
 */
int du_edu_open(int vfio_devfd, struct du_edu *e);

/*
 * One DMA transfer of len bytes between iova and offset buf_offset of the
 * edu buffer, polling until done.  -EINVAL for len 0 or a transfer past the
 * 4 KiB buffer, -ERANGE when [iova, iova + len) is not below 256 MiB,
 * -ETIMEDOUT after timeout_ms (the engine is then still busy; do not reuse
 * the buffer).  A faulting DMA is not reported by edu: check the data.
 */
int du_edu_dma(struct du_edu *e, uint64_t iova, uint32_t len,
	       enum du_edu_dir dir, unsigned int buf_offset, int timeout_ms);

/* Raw 32-bit and 64-bit register access. */
uint32_t du_edu_read32(const struct du_edu *e, unsigned int off);
void du_edu_write32(struct du_edu *e, unsigned int off, uint32_t v);
void du_edu_write64(struct du_edu *e, unsigned int off, uint64_t v);

/* Unmap BAR0 (the device fd stays open). */
void du_edu_close(struct du_edu *e);

#endif /* DU_EDU_H */
