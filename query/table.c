/*
 * table.c - one result table printed three ways: aligned for a terminal
 * (display width of each character, so 中文 lines up), JSON, CSV.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "commands.h"
#include "log.h"
#include "query.h"

struct cell {
	char *s;
	enum q_cell type;
};

struct q_table {
	const char *const *cols;
	int ncols;
	int *maxw;
	struct cell *cells; /* rows x ncols */
	size_t nrows, cap;
};

struct q_table *
q_table_new(const char *const *cols, int ncols)
{
	struct q_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->cols = cols;
	t->ncols = ncols;
	if ((t->maxw = calloc(ncols, sizeof(int))) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
q_table_free(struct q_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].s);
	free(t->cells);
	free(t->maxw);
	free(t);
}

int
q_table_row(struct q_table *t)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct cell *c = realloc(t->cells, cap * t->ncols * sizeof(*c));

		if (c == NULL)
			return NB_ENOMEM;
		t->cells = c;
		t->cap = cap;
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i].type = Q_NULL;
	t->nrows++;
	return 0;
}

int
q_table_set(struct q_table *t, int col, enum q_cell type, const char *s)
{
	struct cell *c = &t->cells[(t->nrows - 1) * t->ncols + col];
	char *dup = NULL;

	if (type != Q_NULL && (dup = strdup(s ? s : "")) == NULL)
		return NB_ENOMEM;
	free(c->s);
	c->s = dup;
	c->type = type;
	return 0;
}

int
q_table_setf(struct q_table *t, int col, enum q_cell type, const char *fmt, ...)
{
	struct cell *c = &t->cells[(t->nrows - 1) * t->ncols + col];
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NB_ENOMEM;
	free(c->s);
	c->s = s;
	c->type = type;
	return 0;
}

int
q_table_setj(struct q_table *t, int col, const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return q_table_set(t, col, Q_NULL, NULL);
	if (json_is_string(v))
		return q_table_set(t, col, Q_STR, json_string_value(v));
	if (json_is_integer(v))
		return q_table_setf(t, col, Q_NUM, "%" JSON_INTEGER_FORMAT,
		                    json_integer_value(v));
	if (json_is_real(v))
		/* as the indexer writes reals: 15 significant digits read back
		   exactly what a report writes */
		return q_table_setf(t, col, Q_NUM, "%.15g", json_real_value(v));
	if (json_is_boolean(v))
		return q_table_set(t, col, Q_BOOL,
		                   json_is_true(v) ? "true" : "false");
	{
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		int rc;

		if (s == NULL)
			return NB_ENOMEM;
		rc = q_table_set(t, col, Q_STR, s);
		free(s);
		return rc;
	}
}

size_t
q_table_rows(const struct q_table *t)
{
	return t->nrows;
}

void
q_table_maxwidth(struct q_table *t, int col, int width)
{
	t->maxw[col] = width;
}

/* ------------------------------------------------------------- width */

static void
ctype_utf8(void)
{
	static int done;

	/* widths need a UTF-8 LC_CTYPE; C.UTF-8 is built into glibc */
	if (!done) {
		setlocale(LC_CTYPE, "C.UTF-8");
		done = 1;
	}
}

/* decode one UTF-8 sequence; invalid bytes decode as U+FFFD, length 1 */
static unsigned
utf8_next(const unsigned char *s, int *len)
{
	unsigned c = s[0], n, min;

	if (c < 0x80) {
		*len = 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0)
		n = 1, c &= 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		n = 2, c &= 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		n = 3, c &= 0x07, min = 0x10000;
	else {
		*len = 1;
		return 0xfffd;
	}
	for (unsigned i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return 0xfffd;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*len = 1;
		return 0xfffd;
	}
	*len = n + 1;
	return c;
}

static int
cp_width(unsigned c)
{
	int w;

	if (c < 0x20 || c == 0x7f)
		return 1; /* printed as a blank */
	w = wcwidth((wchar_t)c);
	return w < 0 ? 1 : w;
}

int
q_width(const char *s)
{
	int w = 0, len;

	ctype_utf8();
	for (const unsigned char *p = (const unsigned char *)s; *p; p += len)
		w += cp_width(utf8_next(p, &len));
	return w;
}

/* print s, at most `max' columns (0: all), control characters as blanks;
 * returns the columns printed */
static int
put_text(FILE *fp, const char *s, int max)
{
	int w = 0, len, cw;
	const unsigned char *p = (const unsigned char *)s;

	ctype_utf8();
	if (max > 0 && q_width(s) > max) {
		for (; *p; p += len) {
			cw = cp_width(utf8_next(p, &len));
			if (w + cw > max - 1)
				break;
			if (*p < 0x20 || *p == 0x7f)
				fputc(' ', fp);
			else
				fwrite(p, 1, len, fp);
			w += cw;
		}
		fputs("…", fp);
		return w + 1;
	}
	for (; *p; p += len) {
		cw = cp_width(utf8_next(p, &len));
		if (*p < 0x20 || *p == 0x7f)
			fputc(' ', fp);
		else
			fwrite(p, 1, len, fp);
		w += cw;
	}
	return w;
}

void
q_pad(FILE *fp, const char *s, int width, int right)
{
	int w = q_width(s);

	if (right)
		for (int i = w; i < width; i++)
			fputc(' ', fp);
	put_text(fp, s, 0);
	if (!right)
		for (int i = w; i < width; i++)
			fputc(' ', fp);
}

/* ------------------------------------------------------------ print */

static const char *
col_name(const struct q_table *t, int i)
{
	return t->cols[i][0] == '>' ? t->cols[i] + 1 : t->cols[i];
}

static int
print_terminal(struct q_table *t, FILE *fp)
{
	int *w = calloc(t->ncols, sizeof(int));

	if (w == NULL)
		return NB_ENOMEM;
	for (int c = 0; c < t->ncols; c++) {
		w[c] = q_width(col_name(t, c));
		for (size_t r = 0; r < t->nrows; r++) {
			struct cell *x = &t->cells[r * t->ncols + c];
			int cw = q_width(x->type == Q_NULL ? "-" : x->s);

			if (cw > w[c])
				w[c] = cw;
		}
		if (t->maxw[c] > 0 && w[c] > t->maxw[c])
			w[c] = t->maxw[c];
	}
	for (int c = 0; c < t->ncols; c++) {
		int right = t->cols[c][0] == '>';
		int last = c == t->ncols - 1;

		if (c)
			fputs("  ", fp);
		q_pad(fp, col_name(t, c), last && !right ? 0 : w[c], right);
	}
	fputc('\n', fp);
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			struct cell *x = &t->cells[r * t->ncols + c];
			const char *s = x->type == Q_NULL ? "-" : x->s;
			int right = t->cols[c][0] == '>';
			int last = c == t->ncols - 1, cw;

			if (c)
				fputs("  ", fp);
			cw = q_width(s);
			if (right)
				for (int i = cw; i < w[c]; i++)
					fputc(' ', fp);
			cw = put_text(fp, s, t->maxw[c]);
			if (!right && !last)
				for (int i = cw; i < w[c]; i++)
					fputc(' ', fp);
		}
		fputc('\n', fp);
	}
	free(w);
	return 0;
}

void
q_csv_field(FILE *fp, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static int
print_csv(struct q_table *t, FILE *fp)
{
	for (int c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', fp);
		q_csv_field(fp, col_name(t, c));
	}
	fputs("\r\n", fp);
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			struct cell *x = &t->cells[r * t->ncols + c];

			if (c)
				fputc(',', fp);
			if (x->type != Q_NULL)
				q_csv_field(fp, x->s);
		}
		fputs("\r\n", fp);
	}
	return 0;
}

static json_t *
cell_json(const struct cell *x)
{
	switch (x->type) {
	case Q_NULL:
		return json_null();
	case Q_BOOL:
		return json_boolean(strcmp(x->s, "true") == 0);
	case Q_NUM:
		if (strpbrk(x->s, ".eE") == NULL)
			return json_integer(strtoll(x->s, NULL, 10));
		return json_real(strtod(x->s, NULL));
	default:
		return json_string(x->s);
	}
}

static int
print_json(struct q_table *t, FILE *fp)
{
	json_t *arr = json_array();
	int rc = NB_ENOMEM;

	if (arr == NULL)
		return NB_ENOMEM;
	for (size_t r = 0; r < t->nrows; r++) {
		json_t *o = json_object();

		if (o == NULL || json_array_append_new(arr, o) != 0)
			goto fail;
		for (int c = 0; c < t->ncols; c++)
			if (json_object_set_new(
			        o, col_name(t, c),
			        cell_json(&t->cells[r * t->ncols + c])) != 0)
				goto fail;
	}
	rc = q_json_print(arr, 1, fp);
fail:
	json_decref(arr);
	return rc;
}

int
q_table_print(struct q_table *t, enum q_fmt fmt, FILE *fp)
{
	switch (fmt) {
	case Q_FMT_JSON:
		return print_json(t, fp);
	case Q_FMT_CSV:
		return print_csv(t, fp);
	default:
		return print_terminal(t, fp);
	}
}

int
q_json_print(const json_t *v, int pretty, FILE *fp)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
	               JSON_REAL_PRECISION(15) |
	               (pretty ? JSON_INDENT(2) : JSON_COMPACT);

	if (json_dumpf(v, fp, flags) != 0)
		return NB_ENOMEM;
	fputc('\n', fp);
	return 0;
}

int
q_flush(FILE *fp, int status)
{
	if (fflush(fp) != 0 || ferror(fp)) {
		log_warn("standard output");
		return Q_ERR;
	}
	return status;
}
