// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf access: map a DMA-BUF (from a broker or an inherited fd) or
 * a BAR through the VFIO device fd, and read, write, fill, dump or verify
 * it.  Every access runs under a SIGBUS guard: a fault (the buffer was
 * revoked, the device reset or closed) is reported as "revoked" with exit
 * status 4, never a crash.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "du/errname.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "guard.h"
#include "pattern.h"
#include "proto.h"
#include "target.h"
#include "vfio-dmabuf.h"

enum verb { V_READ, V_WRITE, V_FILL, V_DUMP, V_VERIFY };

struct access_args {
	struct vd_target t;
	enum verb verb;
	uint64_t offset;
	uint64_t length;
	bool have_length;
	unsigned int width;	/* bits */
	uint64_t count;
	uint64_t value;
	bool have_value;
	struct vd_pattern pattern;
	bool have_pattern;
	bool raw;
	const char *input;
	uint64_t repeat;	/* 0 = until interrupted or faulted */
	bool have_repeat;
	unsigned int interval_ms;
};

#define OPT_WHERE \
	{ NULL, 0, NULL, 0, "Where:", 1 }, \
	{ "bar", OPT_BAR, "N", 0, \
	  "map BAR N through the device fd (with --device or --device-fd)", 1 }, \
	{ "offset", OPT_OFFSET, "OFF", 0, \
	  "start at byte OFF of the buffer or BAR (default 0)", 1 }
#define OPT_LEN(what) \
	{ "length", OPT_LENGTH, "LEN", 0, what, 1 }
#define OPT_REGS(what) \
	{ NULL, 0, NULL, 0, "What:", 3 }, \
	{ "width", OPT_WIDTH, "8|16|32|64", 0, \
	  "register width in bits (default 32)", 3 }, \
	{ "count", OPT_COUNT, "N", 0, what " N consecutive registers (default 1)", \
	  3 }
#define OPT_PATTERN_ \
	{ NULL, 0, NULL, 0, "What:", 3 }, \
	{ "pattern", OPT_PATTERN, "PATTERN", 0, \
	  "incr, addr, zero, ones, byte:V, random[:SEED], text:STRING", 3 }
#define OPT_REPEAT_ \
	{ NULL, 0, NULL, 0, "How often:", 4 }, \
	{ "repeat", OPT_REPEAT, "N", 0, \
	  "do it N times on the same mapping (0: until it faults or is interrupted)", \
	  4 }, \
	{ "interval", OPT_INTERVAL, "MS", 0, \
	  "milliseconds between repeats (default 1000)", 4 }, \
	{ NULL, 0, NULL, 0, NULL, 0 }

static const struct argp_option read_options[] = {
	OPT_WHERE, OPT_REGS("read"), OPT_REPEAT_,
};
static const struct argp_option write_options[] = {
	OPT_WHERE, OPT_REGS("write"),
	{ "value", OPT_VALUE, "V", 0, "the value to write", 3 },
	{ "input", OPT_INPUT, "FILE", 0,
	  "write the raw bytes of FILE ('-': stdin) instead of --value", 3 },
	OPT_REPEAT_,
};
static const struct argp_option fill_options[] = {
	OPT_WHERE, OPT_LEN("bytes to fill (default: to the end)"),
	OPT_PATTERN_, OPT_REPEAT_,
};
static const struct argp_option dump_options[] = {
	OPT_WHERE, OPT_LEN("bytes to dump (default 256)"),
	{ NULL, 0, NULL, 0, "What:", 3 },
	{ "raw", OPT_RAW, NULL, 0, "raw bytes on stdout, not hex", 3 },
	OPT_REPEAT_,
};
static const struct argp_option verify_options[] = {
	OPT_WHERE, OPT_LEN("bytes to check (default: to the end)"),
	OPT_PATTERN_, OPT_REPEAT_,
};

static error_t access_parse(int key, char *arg, struct argp_state *state)
{
	struct access_args *a = state->input;
	unsigned int ub;
	char msg[VD_MSG_LEN];
	uint32_t u;
	int err;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->t;
		break;
	case OPT_BAR:
		err = du_parse_bar(arg, &ub);
		if (err == -ERANGE)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--bar: BAR index %s out of range (0-5)",
				     arg);
		if (err < 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--bar: '%s' is not a BAR index (0-5)",
				     arg);
		a->t.bar = (int)ub;
		break;
	case OPT_OFFSET:
		a->offset = vd_arg_size("--offset", arg);
		break;
	case OPT_LENGTH:
		a->length = vd_arg_size("--length", arg);
		if (!a->length)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--length: must not be zero");
		a->have_length = true;
		break;
	case OPT_WIDTH:
		u = vd_arg_u32("--width", arg);
		if (u != 8 && u != 16 && u != 32 && u != 64)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--width: %s bits is not one of 8, 16, 32, 64",
				     arg);
		a->width = u;
		break;
	case OPT_COUNT:
		a->count = vd_arg_size("--count", arg);
		if (!a->count)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--count: must not be zero");
		break;
	case OPT_VALUE:
		if (du_parse_u64(arg, &a->value) < 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--value: '%s' is not a number", arg);
		a->have_value = true;
		break;
	case OPT_INPUT:
		a->input = arg;
		break;
	case OPT_PATTERN:
		if (vd_pattern_parse(arg, &a->pattern, msg, sizeof(msg)) < 0)
			argp_failure(state, DU_EXIT_USAGE, 0, "--pattern: %s",
				     msg);
		a->have_pattern = true;
		break;
	case OPT_RAW:
		a->raw = true;
		break;
	case OPT_REPEAT:
		a->repeat = vd_arg_size("--repeat", arg);
		a->have_repeat = true;
		break;
	case OPT_INTERVAL:
		u = vd_arg_u32("--interval", arg);
		a->interval_ms = u;
		break;
	case ARGP_KEY_ARG:
		argp_failure(state, DU_EXIT_USAGE, 0,
			     "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child access_children[] = {
	{ &vd_target_argp, 0, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

#define ACCESS_TAIL \
	"\vThe buffer: --socket PATH --id ID (from a broker), --fd FD (an " \
	"inherited DMA-BUF), or --device ADDR|--device-fd FD with --bar N (a " \
	"BAR through the VFIO device fd).  A SIGBUS while accessing (the " \
	"buffer was revoked) is reported as revoked, exit status 4."

static const struct argp read_argp = {
	.options = read_options, .parser = access_parse,
	.doc = "Read registers (--width bits, --count of them) at --offset."
	       ACCESS_TAIL,
	.children = access_children,
};
static const struct argp write_argp = {
	.options = write_options, .parser = access_parse,
	.doc = "Write --value to --count registers of --width bits at --offset, "
	       "or the bytes of --input." ACCESS_TAIL,
	.children = access_children,
};
static const struct argp fill_argp = {
	.options = fill_options, .parser = access_parse,
	.doc = "Fill --length bytes at --offset with --pattern." ACCESS_TAIL,
	.children = access_children,
};
static const struct argp dump_argp = {
	.options = dump_options, .parser = access_parse,
	.doc = "Dump --length bytes at --offset in hex (or --raw)." ACCESS_TAIL,
	.children = access_children,
};
static const struct argp verify_argp = {
	.options = verify_options, .parser = access_parse,
	.doc = "Check that --length bytes at --offset hold --pattern; exit "
	       "status 1 on a mismatch." ACCESS_TAIL,
	.children = access_children,
};

/* ---- the mapping ------------------------------------------------------ */

struct mapping {
	int fd;			/* what was mapped */
	bool own_fd;		/* fd obtained here (from a broker) */
	bool is_bar;
	uint64_t size;		/* of the buffer or BAR */
	uint64_t region_off;	/* BAR: offset of the region in the device fd */
	volatile uint8_t *base;	/* mapping of [map_off, map_off + map_len) */
	uint64_t map_off;
	uint64_t map_len;
	struct du_vfio_device vfio;
	bool own_vfio;
};

static int open_source(struct access_args *a, struct mapping *m)
{
	struct du_vfio_region reg;
	struct vd_client c;
	const char *what;
	int64_t sz;
	int status, err;

	m->fd = -1;
	if (a->t.have_id) {
		status = vd_client_connect(&c, vd_socket_default(a->t.socket));
		if (status)
			return status;
		status = vd_client_get(&c, a->t.id, &m->fd, NULL);
		vd_client_close(&c);
		if (status)
			return status;
		m->own_fd = true;
	} else if (a->t.fd >= 0) {
		status = vd_target_check_fd(&a->t);
		if (status)
			return status;
		m->fd = a->t.fd;
	} else {
		status = vd_target_open_device(&a->t, &m->vfio, NULL, &what);
		if (status)
			return status;
		m->own_vfio = a->t.device_fd < 0;
		err = du_vfio_region_info(a->t.devfd, (unsigned int)a->t.bar,
					  &reg);
		if (err < 0 || !reg.size) {
			du_err("BAR %d: no such VFIO region%s%s", a->t.bar,
			       err < 0 ? ": " : "",
			       err < 0 ? strerror(-err) : "");
			return DU_EXIT_USAGE;
		}
		if (!(reg.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
			du_err("BAR %d cannot be mapped (vfio-pci does not allow mmap of it)",
			       a->t.bar);
			return DU_EXIT_FAILURE;
		}
		m->fd = a->t.devfd;
		m->is_bar = true;
		m->size = reg.size;
		m->region_off = reg.offset;
		return 0;
	}
	sz = vd_dmabuf_size(m->fd);
	if (sz <= 0) {
		du_err("cannot get the size of the buffer: %s",
		       sz < 0 ? strerror((int)-sz) : "size 0");
		return DU_EXIT_FAILURE;
	}
	m->size = (uint64_t)sz;
	return 0;
}

static int map_range(struct mapping *m, uint64_t off, uint64_t len,
		     bool write)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t end = off + len;
	void *p;
	int err;

	m->map_off = off & ~(page - 1);
	m->map_len = ((end + page - 1) & ~(page - 1)) - m->map_off;
	if (m->map_off + m->map_len > m->size && !m->is_bar)
		m->map_len = m->size - m->map_off;
	p = mmap(NULL, m->map_len, PROT_READ | (write ? PROT_WRITE : 0),
		 MAP_SHARED, m->fd, (off_t)(m->region_off + m->map_off));
	if (p == MAP_FAILED) {
		err = errno;
		if (!m->is_bar && err == ENODEV) {
			du_err("cannot map the buffer: it was revoked");
			return DU_EXIT_REVOKED;
		}
		if (!m->is_bar && err == EINVAL) {
			du_err("cannot map the buffer: the running kernel cannot mmap VFIO DMA-BUFs (%s)",
			       du_errno_name(err));
			return DU_EXIT_NOTSUPP;
		}
		if (err == EACCES && write) {
			du_err("cannot map the %s for writing: the fd is read-only",
			       m->is_bar ? "BAR" : "buffer");
			return DU_EXIT_FAILURE;
		}
		du_err("cannot map the %s: %s", m->is_bar ? "BAR" : "buffer",
		       du_vfio_strerror(DU_VFIO_OP_MMAP, err));
		return du_vfio_exit_code(DU_VFIO_OP_MMAP, err);
	}
	m->base = p;
	return 0;
}

static void close_source(struct mapping *m)
{
	if (m->base)
		munmap((void *)m->base, m->map_len);
	if (m->own_fd && m->fd >= 0)
		close(m->fd);
	if (m->own_vfio)
		du_vfio_close(&m->vfio);
}

/* ---- guarded operations ----------------------------------------------- */

struct op {
	struct access_args *a;
	volatile uint8_t *p;	/* first byte of the range */
	uint64_t len;
	uint64_t *vals;		/* read: values (count) */
	const uint8_t *in;	/* write --input */
	uint8_t *out;		/* dump: copy */
	uint64_t mismatches;
	uint64_t first_bad;
	uint8_t want, got;
	volatile uint64_t done;	/* bytes handled so far: fault offset */
};

static uint64_t load(volatile uint8_t *p, unsigned int width)
{
	switch (width) {
	case 8:
		return *p;
	case 16:
		return *(volatile uint16_t *)(volatile void *)p;
	case 32:
		return *(volatile uint32_t *)(volatile void *)p;
	default:
		return *(volatile uint64_t *)(volatile void *)p;
	}
}

static void store(volatile uint8_t *p, unsigned int width, uint64_t v)
{
	switch (width) {
	case 8:
		*p = (uint8_t)v;
		break;
	case 16:
		*(volatile uint16_t *)(volatile void *)p = (uint16_t)v;
		break;
	case 32:
		*(volatile uint32_t *)(volatile void *)p = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)(volatile void *)p = v;
		break;
	}
}

static void op_read(void *arg)
{
	struct op *o = arg;
	unsigned int step = o->a->width / 8;
	uint64_t i;

	for (i = 0; i < o->a->count; i++) {
		o->done = i * step;
		o->vals[i] = load(o->p + i * step, o->a->width);
	}
}

static void op_write(void *arg)
{
	struct op *o = arg;
	unsigned int step = o->a->width / 8;
	uint64_t i;

	if (o->in) {
		for (i = 0; i < o->len; i++) {
			o->done = i;
			o->p[i] = o->in[i];
		}
		return;
	}
	for (i = 0; i < o->a->count; i++) {
		o->done = i * step;
		store(o->p + i * step, o->a->width, o->a->value);
	}
}

static void op_fill(void *arg)
{
	struct op *o = arg;
	const struct vd_pattern *pt = &o->a->pattern;
	uint64_t base = o->a->offset, i = 0;

	while (i < o->len) {
		o->done = i;
		if (((base + i) & 7) == 0 && o->len - i >= 8) {
			*(volatile uint64_t *)(volatile void *)(o->p + i) =
				vd_pattern_word(pt, base + i);
			i += 8;
		} else {
			o->p[i] = vd_pattern_byte(pt, base + i);
			i++;
		}
	}
}

static void op_copy_out(void *arg)
{
	struct op *o = arg;
	uint64_t base = o->a->offset, i = 0, w;

	while (i < o->len) {
		o->done = i;
		if (((base + i) & 7) == 0 && o->len - i >= 8) {
			w = *(volatile uint64_t *)(volatile void *)(o->p + i);
			memcpy(o->out + i, &w, 8);
			i += 8;
		} else {
			o->out[i] = o->p[i];
			i++;
		}
	}
}

static void op_verify(void *arg)
{
	struct op *o = arg;
	const struct vd_pattern *pt = &o->a->pattern;
	uint64_t base = o->a->offset, i = 0, w, want;
	unsigned int k;

	o->mismatches = 0;
	while (i < o->len) {
		o->done = i;
		if (((base + i) & 7) == 0 && o->len - i >= 8) {
			w = *(volatile uint64_t *)(volatile void *)(o->p + i);
			want = vd_pattern_word(pt, base + i);
			if (w != want) {
				for (k = 0; k < 8; k++) {
					uint8_t g = (uint8_t)(w >> (8 * k));
					uint8_t e = (uint8_t)(want >> (8 * k));

					if (g == e)
						continue;
					if (!o->mismatches) {
						o->first_bad = i + k;
						o->want = e;
						o->got = g;
					}
					o->mismatches++;
				}
			}
			i += 8;
		} else {
			uint8_t g = o->p[i];
			uint8_t e = vd_pattern_byte(pt, base + i);

			if (g != e) {
				if (!o->mismatches) {
					o->first_bad = i;
					o->want = e;
					o->got = g;
				}
				o->mismatches++;
			}
			i++;
		}
	}
}

/* ---- output ----------------------------------------------------------- */

static void print_hexdump(const uint8_t *b, uint64_t len, uint64_t base)
{
	uint64_t i, j;
	char hex[2 * 4096 + 1];
	static const char digits[] = "0123456789abcdef";

	if (du_out_is_json()) {
		du_out_open_object(NULL);
		du_print_u64(DU_JSON, "offset", NULL, base);
		du_print_u64(DU_JSON, "length", NULL, len);
		du_out_open_array("data");
		for (i = 0; i < len; i += 4096) {
			uint64_t n = len - i < 4096 ? len - i : 4096;

			for (j = 0; j < n; j++) {
				hex[2 * j] = digits[b[i + j] >> 4];
				hex[2 * j + 1] = digits[b[i + j] & 15];
			}
			hex[2 * n] = '\0';
			du_print_string(DU_JSON, NULL, NULL, hex);
		}
		du_out_close_array();
		du_out_close_object();
		return;
	}
	for (i = 0; i < len; i += 16) {
		du_printf("%08" PRIx64 " ", base + i);
		for (j = 0; j < 16; j++) {
			if (j == 8)
				du_printf(" ");
			if (i + j < len)
				du_printf(" %02x", b[i + j]);
			else
				du_printf("   ");
		}
		du_printf("  |");
		for (j = 0; j < 16 && i + j < len; j++)
			du_printf("%c", b[i + j] >= 0x20 && b[i + j] < 0x7f ?
				  b[i + j] : '.');
		du_printf("|\n");
	}
}

static int read_input(const char *path, uint64_t max, uint8_t **buf,
		      uint64_t *len)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
		open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	uint8_t *b = NULL, *nb;
	ssize_t r;

	if (fd < 0) {
		du_err("--input %s: %s", path, strerror(errno));
		return DU_EXIT_USAGE;
	}
	for (;;) {
		if (!b || n == cap) {
			if (b)
				cap *= 2;
			nb = realloc(b, cap);
			if (!nb)
				du_die(DU_EXIT_FAILURE, "out of memory");
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			du_err("--input %s: %s", path, strerror(errno));
			free(b);
			if (fd != STDIN_FILENO)
				close(fd);
			return DU_EXIT_FAILURE;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			du_err("--input %s: more than the %" PRIu64 " bytes left in the buffer",
			       path, max);
			free(b);
			if (fd != STDIN_FILENO)
				close(fd);
			return DU_EXIT_USAGE;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (!n) {
		du_err("--input %s: empty", path);
		free(b);
		return DU_EXIT_USAGE;
	}
	*buf = b;
	*len = n;
	return 0;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *verb_array[] = {
	[V_READ] = "reads", [V_WRITE] = "writes", [V_FILL] = "fills",
	[V_DUMP] = "dumps", [V_VERIFY] = "verifies",
};

static int run_access(struct access_args *a)
{
	struct mapping m;
	struct op o;
	uintptr_t fault;
	uint64_t i, iter, step;
	char sz[DU_SIZE_STRLEN];
	bool write = a->verb == V_WRITE || a->verb == V_FILL;
	int status;

	memset(&m, 0, sizeof(m));
	memset(&o, 0, sizeof(o));
	o.a = a;
	vd_target_check(&a->t, VD_TARGET_FD | VD_TARGET_BAR);
	if (!a->width)
		a->width = 32;
	if (!a->count)
		a->count = 1;
	if (!a->have_repeat)
		a->repeat = 1;
	if (!a->interval_ms && a->repeat != 1)
		a->interval_ms = 1000;
	step = a->width / 8;
	switch (a->verb) {
	case V_WRITE:
		if (a->have_value == !!a->input)
			vd_usage("give --value or --input");
		if (a->input && (a->count > 1))
			vd_usage("--count applies to --value, not --input");
		break;
	case V_FILL:
	case V_VERIFY:
		if (!a->have_pattern)
			vd_usage("missing --pattern");
		break;
	case V_DUMP:
		if (a->raw && vd_g.json)
			vd_usage("--raw and --json exclude each other");
		break;
	default:
		break;
	}
	if ((a->verb == V_READ || (a->verb == V_WRITE && !a->input)) &&
	    a->offset % step)
		vd_usage("--offset 0x%" PRIx64 " is not aligned to the %u-bit access width",
			 a->offset, a->width);

	status = open_source(a, &m);
	if (status)
		goto out;
	if (a->offset >= m.size) {
		du_err("--offset 0x%" PRIx64 " is past the end (size %s)",
		       a->offset, du_format_size(m.size, sz, sizeof(sz)));
		status = DU_EXIT_USAGE;
		goto out;
	}
	if (a->verb == V_WRITE && a->input) {
		status = read_input(a->input, m.size - a->offset,
				    (uint8_t **)&o.in, &o.len);
		if (status)
			goto out;
	} else if (a->verb == V_READ || a->verb == V_WRITE) {
		if (a->count > (m.size - a->offset) / step) {
			du_err("%" PRIu64 " %u-bit registers at 0x%" PRIx64 " go past the end (size %s)",
			       a->count, a->width, a->offset,
			       du_format_size(m.size, sz, sizeof(sz)));
			status = DU_EXIT_USAGE;
			goto out;
		}
		o.len = a->count * step;
	} else {
		o.len = a->have_length ? a->length :
			a->verb == V_DUMP ? 256 : m.size - a->offset;
		if (o.len > m.size - a->offset) {
			if (a->have_length) {
				du_err("--length %s at 0x%" PRIx64 " goes past the end (size %s)",
				       du_format_size(a->length, sz, sizeof(sz)),
				       a->offset,
				       du_format_size(m.size, sz, sizeof(sz)));
				status = DU_EXIT_USAGE;
				goto out;
			}
			o.len = m.size - a->offset;
		}
	}
	status = map_range(&m, a->offset, o.len, write);
	if (status)
		goto out;
	o.p = m.base + (a->offset - m.map_off);
	if (a->verb == V_READ) {
		o.vals = calloc(a->count, sizeof(*o.vals));
		if (!o.vals)
			du_die(DU_EXIT_FAILURE, "out of memory");
	}
	if (a->verb == V_DUMP || a->verb == V_VERIFY) {
		o.out = malloc(a->verb == V_DUMP ? o.len : 1);
		if (!o.out)
			du_die(DU_EXIT_FAILURE, "out of memory");
	}

	vd_out_begin();
	du_out_open_array(verb_array[a->verb]);
	for (iter = 0; a->repeat == 0 || iter < a->repeat; iter++) {
		static const vd_guard_fn fns[] = {
			[V_READ] = op_read, [V_WRITE] = op_write,
			[V_FILL] = op_fill, [V_DUMP] = op_copy_out,
			[V_VERIFY] = op_verify,
		};

		if (iter)
			sleep_ms(a->interval_ms);
		if (vd_guarded(fns[a->verb], &o, &fault)) {
			du_err("access at offset 0x%" PRIx64 " faulted (SIGBUS): the %s was revoked",
			       a->offset + o.done,
			       m.is_bar ? "BAR mapping" : "buffer");
			status = DU_EXIT_REVOKED;
			break;
		}
		switch (a->verb) {
		case V_READ:
			for (i = 0; i < a->count; i++) {
				du_out_open_object(NULL);
				du_print_hex_u64(DU_ANY, "offset", "%s: ",
						 a->offset + i * step);
				du_print_u64(DU_JSON, "width", NULL, a->width);
				du_print_hex_u64(DU_ANY, "value", "%s",
						 o.vals[i]);
				du_print_nl();
				du_out_close_object();
			}
			break;
		case V_WRITE:
		case V_FILL:
			du_out_open_object(NULL);
			du_printf("wrote %" PRIu64 " bytes at ", o.len);
			du_print_hex_u64(DU_ANY, "offset", "%s", a->offset);
			du_print_u64(DU_JSON, "length", NULL, o.len);
			if (a->verb == V_FILL)
				du_print_string(DU_ANY, "pattern",
						" pattern %s",
						a->pattern.spec);
			else if (!a->input) {
				du_print_u64(DU_JSON, "width", NULL, a->width);
				du_print_hex_u64(DU_ANY, "value", " value %s",
						 a->value);
			}
			du_print_nl();
			du_out_close_object();
			break;
		case V_DUMP:
			if (a->raw) {
				if (fwrite(o.out, 1, o.len, stdout) != o.len)
					status = DU_EXIT_FAILURE;
			} else {
				print_hexdump(o.out, o.len, a->offset);
			}
			break;
		case V_VERIFY:
			du_out_open_object(NULL);
			du_print_hex_u64(DU_JSON, "offset", NULL, a->offset);
			du_print_u64(DU_JSON, "length", NULL, o.len);
			du_print_string(DU_JSON, "pattern", NULL,
					a->pattern.spec);
			du_print_u64(DU_JSON, "mismatches", NULL,
				     o.mismatches);
			if (o.mismatches) {
				du_print_u64(DU_JSON, "first_mismatch", NULL,
					     a->offset + o.first_bad);
				du_err("verify failed: %" PRIu64 " of %" PRIu64 " bytes differ from pattern %s; first at 0x%" PRIx64 ": expected 0x%02x, got 0x%02x",
				       o.mismatches, o.len, a->pattern.spec,
				       a->offset + o.first_bad, o.want, o.got);
				status = DU_EXIT_FAILURE;
			} else {
				du_print_null(DU_JSON, "first_mismatch", NULL);
				du_printf("verified %" PRIu64 " bytes at 0x%" PRIx64 ": pattern %s\n",
					  o.len, a->offset, a->pattern.spec);
			}
			du_out_close_object();
			break;
		}
		fflush(stdout);
		if (status)
			break;
	}
	du_out_close_array();
	status = vd_out_end(status);
out:
	free(o.vals);
	free(o.out);
	free((void *)o.in);
	close_source(&m);
	return status;
}

static int access_verb(const struct argp *argp, const char *path,
		       enum verb v, int argc, char **argv)
{
	struct access_args a;

	memset(&a, 0, sizeof(a));
	a.verb = v;
	vd_parse(argp, path, argc, argv, &a);
	return run_access(&a);
}

static int cmd_read(int argc, char **argv)
{
	return access_verb(&read_argp, "access read", V_READ, argc, argv);
}

static int cmd_write(int argc, char **argv)
{
	return access_verb(&write_argp, "access write", V_WRITE, argc, argv);
}

static int cmd_fill(int argc, char **argv)
{
	return access_verb(&fill_argp, "access fill", V_FILL, argc, argv);
}

static int cmd_dump(int argc, char **argv)
{
	return access_verb(&dump_argp, "access dump", V_DUMP, argc, argv);
}

static int cmd_verify(int argc, char **argv)
{
	return access_verb(&verify_argp, "access verify", V_VERIFY, argc,
			   argv);
}

static const struct vd_cmd access_cmds[] = {
	{ "read", cmd_read, "read registers (8/16/32/64-bit)" },
	{ "write", cmd_write, "write registers, or raw bytes from a file" },
	{ "fill", cmd_fill, "fill a range with a pattern" },
	{ "dump", cmd_dump, "dump a range in hex or raw" },
	{ "verify", cmd_verify, "check a range against a pattern" },
	{ "help", NULL, "show this list" },
	{ NULL, NULL, NULL },
};

int cmd_access(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		char *av[] = { (char *)"help" };

		return vd_dispatch("vfio-dmabuf access", access_cmds, 1, av);
	}
	return vd_dispatch("vfio-dmabuf access", access_cmds, argc - 1,
			   argv + 1);
}
