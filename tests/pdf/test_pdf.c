/*
 * test_pdf - the PDF reader.
 *
 *   - Every seed record rendered as .docx and printed to PDF by LibreOffice
 *     (mkpdfs.sh), in six variants: as rendered; rows so tall that every
 *     table runs over page breaks and rows are cut by them; the same with
 *     header rows repeated on each page; with a running header and a
 *     "- N -" footer between the parts of each table, and a title in the
 *     file's metadata that names no agency; A4 landscape with
 *     every cosmetic variant of the renderer; full-width digits in the
 *     tables.  And each record as a county-site page printed by Chromium.
 *     Each PDF gives the seed's expected record, every field.
 *   - A 2021 record with the single （六）其他处理 row: the same record as
 *     its text rendering.
 *   - A capture says application/pdf.
 *   - Scans, OCR-only scans, text without a Unicode map, tables that draw
 *     no borders, encryption, noise and truncation each give their reason
 *     and no record.
 *   - A hand-made table whose borders are thin filled rectangles.
 *   - Layout from synthetic glyphs and rules: a blank cell stays null
 *     where its column is, whatever the row holds; a table cut by a page,
 *     with a page number and a running header between its parts, is one
 *     grid; a blank row at a page's foot is not joined to the next row; a
 *     part printed as a browser does (no top border, first column open)
 *     keeps its first row and joins the rest; a double rule is one border.
 *
 * argv[1]: the directory mkpdfs.sh filled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "internal.h"
#include "pdf.h"
#include "render.h"

static const char *dir;

static const char *const seeds[] = {
    "000_b28a0448acb1371b", "001_a54ea972eaf5532d", "002_10344cc63f2c5b68",
    "003_d99c8dcb44f53e53", "004_0cecb108ebe11312"};
static const char *const variants[] = {"plain",     "tall",      "header",
                                       "furniture", "landscape", "fullwidth",
                                       "browser"};

static const char *material(const char *fmt, ...) NB_PRINTF(1, 2);

static const char *
material(const char *fmt, ...)
{
	static char path[4096];
	char rel[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return path;
}

static json_t *
load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (j == NULL)
		fail_msg("%s:%d: %s", path, err.line, err.text);
	return j;
}

static void
test_seed_pdfs(void **state)
{
	struct indexer_ctx *ctx = th_ctx();

	(void)state;
	for (size_t s = 0; s < NB_NELEM(seeds); s++) {
		char rel[256];
		json_t *want;

		snprintf(rel, sizeof(rel), "tests/seeds/expected/%s.json",
		         seeds[s]);
		want = load_json(th_src(rel));
		for (size_t v = 0; v < NB_NELEM(variants); v++) {
			struct indexer_status st;
			json_t *rec;
			size_t len;
			char *pdf, name[128];

			snprintf(name, sizeof(name), "%s.%s", seeds[s],
			         variants[v]);
			pdf = th_read(material("pdf/%s.pdf", name), &len);
			if (th_parse(ctx, pdf, len, NULL, NULL, &rec, &st) != 0)
				fail_msg("%s: %s", name, st.reason);
			assert_int_equal(st.format, INDEXER_FMT_PDF);
			if (!th_json_same(rec, want, name))
				fail_msg("%s: record differs", name);
			json_decref(rec);
			free(pdf);
		}
		json_decref(want);
	}
	indexer_ctx_free(ctx);
}

/* The 2021 record whose （六） is one row: as its text rendering says. */
static void
test_single_other(void **state)
{
	struct indexer_ctx *ctx = th_ctx();
	json_t *rec = load_json(material("single-other.json"));
	json_t *from_text, *from_pdf, *other;
	struct nb_buf text;
	size_t len;
	char *pdf;

	(void)state;
	nb_buf_init(&text, 1u << 24);
	assert_int_equal(render_text(rec, NULL, &text), 0);
	assert_int_equal(
	    th_parse(ctx, text.data, text.len, NULL, NULL, &from_text, NULL),
	    0);
	other = json_object_get(
	    json_object_get(json_object_get(from_text, "requests"), "results"),
	    "other");
	assert_int_equal(json_object_size(other), 1);
	assert_non_null(json_object_get(other, "other"));
	pdf = th_read(material("pdf/single-other.plain.pdf"), &len);
	assert_int_equal(th_parse(ctx, pdf, len, NULL, NULL, &from_pdf, NULL),
	                 0);
	assert_true(th_json_same(from_pdf, from_text, "single-other"));
	json_decref(from_pdf);
	json_decref(from_text);
	json_decref(rec);
	nb_buf_free(&text);
	free(pdf);
	indexer_ctx_free(ctx);
}

static void
test_capture(void **state)
{
	struct indexer_ctx *ctx = th_ctx();
	struct indexer_input in = {.url = "https://www.zhangshu.gov.cn/a.pdf",
	                           .fetched_ms = 1764000000000};
	struct indexer_status st;
	json_t *rec;
	size_t len;
	char *pdf = th_read(material("pdf/%s.plain.pdf", seeds[0]), &len);

	(void)state;
	in.data = pdf;
	in.len = len;
	assert_int_equal(indexer_parse(ctx, &in, &rec, &st), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(rec, "source"),
	                                      "content_type")),
	    "application/pdf");
	json_decref(rec);
	in.content_type = "application/pdf; name=report.pdf";
	assert_int_equal(indexer_parse(ctx, &in, &rec, &st), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(rec, "source"),
	                                      "content_type")),
	    "application/pdf");
	json_decref(rec);
	free(pdf);
	indexer_ctx_free(ctx);
}

static void
expect_reason(struct indexer_ctx *ctx, const void *data, size_t len,
              const char *name, const char *reason)
{
	struct indexer_status st;
	json_t *rec = NULL;
	int rc = th_parse(ctx, data, len, NULL, NULL, &rec, &st);

	if (rc != NB_EUNPARSED || strncmp(st.reason, reason, strlen(reason)))
		fail_msg("%s: rc %d, reason '%s', want '%s...'", name, rc,
		         st.reason, reason);
	assert_null(rec);
	assert_int_equal(st.format, INDEXER_FMT_PDF);
}

static void
test_reasons(void **state)
{
	static const struct {
		const char *file, *reason;
	} cases[] = {
	    {"scan.pdf",
	     "unparsed: image-only PDF (1 pages, 1 images, no text layer)"},
	    {"ocr.pdf", "unparsed: image-only PDF (1 pages, only an invisible "
	                "OCR text layer)"},
	    {"stamped.pdf", "unparsed: image-only PDF (1 pages, 1 images, 3 "
	                    "characters of text)"},
	    {"unmapped.pdf", "unparsed: PDF text not mappable to Unicode"},
	    {"encrypted.pdf", "unparsed: PDF encrypted (password required)"},
	    {"garbled.pdf", "unparsed: PDF damaged ("},
	};
	struct indexer_ctx *ctx = th_ctx();
	size_t len;
	char *pdf;

	(void)state;
	for (size_t i = 0; i < NB_NELEM(cases); i++) {
		pdf = th_read(material("crafted/%s", cases[i].file), &len);
		expect_reason(ctx, pdf, len, cases[i].file, cases[i].reason);
		free(pdf);
	}
	/* tables without borders: no guessing at columns */
	pdf = th_read(material("pdf/borderless.plain.pdf"), &len);
	expect_reason(ctx, pdf, len, "borderless",
	              "unparsed: PDF tables without drawn borders");
	free(pdf);
	/* a seed cut short at several points: never a record, never a crash */
	pdf = th_read(material("pdf/%s.plain.pdf", seeds[1]), &len);
	for (int k = 1; k < 10; k++) {
		char name[32];

		snprintf(name, sizeof(name), "truncated at %d/10", k);
		expect_reason(ctx, pdf, len * k / 10, name,
		              "unparsed: PDF damaged (");
	}
	free(pdf);
	indexer_ctx_free(ctx);
}

/* A hand-made ruled table: borders filled as thin rectangles, a font not
 * embedded but mapped by ToUnicode, a full-width digit. */
static void
test_crafted_table(void **state)
{
	struct indexer_ctx *ctx = th_ctx();
	struct indexer_status st;
	json_t *rec;
	size_t len;
	char *pdf = th_read(material("crafted/table.pdf"), &len);

	(void)state;
	assert_int_equal(th_parse(ctx, pdf, len, NULL, NULL, &rec, &st), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "template")),
	                    "2021");
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(json_object_get(rec, "active"), "licensing"),
	        "decisions")),
	    7);
	json_decref(rec);
	free(pdf);
	indexer_ctx_free(ctx);
}

/* ---- layout from synthetic pages ---- */

struct synth {
	struct pdfl_page pg;
	struct pdfl_glyph g[512];
	struct pdfl_rule r[128];
};

static void
synth_init(struct synth *s, float w, float h)
{
	memset(s, 0, sizeof(*s));
	s->pg.w = w;
	s->pg.h = h;
	s->pg.g = s->g;
	s->pg.capg = NB_NELEM(s->g);
	s->pg.r = s->r;
	s->pg.capr = NB_NELEM(s->r);
}

/* UTF-8 text as glyphs of size 10, from x at baseline y. */
static void
synth_text(struct synth *s, float x, float y, const char *text)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t n = strlen(text), i = 0;

	while (i < n) {
		struct pdfl_glyph *g = &s->g[s->pg.ng++];
		uint32_t cp;

		assert_true(s->pg.ng <= NB_NELEM(s->g));
		i += utf8_decode(u + i, n - i, &cp);
		g->cp = cp;
		g->size = 10;
		g->base = y;
		g->x0 = x;
		g->x1 = x + (cp < 0x80 ? 5 : 10);
		g->y0 = y - 8.8f;
		g->y1 = y + 1.2f;
		x = g->x1;
	}
}

static void
synth_rule(struct synth *s, float x0, float y0, float x1, float y1)
{
	assert_true(s->pg.nr < NB_NELEM(s->r));
	s->r[s->pg.nr++] = (struct pdfl_rule){x0, y0, x1, y1};
}

/* A ruled grid: column borders xs[0..nx], row borders ys[0..ny]. */
static void
synth_grid(struct synth *s, const float *xs, int nx, const float *ys, int ny)
{
	for (int i = 0; i <= nx; i++)
		synth_rule(s, xs[i], ys[0], xs[i], ys[ny]);
	for (int j = 0; j <= ny; j++)
		synth_rule(s, xs[0], ys[j], xs[nx], ys[j]);
}

static json_t *
synth_record(struct indexer_doc *doc)
{
	struct indexer_ctx *ctx = th_ctx();
	json_t *rec = NULL;

	assert_int_equal(indexer_doc_record(ctx, doc, NULL, &rec, NULL), 0);
	indexer_ctx_free(ctx);
	return rec;
}

/* 规章 | 5 | (blank) | 7: the blank is 本年废止件数, by its position. */
static void
test_blank_by_position(void **state)
{
	static const float xs[] = {100, 200, 280, 360, 440};
	static const float ys[] = {100, 120, 140};
	struct pdfl_layout *l;
	struct indexer_doc *doc;
	struct synth s;
	json_t *rec, *rules;

	(void)state;
	synth_init(&s, 595, 842);
	synth_text(&s, 60, 80, "樟树市2021年政府信息公开工作年度报告");
	synth_grid(&s, xs, 4, ys, 2);
	synth_text(&s, 110, 114, "信息内容");
	synth_text(&s, 205, 114, "本年制发件数");
	synth_text(&s, 285, 114, "本年废止件数");
	synth_text(&s, 365, 114, "现行有效件数");
	synth_text(&s, 110, 134, "规章");
	synth_text(&s, 230, 134, "5");
	synth_text(&s, 390, 134, "7");
	assert_int_equal(pdfl_layout_new(&l), 0);
	assert_int_equal(pdfl_layout_page(l, &s.pg), 0);
	assert_int_equal(indexer_doc_new(&doc), 0);
	assert_int_equal(pdfl_layout_finish(l, doc), 0);
	pdfl_layout_free(l);
	assert_int_equal(indexer_doc_ngrids(doc), 1);
	rec = synth_record(doc);
	rules = json_object_get(json_object_get(rec, "active"), "rules");
	assert_int_equal(json_integer_value(json_object_get(rules, "made")), 5);
	assert_true(json_is_null(json_object_get(rules, "repealed")));
	assert_int_equal(json_integer_value(json_object_get(rules, "in_force")),
	                 7);
	json_decref(rec);
	indexer_doc_free(doc);
}

/*
 * Two pages: the requests-table header and row 一 on the first, a label
 * cut by the page ("四、结转下年度" / "继续办理") and a page number and a
 * running header between the parts.
 */
static void
test_page_break(void **state)
{
	static const float xs[] = {100, 300, 340};
	static const float ys1[] = {700, 720, 740, 760};
	static const float ys2[] = {60, 80};
	struct pdfl_layout *l;
	struct indexer_doc *doc;
	const struct indexer_grid *g;
	struct synth s;

	(void)state;
	assert_int_equal(pdfl_layout_new(&l), 0);
	synth_init(&s, 595, 842);
	synth_text(&s, 450, 40, "政务公开专栏");
	synth_text(&s, 60, 680, "三、收到和处理政府信息公开申请情况");
	synth_grid(&s, xs, 2, ys1, 3);
	synth_text(&s, 110, 714, "申请人情况");
	synth_text(&s, 305, 714, "自然人");
	synth_text(&s, 110, 734, "一、本年新收政府信息公开申请数量");
	synth_text(&s, 310, 734, "36");
	synth_text(&s, 110, 754, "四、结转下年度");
	synth_text(&s, 310, 754, "3");
	synth_text(&s, 280, 810, "- 1 -");
	assert_int_equal(pdfl_layout_page(l, &s.pg), 0);
	synth_init(&s, 595, 842);
	synth_text(&s, 450, 40, "政务公开专栏");
	synth_grid(&s, xs, 2, ys2, 1);
	synth_text(&s, 110, 74, "继续办理");
	synth_text(&s, 60, 120, "四、政府信息公开行政复议、行政诉讼情况");
	synth_text(&s, 260, 810, "第 2 页 共 2 页");
	assert_int_equal(pdfl_layout_page(l, &s.pg), 0);
	assert_int_equal(indexer_doc_new(&doc), 0);
	assert_int_equal(pdfl_layout_finish(l, doc), 0);
	pdfl_layout_free(l);
	assert_int_equal(indexer_doc_ngrids(doc), 1);
	g = indexer_doc_grid(doc, 0);
	assert_int_equal(indexer_grid_nrows(g), 3);
	assert_string_equal(indexer_grid_at(g, 2, 0, NULL, NULL),
	                    "四、结转下年度\n继续办理");
	assert_string_equal(indexer_grid_at(g, 2, 1, NULL, NULL), "3");
	for (size_t i = 0; i < doc->nparas; i++) {
		assert_null(strstr(doc->paras[i], "- 1 -"));
		assert_null(strstr(doc->paras[i], "政务公开专栏"));
	}
	assert_int_equal(doc->nparas, 2);
	indexer_doc_free(doc);
}

/*
 * A row left blank at the foot of a page and the next row's numbered label
 * at the top of the next: two rows, never one (which would give the blank
 * row the next row's numbers).
 */
static void
test_no_false_cut(void **state)
{
	static const float xs[] = {100, 300, 340};
	static const float ys1[] = {720, 740, 760};
	static const float ys2[] = {60, 80};
	struct pdfl_layout *l;
	struct indexer_doc *doc;
	const struct indexer_grid *g;
	struct synth s;

	(void)state;
	assert_int_equal(pdfl_layout_new(&l), 0);
	synth_init(&s, 595, 842);
	synth_grid(&s, xs, 2, ys1, 2);
	synth_text(&s, 110, 734, "8.属于行政查询事项");
	synth_text(&s, 310, 734, "0");
	synth_text(&s, 110, 754, "1.属于国家秘密");
	assert_int_equal(pdfl_layout_page(l, &s.pg), 0);
	synth_init(&s, 595, 842);
	synth_grid(&s, xs, 2, ys2, 1);
	synth_text(&s, 110, 74, "2.其他法律行政法规禁止公开");
	synth_text(&s, 310, 74, "5");
	assert_int_equal(pdfl_layout_page(l, &s.pg), 0);
	assert_int_equal(indexer_doc_new(&doc), 0);
	assert_int_equal(pdfl_layout_finish(l, doc), 0);
	pdfl_layout_free(l);
	assert_int_equal(indexer_doc_ngrids(doc), 1);
	g = indexer_doc_grid(doc, 0);
	assert_int_equal(indexer_grid_nrows(g), 3);
	assert_string_equal(indexer_grid_at(g, 1, 0, NULL, NULL),
	                    "1.属于国家秘密");
	assert_string_equal(indexer_grid_at(g, 1, 1, NULL, NULL), "");
	assert_string_equal(indexer_grid_at(g, 2, 1, NULL, NULL), "5");
	indexer_doc_free(doc);
}

/* A double rule after the label column is one border: the values still
 * follow the label (no empty column between them). */
static void
test_double_rule(void **state)
{
	static const float xs[] = {100, 300, 302.5f, 330, 360,
	                           390, 420, 450,    480, 510};
	static const float ys[] = {100, 120};
	static const char *const v[] = {"1", "2", "3", "4", "5", "6", "21"};
	struct pdfl_layout *l;
	struct indexer_doc *doc;
	struct synth s;
	json_t *rec, *row;

	(void)state;
	synth_init(&s, 595, 842);
	synth_grid(&s, xs, 9, ys, 1);
	synth_text(&s, 105, 114, "一、本年新收政府信息公开申请数量");
	for (int i = 0; i < 7; i++)
		synth_text(&s, xs[i + 2] + 8, 114, v[i]);
	assert_int_equal(pdfl_layout_new(&l), 0);
	assert_int_equal(pdfl_layout_page(l, &s.pg), 0);
	assert_int_equal(indexer_doc_new(&doc), 0);
	assert_int_equal(pdfl_layout_finish(l, doc), 0);
	pdfl_layout_free(l);
	rec = synth_record(doc);
	row = json_object_get(json_object_get(rec, "requests"), "new");
	assert_int_equal(json_array_size(row), 7);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(json_integer_value(json_array_get(row, i)),
		                 strtol(v[i], NULL, 10));
	json_decref(rec);
	indexer_doc_free(doc);
}

/*
 * How a browser prints a table over a page break: no top border on the
 * new page (the column rules start where the first row does), and the
 * first column, whose cell spans rows on the page before, left open.  The
 * first row is kept, and the parts are one table.
 */
static void
test_open_edges(void **state)
{
	static const float xs1[] = {60, 100, 300, 340};
	static const float ys1[] = {720, 740, 760};
	static const float xs2[] = {100, 300, 340};
	static const float ys2[] = {80, 100};
	struct pdfl_layout *l;
	struct indexer_doc *doc;
	const struct indexer_grid *g;
	struct synth s;

	(void)state;
	assert_int_equal(pdfl_layout_new(&l), 0);
	synth_init(&s, 595, 842);
	synth_grid(&s, xs1, 3, ys1, 2);
	synth_text(&s, 62, 734, "三、");
	synth_text(&s, 110, 734, "1.属于国家秘密");
	synth_text(&s, 310, 734, "0");
	synth_text(&s, 110, 754, "2.其他法律行政法规禁止公开");
	synth_text(&s, 310, 754, "4");
	assert_int_equal(pdfl_layout_page(l, &s.pg), 0);
	synth_init(&s, 595, 842);
	/* column rules from y 60, the first horizontal rule at 80 */
	for (int i = 0; i < 3; i++)
		synth_rule(&s, xs2[i], 60, xs2[i], 100);
	for (int j = 0; j < 2; j++)
		synth_rule(&s, xs2[0], ys2[j], xs2[2], ys2[j]);
	synth_text(&s, 110, 74, "3.危及“三安全一稳定”");
	synth_text(&s, 310, 74, "5");
	synth_text(&s, 110, 94, "4.保护第三方合法权益");
	synth_text(&s, 310, 94, "6");
	assert_int_equal(pdfl_layout_page(l, &s.pg), 0);
	assert_int_equal(indexer_doc_new(&doc), 0);
	assert_int_equal(pdfl_layout_finish(l, doc), 0);
	pdfl_layout_free(l);
	assert_int_equal(indexer_doc_ngrids(doc), 1);
	assert_int_equal(doc->nparas, 0);
	g = indexer_doc_grid(doc, 0);
	assert_int_equal(indexer_grid_nrows(g), 4);
	assert_string_equal(indexer_grid_at(g, 2, 1, NULL, NULL),
	                    "3.危及“三安全一稳定”");
	assert_string_equal(indexer_grid_at(g, 2, 2, NULL, NULL), "5");
	assert_string_equal(indexer_grid_at(g, 3, 2, NULL, NULL), "6");
	indexer_doc_free(doc);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed_pdfs),
	    cmocka_unit_test(test_single_other),
	    cmocka_unit_test(test_capture),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_crafted_table),
	    cmocka_unit_test(test_blank_by_position),
	    cmocka_unit_test(test_page_break),
	    cmocka_unit_test(test_no_false_cut),
	    cmocka_unit_test(test_open_edges),
	    cmocka_unit_test(test_double_rule),
	};

	if (argc != 2) {
		fprintf(stdout, "usage: test_pdf MATERIAL_DIR\n");
		return 2;
	}
	dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
