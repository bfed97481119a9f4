/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/table.h - listings as util-linux prints them (lsblk, lsfd), from one
 * column table per listing.
 *
 * A listing declares its columns once:
 *
 *	static const struct du_column cols[] = {
 *		{ "PID",  "pid",  DU_COL_INT,  DU_COL_DEFAULT | DU_COL_RIGHT,
 *		  "process id" },
 *		{ "SIZE", "size", DU_COL_SIZE, DU_COL_DEFAULT | DU_COL_RIGHT,
 *		  "size of the mapping (bytes with --bytes)" },
 *		{ "ADDRESS", NULL, DU_COL_STR, DU_COL_DEFAULT,
 *		  "start-end (text only; JSON: start and end)" },
 *		...
 *	};
 *
 * and everything else comes from that table:
 *  - text output through libsmartcols: aligned columns, or -r/--raw
 *    (one space between cells, unsafe bytes \xHH-escaped by libsmartcols),
 *    -n/--noheadings, -b/--bytes (DU_COL_SIZE cells in bytes instead of
 *    1K/2M/... units);
 *  - -o/--output LIST (comma-separated names, case-insensitive; "+LIST"
 *    appends to the default columns), --output-all; an unknown or empty
 *    name is a usage error naming it;
 *  - --list-columns (-H): every column with its JSON key, type and meaning,
 *    as text or (in JSON mode) as {"columns":[...]};
 *  - JSON, written through du/output.h inside the caller's document (so
 *    the issue-13 rules hold: "<key>_hex" strings for 64-bit values, UTF-8
 *    and control-byte escaping).  Without -o a row carries every column
 *    that has a JSON key, in table order (the documented schema); with -o
 *    or --output-all only the selected columns that have a key, in the
 *    order given.  Text-only columns (json == NULL) never appear in JSON.
 *
 * Cells are set per row by column index; an unset cell is JSON null and
 * text "-".  Strings are copied.  In text mode (not raw) strings are made
 * terminal-safe by du_text_safe() (du/output.h) and libsmartcols is told
 * not to encode them again, so the escaping is exactly the one of
 * du_print_string().
 *
 * Typical use, with the argp child for the common options:
 *
 *	struct du_table_opts topts = { 0 };	// child_inputs[i] = &topts
 *	...argp_parse...
 *	if (topts.list_columns)
 *		return du_table_list_columns(cols, NCOLS);
 *	t = du_table_new(cols, NCOLS, &topts, msg, sizeof(msg));
 *	if (!t) -> usage error with msg (an unknown column in -o)
 *	r = du_table_new_row(t);
 *	du_row_set_int(r, COL_PID, pid);
 *	...
 *	du_table_print(t, "mappings");	// JSON: "mappings":[...]
 *	du_table_free(t);
 *
 * The JSON mode is du_out_is_json(): start the du_out session first.
 */
#ifndef DU_TABLE_H
#define DU_TABLE_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum du_col_type {
	DU_COL_STR,	/* text as is (made safe); JSON string */
	DU_COL_INT,	/* signed integer; JSON number */
	DU_COL_U64,	/* unsigned integer (count, id); JSON number */
	DU_COL_SIZE,	/* bytes: text 4K/2M/... or bytes with --bytes;
			 * JSON number of bytes */
	DU_COL_ADDR,	/* 64-bit address/offset: text 0x<hex>; JSON
			 * number and "<key>_hex" ("0x<hex>") */
	DU_COL_BOOL,	/* text yes/no; JSON true/false */
	DU_COL_NESTED,	/* text: a summary string; JSON: an array or object
			 * written by a callback (du_row_set_nested) */
};

/* du_column.flags */
#define DU_COL_DEFAULT	(1u << 0)	/* shown without -o */
#define DU_COL_RIGHT	(1u << 1)	/* right-aligned in text */
#define DU_COL_TRUNC	(1u << 2)	/* may be truncated to fit the terminal */
#define DU_COL_WRAP	(1u << 3)	/* libsmartcols may wrap it */
#define DU_COL_OMIT_NULL (1u << 4)	/* JSON: no key at all when unset
					 * (instead of null) */

struct du_column {
	const char *name;	/* -o name and header, e.g. "DEVICE" */
	const char *json;	/* JSON key, or NULL: a text-only column */
	enum du_col_type type;
	unsigned int flags;
	const char *help;	/* one line for --list-columns */
};

/* The common listing options (the argp child below fills it). */
struct du_table_opts {
	const char **output;	/* the -o/--output LISTs, in order */
	size_t noutput;		/* 0: the default columns */
	bool output_all;	/* --output-all */
	bool noheadings;	/* -n/--noheadings */
	bool raw;		/* -r/--raw */
	bool bytes;		/* -b/--bytes */
	bool list_columns;	/* -H/--list-columns */
	bool json;		/* -J/--json: the caller turns JSON on */
};

/*
 * An argp child with -o/--output, --output-all, -n/--noheadings, -r/--raw,
 * -b/--bytes, -H/--list-columns and -J/--json; its input is a struct
 * du_table_opts.  -o may be given more than once (the lists add up, each
 * "+LIST" appending to what was selected so far).
 */
extern const struct argp du_table_argp;

/* Free what the argp child allocated in o (the array of -o lists). */
void du_table_opts_free(struct du_table_opts *o);

struct du_table;
struct du_row;

/*
 * A table for cols[0..ncols-1] with the options in o (NULL: defaults).
 * NULL with msg set when an -o list names an unknown column or is
 * malformed ("-o: unknown column 'FOO'"): a usage error (exit 2); NULL
 * with msg "out of memory" otherwise.
 */
struct du_table *du_table_new(const struct du_column *cols, size_t ncols,
			      const struct du_table_opts *o, char *msg,
			      size_t len);

/* Check one -o list against cols without building a table: 0, or
 * -EINVAL with msg naming what is wrong. */
int du_table_check_output(const struct du_column *cols, size_t ncols,
			  const char *list, char *msg, size_t len);

/* Is column col shown (text) or written (JSON)?  Lets a caller skip work
 * for cells nobody asked for. */
bool du_table_wants(const struct du_table *t, size_t col);

/* A new row at the end (dies on out of memory, as du_die()). */
struct du_row *du_table_new_row(struct du_table *t);
size_t du_table_nrows(const struct du_table *t);

/* Set one cell.  s == NULL leaves it unset (null).  Setting a cell twice
 * keeps the last value. */
void du_row_set_str(struct du_row *r, size_t col, const char *s);
void du_row_set_int(struct du_row *r, size_t col, int64_t v);
void du_row_set_u64(struct du_row *r, size_t col, uint64_t v);
void du_row_set_bool(struct du_row *r, size_t col, bool v);
void du_row_set_null(struct du_row *r, size_t col);
/* No JSON key at all for this cell of this row (text "-"): for rows of
 * one column table whose JSON objects have different key sets. */
void du_row_set_absent(struct du_row *r, size_t col);

/*
 * A DU_COL_NESTED cell: text is what text mode shows (NULL: "-"); in JSON
 * mode json(key, data) is called with the row's object open and must
 * write exactly one value under key (du_out_open_array(key) ...
 * du_out_close_array()).  data (len bytes) is copied and handed back.
 */
typedef void (*du_nested_fn)(const char *key, const void *data);
void du_row_set_nested(struct du_row *r, size_t col, const char *text,
		       du_nested_fn json, const void *data, size_t len);

/*
 * Print the table: in JSON mode (du_out_is_json()) as an array of objects
 * under key in the current du_out container; in text mode through
 * libsmartcols to stdout (nothing at all, not even the header, when there
 * are no rows).  Returns 0, or -errno (-ENOMEM, or libsmartcols' error).
 */
int du_table_print(struct du_table *t, const char *key);

void du_table_free(struct du_table *t);

/*
 * --list-columns: every column of cols with its JSON key, type and
 * meaning; default columns are marked.  Text: an aligned table (NAME,
 * JSON, TYPE, DEFAULT, DESCRIPTION); JSON mode: {"columns":[{"name",
 * "json","type","default","description"}]} as a whole du_out document
 * item (call between du_out_init() and du_out_finish()).  Returns 0 or
 * -errno.
 */
int du_table_list_columns(const struct du_column *cols, size_t ncols);

/* The JSON type name of a column type: "string", "number", "size"
 * (number of bytes), "address" (number + "_hex" string), "boolean",
 * "array" (DU_COL_NESTED). */
const char *du_col_type_name(enum du_col_type type);

#endif /* DU_TABLE_H */
