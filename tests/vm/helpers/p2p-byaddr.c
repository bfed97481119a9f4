// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2p-byaddr - map the user address of a BAR mapping into edu's IO address
 * space, by IOMMU_IOAS_MAP or through the vfio-compat container by
 * VFIO_IOMMU_MAP_DMA, and prove with edu's DMA into the ivshmem BAR that
 * the mapping works and dies when VFIO revokes the memory behind it
 * (tests/vm/suites/p2p-byaddr.sh and p2p-byaddr-base.sh).
 *
 *   p2p-byaddr [options] ioas|compat bar|dmabuf
 *   p2p-byaddr [options] race
 *   p2p-byaddr [options] all      (each of the five in turn: see run_all())
 *
 * Route ioas: /dev/iommu, an IOAS, edu bound by its cdev and attached to
 * the IOAS, ivshmem bound by its cdev; maps are IOMMU_IOAS_MAP and
 * IOMMU_IOAS_UNMAP.
 * Route compat: the legacy group flow of a VMM on the type1 API with
 * /dev/iommu as the container (drivers/vfio/group.c lets
 * VFIO_GROUP_SET_CONTAINER take an iommufd; that is the flow a type1 VMM
 * runs against a /dev/vfio/vfio provided by IOMMUFD_VFIO_CONTAINER, whose
 * node the test kernel does not have: its /dev/vfio/vfio is the real
 * type1): both groups set to the iommufd, VFIO_SET_IOMMU
 * VFIO_TYPE1v2_IOMMU, VFIO_GROUP_GET_DEVICE_FD (which attaches each device
 * to the compat IOAS), then VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA
 * on the iommufd.
 * Mode bar: mmap() of --length bytes at --window of BAR2 through ivshmem's
 * device fd (offset from VFIO_DEVICE_GET_REGION_INFO).  Mode dmabuf: that
 * range exported with VFIO_DEVICE_FEATURE_DMA_BUF, the buffer fd mmap()ed.
 *
 * edu is attached before anything is mapped: with no device attached the
 * base kernel accepts the map (it pins nothing yet) and only a later
 * attach fails.  The first map of the VA, at --iova, decides the exit
 * status 3 (EFAULT: the kernel cannot map a BAR by address).  Then one DMA
 * per step: edu copies its 4 KiB buffer, loaded once with a pattern from
 * RAM, into the step's own 4 KiB slot of the window (slot N at --iova +
 * N * 4K, BAR2 --window + N * 4K), whose bytes were first set to a marker
 * through the backing file (--file).
 *   bar:    mapped      the map works: lands
 *           reset       VFIO_DEVICE_RESET of ivshmem, then the DMA (the
 *                       reset's temporary revoke is over and nothing
 *                       restores the IOVA range); unmap, map the same VA
 *           remapped    again: lands
 *           closed_fd   the device fd closed; the BAR mapping keeps the
 *                       device open: lands
 *           munmapped   the BAR munmap()ed: the device closes; unmap
 *   dmabuf: mapped, reset, remapped as for bar, then
 *           revoked     VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE of the buffer;
 *                       unmap; mapping the VA again (ENODEV expected)
 *           exported2   a new export of the window, mmap()ed and mapped
 *           closed_fd   the device fd closed (nothing else keeps it open);
 *                       unmap
 * Without a device reset method (VFIO_DEVICE_FLAGS_RESET) the reset steps
 * are left out (reset=unsupported).  Each step prints STEP_slot, STEP_bytes
 * (what the backing file holds in the slot afterwards: "pattern",
 * "marker" or "other"), STEP_faults (DMA remapping faults the kernel logged
 * during the step, read from /dev/kmsg; STEP_fault the last one's text),
 * STEP_fault_irqs (the IOMMU's fault interrupts during the step, from
 * /proc/interrupts) and, for the unmaps after a dead step, STEP_unmapped
 * (bytes the kernel reports unmapped).  STEP.pattern and STEP.marker in
 * --out hold the slot's two candidate contents, for a check of the host's
 * own view.  A DMA expected to fault first waits, if need be, until the
 * kernel will print its fault (see FAULT_WINDOW_US).  The caller judges;
 * this program fails (exit 1) only when an operation the sequence needs
 * fails.
 *
 * race (route ioas, both modes, for the debug kernel): for --seconds,
 * thread A maps and unmaps the BAR mapping's VA and the exported buffer's
 * VA by turns at --iova + 2M; thread B revokes the buffer, exports the
 * window again and mmap()s it, or (every third round) resets ivshmem
 * (--race-b: only the one or the other, or nothing, to tell which of them
 * A's errors come from); thread C mmap()s the BAR again, touches it and
 * munmap()s the old mapping.  A's maps may fail with ENODEV (revoked,
 * reset) or EFAULT (the VA is gone); counts of each, and of anything else,
 * are printed.  Afterwards a fresh map of each VA must let edu's DMA land
 * (final_bar, final_dmabuf).
 *
 * Prints "key=value" lines on stdout.  Exit status: 0 the sequence ran,
 * 1 failed, 2 usage, 3 the first map by address failed with EFAULT (the
 * kernel cannot map BARs by address), 4 mode dmabuf: the kernel refuses
 * to mmap() the exported DMA-BUF (nothing to map; Linux 7.3 without the
 * series).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "du/edu.h"
#include "du/errname.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/parse.h"
#include "du/pci.h"
#include "du/uapi.h"
#include "du/vfio.h"

#define EXIT_EFAULT	3	/* the first map by address: EFAULT */
#define EXIT_NO_MMAP	4	/* the DMA-BUF cannot be mmap()ed */

#define SLOT		4096u	/* one DMA, edu's whole buffer */
#define RAM_SRC_IOVA	0x100000ull
#define RACE_IOVA_OFF	0x200000ull	/* race: --iova + this */
#define DMA_TIMEOUT_MS	5000
#define FAULT_WAIT_MS	2000	/* for the fault report of a dead DMA */
/*
 * dmar_fault() prints a fault only while its ratelimit (10 calls in a
 * window of 5 s) lets it, and it asks three times per fault (the status
 * line, the record, the check for a next record): only 3 faults of a
 * window are printed, later ones are cleared silently.  A window with a
 * silent fault printed 3 before it, so while the log has fewer than 3
 * fault records of the last 5 s, the next fault is printed.  A DMA
 * expected to fault waits for that (FAULT_WINDOW_US: 5 s and jiffies'
 * slack), whoever faulted before (this program, an earlier suite).  The
 * fault interrupts, counted in /proc/interrupts, are not ratelimited.
 */
#define FAULT_WINDOW_US	5300000
#define MARKER		0xc3

enum route { ROUTE_IOAS, ROUTE_COMPAT, ROUTE_RACE, ROUTE_ALL };
enum race_b { RACE_B_BOTH, RACE_B_REVOKE, RACE_B_RESET, RACE_B_IDLE };
enum mode { MODE_BAR, MODE_DMABUF };

static const struct du_keyword routes[] = {
	{ "ioas", ROUTE_IOAS }, { "compat", ROUTE_COMPAT },
	{ "race", ROUTE_RACE }, { "all", ROUTE_ALL }, { NULL, 0 },
};
static const struct du_keyword race_bs[] = {
	{ "both", RACE_B_BOTH }, { "revoke", RACE_B_REVOKE },
	{ "reset", RACE_B_RESET }, { "idle", RACE_B_IDLE }, { NULL, 0 },
};
static const struct du_keyword modes[] = {
	{ "bar", MODE_BAR }, { "dmabuf", MODE_DMABUF }, { NULL, 0 },
};

struct ctx {
	/* options */
	const char *edu_bdf, *ivs_bdf, *file, *out;
	unsigned int bar;
	uint64_t window, len, iova;
	unsigned int seconds;
	int race_b;
	bool map_only;
	int route, mode;
	/* state */
	int iommufd;
	uint32_t ioas;			/* route ioas */
	int edu_group, ivs_group;	/* route compat */
	struct du_vfio_device edu, ivs;	/* route ioas: cdevs */
	int edu_fd, ivs_fd;		/* device fds, either route */
	struct du_vfio_region reg;
	struct du_edu e;
	unsigned char *ram;		/* DMA source page at RAM_SRC_IOVA */
	int file_fd, kmsg;
	/* printk times (us) of the last 3 fault records, [0] the latest */
	int64_t fault_us[3];
	int64_t note_us;		/* of the last note written */
	unsigned int notes;
};

static void usage(FILE *f, int status)
{
	fprintf(f,
"Usage: p2p-byaddr [options] ioas|compat bar|dmabuf\n"
"       p2p-byaddr [options] race\n"
"       p2p-byaddr [options] all\n"
"  --edu BDF         edu device (default: $DU_EDU_BDF)\n"
"  --ivshmem BDF     ivshmem device (default: $DU_IVSHMEM_BDF)\n"
"  --file PATH       ivshmem's BAR2 backing file (default: $DU_IVSHMEM_FILE)\n"
"  --window OFF      BAR2 offset of the mapped range (default: 48M)\n"
"  --length LEN      its length, 64K..1M (default: 1M)\n"
"  --iova IOVA       where it is mapped (default: 16M)\n"
"  --out DIR         where STEP.pattern and STEP.marker go (created if\n"
"                    need be; default: .)\n"
"  --map-only        stop after the first map by address\n"
"  --seconds N       race: how long the threads run (default: 4)\n"
"  --race-b WHAT     race: thread B revokes and re-exports (revoke), resets\n"
"                    (reset), both (default: two revokes, a reset), or\n"
"                    does nothing (idle)\n"
"  -h, --help        this text\n"
"Exit status: 0 ran, 1 failed, 2 usage, 3 the map by address failed with\n"
"EFAULT, 4 the exported DMA-BUF cannot be mmap()ed (all: 0 or 1).\n");
	exit(status);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t t_start;		/* now_ms() when main() began */

/* "KEY_ms=N": milliseconds since main() began, where the time goes. */
static void stamp(const char *key)
{
	printf("%s_ms=%lld\n", key, (long long)(now_ms() - t_start));
	fflush(stdout);
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (ms > 0 && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static const char *hex(uint64_t v, char buf[static 20])
{
	snprintf(buf, 20, "0x%llx", (unsigned long long)v);
	return buf;
}

/* Die: "what: errno name (text)", exit 1. */
static void __attribute__((noreturn)) die_err(int err, const char *what)
{
	du_die(DU_EXIT_FAILURE, "%s: %s (%s)", what, du_errno_name(err),
	       strerror(err < 0 ? -err : err));
}

/* ---- the kernel log: DMA remapping faults ----------------------------- */

static int kmsg_faults(struct ctx *c, char *last, size_t lastsz);

/* /dev/kmsg, read from its start so that earlier faults count for the
 * ratelimit (FAULT_WINDOW_US). */
static void kmsg_open(struct ctx *c)
{
	c->kmsg = open("/dev/kmsg", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (c->kmsg < 0)
		die_err(-errno, "/dev/kmsg");
	kmsg_faults(c, NULL, 0);
}

static bool is_fault(const char *msg)
{
	return strstr(msg, "DMAR: [DMA Read") || strstr(msg, "DMAR: [DMA Write");
}

/*
 * Count the DMA remapping faults logged since the last call ("DMAR: [DMA
 * Read" / "[DMA Write", as vm_dmar_faults in tests/vm/lib/vm-suite.sh);
 * the last one's text goes to last (may be NULL).  Notes the times of the
 * faults and of this program's notes (kmsg_note()).
 */
static int kmsg_faults(struct ctx *c, char *last, size_t lastsz)
{
	char rec[8192];	/* a record that does not fit is EINVAL */
	int n = 0;

	for (;;) {
		ssize_t r = read(c->kmsg, rec, sizeof(rec) - 1);
		long long us;
		char *msg, *nl;

		if (r < 0) {
			if (errno == EINTR || errno == EPIPE)	/* EPIPE: overrun */
				continue;
			break;					/* EAGAIN: all read */
		}
		rec[r] = '\0';
		/* "PRIO,SEQ,MICROSECONDS,FLAGS[,...];TEXT\n" */
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%*u,%*u,%lld", &us) != 1)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(msg, "p2p-byaddr: ", 12)) {
			c->note_us = us;
			continue;
		}
		if (!is_fault(msg))
			continue;
		n++;
		c->fault_us[2] = c->fault_us[1];
		c->fault_us[1] = c->fault_us[0];
		c->fault_us[0] = us;
		if (last)
			snprintf(last, lastsz, "%s", msg);
	}
	return n;
}

/* Write "p2p-byaddr: TEXT" to the kernel log; c->note_us is its time. */
static void kmsg_note(struct ctx *c, const char *text)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "p2p-byaddr: %s (%u)\n", text, ++c->notes);

	c->note_us = -1;
	if (write(c->kmsg, line, (size_t)n) != n)
		die_err(-errno, "/dev/kmsg: write");
	for (int i = 0; i < 100 && c->note_us < 0; i++) {
		kmsg_faults(c, NULL, 0);
		if (c->note_us < 0)
			sleep_ms(10);
	}
	if (c->note_us < 0)
		du_die(DU_EXIT_FAILURE, "/dev/kmsg: my note does not come back");
}

/* Interrupts of the IOMMUs' fault events ("dmar<N>" in /proc/interrupts,
 * summed over CPUs and units), or -1 when there is none. */
static long fault_irqs(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[4096];
	long total = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *name, *end;
		long sum = 0;
		size_t n;

		if (!p)
			continue;
		n = strcspn(line, "\n");
		line[n] = '\0';
		while (n && line[n - 1] == ' ')
			line[--n] = '\0';
		name = strrchr(line, ' ');
		if (!name || strncmp(name + 1, "dmar", 4) ||
		    strspn(name + 5, "0123456789") != strlen(name + 5) || !name[5])
			continue;
		p++;
		for (;;) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
		total = (total < 0 ? 0 : total) + sum;
	}
	fclose(f);
	return total;
}

/*
 * Before a DMA expected to fault (step name): wait until fewer than 3
 * faults of the last FAULT_WINDOW_US are in the log, so that the kernel
 * prints this one.
 */
static void fault_gap(struct ctx *c, const char *name)
{
	char text[128];

	snprintf(text, sizeof(text), "%s: the next DMA is expected to be blocked", name);
	kmsg_note(c, text);
	if (c->fault_us[2] && c->note_us - c->fault_us[2] < FAULT_WINDOW_US) {
		int64_t ms = (c->fault_us[2] + FAULT_WINDOW_US - c->note_us) / 1000;

		printf("%s_ratelimit_wait_ms=%lld\n", name, (long long)ms);
		sleep_ms(ms);
	}
}

/* ---- the backing file ------------------------------------------------- */

static void file_rw(struct ctx *c, bool wr, void *buf, uint64_t off)
{
	ssize_t r = wr ? pwrite(c->file_fd, buf, SLOT, (off_t)off)
		       : pread(c->file_fd, buf, SLOT, (off_t)off);

	if (r != (ssize_t)SLOT)
		du_die(DU_EXIT_FAILURE, "%s: %s at 0x%llx: %s", c->file,
		       wr ? "write" : "read", (unsigned long long)off,
		       r < 0 ? strerror(errno) : "short");
}

static void save(const struct ctx *c, const char *name, const char *ext,
		 const void *buf)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", c->out, name, ext);
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, SLOT, f) != SLOT || fclose(f))
		du_die(DU_EXIT_FAILURE, "%s: %s", path, strerror(errno));
}

static void pattern(unsigned char *buf, unsigned int seed)
{
	for (size_t i = 0; i < SLOT; i++) {
		buf[i] = (unsigned char)(seed * 37 + i * 11 + (i >> 8) * 5 + 1);
		if (buf[i] == MARKER)
			buf[i] = 0;
	}
}

/*
 * One step's DMA: marker into the slot through the file, edu copies its
 * buffer (the pattern in c->ram, loaded by setup()) to the slot's IOVA.
 * dead: the DMA is expected to fault (first wait until the kernel will
 * print the fault, afterwards wait for its report).
 */
static void dma_step(struct ctx *c, const char *name, unsigned int slot,
		     bool dead)
{
	unsigned char mark[SLOT], got[SLOT];
	uint64_t off = c->window + (uint64_t)slot * SLOT;
	uint64_t iova = c->iova + (uint64_t)slot * SLOT;
	char last[512] = "", b1[20], b2[20];
	const char *verdict;
	long irqs;
	int faults, r;

	if (c->ram == NULL)
		du_die(DU_EXIT_FAILURE, "internal: no RAM page");
	memset(mark, MARKER, SLOT);
	file_rw(c, true, mark, off);
	save(c, name, "marker", mark);
	save(c, name, "pattern", c->ram);
	if (dead)
		fault_gap(c, name);
	kmsg_faults(c, NULL, 0);	/* forget what came before */
	irqs = fault_irqs();
	r = du_edu_dma(&c->e, iova, SLOT, DU_EDU_FROM_DEVICE, 0, DMA_TIMEOUT_MS);
	if (r)
		die_err(r, "edu DMA edu -> BAR (did not complete)");
	faults = kmsg_faults(c, last, sizeof(last));
	if (dead) {
		int64_t until = now_ms() + FAULT_WAIT_MS;

		while (!faults && now_ms() < until) {
			sleep_ms(20);
			faults += kmsg_faults(c, last, sizeof(last));
		}
	}
	file_rw(c, false, got, off);
	if (!memcmp(got, c->ram, SLOT))
		verdict = "pattern";
	else if (!memcmp(got, mark, SLOT))
		verdict = "marker";
	else
		verdict = "other";
	printf("%s_slot=%u\n%s_iova=%s\n%s_bar_offset=%s\n%s_bytes=%s\n"
	       "%s_faults=%d\n%s_fault_irqs=%ld\n",
	       name, slot, name, hex(iova, b1), name, hex(off, b2), name,
	       verdict, name, faults, name,
	       irqs < 0 ? -1 : fault_irqs() - irqs);
	if (*last)
		printf("%s_fault=%s\n", name, last);
	snprintf(last, sizeof(last), "t_%s", name);
	stamp(last);
}

/* ---- map and unmap, either route -------------------------------------- */

static int map_va(struct ctx *c, void *va, uint64_t len, uint64_t iova)
{
	if (c->route == ROUTE_COMPAT)
		return du_vfio_compat_map_dma(c->iommufd, iova, va, len,
					      DU_IOMMU_READ | DU_IOMMU_WRITE);
	return du_ioas_map(c->iommufd, c->ioas, va, len, &iova,
			   DU_IOMMU_FIXED | DU_IOMMU_READ | DU_IOMMU_WRITE);
}

static int unmap_iova(struct ctx *c, uint64_t iova, uint64_t len,
		      uint64_t *done)
{
	*done = 0;
	if (c->route == ROUTE_COMPAT)
		return du_vfio_compat_unmap_dma(c->iommufd, iova, len, done);
	return du_ioas_unmap(c->iommufd, c->ioas, iova, len, done);
}

/* Unmap the window's IOVA range after step name; print what was unmapped. */
static void unmap_step(struct ctx *c, const char *name)
{
	uint64_t done;
	char what[64], b[20];
	int r = unmap_iova(c, c->iova, c->len, &done);

	snprintf(what, sizeof(what), "%s: unmap of the dead range", name);
	if (r)
		die_err(r, what);
	printf("%s_unmapped=%s\n", name, hex(done, b));
}

/* Map va at --iova after step name; die unless it works. */
static void remap_step(struct ctx *c, const char *name, void *va)
{
	char what[64];
	int r = map_va(c, va, c->len, c->iova);

	snprintf(what, sizeof(what), "%s: map of the VA", name);
	if (r)
		die_err(r, what);
}

/* ---- opening the devices ---------------------------------------------- */

static void parse_bdf(const char *opt, const char *bdf, char *full, size_t n)
{
	struct du_pci_addr a;

	if (!bdf || !*bdf)
		du_die(DU_EXIT_USAGE, "%s not given and its $DU_..._BDF not set", opt);
	if (du_parse_pci_addr(bdf, &a))
		du_die(DU_EXIT_USAGE, "%s: invalid PCI address '%s'", opt, bdf);
	du_pci_addr_format(&a, full, n);
}

/* Route ioas: open the cdev of bdf, bound to the iommufd. */
static int open_cdev(struct ctx *c, const char *bdf, struct du_vfio_device *d)
{
	struct du_pci_addr a;
	char what[64];
	int r;

	if (du_parse_pci_addr(bdf, &a))
		du_die(DU_EXIT_USAGE, "invalid PCI address '%s'", bdf);
	r = du_vfio_open(&a, c->iommufd, DU_VFIO_OPEN_NO_LEGACY, d);
	snprintf(what, sizeof(what), "%s: open the VFIO cdev and bind it", bdf);
	if (r)
		die_err(r, what);
	return d->fd;
}

/* Route compat: open the IOMMU group of bdf and set the iommufd as its
 * container. */
static int open_group(struct ctx *c, const char *name, const char *bdf)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct du_pci_addr a;
	char path[PATH_MAX];
	int g, r;

	if (du_parse_pci_addr(bdf, &a))
		du_die(DU_EXIT_USAGE, "invalid PCI address '%s'", bdf);
	r = du_pci_vfio_group_path(&a, path, sizeof(path));
	if (r)
		die_err(r, "the IOMMU group of the device");
	g = open(path, O_RDWR | O_CLOEXEC);
	if (g < 0)
		die_err(-errno, path);
	if (ioctl(g, VFIO_GROUP_GET_STATUS, &st))
		die_err(-errno, "VFIO_GROUP_GET_STATUS");
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		du_die(DU_EXIT_FAILURE, "%s: group not viable", path);
	if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &c->iommufd))
		die_err(-errno, "VFIO_GROUP_SET_CONTAINER (the iommufd as container)");
	printf("%s_group=%s\n", name, path);
	return g;
}

static int group_device(int group, const char *bdf)
{
	int fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);

	if (fd < 0)
		die_err(-errno, "VFIO_GROUP_GET_DEVICE_FD");
	return fd;
}

/*
 * Everything before the VA: the iommufd, edu attached (an IOAS, or the
 * compat container's), ivshmem open, edu's DMA source page mapped.
 */
static void setup(struct ctx *c)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char b[20];
	int r;

	if (mkdir(c->out, 0755) && errno != EEXIST)
		die_err(-errno, c->out);
	c->file_fd = open(c->file, O_RDWR | O_CLOEXEC);
	if (c->file_fd < 0)
		die_err(-errno, c->file);
	kmsg_open(c);
	c->iommufd = du_iommufd_open();
	if (c->iommufd < 0)
		die_err(c->iommufd, "/dev/iommu");
	if (c->route == ROUTE_COMPAT) {
		uint32_t ioas;

		c->edu_group = open_group(c, "edu", c->edu_bdf);
		c->ivs_group = open_group(c, "ivshmem", c->ivs_bdf);
		r = ioctl(c->iommufd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
		printf("compat_type1v2_extension=%d\n", r);
		r = du_vfio_compat_set_iommu(c->iommufd, VFIO_TYPE1v2_IOMMU);
		if (r)
			die_err(r, "VFIO_SET_IOMMU VFIO_TYPE1v2_IOMMU on the iommufd");
		c->edu_fd = group_device(c->edu_group, c->edu_bdf);
		c->ivs_fd = group_device(c->ivs_group, c->ivs_bdf);
		if (!du_vfio_compat_ioas_get(c->iommufd, &ioas))
			printf("compat_ioas_id=%u\n", ioas);
	} else {
		r = du_ioas_alloc(c->iommufd, &c->ioas);
		if (r)
			die_err(r, "IOMMU_IOAS_ALLOC");
		printf("ioas_id=%u\n", c->ioas);
		c->edu_fd = open_cdev(c, c->edu_bdf, &c->edu);
		r = du_vfio_attach(c->edu_fd, c->ioas, NULL);
		if (r)
			die_err(r, "VFIO_DEVICE_ATTACH_IOMMUFD_PT (edu)");
		c->ivs_fd = open_cdev(c, c->ivs_bdf, &c->ivs);
	}
	r = du_edu_open(c->edu_fd, &c->e);
	if (r)
		die_err(r, "edu BAR0");
	r = du_vfio_region_info(c->ivs_fd, c->bar, &c->reg);
	if (r)
		die_err(r, "VFIO_DEVICE_GET_REGION_INFO (ivshmem)");
	if (c->window > c->reg.size || c->len > c->reg.size - c->window)
		du_die(DU_EXIT_USAGE, "the window is outside BAR%u (%s bytes)",
		       c->bar, hex(c->reg.size, b));
	c->ram = mmap(NULL, page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->ram == MAP_FAILED)
		die_err(-errno, "mmap (RAM)");
	pattern(c->ram, 1 + c->route * 2 + c->mode);
	r = map_va(c, c->ram, page, RAM_SRC_IOVA);
	if (r)
		die_err(r, "map of the RAM source page");
	/* edu's buffer holds the pattern from now on: each step only copies
	 * it out (a DMA takes 100 ms of QEMU's clock) */
	r = du_edu_dma(&c->e, RAM_SRC_IOVA, SLOT, DU_EDU_TO_DEVICE, 0, DMA_TIMEOUT_MS);
	if (r)
		die_err(r, "edu DMA RAM -> edu");
	stamp("t_setup");
}

/* Close everything setup() opened, the devices first (its exit would,
 * in no particular order), and say when. */
static void teardown(struct ctx *c)
{
	du_edu_close(&c->e);
	if (c->edu_fd >= 0)
		close(c->edu_fd);
	if (c->ivs_fd >= 0)
		close(c->ivs_fd);
	c->edu_fd = c->ivs_fd = c->edu.fd = c->ivs.fd = -1;
	stamp("t_closed_devices");
	if (c->edu_group >= 0)
		close(c->edu_group);
	if (c->ivs_group >= 0)
		close(c->ivs_group);
	close(c->iommufd);
	c->edu_group = c->ivs_group = c->iommufd = -1;
	stamp("t_closed_iommufd");
}

/* The BAR window through the device fd. */
static void *bar_mmap(struct ctx *c)
{
	return mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_SHARED, c->ivs_fd,
		    (off_t)(c->reg.offset + c->window));
}

/* Export the window as a DMA-BUF and mmap it: *va, returns the fd. */
static int export_mmap(struct ctx *c, void **va)
{
	int fd = du_vfio_dmabuf_export(c->ivs_fd, c->bar,
				       &(struct du_range){ c->window, c->len },
				       1, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die_err(fd, "VFIO_DEVICE_FEATURE_DMA_BUF");
	*va = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return fd;
}

/* ---- the sequences ---------------------------------------------------- */

static bool can_reset(struct ctx *c)
{
	struct du_vfio_info info;

	return !du_vfio_device_info(c->ivs_fd, &info) &&
	       (info.flags & VFIO_DEVICE_FLAGS_RESET);
}

/* reset, then remapped: the reset kills the IOVA range for good; a new
 * map of the same VA works again. */
static void reset_steps(struct ctx *c, void *va)
{
	int r;

	if (!can_reset(c)) {
		printf("reset=unsupported\n");
		return;
	}
	r = du_vfio_reset(c->ivs_fd);
	if (r)
		die_err(r, "VFIO_DEVICE_RESET (ivshmem)");
	printf("reset=done\n");
	dma_step(c, "reset", 1, true);
	unmap_step(c, "reset");
	remap_step(c, "remapped", va);
	dma_step(c, "remapped", 2, false);
}

static int sequence(struct ctx *c)
{
	void *va;
	int buf = -1, r;
	char b1[20], b2[20];

	setup(c);
	if (c->mode == MODE_BAR) {
		va = bar_mmap(c);
		if (va == MAP_FAILED)
			die_err(-errno, "mmap of BAR2 through the device fd");
	} else {
		buf = export_mmap(c, &va);
		if (va == MAP_FAILED) {
			int err = errno;

			printf("mmap_errno=%s\n", du_errno_name(err));
			du_die(EXIT_NO_MMAP, "mmap of the exported DMA-BUF: %s "
			       "(a kernel without DMA-BUF mmap: nothing to map by address)",
			       strerror(err));
		}
	}
	printf("va=%s\nlength=%s\n", hex((uintptr_t)va, b1), hex(c->len, b2));
	r = map_va(c, va, c->len, c->iova);
	if (r) {
		printf("map_errno=%s\n", du_errno_name(r));
		fflush(stdout);
		if (r == -EFAULT)
			du_die(EXIT_EFAULT, "%s of the %s mapping's VA: EFAULT "
			       "(the kernel cannot map a BAR by address)",
			       c->route == ROUTE_COMPAT ? "VFIO_IOMMU_MAP_DMA" : "IOMMU_IOAS_MAP",
			       c->mode == MODE_BAR ? "BAR" : "DMA-BUF");
		die_err(r, "map of the VA");
	}
	printf("map=ok\n");
	if (c->map_only)
		return DU_EXIT_OK;
	dma_step(c, "mapped", 0, false);
	reset_steps(c, va);

	if (c->mode == MODE_BAR) {
		close(c->ivs_fd);
		c->ivs_fd = c->ivs.fd = -1;
		dma_step(c, "closed_fd", 3, false);
		if (munmap(va, c->len))
			die_err(-errno, "munmap of the BAR");
		dma_step(c, "munmapped", 4, true);
		unmap_step(c, "munmapped");
		teardown(c);
		return DU_EXIT_OK;
	}

	r = du_vfio_dmabuf_revoke(c->ivs_fd, buf);
	if (r)
		die_err(r, "VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE");
	dma_step(c, "revoked", 3, true);
	unmap_step(c, "revoked");
	r = map_va(c, va, c->len, c->iova);
	printf("revoked_remap_errno=%s\n", r ? du_errno_name(r) : "none");
	if (!r)
		unmap_step(c, "revoked_remap");
	munmap(va, c->len);
	close(buf);

	buf = export_mmap(c, &va);
	if (va == MAP_FAILED)
		die_err(-errno, "mmap of the second DMA-BUF");
	remap_step(c, "exported2", va);
	dma_step(c, "exported2", 4, false);
	close(c->ivs_fd);
	c->ivs_fd = c->ivs.fd = -1;
	dma_step(c, "closed_fd", 5, true);
	unmap_step(c, "closed_fd");
	munmap(va, c->len);
	close(buf);
	teardown(c);
	return DU_EXIT_OK;
}

/* ---- race ------------------------------------------------------------- */

struct race {
	struct ctx *c;
	atomic_bool stop;
	_Atomic(uintptr_t) bar_va, buf_va;
	int buf;			/* B's current buffer */
	/* A, by the VA mapped: [0] the exported buffer's, [1] the BAR's */
	unsigned long maps[2], map_ok[2], map_enodev[2], map_efault[2];
	unsigned long map_other[2], unmap_fail;
	int other_err;
	/* B */
	unsigned long revokes, exports, resets;
	char b_error[128];
	/* C */
	unsigned long remaps;
	char c_error[128];
};

static void *race_a(void *arg)
{
	struct race *rc = arg;
	struct ctx *c = rc->c;
	uint64_t iova = c->iova + RACE_IOVA_OFF, done;

	for (unsigned long i = 0; !atomic_load(&rc->stop); i++) {
		unsigned int k = i & 1;
		void *va = (void *)atomic_load(k ? &rc->bar_va : &rc->buf_va);
		int r = map_va(c, va, c->len, iova);

		rc->maps[k]++;
		if (r == -ENODEV) {
			rc->map_enodev[k]++;
		} else if (r == -EFAULT) {
			rc->map_efault[k]++;
		} else if (r) {
			rc->map_other[k]++;
			rc->other_err = r;
		} else {
			rc->map_ok[k]++;
			if (unmap_iova(c, iova, c->len, &done) || done != c->len)
				rc->unmap_fail++;
		}
	}
	return NULL;
}

static void *race_b(void *arg)
{
	struct race *rc = arg;
	struct ctx *c = rc->c;

	for (unsigned long i = 0; !atomic_load(&rc->stop); i++) {
		void *va, *old;
		int r, fd;

		if (c->race_b == RACE_B_IDLE) {
			sleep_ms(10);
			continue;
		}
		if (c->race_b == RACE_B_RESET ||
		    (c->race_b == RACE_B_BOTH && i % 3 == 2)) {
			r = du_vfio_reset(c->ivs_fd);
			if (r) {
				snprintf(rc->b_error, sizeof(rc->b_error),
					 "VFIO_DEVICE_RESET: %s", du_errno_name(r));
				break;
			}
			rc->resets++;
			continue;
		}
		r = du_vfio_dmabuf_revoke(c->ivs_fd, rc->buf);
		if (r) {
			snprintf(rc->b_error, sizeof(rc->b_error),
				 "DMA_BUF_REVOKE: %s", du_errno_name(r));
			break;
		}
		rc->revokes++;
		fd = du_vfio_dmabuf_export(c->ivs_fd, c->bar,
					   &(struct du_range){ c->window, c->len },
					   1, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			snprintf(rc->b_error, sizeof(rc->b_error),
				 "DMA_BUF export: %s", du_errno_name(fd));
			break;
		}
		va = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (va == MAP_FAILED) {
			snprintf(rc->b_error, sizeof(rc->b_error),
				 "mmap of the new DMA-BUF: %s", du_errno_name(errno));
			close(fd);
			break;
		}
		old = (void *)atomic_exchange(&rc->buf_va, (uintptr_t)va);
		munmap(old, c->len);
		close(rc->buf);
		rc->buf = fd;
		rc->exports++;
	}
	return NULL;
}

static void *race_c(void *arg)
{
	struct race *rc = arg;
	struct ctx *c = rc->c;

	while (!atomic_load(&rc->stop)) {
		volatile unsigned char *va = bar_mmap(c);
		void *old;

		if ((void *)va == MAP_FAILED) {
			snprintf(rc->c_error, sizeof(rc->c_error),
				 "mmap of the BAR: %s", du_errno_name(errno));
			break;
		}
		(void)va[0];		/* fault it in (waits out a reset) */
		old = (void *)atomic_exchange(&rc->bar_va, (uintptr_t)va);
		munmap(old, c->len);
		rc->remaps++;
	}
	return NULL;
}

static void watchdog(int sig)
{
	static const char msg[] = "p2p-byaddr: race: still running long after "
				  "--seconds (a hang?)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(DU_EXIT_FAILURE);
	_exit(DU_EXIT_FAILURE);
}

/* After the race: map a VA afresh and let edu's DMA land through it. */
static void race_final(struct ctx *c, const char *name, void *va,
		       unsigned int slot)
{
	uint64_t done;
	int r = map_va(c, va, c->len, c->iova);
	char what[64];

	snprintf(what, sizeof(what), "%s: map of the VA after the race", name);
	if (r)
		die_err(r, what);
	dma_step(c, name, slot, false);
	r = unmap_iova(c, c->iova, c->len, &done);
	if (r)
		die_err(r, "unmap after the race");
}

static int race(struct ctx *c)
{
	struct race rc = { .c = c };
	pthread_t t[3];
	void *(*fn[3])(void *) = { race_a, race_b, race_c };
	void *va;
	int64_t t0;

	setup(c);
	if (!can_reset(c))
		du_die(DU_EXIT_USAGE, "race: ivshmem has no reset method (use profile e2e or e2e-up)");
	va = bar_mmap(c);
	if (va == MAP_FAILED)
		die_err(-errno, "mmap of BAR2 through the device fd");
	atomic_store(&rc.bar_va, (uintptr_t)va);
	rc.buf = export_mmap(c, &va);
	if (va == MAP_FAILED)
		die_err(-errno, "mmap of the exported DMA-BUF");
	atomic_store(&rc.buf_va, (uintptr_t)va);

	signal(SIGALRM, watchdog);
	alarm(c->seconds * 20 + 120);
	t0 = now_ms();
	for (int i = 0; i < 3; i++) {
		int r = pthread_create(&t[i], NULL, fn[i], &rc);

		if (r)
			die_err(r, "pthread_create");
	}
	sleep_ms((int64_t)c->seconds * 1000);
	atomic_store(&rc.stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	alarm(0);
	stamp("t_joined");
	printf("race_ms=%lld\n", (long long)(now_ms() - t0));
	for (int k = 0; k < 2; k++) {
		const char *what = k ? "bar" : "dmabuf";

		printf("a_%s_maps=%lu\na_%s_map_ok=%lu\na_%s_map_enodev=%lu\n"
		       "a_%s_map_efault=%lu\n",
		       what, rc.maps[k], what, rc.map_ok[k], what,
		       rc.map_enodev[k], what, rc.map_efault[k]);
	}
	printf("a_maps=%lu\na_map_ok=%lu\na_map_enodev=%lu\na_map_efault=%lu\n"
	       "a_map_other=%lu\na_unmap_fail=%lu\n",
	       rc.maps[0] + rc.maps[1], rc.map_ok[0] + rc.map_ok[1],
	       rc.map_enodev[0] + rc.map_enodev[1],
	       rc.map_efault[0] + rc.map_efault[1],
	       rc.map_other[0] + rc.map_other[1], rc.unmap_fail);
	if (rc.map_other[0] + rc.map_other[1])
		printf("a_other_errno=%s\n", du_errno_name(rc.other_err));
	printf("b_revokes=%lu\nb_exports=%lu\nb_resets=%lu\nc_remaps=%lu\n",
	       rc.revokes, rc.exports, rc.resets, rc.remaps);
	printf("b_error=%s\nc_error=%s\n", rc.b_error, rc.c_error);
	fflush(stdout);

	race_final(c, "final_bar", (void *)atomic_load(&rc.bar_va), 0);
	race_final(c, "final_dmabuf", (void *)atomic_load(&rc.buf_va), 1);
	stamp("t_final");
	munmap((void *)atomic_load(&rc.bar_va), c->len);
	munmap((void *)atomic_load(&rc.buf_va), c->len);
	close(rc.buf);
	teardown(c);
	return DU_EXIT_OK;
}

/*
 * all: the four sequences and the race, each in a child process (so that
 * one that fails leaves the others be, and a child's exit closes its
 * devices), with the windows at --window + 0, 1, 2, 3 and 4 MiB (ioas bar,
 * ioas dmabuf, compat bar, compat dmabuf, race) and the output of run RUN
 * in --out/RUN.out and RUN.err, its files in --out/RUN/.  The race (no
 * dead DMA) runs in the middle, while dmar_fault's ratelimit recovers from
 * the first two runs' faults.  Prints RUN_rc (the child's exit status) and
 * RUN_ms for each.  Exit status 0 when every child exited 0, else 1.
 */
static int run_all(const struct ctx *base)
{
	static const struct {
		const char *name;
		int route, mode;
		unsigned int window;	/* MiB after --window */
	} runs[] = {
		{ "ioas-bar", ROUTE_IOAS, MODE_BAR, 0 },
		{ "ioas-dmabuf", ROUTE_IOAS, MODE_DMABUF, 1 },
		{ "race", ROUTE_RACE, MODE_BAR, 4 },
		{ "compat-bar", ROUTE_COMPAT, MODE_BAR, 2 },
		{ "compat-dmabuf", ROUTE_COMPAT, MODE_DMABUF, 3 },
	};
	int ret = DU_EXIT_OK;

	if (mkdir(base->out, 0755) && errno != EEXIST)
		die_err(-errno, base->out);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		char dir[PATH_MAX], path[PATH_MAX + 8];
		int64_t t0 = now_ms();
		int st, rc;
		pid_t pid;

		snprintf(dir, sizeof(dir), "%s/%s", base->out, runs[i].name);
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			die_err(-errno, "fork");
		if (pid == 0) {
			struct ctx c = *base;

			c.route = runs[i].route;
			c.mode = runs[i].mode;
			c.window = base->window + ((uint64_t)runs[i].window << 20);
			c.out = dir;
			t_start = now_ms();
			snprintf(path, sizeof(path), "%s.out", dir);
			if (!freopen(path, "w", stdout))
				_exit(DU_EXIT_FAILURE);
			snprintf(path, sizeof(path), "%s.err", dir);
			if (!freopen(path, "w", stderr))
				_exit(DU_EXIT_FAILURE);
			printf("route=%s\n", du_keyword_name(routes, c.route));
			if (c.route != ROUTE_RACE)
				printf("mode=%s\n", du_keyword_name(modes, c.mode));
			exit(c.route == ROUTE_RACE ? race(&c) : sequence(&c));
		}
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				die_err(-errno, "waitpid");
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		printf("%s_rc=%d\n%s_ms=%lld\n", runs[i].name, rc, runs[i].name,
		       (long long)(now_ms() - t0));
		fflush(stdout);
		if (rc)
			ret = DU_EXIT_FAILURE;
	}
	return ret;
}

static uint64_t num_arg(const char *opt, const char *s)
{
	uint64_t v;

	if (du_parse_size(s, &v))
		du_die(DU_EXIT_USAGE, "%s: invalid number '%s'", opt, s);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "edu", required_argument, NULL, 'e' },
		{ "ivshmem", required_argument, NULL, 'i' },
		{ "file", required_argument, NULL, 'f' },
		{ "window", required_argument, NULL, 'w' },
		{ "length", required_argument, NULL, 'l' },
		{ "iova", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "map-only", no_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "race-b", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = {
		.edu_bdf = getenv("DU_EDU_BDF"), .ivs_bdf = getenv("DU_IVSHMEM_BDF"),
		.file = getenv("DU_IVSHMEM_FILE"), .out = ".", .bar = 2,
		.window = 48 << 20, .len = 1 << 20, .iova = 16 << 20,
		.seconds = 4, .iommufd = -1, .edu_group = -1, .ivs_group = -1,
		.edu_fd = -1, .ivs_fd = -1, .file_fd = -1, .kmsg = -1,
	};
	char edu[32], ivs[32];
	uint64_t v;
	int opt;

	t_start = now_ms();
	while ((opt = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'e': c.edu_bdf = optarg; break;
		case 'i': c.ivs_bdf = optarg; break;
		case 'f': c.file = optarg; break;
		case 'w': c.window = num_arg("--window", optarg); break;
		case 'l': c.len = num_arg("--length", optarg); break;
		case 'a': c.iova = num_arg("--iova", optarg); break;
		case 'o': c.out = optarg; break;
		case 'm': c.map_only = true; break;
		case 's':
			v = num_arg("--seconds", optarg);
			if (!v || v > 600)
				du_die(DU_EXIT_USAGE, "--seconds must be 1..600");
			c.seconds = (unsigned int)v;
			break;
		case 'B':
			if (du_parse_keyword(optarg, race_bs, &c.race_b))
				du_die(DU_EXIT_USAGE, "--race-b: both, revoke, reset or idle, not '%s'",
				       optarg);
			break;
		case 'h': usage(stdout, DU_EXIT_OK); break;
		default: usage(stderr, DU_EXIT_USAGE);
		}
	}
	if (optind >= argc || du_parse_keyword(argv[optind], routes, &c.route))
		usage(stderr, DU_EXIT_USAGE);
	if (c.route == ROUTE_RACE || c.route == ROUTE_ALL) {
		if (optind + 1 != argc)
			usage(stderr, DU_EXIT_USAGE);
	} else if (optind + 2 != argc ||
		   du_parse_keyword(argv[optind + 1], modes, &c.mode)) {
		usage(stderr, DU_EXIT_USAGE);
	}
	if (c.len < 64 * 1024 || c.len > 1 << 20 || c.len % SLOT || c.window % SLOT)
		du_die(DU_EXIT_USAGE, "--length must be 64K..1M and it and --window page aligned");
	if (c.iova % SLOT || c.iova < RAM_SRC_IOVA + SLOT ||
	    c.iova + RACE_IOVA_OFF + c.len > DU_EDU_DMA_LIMIT)
		du_die(DU_EXIT_USAGE, "--iova must be page aligned, above the RAM page and below 254M");
	if (!c.file || !*c.file)
		du_die(DU_EXIT_USAGE, "--file not given and $DU_IVSHMEM_FILE not set");
	parse_bdf("--edu", c.edu_bdf, edu, sizeof(edu));
	parse_bdf("--ivshmem", c.ivs_bdf, ivs, sizeof(ivs));
	c.edu_bdf = edu;
	c.ivs_bdf = ivs;
	if (c.route == ROUTE_ALL)
		return run_all(&c);
	printf("route=%s\n", du_keyword_name(routes, c.route));
	if (c.route != ROUTE_RACE)
		printf("mode=%s\n", du_keyword_name(modes, c.mode));
	fflush(stdout);
	return c.route == ROUTE_RACE ? race(&c) : sequence(&c);
}
