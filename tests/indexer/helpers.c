#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "config.h"
#include "helpers.h"

char *
th_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		fail_msg("%s: cannot open", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = n;
	return buf;
}

const char *
th_src(const char *rel)
{
	static char path[4096];
	const char *src = getenv("NB_SRCDIR");

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	return path;
}

struct indexer_ctx *
th_ctx(void)
{
	struct nb_config *cfg;
	struct indexer_ctx *ctx;

	assert_int_equal(config_load(th_src("config/demo.ini"), &cfg), 0);
	assert_int_equal(indexer_ctx_new(cfg, &ctx), 0);
	config_free(cfg);
	return ctx;
}

int
th_parse(struct indexer_ctx *ctx, const void *data, size_t len,
         const char *content_type, const char *hint, json_t **rec,
         struct indexer_status *st)
{
	struct indexer_input in = {.data = data,
	                           .len = len,
	                           .content_type = content_type,
	                           .hint = hint};
	struct indexer_status local;

	*rec = NULL;
	return indexer_parse(ctx, &in, rec, st ? st : &local);
}

int
th_json_same(const json_t *got, const json_t *want, const char *path)
{
	char sub[512];

	if (json_typeof(got) != json_typeof(want)) {
		char *g = json_dumps(got, JSON_ENCODE_ANY | INDEXER_JSON_FLAGS);
		char *w =
		    json_dumps(want, JSON_ENCODE_ANY | INDEXER_JSON_FLAGS);

		print_error("%s: got %.200s, want %.200s\n", path, g, w);
		free(g);
		free(w);
		return 0;
	}
	if (json_is_object(want)) {
		const char *key;
		json_t *v;
		void *it = json_object_iter((json_t *)got);

		json_object_foreach((json_t *)want, key, v)
		{
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			if (json_object_get(got, key) == NULL) {
				print_error("%s: missing\n", sub);
				return 0;
			}
			if (!th_json_same(json_object_get(got, key), v, sub))
				return 0;
			/* the canonical JSON fixes the key order too */
			if (it == NULL ||
			    strcmp(json_object_iter_key(it), key) != 0) {
				print_error("%s: key out of order\n", sub);
				return 0;
			}
			it = json_object_iter_next((json_t *)got, it);
		}
		json_object_foreach((json_t *)got, key,
		                    v) if (json_object_get(want, key) == NULL)
		{
			print_error("%s.%s: not expected\n", path, key);
			return 0;
		}
		return 1;
	}
	if (json_is_array(want)) {
		if (json_array_size(got) != json_array_size(want)) {
			print_error("%s: %zu elements, want %zu\n", path,
			            json_array_size(got),
			            json_array_size(want));
			for (size_t i = 0; i < json_array_size(got); i++) {
				char *g = json_dumps(json_array_get(got, i),
				                     JSON_ENCODE_ANY);

				print_error("  got[%zu] %.200s\n", i, g);
				free(g);
			}
			return 0;
		}
		for (size_t i = 0; i < json_array_size(want); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (!th_json_same(json_array_get(got, i),
			                  json_array_get(want, i), sub))
				return 0;
		}
		return 1;
	}
	if (!json_equal((json_t *)got, (json_t *)want)) {
		char *g = json_dumps(got, JSON_ENCODE_ANY | INDEXER_JSON_FLAGS);
		char *w =
		    json_dumps(want, JSON_ENCODE_ANY | INDEXER_JSON_FLAGS);

		print_error("%s: got %s, want %s\n", path, g, w);
		free(g);
		free(w);
		return 0;
	}
	return 1;
}

void *
th_docx(const char *body, size_t *len)
{
	static const char head[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/"
	    "wordprocessingml/2006/main\"><w:body>";
	static const char tail[] = "</w:body></w:document>";
	zip_source_t *src, *file;
	zip_error_t err;
	zip_t *za;
	char *xml;
	void *out;
	zip_int64_t n;

	zip_error_init(&err);
	xml = malloc(strlen(head) + strlen(body) + strlen(tail) + 1);
	assert_non_null(xml);
	strcpy(xml, head);
	strcat(xml, body);
	strcat(xml, tail);
	src = zip_source_buffer_create(NULL, 0, 0, &err);
	assert_non_null(src);
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
	assert_non_null(za);
	file = zip_source_buffer(za, xml, strlen(xml), 1);
	assert_non_null(file);
	assert_true(zip_file_add(za, "word/document.xml", file, 0) >= 0);
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_open(src), 0);
	zip_source_seek(src, 0, SEEK_END);
	n = zip_source_tell(src);
	zip_source_seek(src, 0, SEEK_SET);
	out = malloc(n);
	assert_non_null(out);
	assert_int_equal(zip_source_read(src, out, n), n);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&err);
	*len = n;
	return out;
}
