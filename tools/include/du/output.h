/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/output.h - one printer for human text and JSON, iproute2 style.
 *
 * Every field is printed once, with its JSON key and its text format in the
 * same call; the session decides which of the two is produced:
 *
 *	du_out_init(json, pretty);
 *	du_out_open_array("buffers");
 *	for (...) {
 *		du_out_open_object(NULL);
 *		du_print_string(DU_ANY, "name", "%s: ", b->name);
 *		du_print_u64(DU_ANY, "size", "size %" PRIu64, b->size);
 *		du_print_hex_u64(DU_ANY, "iova", " iova %s", b->iova);
 *		du_print_nl();
 *		du_out_close_object();
 *	}
 *	du_out_close_array();
 *	return du_out_finish() ? DU_EXIT_FAILURE : DU_EXIT_OK;
 *
 * Text mode writes to stdout as it goes; open/close calls do nothing.
 * JSON mode writes one document, an object at the top level holding named
 * values (usually arrays: {"buffers":[...]}); nothing else is ever written
 * to stdout in JSON mode.  The writer streams: it holds the first 64 KiB
 * of the document in memory and writes the rest as it comes, so a big
 * document costs no memory.  A command that exits before du_out_finish()
 * (an error midway) writes nothing if the document is still held, and
 * otherwise closes every open container at exit so that stdout is still
 * one valid JSON document (its exit status says it is incomplete).
 * JSON carries raw values (numbers in base units, booleans, null); text may
 * carry formatted ones.
 *
 * Untrusted strings (process names, DMA-BUF names, sysfs contents, user
 * input) are made safe by the printers, never by the callers:
 *  - JSON strings: RFC 8259 escapes; every control character (C0, DEL and
 *    the C1 range U+0080..U+009F) is escaped (\n, \t, ... or \u00XX), and
 *    every byte that is not part of well-formed UTF-8 is replaced by U+FFFD
 *    (written "\ufffd").  The output is always valid UTF-8 JSON.
 *  - Text (du_print_string, du_printf): every byte of a control character
 *    (C0, DEL, C1), of ill-formed UTF-8, and every backslash is written as
 *    \xHH, as util-linux's mangle does (du_printf keeps its newlines and
 *    tabs); valid UTF-8 text is written as is.
 *
 * 64-bit numbers: every integer is a JSON number with its exact digits.
 * JSON readers that use doubles (jq 1.6, JavaScript) round integers above
 * 2^53, so an exact string goes with every value that may be larger:
 *  - du_print_hex_u64(K) (addresses, IOVAs, offsets, register values)
 *    always writes "K":<number> and "K_hex":"0x<hex>";
 *  - du_print_u64(K) and du_print_int(K) (sizes, counts, ids) write
 *    "K_hex":"0x<hex>" (negative: "-0x<hex>") after "K" only when |value|
 *    exceeds 2^53, i.e. exactly when the number alone would be rounded.
 * A reader that must be exact reads K_hex when present.  Inside arrays a
 * value has no key: du_print_hex_u64 is not allowed there, and u64/int
 * elements are plain numbers.
 *
 * Keys: inside an object every JSON value needs a key; inside an array the
 * key is ignored and the value is appended.  The text format (fmt) gets
 * exactly one argument of the type named by the printer; a NULL fmt prints
 * nothing in text mode.  Misuse (unbalanced close, missing key) aborts:
 * it is a programming error.  Keys are not checked for uniqueness: print
 * each once.
 *
 * The library is not thread safe; one session per process.
 */
#ifndef DU_OUTPUT_H
#define DU_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>

enum du_out_type {
	DU_TEXT	= 1 << 0,	/* text mode only (decoration) */
	DU_JSON	= 1 << 1,	/* JSON mode only */
	DU_ANY	= DU_TEXT | DU_JSON,
};

/* Start the session.  pretty indents the JSON (no effect in text mode).
 * Returns 0, or -ENOMEM. */
int du_out_init(bool json, bool pretty);

/* True when the session produces JSON. */
bool du_out_is_json(void);

/* Nested containers (JSON only; no-ops in text mode).  key is required
 * inside an object and ignored inside an array. */
void du_out_open_object(const char *key);
void du_out_close_object(void);
void du_out_open_array(const char *key);
void du_out_close_array(void);

/* Typed field printers.  fmt receives the value as its one argument. */
void du_print_u64(enum du_out_type t, const char *key, const char *fmt,
		  uint64_t v);
void du_print_int(enum du_out_type t, const char *key, const char *fmt,
		  int64_t v);
/* JSON: the raw number and "<key>_hex"; text: fmt receives a string
 * "0x<hex>" (%s). */
void du_print_hex_u64(enum du_out_type t, const char *key, const char *fmt,
		      uint64_t v);
/* s == NULL gives JSON null and text "-". */
void du_print_string(enum du_out_type t, const char *key, const char *fmt,
		     const char *s);
/* JSON true/false; text: fmt receives "yes" or "no" (%s). */
void du_print_bool(enum du_out_type t, const char *key, const char *fmt,
		   bool v);
/* JSON null; text: fmt is printed as is (no argument). */
void du_print_null(enum du_out_type t, const char *key, const char *fmt);

/* Text mode only: newline / free-form text (made terminal-safe, keeping
 * newlines and tabs).  No-ops in JSON mode. */
void du_print_nl(void);
void du_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A command that writes some text lines itself, without stdio (iommufd-ctl
 * builds the hot results of a batch in a buffer of its own), sets fn and
 * pending, the count of its bytes not yet written: before anything of the
 * library goes to stdout (the printers above, du_out_finish(),
 * du_close_stdout(), the help of du/cli.h), when *pending is not 0, fn is
 * called and must write them to stdout, so that stdout keeps the order of
 * the calls.  fn returns 0, or -errno when that write failed (kept as
 * stdout's error: du_out_finish() reports it).  NULL, NULL removes it.
 * du_out_sync_text() does the same for the library's other writers of
 * stdout, and the command's.
 */
void du_out_set_text_sync(int (*fn)(void), const size_t *pending);
void du_out_sync_text(void);

/*
 * Terminal-safe form of s for messages (stderr) that carry untrusted
 * strings, with the text rule above.  du_text_safe writes into buf
 * (truncating, always NUL-terminated) and returns buf; s == NULL gives "".
 * du_text_safe_dup returns a malloc()ed copy (free it) and leaves the bytes
 * in keep (may be NULL) as they are.
 */
const char *du_text_safe(const char *s, char *buf, size_t len);
char *du_text_safe_dup(const char *s, const char *keep);

/*
 * End the session: in JSON mode write the document (and a newline) to
 * stdout; in both modes flush stdout.  Frees everything; the session can be
 * started again.  Returns 0, or -errno when stdout could not be written.
 */
int du_out_finish(void);

/*
 * close_stdout: flush and close stdout and report a failed write (e.g. to
 * /dev/full or a closed pipe).  Returns 0 or -errno.
 * du_close_stdout_atexit() registers an atexit handler that does it and, on
 * failure, prints "<prog>: write error: <reason>" and _exit(DU_EXIT_FAILURE).
 * Commands call it first thing in main().
 */
int du_close_stdout(void);
void du_close_stdout_atexit(void);

#endif /* DU_OUTPUT_H */
