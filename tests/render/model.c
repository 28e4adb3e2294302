/*
 * model.c - lay a report record out as the document a county publishes:
 * title, the six sections, and the template's tables with the row and
 * column spans the national templates use.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

#define NBSP "\xc2\xa0"
#define IDSP "\xe3\x80\x80"

/* Keys for rdoc_pick, so each choice draws independently of the others. */
enum pick_key {
	PK_HEAD2 = 1,
	PK_HEAD3,
	PK_HEAD4,
	PK_SUBHEAD,
	PK_TITLE_CUT,
	PK_GOBACK,
	PK_CELL = 1000 /* + 4 * cell id + purpose */
};

unsigned
rdoc_pick(const struct rdoc *d, unsigned key, unsigned n)
{
	uint32_t h = 2166136261u;
	uint32_t v[2] = {d->seed, key};
	const unsigned char *p = (const unsigned char *)v;

	for (size_t i = 0; i < sizeof(v); i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return n ? h % n : 0;
}

/* ---- numbers ---------------------------------------------------------- */

int
render_number(const json_t *v, char *buf, size_t size)
{
	char e[40], digits[24], out[400];
	size_t nd = 0, o = 0;
	int p, exp10, n;
	double x;
	char *q;

	if (json_is_integer(v)) {
		n = snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
		             json_integer_value(v));
		return n < 0 || (size_t)n >= size ? NB_EINVAL : 0;
	}
	if (!json_is_real(v))
		return NB_EINVAL;
	x = json_real_value(v);
	if (!isfinite(x))
		return NB_EINVAL;
	/* the fewest significant digits that read back as the same double */
	for (p = 1; p <= 17; p++) {
		snprintf(e, sizeof(e), "%.*e", p - 1, x);
		if (strtod(e, NULL) == x)
			break;
	}
	q = e;
	if (*q == '-')
		out[o++] = *q++;
	for (; *q != 'e'; q++)
		if (*q != '.')
			digits[nd++] = *q;
	exp10 = atoi(q + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp10 < 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = -1; i > exp10; i--)
			out[o++] = '0';
		memcpy(out + o, digits, nd);
		o += nd;
	} else {
		for (int i = 0; i <= exp10; i++)
			out[o++] = (size_t)i < nd ? digits[i] : '0';
		out[o++] = '.';
		if ((size_t)exp10 + 1 < nd) {
			memcpy(out + o, digits + exp10 + 1, nd - exp10 - 1);
			o += nd - exp10 - 1;
		} else {
			out[o++] = '0';
		}
	}
	if (o + 1 > size)
		return NB_EINVAL;
	memcpy(buf, out, o);
	buf[o] = '\0';
	return 0;
}

/* ---- seeded cosmetic choices ------------------------------------------ */

static size_t
utf8_next(const char *s, size_t len, size_t i)
{
	i++;
	while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

int
rdoc_cuts(const struct rdoc *d, const char *s, size_t len, unsigned key,
          size_t cut[2])
{
	size_t bound[64];
	unsigned nb = 0, a, b;

	/* character boundaries strictly inside the text */
	for (size_t i = utf8_next(s, len, 0); i < len && nb < NB_NELEM(bound);
	     i = utf8_next(s, len, i))
		bound[nb++] = i;
	if (nb == 0)
		return 0;
	a = rdoc_pick(d, key, nb);
	if (nb < 3 || rdoc_pick(d, key + 1, 2) == 0) {
		cut[0] = bound[a];
		return 1;
	}
	b = rdoc_pick(d, key + 2, nb - 1);
	if (b >= a)
		b++;
	cut[0] = bound[a < b ? a : b];
	cut[1] = bound[a < b ? b : a];
	return 2;
}

void
rdoc_pad(const struct rdoc *d, const struct rcell *c, const char **pre,
         const char **post)
{
	static const char *const pads[] = {NBSP, IDSP, " "};

	*pre = *post = "";
	if (!(d->variant & RV_BLANK_STYLES) || c->kind != RC_VALUE)
		return;
	switch (rdoc_pick(d, PK_CELL + 4 * c->id, 6)) {
	case 0:
		*pre = pads[rdoc_pick(d, PK_CELL + 4 * c->id + 1, 3)];
		break;
	case 1:
		*post = pads[rdoc_pick(d, PK_CELL + 4 * c->id + 1, 3)];
		break;
	default:
		break;
	}
}

enum rblank
rdoc_blank(const struct rdoc *d, const struct rcell *c)
{
	if (!(d->variant & RV_BLANK_STYLES))
		return RBL_EMPTY;
	return (enum rblank)rdoc_pick(d, PK_CELL + 4 * c->id + 2, 4);
}

/* ---- building --------------------------------------------------------- */

static void *
grow(struct rdoc *d, void *p, int *cap, int need, size_t elem)
{
	int ncap;
	void *np;

	if (need <= *cap)
		return p;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	if ((np = realloc(p, (size_t)ncap * elem)) == NULL) {
		d->err = NB_ENOMEM;
		return NULL;
	}
	memset((char *)np + (size_t)*cap * elem, 0,
	       (size_t)(ncap - *cap) * elem);
	*cap = ncap;
	return np;
}

static char *xprintf(struct rdoc *d, const char *fmt, ...) NB_PRINTF(2, 3);

static char *
xprintf(struct rdoc *d, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (d->err)
		return NULL;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		d->err = NB_ENOMEM;
		return NULL;
	}
	return s;
}

static struct rblock *
block_add(struct rdoc *d, enum rblock_kind kind, char *text)
{
	struct rblock *b, *nb;

	if (d->err) {
		free(text);
		return NULL;
	}
	nb = grow(d, d->blocks, &d->cap, d->n + 1, sizeof(*nb));
	if (nb == NULL) {
		free(text);
		return NULL;
	}
	d->blocks = nb;
	b = &d->blocks[d->n++];
	b->kind = kind;
	b->text = text;
	return b;
}

static void para(struct rdoc *d, enum rblock_kind kind, const char *fmt, ...)
    NB_PRINTF(3, 4);

static void
para(struct rdoc *d, enum rblock_kind kind, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (d->err)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		d->err = NB_ENOMEM;
		s = NULL;
	}
	va_end(ap);
	if (s != NULL)
		block_add(d, kind, s);
}

/*
 * A table of ncols grid columns: the first nlab (the labels) share
 * labw twips, the others (the values) share the rest of the page width.
 */
static struct rtable *
table_add(struct rdoc *d, int ncols, int nlab, const int *labw)
{
	struct rtable *t;
	struct rblock *b;
	int rest = RDOC_TEXT_WIDTH;

	if (d->err)
		return NULL;
	if (ncols > RTABLE_MAXCOLS) {
		d->err = NB_EINVAL;
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		d->err = NB_ENOMEM;
		return NULL;
	}
	t->ncols = ncols;
	for (int i = 0; i < nlab; i++)
		rest -= t->width[i] = labw[i];
	for (int i = nlab; i < ncols; i++)
		t->width[i] = rest / (ncols - nlab);
	if ((b = block_add(d, RB_TABLE, NULL)) == NULL) {
		free(t);
		return NULL;
	}
	b->table = t;
	return t;
}

static struct rrow *
row_add(struct rdoc *d, struct rtable *t)
{
	struct rrow *r;

	if (d->err || t == NULL)
		return NULL;
	if ((r = grow(d, t->rows, &t->cap, t->n + 1, sizeof(*r))) == NULL)
		return NULL;
	t->rows = r;
	return &t->rows[t->n++];
}

static struct rcell *
cell_add(struct rdoc *d, struct rrow *r, enum rcell_kind kind, char *text,
         int colspan, int rowspan)
{
	struct rcell *c;

	if (d->err || r == NULL) {
		free(text);
		return NULL;
	}
	if ((c = grow(d, r->cells, &r->cap, r->n + 1, sizeof(*c))) == NULL) {
		free(text);
		return NULL;
	}
	r->cells = c;
	c = &r->cells[r->n++];
	c->kind = kind;
	c->text = text;
	c->colspan = colspan;
	c->rowspan = rowspan;
	c->id = d->ncells++;
	return c;
}

/*
 * A label.  With marks, a '|' in text marks where the label wraps
 * (本年新|制作数量), '^' the same for a wrap the seeds' text form shows
 * too (商业^企业).
 */
static void
label_text(struct rdoc *d, struct rrow *r, const char *text, int colspan,
           int rowspan, int marks)
{
	const char *bar = marks ? strpbrk(text, "|^") : NULL;
	struct rcell *c;
	char *s;

	if (d->err)
		return;
	if ((s = strdup(text)) == NULL) {
		d->err = NB_ENOMEM;
		return;
	}
	if (bar != NULL)
		memmove(s + (bar - text), s + (bar - text) + 1,
		        strlen(bar + 1) + 1);
	if ((c = cell_add(d, r, RC_LABEL, s, colspan, rowspan)) == NULL)
		return;
	if (bar != NULL) {
		c->brk = (size_t)(bar - text);
		c->brk_text = *bar == '^';
	}
}

static void
label(struct rdoc *d, struct rrow *r, const char *text, int colspan,
      int rowspan)
{
	label_text(d, r, text, colspan, rowspan, 1);
}

/* A number or a blank; unit is appended when given (RV_UNITS_IN_CELLS). */
static void
value(struct rdoc *d, struct rrow *r, const json_t *v, const char *unit,
      int colspan)
{
	char num[400];

	if (d->err)
		return;
	if (v == NULL || json_is_null(v)) {
		cell_add(d, r, RC_BLANK, NULL, colspan, 1);
		return;
	}
	if (render_number(v, num, sizeof(num)) != 0) {
		d->err = NB_EINVAL;
		return;
	}
	cell_add(d, r, RC_VALUE,
	         xprintf(d, "%s%s", num,
	                 unit && (d->variant & RV_UNITS_IN_CELLS) ? unit : ""),
	         colspan, 1);
}

static const json_t *
amount_value(const json_t *a)
{
	return json_is_object(a) ? json_object_get(a, "value") : NULL;
}

static const char *
amount_unit(const json_t *a)
{
	const json_t *u = json_is_object(a) ? json_object_get(a, "unit") : NULL;

	return json_is_string(u) && json_string_length(u) > 0
	           ? json_string_value(u)
	           : NULL;
}

/* With RV_BLANK_STYLES, a row's trailing blanks are left out (short row). */
static void
row_trim(const struct rdoc *d, struct rrow *r)
{
	if (r == NULL || !(d->variant & RV_BLANK_STYLES))
		return;
	while (r->n > 0 && r->cells[r->n - 1].kind == RC_BLANK)
		r->n--;
}

/* The label or its variant spelling (RV_LABEL_VARIANTS). */
static const char *
lv(const struct rdoc *d, const char *normal, const char *variant)
{
	return (d->variant & RV_LABEL_VARIANTS) ? variant : normal;
}

/* ---- 二、主动公开政府信息情况 ------------------------------------------ */

struct arow {
	const char *key;
	const char *label2021, *variant2021; /* NULL: not in that template */
	const char *label2019, *variant2019;
};

struct ablock {
	const char *item;     /* 第二十条第（一）项 */
	const char *head[3];  /* column headers; "amount" gets the unit */
	const char *field[3]; /* record keys, NULL-terminated */
	const struct arow *rows;
	int nrows;
};

static const struct arow rows_rules[] = {
    {"rules", "规章", "规章", "规    章", "规章"},
    {"normative_docs", "行政规范性文件", "规范性文件", "规范性文件",
     "行政规范性文件"},
};
static const struct arow rows_licensing[] = {
    {"licensing", "行政许可", "行政许可", "行政许可", "行政许可"},
    {"other_services", NULL, NULL, "其他对外管理服务事项",
     "其他对外管理服务事项"},
};
static const struct arow rows_punish[] = {
    {"punishment", "行政处罚", "行政处罚", "行政处罚", "行政处罚"},
    {"compulsion", "行政强制", "行政强制", "行政强制", "行政强制"},
};
static const struct arow rows_fees[] = {
    {"fees", "行政事业性收费", "行政事业性收费", "行政事业性收费",
     "行政事业性收费"},
};
static const struct arow rows_procure[] = {
    {"procurement", NULL, NULL, "政府集中采购", "政府集中采购"},
};

static const struct ablock active2021[] = {
    {"第二十条第（一）项",
     {"本年制发|件数", "本年废止|件数", "现行有效|件数"},
     {"made", "repealed", "in_force"},
     rows_rules,
     NB_NELEM(rows_rules)},
    {"第二十条第（五）项",
     {"本年处理|决定数量"},
     {"decisions"},
     rows_licensing,
     NB_NELEM(rows_licensing)},
    {"第二十条第（六）项",
     {"本年处理|决定数量"},
     {"decisions"},
     rows_punish,
     NB_NELEM(rows_punish)},
    {"第二十条第（八）项",
     {"本年收费金额"},
     {"amount"},
     rows_fees,
     NB_NELEM(rows_fees)},
};

static const struct ablock active2019[] = {
    {"第二十条第（一）项",
     {"本年新|制作数量", "本年新|公开数量", "对外公开|总数量"},
     {"new_made", "new_published", "total_published"},
     rows_rules,
     NB_NELEM(rows_rules)},
    {"第二十条第（五）项",
     {"上一年|项目数量", "本年|增/减", "处理决定|数量"},
     {"prev_items", "change", "decisions"},
     rows_licensing,
     NB_NELEM(rows_licensing)},
    {"第二十条第（六）项",
     {"上一年|项目数量", "本年|增/减", "处理决定|数量"},
     {"prev_items", "change", "decisions"},
     rows_punish,
     NB_NELEM(rows_punish)},
    {"第二十条第（八）项",
     {"上一年|项目数量", "本年|增/减"},
     {"prev_items", "change"},
     rows_fees,
     NB_NELEM(rows_fees)},
    {"第二十条第（九）项",
     {"采购项目|数量", "采购总金额"},
     {"items", "amount"},
     rows_procure,
     NB_NELEM(rows_procure)},
};

/* The amount header with the unit the rule of the schema reads back. */
static char *
amount_head(struct rdoc *d, const char *base, const char *unit)
{
	if (unit == NULL || (d->variant & RV_UNITS_IN_CELLS))
		return xprintf(d, "%s", base);
	if (d->t2021)
		return xprintf(d, "%s（单位：%s）", base, unit);
	return xprintf(d, "%s（%s）", base, unit);
}

/*
 * Column spans of a block with nf value columns in the 4-column table:
 * three values one each; two values 1 + 2; one value 3 (RV_SPAN_SHIFT:
 * the label takes two columns and the value the other two).
 */
static void
active_spans(const struct rdoc *d, int nf, int *lab, int span[3])
{
	*lab = 1;
	span[0] = span[1] = span[2] = 1;
	if (nf == 2) {
		span[1] = 2;
	} else if (nf == 1) {
		if (d->variant & RV_SPAN_SHIFT) {
			*lab = 2;
			span[0] = 2;
		} else {
			span[0] = 3;
		}
	}
}

static void
active_block(struct rdoc *d, struct rtable **t, const json_t *active,
             const struct ablock *b)
{
	const json_t *obj[3];
	const char *unit = NULL;
	int nf, nrows = 0, lab, span[3];
	struct rrow *r;

	for (int i = 0; i < b->nrows; i++) {
		const struct arow *a = &b->rows[i];
		const char *l = d->t2021 ? a->label2021 : a->label2019;

		obj[i] = l ? json_object_get(active, a->key) : NULL;
		if (obj[i] != NULL && !json_is_object(obj[i]))
			d->err = NB_EINVAL;
		if (obj[i] != NULL) {
			const char *u =
			    amount_unit(json_object_get(obj[i], "amount"));

			nrows++;
			if (u != NULL)
				unit = u;
		}
	}
	if (nrows == 0 || d->err)
		return;
	if (*t == NULL)
		*t = table_add(d, 4, 1, (const int[]){2700});
	for (nf = 0; nf < 3 && b->field[nf]; nf++)
		;
	active_spans(d, nf, &lab, span);

	r = row_add(d, *t);
	label(d, r, b->item, 4, 1);
	r = row_add(d, *t);
	label(d, r, "信息内容", lab, 1);
	for (int f = 0; f < nf; f++) {
		if (strcmp(b->field[f], "amount") == 0) {
			char *h = amount_head(d, b->head[f], unit);

			if (h != NULL)
				label_text(d, r, h, span[f], 1, 0);
			free(h);
		} else {
			label(d, r, b->head[f], span[f], 1);
		}
	}
	for (int i = 0; i < b->nrows; i++) {
		const struct arow *a = &b->rows[i];

		if (obj[i] == NULL)
			continue;
		r = row_add(d, *t);
		label(d, r,
		      d->t2021 ? lv(d, a->label2021, a->variant2021)
		               : lv(d, a->label2019, a->variant2019),
		      lab, 1);
		for (int f = 0; f < nf; f++) {
			const json_t *v = json_object_get(obj[i], b->field[f]);

			if (strcmp(b->field[f], "amount") == 0 && v != NULL &&
			    !json_is_object(v) && !json_is_null(v))
				d->err = NB_EINVAL;
			else if (strcmp(b->field[f], "amount") == 0)
				value(d, r, amount_value(v), amount_unit(v),
				      span[f]);
			else
				value(d, r, v, NULL, span[f]);
		}
		row_trim(d, r);
	}
}

static void
active_table(struct rdoc *d, const json_t *active)
{
	const struct ablock *b = d->t2021 ? active2021 : active2019;
	int n =
	    d->t2021 ? (int)NB_NELEM(active2021) : (int)NB_NELEM(active2019);
	struct rtable *t = NULL;

	if (!json_is_object(active))
		return;
	for (int i = 0; i < n; i++)
		active_block(d, &t, active, &b[i]);
}

/* ---- 三、收到和处理政府信息公开申请情况 -------------------------------- */

struct qrow {
	const char *key;
	const char *label2021, *label2019; /* the variant swaps them */
};

struct qgroup {
	const char *key; /* under results; NULL: a row of its own */
	const char *label;
	const struct qrow *rows;
	int nrows;
};

static const struct qrow q_denied[] = {
    {"state_secret", "1.属于国家秘密", NULL},
    {"law_prohibited", "2.其他法律行政法规禁止公开", NULL},
    {"security_stability", "3.危及“三安全一稳定”", NULL},
    {"third_party", "4.保护第三方合法权益", NULL},
    {"internal_affairs", "5.属于三类内部事务信息", NULL},
    {"process_info", "6.属于四类过程性信息", NULL},
    {"enforcement_files", "7.属于行政执法案卷", NULL},
    {"query_matters", "8.属于行政查询事项", NULL},
};
static const struct qrow q_unavailable[] = {
    {"not_held", "1.本机关不掌握相关政府信息", NULL},
    {"needs_creation", "2.没有现成信息需要另行制作", NULL},
    {"unclear", "3.补正后申请内容仍不明确", NULL},
};
static const struct qrow q_not_processed[] = {
    {"petition", "1.信访举报投诉类申请", "1.信访投诉举报类申请"},
    {"duplicate", "2.重复申请", NULL},
    {"publications", "3.要求提供公开出版物", NULL},
    {"excessive", "4.无正当理由大量反复申请", NULL},
    {"confirm_existing", "5.要求行政机关确认或重新出具已获取信息", NULL},
};
static const struct qrow q_other[] = {
    {"no_correction",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", NULL},
    {"no_fee_paid",
     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息"
     "公开申请",
     NULL},
    {"other", "3.其他", NULL},
};

static const char *
qlabel(const struct rdoc *d, const struct qrow *q)
{
	int use2019 = !d->t2021;

	if (q->label2019 == NULL)
		return q->label2021;
	if (d->variant & RV_LABEL_VARIANTS)
		use2019 = !use2019;
	return use2019 ? q->label2019 : q->label2021;
}

/* d's spelling for this template, or the other one (RV_LABEL_VARIANTS) */
static const char *
tlabel(const struct rdoc *d, const char *l2021, const char *l2019)
{
	int use2019 = !d->t2021;

	if (d->variant & RV_LABEL_VARIANTS)
		use2019 = !use2019;
	return use2019 ? l2019 : l2021;
}

static const json_t *
qarray(struct rdoc *d, const json_t *v)
{
	if (v != NULL && !json_is_array(v)) {
		d->err = NB_EINVAL;
		return NULL;
	}
	return v;
}

static void
qvalues(struct rdoc *d, struct rrow *r, const json_t *arr)
{
	for (size_t i = 0; i < 7; i++)
		value(d, r, json_array_get(arr, i), NULL, 1);
	row_trim(d, r);
}

/*
 * The label area is three grid columns wide (RV_SPAN_SHIFT: four), values
 * one column each after it.  lw is that width.
 */
static void
requests_table(struct rdoc *d, const json_t *req)
{
	const int shift = (d->variant & RV_SPAN_SHIFT) != 0, lw = 3 + shift;
	const json_t *results, *v;
	struct rtable *t;
	struct rrow *r;
	int nres = 0, first;
	struct {
		const char *key, *label;
		const struct qrow *rows;
		int n;
	} groups[] = {
	    {"granted", "（一）予以公开", NULL, 0},
	    {"partially_granted", NULL, NULL, 0},
	    {"denied", "（三）不予公开", q_denied, NB_NELEM(q_denied)},
	    {"unavailable", "（四）无法提供", q_unavailable,
	     NB_NELEM(q_unavailable)},
	    {"not_processed", "（五）不予处理", q_not_processed,
	     NB_NELEM(q_not_processed)},
	    {"other", "（六）其他处理", q_other, NB_NELEM(q_other)},
	    {"total", "（七）总计", NULL, 0},
	};
	char *partial;

	if (!json_is_object(req))
		return;
	results = json_object_get(req, "results");
	if (results != NULL && !json_is_object(results))
		d->err = NB_EINVAL;
	partial =
	    xprintf(d, "（二）部分公开（区分处理的，%s这一情形，%s其他情形）",
	            tlabel(d, "只计", "只记"), tlabel(d, "不计", "不记"));
	groups[1].label = partial;

	/* how many rows 三、本年度办理结果 spans */
	for (size_t g = 0; results && g < NB_NELEM(groups); g++) {
		v = json_object_get(results, groups[g].key);
		if (v == NULL)
			continue;
		if (groups[g].rows == NULL) {
			nres++;
			continue;
		}
		if (!json_is_object(v)) {
			d->err = NB_EINVAL;
			continue;
		}
		for (int i = 0; i < groups[g].n; i++)
			nres +=
			    json_object_get(v, groups[g].rows[i].key) != NULL;
	}

	t = table_add(d, lw + 7, lw,
	              shift ? (const int[]){760, 900, 360, 1580}
	                    : (const int[]){760, 1100, 1740});
	r = row_add(d, t);
	label(
	    d, r,
	    tlabel(d,
	           "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项"
	           "加第四项之和）",
	           "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四"
	           "项之和"),
	    lw, 3);
	label(d, r, "申请人情况", 7, 1);
	r = row_add(d, t);
	label(d, r, "自然人", 1, 2);
	label(d, r, "法人或其他组织", 5, 1);
	label(d, r, tlabel(d, "总计", "合计"), 1, 2);
	r = row_add(d, t);
	label(d, r, "商业^企业", 1, 1);
	label(d, r, "科研^机构", 1, 1);
	label(d, r, "社会公益|组织", 1, 1);
	label(d, r, "法律服务|机构", 1, 1);
	label(d, r, "其他", 1, 1);

	if ((v = qarray(d, json_object_get(req, "new"))) != NULL) {
		r = row_add(d, t);
		label(d, r, "一、本年新收政府信息公开申请数量", lw, 1);
		qvalues(d, r, v);
	}
	if ((v = qarray(d, json_object_get(req, "carried_over"))) != NULL) {
		r = row_add(d, t);
		label(d, r, "二、上年结转政府信息公开申请数量", lw, 1);
		qvalues(d, r, v);
	}
	first = 1;
	for (size_t g = 0; nres > 0 && g < NB_NELEM(groups); g++) {
		const json_t *gv = json_object_get(results, groups[g].key);
		int n = 0, single;

		if (gv == NULL || d->err)
			continue;
		if (groups[g].rows != NULL)
			for (int i = 0; i < groups[g].n; i++)
				n += json_object_get(
				         gv, groups[g].rows[i].key) != NULL;
		/*
		 * A group with only its last row (（六）其他处理 with just
		 * "other") is the single row of the 2019 template.
		 */
		single =
		    groups[g].rows == NULL ||
		    (n == 1 &&
		     json_object_get(gv, groups[g].rows[groups[g].n - 1].key) !=
		         NULL &&
		     strcmp(groups[g].key, "other") == 0);
		if (groups[g].rows != NULL && n == 0)
			continue;
		r = row_add(d, t);
		if (first) {
			label(d, r, "三、本年度办理结果", 1, nres);
			first = 0;
		}
		if (single) {
			if (groups[g].rows != NULL)
				gv = json_object_get(
				    gv, groups[g].rows[groups[g].n - 1].key);
			label(d, r, groups[g].label, lw - 1, 1);
			qvalues(d, r, qarray(d, gv));
			continue;
		}
		/* RV_SPAN_SHIFT: (三) and (五) take two columns, the others
		 * leave the extra column to their rows' labels */
		int gw = shift && (g == 2 || g == 4) ? 2 : 1;
		label(d, r, groups[g].label, gw, n);
		for (int i = 0, k = 0; i < groups[g].n; i++) {
			const json_t *rv =
			    json_object_get(gv, groups[g].rows[i].key);

			if (rv == NULL)
				continue;
			if (k++ > 0)
				r = row_add(d, t);
			label(d, r, qlabel(d, &groups[g].rows[i]), lw - 1 - gw,
			      1);
			qvalues(d, r, qarray(d, rv));
		}
	}
	if ((v = qarray(d, json_object_get(req, "carried_forward"))) != NULL) {
		r = row_add(d, t);
		label(d, r, "四、结转下年度继续办理", lw, 1);
		qvalues(d, r, v);
	}
	free(partial);
}

/* ---- 四、行政复议、行政诉讼 ------------------------------------------- */

static void
appeals_table(struct rdoc *d, const json_t *ap)
{
	static const char *const groups[] = {"review", "litigation_direct",
	                                     "litigation_after_review"};
	static const char *const fields[] = {"upheld", "corrected", "other",
	                                     "pending", "total"};
	const char *heads[5];
	struct rtable *t;
	struct rrow *r;

	if (!json_is_object(ap))
		return;
	heads[0] = tlabel(d, "结果^维持", "结果^维护");
	heads[1] = "结果^纠正";
	heads[2] = "其他^结果";
	heads[3] = "尚未^审结";
	heads[4] = "总计";
	t = table_add(d, 15, 0, NULL);
	r = row_add(d, t);
	label(d, r, "行政复议", 5, 1);
	label(d, r, "行政诉讼", 10, 1);
	r = row_add(d, t);
	for (int f = 0; f < 5; f++)
		label(d, r, heads[f], 1, 2);
	label(d, r, "未经复议直接起诉", 5, 1);
	label(d, r, "复议后起诉", 5, 1);
	r = row_add(d, t);
	for (int g = 1; g < 3; g++)
		for (int f = 0; f < 5; f++)
			label(d, r, heads[f], 1, 1);
	r = row_add(d, t);
	for (int g = 0; g < 3; g++) {
		const json_t *gv = json_object_get(ap, groups[g]);

		if (gv != NULL && !json_is_object(gv) && !json_is_null(gv))
			d->err = NB_EINVAL;
		for (int f = 0; f < 5; f++)
			value(d, r, json_object_get(gv, fields[f]), NULL, 1);
	}
	row_trim(d, r);
}

/* ---- layout ----------------------------------------------------------- */

/*
 * Place every cell on the grid, noting where cells merged down from above
 * continue, so Word's vMerge and the text form's empty lines can be
 * written.  A short row ends with after > 0.
 */
static int
table_layout(struct rtable *t)
{
	const struct rcell **above;
	int *down, rc = 0;

	above = calloc((size_t)t->ncols, sizeof(*above));
	down = calloc((size_t)t->ncols, sizeof(*down));
	if (above == NULL || down == NULL) {
		rc = NB_ENOMEM;
		goto done;
	}
	for (int i = 0; i < t->n; i++) {
		struct rrow *r = &t->rows[i];
		int c = 0, ci = 0;

		r->slots = calloc((size_t)t->ncols, sizeof(*r->slots));
		if (r->slots == NULL) {
			rc = NB_ENOMEM;
			goto done;
		}
		while (c < t->ncols) {
			struct rcell *cell;

			if (down[c] > 0) {
				r->slots[r->nslots].cell = above[c];
				r->slots[r->nslots++].cont = 1;
				c += above[c]->colspan;
				continue;
			}
			if (ci == r->n)
				break;
			cell = &r->cells[ci++];
			for (int k = c; k < c + cell->colspan; k++) {
				if (k >= t->ncols || down[k] > 0) {
					rc = NB_EINVAL;
					goto done;
				}
			}
			cell->col = c;
			r->slots[r->nslots++].cell = cell;
			for (int k = c; k < c + cell->colspan; k++) {
				down[k] = cell->rowspan;
				above[k] = cell;
			}
			c += cell->colspan;
		}
		if (ci < r->n) {
			rc = NB_EINVAL;
			goto done;
		}
		r->after = t->ncols - c;
		for (int k = 0; k < t->ncols; k++) {
			/* a short row cannot end before a merged cell */
			if (k >= c && down[k] > 0) {
				rc = NB_EINVAL;
				goto done;
			}
			if (down[k] > 0)
				down[k]--;
		}
	}
done:
	free(above);
	free(down);
	return rc;
}

/* ---- the document ----------------------------------------------------- */

/* Where the title breaks with RV_TITLE_SPLIT, as the seeds show it. */
static size_t
title_cut(const struct rdoc *d)
{
	const char *t = d->title, *p;
	size_t len = strlen(t), alen = strlen(d->agency), n = 0, mid = 0;

	switch (rdoc_pick(d, PK_TITLE_CUT, 3)) {
	case 0: /* 瑞金市人民政府办公室 / 2021年政府信息公开工作年度报告 */
		if (alen < len && strncmp(t, d->agency, alen) == 0)
			return alen;
		/* FALLTHROUGH */
	case 1: /* …2020年政府 / 信息公开工作年度报告 */
		if ((p = strstr(t, "信息公开工作年度报告")) != NULL && p > t)
			return (size_t)(p - t);
		/* FALLTHROUGH */
	default: /* …政府信息公开工作 / 年度报告 */
		if ((p = strstr(t, "年度报告")) != NULL && p > t)
			return (size_t)(p - t);
		break;
	}
	/* no known place: the middle character */
	for (size_t i = 0; i < len; i = utf8_next(t, len, i))
		n++;
	for (size_t k = 0; k < n / 2; k++)
		mid = utf8_next(t, len, mid);
	return mid;
}

/* A section number, unless RV_NO_NUMBERING drops it. */
static const char *
num(const struct rdoc *d, const char *n)
{
	return (d->variant & RV_NO_NUMBERING) ? "" : n;
}

static void
prose(struct rdoc *d)
{
	const char *a = d->agency;
	const char *sub[5][2] = {
	    {"一", "主动公开"},     {"二", "依申请公开"},
	    {"三", "政府信息管理"}, {"四", "政府信息公开平台建设"},
	    {"五", "监督保障"},
	};
	const char *text[5] = {
	    "通过政府网站信息公开平台主动公开政府信息，及时更新机构职能、规划"
	    "计划、财政预决算等栏目内容，做到应公开尽公开。",
	    "严格按照法定程序和时限办理政府信息公开申请，规范答复文书格式，依"
	    "法保障申请人的合法权益。",
	    "落实公文公开属性源头认定机制，严格执行信息发布审核制度，做好政府"
	    "信息的动态更新与清理。",
	    "加强政府网站和政务新媒体管理，规范栏目设置，提升平台的信息发布、"
	    "解读回应和互动交流功能。",
	    "成立政务公开工作领导小组，明确专人负责，将政务公开纳入年度绩效考"
	    "核，定期开展业务培训和督促检查。",
	};
	int ascii = rdoc_pick(d, PK_SUBHEAD, 2);

	para(d, RB_PROSE,
	     "本报告依据《中华人民共和国政府信息公开条例》（国务院令第711号，以"
	     "下简称《条例》）和%s要求，由%s编制。本报告中所列数据的统计期限自%"
	     "d年1月1日起至%d年12月31日止。",
	     d->t2021 ? "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人"
	                "民共和国政府信息公开工作年度报告格式〉的通知》（国办公"
	                "开办函〔2021〕30号）"
	              : "《国务院办公厅政府信息与政务公开办公室关于政府信息公开"
	                "工作年度报告有关事项的通知》（国办公开办函〔2019〕60"
	                "号）",
	     a, d->year, d->year);
	para(d, RB_HEADING, "%s总体情况", num(d, "一、"));
	para(d, RB_PROSE,
	     "%d年，%s坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落"
	     "实《条例》和上级关于政务公开工作的部署要求，以公开为常态、不公开"
	     "为例外，持续推进决策、执行、管理、服务、结果公开。",
	     d->year, a);
	for (int i = 0; i < 5; i++) {
		/* (一) with ASCII parentheses, as some reports write it */
		para(d, RB_SUBHEADING, ascii ? "(%s)%s" : "（%s）%s", sub[i][0],
		     sub[i][1]);
		para(d, RB_PROSE, "%s", text[i]);
	}
}

static const char *
jstr(const json_t *rec, const char *key)
{
	const json_t *v = json_object_get(rec, key);

	return json_is_string(v) && json_string_length(v) > 0
	           ? json_string_value(v)
	           : NULL;
}

int
rdoc_build(const json_t *rec, const struct render_opts *o, struct rdoc *d)
{
	const char *tmpl, *title;
	const json_t *y;
	int alt, rc;

	memset(d, 0, sizeof(*d));
	d->gobackid = -1;
	if (!json_is_object(rec))
		return NB_EINVAL;
	d->agency = jstr(rec, "agency");
	d->region = jstr(rec, "region");
	y = json_object_get(rec, "year");
	tmpl = jstr(rec, "template");
	if (d->agency == NULL || !json_is_integer(y) || tmpl == NULL)
		return NB_EINVAL;
	if (strcmp(tmpl, "2021") == 0)
		d->t2021 = 1;
	else if (strcmp(tmpl, "2019") != 0)
		return NB_EINVAL;
	if (json_integer_value(y) < 1900 || json_integer_value(y) > 9999)
		return NB_EINVAL;
	d->year = (int)json_integer_value(y);
	d->variant = o ? o->variant : 0;
	d->seed = o ? o->seed : 0;

	title = jstr(rec, "title");
	d->title = title ? xprintf(d, "%s", title)
	                 : xprintf(d, "%s%d年政府信息公开工作年度报告",
	                           d->agency, d->year);
	if (d->err)
		goto fail;
	block_add(d, RB_TITLE, xprintf(d, "%s", d->title));
	if (!d->err && (d->variant & RV_TITLE_SPLIT))
		d->blocks[0].split = title_cut(d);

	prose(d);
	alt = (int)rdoc_pick(d, PK_HEAD2, 2);
	para(d, RB_HEADING, "%s%s", num(d, "二、"),
	     alt ? "行政机关主动公开政府信息情况" : "主动公开政府信息情况");
	active_table(d, json_object_get(rec, "active"));
	alt = (int)rdoc_pick(d, PK_HEAD3, 2);
	para(d, RB_HEADING, "%s%s", num(d, "三、"),
	     alt ? "行政机关收到和处理政府信息公开申请情况"
	         : "收到和处理政府信息公开申请情况");
	requests_table(d, json_object_get(rec, "requests"));
	alt = (int)rdoc_pick(d, PK_HEAD4, 2);
	para(d, RB_HEADING, "%s%s", num(d, "四、"),
	     alt ? "因政府信息公开工作被申请行政复议、提起行政诉讼情况"
	         : "政府信息公开行政复议、行政诉讼情况");
	appeals_table(d, json_object_get(rec, "appeals"));
	para(d, RB_HEADING, "%s%s", num(d, "五、"),
	     lv(d, "存在的主要问题及改进情况", "存在的主要问题及整改措施"));
	para(
	    d, RB_PROSE,
	    "一是主动公开的深度和广度还需拓展；二是政策解读形式较为单一。下一步"
	    "，%s将进一步完善工作机制，丰富解读形式，加强业务培训，不断提升政务"
	    "公开工作水平。",
	    d->agency);
	para(d, RB_HEADING, "%s其他需要报告的事项", num(d, "六、"));
	para(d, RB_PROSE, "%s",
	     d->t2021 ? "本年度未收取政府信息公开信息处理费。" : "无。");
	if (d->err)
		goto fail;

	for (int i = 0; i < d->n; i++) {
		if (d->blocks[i].kind != RB_TABLE)
			continue;
		if ((rc = table_layout(d->blocks[i].table)) != 0) {
			d->err = rc;
			goto fail;
		}
	}
	if ((d->variant & RV_BLANK_STYLES) && d->ncells > 0) {
		/* Word leaves one _GoBack bookmark where the cursor was */
		unsigned want = rdoc_pick(d, PK_GOBACK, d->ncells);

		for (int i = 0; i < d->n && d->gobackid < 0; i++) {
			const struct rtable *t = d->blocks[i].table;

			for (int j = 0; t && j < t->n && d->gobackid < 0; j++)
				for (int k = 0; k < t->rows[j].n; k++)
					if (t->rows[j].cells[k].kind ==
					        RC_VALUE &&
					    t->rows[j].cells[k].id >= want) {
						d->gobackid =
						    (int)t->rows[j].cells[k].id;
						break;
					}
		}
	}
	return 0;
fail:
	rc = d->err;
	rdoc_free(d);
	return rc;
}

void
rdoc_free(struct rdoc *d)
{
	for (int i = 0; i < d->n; i++) {
		struct rtable *t = d->blocks[i].table;

		free(d->blocks[i].text);
		if (t == NULL)
			continue;
		for (int j = 0; j < t->n; j++) {
			for (int k = 0; k < t->rows[j].n; k++)
				free(t->rows[j].cells[k].text);
			free(t->rows[j].cells);
			free(t->rows[j].slots);
		}
		free(t->rows);
		free(t);
	}
	free(d->blocks);
	free(d->title);
	memset(d, 0, sizeof(*d));
}
