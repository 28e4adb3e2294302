/*
 * render_int.h - the document model the three renderers share.
 *
 * The record is laid out once as a list of blocks (title, headings, prose,
 * Word-style tables with their spans), so HTML, docx and text show exactly
 * the same cells; each back end only decides how a cell is written.
 */
#ifndef NB_RENDER_INT_H
#define NB_RENDER_INT_H

#include <stddef.h>

#include "render.h"

enum rcell_kind {
	RC_LABEL, /* header or row label */
	RC_VALUE, /* a number from the record */
	RC_BLANK  /* null in the record: nothing is written */
};

struct rcell {
	char *text;   /* owned; NULL for RC_BLANK */
	size_t brk;   /* byte offset where a label wraps, 0: it does not */
	int brk_text; /* the seeds' text form wraps it even without
	                 RV_BR_HEADERS (商业/企业, 结果/纠正) */
	int colspan;
	int rowspan;
	int col; /* first grid column, set by the layout */
	enum rcell_kind kind;
	unsigned id; /* running number in the document, for seeded picks */
};

/*
 * One grid position of a row the way Word stores it: a cell of the row,
 * or the continuation of a cell merged down from a row above (cont = 1).
 */
struct rslot {
	const struct rcell *cell;
	int cont;
};

struct rrow {
	struct rcell *cells;
	int n, cap;
	struct rslot *slots; /* owned; set by the layout */
	int nslots;
	int after; /* grid columns missing at the end of a short row */
};

#define RTABLE_MAXCOLS 16
/* The text width of an A4 page with Word's default margins, in twips. */
#define RDOC_TEXT_WIDTH 9070

struct rtable {
	struct rrow *rows;
	int n, cap;
	int ncols;                 /* grid width */
	int width[RTABLE_MAXCOLS]; /* of each grid column, in twips */
};

enum rblock_kind {
	RB_TITLE,
	RB_HEADING,    /* 一、总体情况 */
	RB_SUBHEADING, /* （一）主动公开 */
	RB_PROSE,
	RB_TABLE
};

struct rblock {
	enum rblock_kind kind;
	char *text;           /* owned; NULL for RB_TABLE */
	size_t split;         /* RB_TITLE: start of its second line, 0: none */
	struct rtable *table; /* owned; RB_TABLE only */
};

struct rdoc {
	struct rblock *blocks;
	int n, cap;
	char *title;        /* owned; the whole title on one line */
	const char *agency; /* borrowed from the record */
	const char *region; /* borrowed; NULL when the record has none */
	int year;
	int t2021; /* template "2021" (else "2019") */
	unsigned variant;
	unsigned seed;
	unsigned ncells;
	int gobackid; /* id of the value cell that carries Word's _GoBack
	                 bookmark, -1: none */
	int err;      /* first error met while building; sticky */
};

/*
 * rdoc_build - lay out rec as a document.
 *   d is filled on success and must then be released with rdoc_free().
 *   Returns 0, NB_EINVAL (no agency, year or a known template; a table
 *   cell that is neither a number nor null) or NB_ENOMEM; on failure d
 *   holds nothing to free.
 */
int rdoc_build(const json_t *rec, const struct render_opts *o, struct rdoc *d);
void rdoc_free(struct rdoc *d);

/* A number in [0, n) that depends only on the seed and key. */
unsigned rdoc_pick(const struct rdoc *d, unsigned key, unsigned n);

/*
 * render_number - the text a document shows for a JSON number: integers
 * as such, reals in the shortest positional form that reads back to the
 * same double (2.43, 3000644.004, 8606.0), never with an exponent.
 * Returns 0, or NB_EINVAL when v is not a finite number or buf is short.
 */
int render_number(const json_t *v, char *buf, size_t size);

/*
 * rdoc_cuts - where a piece of text is split into Word runs: up to 2
 * byte offsets strictly inside s (at character boundaries), ascending,
 * stored in cut[]; returns how many.  Every text of two or more
 * characters gets at least one cut.
 */
int rdoc_cuts(const struct rdoc *d, const char *s, size_t len, unsigned key,
              size_t cut[2]);

/*
 * rdoc_pad - the padding RV_BLANK_STYLES puts around a value cell's
 * number: UTF-8 strings (NBSP, U+3000, a space or ""), static, never NULL.
 */
void rdoc_pad(const struct rdoc *d, const struct rcell *c, const char **pre,
              const char **post);

/* How a blank cell is written (always RBL_EMPTY without RV_BLANK_STYLES). */
enum rblank {
	RBL_EMPTY, /* nothing */
	RBL_NBSP,  /* &nbsp; / U+00A0 */
	RBL_IDSP,  /* U+3000 */
	RBL_SPACE  /* one ASCII space (HTML: <o:p> </o:p>) */
};
enum rblank rdoc_blank(const struct rdoc *d, const struct rcell *c);

/* The seeds' artefact for Word's _GoBack bookmark in the text form. */
#define RDOC_GOBACK_TEXT "[bookmark: _GoBack]"

#endif
