/*
 * test_roundtrip - each hand-checked seed record rendered by nb_render as
 * the documents sites publish (HTML pages and fragments in UTF-8 and in
 * GBK/GB2312/GB18030 declared only in <meta>, .docx, the text form), each
 * cosmetic variant alone and all together, parsed back: every field must
 * equal the expected record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "render.h"

static const char *const seeds[] = {
    "000_b28a0448acb1371b", "001_a54ea972eaf5532d", "002_10344cc63f2c5b68",
    "003_d99c8dcb44f53e53", "004_0cecb108ebe11312"};

enum fmt { F_HTML, F_DOCX, F_TEXT };

static const char *const fmt_name[] = {"html", "docx", "text"};

static int failures;

static void
roundtrip(struct indexer_ctx *ctx, const char *seed, const json_t *want,
          enum fmt f, const struct render_opts *o)
{
	int (*render[])(const json_t *, const struct render_opts *,
	                struct nb_buf *) = {render_html, render_docx,
	                                    render_text};
	enum indexer_format detected[] = {INDEXER_FMT_HTML, INDEXER_FMT_DOCX,
	                                  INDEXER_FMT_TEXT};
	struct indexer_status st;
	struct nb_buf doc;
	char what[256];
	json_t *rec = NULL;
	int rc;

	snprintf(what, sizeof(what), "%s %s%s charset=%s variant=0x%x seed=%u",
	         seed, fmt_name[f], o->page ? " page" : "",
	         o->charset ? o->charset : "UTF-8", o->variant, o->seed);
	nb_buf_init(&doc, 16u << 20);
	assert_int_equal(render[f](want, o, &doc), 0);
	rc = th_parse(ctx, doc.data, doc.len, NULL, NULL, &rec, &st);
	if (rc != 0) {
		print_error("%s: %s (%s)\n", what, nb_strerror(rc), st.reason);
		failures++;
	} else if (st.format != detected[f]) {
		print_error("%s: read as %s\n", what,
		            indexer_format_name(st.format));
		failures++;
	} else if (!th_json_same(rec, want, what)) {
		failures++;
	}
	json_decref(rec);
	nb_buf_free(&doc);
}

static void
test_seed(void **state)
{
	static const char *const charsets[] = {"GBK", "GB2312", "GB18030"};
	const char *seed = *state;
	struct indexer_ctx *ctx = th_ctx();
	char path[256];
	json_error_t err;
	json_t *want;

	snprintf(path, sizeof(path), "tests/seeds/expected/%s.json", seed);
	want = json_load_file(th_src(path), 0, &err);
	assert_non_null(want);
	failures = 0;
	for (int f = F_HTML; f <= F_TEXT; f++) {
		struct render_opts o = {.published = "2022-01-20"};

		/* plain, each variant alone, then all of them */
		roundtrip(ctx, seed, want, f, &o);
		for (unsigned bit = 1; bit < RV_ALL; bit <<= 1) {
			o.variant = bit;
			roundtrip(ctx, seed, want, f, &o);
		}
		for (unsigned s = 0; s < 4; s++) {
			o.variant = RV_ALL;
			o.seed = s;
			roundtrip(ctx, seed, want, f, &o);
		}
		if (f != F_HTML)
			continue;
		/* whole pages, and GBK family bytes declared only in <meta> */
		for (unsigned s = 0; s < 3; s++) {
			o.page = 1;
			o.variant = s == 0 ? 0 : RV_ALL;
			o.seed = s;
			o.charset = NULL;
			roundtrip(ctx, seed, want, f, &o);
			o.charset = charsets[s];
			roundtrip(ctx, seed, want, f, &o);
			o.page = 0;
			roundtrip(ctx, seed, want, f, &o);
		}
	}
	json_decref(want);
	indexer_ctx_free(ctx);
	assert_int_equal(failures, 0);
}

int
main(void)
{
	struct CMUnitTest tests[NB_NELEM(seeds)];
	char names[NB_NELEM(seeds)][64];

	for (size_t i = 0; i < NB_NELEM(seeds); i++) {
		snprintf(names[i], sizeof(names[i]), "roundtrip %s", seeds[i]);
		tests[i] = (struct CMUnitTest){names[i], test_seed, NULL, NULL,
		                               (void *)seeds[i]};
	}
	return _cmocka_run_group_tests("indexer round trips", tests,
	                               NB_NELEM(tests), NULL, NULL);
}
