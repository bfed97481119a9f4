/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommufd-ctl internals: the context every command runs in (one /dev/iommu
 * fd and the objects a one-shot command or a whole batch creates), command
 * dispatch and the helpers the command files share.
 */
#ifndef IOMMUFD_CTL_H
#define IOMMUFD_CTL_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "du/iommufd.h"
#include "du/output.h"
#include "du/vfio.h"

#define CTL_NAME_MAX 32		/* object names, including the NUL */
#define CTL_PAGE_SIZE 4096u	/* the smallest IOVA granule iommufd uses */

enum ctl_obj_type {
	CTL_OBJ_IOAS = 1,
	CTL_OBJ_HWPT,
	CTL_OBJ_DEVICE,
	CTL_OBJ_MEM,		/* a named memory object (mem.c) */
};

/* What a mapping was made from. */
enum ctl_src {
	CTL_SRC_ANON = 1,	/* fresh anonymous memory of iommufd-ctl */
	CTL_SRC_MEMFD,		/* a fresh memfd of iommufd-ctl */
	CTL_SRC_FILE,		/* --file PATH */
	CTL_SRC_FD,		/* --fd N (inherited file, memfd or DMA-BUF) */
	CTL_SRC_DMABUF,		/* --dmabuf-fd N */
	CTL_SRC_COPY,		/* ioas copy */
	CTL_SRC_MEM,		/* --mem NAME: a slice of a memory object */
	CTL_SRC_MMAP_FD,	/* --mmap-fd N: an mmap() of fd N, by address */
	CTL_SRC_BAR,		/* --device DEV --bar N: an mmap() of the BAR
				 * through the device fd, by address */
};

/* What a memory object is (mem.c). */
enum ctl_mem_kind {
	CTL_MEM_ANON = 1,	/* mem alloc: anonymous memory */
	CTL_MEM_MEMFD,		/* mem alloc --memfd */
	CTL_MEM_FILE,		/* mem open --file PATH */
	CTL_MEM_FD,		/* mem open --fd N */
	CTL_MEM_DMABUF,		/* mem open --dmabuf-fd N (or a DMA-BUF --fd) */
	CTL_MEM_BAR,		/* mem open --device DEV --bar N */
};

struct ctl_obj;

/* The memory object part of a ctl_obj (type CTL_OBJ_MEM). */
struct ctl_memobj {
	enum ctl_mem_kind kind;
	uint64_t size;			/* 0: unknown (dry run, fd not open) */
	void *addr;			/* mmap()ed, or NULL: map the fd */
	int fd;				/* the fd mapped (owned or inherited) */
	bool own_fd;			/* fd is ours: close it */
	bool by_addr;			/* IOMMU_IOAS_MAP of addr */
	bool devmem;			/* by address, and addr is a BAR or a
					 * DMA-BUF: not pages the kernel pins */
	int bar;			/* CTL_MEM_BAR: the BAR, else -1 */
	char dev[DU_PCI_ADDR_STRLEN];	/* CTL_MEM_BAR: the device */
	bool fd_checked;		/* false: dry run, fd not open */
	unsigned int access;		/* what it was opened / mmap()ed for */
	unsigned long nmaps;		/* tracked mappings of it */
	bool untracked;			/* mapped where the context cannot
					 * follow (an IOAS id it does not
					 * know, ioas copy): kept to the end */
	char *path;			/* --file PATH, or NULL */
};

/* A mapping this context made (iommufd does not list areas).  The mappings
 * of an IOAS form a set ordered by IOVA (maps.c): a treap for lookups and
 * the choice of free IOVAs, threaded by a list for walks in order. */
struct ctl_map {
	uint64_t iova;
	uint64_t length;		/* at least a page, see length_known */
	enum ctl_src src;
	unsigned int access;		/* DU_IOMMU_READ | DU_IOMMU_WRITE */
	uint64_t offset;		/* in the file / buffer */
	char *what;			/* path, "fd 5", "ioas A 0x..." or NULL */
	void *mem;			/* CTL_SRC_ANON: the memory, owned */
	size_t memlen;
	bool shared;			/* ioas copy took its pages elsewhere */
	bool length_known;		/* false: dry run, size of an fd not open */
	bool modelled;			/* dry run: IOVA the kernel would choose */
	struct ctl_obj *memobj;		/* CTL_SRC_MEM: the object, which
					 * counts this mapping (nmaps) */
	/* set membership (maps.c) */
	struct ctl_map *left, *right, *prev, *next;
	uint32_t prio;
	uint64_t min_start, max_last, max_gap;	/* of the subtree */
};

/* The mappings of one IOAS. */
struct ctl_maps {
	struct ctl_map *root;		/* treap by iova */
	struct ctl_map *first, *last;	/* in IOVA order */
	size_t n;
};

/* Object indexes (objects.c): by name, by (type, id), by PCI address. */
enum { CTL_IDX_NAME, CTL_IDX_ID, CTL_IDX_PCI, CTL_IDX_N };

struct ctl_index {
	struct ctl_obj **bucket;
	size_t nbuckets;		/* a power of two, or 0 */
	size_t n;
};

#define CTL_OBJ_TYPES 5			/* enum ctl_obj_type values + 1 */
#define CTL_MAX_ALLOW 64		/* ioas allow-iovas ranges */

struct ctl_obj {
	enum ctl_obj_type type;
	char name[CTL_NAME_MAX];	/* "" when the script gave none */
	uint32_t id;			/* kernel object id */
	bool implicit;			/* created for a one-shot command */
	/* IOAS */
	struct ctl_maps maps;
	size_t nallow;			/* dry run: allow-iovas ranges */
	struct du_iova_range *allow;	/* sorted by start, or NULL */
	/* device */
	struct du_vfio_device dev;
	char pci[DU_PCI_ADDR_STRLEN];
	bool attached;
	uint32_t pt_id;			/* what it was attached to */
	uint32_t hwpt_id;		/* HWPT the kernel used */
	/* HWPT */
	uint32_t dev_id;
	uint32_t parent_id;
	uint32_t flags;
	/* memory object */
	struct ctl_memobj memo;
	/* context lists and indexes (objects.c) */
	struct ctl_obj *prev, *next;		/* creation order */
	struct ctl_obj *type_prev, *type_next;	/* same type, creation order */
	struct ctl_obj *hnext[CTL_IDX_N];	/* index chains */
	uint32_t hash[CTL_IDX_N];
	bool indexed[CTL_IDX_N];
};

/* Memory the context owns until it ends (anonymous maps). */
struct ctl_mem {
	void *addr;
	size_t len;
	struct ctl_mem *next;
};

struct ctl {
	int iommufd;			/* -1 until a command needs it */
	bool batch;			/* running a -b script */
	bool force;			/* -f: keep going after errors */
	bool dry_run;			/* -n: parse and resolve only */
	bool batch_from_stdin;		/* exec children must not read it */
	bool json;			/* du_out_is_json(), asked once */
	const char *file;		/* batch file name ("-" for stdin) */
	unsigned long line;		/* batch line number */
	char *where;			/* message prefix: prog or FILE:LINE */
	size_t where_cap;
	const char *cmd;		/* "ioas map"... for messages/JSON:
					 * read it with ctl_cmd_name() */
	const char *cmd_what, *cmd_word; /* "ioas", "map": cmd is made of
					 * them when asked for (a line that
					 * prints nothing needs no name) */
	struct ctl_obj *objs, *objs_last;	/* in creation order */
	struct ctl_obj *type_first[CTL_OBJ_TYPES], *type_last[CTL_OBJ_TYPES];
	unsigned int type_count[CTL_OBJ_TYPES];
	struct ctl_index idx[CTL_IDX_N];
	struct ctl_mem *mem;
	uint32_t next_fake_id;		/* ids handed out in dry-run mode */
	uint32_t next_mem_id;		/* memory objects' own ids */
	/* vfio-compat: the IOAS 'vfio-compat set' chose (what a dry run
	 * knows of it), and whether VFIO_SET_IOMMU was issued for it */
	bool compat_known;
	uint32_t compat_ioas_id;
	bool compat_iommu_set;
	/* bumped when an object is made or removed: what hot lines found
	 * by name stays valid while it is unchanged (ioas.c) */
	unsigned long obj_gen;
	struct ctl_hot_ref {
		unsigned long gen;
		struct ctl_obj *obj;
		char name[CTL_NAME_MAX];
	} hot_ioas, hot_mem;
};

/* A {name, handler} table entry; the first entry with name == NULL is
 * the default when no word follows. */
struct ctl_cmd {
	const char *name;
	int (*fn)(struct ctl *c, int argc, char **argv);
	const char *summary;		/* one line for "help" */
};

/* Two strings are equal: an inline loop where a line's words are compared
 * with short names (command tables, object names), not a strcmp() call. */
static inline bool ctl_str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* ---- main.c ------------------------------------------------------------ */

/* Dispatch argv[0] in table; "help" lists the table.  Returns an exit
 * status.  what is the command prefix for messages ("ioas"). */
int ctl_dispatch(struct ctl *c, const struct ctl_cmd *table, const char *what,
		 int argc, char **argv);
int ctl_run(struct ctl *c, int argc, char **argv);
/* The running command's name ("ioas map"), or NULL. */
const char *ctl_cmd_name(struct ctl *c);

/* The context of this process (messages of option parsers name its
 * "FILE:LINE: command"). */
extern struct ctl *ctl_current;

/* Error reporting: "<where>: <cmd>: <message>" on stderr.  ctl_err()
 * returns DU_EXIT_FAILURE; ctl_usage() DU_EXIT_USAGE; ctl_fail() the given
 * status. */
int ctl_err(struct ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ctl_usage(struct ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ctl_fail(struct ctl *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parse the options of one command with argp.  argv[0] is the command's
 * last word.  Messages name "<where>: <cmd>".  Returns 0 to go on,
 * CTL_HELP_SHOWN when --help/--usage was handled, or DU_EXIT_USAGE.
 */
#define CTL_HELP_SHOWN (-1)
int ctl_parse(struct ctl *c, const struct argp *argp, int argc, char **argv,
	      void *input);

/* From a parse_opt function: report a bad argument (one line) and return
 * the error code argp expects.  Usable for every key. */
int ctl_argp_error(struct argp_state *state, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Common ARGP_KEY_INIT handling; call it from every parse_opt (inline:
 * every batch line runs it). */
extern FILE *ctl_null_stream;	/* argp's own "Try --help" lines go here */
static inline void ctl_argp_init(struct argp_state *state)
{
	/* One line per error: argp's "Try --help" hint is dropped. */
	if (ctl_null_stream)
		state->err_stream = ctl_null_stream;
}

/* Shared option parsers (they report through ctl_argp_error()). */
int ctl_opt_size(struct argp_state *st, const char *opt, const char *arg,
		 uint64_t *out, bool nonzero_page);
int ctl_opt_iova(struct argp_state *st, const char *opt, const char *arg,
		 uint64_t *out);
int ctl_opt_name(struct argp_state *st, const char *arg, const char **out);
int ctl_opt_fd(struct argp_state *st, const char *opt, const char *arg,
	       int *out);
int ctl_opt_access(struct argp_state *st, const char *arg,
		   unsigned int *out);
int ctl_opt_bar(struct argp_state *st, const char *arg, int *out);
/* "name NAME" positional keyword pair; returns 1 when handled. */
int ctl_opt_name_word(struct argp_state *st, const char *arg,
		      const char **out, int *err);

/* ---- objects.c --------------------------------------------------------- */

/* Open /dev/iommu on first use.  Returns 0 or an exit status (printed). */
int ctl_open_iommufd(struct ctl *c);
static inline int ctl_need_iommufd(struct ctl *c)
{
	return c->iommufd >= 0 || c->dry_run ? 0 : ctl_open_iommufd(c);
}

bool ctl_name_valid(const char *name);
struct ctl_obj *ctl_find_name(struct ctl *c, const char *name);
struct ctl_obj *ctl_find_id(struct ctl *c, enum ctl_obj_type type,
			    uint32_t id);
struct ctl_obj *ctl_find_pci(struct ctl *c, const struct du_pci_addr *a);
struct ctl_obj *ctl_obj_new(struct ctl *c, enum ctl_obj_type type,
			    const char *name, uint32_t id);
/* Change the id / PCI address of an object (keeps the indexes right). */
void ctl_obj_set_id(struct ctl *c, struct ctl_obj *o, uint32_t id);
void ctl_obj_set_pci(struct ctl *c, struct ctl_obj *o,
		     const struct du_pci_addr *a);
/* The objects of one type in creation order: ctl_first(), o->type_next. */
struct ctl_obj *ctl_first(struct ctl *c, enum ctl_obj_type type);
void ctl_obj_remove(struct ctl *c, struct ctl_obj *o);
const char *ctl_type_name(enum ctl_obj_type type);
/* How an object shows in messages: "A" or "1". */
const char *ctl_obj_label(const struct ctl_obj *o, char *buf, size_t len);
/* Number of objects of a type. */
unsigned int ctl_count(struct ctl *c, enum ctl_obj_type type);
struct ctl_obj *ctl_only(struct ctl *c, enum ctl_obj_type type);

/*
 * A reference to an object: a name, or a number (a kernel object id that
 * need not be known to the context: attach may create HWPTs).  For devices
 * also a PCI address; an address not bound yet is bound here (unless
 * bind is false).  Returns 0 and *out (may be a stack-less transient for
 * raw ids: *raw_id is then set and *out NULL), or an exit status
 * (printed).
 */
int ctl_resolve(struct ctl *c, enum ctl_obj_type type, const char *ref,
		struct ctl_obj **out, uint32_t *raw_id);
/* The IOAS a command works on: --ioas REF, else the only one, else (in a
 * one-shot command) a fresh implicit one. */
int ctl_resolve_ioas(struct ctl *c, const char *ref, uint32_t *id,
		     struct ctl_obj **out);
int ctl_resolve_device(struct ctl *c, const char *ref, struct ctl_obj **out);

/* ---- maps.c: the mappings of an IOAS ------------------------------------ */

/* Track a mapping (length 0: dry run, size unknown; it is kept as one
 * page).  Returns it, or NULL when out of memory. */
struct ctl_map *ctl_map_add(struct ctl_obj *ioas, uint64_t iova,
			    uint64_t length, enum ctl_src src,
			    unsigned int access, uint64_t offset,
			    const char *what);
/* The first mapping overlapping [iova, iova + length), or NULL. */
struct ctl_map *ctl_map_overlap(const struct ctl_obj *ioas, uint64_t iova,
				uint64_t length);
/* The first mapping with an IOVA >= iova, or NULL. */
struct ctl_map *ctl_map_from(const struct ctl_obj *ioas, uint64_t iova);
/*
 * What an unmap of [iova, iova + length) (length 0: everything) would do:
 * *bytes of the mappings inside it, and *cut the first mapping it cuts
 * through (or NULL).
 */
void ctl_map_unmap_check(const struct ctl_obj *ioas, uint64_t iova,
			 uint64_t length, uint64_t *bytes,
			 const struct ctl_map **cut);
/* True when [iova, iova + length) is covered by mappings without a hole. */
bool ctl_map_covered(const struct ctl_obj *ioas, uint64_t iova,
		     uint64_t length);
/*
 * The dry run's model of the IOVA the kernel chooses (iopt_alloc_iova()):
 * the lowest free IOVA from 4K up, inside the allow-iovas ranges if any,
 * aligned to the length rounded up to a power of two but at most 2M (and
 * to the lowest set bit of a non-zero offset).  Returns 0, -ENOSPC or
 * -EOVERFLOW, as the kernel would.
 */
int ctl_map_choose_iova(const struct ctl_obj *ioas, uint64_t length,
			uint64_t offset, uint64_t *iova);
/* Forget mappings inside [iova, iova + length) (length 0: all); their
 * anonymous memory is freed unless ioas copy shared it (then it is kept
 * until the context ends). */
void ctl_map_forget(struct ctl *c, struct ctl_obj *ioas, uint64_t iova,
		    uint64_t length);
/* Forget every mapping (the IOAS goes away). */
void ctl_map_forget_all(struct ctl *c, struct ctl_obj *ioas);
/* Mark the mappings overlapping [iova, iova + length) as shared. */
void ctl_map_share(struct ctl_obj *ioas, uint64_t iova, uint64_t length);

/* Free the nodes kept for reuse (at the end). */
void ctl_map_spare_free(void);

const char *ctl_src_name(enum ctl_src src);
int ctl_mem_keep(struct ctl *c, void *addr, size_t len);

/* Close every device, the iommufd and free everything. */
void ctl_end(struct ctl *c);

/* ---- output helpers (objects.c) ------------------------------------------ */

/* Open the result object of one command: {"command": "...", "line": N}. */
void ctl_result_open(struct ctl *c);
void ctl_result_close(void);
/* "access" as "rw", "r", "w". */
const char *ctl_access_name(unsigned int access);
/* The "mappings" array of an IOAS (text: one indented line each). */
void ctl_print_maps(const struct ctl_obj *ioas);
void ctl_print_obj_ref(const char *key_id, const char *key_name,
		       const struct ctl_obj *o, uint32_t id);

/* ---- command files -------------------------------------------------------- */

int ctl_cmd_ioas(struct ctl *c, int argc, char **argv);
int ctl_cmd_device(struct ctl *c, int argc, char **argv);
int ctl_cmd_hwpt(struct ctl *c, int argc, char **argv);
int ctl_cmd_compat(struct ctl *c, int argc, char **argv);
int ctl_cmd_exec(struct ctl *c, int argc, char **argv);
int ctl_cmd_show(struct ctl *c, int argc, char **argv);
int ctl_cmd_mem(struct ctl *c, int argc, char **argv);
/* vfio-compat map and unmap (ioas.c: they share ioas map's code). */
int ctl_compat_map(struct ctl *c, int argc, char **argv);
int ctl_compat_unmap(struct ctl *c, int argc, char **argv);

/* ---- devmem.c: memory iommufd-ctl mmap()s to map by address -------------- */

enum ctl_fd_kind {
	CTL_FD_CLOSED = -1,	/* not an open fd */
	CTL_FD_OTHER,		/* a file, memfd... */
	CTL_FD_DMABUF,		/* a DMA-BUF */
	CTL_FD_VFIO_DEVICE,	/* a VFIO device fd (its BARs, by offset) */
};
enum ctl_fd_kind ctl_fd_kind(int fd);
/* What an fd that is not a DMA-BUF is, for messages ("a regular file",
 * "a pipe"...). */
const char *ctl_describe_fd(int fd);

/* A fd to mmap() for access: one open read-only cannot be mapped
 * writable.  Returns 0 or DU_EXIT_USAGE (printed). */
int ctl_check_fd_access(struct ctl *c, int fd, const char *what,
			unsigned int access);

/* A BAR of a device bound in the context (--device DEV --bar N). */
struct ctl_bar {
	struct ctl_obj *dev;
	bool bound;			/* bound by ctl_bar_resolve() */
	unsigned int bar;
	uint64_t region_offset;		/* where the BAR is in the device fd */
	uint64_t size;			/* 0: unknown (dry run) */
	char what[DU_PCI_ADDR_STRLEN + 8];	/* "0000:00:11.0 BAR2" */
};

/*
 * Resolve the device (a name or PCI address, bound on first use; NULL:
 * the only one) and ask VFIO where BAR bar is (VFIO_DEVICE_GET_REGION_INFO):
 * it must exist and allow mmap().  A dry run asks nothing (size 0).
 * Returns 0 or an exit status (printed; a device bound here is unbound).
 */
int ctl_bar_resolve(struct ctl *c, const char *ref, unsigned int bar,
		    struct ctl_bar *b);
/* Unbind the device again if ctl_bar_resolve() bound it (a command that
 * fails later leaves nothing behind). */
void ctl_bar_undo(struct ctl *c, struct ctl_bar *b);
/* Check [offset, offset + *length) against the BAR (without has_length,
 * *length becomes the rest of it).  Returns 0 or DU_EXIT_USAGE (printed). */
int ctl_bar_range(struct ctl *c, const struct ctl_bar *b, uint64_t offset,
		  bool has_length, uint64_t *length);
/*
 * mmap() length bytes of fd at offset, MAP_SHARED, PROT_READ plus
 * PROT_WRITE when access has DU_IOMMU_WRITE.  kind says how to explain a
 * failure, what names the memory in messages.  Returns 0 and *addr, or an
 * exit status (printed).
 */
int ctl_mmap_shared(struct ctl *c, int fd, uint64_t offset, uint64_t length,
		    unsigned int access, enum ctl_fd_kind kind,
		    const char *what, void **addr);

/* ---- mem.c: memory objects, and the batch fast paths ---------------------- */

/* The memory object named ref (a name only), or an exit status (printed). */
int ctl_mem_resolve(struct ctl *c, const char *ref, struct ctl_obj **out);
/* Release what a memory object holds (its memory, its own fd). */
void ctl_mem_release(struct ctl *c, struct ctl_obj *o);
const char *ctl_mem_kind_name(enum ctl_mem_kind kind);

/*
 * Parse a command's options as argp would, without argp, for the common
 * shape of a batch line: only long options of opts ("--name VALUE" or
 * "--name=VALUE"), each handed to parser with a struct argp_state that
 * has what the parsers of this tool use.  Returns CTL_PARSE_SLOW (nothing
 * done: any other shape, a help word, an unknown or abbreviated option, a
 * positional word, a missing value) for the caller to use ctl_parse(), or
 * 0, or DU_EXIT_USAGE (the parser printed why).
 */
#define CTL_PARSE_SLOW (-2)
/* flags: CTL_FAST_OPTIONS_ONLY, the parser's work at ARGP_KEY_INIT is
 * ctl_argp_init() (done here without calling it) and it answers
 * ARGP_ERR_UNKNOWN to ARGP_KEY_NO_ARGS, _END, _SUCCESS and _FINI: only
 * the options' keys are passed to it (argp_parse() passes them all; what
 * they would do is nothing). */
#define CTL_FAST_OPTIONS_ONLY 1u
int ctl_parse_fast(struct ctl *c, const struct argp *argp, int argc,
		   char **argv, void *input, unsigned int flags);

/*
 * Text output without printf for the hot results of a batch (ioas map
 * --mem, ioas unmap): a line is built in place at the end of the tool's
 * own output buffer (ctl_txt_begin() ... ctl_txt_put(), with nothing else
 * written in between), which goes to stdout in one fwrite() when it is
 * nearly full, and before anything else is written to stdout:
 * ctl_out_sync() is the output writer's text hook (du_out_set_text_sync()),
 * called by the library's printers and help, and through
 * du_out_sync_text() by the tool before its own writes to stdout (help,
 * messages on stderr, a blocking read, exec), so that a failed write is
 * recorded as stdout's (du_out_finish() reports it).
 * Only for text mode and for strings known to be terminal-safe (names:
 * ctl_name_valid(), fixed words); a line is at most CTL_TXT_MAX bytes
 * (longer is cut: a programming error).
 */
#define CTL_TXT_MAX 256
#define CTL_OUT_SIZE (64 * 1024)

struct ctl_out {
	size_t n;			/* bytes not yet given to stdout */
	char b[CTL_OUT_SIZE];
};
extern struct ctl_out ctl_out;

/* Give the pending bytes to stdout (fwrite()); 0 or -errno. */
int ctl_out_sync(void);

struct ctl_txt {
	char *b;			/* the line, inside ctl_out.b */
	size_t n;
};

static inline void ctl_txt_begin(struct ctl_txt *t)
{
	if (ctl_out.n > sizeof(ctl_out.b) - CTL_TXT_MAX)
		du_out_sync_text();	/* calls ctl_out_sync() */
	t->b = ctl_out.b + ctl_out.n;
	t->n = 0;
}

/* The line is written (it stays in the buffer until a sync). */
static inline void ctl_txt_put(struct ctl_txt *t)
{
	ctl_out.n += t->n;
}

static inline void ctl_txt_mem(struct ctl_txt *t, const char *s, size_t len)
{
	/* The common case copies len as given: a literal's constant length,
	 * which the compiler turns into a few moves; only a line that would
	 * overflow is cut (a variable length, a memcpy() call). */
	if (len <= CTL_TXT_MAX - t->n) {
		memcpy(t->b + t->n, s, len);
		t->n += len;
		return;
	}
	memcpy(t->b + t->n, s, CTL_TXT_MAX - t->n);
	t->n = CTL_TXT_MAX;
}

static inline void ctl_txt(struct ctl_txt *t, const char *s)
{
	ctl_txt_mem(t, s, strlen(s));
}

/* A string known only when the line runs (a name): copied byte by byte,
 * as short as it is, without strlen() and memcpy() calls. */
static inline void ctl_txt_str(struct ctl_txt *t, const char *s)
{
	size_t n = t->n;

	while (*s && n < CTL_TXT_MAX)
		t->b[n++] = *s++;
	t->n = n;
}

/* "00" to "ff" (fast.c) */
extern const char ctl_hex2[256][2];

/* "0x" and v in hex (inline: a call per number costs under TCG). */
static inline void ctl_txt_hex(struct ctl_txt *t, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	/* hex digits of v (at least one), written in place from the last */
	size_t nd = v ? (size_t)(64 - __builtin_clzll(v) + 3) / 4 : 1;
	char *p;

	if (t->n + 2 + nd > CTL_TXT_MAX) {
		t->n = CTL_TXT_MAX;	/* cut, as ctl_txt_mem() would */
		return;
	}
	t->b[t->n] = '0';
	t->b[t->n + 1] = 'x';
	t->n += 2 + nd;
	p = t->b + t->n;
	/* two digits a byte, by table */
	for (; nd >= 2; nd -= 2) {
		p -= 2;
		memcpy(p, ctl_hex2[v & 0xff], 2);
		v >>= 8;
	}
	if (nd)
		*--p = digits[v & 15];
}

/* v in decimal. */
static inline void ctl_txt_u(struct ctl_txt *t, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (p < buf + sizeof(buf) && t->n < CTL_TXT_MAX)
		t->b[t->n++] = *p++;
}

/* ---- lex.c ------------------------------------------------------------------ */

/*
 * Split one batch line into words: blanks separate words, '#' at the start
 * of a word starts a comment, 'single' and "double" quotes group (inside
 * double quotes \" and \\ are escapes), a backslash outside quotes escapes
 * the next character.  Returns the word count (0 for a blank or comment
 * line) with *argv a NULL-terminated malloc()ed vector (free with
 * ctl_lex_free()), or -EINVAL with *err set to a static message.
 * $NAME and ${NAME} (outside single quotes) expand to environment
 * variables; an unset one is an error.
 */
int ctl_lex(const char *line, char ***argv, const char **err);
void ctl_lex_free(char **argv);

/*
 * The common case without allocation: split line (modified in place) into
 * at most max - 1 words in argv[] (NULL-terminated) when it holds only
 * printable characters, blanks and no quote, backslash, '$' or '#'.
 * line[len] must be a NUL (a C string, which may hold NULs before len).
 * Returns the word count, or -1 when the line needs ctl_lex() (and the
 * checks of a batch line): line is then unchanged.
 */
int ctl_lex_simple(char *line, size_t len, char **argv, int max);

/*
 * The same where a batch's lines lie as read: the line starts at p and
 * ends at the first '\n' before end, where *end must be a '\n' (that
 * one does not count: the line is not complete).  Also -1 (nothing
 * changed) when the line is longer than maxlen or incomplete; else the
 * word count, and *eol points at the line's '\n'.
 */
int ctl_lex_chunk(char *p, const char *end, size_t maxlen, char **argv,
		  int max, char **eol);

/* The byte classes of the splitter: 0 a word's byte, 1 a blank, 2 any
 * other (a quote, '\\', '$', '#', a control character: ctl_lex()'s). */
extern const unsigned char ctl_lex_class[256];

/* ---- hot.c: the two hot lines of a batch, read in one pass --------------- */

enum ctl_hot_cmd {
	CTL_HOT_MAP = 1,	/* ioas map --mem NAME ... */
	CTL_HOT_UNMAP,		/* ioas unmap --iova N --length N ... */
};

/* A hot line, as ioas map's and ioas unmap's option parser would read it. */
struct ctl_hot {
	enum ctl_hot_cmd cmd;
	bool has_ioas, has_iova, has_length, has_offset;
	uint64_t iova, length, offset;
	unsigned int access;		/* DU_IOMMU_READ | DU_IOMMU_WRITE */
	char ioas[CTL_NAME_MAX];	/* --ioas REF, when has_ioas */
	char mem[CTL_NAME_MAX];		/* --mem NAME (map) */
};

/* Bytes after stop that ctl_hot_scan() may read (word compares). */
#define CTL_HOT_PAD 8

/*
 * Read the line at p, which ends at the first '\n' before stop (*stop
 * must be a '\n', which does not count, and CTL_HOT_PAD initialised bytes
 * must follow it), if it is a hot line written
 * plainly: "ioas map" with --mem and any of --ioas, --iova, --length,
 * --offset, --access, or "ioas unmap" with --iova, --length and maybe
 * --ioas; each option once, as "--NAME VALUE" or "--NAME=VALUE", its
 * value valid for the option's parser (a number as du_parse_size()
 * reads it without a second look, page aligned where the parser wants
 * it; a name or reference of at most CTL_NAME_MAX - 1 bytes; rw, r or w).
 * Returns true with *h and *eol (the line's '\n') set; false for any other
 * line (then the usual splitter and parsers take it, with their messages:
 * nothing is changed).  Nothing past stop + CTL_HOT_PAD is read.
 */
bool ctl_hot_scan(const char *p, const char *stop, size_t maxlen,
		  struct ctl_hot *h, const char **eol);

/* Run a hot line (ioas.c): what ioas map --mem or ioas unmap does once its
 * options are parsed.  Returns an exit status. */
int ctl_ioas_hot(struct ctl *c, const struct ctl_hot *h);

#endif /* IOMMUFD_CTL_H */
