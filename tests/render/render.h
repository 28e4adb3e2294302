/*
 * render.h - turn a report record (the canonical JSON of the report schema)
 * back into the documents county sites publish, so tests, the fixture site
 * and the benchmarks have realistic input whose exact record is known.
 *
 * The promise every renderer keeps: parsing what it produces gives back the
 * record it was given (same agency, year, template, title, and every table
 * cell, null where the record has null), whatever cosmetic variant is chosen.
 */
#ifndef NB_RENDER_H
#define NB_RENDER_H

#include <jansson.h>

#include "buf.h"

/* Cosmetic variations seen on the live sites; OR them into opts.variant. */
enum render_variant {
	RV_SPLIT_RUNS = 1 << 0,	   /* text split over several <span> runs */
	RV_SPAN_SHIFT = 1 << 1,	   /* header and data rows span differently */
	RV_BR_HEADERS = 1 << 2,	   /* <br> inside header labels */
	RV_BLANK_STYLES = 1 << 3,  /* blanks as &nbsp;, <o:p> </o:p>, missing */
	RV_LABEL_VARIANTS = 1 << 4,/* 规范性文件, 信访投诉举报类, 只记, 结果维护.. */
	RV_NO_NUMBERING = 1 << 5,  /* section headings lose 一、二、 */
	RV_FONT_TAGS = 1 << 6,	   /* <font face="方正仿宋_GBK"> wrappers */
	RV_CHROME_NOISE = 1 << 7,  /* breadcrumbs, metadata table, CMS tags,
				      a second <meta charset> in the body */
	RV_UNITS_IN_CELLS = 1 << 8,/* amounts written with their unit */
	RV_TITLE_SPLIT = 1 << 9,   /* title broken over two lines/paragraphs */
	RV_ALL = (1 << 10) - 1,
};

struct render_opts {
	const char *charset;	/* "UTF-8" (NULL) or "GBK"/"GB2312"/"GB18030":
				   bytes in that encoding, declared only in a
				   <meta> tag */
	int page;		/* HTML: a whole county-site page (head, meta
				   ArticleTitle/PubDate/ContentSource, zoomcon
				   div) rather than the body fragment alone */
	const char *published;	/* "YYYY-MM-DD" for PubDate; NULL: none */
	unsigned variant;	/* enum render_variant bits */
	unsigned seed;		/* picks among equivalent spellings */
};

/*
 * Each appends the document to out and returns 0, NB_EINVAL (the record
 * lacks agency/year/template), NB_ENOMEM or NB_ETOOBIG (out's cap).
 *   render_html: a report page as the Jiangxi platform serves it.
 *   render_docx: a Word .docx (zip) with real w:tbl tables, gridSpan and
 *                vMerge for spanned cells.
 *   render_text: the seeds' text form (one cell per tab-indented line).
 */
int render_html(const json_t *rec, const struct render_opts *o,
		struct nb_buf *out);
int render_docx(const json_t *rec, const struct render_opts *o,
		struct nb_buf *out);
int render_text(const json_t *rec, const struct render_opts *o,
		struct nb_buf *out);

#endif
