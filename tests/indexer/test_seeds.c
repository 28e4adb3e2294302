/*
 * test_seeds - every field of the five seed reports against the records
 * checked by hand (tests/seeds/expected), and the "source" object the
 * crawler's captures get.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

static const char *const seeds[] = {
    "000_b28a0448acb1371b", "001_a54ea972eaf5532d", "002_10344cc63f2c5b68",
    "003_d99c8dcb44f53e53", "004_0cecb108ebe11312"};

static json_t *
expected(const char *seed)
{
	char path[256];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), "tests/seeds/expected/%s.json", seed);
	j = json_load_file(th_src(path), 0, &err);
	if (j == NULL)
		fail_msg("%s:%d: %s", path, err.line, err.text);
	return j;
}

static void
test_seed(void **state)
{
	const char *seed = *state;
	struct indexer_ctx *ctx = th_ctx();
	struct indexer_status st;
	char path[256];
	size_t len;
	char *text;
	json_t *rec, *want = expected(seed);

	snprintf(path, sizeof(path), "tests/seeds/%s.txt", seed);
	text = th_read(th_src(path), &len);
	assert_int_equal(th_parse(ctx, text, len, NULL, NULL, &rec, &st), 0);
	assert_int_equal(st.format, INDEXER_FMT_TEXT);
	assert_true(th_json_same(rec, want, seed));
	json_decref(rec);
	json_decref(want);
	free(text);
	indexer_ctx_free(ctx);
}

/* A capture: "source" after "title", and everything else unchanged. */
static void
test_source(void **state)
{
	struct indexer_ctx *ctx = th_ctx();
	struct indexer_input in = {0};
	struct indexer_status st;
	json_t *rec, *src, *want = expected(seeds[0]);
	const char *key, *sha;
	void *it;
	size_t len;
	char *text;

	(void)state;
	text = th_read(th_src("tests/seeds/000_b28a0448acb1371b.txt"), &len);
	in.data = text;
	in.len = len;
	in.url = "https://www.zhangshu.gov.cn/zssrmzf/x/202201/a.shtml";
	in.published = "2022-01-20";
	in.fetched_ms = 1795500000000LL; /* 2026-11-24T06:00:00Z */
	in.content_type = "text/plain; charset=utf-8";
	assert_int_equal(indexer_parse(ctx, &in, &rec, &st), 0);
	src = json_object_get(rec, "source");
	assert_non_null(src);
	assert_string_equal(json_string_value(json_object_get(src, "url")),
	                    in.url);
	assert_string_equal(
	    json_string_value(json_object_get(src, "published")), "2022-01-20");
	assert_string_equal(json_string_value(json_object_get(src, "fetched")),
	                    "2026-11-24T06:00:00Z");
	assert_string_equal(
	    json_string_value(json_object_get(src, "content_type")),
	    "text/plain");
	sha = json_string_value(json_object_get(src, "sha1"));
	assert_non_null(sha);
	assert_int_equal(strlen(sha), 32);
	assert_int_equal(strspn(sha, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	/* key order: ... title, source, active ... */
	it = json_object_iter_at(rec, "title");
	it = json_object_iter_next(rec, it);
	assert_string_equal(json_object_iter_key(it), "source");
	json_object_del(rec, "source");
	assert_true(th_json_same(rec, want, "000"));
	(void)key;
	json_decref(rec);
	json_decref(want);
	free(text);
	indexer_ctx_free(ctx);
}

/* The SHA-1 is of the payload, in RFC 4648 base32 (as WARC digests). */
static void
test_sha1(void **state)
{
	struct indexer_ctx *ctx = th_ctx();
	struct indexer_input in = {0};
	json_t *rec;
	size_t len;
	char *text;

	(void)state;
	text = th_read(th_src("tests/seeds/001_a54ea972eaf5532d.txt"), &len);
	in.data = text;
	in.len = len;
	in.url = "http://example.org/a";
	assert_int_equal(indexer_parse(ctx, &in, &rec, NULL), 0);
	/* the same digest from coreutils: sha1sum, then base32 */
	{
		char cmd[512], line[128], tmp[] = "/tmp/nb-sha1-XXXXXX";
		unsigned char dig[20];
		FILE *p;
		int fd;

		snprintf(cmd, sizeof(cmd), "sha1sum '%s'",
		         th_src("tests/seeds/001_a54ea972eaf5532d.txt"));
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(line, sizeof(line), p));
		pclose(p);
		for (int i = 0; i < 20; i++) {
			unsigned v;

			assert_int_equal(sscanf(line + 2 * i, "%2x", &v), 1);
			dig[i] = v;
		}
		fd = mkstemp(tmp);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, dig, 20), 20);
		close(fd);
		snprintf(cmd, sizeof(cmd), "base32 %s", tmp);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(line, sizeof(line), p));
		pclose(p);
		unlink(tmp);
		line[strcspn(line, "\n")] = '\0';
		assert_string_equal(
		    json_string_value(json_object_get(
		        json_object_get(rec, "source"), "sha1")),
		    line);
	}
	json_decref(rec);
	free(text);
	indexer_ctx_free(ctx);
}

int
main(void)
{
	struct CMUnitTest tests[NB_NELEM(seeds) + 2];
	char names[NB_NELEM(seeds)][64];

	for (size_t i = 0; i < NB_NELEM(seeds); i++) {
		snprintf(names[i], sizeof(names[i]), "seed %s", seeds[i]);
		tests[i] = (struct CMUnitTest){names[i], test_seed, NULL, NULL,
		                               (void *)seeds[i]};
	}
	tests[NB_NELEM(seeds)] =
	    (struct CMUnitTest)cmocka_unit_test(test_source);
	tests[NB_NELEM(seeds) + 1] =
	    (struct CMUnitTest)cmocka_unit_test(test_sha1);
	return _cmocka_run_group_tests("indexer seeds", tests, NB_NELEM(tests),
	                               NULL, NULL);
}
