/*
 * test_malformed - what must give a clear answer and never a crash:
 * truncated zips, binary junk, deep nesting, huge cells and spans,
 * documents of every unparsed kind.  Bounded: well under a second each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "helpers.h"

static struct indexer_ctx *ctx;

static int
setup(void **state)
{
	(void)state;
	ctx = th_ctx();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	indexer_ctx_free(ctx);
	return 0;
}

/* Any outcome but a crash is allowed; the code must be one we document. */
static int
parse_any(const void *data, size_t len, struct indexer_status *st)
{
	json_t *rec = NULL;
	int rc = th_parse(ctx, data, len, NULL, NULL, &rec, st);

	switch (rc) {
	case 0:
		assert_non_null(rec);
		assert_true(json_is_object(rec));
		assert_non_null(json_object_get(rec, "checks"));
		json_decref(rec);
		break;
	case NB_ENOTREPORT:
		assert_memory_equal(st->reason, "not a report: ", 14);
		break;
	case NB_EUNPARSED:
	case NB_ETOOBIG:
		assert_memory_equal(st->reason, "unparsed: ", 10);
		break;
	default:
		fail_msg("unexpected %s", nb_strerror(rc));
	}
	return rc;
}

static void
expect(const void *data, size_t len, int want, const char *reason)
{
	struct indexer_status st;
	int rc = parse_any(data, len, &st);

	if (rc != want)
		fail_msg("%s, want %s (%s)", nb_strerror(rc), nb_strerror(want),
		         st.reason);
	if (reason != NULL && strstr(st.reason, reason) == NULL)
		fail_msg("reason '%s' lacks '%s'", st.reason, reason);
}

static void
test_unparsed_kinds(void **state)
{
	static const unsigned char ole[] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1,
	                                    0x1A, 0xE1, 0,    0,    0,    0};
	static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10,
	                                     'J',  'F',  'I',  'F',  0};
	static const unsigned char png[] = {0x89, 'P',  'N', 'G', '\r', '\n',
	                                    0x1A, '\n', 0,   0,   0,    13};

	static const char pdf[] = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj";
	static const char challenge[] =
	    "<html><head><script>document.cookie='a=b';location.reload()"
	    "</script></head><body></body></html>";

	(void)state;
	expect(pdf, sizeof(pdf) - 1, NB_EUNPARSED, "PDF");
	expect(ole, sizeof(ole), NB_EUNPARSED, ".doc");
	expect(jpeg, sizeof(jpeg), NB_EUNPARSED, "JPEG");
	expect(png, sizeof(png), NB_EUNPARSED, "PNG");
	expect("{\\rtf1\\ansi\0", 12, NB_EUNPARSED, "RTF");
	expect("\x7f"
	       "ELF\x02\x01\x01\0\0\0",
	       10, NB_EUNPARSED, "binary");
	expect("", 0, NB_ENOTREPORT, NULL);
	expect("hello", 5, NB_ENOTREPORT, NULL);
	/* a JavaScript challenge page is no report */
	expect(challenge, sizeof(challenge) - 1, NB_ENOTREPORT, NULL);
}

static void
test_zip_not_docx(void **state)
{
	size_t len;
	char *docx = th_docx("<w:p/>", &len);
	char *p;

	(void)state;
	/* rename the member: a zip, but no word/document.xml */
	while ((p = memmem(docx, len, "word/document.xml", 17)) != NULL)
		memcpy(p, "word/documenx.xml", 17);
	expect(docx, len, NB_EUNPARSED, "not a Word document");
	free(docx);
}

/* Every prefix of a .docx report: an answer each time, never a crash. */
static void
test_truncated_docx(void **state)
{
	static const char body[] =
	    "<w:p><w:r><w:t>樟树市2021年政府信息公开工作年度报告</w:t></w:r>"
	    "</w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>信息内容</w:t></w:r>"
	    "</w:p></w:tc><w:tc><w:p><w:r><w:t>本年制发件数</w:t></w:r></w:p>"
	    "</w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>规章</w:t></w:r></w:p>"
	    "</w:tc><w:tc><w:p><w:r><w:t>5</w:t></w:r></w:p></w:tc></w:tr>"
	    "</w:tbl>";
	size_t len;
	char *docx = th_docx(body, &len);
	struct indexer_status st;
	int parsed = 0;

	(void)state;
	assert_int_equal(parse_any(docx, len, &st), 0);
	for (size_t cut = 0; cut < len; cut += 7)
		parsed += parse_any(docx, cut, &st) == 0;
	/* a cut zip has lost its central directory: never a record */
	assert_int_equal(parsed, 0);
	/* and corrupt deflate data inside an intact zip */
	for (size_t i = 40; i < len - 60; i += 11) {
		char *bad = malloc(len);

		memcpy(bad, docx, len);
		bad[i] ^= 0x5A;
		parse_any(bad, len, &st);
		free(bad);
	}
	free(docx);
}

/* Pseudo-random bytes, and random bytes behind each format's magic. */
static void
test_junk(void **state)
{
	static const char *const heads[] = {
	    "",      "<html><table><tr><td>", "\t规章\n\t", "PK\x03\x04",
	    "%PDF-", "\xEF\xBB\xBF"};
	unsigned seed = 12345;
	struct indexer_status st;

	(void)state;
	for (size_t h = 0; h < NB_NELEM(heads); h++)
		for (int round = 0; round < 40; round++) {
			size_t hl = strlen(heads[h]);
			size_t len = hl + (seed % 4096);
			unsigned char *buf = malloc(len + 1);

			memcpy(buf, heads[h], hl);
			for (size_t i = hl; i < len; i++) {
				seed = seed * 1103515245 + 12345;
				buf[i] = seed >> 16;
				/* keep some junk text-like */
				if (round % 2 && buf[i] < 32)
					buf[i] = "\t\n<>|"[buf[i] % 5];
			}
			parse_any(buf, len, &st);
			free(buf);
		}
}

static void
repeat(struct nb_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(nb_buf_adds(b, s), 0);
}

static void
test_deep_html(void **state)
{
	struct nb_buf b;
	struct indexer_status st;

	(void)state;
	nb_buf_init(&b, 64u << 20);
	repeat(&b, "<div>", 100000);
	repeat(&b, "<table><tr><td>", 5000);
	repeat(&b, "<span>", 100000);
	assert_int_equal(nb_buf_adds(&b, "信息内容"), 0);
	parse_any(b.data, b.len, &st);
	nb_buf_reset(&b);
	/* tables nested inside cells, deeper than the reader follows */
	repeat(&b, "<table><tr><td>规章</td><td>", 100);
	repeat(&b, "</td></tr></table>", 100);
	parse_any(b.data, b.len, &st);
	nb_buf_free(&b);
}

static void
test_huge_cells(void **state)
{
	struct nb_buf b;
	struct indexer_status st;
	int rc;

	(void)state;
	nb_buf_init(&b, 64u << 20);
	/* one 8 MB cell in a real report table */
	assert_int_equal(
	    nb_buf_adds(&b, "<p>樟树市2021年政府信息公开工作年度报告</p><table>"
	                    "<tr><td>信息内容</td><td>本年制发件数</td></tr>"
	                    "<tr><td>规章</td><td>"),
	    0);
	repeat(&b, "1234567890", 800000);
	assert_int_equal(nb_buf_adds(&b, "</td></tr></table>"), 0);
	rc = parse_any(b.data, b.len, &st);
	assert_int_equal(rc, 0);
	nb_buf_reset(&b);
	/* spans far beyond the table: clamped, not allocated */
	repeat(&b,
	       "<table><tr><td rowspan=99999999 colspan=99999999>x</td>"
	       "<td colspan=-5>y</td></tr>",
	       50);
	repeat(&b, "<tr><td colspan=300>z</td></tr>", 2000);
	parse_any(b.data, b.len, &st);
	nb_buf_reset(&b);
	/* many columns: over INDEXER_MAX_COLS */
	assert_int_equal(nb_buf_adds(&b, "<table><tr>"), 0);
	repeat(&b, "<td>1</td>", 1000);
	assert_int_equal(nb_buf_adds(&b, "</tr></table>"), 0);
	expect(b.data, b.len, NB_ETOOBIG, "size limit");
	nb_buf_reset(&b);
	/* text form: a single enormous line and 200000 empty cells */
	repeat(&b, "\t", 200000);
	parse_any(b.data, b.len, &st);
	nb_buf_free(&b);
}

static void
test_oversized_input(void **state)
{
	struct indexer_input in = {0};
	struct indexer_status st;
	json_t *rec = NULL;

	(void)state;
	in.data = "x";
	in.len = (size_t)INDEXER_MAX_INPUT + 1; /* never read */
	assert_int_equal(indexer_parse(ctx, &in, &rec, &st), NB_ETOOBIG);
	assert_null(rec);
	in.data = NULL;
	in.len = 3;
	assert_int_equal(indexer_parse(ctx, &in, &rec, &st), NB_EINVAL);
	in.data = "x";
	in.len = 1;
	in.template = "2020";
	assert_int_equal(indexer_parse(ctx, &in, &rec, &st), NB_EINVAL);
}

/* A report page made only of scanned images is archived as unparsed. */
static void
test_image_only(void **state)
{
	static const char page[] =
	    "<html><head><meta name=\"ArticleTitle\" content=\"樟树市2021年"
	    "政府信息公开工作年度报告\"></head><body><div id=zoomcon>"
	    "<p><img src=\"1.jpg\"></p><p><img src=\"2.jpg\"></p></div>"
	    "</body></html>";

	(void)state;
	expect(page, strlen(page), NB_EUNPARSED, "image-only");
}

/* A PubDate whose 60th byte cuts a character: the year is read from a
 * cleaned copy that must have room for the replacement characters. */
static void
test_pubdate_cut(void **state)
{
	static const char page[] =
	    "<html><head><meta charset=\"utf-8\"><meta name=\"PubDate\" "
	    "content=\"2022-01-"
	    "20xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "中文\"><title>报告</title></head><body><p>政府信息公开</p>"
	    "<table><tr><td>信息内容</td><td>本年处理决定数量</td></tr>"
	    "<tr><td>行政许可</td><td>5</td></tr></table></body></html>";
	struct indexer_status st;

	(void)state;
	assert_int_equal(parse_any(page, strlen(page), &st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unparsed_kinds),
	    cmocka_unit_test(test_zip_not_docx),
	    cmocka_unit_test(test_truncated_docx),
	    cmocka_unit_test(test_junk),
	    cmocka_unit_test(test_deep_html),
	    cmocka_unit_test(test_huge_cells),
	    cmocka_unit_test(test_oversized_input),
	    cmocka_unit_test(test_image_only),
	    cmocka_unit_test(test_pubdate_cut),
	};

	return cmocka_run_group_tests_name("indexer malformed input", tests,
	                                   setup, teardown);
}
