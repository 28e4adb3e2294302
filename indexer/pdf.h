/*
 * pdf.h - the PDF reader, inside the indexer.
 *
 * Two halves.  pdf.c drives MuPDF: it opens the document from memory under
 * a memory cap and a deadline, and turns each page into glyphs (code point
 * and box) and rule lines (the table borders the page draws).  pdflayout.c
 * knows nothing of MuPDF: it rebuilds lines, paragraphs and tables from
 * those positions and fills an indexer_doc, so the same template matcher
 * reads a PDF as it reads HTML or .docx.
 *
 * Coordinates are PDF points from the page's top-left corner, y growing
 * downwards (MuPDF's device space, the page's /Rotate applied).
 */
#ifndef NB_INDEXER_PDF_H
#define NB_INDEXER_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "indexer.h"

/* Limits of one PDF, beyond those of indexer.h. */
#define PDFL_MAX_PAGES  1000         /* pages read */
#define PDFL_MAX_MEM    (384u << 20) /* bytes MuPDF may hold at once */
#define PDFL_MAX_MS     30000        /* wall time for one document */
#define PDFL_MAX_GLYPHS (1u << 20)   /* glyphs of one page */
#define PDFL_MAX_RULES  4096         /* rule segments of one page */

struct pdfl_glyph {
	uint32_t cp;          /* Unicode code point */
	float x0, y0, x1, y1; /* box */
	float base;           /* baseline y */
	float size;           /* font size */
};

/* A horizontal (y0 == y1) or vertical (x0 == x1) rule segment. */
struct pdfl_rule {
	float x0, y0, x1, y1;
};

/* What pdf.c saw on one page; the layout may reorder the arrays. */
struct pdfl_page {
	float w, h;
	struct pdfl_glyph *g;
	size_t ng, capg;
	struct pdfl_rule *r;
	size_t nr, capr;
};

/*
 * The layout state of one document: pages go in one at a time, in order;
 * paragraphs and grids go to the doc at pdfl_layout_finish(), once running
 * headers, page numbers and tables split over pages are known.
 */
struct pdfl_layout;

/* Returns 0 or NB_ENOMEM; *out is freed with pdfl_layout_free(). */
int pdfl_layout_new(struct pdfl_layout **out);
void pdfl_layout_free(struct pdfl_layout *l);

/* Take one page's glyphs and rules (pg stays the caller's; its arrays may
 * be sorted).  Returns 0, NB_ETOOBIG or NB_ENOMEM. */
int pdfl_layout_page(struct pdfl_layout *l, struct pdfl_page *pg);

/* Add the document's paragraphs and grids to doc.  Returns 0, NB_ETOOBIG
 * or NB_ENOMEM. */
int pdfl_layout_finish(struct pdfl_layout *l, struct indexer_doc *doc);

/*
 * read_pdf - the reader: a PDF's text and tables into doc.
 * Returns 0; NB_EUNPARSED with st->reason ("unparsed: image-only PDF
 * ...", "unparsed: PDF encrypted ...", "unparsed: PDF damaged ...");
 * NB_ETOOBIG (a limit above); NB_ENOMEM.
 */
int read_pdf(const void *data, size_t len, struct indexer_doc *doc,
             struct indexer_status *st);

#endif
