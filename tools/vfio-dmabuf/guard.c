// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf: SIGBUS guard (see guard.h).  The handler jumps back with
 * siglongjmp() to the sigsetjmp() in vd_guarded(), which restores the
 * signal mask, so a later SIGBUS is delivered again.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "guard.h"

static sigjmp_buf guard_env;
static volatile sig_atomic_t guard_on;
static void *volatile guard_addr;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (!guard_on) {
		/* not ours: die of it as if there were no handler */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	guard_on = 0;
	guard_addr = si->si_addr;
	siglongjmp(guard_env, 1);
}

int vd_guarded(vd_guard_fn fn, void *arg, uintptr_t *fault)
{
	struct sigaction sa, old;
	int hit;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);

	hit = sigsetjmp(guard_env, 1);
	if (!hit) {
		guard_on = 1;
		fn(arg);
		guard_on = 0;
	}
	sigaction(SIGBUS, &old, NULL);
	if (hit && fault)
		*fault = (uintptr_t)guard_addr;
	return hit;
}
