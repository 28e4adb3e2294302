/*
 * match.c - the grid -> record stage: find the disclosure tables in the
 * grids, decide the template from their headers, read every value.
 *
 * Rows are classified by their cleaned label text, not by position, so the
 * same code reads a table that is one grid or split over several, with or
 * without its section numbers.  Within a row, the cells after the
 * rightmost recognised label are the values, read left to right; when
 * their count does not fit the table and the header told which grid
 * columns hold values, they are read by column instead (spans shifted
 * between header and data rows, blank filler cells).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Cleaned text longer than this is prose, never a label or a number. */
#define LABEL_MAX 240

enum sect { S_NONE, S_ACTIVE, S_REQ, S_APPEAL };

/* ---- the schema's names ---- */

enum req_row {
	RQ_NEW,
	RQ_CARRIED_OVER,
	RQ_GRANTED,
	RQ_PARTIAL,
	RQ_D_SECRET,
	RQ_D_LAW,
	RQ_D_SECURITY,
	RQ_D_THIRD,
	RQ_D_INTERNAL,
	RQ_D_PROCESS,
	RQ_D_ENFORCE,
	RQ_D_QUERY,
	RQ_U_NOTHELD,
	RQ_U_CREATE,
	RQ_U_UNCLEAR,
	RQ_N_PETITION,
	RQ_N_DUP,
	RQ_N_PUBS,
	RQ_N_EXCESSIVE,
	RQ_N_CONFIRM,
	RQ_O_NOCORR,
	RQ_O_NOFEE,
	RQ_O_OTHER,
	RQ_TOTAL,
	RQ_CARRIED_FWD,
	RQ_N
};

enum req_group { G_NONE, G_DENIED, G_UNAVAIL, G_NOTPROC, G_OTHER };

static const char *const req_path[RQ_N] = {
    "new",
    "carried_over",
    "results.granted",
    "results.partially_granted",
    "results.denied.state_secret",
    "results.denied.law_prohibited",
    "results.denied.security_stability",
    "results.denied.third_party",
    "results.denied.internal_affairs",
    "results.denied.process_info",
    "results.denied.enforcement_files",
    "results.denied.query_matters",
    "results.unavailable.not_held",
    "results.unavailable.needs_creation",
    "results.unavailable.unclear",
    "results.not_processed.petition",
    "results.not_processed.duplicate",
    "results.not_processed.publications",
    "results.not_processed.excessive",
    "results.not_processed.confirm_existing",
    "results.other.no_correction",
    "results.other.no_fee_paid",
    "results.other.other",
    "results.total",
    "carried_forward",
};

const char *const match_req_columns[7] = {
    "natural",        "business",  "research", "public_interest",
    "legal_services", "other_org", "total"};

enum act_row {
	AR_RULES,
	AR_NORMATIVE,
	AR_LICENSING,
	AR_OTHER_SERVICES,
	AR_PUNISHMENT,
	AR_COMPULSION,
	AR_FEES,
	AR_PROCUREMENT,
	AR_N
};

static const char *const act_name[AR_N] = {
    "rules",      "normative_docs", "licensing", "other_services",
    "punishment", "compulsion",     "fees",      "procurement"};

enum act_key {
	K_NONE,
	K_MADE,
	K_REPEALED,
	K_IN_FORCE,
	K_DECISIONS,
	K_AMOUNT,
	K_NEW_MADE,
	K_NEW_PUBLISHED,
	K_TOTAL_PUBLISHED,
	K_PREV_ITEMS,
	K_CHANGE,
	K_ITEMS,
	K_N
};

static const char *const key_name[K_N] = {
    "",       "made",     "repealed",      "in_force",        "decisions",
    "amount", "new_made", "new_published", "total_published", "prev_items",
    "change", "items"};

/* The keys of each row, in schema order, per template (0 ends a list). */
static const enum act_key keys2021[AR_N][4] = {
    [AR_RULES] = {K_MADE, K_REPEALED, K_IN_FORCE},
    [AR_NORMATIVE] = {K_MADE, K_REPEALED, K_IN_FORCE},
    [AR_LICENSING] = {K_DECISIONS},
    [AR_PUNISHMENT] = {K_DECISIONS},
    [AR_COMPULSION] = {K_DECISIONS},
    [AR_FEES] = {K_AMOUNT},
};
static const enum act_key keys2019[AR_N][4] = {
    [AR_RULES] = {K_NEW_MADE, K_NEW_PUBLISHED, K_TOTAL_PUBLISHED},
    [AR_NORMATIVE] = {K_NEW_MADE, K_NEW_PUBLISHED, K_TOTAL_PUBLISHED},
    [AR_LICENSING] = {K_PREV_ITEMS, K_CHANGE, K_DECISIONS},
    [AR_OTHER_SERVICES] = {K_PREV_ITEMS, K_CHANGE, K_DECISIONS},
    [AR_PUNISHMENT] = {K_PREV_ITEMS, K_CHANGE, K_DECISIONS},
    [AR_COMPULSION] = {K_PREV_ITEMS, K_CHANGE, K_DECISIONS},
    [AR_FEES] = {K_PREV_ITEMS, K_CHANGE},
    [AR_PROCUREMENT] = {K_ITEMS, K_AMOUNT},
};

static const char *const appeal_group[3] = {"review", "litigation_direct",
                                            "litigation_after_review"};
static const char *const appeal_key[5] = {"upheld", "corrected", "other",
                                          "pending", "total"};

/* ---- one row, cleaned ---- */

struct lcell {
	const char *raw;
	char *clean;      /* cleaned text (owned by the row scratch) */
	const char *core; /* clean without a leading section number */
	struct num num;
	size_t col; /* first grid column of the cell in this row */
	int label;  /* recognised label kind, see classify() */
};

struct row {
	struct lcell *c;
	size_t n, cap;
	char *scratch;
	size_t scratch_cap;
};

/* ---- matcher state ---- */

struct colmap {
	size_t n;
	size_t col[16];
	enum act_key key[16]; /* active headers only */
	char unit[16][24];    /* active headers only */
};

struct matcher {
	const char *tmpl; /* "2021", "2019", "unknown" */
	int t2021;        /* 1: 2021 keys, 0: 2019 keys, -1: header keys */
	enum sect sect;
	enum req_group group;
	struct colmap act_hdr; /* current section-二 header */
	struct colmap req_cols, app_cols;
	int pend_kind; /* 0 none, 1 active row, 2 requests row, 3 the
	                  single （六） row if values follow */
	int pend_row;
	json_t *act[AR_N];
	json_t *req[RQ_N];
	json_t *appeals;
	json_t *warnings;
	int found;
	int oom;
};

static void warn(struct matcher *m, const char *fmt, ...) NB_PRINTF(2, 3);

static void
warn(struct matcher *m, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (json_array_append_new(m->warnings, json_string(buf)) != 0)
		m->oom = 1;
}

/* ---- labels ---- */

enum label {
	L_NONE = 0,
	L_SECT_ACTIVE, /* 第二十条, 信息内容 */
	L_ACT_HDR,     /* a section-二 column header */
	L_ACT_ROW,     /* + act_row in label_arg */
	L_REQ_HDR,     /* requests column headers */
	L_REQ_RESULTS, /* 三、本年度办理结果 */
	L_REQ_GROUP,   /* + req_group */
	L_REQ_ROW,     /* + req_row */
	L_APP_MARK,    /* 行政复议 / 行政诉讼 */
	L_APP_HDR,     /* 结果维持 ... */
};

static int
has(const char *s, const char *w)
{
	return strstr(s, w) != NULL;
}

/* Section-二 header text -> key (0 when it is none). */
static enum act_key
act_header_key(const char *s, int *is2021)
{
	*is2021 = -1;
	if (has(s, "本年制发件数") || has(s, "本年制发")) {
		*is2021 = 1;
		return K_MADE;
	}
	if (has(s, "本年废止件数") || has(s, "本年废止")) {
		*is2021 = 1;
		return K_REPEALED;
	}
	if (has(s, "现行有效件数") || has(s, "现行有效")) {
		*is2021 = 1;
		return K_IN_FORCE;
	}
	if (has(s, "本年处理决定数量")) {
		*is2021 = 1;
		return K_DECISIONS;
	}
	if (has(s, "本年收费金额")) {
		*is2021 = 1;
		return K_AMOUNT;
	}
	if (has(s, "本年新制作数量")) {
		*is2021 = 0;
		return K_NEW_MADE;
	}
	if (has(s, "本年新公开数量")) {
		*is2021 = 0;
		return K_NEW_PUBLISHED;
	}
	if (has(s, "对外公开总数量")) {
		*is2021 = 0;
		return K_TOTAL_PUBLISHED;
	}
	if (has(s, "上一年项目数量")) {
		*is2021 = 0;
		return K_PREV_ITEMS;
	}
	if (has(s, "本年增/减") || has(s, "本年增减")) {
		*is2021 = 0;
		return K_CHANGE;
	}
	if (has(s, "处理决定数量")) {
		*is2021 = 0;
		return K_DECISIONS;
	}
	if (has(s, "采购项目数量")) {
		*is2021 = 0;
		return K_ITEMS;
	}
	if (has(s, "采购总金额")) {
		*is2021 = 0;
		return K_AMOUNT;
	}
	return K_NONE;
}

/* The unit a header names in parentheses: (单位:万元), (亿元). */
static void
header_unit(const char *s, char *unit, size_t len)
{
	const char *p = strchr(s, '('), *e;

	unit[0] = '\0';
	if (p == NULL)
		return;
	p++;
	if (strncmp(p, "单位", 6) == 0) {
		p += 6;
		if (*p == ':')
			p++;
	}
	e = strchr(p, ')');
	if (e == NULL || e == p || (size_t)(e - p) >= len ||
	    (size_t)(e - p) > 12)
		return;
	/* only money units: a count header names none */
	if (e - p < 3 || strncmp(e - 3, "元", 3) != 0)
		return;
	memcpy(unit, p, e - p);
	unit[e - p] = '\0';
}

static int
act_row_label(const char *core)
{
	if (strncmp(core, "规章", 6) == 0)
		return AR_RULES;
	if (has(core, "规范性文件"))
		return AR_NORMATIVE;
	if (has(core, "行政许可"))
		return AR_LICENSING;
	if (has(core, "对外管理服务"))
		return AR_OTHER_SERVICES;
	if (has(core, "行政处罚"))
		return AR_PUNISHMENT;
	if (has(core, "行政强制"))
		return AR_COMPULSION;
	if (has(core, "事业性收费"))
		return AR_FEES;
	if (has(core, "集中采购"))
		return AR_PROCUREMENT;
	return -1;
}

/* Leaf rows of 三、本年度办理结果, by the words no other row uses. */
static int
req_leaf_label(const char *core)
{
	static const struct {
		const char *w;
		int row;
	} leaves[] = {
	    {"不补正", RQ_O_NOCORR},         {"缴纳", RQ_O_NOFEE},
	    {"收费通知", RQ_O_NOFEE},        {"国家秘密", RQ_D_SECRET},
	    {"禁止公开", RQ_D_LAW},          {"法律行政法规", RQ_D_LAW},
	    {"三安全一稳定", RQ_D_SECURITY}, {"危及", RQ_D_SECURITY},
	    {"第三方", RQ_D_THIRD},          {"内部事务", RQ_D_INTERNAL},
	    {"过程性", RQ_D_PROCESS},        {"执法案卷", RQ_D_ENFORCE},
	    {"查询事项", RQ_D_QUERY},        {"不掌握", RQ_U_NOTHELD},
	    {"另行制作", RQ_U_CREATE},       {"现成信息", RQ_U_CREATE},
	    {"不明确", RQ_U_UNCLEAR},        {"信访", RQ_N_PETITION},
	    {"重复申请", RQ_N_DUP},          {"出版物", RQ_N_PUBS},
	    {"大量反复", RQ_N_EXCESSIVE},    {"反复申请", RQ_N_EXCESSIVE},
	    {"重新出具", RQ_N_CONFIRM},      {"确认", RQ_N_CONFIRM},
	};

	for (size_t i = 0; i < NB_NELEM(leaves); i++)
		if (has(core, leaves[i].w))
			return leaves[i].row;
	return -1;
}

static int
is_req_header(const char *core)
{
	return has(core, "自然人") || has(core, "商业企业") ||
	       has(core, "科研机构") || has(core, "社会公益组织") ||
	       has(core, "法律服务机构") || has(core, "法人或其他组织") ||
	       has(core, "申请人情况") || has(core, "勾稽");
}

static int
is_app_header(const char *core)
{
	return has(core, "结果维持") || has(core, "结果维护") ||
	       has(core, "结果纠正") || has(core, "其他结果") ||
	       has(core, "尚未审结") || has(core, "未经复议") ||
	       has(core, "复议后起诉");
}

/*
 * classify - what a cleaned cell is, given the section the row is in.
 * Returns enum label; *arg receives the row or group.
 */
static enum label
classify(const struct lcell *c, enum sect sect, int *arg)
{
	const char *core = c->core;
	size_t len = strlen(c->clean);
	int t, r;

	*arg = -1;
	if (len == 0 || len > LABEL_MAX || c->num.kind == NUM_INT ||
	    c->num.kind == NUM_REAL)
		return L_NONE;
	if (act_header_key(core, &t) != K_NONE)
		return L_ACT_HDR;
	if (has(core, "信息内容") || has(core, "第二十条"))
		return L_SECT_ACTIVE;
	if (is_req_header(core))
		return L_REQ_HDR;
	if (is_app_header(core))
		return L_APP_HDR;
	if (len <= 90 && (has(core, "行政复议") || has(core, "行政诉讼")))
		return L_APP_MARK;
	/*
	 * Row labels of section 二 and the sub-rows of 三 use words other
	 * tables use too (行政许可, 信访, 确认): they count only inside a
	 * table a header or a stronger label has already placed.
	 */
	if (sect == S_ACTIVE && (r = act_row_label(core)) >= 0 && len <= 60) {
		*arg = r;
		return L_ACT_ROW;
	}
	if (sect == S_REQ && (r = req_leaf_label(core)) >= 0) {
		*arg = r;
		return L_REQ_ROW;
	}
	if (has(core, "不予公开")) {
		*arg = G_DENIED;
		return L_REQ_GROUP;
	}
	if (has(core, "无法提供")) {
		*arg = G_UNAVAIL;
		return L_REQ_GROUP;
	}
	if (has(core, "不予处理")) {
		*arg = G_NOTPROC;
		return L_REQ_GROUP;
	}
	if (has(core, "其他处理")) {
		*arg = G_OTHER;
		return L_REQ_GROUP;
	}
	if (has(core, "部分公开")) {
		*arg = RQ_PARTIAL;
		return L_REQ_ROW;
	}
	if (has(core, "予以公开")) {
		*arg = RQ_GRANTED;
		return L_REQ_ROW;
	}
	if (has(core, "新收")) {
		*arg = RQ_NEW;
		return L_REQ_ROW;
	}
	if (has(core, "上年结转")) {
		*arg = RQ_CARRIED_OVER;
		return L_REQ_ROW;
	}
	if (has(core, "结转下年") || has(core, "下年度继续")) {
		*arg = RQ_CARRIED_FWD;
		return L_REQ_ROW;
	}
	if (has(core, "办理结果"))
		return L_REQ_RESULTS;
	if (sect == S_REQ && len <= 30 &&
	    (has(core, "总计") || has(core, "合计"))) {
		*arg = RQ_TOTAL;
		return L_REQ_ROW;
	}
	if (sect == S_REQ && strcmp(core, "其他") == 0) {
		*arg = RQ_O_OTHER;
		return L_REQ_ROW;
	}
	return L_NONE;
}

/* ---- rows ---- */

static void
row_free(struct row *row)
{
	free(row->c);
	free(row->scratch);
}

/*
 * Build the logical cells of grid row r: one per cell (a colspan counts
 * once), absent slots skipped, each cleaned and read as a number.
 */
static int
row_load(struct row *row, const struct indexer_grid *g, size_t r)
{
	size_t need = 0, off = 0, prev_r0 = SIZE_MAX, prev_c0 = SIZE_MAX;

	row->n = 0;
	for (size_t c = 0; c < g->ncols; c++) {
		size_t r0, c0;
		const char *t = indexer_grid_at(g, r, c, &r0, &c0);

		if (t == NULL || (r0 == prev_r0 && c0 == prev_c0))
			continue;
		prev_r0 = r0;
		prev_c0 = c0;
		if (row->n == row->cap) {
			size_t cap = row->cap ? row->cap * 2 : 16;
			struct lcell *p = realloc(row->c, cap * sizeof(*p));

			if (p == NULL)
				return NB_ENOMEM;
			row->c = p;
			row->cap = cap;
		}
		row->c[row->n].raw = t;
		row->c[row->n].col = c;
		row->n++;
	}
	for (size_t i = 0; i < row->n; i++) {
		size_t l = strlen(row->c[i].raw);

		need += (l > 4 * LABEL_MAX ? 4 * LABEL_MAX : l) + 1;
	}
	if (need > row->scratch_cap) {
		char *p = realloc(row->scratch, need);

		if (p == NULL)
			return NB_ENOMEM;
		row->scratch = p;
		row->scratch_cap = need;
	}
	for (size_t i = 0; i < row->n; i++) {
		struct lcell *lc = &row->c[i];
		size_t l = strlen(lc->raw);

		/* prose is cut: only its first words can make a label */
		if (l > 4 * LABEL_MAX) {
			l = 4 * LABEL_MAX;
			while (l > 0 &&
			       ((unsigned char)lc->raw[l] & 0xC0) == 0x80)
				l--;
		}
		lc->clean = row->scratch + off;
		off += clean_text(lc->raw, l, lc->clean) + 1;
		lc->core = clean_strip_number(lc->clean);
		num_parse(lc->clean, &lc->num);
		lc->label = L_NONE;
	}
	return 0;
}

/* ---- values ---- */

/* The cell's text trimmed of blanks at both ends, for a warning. */
static void
trimmed(const char *raw, char *out, size_t outlen)
{
	size_t n = strlen(raw), b = 0, e = n, k = 0;
	char tmp[8];

	while (b < n) {
		uint32_t cp;
		size_t l =
		    utf8_decode((const unsigned char *)raw + b, n - b, &cp);

		if (clean_text(raw + b, l, tmp) != 0)
			break;
		b += l;
	}
	while (e > b) {
		size_t s = e - 1;

		while (s > b && ((unsigned char)raw[s] & 0xC0) == 0x80)
			s--;
		if (clean_text(raw + s, e - s, tmp) != 0)
			break;
		e = s;
	}
	k = e - b < outlen - 1 ? e - b : outlen - 1;
	/* never cut a character in two */
	while (k > 0 && b + k < e && ((unsigned char)raw[b + k] & 0xC0) == 0x80)
		k--;
	for (size_t i = 0; i < k; i++)
		out[i] =
		    raw[b + i] == '\n' || raw[b + i] == '\t' ? ' ' : raw[b + i];
	out[k] = '\0';
}

/*
 * A count cell as JSON: integer; null for blank or missing (the schema's
 * rule, no warning); null with a warning for text that is no number.
 */
static json_t *
count_value(struct matcher *m, const struct lcell *c, const char *path)
{
	char q[128];

	if (c == NULL)
		return json_null();
	switch (c->num.kind) {
	case NUM_INT:
		return json_integer(c->num.i);
	case NUM_REAL:
		trimmed(c->raw, q, sizeof(q));
		warn(m, "cell %s not a whole number: '%s'", path, q);
		return json_real(c->num.d);
	case NUM_BLANK:
		return json_null();
	case NUM_TEXT:
	case NUM_INVALID:
		trimmed(c->raw, q, sizeof(q));
		warn(m, "cell %s not a number: '%s'", path, q);
		return json_null();
	}
	return json_null();
}

static json_t *
amount_value(struct matcher *m, const struct lcell *c, const char *hunit,
             const char *path)
{
	const char *unit;
	json_t *v;

	if (c == NULL || (c->num.kind != NUM_INT && c->num.kind != NUM_REAL))
		return count_value(m, c, path);
	v = c->num.kind == NUM_INT ? json_integer(c->num.i)
	                           : json_real(c->num.d);
	unit = c->num.unit[0] ? c->num.unit : hunit && hunit[0] ? hunit : NULL;
	return json_pack("{s:o,s:s?}", "value", v, "unit", unit);
}

/*
 * The value cells of a row: after the rightmost label, or by the header's
 * columns when the count does not fit.  Fills vals[0..k) with cells or
 * NULL (missing).
 */
static void
row_values(const struct row *row, size_t first, const struct indexer_grid *g,
           size_t r, const struct colmap *cm, size_t k,
           const struct lcell **vals)
{
	for (size_t i = 0; i < k; i++)
		vals[i] = NULL;
	if (row->n - first != k && cm != NULL && cm->n == k) {
		/* a slot's text pointer identifies the cell covering it */
		for (size_t i = 0; i < k; i++) {
			const char *t =
			    indexer_grid_at(g, r, cm->col[i], NULL, NULL);

			for (size_t j = first; t != NULL && j < row->n; j++)
				if (row->c[j].raw == t) {
					vals[i] = &row->c[j];
					break;
				}
		}
		return;
	}
	for (size_t i = 0; i < k && first + i < row->n; i++)
		vals[i] = &row->c[first + i];
}

/* ---- emitting rows ---- */

static const enum act_key *
act_keys(const struct matcher *m, int ar)
{
	if (m->t2021 == 1)
		return keys2021[ar];
	if (m->t2021 == 0)
		return keys2019[ar];
	return NULL;
}

static void
emit_active(struct matcher *m, int ar, struct row *row, size_t first,
            const struct indexer_grid *g, size_t r)
{
	const enum act_key *want = act_keys(m, ar);
	const struct lcell *vals[16];
	enum act_key keys[16];
	const char *units[16];
	size_t k = 0;
	char path[96];
	json_t *obj;
	int use_hdr = 1;

	if (m->act[ar] != NULL) {
		warn(m, "active.%s: row repeated, first kept", act_name[ar]);
		return;
	}
	if (want != NULL && want[0] == K_NONE) {
		warn(m, "active.%s: row not in the %s template", act_name[ar],
		     m->tmpl);
		return;
	}
	/* the header above must name exactly this row's keys */
	if (m->act_hdr.n == 0)
		use_hdr = 0;
	for (size_t i = 0; use_hdr && i < m->act_hdr.n; i++) {
		int ok = want == NULL;

		for (size_t j = 0; want != NULL && j < 4 && want[j]; j++)
			if (want[j] == m->act_hdr.key[i])
				ok = 1;
		if (!ok)
			use_hdr = 0;
	}
	if (use_hdr) {
		k = m->act_hdr.n;
		for (size_t i = 0; i < k; i++) {
			keys[i] = m->act_hdr.key[i];
			units[i] = m->act_hdr.unit[i];
		}
	} else if (want != NULL) {
		for (k = 0; k < 4 && want[k]; k++) {
			keys[k] = want[k];
			units[k] = NULL;
		}
	} else {
		warn(m, "active.%s: no header to read it by", act_name[ar]);
		return;
	}
	row_values(row, first, g, r, use_hdr ? &m->act_hdr : NULL, k, vals);
	obj = json_object();
	if (obj == NULL) {
		m->oom = 1;
		return;
	}
	/* schema order: the template's list, else the header's */
	for (size_t w = 0; w < (want ? 4 : k); w++) {
		enum act_key key = want ? want[w] : keys[w];
		size_t i;

		if (key == K_NONE)
			break;
		for (i = 0; i < k && keys[i] != key; i++)
			;
		snprintf(path, sizeof(path), "active.%s.%s", act_name[ar],
		         key_name[key]);
		if (i == k) {
			warn(m, "%s: no column", path);
			json_object_set_new(obj, key_name[key], json_null());
			continue;
		}
		json_object_set_new(
		    obj, key_name[key],
		    key == K_AMOUNT ? amount_value(m, vals[i], units[i], path)
		                    : count_value(m, vals[i], path));
	}
	if (row->n - first > k && use_hdr == 0)
		warn(m, "active.%s: %zu extra cells ignored", act_name[ar],
		     row->n - first - k);
	m->act[ar] = obj;
	m->found = 1;
}

static void
emit_request(struct matcher *m, int rq, struct row *row, size_t first,
             const struct indexer_grid *g, size_t r)
{
	const struct lcell *vals[7];
	char path[96];
	json_t *arr;

	if (m->req[rq] != NULL) {
		warn(m, "requests.%s: row repeated, first kept", req_path[rq]);
		return;
	}
	row_values(row, first, g, r, &m->req_cols, 7, vals);
	arr = json_array();
	if (arr == NULL) {
		m->oom = 1;
		return;
	}
	for (size_t i = 0; i < 7; i++) {
		snprintf(path, sizeof(path), "requests.%s.%s", req_path[rq],
		         match_req_columns[i]);
		json_array_append_new(arr, count_value(m, vals[i], path));
	}
	if (row->n - first > 7 && m->req_cols.n != 7)
		warn(m, "requests.%s: %zu extra cells ignored", req_path[rq],
		     row->n - first - 7);
	m->req[rq] = arr;
	m->found = 1;
}

static void
emit_appeals(struct matcher *m, struct row *row, const struct indexer_grid *g,
             size_t r)
{
	const struct lcell *vals[15];
	char path[96];

	if (m->appeals != NULL) {
		warn(m, "appeals: table repeated, first kept");
		return;
	}
	row_values(row, 0, g, r, &m->app_cols, 15, vals);
	m->appeals = json_object();
	if (m->appeals == NULL) {
		m->oom = 1;
		return;
	}
	for (size_t gi = 0; gi < 3; gi++) {
		json_t *o = json_object();

		for (size_t k = 0; k < 5; k++) {
			snprintf(path, sizeof(path), "appeals.%s.%s",
			         appeal_group[gi], appeal_key[k]);
			json_object_set_new(
			    o, appeal_key[k],
			    count_value(m, vals[gi * 5 + k], path));
		}
		json_object_set_new(m->appeals, appeal_group[gi], o);
	}
	if (row->n > 15 && m->app_cols.n != 15)
		warn(m, "appeals: %zu extra cells ignored", row->n - 15);
	m->found = 1;
}

/* A label-only row whose values never came: the row is there, blank. */
static void
flush_pending(struct matcher *m, const struct indexer_grid *g, size_t r)
{
	struct row empty = {0};

	/* in a one-column grid a label is a heading, not a row of a table */
	if (g->ncols < 2) {
		m->pend_kind = 0;
		return;
	}
	if (m->pend_kind == 1)
		emit_active(m, m->pend_row, &empty, 0, g, r);
	else if (m->pend_kind == 2)
		emit_request(m, m->pend_row, &empty, 0, g, r);
	m->pend_kind = 0;
}

/* Record which grid columns a header row puts its value labels in. */
static void
note_req_header(struct matcher *m, struct row *row)
{
	static const char *const words[7] = {
	    "自然人",       "商业企业", "科研机构", "社会公益组织",
	    "法律服务机构", "其他",     "计"};
	size_t col[7];
	int seen = 0;

	for (size_t i = 0; i < row->n; i++)
		for (size_t w = 0; w < 7; w++) {
			const char *core = row->c[i].core;

			if (w == 5   ? strcmp(core, "其他") == 0
			    : w == 6 ? (strcmp(core, "总计") == 0 ||
			                strcmp(core, "合计") == 0)
			             : has(core, words[w])) {
				col[w] = row->c[i].col;
				seen |= 1 << w;
			}
		}
	/* 自然人 and 总计 sit in the upper header row, the rest below */
	if (seen & 1)
		m->req_cols.col[0] = col[0];
	if (seen & (1 << 6))
		m->req_cols.col[6] = col[6];
	for (size_t w = 1; w < 6; w++)
		if (seen & (1 << w))
			m->req_cols.col[w] = col[w];
	m->req_cols.n = 0;
	if ((seen & 0x3e) == 0x3e && m->req_cols.col[0] != SIZE_MAX &&
	    m->req_cols.col[6] != SIZE_MAX) {
		for (size_t w = 1; w < 7; w++)
			if (m->req_cols.col[w] <= m->req_cols.col[w - 1])
				return;
		m->req_cols.n = 7;
	}
}

static void
note_app_header(struct matcher *m, struct row *row)
{
	size_t n = 0;

	for (size_t i = 0; i < row->n && n < 15; i++)
		if (is_app_header(row->c[i].core) ||
		    strcmp(row->c[i].core, "总计") == 0)
			m->app_cols.col[n++] = row->c[i].col;
	if (n == 15)
		m->app_cols.n = 15;
}

static void
note_act_header(struct matcher *m, struct row *row)
{
	struct colmap *h = &m->act_hdr;

	h->n = 0;
	for (size_t i = 0; i < row->n && h->n < 16; i++) {
		int t;
		enum act_key k = act_header_key(row->c[i].core, &t);

		if (k == K_NONE)
			continue;
		h->key[h->n] = k;
		h->col[h->n] = row->c[i].col;
		header_unit(row->c[i].clean, h->unit[h->n],
		            sizeof(h->unit[h->n]));
		h->n++;
	}
}

static int
row_has_value(const struct row *row, size_t first)
{
	for (size_t i = first; i < row->n; i++)
		if (row->c[i].num.kind != NUM_BLANK)
			return 1;
	return 0;
}

static void
match_row(struct matcher *m, struct row *row, const struct indexer_grid *g,
          size_t r)
{
	int last = -1, last_arg = -1, hdr = 0;
	enum label last_kind = L_NONE;
	int arg;

	for (size_t i = 0; i < row->n; i++) {
		enum label l = classify(&row->c[i], m->sect, &arg);

		row->c[i].label = l;
		switch (l) {
		case L_NONE:
			continue;
		case L_SECT_ACTIVE:
		case L_ACT_HDR:
			m->sect = S_ACTIVE;
			hdr |= l == L_ACT_HDR ? 1 : 0;
			break;
		case L_REQ_HDR:
			m->sect = S_REQ;
			hdr |= 2;
			break;
		case L_APP_MARK:
		case L_APP_HDR:
			m->sect = S_APPEAL;
			hdr |= 4;
			break;
		case L_ACT_ROW:
			m->sect = S_ACTIVE;
			break;
		case L_REQ_RESULTS:
			m->sect = S_REQ;
			m->group = G_NONE;
			break;
		case L_REQ_GROUP:
			m->sect = S_REQ;
			m->group = arg;
			break;
		case L_REQ_ROW:
			m->sect = S_REQ;
			if (arg == RQ_O_OTHER && m->group != G_OTHER) {
				row->c[i].label = L_NONE;
				continue;
			}
			break;
		}
		last = i;
		last_kind = l;
		last_arg = arg;
	}
	if (hdr) {
		flush_pending(m, g, r);
		if (hdr & 1)
			note_act_header(m, row);
		if (hdr & 2)
			note_req_header(m, row);
		if (hdr & 4)
			note_app_header(m, row);
		return;
	}
	if (last < 0) {
		/* no label: a values-only row */
		if (!row_has_value(row, 0) && row->n < 15)
			return;
		if (m->pend_kind == 1) {
			m->pend_kind = 0;
			emit_active(m, m->pend_row, row, 0, g, r);
		} else if (m->pend_kind >= 2) {
			m->pend_kind = 0;
			emit_request(m, m->pend_row, row, 0, g, r);
		} else if (m->sect == S_APPEAL && m->appeals == NULL) {
			emit_appeals(m, row, g, r);
		} else if (m->sect != S_NONE && row_has_value(row, 0)) {
			warn(m, "row of values without a label ignored");
		}
		return;
	}
	flush_pending(m, g, r);
	switch (last_kind) {
	case L_ACT_ROW:
		if ((size_t)last + 1 == row->n) {
			m->pend_kind = 1;
			m->pend_row = last_arg;
		} else
			emit_active(m, last_arg, row, last + 1, g, r);
		break;
	case L_REQ_GROUP:
		/* a group with values is the single-row （六）其他处理 */
		if (last_arg == G_OTHER && (size_t)last + 1 < row->n)
			emit_request(m, RQ_O_OTHER, row, last + 1, g, r);
		else if (last_arg == G_OTHER) {
			m->pend_kind = 3;
			m->pend_row = RQ_O_OTHER;
		}
		break;
	case L_REQ_ROW:
		if ((size_t)last + 1 == row->n) {
			m->pend_kind = 2;
			m->pend_row = last_arg;
		} else
			emit_request(m, last_arg, row, last + 1, g, r);
		break;
	default:
		break;
	}
}

/* ---- template ---- */

/* Count the section-二 headers of each template over every grid. */
static const char *
decide_template(const struct indexer_doc *doc, struct row *row, int *ok)
{
	int n2021 = 0, n2019 = 0;

	*ok = 0;
	for (size_t gi = 0; gi < doc->ngrids; gi++) {
		const struct indexer_grid *g = doc->grids[gi];

		for (size_t r = 0; r < g->nrows; r++) {
			if (row_load(row, g, r) != 0)
				return NULL;
			for (size_t i = 0; i < row->n; i++) {
				int t;

				if (strlen(row->c[i].clean) > LABEL_MAX ||
				    act_header_key(row->c[i].core, &t) ==
				        K_NONE)
					continue;
				if (t == 1)
					n2021++;
				else if (t == 0)
					n2019++;
			}
		}
	}
	*ok = 1;
	if (n2021 > n2019)
		return "2021";
	if (n2019 > n2021)
		return "2019";
	return "unknown";
}

/* ---- assembling ---- */

static json_t *
build_requests(struct matcher *m)
{
	json_t *req, *res, *cols;
	static const struct {
		const char *name;
		int from, to;
	} groups[] = {{"denied", RQ_D_SECRET, RQ_D_QUERY},
	              {"unavailable", RQ_U_NOTHELD, RQ_U_UNCLEAR},
	              {"not_processed", RQ_N_PETITION, RQ_N_CONFIRM},
	              {"other", RQ_O_NOCORR, RQ_O_OTHER}};
	int any = 0;

	for (int i = 0; i < RQ_N; i++)
		any |= m->req[i] != NULL;
	if (!any)
		return NULL;
	req = json_object();
	cols = json_array();
	for (size_t i = 0; i < 7; i++)
		json_array_append_new(cols, json_string(match_req_columns[i]));
	json_object_set_new(req, "columns", cols);
	if (m->req[RQ_NEW])
		json_object_set(req, "new", m->req[RQ_NEW]);
	if (m->req[RQ_CARRIED_OVER])
		json_object_set(req, "carried_over", m->req[RQ_CARRIED_OVER]);
	res = json_object();
	if (m->req[RQ_GRANTED])
		json_object_set(res, "granted", m->req[RQ_GRANTED]);
	if (m->req[RQ_PARTIAL])
		json_object_set(res, "partially_granted", m->req[RQ_PARTIAL]);
	for (size_t gi = 0; gi < NB_NELEM(groups); gi++) {
		json_t *o = NULL;

		for (int i = groups[gi].from; i <= groups[gi].to; i++) {
			if (m->req[i] == NULL)
				continue;
			if (o == NULL)
				o = json_object();
			json_object_set(o, strrchr(req_path[i], '.') + 1,
			                m->req[i]);
		}
		if (o != NULL)
			json_object_set_new(res, groups[gi].name, o);
	}
	if (m->req[RQ_TOTAL])
		json_object_set(res, "total", m->req[RQ_TOTAL]);
	if (json_object_size(res) > 0)
		json_object_set_new(req, "results", res);
	else
		json_decref(res);
	if (m->req[RQ_CARRIED_FWD])
		json_object_set(req, "carried_forward", m->req[RQ_CARRIED_FWD]);
	return req;
}

static json_t *
build_active(struct matcher *m)
{
	json_t *act = NULL;

	for (int i = 0; i < AR_N; i++) {
		if (m->act[i] == NULL)
			continue;
		if (act == NULL)
			act = json_object();
		json_object_set(act, act_name[i], m->act[i]);
	}
	return act;
}

int
match_doc(const struct indexer_doc *doc, const char *force,
          struct match_out *mo)
{
	struct matcher m = {0};
	struct row row = {0};
	int ok, rc = 0;

	memset(mo, 0, sizeof(*mo));
	m.warnings = json_array();
	if (m.warnings == NULL)
		return NB_ENOMEM;
	if (force != NULL) {
		m.tmpl = force;
	} else {
		m.tmpl = decide_template(doc, &row, &ok);
		if (!ok) {
			rc = NB_ENOMEM;
			goto fail;
		}
	}
	m.t2021 = strcmp(m.tmpl, "2021") == 0   ? 1
	          : strcmp(m.tmpl, "2019") == 0 ? 0
	                                        : -1;
	for (size_t gi = 0; gi < doc->ngrids && !m.oom; gi++) {
		const struct indexer_grid *g = doc->grids[gi];

		m.req_cols.n = 0;
		m.app_cols.n = 0;
		for (size_t i = 0; i < 7; i++)
			m.req_cols.col[i] = SIZE_MAX;
		for (size_t r = 0; r < g->nrows && !m.oom; r++) {
			if ((rc = row_load(&row, g, r)) != 0)
				goto fail;
			match_row(&m, &row, g, r);
		}
		flush_pending(&m, g, g->nrows);
	}
	if (m.oom) {
		rc = NB_ENOMEM;
		goto fail;
	}
	if (m.found && m.t2021 < 0)
		warn(&m, "template: the section 二 headers match neither the "
		         "2019 nor the 2021 tables");
	mo->template = m.tmpl;
	mo->found = m.found;
	mo->active = build_active(&m);
	mo->requests = build_requests(&m);
	mo->appeals = m.appeals;
	m.appeals = NULL;
	mo->warnings = m.warnings;
	m.warnings = NULL;
fail:
	for (int i = 0; i < AR_N; i++)
		json_decref(m.act[i]);
	for (int i = 0; i < RQ_N; i++)
		json_decref(m.req[i]);
	json_decref(m.appeals);
	json_decref(m.warnings);
	row_free(&row);
	return rc;
}
