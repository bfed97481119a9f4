// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A minimal driver for QEMU's edu device through a VFIO device fd.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "du/edu.h"
#include "du/uapi.h"
#include "du/vfio.h"

#define EDU_ID_MAGIC		0xed	/* low byte of the id register */
#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4

static volatile char *reg(const struct du_edu *e, unsigned int off)
{
	return (volatile char *)e->bar0 + off;
}

uint32_t du_edu_read32(const struct du_edu *e, unsigned int off)
{
	return *(volatile uint32_t *)reg(e, off);
}

void du_edu_write32(struct du_edu *e, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)reg(e, off) = v;
}

void du_edu_write64(struct du_edu *e, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)reg(e, off) = v;
}

/* Set memory decode and bus mastering in the command register. */
static int enable_device(int devfd)
{
	struct du_vfio_region cfg;
	uint16_t cmd;
	ssize_t n;
	int ret;

	ret = du_vfio_region_info(devfd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	n = pread(devfd, &cmd, sizeof(cmd), (off_t)(cfg.offset + PCI_COMMAND));
	if (n != sizeof(cmd))
		return n < 0 ? -errno : -EIO;
	if ((cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) ==
	    (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER))
		return 0;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	n = pwrite(devfd, &cmd, sizeof(cmd), (off_t)(cfg.offset + PCI_COMMAND));
	if (n != sizeof(cmd))
		return n < 0 ? -errno : -EIO;
	return 0;
}

int du_edu_open(int vfio_devfd, struct du_edu *e)
{
	struct du_vfio_region r;
	uint32_t id;
	void *p;
	int ret;

	memset(e, 0, sizeof(*e));
	e->devfd = vfio_devfd;
	ret = du_vfio_region_info(vfio_devfd, VFIO_PCI_BAR0_REGION_INDEX, &r);
	if (ret)
		return ret;
	if (r.size < 0x100 || !(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return -ENODEV;
	ret = enable_device(vfio_devfd);
	if (ret)
		return ret;
	p = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, vfio_devfd,
		 (off_t)r.offset);
	if (p == MAP_FAILED)
		return -errno;
	e->bar0 = p;
	e->bar0_size = r.size;
	id = du_edu_read32(e, DU_EDU_REG_ID);
	if ((id & 0xffff) != EDU_ID_MAGIC) {
		du_edu_close(e);
		return -ENODEV;
	}
	e->major = id >> 24;
	e->minor = (id >> 16) & 0xff;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int du_edu_dma(struct du_edu *e, uint64_t iova, uint32_t len,
	       enum du_edu_dir dir, unsigned int buf_offset, int timeout_ms)
{
	const struct timespec tick = { .tv_nsec = 1000000 };
	uint64_t buf = DU_EDU_BUF_ADDR + buf_offset;
	int64_t deadline;
	uint32_t cmd = DU_EDU_DMA_START;

	if (!e->bar0 || !len || buf_offset >= DU_EDU_BUF_SIZE ||
	    len > DU_EDU_BUF_SIZE - buf_offset ||
	    (dir != DU_EDU_TO_DEVICE && dir != DU_EDU_FROM_DEVICE))
		return -EINVAL;
	if (iova >= DU_EDU_DMA_LIMIT || len > DU_EDU_DMA_LIMIT - iova)
		return -ERANGE;
	if (du_edu_read32(e, DU_EDU_REG_DMA_CMD) & DU_EDU_DMA_START)
		return -EBUSY;

	if (dir == DU_EDU_TO_DEVICE) {
		du_edu_write64(e, DU_EDU_REG_DMA_SRC, iova);
		du_edu_write64(e, DU_EDU_REG_DMA_DST, buf);
	} else {
		du_edu_write64(e, DU_EDU_REG_DMA_SRC, buf);
		du_edu_write64(e, DU_EDU_REG_DMA_DST, iova);
		cmd |= DU_EDU_DMA_FROM_EDU;
	}
	du_edu_write64(e, DU_EDU_REG_DMA_COUNT, len);
	du_edu_write32(e, DU_EDU_REG_DMA_CMD, cmd);

	deadline = now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
	while (du_edu_read32(e, DU_EDU_REG_DMA_CMD) & DU_EDU_DMA_START) {
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
	return 0;
}

void du_edu_close(struct du_edu *e)
{
	if (e->bar0)
		munmap((void *)e->bar0, e->bar0_size);
	e->bar0 = NULL;
	e->bar0_size = 0;
}
