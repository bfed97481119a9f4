// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * du_vfio_region_info_caps() and du_vfio_bar_memattrs() against a fake
 * VFIO_DEVICE_GET_REGION_INFO: this program defines ioctl() itself, so the
 * library's calls on FAKE_FD reach a small model of the kernel's side of
 * the protocol (too small a buffer: argsz set to what is needed, FLAG_CAPS,
 * cap_offset 0; big enough: the chain copied behind the struct,
 * cap_offset 32), and every other fd the real system call.  Run under
 * ASan or valgrind, a buffer sized wrong shows as an overflow here.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "du/uapi.h"
#include "du/vfio.h"
#include "tap.h"

#define FAKE_FD 1000
#define FIXED sizeof(struct vfio_region_info)

static struct {
	unsigned char chain[256];	/* as placed behind the struct */
	size_t chain_len;		/* 0: the region has no capabilities */
	uint32_t claim;			/* non-zero: always ask for this argsz */
	bool grow;			/* each call needs 8 bytes more */
	int fail_call;			/* this call (1, 2...) fails */
	int fail_errno;
	int calls;
	uint32_t max_argsz;		/* the biggest argsz seen */
} K;

static void reset_kernel(void)
{
	memset(&K, 0, sizeof(K));
}

/* A capability header at reply offset off (FIXED or more). */
static void put_cap(size_t off, uint16_t id, uint32_t next)
{
	struct vfio_info_cap_header h = { .id = id, .version = 1, .next = next };

	memcpy(K.chain + off - FIXED, &h, sizeof(h));
	if (off - FIXED + sizeof(h) > K.chain_len)
		K.chain_len = off - FIXED + sizeof(h);
}

static void put_memattr(size_t off, uint32_t supported, uint32_t next)
{
	struct vfio_region_info_cap_memattr c = {
		.header = { .id = VFIO_REGION_INFO_CAP_MEMATTR, .version = 1,
			    .next = next },
		.supported = supported,
	};

	memcpy(K.chain + off - FIXED, &c, sizeof(c));
	if (off - FIXED + sizeof(c) > K.chain_len)
		K.chain_len = off - FIXED + sizeof(c);
}

static int fake_region_info(struct vfio_region_info *ri)
{
	uint32_t need;

	K.calls++;
	if (ri->argsz > K.max_argsz)
		K.max_argsz = ri->argsz;
	if (K.fail_call == K.calls) {
		errno = K.fail_errno;
		return -1;
	}
	if (ri->argsz < FIXED) {
		errno = EINVAL;
		return -1;
	}
	ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		    VFIO_REGION_INFO_FLAG_MMAP;
	ri->size = 64u << 20;
	ri->offset = (uint64_t)ri->index << 40;
	ri->cap_offset = 0;
	if (!K.chain_len && !K.claim)
		return 0;
	need = K.claim ? K.claim :
	       (uint32_t)(FIXED + K.chain_len + (K.grow ? 8u * K.calls : 0));
	ri->flags |= VFIO_REGION_INFO_FLAG_CAPS;
	if (ri->argsz < need) {
		ri->argsz = need;
		return 0;
	}
	/* the kernel writes the chain only when all of it fits */
	memcpy((unsigned char *)ri + FIXED, K.chain, K.chain_len);
	ri->cap_offset = FIXED;
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd == FAKE_FD && req == VFIO_DEVICE_GET_REGION_INFO)
		return fake_region_info(arg);
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

static void test_no_caps(void)
{
	struct du_vfio_region r;
	void *buf = &r;
	size_t len = 7;
	uint32_t mask = 99;

	reset_kernel();
	is_int(du_vfio_region_info_caps(FAKE_FD, 2, &r, &buf, &len), 0,
	       "a region without capabilities");
	ok(buf == NULL && len == 0 && r.cap_offset == 0, "no buffer, no chain");
	is_int(K.calls, 1, "asked once");
	is_u64(r.offset, 2ull << 40, "offset");
	is_u64(r.size, 64u << 20, "size");
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -ENOENT,
	       "no capability: ENOENT (a kernel before it)");
	is_int(mask, 99, "mask untouched");
	is_int(du_vfio_region_info(FAKE_FD, 2, &r), 0, "plain region info");
	is_int(r.cap_offset, 0, "plain region info asks for no chain");
}

static void test_memattr_cap(void)
{
	struct du_vfio_region r;
	void *buf;
	size_t len;
	uint32_t mask = 0;

	/* sparse-mmap-like capability (id 1, 24 bytes), then memattr */
	reset_kernel();
	put_cap(FIXED, 1, FIXED + 24);
	put_memattr(FIXED + 24, 3, 0);
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), 0,
	       "memattr capability behind another one");
	is_int(mask, 3, "NC and WC");
	is_int(K.calls, 2, "asked for the size, then for the chain");
	is_int(K.max_argsz, FIXED + 24 + 16, "with exactly the size needed");

	reset_kernel();
	put_memattr(FIXED, 1, 0);
	is_int(du_vfio_bar_memattrs(FAKE_FD, 0, &mask), 0, "memattr only");
	is_int(mask, 1, "NC only");

	reset_kernel();
	put_cap(FIXED, 1, FIXED + 8);
	put_cap(FIXED + 8, 3, 0);
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -ENOENT,
	       "other capabilities only: ENOENT");

	reset_kernel();
	put_cap(FIXED, 1, FIXED + 24);
	put_memattr(FIXED + 24, 3, 0);
	is_int(du_vfio_region_info_caps(FAKE_FD, 4, &r, &buf, &len), 0,
	       "region info with its chain");
	ok(buf != NULL, "a buffer handed back");
	is_int(len, FIXED + 24 + 16, "its length");
	is_int(r.cap_offset, FIXED, "cap_offset");
	ok(r.flags & VFIO_REGION_INFO_FLAG_CAPS, "FLAG_CAPS");
	is_int(r.index, 4, "index");
	if (buf)
		is_int(du_vfio_find_cap(buf, len, FIXED, r.cap_offset,
					VFIO_REGION_INFO_CAP_MEMATTR, 16),
		       FIXED + 24, "the parser finds memattr in it");
	free(buf);
}

static void test_bad_kernels(void)
{
	uint32_t mask = 7;

	reset_kernel();
	put_cap(FIXED, 1, FIXED);	/* points to itself */
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -EBADMSG,
	       "a looping chain: EBADMSG, no endless walk");
	reset_kernel();
	put_cap(FIXED, 1, FIXED + 4096);
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -EBADMSG,
	       "next beyond the reply: EBADMSG");
	reset_kernel();
	put_cap(FIXED, VFIO_REGION_INFO_CAP_MEMATTR, 0);	/* 8 bytes only */
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -EBADMSG,
	       "a memattr capability cut short: EBADMSG");
	is_int(mask, 7, "mask untouched");

	reset_kernel();
	put_memattr(FIXED, 3, 0);
	K.grow = true;
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -EAGAIN,
	       "a chain growing on every call: EAGAIN after a few tries");
	is_int(K.calls, 4, "the first call and three more");

	reset_kernel();
	K.claim = DU_VFIO_INFO_MAX + 1;
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -EOVERFLOW,
	       "a kernel asking for more than DU_VFIO_INFO_MAX: EOVERFLOW");
	is_int(K.calls, 1, "not asked again");

	reset_kernel();
	put_memattr(FIXED, 3, 0);
	K.fail_call = 2;
	K.fail_errno = EFAULT;
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -EFAULT,
	       "the second call failing: its errno, nothing leaked");
	reset_kernel();
	K.fail_call = 1;
	K.fail_errno = EINVAL;
	is_int(du_vfio_bar_memattrs(FAKE_FD, 2, &mask), -EINVAL,
	       "the first call failing: its errno");
	is_int(du_vfio_bar_memattrs(FAKE_FD, 6, &mask), -EINVAL,
	       "not a BAR: refused before asking");
}

int main(void)
{
	test_no_caps();
	test_memattr_cap();
	test_bad_kernels();
	return tap_done();
}
