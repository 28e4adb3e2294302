/*
 * text.c - the seeds' text form: text extracted from .docx with one table
 * cell per tab-indented line.
 *
 *   - A line starting with a tab opens a cell; the line's rest is its text.
 *   - A line without a tab right after a cell line continues that cell
 *     (Word paragraphs inside one cell: "商业" / "企业").
 *   - A blank line closes the row.  A cell that ends in an empty paragraph
 *     also produces a blank line, so rows may arrive split; the matcher
 *     joins a label-only row with the values-only row that follows.
 *   - A line without a tab after a blank line is body text and closes the
 *     table.
 *
 * The form carries no spans: merged cells appear once, vertically merged
 * continuations as blank cells, so the matcher reads values in order
 * after the row's labels.
 */
#include <string.h>

#include "buf.h"
#include "internal.h"

struct text_state {
	struct indexer_doc *doc;
	struct indexer_grid *grid; /* open table, or NULL */
	int in_row;                /* a row has cells and no blank line yet */
	struct nb_buf cell;
	int have_cell;
};

static int
flush_cell(struct text_state *s)
{
	int rc;

	if (!s->have_cell)
		return 0;
	s->have_cell = 0;
	rc = indexer_grid_cell(s->grid, s->cell.data ? s->cell.data : "",
	                       s->cell.len, 1, 1);
	nb_buf_reset(&s->cell);
	return rc;
}

static int
close_table(struct text_state *s)
{
	int rc = flush_cell(s);

	s->in_row = 0;
	if (s->grid != NULL) {
		struct indexer_grid *g = s->grid;

		s->grid = NULL;
		if (rc != 0) {
			indexer_grid_free(g);
			return rc;
		}
		return indexer_doc_add_grid(s->doc, g);
	}
	return rc;
}

static int
is_blank_line(const char *p, size_t n)
{
	char buf[256];

	if (n >= sizeof(buf))
		return 0;
	return clean_text(p, n, buf) == 0 && memchr(p, '[', n) == NULL;
}

int
read_text(const char *text, size_t len, struct indexer_doc *doc)
{
	struct text_state s = {.doc = doc};
	size_t off = 0;
	int rc = 0;

	nb_buf_init(&s.cell, INDEXER_MAX_TEXT);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	while (off < len && rc == 0) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;

		off += n + (nl != NULL);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && p[0] == '\t') {
			if (s.grid == NULL) {
				if ((rc = indexer_grid_new(&s.grid)) != 0)
					break;
				s.in_row = 0;
			}
			if ((rc = flush_cell(&s)) != 0)
				break;
			if (!s.in_row) {
				if ((rc = indexer_grid_row(s.grid)) != 0)
					break;
				s.in_row = 1;
			}
			s.have_cell = 1;
			rc = buf_add_capped(&s.cell, p + 1, n - 1,
			                    INDEXER_MAX_CELL_TEXT);
		} else if (n == 0 || is_blank_line(p, n)) {
			if (s.in_row) {
				rc = flush_cell(&s);
				s.in_row = 0;
			}
		} else if (s.in_row) {
			rc = buf_add_capped(&s.cell, "\n", 1,
			                    INDEXER_MAX_CELL_TEXT);
			if (rc == 0)
				rc = buf_add_capped(&s.cell, p, n,
				                    INDEXER_MAX_CELL_TEXT);
		} else {
			if (s.grid != NULL && (rc = close_table(&s)) != 0)
				break;
			rc = indexer_doc_add_para(doc, p, n);
		}
	}
	if (rc == 0)
		rc = close_table(&s);
	else
		indexer_grid_free(s.grid);
	nb_buf_free(&s.cell);
	return rc;
}
