// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Listings from one column table: text through libsmartcols, JSON through
 * du/output.h, -o parsing and --list-columns.  See du/table.h.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include "du/exitcodes.h"
#include "du/output.h"
#include "du/parse.h"
#include "du/table.h"

/* The longest -o list accepted (a sanity bound, not a column count). */
#define OUTPUT_MAX 4096

enum cell_kind { CELL_NULL, CELL_STR, CELL_INT, CELL_U64, CELL_BOOL,
		 CELL_NESTED, CELL_ABSENT };

struct nested {
	du_nested_fn json;
	char *text;
	size_t len;
	unsigned char data[];
};

struct cell {
	enum cell_kind kind;
	union {
		char *s;
		int64_t i;
		uint64_t u;
		bool b;
		struct nested *n;
	} v;
};

struct du_row {
	struct cell *cells;		/* ncols of them */
};

struct du_table {
	const struct du_column *cols;
	size_t ncols;
	size_t *sel;			/* selected columns, in output order */
	size_t nsel;
	bool selected;			/* -o or --output-all was given */
	bool raw, noheadings, bytes;
	struct du_row *rows;
	size_t nrows, caprows;
};

/* ---- -o parsing -------------------------------------------------------- */

static int find_col(const struct du_column *cols, size_t ncols,
		    const char *name, size_t nlen)
{
	for (size_t i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == nlen &&
		    !strncasecmp(cols[i].name, name, nlen))
			return (int)i;
	return -1;
}

static void add_sel(size_t *sel, size_t *n, size_t col)
{
	for (size_t i = 0; i < *n; i++)
		if (sel[i] == col)
			return;		/* a column once: "-o A,A" is A */
	sel[(*n)++] = col;
}

static void add_defaults(const struct du_column *cols, size_t ncols,
			 size_t *sel, size_t *n)
{
	for (size_t i = 0; i < ncols; i++)
		if (cols[i].flags & DU_COL_DEFAULT)
			add_sel(sel, n, i);
}

/*
 * Parse one -o list into sel (which has room for ncols entries).  A list
 * starting with '+' appends to what is selected (the defaults when
 * nothing is); otherwise it replaces the selection.
 */
static int parse_list(const struct du_column *cols, size_t ncols,
		      const char *list, size_t *sel, size_t *n, char *msg,
		      size_t len)
{
	char safe[80];
	const char *p = list, *end;
	int c;

	if (strlen(list) > OUTPUT_MAX) {
		snprintf(msg, len, "--output: the list is too long (%zu bytes)",
			 strlen(list));
		return -EINVAL;
	}
	if (*p == '+') {
		p++;
		if (!*n)
			add_defaults(cols, ncols, sel, n);
	} else {
		*n = 0;
	}
	if (!*p) {
		snprintf(msg, len, "--output: empty column list '%s'",
			 du_text_safe(list, safe, sizeof(safe)));
		return -EINVAL;
	}
	for (;;) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (end == p) {
			snprintf(msg, len, "--output: empty column name in '%s'",
				 du_text_safe(list, safe, sizeof(safe)));
			return -EINVAL;
		}
		c = find_col(cols, ncols, p, (size_t)(end - p));
		if (c < 0) {
			char name[64];

			snprintf(name, sizeof(name), "%.*s",
				 (int)(end - p) < 63 ? (int)(end - p) : 63, p);
			snprintf(msg, len, "--output: unknown column '%s' (--list-columns lists them)",
				 du_text_safe(name, safe, sizeof(safe)));
			return -EINVAL;
		}
		add_sel(sel, n, (size_t)c);
		if (!*end)
			break;
		p = end + 1;
	}
	return 0;
}

int du_table_check_output(const struct du_column *cols, size_t ncols,
			  const char *list, char *msg, size_t len)
{
	size_t *sel = calloc(ncols ? ncols : 1, sizeof(*sel)), n = 0;
	int r;

	if (!sel) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	r = parse_list(cols, ncols, list, sel, &n, msg, len);
	free(sel);
	return r;
}

struct du_table *du_table_new(const struct du_column *cols, size_t ncols,
			      const struct du_table_opts *o, char *msg,
			      size_t len)
{
	struct du_table *t = calloc(1, sizeof(*t));

	if (!t || !(t->sel = calloc(ncols ? ncols : 1, sizeof(*t->sel)))) {
		free(t);
		snprintf(msg, len, "out of memory");
		return NULL;
	}
	t->cols = cols;
	t->ncols = ncols;
	if (o && o->output_all) {
		for (size_t i = 0; i < ncols; i++)
			t->sel[i] = i;
		t->nsel = ncols;
		t->selected = true;
	} else if (o && o->noutput) {
		for (size_t i = 0; i < o->noutput; i++)
			if (parse_list(cols, ncols, o->output[i], t->sel,
				       &t->nsel, msg, len) < 0) {
				du_table_free(t);
				return NULL;
			}
		t->selected = true;
	} else {
		add_defaults(cols, ncols, t->sel, &t->nsel);
	}
	if (o) {
		t->raw = o->raw;
		t->noheadings = o->noheadings;
		t->bytes = o->bytes;
	}
	return t;
}

bool du_table_wants(const struct du_table *t, size_t col)
{
	if (du_out_is_json() && !t->selected)
		return t->cols[col].json != NULL;
	for (size_t i = 0; i < t->nsel; i++)
		if (t->sel[i] == col)
			return !du_out_is_json() || t->cols[col].json;
	return false;
}

/* ---- rows -------------------------------------------------------------- */

struct du_row *du_table_new_row(struct du_table *t)
{
	struct du_row *r;

	if (t->nrows == t->caprows) {
		size_t cap = t->caprows ? 2 * t->caprows : 64;

		r = realloc(t->rows, cap * sizeof(*r));
		if (!r)
			du_die(DU_EXIT_FAILURE, "out of memory");
		t->rows = r;
		t->caprows = cap;
	}
	r = &t->rows[t->nrows];
	r->cells = calloc(t->ncols ? t->ncols : 1, sizeof(*r->cells));
	if (!r->cells)
		du_die(DU_EXIT_FAILURE, "out of memory");
	t->nrows++;
	return r;
}

size_t du_table_nrows(const struct du_table *t)
{
	return t->nrows;
}

static struct cell *clear_cell(struct du_row *r, size_t col)
{
	struct cell *c = &r->cells[col];

	if (c->kind == CELL_STR)
		free(c->v.s);
	if (c->kind == CELL_NESTED) {
		free(c->v.n->text);
		free(c->v.n);
	}
	c->kind = CELL_NULL;
	return c;
}

void du_row_set_str(struct du_row *r, size_t col, const char *s)
{
	struct cell *c = clear_cell(r, col);

	if (!s)
		return;
	c->v.s = strdup(s);
	if (!c->v.s)
		du_die(DU_EXIT_FAILURE, "out of memory");
	c->kind = CELL_STR;
}

void du_row_set_int(struct du_row *r, size_t col, int64_t v)
{
	struct cell *c = clear_cell(r, col);

	c->kind = CELL_INT;
	c->v.i = v;
}

void du_row_set_u64(struct du_row *r, size_t col, uint64_t v)
{
	struct cell *c = clear_cell(r, col);

	c->kind = CELL_U64;
	c->v.u = v;
}

void du_row_set_bool(struct du_row *r, size_t col, bool v)
{
	struct cell *c = clear_cell(r, col);

	c->kind = CELL_BOOL;
	c->v.b = v;
}

void du_row_set_null(struct du_row *r, size_t col)
{
	clear_cell(r, col);
}

void du_row_set_absent(struct du_row *r, size_t col)
{
	clear_cell(r, col)->kind = CELL_ABSENT;
}

void du_row_set_nested(struct du_row *r, size_t col, const char *text,
		       du_nested_fn json, const void *data, size_t len)
{
	struct cell *c = clear_cell(r, col);
	struct nested *n = malloc(sizeof(*n) + len);

	if (!n || (text && !(n->text = strdup(text))))
		du_die(DU_EXIT_FAILURE, "out of memory");
	if (!text)
		n->text = NULL;
	n->json = json;
	n->len = len;
	if (len)
		memcpy(n->data, data, len);
	c->kind = CELL_NESTED;
	c->v.n = n;
}

void du_table_free(struct du_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t j = 0; j < t->ncols; j++)
			clear_cell(&t->rows[i], j);
		free(t->rows[i].cells);
	}
	free(t->rows);
	free(t->sel);
	free(t);
}

/* ---- JSON -------------------------------------------------------------- */

static void json_cell(const struct du_column *col, const struct cell *c)
{
	const char *k = col->json;

	switch (c->kind) {
	case CELL_NULL:
		if (!(col->flags & DU_COL_OMIT_NULL))
			du_print_null(DU_JSON, k, NULL);
		break;
	case CELL_ABSENT:
		break;
	case CELL_NESTED:
		c->v.n->json(k, c->v.n->data);
		break;
	case CELL_STR:
		du_print_string(DU_JSON, k, NULL, c->v.s);
		break;
	case CELL_BOOL:
		du_print_bool(DU_JSON, k, NULL, c->v.b);
		break;
	case CELL_INT:
		if (col->type == DU_COL_ADDR && c->v.i >= 0)
			du_print_hex_u64(DU_JSON, k, NULL, (uint64_t)c->v.i);
		else
			du_print_int(DU_JSON, k, NULL, c->v.i);
		break;
	case CELL_U64:
		if (col->type == DU_COL_ADDR)
			du_print_hex_u64(DU_JSON, k, NULL, c->v.u);
		else
			du_print_u64(DU_JSON, k, NULL, c->v.u);
		break;
	}
}

static void print_json(const struct du_table *t, const char *key)
{
	du_out_open_array(key);
	for (size_t i = 0; i < t->nrows; i++) {
		du_out_open_object(NULL);
		if (t->selected) {
			for (size_t j = 0; j < t->nsel; j++) {
				const struct du_column *col = &t->cols[t->sel[j]];

				if (col->json)
					json_cell(col, &t->rows[i].cells[t->sel[j]]);
			}
		} else {
			for (size_t j = 0; j < t->ncols; j++)
				if (t->cols[j].json)
					json_cell(&t->cols[j],
						  &t->rows[i].cells[j]);
		}
		du_out_close_object();
	}
	du_out_close_array();
}

/* ---- text -------------------------------------------------------------- */

/*
 * The text of a cell, in buf (or a pointer into the cell).  Raw mode
 * gives the bytes as they are: libsmartcols' raw writer hex-escapes
 * blanks, backslashes and every byte that is not printable ASCII.  The
 * aligned mode gives du_text_safe()'s form (control bytes, bad UTF-8 and
 * backslashes as \xHH, valid UTF-8 kept), which libsmartcols prints
 * without encoding it again.
 */
static const char *cell_text(const struct du_table *t,
			     const struct du_column *col,
			     const struct cell *c, char *buf, size_t len)
{
	switch (c->kind) {
	case CELL_NULL:
	case CELL_ABSENT:
		return "-";
	case CELL_NESTED:
		if (!c->v.n->text)
			return "-";
		return t->raw ? c->v.n->text :
			du_text_safe(c->v.n->text, buf, len);
	case CELL_STR:
		return t->raw ? c->v.s : du_text_safe(c->v.s, buf, len);
	case CELL_BOOL:
		return c->v.b ? "yes" : "no";
	case CELL_INT:
		if (col->type == DU_COL_ADDR)
			snprintf(buf, len, "%s0x%" PRIx64, c->v.i < 0 ? "-" : "",
				 c->v.i < 0 ? -(uint64_t)c->v.i : (uint64_t)c->v.i);
		else if (col->type == DU_COL_SIZE && !t->bytes && c->v.i >= 0)
			du_format_size((uint64_t)c->v.i, buf, len);
		else
			snprintf(buf, len, "%" PRId64, c->v.i);
		return buf;
	case CELL_U64:
		if (col->type == DU_COL_ADDR)
			snprintf(buf, len, "0x%" PRIx64, c->v.u);
		else if (col->type == DU_COL_SIZE && !t->bytes)
			du_format_size(c->v.u, buf, len);
		else
			snprintf(buf, len, "%" PRIu64, c->v.u);
		return buf;
	}
	return "-";
}

static int print_text(const struct du_table *t)
{
	struct libscols_table *tb;
	char *buf = NULL;
	size_t blen = 0;
	int r = 0;

	if (!t->nrows || !t->nsel)
		return 0;
	tb = scols_new_table();
	if (!tb)
		return -ENOMEM;
	scols_table_enable_raw(tb, t->raw);
	scols_table_enable_noheadings(tb, t->noheadings);
	/* the cells are already safe (cell_text) */
	scols_table_enable_noencoding(tb, !t->raw);
	scols_table_set_stream(tb, stdout);
	for (size_t j = 0; j < t->nsel && !r; j++) {
		const struct du_column *col = &t->cols[t->sel[j]];
		int fl = 0;

		if (col->flags & DU_COL_RIGHT)
			fl |= SCOLS_FL_RIGHT;
		if (col->flags & DU_COL_TRUNC)
			fl |= SCOLS_FL_TRUNC;
		if (col->flags & DU_COL_WRAP)
			fl |= SCOLS_FL_WRAP;
		if (!scols_table_new_column(tb, col->name, 0, fl))
			r = -ENOMEM;
	}
	for (size_t i = 0; i < t->nrows && !r; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln) {
			r = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < t->nsel && !r; j++) {
			const struct du_column *col = &t->cols[t->sel[j]];
			const struct cell *c = &t->rows[i].cells[t->sel[j]];
			size_t need = c->kind == CELL_STR ?
				4 * strlen(c->v.s) + 1 :
				c->kind == CELL_NESTED && c->v.n->text ?
				4 * strlen(c->v.n->text) + 1 : 64;

			if (need > blen) {
				char *nb = realloc(buf, need);

				if (!nb) {
					r = -ENOMEM;
					break;
				}
				buf = nb;
				blen = need;
			}
			if (scols_line_set_data(ln, j,
						cell_text(t, col, c, buf, blen)))
				r = -ENOMEM;
		}
	}
	if (!r)
		r = scols_print_table(tb);
	free(buf);
	scols_unref_table(tb);
	return r < 0 ? r : r > 0 ? -r : 0;
}

int du_table_print(struct du_table *t, const char *key)
{
	if (du_out_is_json()) {
		print_json(t, key);
		return 0;
	}
	return print_text(t);
}

/* ---- --list-columns ---------------------------------------------------- */

const char *du_col_type_name(enum du_col_type type)
{
	switch (type) {
	case DU_COL_STR:
		return "string";
	case DU_COL_INT:
	case DU_COL_U64:
		return "number";
	case DU_COL_SIZE:
		return "size";
	case DU_COL_ADDR:
		return "address";
	case DU_COL_BOOL:
		return "boolean";
	case DU_COL_NESTED:
		return "array";
	}
	return "string";
}

static const struct du_column list_cols[] = {
	{ "NAME", "name", DU_COL_STR, DU_COL_DEFAULT,
	  "the column's name for -o" },
	{ "JSON", "json", DU_COL_STR, DU_COL_DEFAULT,
	  "its JSON key (null: text only)" },
	{ "TYPE", "type", DU_COL_STR, DU_COL_DEFAULT,
	  "its JSON type" },
	{ "DEFAULT", "default", DU_COL_BOOL, DU_COL_DEFAULT,
	  "shown without -o" },
	{ "DESCRIPTION", "description", DU_COL_STR, DU_COL_DEFAULT,
	  "what it shows" },
};

int du_table_list_columns(const struct du_column *cols, size_t ncols)
{
	struct du_table *t;
	char msg[64];
	int r;

	t = du_table_new(list_cols, sizeof(list_cols) / sizeof(list_cols[0]),
			 NULL, msg, sizeof(msg));
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < ncols; i++) {
		struct du_row *row = du_table_new_row(t);

		du_row_set_str(row, 0, cols[i].name);
		du_row_set_str(row, 1, cols[i].json);
		du_row_set_str(row, 2, du_col_type_name(cols[i].type));
		du_row_set_bool(row, 3, cols[i].flags & DU_COL_DEFAULT);
		du_row_set_str(row, 4, cols[i].help);
	}
	r = du_table_print(t, "columns");
	du_table_free(t);
	return r;
}

/* ---- the argp child ---------------------------------------------------- */

enum {
	OPT_OUTPUT_ALL = 0x300,
};

static const struct argp_option table_options[] = {
	{ "output", 'o', "LIST", 0,
	  "the columns to show (comma-separated; +LIST adds to the default)",
	  0 },
	{ "output-all", OPT_OUTPUT_ALL, NULL, 0, "show every column", 0 },
	{ "noheadings", 'n', NULL, 0, "no header line", 0 },
	{ "raw", 'r', NULL, 0, "raw output: no alignment, unsafe bytes \\xHH",
	  0 },
	{ "bytes", 'b', NULL, 0, "sizes in bytes instead of 4K, 2M, ...", 0 },
	{ "list-columns", 'H', NULL, 0,
	  "list the columns with their meaning (JSON with -j) and exit", 0 },
	{ "json", 'J', NULL, 0, "JSON output (the same as -j)", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t table_parse(int key, char *arg, struct argp_state *state)
{
	struct du_table_opts *o = state->input;
	const char **lists;

	switch (key) {
	case 'o':
		/* repeated -o: every list, applied in order */
		lists = realloc(o->output, (o->noutput + 1) * sizeof(*lists));
		if (!lists)
			argp_failure(state, DU_EXIT_FAILURE, ENOMEM, "--output");
		lists[o->noutput++] = arg;
		o->output = lists;
		break;
	case OPT_OUTPUT_ALL:
		o->output_all = true;
		break;
	case 'n':
		o->noheadings = true;
		break;
	case 'r':
		o->raw = true;
		break;
	case 'b':
		o->bytes = true;
		break;
	case 'H':
		o->list_columns = true;
		break;
	case 'J':
		o->json = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void du_table_opts_free(struct du_table_opts *o)
{
	free(o->output);
	o->output = NULL;
	o->noutput = 0;
}

const struct argp du_table_argp = {
	.options = table_options,
	.parser = table_parse,
};
