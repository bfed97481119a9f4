// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the DMA-BUF fdinfo parser du_dmabuf_fdinfo_parse()
 * (tools/lib/dmabuf.c), directly and through vd_proc_fdinfo()
 * (tools/vfio-dmabuf/procfs.c) reading fdinfo/3 of process 1, and the
 * name decoder du_dmabuf_decode_name() on the same bytes.
 *
 * procfs.c is compiled into this harness (#include below) with fopen()
 * redirected: <proc root>/1/fdinfo/3 opens the input in memory
 * (fmemopen), so the code under test is unchanged and no file is written.
 *
 * Checked: the result is 0, -EINVAL or -ENOENT; a success has
 * NUL-terminated exp_name and name, and *fi is untouched on failure.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "vfio-dmabuf.h"

#define PROC_ROOT "/fuzz-proc"

static const uint8_t *cur_data;
static size_t cur_size;

static FILE *fake_fopen(const char *path, const char *mode)
{
	(void)mode;
	if (strcmp(path, PROC_ROOT "/1/fdinfo/3")) {
		errno = ENOENT;
		return NULL;
	}
	if (!cur_size)
		return fopen("/dev/null", "r");
	return fmemopen((void *)cur_data, cur_size, "r");
}

#define fopen(path, mode) fake_fopen(path, mode)
#include "../../tools/vfio-dmabuf/procfs.c"
#undef fopen

static void check(int r, const struct du_dmabuf_fdinfo *fi)
{
	static const struct du_dmabuf_fdinfo poison = { .pos = 0x5a5a };

	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOENT);
	if (r) {
		FUZZ_ASSERT(!memcmp(fi, &poison, sizeof(*fi)));
		return;
	}
	FUZZ_ASSERT(memchr(fi->exp_name, 0, sizeof(fi->exp_name)));
	FUZZ_ASSERT(memchr(fi->name, 0, sizeof(fi->name)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct du_dmabuf_fdinfo fi;
	struct du_dmabuf_name n;
	char *text;
	int r;

	if (!ready) {
		vd_g.proc_root = PROC_ROOT;
		ready = true;
	}
	text = fuzz_strdup(data, size);
	if (!text)
		return 0;
	memset(&fi, 0, sizeof(fi));
	fi.pos = 0x5a5a;
	r = du_dmabuf_fdinfo_parse(text, &fi);
	check(r, &fi);

	r = du_dmabuf_decode_name(text, &n);
	FUZZ_ASSERT(r == 0 || r == -ENAMETOOLONG);
	if (!r) {
		FUZZ_ASSERT(!strcmp(n.name, text));
		if (n.kind == DU_DMABUF_VFIO_BAR)
			FUZZ_ASSERT(n.bar <= 5 && !strncmp(n.cdev, "vfio", 4));
	}
	free(text);

	cur_data = data;
	cur_size = size;
	memset(&fi, 0, sizeof(fi));
	fi.pos = 0x5a5a;
	r = vd_proc_fdinfo(1, 3, &fi);
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOENT);
	return 0;
}
