/*
 * fuzz_text - libFuzzer target: the seeds' text form, through detection
 * and straight into the text reader, then the matcher.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "charset.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct indexer_ctx *ctx;
	struct indexer_input in = {.data = data, .len = size};
	struct indexer_doc *doc;
	json_t *rec = NULL;
	char *text;
	size_t n;

	if (ctx == NULL && indexer_ctx_new(NULL, &ctx) != 0)
		abort();
	if (indexer_parse(ctx, &in, &rec, NULL) == 0)
		json_decref(rec);
	if (charset_to_utf8("UTF-8", data, size, INDEXER_MAX_TEXT, &text, &n) !=
	    0)
		return 0;
	if (indexer_doc_new(&doc) == 0) {
		if (read_text(text, n, doc) == 0 &&
		    indexer_doc_record(ctx, doc, NULL, &rec, NULL) == 0)
			json_decref(rec);
		indexer_doc_free(doc);
	}
	free(text);
	return 0;
}
