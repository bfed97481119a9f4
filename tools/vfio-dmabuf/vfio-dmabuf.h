/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-dmabuf: internal interfaces shared by the subcommand files.
 */
#ifndef VFIO_DMABUF_H
#define VFIO_DMABUF_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "du/parse.h"
#include "du/pci.h"
#include "du/vfio.h"

/* ---- global state (main.c) -------------------------------------------- */

struct vd_global {
	bool json;
	bool pretty;
	const char *proc_root;	/* "/proc" unless --proc-root */
};
extern struct vd_global vd_g;

/* A {name, handler} dispatch table; ends with a NULL name. */
struct vd_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/*
 * Dispatch argv[0] (the verb) through table.  "help" and a missing verb
 * print the table; an unknown verb is a usage error.  prefix is the command
 * path so far ("vfio-dmabuf memattr").
 */
int vd_dispatch(const char *prefix, const struct vd_cmd *table,
		int argc, char **argv);

/*
 * Parse a subcommand's options: argv[0] is the verb.  Error messages and
 * --help show "vfio-dmabuf <path>".  Exits 2 on a usage error.
 */
void vd_parse(const struct argp *argp, const char *path, int argc,
	      char **argv, void *input);

/* vd_parse() for a command whose options end at its first argument (the
 * rest is a COMMAND to run): long options after it are not checked. */
void vd_parse_to_arg(const struct argp *argp, const char *path, int argc,
		     char **argv, void *input);

/* Print "vfio-dmabuf <cmd>: msg" and exit 2. */
void vd_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						   noreturn));

/* Start an output session with the global -j/-p; end it and return the
 * exit status (status unless stdout failed). */
void vd_out_begin(void);
int vd_out_end(int status);

/*
 * Listings (maps, info, list, probe): the common options of du/table.h.
 * vd_table_start() applies -J (as -j), makes the table for cols (an
 * unknown or malformed -o column is a usage error: exit 2) and, with
 * --list-columns, prints the columns and returns NULL with the exit
 * status in *status; otherwise returns the table (the caller starts the
 * output session with vd_out_begin() once its own checks passed).
 */
struct du_column;
struct du_table;
struct du_table_opts;
struct du_table *vd_table_start(const struct du_column *cols, size_t ncols,
				struct du_table_opts *o, int *status);

/* Long-only option keys shared by several commands. */
enum {
	OPT_SOCKET = 0x100,
	OPT_ID,
	OPT_DEVICE,
	OPT_BAR,
	OPT_RANGE,
	OPT_NAME,
	OPT_MEMATTR,
	OPT_FD,
	OPT_DEVICE_FD,
	OPT_VFIO_MODE,
	OPT_ALLOW_OVERLAP,
	OPT_PID,
	OPT_INODE,
	OPT_MODE,
	OPT_BACKGROUND,
	OPT_REQUIRE,
	OPT_OFFSET,
	OPT_LENGTH,
	OPT_WIDTH,
	OPT_COUNT,
	OPT_VALUE,
	OPT_PATTERN,
	OPT_RAW,
	OPT_INPUT,
	OPT_ENV_FD,
	OPT_DRY_RUN,
	OPT_GROUP,
	OPT_QUIET,
	OPT_READ_ONLY,
	OPT_REPEAT,
	OPT_INTERVAL,
	OPT_MAP_BAR,
};

/* Parse helpers that exit 2 with a message naming the option. */
int vd_arg_fd(const char *opt, const char *s);
uint32_t vd_arg_u32(const char *opt, const char *s);
uint64_t vd_arg_size(const char *opt, const char *s);
pid_t vd_arg_pid(const char *opt, const char *s);

/* Default broker socket: --socket, else $VFIO_DMABUF_SOCKET, else NULL. */
const char *vd_socket_default(const char *given);

/* ---- devices (device.c) ----------------------------------------------- */

enum vd_vfio_mode {
	VD_VFIO_AUTO,		/* cdev + iommufd, else legacy group */
	VD_VFIO_CDEV,
	VD_VFIO_GROUP,
};
extern const struct du_keyword vd_vfio_mode_keywords[];
/* --vfio-mode auto|cdev|group for the argp parser at state (exits 2). */
enum vd_vfio_mode vd_arg_vfio_mode(const struct argp_state *state,
				   const char *arg);

/* A PCI device as sysfs describes it. */
struct vd_pcidev {
	struct du_pci_addr addr;
	char bdf[DU_PCI_ADDR_STRLEN];
	struct du_pci_bar bars[DU_PCI_NUM_BARS];
};

/* Messages for validation errors are written into a caller's buffer so
 * that the broker can send them to its client. */
#define VD_MSG_LEN 200

/*
 * Look up a device given on the command line: parse, check it exists in
 * sysfs, read its BARs.  Returns 0 or an exit status (DU_EXIT_USAGE for a
 * malformed or unknown address), with msg filled.
 */
int vd_pcidev_lookup(const char *arg, struct vd_pcidev *d, char *msg,
		     size_t len);

/* The BAR can be exported or mapped: implemented, memory.  Returns 0 or
 * DU_EXIT_USAGE with msg filled. */
int vd_check_bar(const struct vd_pcidev *d, unsigned int bar, char *msg,
		 size_t len);

/*
 * Parse and validate a range list against BAR bar: non-empty, page aligned,
 * no overflow, inside the BAR, no overlaps unless allow_overlap.  ranges has
 * room for DU_VFIO_DMABUF_MAX_RANGES.  Returns 0 or DU_EXIT_USAGE with msg.
 */
int vd_parse_ranges(const char *arg, struct du_range *ranges, size_t *n,
		    char *msg, size_t len);
int vd_check_ranges(const struct vd_pcidev *d, unsigned int bar,
		    const struct du_range *ranges, size_t n,
		    bool allow_overlap, char *msg, size_t len);

/* The device is bound to vfio-pci.  Returns 0 or DU_EXIT_FAILURE. */
int vd_check_vfio_bound(const struct vd_pcidev *d, char *msg, size_t len);

struct du_vfio_device;
/* Open the device (after the checks above).  Returns 0 or an exit status
 * with msg filled. */
int vd_open_device(const struct vd_pcidev *d, enum vd_vfio_mode mode,
		   struct du_vfio_device *vfio, char *msg, size_t len);

/* Feature support of an open device (PROBE only). */
struct vd_features {
	bool dma_buf;		/* feature 11: export */
	bool revoke;		/* feature 14 */
	bool memattr;		/* feature 15 */
	int dma_buf_err;	/* errno of the failed probes, else 0 */
	int revoke_err;
	int memattr_err;
};
void vd_probe_features(int devfd, struct vd_features *f);

/* Can buffers of a BAR be write-combining, and if not, why: probe's WC
 * and WC-REASON columns, and the reason export and the broker give when
 * the kernel refuses WC. */
struct vd_bar_wc {
	enum du_wc wc;
	bool have_mask;		/* the region reported VFIO_REGION_INFO_CAP_MEMATTR */
	uint32_t mask;		/* its supported memattrs (bit N = memattr N) */
};

/*
 * Decide for BAR b (from sysfs) of the device open as devfd, whose
 * features are f (du_vfio_wc_verdict()).  devfd < 0 or f NULL: the device
 * is not open (not bound to vfio-pci).  Asks the region info only
 * (creates nothing).
 */
void vd_bar_wc(int devfd, const struct vd_features *f,
	       const struct du_pci_bar *b, struct vd_bar_wc *w);

/*
 * Why SET of memattr failed with err for a buffer of BAR b, in words: for
 * EOPNOTSUPP on WC the precise reason the BAR's capability gives (not
 * prefetchable, no WC memory type, or, when the BAR allows WC, a range
 * over the MSI-X table); otherwise, or without the capability, the
 * library's words (du_vfio_strerror()).  b may be NULL.
 */
const char *vd_memattr_why(int devfd, const struct vd_features *f,
			   const struct du_pci_bar *b, uint32_t memattr,
			   int err);

/*
 * Export ranges of bar as one DMA-BUF: probe, export, name, memattr.
 * bar_info is the BAR as sysfs describes it (for the reason of a refused
 * memattr; may be NULL).  memattr < 0 keeps the default.  Returns the fd,
 * or -status (an exit status, negated) with msg filled; no half-made
 * buffer is left behind.
 */
int vd_export(int devfd, const struct vd_features *f, unsigned int bar,
	      const struct du_pci_bar *bar_info,
	      const struct du_range *ranges, size_t n, const char *name,
	      int memattr, char *msg, size_t len);

/* Bytes of a DMA-BUF (lseek SEEK_END), or -errno. */
int64_t vd_dmabuf_size(int fd);
/* Inode number of an open file, 0 on error. */
uint64_t vd_inode(int fd);

/*
 * Check that fd is an open DMA-BUF.  Returns 0, or an exit status with msg
 * naming what it is instead ("a pipe", "a regular file", "not open").
 */
int vd_check_dmabuf_fd(int fd, char *msg, size_t len);

/*
 * VFIO_DEVICE_RESET of an open device (reset.c); what names it in msg.
 * *ns gets how long the ioctl took, *err the errno (0 on success).
 * Returns 0 or DU_EXIT_FAILURE with msg saying why in words ("EINVAL: the
 * device has no reset method ...").
 */
int vd_reset(int devfd, const char *what, uint64_t *ns, int *err, char *msg,
	     size_t len);

/* "nc"/"wc" */
const char *vd_memattr_name(uint32_t v);

/* ---- broker client (client.c) ----------------------------------------- */

struct vd_wire_buffer;
struct vd_client {
	int sock;
	uint32_t seq;
	const char *path;
};

/* Option keys of the broker's and its clients' timeouts (apart from the
 * enum above, so that the two lists can grow independently). */
enum {
	OPT_TIMEOUT = 0x180,	/* clients: --timeout SECONDS */
	OPT_CLIENT_TIMEOUT,	/* serve: --client-timeout SECONDS */
};

#define VD_TIMEOUT_DEFAULT_MS		5000	/* --timeout */
#define VD_TIMEOUT_MAX_S		1000000

/*
 * How long a client waits for the broker at each step (connecting, sending
 * a request, each message of a reply), in milliseconds; 0 waits forever.
 * Set by --timeout; VD_TIMEOUT_DEFAULT_MS otherwise.
 */
extern unsigned int vd_client_timeout_ms;

/*
 * Parse SECONDS for opt ("--timeout"): a decimal number with at most three
 * decimals (milliseconds), 0 to VD_TIMEOUT_MAX_S.  Returns milliseconds;
 * exits 2 with a message naming opt otherwise.
 */
unsigned int vd_arg_seconds(const char *opt, const char *s);

/*
 * Copy in to out (len bytes, NUL-terminated, truncated if need be) with
 * control bytes (below 0x20, and 0x7f) written as \xNN: for text that came
 * from the other end of the broker socket (requests in the broker's log,
 * the broker's messages on a client's terminal).
 */
void vd_escape_ctl(const char *in, char *out, size_t len);

/* "a regular file", "a directory"...: what a path that is not a socket is. */
const char *vd_file_kind(mode_t m);

/* "5", "0.5", "1.25": ms as seconds, for messages. */
void vd_format_seconds(unsigned int ms, char *buf, size_t len);

/* Connect; returns 0 or an exit status after printing the error. */
int vd_client_connect(struct vd_client *c, const char *path);
void vd_client_close(struct vd_client *c);

/*
 * Send a request and receive the reply.  *reply (VD_MSG_MAX bytes) gets
 * the reply; *fd (may be NULL) a received fd or -1.  Returns 0 when the
 * broker answered with status 0, else an exit status after printing the
 * broker's message (or the protocol error).
 */
int vd_client_call(struct vd_client *c, uint16_t type, const void *body,
		   size_t blen, void *reply, size_t *rlen, int *fd);

/* Get a buffer's fd from the broker (GET).  Returns 0 or exit status;
 * desc (may be NULL) receives the buffer description. */
int vd_client_get(struct vd_client *c, uint32_t id, int *fd, void *desc);

/* Print one buffer description (export, list, get). */
void vd_print_wire_buffer(const struct vd_wire_buffer *b, int fd);

/* ---- procfs (procfs.c) ------------------------------------------------ */
#include "procfs.h"

/* ---- subcommands ------------------------------------------------------ */
int cmd_export(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_memattr(int argc, char **argv);
int cmd_access(int argc, char **argv);
int cmd_maps(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_reset(int argc, char **argv);

#endif /* VFIO_DMABUF_H */
