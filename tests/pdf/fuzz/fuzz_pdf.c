/*
 * fuzz_pdf - libFuzzer target: any bytes as a PDF (MuPDF under the
 * reader's memory and time caps, the page device, the layout: rules into
 * tables, tables over page breaks, page furniture) and then the matcher.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"
#include "pdf.h"

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
	if (read_pdf(data, size, doc, NULL) == 0 &&
	    indexer_doc_record(ctx, doc, NULL, &rec, NULL) == 0)
		json_decref(rec);
	indexer_doc_free(doc);
	return 0;
}
