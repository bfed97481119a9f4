// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz what vfio-dmabuf maps and info read from /proc/<pid>/maps: the
 * line parser du_maps_parse_line() and du_dmabuf_decode_path()
 * (tools/lib/dmabuf.c), vd_classify_mapping() (tools/vfio-dmabuf/maps.c)
 * on every line, and vd_proc_maps_for_each() (tools/vfio-dmabuf/procfs.c)
 * on the whole input as the maps file of process 1.
 *
 * procfs.c is compiled into this harness (#include below) with fopen()
 * redirected: <proc root>/1/maps opens the input in memory (fmemopen), so
 * the code under test is unchanged and no file is written per input.
 *
 * Checked: a parsed line has start <= end, permissions from "rwxps-", and
 * its path inside the line; a classified DMA-BUF has a NUL-terminated
 * name shorter than DMA_BUF_NAME_LEN and a BAR of -1 or 0..5 (0..2^24
 * for device-fd mappings, whose BAR comes from the offset's top bits).
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "du/pci.h"
#include "maps.h"
#include "vfio-dmabuf.h"

#define PROC_ROOT "/fuzz-proc"

static const uint8_t *cur_data;
static size_t cur_size;

static FILE *fake_fopen(const char *path, const char *mode)
{
	(void)mode;
	if (strcmp(path, PROC_ROOT "/1/maps")) {
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

static void setup(void)
{
	vd_g.proc_root = PROC_ROOT;
	/* /dev/vfio/devices/vfioN lines look their device up in sysfs:
	 * a root that does not exist, so nothing outside the test is read */
	if (du_sysfs_set_root("/nonexistent-fuzz-sysfs"))
		abort();
}

static int visit(const struct du_maps_entry *e, void *arg)
{
	struct vd_mapping m;

	++*(unsigned long *)arg;
	FUZZ_ASSERT(e->start <= e->end);
	(void)vd_classify_mapping(e, &m);
	return 0;
}

static void one_line(char *line, const char *end)
{
	struct du_maps_entry e;
	struct du_dmabuf_name n;
	struct vd_mapping m;
	int r;

	r = du_maps_parse_line(line, &e);
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	if (r)
		return;
	FUZZ_ASSERT(e.start <= e.end);
	FUZZ_ASSERT(strlen(e.perms) == 4 &&
		    strspn(e.perms, "rwxps-") == 4);
	FUZZ_ASSERT(e.path >= line && e.path <= end);
	r = du_dmabuf_decode_path(e.path, &n);
	FUZZ_ASSERT(r == 0 || r == 1 || r == -ENAMETOOLONG);
	if (r == 1)
		FUZZ_ASSERT(memchr(n.name, 0, sizeof(n.name)));
	r = vd_classify_mapping(&e, &m);
	FUZZ_ASSERT(r == 0 || r == 1);
	if (r) {
		FUZZ_ASSERT(m.kind != NULL);
		FUZZ_ASSERT(memchr(m.name, 0, sizeof(m.name)));
		FUZZ_ASSERT(memchr(m.device, 0, sizeof(m.device)));
		FUZZ_ASSERT(memchr(m.cdev, 0, sizeof(m.cdev)));
		FUZZ_ASSERT(m.bar >= -1 && m.bar < (1 << 24));
		if (m.is_dmabuf)
			FUZZ_ASSERT(m.bar <= 5);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	unsigned long seen = 0;
	char *text, *p;

	if (!ready) {
		setup();
		ready = true;
	}
	text = fuzz_strdup(data, size);
	if (!text)
		return 0;
	/* line by line, each line in its own exact-size buffer */
	for (p = text; *p; ) {
		size_t len = strcspn(p, "\n");
		char *line = malloc(len + 2);

		if (!line)
			break;
		memcpy(line, p, len);
		line[len] = p[len] ? '\n' : '\0';
		line[len + 1] = '\0';
		one_line(line, line + len + 1);
		free(line);
		p += len;
		if (*p)
			p++;
	}
	free(text);

	/* the whole input as a process's maps file */
	cur_data = data;
	cur_size = size;
	{
		unsigned int malformed = 0, lines = 0;

		/* A malformed line is skipped and counted, never fatal */
		(void)vd_proc_maps_for_each(1, visit, &seen, &malformed);
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		FUZZ_ASSERT(malformed <= lines + 1);
	}
	return 0;
}
