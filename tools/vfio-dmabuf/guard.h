/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-dmabuf: run memory accesses to a mapping under a SIGBUS guard, so
 * that a fault (a revoked DMA-BUF, a BAR whose device was reset or closed)
 * is reported instead of killing the process.
 */
#ifndef VFIO_DMABUF_GUARD_H
#define VFIO_DMABUF_GUARD_H

#include <stdint.h>

typedef void (*vd_guard_fn)(void *arg);

/*
 * Run fn(arg) with a SIGBUS handler installed.  Returns 0 when fn returned,
 * or 1 when a SIGBUS hit inside it; *fault (may be NULL) then receives the
 * faulting address.  fn must not hold resources that a jump out of it
 * would leak (no malloc, no locks).  A SIGBUS outside a guarded call keeps
 * its default action.  Not reentrant; not for threads.
 */
int vd_guarded(vd_guard_fn fn, void *arg, uintptr_t *fault);

#endif /* VFIO_DMABUF_GUARD_H */
