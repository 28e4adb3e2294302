/*
 * grid.h - read the tables of a rendering back as grids (spans expanded),
 * and check them cell by cell against the record they were rendered
 * from.  Test code: failures are reported through cmocka.
 */
#ifndef NB_TEST_GRID_H
#define NB_TEST_GRID_H

#include <stddef.h>

#include <jansson.h>

#define GRID_MAXCELLS  32
#define GRID_MAXROWS   64
#define GRID_MAXTABLES 8

/* A cell where it starts: cells merged down from above are not repeated. */
struct gcell {
	char *text; /* owned, as the document shows it (not trimmed) */
	int col, colspan, rowspan;
};

struct grow {
	struct gcell c[GRID_MAXCELLS];
	int n;
};

struct gtable {
	struct grow r[GRID_MAXROWS];
	int n;
	int ncols;
};

struct gdoc {
	struct gtable t[GRID_MAXTABLES];
	int n;
};

/* The report tables (class MsoNormalTable) of an HTML document. */
void grid_from_html(const char *html, size_t len, const char *encoding,
                    struct gdoc *g);
/* The w:tbl tables of word/document.xml. */
void grid_from_docx_xml(const char *xml, size_t len, struct gdoc *g);
void grid_free(struct gdoc *g);

/* The text with ASCII spaces, NBSP and U+3000 removed; caller frees. */
char *grid_squeeze(const char *s);

/* The cell of row r whose span starts at grid column col, or NULL. */
const struct gcell *grid_at(const struct gtable *t, int r, int col);

/*
 * Check the three tables of g against rec: every value of active, requests
 * and appeals, null where the cell is blank or missing, amounts with the
 * unit the schema's rule reads (cell, else the column header).
 */
void grid_check_record(const struct gdoc *g, const json_t *rec);

#endif
