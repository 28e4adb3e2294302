/*
 * fuzz_html - libFuzzer target: any bytes as an HTML page (charset
 * sniffing, the SAX reader, grids, the matcher).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct indexer_ctx *ctx;
	struct indexer_doc *doc;
	json_t *rec;

	if (ctx == NULL && indexer_ctx_new(NULL, &ctx) != 0)
		abort();
	if (indexer_doc_new(&doc) != 0)
		return 0;
	if (read_html((const char *)data, size, NULL, doc, NULL) == 0 &&
	    indexer_doc_record(ctx, doc, NULL, &rec, NULL) == 0)
		json_decref(rec);
	indexer_doc_free(doc);
	return 0;
}
