/*
 * indexer.h - turn one captured document into the report record.
 *
 * The record is the canonical JSON of the report schema
 * (shared/spec/report-schema.md): agency, region, year, template, title,
 * the three tables and the checks.  The indexer never touches the network
 * and never writes anything; it reads bytes and returns a jansson value.
 *
 * Two stages, kept apart so that every document format meets the same
 * template matcher:
 *
 *   document bytes --reader--> struct indexer_doc (paragraphs, grids, meta)
 *   struct indexer_doc --matcher--> record
 *
 * The readers for the seeds' text form, HTML, .docx and PDF (pdf.h) are
 * built in and chosen by content (never by file name).  Another reader
 * builds an indexer_doc with the functions below and hands it to
 * indexer_doc_record().
 *
 * Caveats
 *  - A context is immutable once built and may be shared by threads; a doc
 *    belongs to one thread at a time.
 *  - Every input is capped (INDEXER_MAX_* below): an oversized document or
 *    table gives NB_ETOOBIG with a reason, never a partial record.  Text
 *    beyond the cell and paragraph caps is cut, marked so that it can never
 *    read as a number.
 *  - Numbers in records are JSON integers when written as integers and
 *    reals otherwise; dump records with INDEXER_JSON_FLAGS so that reals
 *    print as written (2.43, not 2.4300000000000002).
 */
#ifndef NB_INDEXER_H
#define NB_INDEXER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "nb.h"

struct nb_config;

/* Flags for json_dumps()/json_dumpf() of a record. */
#define INDEXER_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* Limits.  Beyond them a document is refused, not truncated. */
#define INDEXER_MAX_INPUT (64u << 20) /* bytes of one document */
#define INDEXER_MAX_TEXT  (32u << 20) /* bytes of text kept from one doc */
#define INDEXER_MAX_CELLS (1u << 18)  /* grid slots of one table */
#define INDEXER_MAX_COLS  256         /* columns of one table */
#define INDEXER_MAX_SPAN  128         /* rowspan/colspan honoured */
#define INDEXER_MAX_GRIDS 4096        /* tables of one document */
/* Text kept of one cell or paragraph: more is prose, never a label or a
 * number, and is cut (ending in U+2026 so it can never read as one). */
#define INDEXER_MAX_CELL_TEXT 16384
#define INDEXER_MAX_PARA_TEXT 4096
/* Paragraphs kept of one document: titles and years are in the first
 * few; the rest is prose nobody reads here. */
#define INDEXER_MAX_PARAS 512

/* What a document was recognised as (by content). */
enum indexer_format {
	INDEXER_FMT_UNKNOWN = 0,
	INDEXER_FMT_TEXT, /* the seeds' text form */
	INDEXER_FMT_HTML,
	INDEXER_FMT_DOCX,
	INDEXER_FMT_PDF,
	INDEXER_FMT_DOC,   /* OLE compound file: .doc, .wps, .xls */
	INDEXER_FMT_ZIP,   /* a zip that is not a Word document */
	INDEXER_FMT_IMAGE, /* JPEG, PNG, GIF, BMP, TIFF, WebP */
	INDEXER_FMT_BINARY /* anything else that is not text */
};

/* "text", "html", "docx", "pdf", ...; static, never NULL. */
const char *indexer_format_name(enum indexer_format f);

/*
 * indexer_format_detect - recognise a document by its first bytes.
 * Never fails; INDEXER_FMT_UNKNOWN means plain text that is not in the
 * seeds' form (it is still read as text paragraphs).
 */
enum indexer_format indexer_format_detect(const void *data, size_t len);

/*
 * Context: what the indexer needs from the configuration, built once.
 */
struct indexer_ctx;

/*
 * indexer_ctx_new - copy the agencies (names, aliases, regions) and the
 * sites (id, region) out of cfg.
 * @param[in]  cfg  loaded config, or NULL for no aliases at all; not
 *                  referenced after the call (it may be freed or reloaded).
 * @param[out] out  a context freed with indexer_ctx_free().
 * Returns 0 or NB_ENOMEM.
 */
int indexer_ctx_new(const struct nb_config *cfg, struct indexer_ctx **out);
void indexer_ctx_free(struct indexer_ctx *ctx);

/*
 * indexer_agency_normalise - the canonical name of an agency.
 * @param[in] name    a name as a report writes it ("市政府", "樟树市政府").
 * @param[in] region  the county-level area it belongs to, or NULL.  An alias
 *                    that does not itself name a region (市政府) is only
 *                    resolved inside a known region.
 * Returns a string owned by ctx (valid until indexer_ctx_free) or NULL when
 * no canonical name is known.  *regionp, if not NULL, receives the agency's
 * region (owned by ctx, may be NULL).
 */
const char *indexer_agency_normalise(const struct indexer_ctx *ctx,
                                     const char *name, const char *region,
                                     const char **regionp);

/*
 * One captured document, as the crawler has it.
 */
struct indexer_input {
	const void *data; /* the payload (decoded transfer encoding) */
	size_t len;
	const char *content_type; /* HTTP Content-Type, or NULL */
	const char *url;          /* where it was fetched, or NULL */
	const char *published;    /* "YYYY-MM-DD" from a list page, or NULL */
	int64_t fetched_ms;       /* fetch time (ms since epoch), 0 if none */
	const char *hint;         /* site id or region name, or NULL */
	const char *template;     /* "2019"/"2021" forces the template; NULL */
	/* The title of the link that led to the document (its list item, or
	 * the attachment link on its report page), or NULL.  Read only for a
	 * document that cannot be read (NB_EUNPARSED, NB_ETOOBIG) and does
	 * not name itself: an image, a scan. */
	const char *link_title;
};

/* Why a document gave no record. */
struct indexer_status {
	enum indexer_format format; /* what it was recognised as */
	char reason[160];           /* "not a report: no disclosure tables",
	                               "unparsed: image-only PDF ...", ... (UTF-8,
	                               NUL-terminated) */
	/*
	 * After indexer_parse returned NB_EUNPARSED or NB_ETOOBIG: what could
	 * still be established without the tables, from the document's own
	 * title and meta tags (an HTML page), else from in->link_title, and
	 * the publication date from in->published, else the page's PubDate.
	 * The agency is canonical and the region resolved as in a record.
	 * The year is only one written in a title: a document nobody could
	 * read is not dated by guesswork.  "" or 0 where nothing was found.
	 */
	char agency[512];
	char region[256];
	int year;
	char title[512];
	char published[11]; /* "YYYY-MM-DD" or "" */
};

/*
 * indexer_parse - the crawler's one call: document in, record out.
 * @param[in]  ctx  from indexer_ctx_new().
 * @param[in]  in   the document; in->data is only read during the call.
 * @param[out] rec  on success, the record; the caller owns it (json_decref).
 *                  "source" is filled when in->url or in->fetched_ms is
 *                  given (sha1 is the payload's SHA-1 in base32).
 * @param[out] st   always filled (format; reason when there is no record;
 *                  what could be established of an unreadable report,
 *                  see struct indexer_status).  May be NULL.
 * Returns
 *   0              a record;
 *   NB_ENOTREPORT  a document that holds no disclosure tables (st->reason
 *                  starts with "not a report: ");
 *   NB_EUNPARSED   recognised but not readable here: image, .doc, zip
 *                  that is not .docx, corrupt .docx, binary, a page or
 *                  .docx whose report is images only, a scanned,
 *                  encrypted or damaged PDF
 *                  (st->reason starts with "unparsed: ");
 *   NB_ETOOBIG     over a limit above (st->reason says which);
 *   NB_EINVAL      bad arguments (NULL data with len > 0, bad template);
 *   NB_ENOMEM.
 * Never crashes on any input bytes.
 */
int indexer_parse(const struct indexer_ctx *ctx, const struct indexer_input *in,
                  json_t **rec, struct indexer_status *st);

/*
 * indexer_unparsed_record - the record of a report that is archived
 * although its document could not be read: the schema's keys that st
 * establishes (agency, region, year, title), "template": "unknown",
 * "source" as indexer_parse makes it (when in->url or in->fetched_ms is
 * given; its published is st->published), no tables, and
 *   "unparsed": the reason (st->reason without its "unparsed: " prefix),
 *   "checks": [] (nothing to check), "warnings": [st->reason].
 * @param[in]  in   the document as given to indexer_parse.
 * @param[in]  st   as indexer_parse filled it with NB_EUNPARSED or
 *                  NB_ETOOBIG.
 * @param[out] rec  the record; the caller owns it (json_decref).
 * Returns 0, NB_ENOTFOUND (st has no agency or no year: not enough to
 * file a report under), NB_EINVAL (NULL arguments) or NB_ENOMEM.
 */
int indexer_unparsed_record(const struct indexer_input *in,
                            const struct indexer_status *st, json_t **rec);

/*
 * Grids: one table with its spans expanded.
 *
 * A grid is built row by row.  indexer_grid_cell() places a cell at the
 * first column of the current row not already covered by a rowspan from
 * above, and marks the rows x cols it covers.  Every covered slot reports
 * the cell's text and its origin (the slot of its top-left corner), so a
 * matcher can tell one wide cell from several equal ones.  Slots no cell
 * covers (short rows) are "absent", which is not the same as a blank cell.
 */
struct indexer_grid;

/* Returns 0 or NB_ENOMEM; free with indexer_grid_free() unless handed to
 * indexer_doc_add_grid(). */
int indexer_grid_new(struct indexer_grid **out);
void indexer_grid_free(struct indexer_grid *g);

/* Start the next row.  Returns 0, NB_ETOOBIG or NB_ENOMEM. */
int indexer_grid_row(struct indexer_grid *g);

/*
 * indexer_grid_cell - add a cell to the current row (a row is started
 * implicitly if there is none).
 * @param[in] text  UTF-8 (invalid sequences are replaced), len bytes; the
 *                  grid keeps a copy of at most INDEXER_MAX_CELL_TEXT
 *                  bytes.  Line breaks inside a cell are "\n".
 * @param[in] rowspan, colspan  >= 1; 0 or negative count as 1, values over
 *                  INDEXER_MAX_SPAN are clamped.
 * Returns 0, NB_ETOOBIG (INDEXER_MAX_CELLS or INDEXER_MAX_COLS) or
 * NB_ENOMEM.
 */
int indexer_grid_cell(struct indexer_grid *g, const char *text, size_t len,
                      int rowspan, int colspan);

/* Size after expansion (rows reached by rowspans count). */
size_t indexer_grid_nrows(const struct indexer_grid *g);
size_t indexer_grid_ncols(const struct indexer_grid *g);

/*
 * indexer_grid_at - the cell covering slot (row, col).
 * Returns its text (owned by the grid, valid until it is freed) or NULL
 * for an absent slot or one outside the grid; *r0 and *c0 (either may be NULL)
 * receive the origin slot of the cell.
 */
const char *indexer_grid_at(const struct indexer_grid *g, size_t row,
                            size_t col, size_t *r0, size_t *c0);

/*
 * Documents: what a reader extracted, in reading order.
 */
struct indexer_doc;

/* Returns 0 or NB_ENOMEM; free with indexer_doc_free(). */
int indexer_doc_new(struct indexer_doc **out);
void indexer_doc_free(struct indexer_doc *doc);

/* A paragraph of body text (title lines, headings, prose); copied, at
 * most INDEXER_MAX_PARA_TEXT bytes of it; beyond INDEXER_MAX_PARAS
 * paragraphs, dropped.
 * Returns 0, NB_ETOOBIG or NB_ENOMEM. */
int indexer_doc_add_para(struct indexer_doc *doc, const char *text, size_t len);

/* A table, after the paragraphs added so far.  The doc takes g in every
 * case (it is freed on failure).  Returns 0, NB_ETOOBIG or NB_ENOMEM. */
int indexer_doc_add_grid(struct indexer_doc *doc, struct indexer_grid *g);

/* Page metadata: "ArticleTitle", "ContentSource", "PubDate" (the <meta>
 * names) and "title" (the HTML <title>).  Copied; the first value set for a
 * key wins.  Returns 0, NB_EINVAL (other key) or NB_ENOMEM. */
int indexer_doc_set_meta(struct indexer_doc *doc, const char *key,
                         const char *value);

/* An image in the body (an <img>, a Word drawing): a report made only of
 * images is told apart from a page that is no report. */
void indexer_doc_add_image(struct indexer_doc *doc);

size_t indexer_doc_ngrids(const struct indexer_doc *doc);
/* Borrowed from doc; NULL when i is out of range. */
const struct indexer_grid *indexer_doc_grid(const struct indexer_doc *doc,
                                            size_t i);

/*
 * indexer_doc_read - run the built-in reader for the document's format.
 * @param[in]  in   as for indexer_parse (content_type picks the charset).
 * @param[out] out  on success, the doc (caller frees).
 * @param[out] st   format and reason, as for indexer_parse; may be NULL.
 * Returns 0, NB_EUNPARSED, NB_ETOOBIG, NB_EINVAL or NB_ENOMEM.
 */
int indexer_doc_read(const struct indexer_input *in, struct indexer_doc **out,
                     struct indexer_status *st);

/*
 * Options of the matcher stage.
 */
struct indexer_match_opts {
	const char *template;  /* "2019"/"2021" to force, or NULL */
	const char *hint;      /* site id or region name, or NULL */
	const char *published; /* "YYYY-MM-DD" known from elsewhere, or
	                          NULL: the year's last resort */
};

/*
 * indexer_doc_record - the grid -> record stage: match the grids against
 * the templates, read the numbers, find agency/region/year/title, compute
 * the checks.
 * @param[out] rec  on success, the record without "source" (caller owns).
 * @param[out] st   reason when there is no record; may be NULL (its
 *                  format is left as it is).
 * Returns 0, NB_ENOTREPORT (no disclosure table found), NB_EUNPARSED (no
 * table, but a report title and images: a scanned report), NB_EINVAL (a
 * template other than 2019/2021) or NB_ENOMEM.
 */
int indexer_doc_record(const struct indexer_ctx *ctx,
                       const struct indexer_doc *doc,
                       const struct indexer_match_opts *opts, json_t **rec,
                       struct indexer_status *st);

/*
 * indexer_checks - the schema's per-record checks (requests.balance,
 * requests.results_sum, requests.row_total, appeals.group_total) for the
 * record's tables, as the array stored under "checks".
 * Returns a new array (caller owns) or NULL on allocation failure.
 */
json_t *indexer_checks(const json_t *rec);

/*
 * indexer_chain_check - the archive-level rules between two reports of
 * one agency: active.in_force_chain (template 2021: in_force(Y) =
 * in_force(Y-1) + made(Y) - repealed(Y), rows rules and normative_docs)
 * and active.items_chain (template 2019: prev_items(Y-1) + change(Y-1) =
 * prev_items(Y), rows licensing, other_services, punishment, compulsion,
 * fees).
 * @param[in]  prev  the record for year Y-1.
 * @param[in]  cur   the record for year Y of the same agency.
 * @param[out] out   a new array of check objects shaped like the record's
 *                   "checks" (rule, row, ok, expected, actual); empty when
 *                   the two templates share no rule.  Caller owns it.
 * Returns 0, NB_EINVAL (different agencies, years not consecutive, not
 * records) or NB_ENOMEM.
 */
int indexer_chain_check(const json_t *prev, const json_t *cur, json_t **out);

#endif
