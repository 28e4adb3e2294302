/*
 * internal.h - what the indexer's files share and nothing outside uses.
 */
#ifndef NB_INDEXER_INTERNAL_H
#define NB_INDEXER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "indexer.h"

/*
 * An arena of copied strings: one allocation per chunk instead of one per
 * cell, freed together with the grid or document that owns it.
 */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
	size_t used; /* bytes handed out, for the INDEXER_MAX_TEXT cap */
};

void arena_free(struct arena *a);
/* A NUL-terminated copy of s[0..n) with invalid UTF-8 replaced; NULL on
 * allocation failure. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* The same, keeping at most max bytes: a longer text is cut at a
 * character boundary and ends in U+2026. */
char *arena_strcap(struct arena *a, const char *s, size_t n, size_t max);

/* Append to a reader's buffer, silently keeping at most cap + 4 bytes
 * (what arena_strcap needs to see that text was cut). */
int buf_add_capped(struct nb_buf *b, const void *p, size_t n, size_t cap);

struct grid_slot {
	const char *text; /* NULL: absent */
	uint32_t r0, c0;  /* origin */
};

struct indexer_grid {
	struct arena arena;
	struct grid_slot *slots; /* nrows * cap_cols, row-major */
	size_t nrows, ncols, cap_rows, cap_cols;
	size_t cur;   /* current row + 1; 0 before the first row */
	size_t ncell; /* cells added */
};

enum { META_TITLE, META_ARTICLE_TITLE, META_SOURCE, META_PUBDATE, META_N };

struct indexer_doc {
	struct arena arena;
	char **paras;
	size_t nparas, cap_paras;
	struct indexer_grid **grids;
	size_t ngrids, cap_grids;
	char *meta[META_N];
	size_t nimages;
};

/* Forget the paragraphs from the n-th on (a reader that learns late that
 * text belonged to a table). */
void doc_truncate_paras(struct indexer_doc *doc, size_t n);

/* ---- UTF-8 and text cleaning (clean.c) ---- */

/* Decode one code point at s (n bytes left); returns its length (>= 1) and
 * stores the code point, or U+FFFD for an invalid sequence (length 1). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Encode cp into out (>= 4 bytes); returns the length. */
size_t utf8_encode(uint32_t cp, char *out);
/* Number of bytes of s[0..n) that form valid UTF-8 up to the first error. */
size_t utf8_valid_prefix(const unsigned char *s, size_t n);

/*
 * clean_text - a cell or label for matching: drops every kind of blank
 * (ASCII space, tab, newline, U+3000, NBSP, zero-width, BOM), Word's
 * "[bookmark: ...]" artefacts, and maps full-width ASCII (digits, letters,
 * punctuation U+FF01..U+FF5E) to ASCII.  out must hold len + 1 bytes.
 * Returns the length written.
 */
size_t clean_text(const char *s, size_t len, char *out);

/* Strip a leading section number: 一、 (一) （一） 1. 1、 1． (after
 * clean_text, so full-width forms are already ASCII where they map). */
const char *clean_strip_number(const char *s);

/*
 * A cleaned cell read as a number.
 */
enum num_kind {
	NUM_BLANK,  /* nothing in the cell */
	NUM_INT,    /* integer, in i */
	NUM_REAL,   /* decimal, in d (as written) */
	NUM_TEXT,   /* text that is not a number (无, /, —, a label) */
	NUM_INVALID /* digits but not a well-formed number */
};

struct num {
	enum num_kind kind;
	int64_t i;
	double d;
	char unit[24]; /* unit written after the number (元, 万元), or "" */
};

/* Parse a cleaned cell (clean_text output). */
void num_parse(const char *clean, struct num *n);

/* ---- titles, agencies, years (title.c) ---- */

/*
 * Year written in s: "2021年", "2020年度", full-width digits, "二〇二一年".
 * Returns the year (1990..2100) of the first such mention, or 0; *pos gets
 * the byte offset where the year starts and *end where "年" ends.
 */
int title_find_year(const char *s, size_t *pos, size_t *end);

struct title_info {
	char title[512];
	char agency[256]; /* as written (before normalisation), may be "" */
	int year;         /* 0 if not found */
};

/* Title, agency-as-written and year of a title given as text (a link's):
 * cleaned, a trailing file extension (.pdf, .png...) dropped. */
void title_from_text(const char *text, struct title_info *ti);

/* Find title, agency-as-written and year in the document. */
void title_extract(const struct indexer_doc *doc, struct title_info *ti);

/* The agency an opening paragraph names ("由…编制"), or "" in out. */
void title_agency_from_body(const struct indexer_doc *doc, char *out,
                            size_t outlen);

/* ---- context (indexer.c) ---- */

struct ctx_agency {
	char *name;
	char *region; /* may be NULL */
	char **aliases;
	size_t naliases;
};

struct ctx_site {
	char *id;
	char *region;
};

/* A name or alias of an agency, in an array sorted by key. */
struct ctx_key {
	const char *key; /* borrowed from the agency */
	uint32_t agency; /* index into agencies */
	uint8_t is_name; /* the canonical name, not an alias */
	uint8_t named;   /* the key itself names a region (樟树市政府) */
};

/*
 * Everything is sorted once at creation so that resolving a name costs a
 * few binary searches, whatever the number of agencies (a national
 * configuration has tens of thousands).
 */
struct indexer_ctx {
	struct ctx_agency *agencies;
	size_t nagencies;
	struct ctx_site *sites;
	size_t nsites;
	struct ctx_key *keys;
	size_t nkeys;
	const char **regions; /* sorted, unique; borrowed */
	size_t nregions;
};

/* The region a hint names (a site id or a region), or the hint itself. */
const char *ctx_hint_region(const struct indexer_ctx *ctx, const char *hint);
/* A known region that name starts with, or NULL (borrowed from ctx). */
const char *ctx_region_prefix(const struct indexer_ctx *ctx, const char *name);

/* ---- readers ---- */

int read_text(const char *utf8, size_t len, struct indexer_doc *doc);
int read_html(const char *data, size_t len, const char *content_type,
              struct indexer_doc *doc, struct indexer_status *st);
int read_docx(const void *data, size_t len, struct indexer_doc *doc,
              struct indexer_status *st);

/* ---- matcher (match.c) ---- */

struct match_out {
	json_t *active, *requests, *appeals, *warnings;
	const char *template; /* "2021", "2019", "unknown" */
	int found;            /* any disclosure table recognised */
};

int match_doc(const struct indexer_doc *doc, const char *force_template,
              struct match_out *mo);

/* status helper */
void status_set(struct indexer_status *st, const char *fmt, ...)
    NB_PRINTF(2, 3);

#endif
