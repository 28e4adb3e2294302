/*
 * table.c - one result table printed three ways: aligned for a terminal
 * (display width of each character, so 中文 lines up), JSON, CSV.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "commands.h"
#include "log.h"
#include "query.h"

struct cell {
	char *s;
	int width;          /* display columns, -1 until measured */
	unsigned char type; /* enum q_cell */
	unsigned char ctl;  /* has control characters (once measured) */
};

/* Cell text lives in blocks that are freed with the table: a national
 * listing has millions of cells, and one malloc each costs more than the
 * rest of the answer. */
#define BLOCK_SIZE (256 * 1024)

struct block {
	struct block *next;
	size_t used, size;
	char data[];
};

struct q_table {
	const char *const *cols;
	int ncols;
	int *maxw;
	struct cell *cells; /* rows x ncols */
	size_t nrows, cap;
	struct block *blocks;
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
	struct block *b, *next;

	if (t == NULL)
		return;
	for (b = t->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(t->cells);
	free(t->maxw);
	free(t);
}

/* n bytes of the table's text memory */
static char *
table_alloc(struct q_table *t, size_t n)
{
	struct block *b = t->blocks;

	if (b == NULL || b->size - b->used < n) {
		size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;

		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = t->blocks;
		t->blocks = b;
	}
	b->used += n;
	return b->data + b->used - n;
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
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] =
		    (struct cell){NULL, -1, Q_NULL, 0};
	t->nrows++;
	return 0;
}

static int
cell_set(struct q_table *t, int col, enum q_cell type, const char *s,
         size_t len)
{
	struct cell *c = &t->cells[(t->nrows - 1) * t->ncols + col];
	char *p = NULL;

	if (type != Q_NULL) {
		if ((p = table_alloc(t, len + 1)) == NULL)
			return NB_ENOMEM;
		memcpy(p, s, len);
		p[len] = '\0';
	}
	c->s = p;
	c->width = -1;
	c->type = (unsigned char)type;
	c->ctl = 0;
	return 0;
}

int
q_table_setref(struct q_table *t, int col, enum q_cell type, const char *s)
{
	struct cell *c = &t->cells[(t->nrows - 1) * t->ncols + col];

	c->s = type != Q_NULL ? (char *)(s != NULL ? s : "") : NULL;
	c->width = -1;
	c->type = (unsigned char)type;
	c->ctl = 0;
	return 0;
}

int
q_table_set(struct q_table *t, int col, enum q_cell type, const char *s)
{
	if (s == NULL)
		s = "";
	return cell_set(t, col, type, s, strlen(s));
}

int
q_table_setn(struct q_table *t, int col, long long v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u =
	    v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return cell_set(t, col, Q_NUM, p, (size_t)(buf + sizeof(buf) - p));
}

int
q_table_setf(struct q_table *t, int col, enum q_cell type, const char *fmt, ...)
{
	char buf[256], *s = buf;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NB_ENOMEM;
	if ((size_t)n >= sizeof(buf)) {
		va_start(ap, fmt);
		n = vasprintf(&s, fmt, ap);
		va_end(ap);
		if (n < 0)
			return NB_ENOMEM;
	}
	rc = cell_set(t, col, type, s, n);
	if (s != buf)
		free(s);
	return rc;
}

int
q_table_setj(struct q_table *t, int col, const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return q_table_set(t, col, Q_NULL, NULL);
	if (json_is_string(v))
		return q_table_set(t, col, Q_STR, json_string_value(v));
	if (json_is_integer(v))
		return q_table_setn(t, col, json_integer_value(v));
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

struct sort_key {
	const char *s; /* NULL for a null cell */
	size_t row;
};

static int
cmp_sort_key(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	int c = !x->s || !y->s ? (x->s != NULL) - (y->s != NULL)
	                       : strcmp(x->s, y->s);

	return c ? c : (x->row > y->row) - (x->row < y->row);
}

int
q_table_sort(struct q_table *t, int col)
{
	struct sort_key *k = malloc((t->nrows + 1) * sizeof(*k));
	struct cell *c = malloc((t->nrows * t->ncols + 1) * sizeof(*c));

	if (k == NULL || c == NULL) {
		free(k);
		free(c);
		return NB_ENOMEM;
	}
	for (size_t r = 0; r < t->nrows; r++)
		k[r] = (struct sort_key){t->cells[r * t->ncols + col].s, r};
	qsort(k, t->nrows, sizeof(*k), cmp_sort_key);
	for (size_t r = 0; r < t->nrows; r++)
		memcpy(&c[r * t->ncols], &t->cells[k[r].row * t->ncols],
		       t->ncols * sizeof(*c));
	free(t->cells);
	free(k);
	t->cells = c;
	t->cap = t->nrows;
	return 0;
}

int
q_table_order(struct q_table *t, const uint32_t *key, uint32_t nkeys)
{
	size_t *at = calloc((size_t)nkeys + 1, sizeof(*at));
	size_t *to = malloc((t->nrows + 1) * sizeof(*to));
	struct cell *row = malloc((t->ncols + 1) * sizeof(*row));
	size_t rowsize = t->ncols * sizeof(*row);

	if (at == NULL || to == NULL || row == NULL) {
		free(at);
		free(to);
		free(row);
		return NB_ENOMEM;
	}
	/* a counting sort: where each key's rows start, each row's place */
	for (size_t r = 0; r < t->nrows; r++)
		at[key[r] + 1]++;
	for (uint32_t k = 0; k < nkeys; k++)
		at[k + 1] += at[k];
	for (size_t r = 0; r < t->nrows; r++)
		to[r] = at[key[r]]++;
	/* then the rows moved there in place, cycle by cycle: no second
	 * copy of a table that may be hundreds of megabytes */
	for (size_t r = 0; r < t->nrows; r++)
		while (to[r] != r) {
			size_t d = to[r], td = to[d];
			struct cell *x = &t->cells[r * t->ncols],
			            *y = &t->cells[d * t->ncols];

			memcpy(row, y, rowsize);
			memcpy(y, x, rowsize);
			memcpy(x, row, rowsize);
			to[d] = d;
			to[r] = td;
		}
	free(at);
	free(to);
	free(row);
	return 0;
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
	if (c >= 0x4e00 && c <= 0x9fff)
		return 2; /* CJK unified ideographs: most of every name */
	w = wcwidth((wchar_t)c);
	return w < 0 ? 1 : w;
}

/* the display width of s; *ctl set if it has control characters */
static int
width_ctl(const char *s, unsigned char *ctl)
{
	int w = 0, len;

	ctype_utf8();
	for (const unsigned char *p = (const unsigned char *)s; *p; p += len)
		if (*p >= 0x20 && *p < 0x7f) {
			w++;
			len = 1;
		} else {
			if (*p < 0x20 || *p == 0x7f)
				*ctl = 1;
			w += cp_width(utf8_next(p, &len));
		}
	return w;
}

int
q_width(const char *s)
{
	unsigned char ctl = 0;

	return width_ctl(s, &ctl);
}

/* the width of a cell's text ("-" for null), measured once */
static int
cell_width(struct cell *x)
{
	if (x->width < 0) {
		x->ctl = 0;
		x->width = width_ctl(x->type == Q_NULL ? "-" : x->s, &x->ctl);
	}
	return x->width;
}

static void
blanks(FILE *fp, int n)
{
	static const char sp[] = "                                ";

	for (; n > 0; n -= (int)sizeof(sp) - 1)
		fwrite(sp, 1, n < (int)sizeof(sp) - 1 ? n : sizeof(sp) - 1, fp);
}

/* print s, control characters as blanks */
static void
put_text(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int len;

	/* the common case: nothing to blank out */
	for (; *p >= 0x20 && *p != 0x7f; p++)
		;
	if (*p == '\0') {
		fputs(s, fp);
		return;
	}
	for (p = (const unsigned char *)s; *p; p += len) {
		utf8_next(p, &len);
		if (*p < 0x20 || *p == 0x7f)
			fputc(' ', fp);
		else
			fwrite(p, 1, len, fp);
	}
}

void
q_pad(FILE *fp, const char *s, int width, int right)
{
	int w = q_width(s);

	if (right)
		blanks(fp, width - w);
	put_text(fp, s);
	if (!right)
		blanks(fp, width - w);
}

/* ------------------------------------------------------------ print */

/* a line of the terminal table, made in memory */
struct linebuf {
	char *p;
	size_t n, cap;
};

static int
lb_put(struct linebuf *b, const char *s, size_t n)
{
	if (b->cap - b->n < n) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap - b->n < n)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return NB_ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	return 0;
}

static int
lb_blanks(struct linebuf *b, int n)
{
	static const char sp[] = "                                ";
	int rc = 0;

	for (; n > 0 && rc == 0; n -= (int)sizeof(sp) - 1)
		rc = lb_put(b, sp,
		            n < (int)sizeof(sp) - 1 ? (size_t)n
		                                    : sizeof(sp) - 1);
	return rc;
}

/* s, control characters as blanks (as put_text) */
static int
lb_text(struct linebuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int len, rc = 0;

	for (; *p >= 0x20 && *p != 0x7f; p++)
		;
	if (*p == '\0')
		return lb_put(b, s, (size_t)(p - (const unsigned char *)s));
	for (p = (const unsigned char *)s; *p && rc == 0; p += len) {
		utf8_next(p, &len);
		rc = *p < 0x20 || *p == 0x7f ? lb_put(b, " ", 1)
		                             : lb_put(b, (const char *)p, len);
	}
	return rc;
}

/* s cut to `max' columns, the last one "…"; *w the columns */
static int
lb_cut(struct linebuf *b, const char *s, int max, int *w)
{
	const unsigned char *p = (const unsigned char *)s;
	int len, cw, rc = 0;

	*w = 0;
	ctype_utf8();
	for (; *p && rc == 0; p += len) {
		cw = cp_width(utf8_next(p, &len));
		if (*w + cw > max - 1)
			break;
		rc = *p < 0x20 || *p == 0x7f ? lb_put(b, " ", 1)
		                             : lb_put(b, (const char *)p, len);
		*w += cw;
	}
	*w += 1;
	return rc != 0 ? rc : lb_put(b, "…", strlen("…"));
}

static const char *
col_name(const struct q_table *t, int i)
{
	return t->cols[i][0] == '>' ? t->cols[i] + 1 : t->cols[i];
}

static int
print_terminal(struct q_table *t, FILE *fp)
{
	int *w = calloc(t->ncols, sizeof(int));
	struct linebuf lb = {NULL, 0, 0};
	int rc = 0;

	if (w == NULL)
		return NB_ENOMEM;
	for (int c = 0; c < t->ncols; c++)
		w[c] = q_width(col_name(t, c));
	/* row by row: the cells lie so in memory */
	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			int cw = cell_width(&t->cells[r * t->ncols + c]);

			if (cw > w[c])
				w[c] = cw;
		}
	for (int c = 0; c < t->ncols; c++)
		if (t->maxw[c] > 0 && w[c] > t->maxw[c])
			w[c] = t->maxw[c];
	for (int c = 0; c < t->ncols; c++) {
		int right = t->cols[c][0] == '>';
		int last = c == t->ncols - 1;

		if (c)
			fputs("  ", fp);
		q_pad(fp, col_name(t, c), last && !right ? 0 : w[c], right);
	}
	fputc('\n', fp);
	/* each row is made in memory and written whole: a national listing
	 * is millions of rows, and a stdio call per piece was most of it */
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		lb.n = 0;
		for (int c = 0; c < t->ncols && rc == 0; c++) {
			struct cell *x = &t->cells[r * t->ncols + c];
			const char *s = x->type == Q_NULL ? "-" : x->s;
			int right = t->cols[c][0] == '>';
			int last = c == t->ncols - 1, cw;

			if (c)
				rc = lb_blanks(&lb, 2);
			cw = cell_width(x);
			if (rc == 0 && right)
				rc = lb_blanks(&lb, w[c] - cw);
			if (rc != 0)
				break;
			if (t->maxw[c] > 0 && cw > t->maxw[c])
				rc = lb_cut(&lb, s, t->maxw[c], &cw);
			else if (!x->ctl)
				rc = lb_put(&lb, s, strlen(s));
			else
				rc = lb_text(&lb, s);
			if (rc == 0 && !right && !last)
				rc = lb_blanks(&lb, w[c] - cw);
		}
		if (rc == 0 && (rc = lb_put(&lb, "\n", 1)) == 0)
			fwrite_unlocked(lb.p, 1, lb.n, fp);
	}
	free(lb.p);
	free(w);
	return rc;
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
