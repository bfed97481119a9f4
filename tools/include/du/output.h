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
 * JSON mode builds one document, an object at the top level holding named
 * values (usually arrays: {"buffers":[...]}), and writes it to stdout in
 * du_out_finish(); nothing else is ever written to stdout in JSON mode.
 * JSON carries raw values (numbers in base units, booleans, null); text may
 * carry formatted ones.
 *
 * Keys: inside an object every JSON value needs a key; inside an array the
 * key is ignored and the value is appended.  The text format (fmt) gets
 * exactly one argument of the type named by the printer; a NULL fmt prints
 * nothing in text mode.  Misuse (unbalanced close, missing key) aborts:
 * it is a programming error.
 *
 * The library is not thread safe; one session per process.
 */
#ifndef DU_OUTPUT_H
#define DU_OUTPUT_H

#include <stdbool.h>
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
/* JSON: the raw number; text: fmt receives a string "0x<hex>" (%s). */
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

/* Text mode only: newline / free-form text.  No-ops in JSON mode. */
void du_print_nl(void);
void du_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
