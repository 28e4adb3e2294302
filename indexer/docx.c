/*
 * docx.c - Word .docx: word/document.xml out of the zip (libzip, from
 * memory), streamed through libxml2's SAX2 parser.
 *
 * Paragraphs (w:p) outside tables are body text; w:tbl/w:tr/w:tc become
 * grids.  w:gridSpan gives a cell's width in grid columns; w:vMerge
 * continuations are not cells of their own: a table is held until its end
 * so each vMerge="restart" cell can be given the rowspan it covers.
 * Only w:t text counts (not field codes, not deleted text), and the
 * fallback copy inside mc:AlternateContent is skipped.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <zip.h>

#include "buf.h"
#include "internal.h"

#define MAX_TABLE_DEPTH 16
/* Bytes of word/document.xml read at most: a zip bomb stops here. */
#define MAX_XML (256u << 20)

enum vm { VM_NONE, VM_RESTART, VM_CONT };

struct dcell {
	size_t off, len; /* text in the frame's text buffer */
	size_t row, col, span;
	enum vm vm;
};

struct dframe {
	struct nb_buf text;
	struct dcell *cells;
	size_t ncells, cap;
	size_t nrows; /* rows started */
	size_t col;   /* next grid column in the current row */
	int in_cell;  /* a w:tc is open */
	size_t span;  /* of the open cell */
	enum vm vm;   /* of the open cell */
	size_t cell_off;
	int nested;
};

struct docx_state {
	struct indexer_doc *doc;
	xmlParserCtxtPtr ctxt;
	struct dframe t[MAX_TABLE_DEPTH];
	int depth, ignored;
	struct nb_buf para;
	int in_t;     /* inside w:t */
	int fallback; /* depth inside mc:Fallback */
	int rc;
};

static void
dfail(struct docx_state *s, int rc)
{
	if (s->rc == 0)
		s->rc = rc;
	xmlStopParser(s->ctxt);
}

static int
is_w(const xmlChar *uri)
{
	const char *u = (const char *)uri;

	return u != NULL && strstr(u, "wordprocessingml") != NULL;
}

/* The value of attribute name, copied into val (at most 31 bytes). */
static const char *
wattr(int nattr, const xmlChar **attrs, const char *name, char *val)
{
	/* SAX2 attributes: localname, prefix, URI, value, end */
	for (int i = 0; i < nattr; i++) {
		const xmlChar **a = attrs + 5 * i;
		size_t n;

		if (strcmp((const char *)a[0], name) != 0)
			continue;
		n = a[4] - a[3];
		if (n >= 32)
			n = 31;
		memcpy(val, a[3], n);
		val[n] = '\0';
		return val;
	}
	return NULL;
}

/* Text goes to the open cell, or to the body paragraph. */
static void
add_text(struct docx_state *s, const char *p, size_t n)
{
	struct dframe *f = s->depth ? &s->t[s->depth - 1] : NULL;
	int rc;

	if (f != NULL && f->in_cell) {
		size_t have = f->text.len - f->cell_off;

		if (have >= INDEXER_MAX_CELL_TEXT + 4)
			return;
		if (n > INDEXER_MAX_CELL_TEXT + 4 - have)
			n = INDEXER_MAX_CELL_TEXT + 4 - have;
		rc = nb_buf_add(&f->text, p, n);
	} else if (f != NULL)
		rc = 0; /* between cells: not text of the report */
	else
		rc = buf_add_capped(&s->para, p, n, INDEXER_MAX_PARA_TEXT);
	if (rc != 0)
		dfail(s, rc);
}

static void
end_para(struct docx_state *s)
{
	struct dframe *f = s->depth ? &s->t[s->depth - 1] : NULL;
	int rc;

	if (f != NULL) {
		if (f->in_cell && f->text.len > f->cell_off &&
		    f->text.len - f->cell_off < INDEXER_MAX_CELL_TEXT &&
		    (rc = nb_buf_add(&f->text, "\n", 1)) != 0)
			dfail(s, rc);
		return;
	}
	rc = indexer_doc_add_para(s->doc, s->para.data ? s->para.data : "",
	                          s->para.len);
	nb_buf_reset(&s->para);
	if (rc != 0)
		dfail(s, rc);
}

static void
open_cell(struct dframe *f)
{
	f->in_cell = 1;
	f->span = 1;
	f->vm = VM_NONE;
	f->cell_off = f->text.len;
}

static int
close_cell(struct dframe *f)
{
	struct dcell *c;
	size_t len;

	if (!f->in_cell)
		return 0;
	f->in_cell = 0;
	if (f->ncells == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct dcell *p = realloc(f->cells, cap * sizeof(*p));

		if (p == NULL)
			return NB_ENOMEM;
		f->cells = p;
		f->cap = cap;
	}
	if (f->ncells >= INDEXER_MAX_CELLS)
		return NB_ETOOBIG;
	len = f->text.len - f->cell_off;
	/* the paragraph break after a cell's last paragraph is no text */
	while (len > 0 && f->text.data[f->cell_off + len - 1] == '\n')
		len--;
	c = &f->cells[f->ncells++];
	c->off = f->cell_off;
	c->len = len;
	c->row = f->nrows ? f->nrows - 1 : 0;
	c->col = f->col;
	c->span = f->span;
	c->vm = f->vm;
	f->col += f->span;
	return 0;
}

/* Rows of vMerge continuations below cell i, in its column. */
static size_t
merged_rows(const struct dframe *f, size_t i)
{
	const struct dcell *c = &f->cells[i];
	size_t n = 1, row = c->row + 1;

	for (size_t j = i + 1; j < f->ncells; j++) {
		const struct dcell *d = &f->cells[j];

		if (d->row < row || d->col != c->col)
			continue;
		if (d->row > row || d->vm != VM_CONT)
			break;
		n++;
		row++;
		if (n >= INDEXER_MAX_SPAN)
			break;
	}
	return n;
}

static int
build_grid(struct dframe *f, struct indexer_grid **out)
{
	struct indexer_grid *g;
	size_t row = SIZE_MAX;
	int rc;

	if ((rc = indexer_grid_new(&g)) != 0)
		return rc;
	for (size_t i = 0; i < f->ncells && rc == 0; i++) {
		const struct dcell *c = &f->cells[i];

		while (rc == 0 && (row == SIZE_MAX || row < c->row)) {
			rc = indexer_grid_row(g);
			row = row == SIZE_MAX ? 0 : row + 1;
		}
		if (rc != 0 || c->vm == VM_CONT)
			continue;
		rc = indexer_grid_cell(
		    g, f->text.data + c->off, c->len,
		    c->vm == VM_RESTART ? merged_rows(f, i) : 1, c->span);
	}
	if (rc != 0) {
		indexer_grid_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

static void
frame_free(struct dframe *f)
{
	nb_buf_free(&f->text);
	free(f->cells);
	memset(f, 0, sizeof(*f));
}

/* A one-column table is a frame around text (a title box), not data. */
static int
one_column(const struct dframe *f)
{
	for (size_t i = 0; i < f->ncells; i++)
		if (f->cells[i].col + f->cells[i].span > 1)
			return 0;
	return 1;
}

static int
cells_as_paras(struct docx_state *s, const struct dframe *f)
{
	int rc = 0;

	for (size_t i = 0; i < f->ncells && rc == 0; i++) {
		const char *p = f->text.data + f->cells[i].off;
		const char *end = p + f->cells[i].len;

		while (p < end && rc == 0) {
			const char *nl = memchr(p, '\n', end - p);
			const char *e = nl ? nl : end;

			rc = indexer_doc_add_para(s->doc, p, e - p);
			p = e + 1;
		}
	}
	return rc;
}

static void
close_table(struct docx_state *s)
{
	struct dframe *f = &s->t[s->depth - 1];
	struct indexer_grid *g = NULL;
	int rc = close_cell(f);

	if (rc == 0 && !f->nested && one_column(f))
		rc = cells_as_paras(s, f);
	else if (rc == 0 && !f->nested)
		rc = build_grid(f, &g);
	frame_free(f);
	s->depth--;
	if (rc == 0 && g != NULL)
		rc = indexer_doc_add_grid(s->doc, g);
	if (rc != 0)
		dfail(s, rc);
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
         const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
         const xmlChar **attrs)
{
	struct docx_state *s = ctx;
	const char *n = (const char *)name;
	struct dframe *f = s->depth ? &s->t[s->depth - 1] : NULL;
	char vbuf[32];
	const char *v;

	(void)prefix;
	(void)nns;
	(void)ns;
	(void)ndef;
	if (s->rc != 0)
		return;
	if (s->fallback > 0 || (strcmp(n, "Fallback") == 0 && !is_w(uri))) {
		s->fallback++;
		return;
	}
	if (!is_w(uri))
		return;
	if (strcmp(n, "drawing") == 0 || strcmp(n, "pict") == 0) {
		indexer_doc_add_image(s->doc);
	} else if (strcmp(n, "t") == 0) {
		s->in_t = 1;
	} else if (strcmp(n, "tab") == 0 && s->in_t == 0) {
		add_text(s, " ", 1);
	} else if (strcmp(n, "br") == 0 || strcmp(n, "cr") == 0) {
		add_text(s, "\n", 1);
	} else if (strcmp(n, "tbl") == 0) {
		if (s->depth == MAX_TABLE_DEPTH) {
			s->ignored++;
			return;
		}
		if (f != NULL)
			f->nested = 1;
		f = &s->t[s->depth++];
		memset(f, 0, sizeof(*f));
		nb_buf_init(&f->text, INDEXER_MAX_TEXT);
	} else if (f != NULL && s->ignored == 0 && strcmp(n, "tr") == 0) {
		int rc = close_cell(f);

		if (rc != 0)
			dfail(s, rc);
		f->nrows++;
		f->col = 0;
	} else if (f != NULL && s->ignored == 0 && strcmp(n, "tc") == 0) {
		int rc = close_cell(f);

		if (rc != 0)
			dfail(s, rc);
		if (f->nrows == 0)
			f->nrows = 1;
		open_cell(f);
	} else if (f != NULL && f->in_cell && strcmp(n, "gridSpan") == 0) {
		v = wattr(nattr, attrs, "val", vbuf);
		if (v != NULL) {
			long span = strtol(v, NULL, 10);

			f->span = span < 1                  ? 1
			          : span > INDEXER_MAX_SPAN ? INDEXER_MAX_SPAN
			                                    : (size_t)span;
		}
	} else if (f != NULL && f->in_cell && strcmp(n, "vMerge") == 0) {
		v = wattr(nattr, attrs, "val", vbuf);
		f->vm = v != NULL && strcmp(v, "restart") == 0 ? VM_RESTART
		                                               : VM_CONT;
	} else if (f != NULL && !f->in_cell && strcmp(n, "gridBefore") == 0) {
		v = wattr(nattr, attrs, "val", vbuf);
		if (v != NULL) {
			long k = strtol(v, NULL, 10);

			if (k > 0 && k < INDEXER_MAX_COLS)
				f->col += k;
		}
	}
}

static void
on_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
       const xmlChar *uri)
{
	struct docx_state *s = ctx;
	const char *n = (const char *)name;
	struct dframe *f = s->depth ? &s->t[s->depth - 1] : NULL;

	(void)prefix;
	if (s->rc != 0)
		return;
	if (s->fallback > 0) {
		s->fallback--;
		return;
	}
	if (!is_w(uri))
		return;
	if (strcmp(n, "t") == 0) {
		s->in_t = 0;
	} else if (strcmp(n, "p") == 0) {
		end_para(s);
	} else if (strcmp(n, "tbl") == 0) {
		if (s->ignored > 0)
			s->ignored--;
		else if (s->depth > 0)
			close_table(s);
	} else if (f != NULL && s->ignored == 0 && strcmp(n, "tc") == 0) {
		int rc = close_cell(f);

		if (rc != 0)
			dfail(s, rc);
	}
}

static void
on_text(void *ctx, const xmlChar *ch, int len)
{
	struct docx_state *s = ctx;

	if (s->rc != 0 || !s->in_t || s->fallback > 0 || s->ignored > 0)
		return;
	add_text(s, (const char *)ch, len);
}

static int
parse_xml(struct docx_state *s, zip_file_t *zf)
{
	xmlSAXHandler sax;
	char buf[65536];
	size_t total = 0;
	zip_int64_t n;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	s->ctxt = xmlCreatePushParserCtxt(&sax, s, NULL, 0, NULL);
	if (s->ctxt == NULL)
		return NB_ENOMEM;
	/* no network, no entity expansion, errors are ours to report */
	xmlCtxtUseOptions(s->ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	                               XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	while (s->rc == 0 && (n = zip_fread(zf, buf, sizeof(buf))) > 0) {
		total += n;
		if (total > MAX_XML) {
			s->rc = NB_ETOOBIG;
			break;
		}
		if (xmlParseChunk(s->ctxt, buf, (int)n, 0) != 0 && s->rc == 0)
			s->rc = NB_EPARSE;
	}
	if (s->rc == 0 && n < 0)
		s->rc = NB_EPARSE;
	if (s->rc == 0 && xmlParseChunk(s->ctxt, NULL, 0, 1) != 0)
		s->rc = NB_EPARSE;
	if (s->ctxt->myDoc != NULL)
		xmlFreeDoc(s->ctxt->myDoc);
	xmlFreeParserCtxt(s->ctxt);
	s->ctxt = NULL;
	return s->rc;
}

int
read_docx(const void *data, size_t len, struct indexer_doc *doc,
          struct indexer_status *st)
{
	struct docx_state s = {.doc = doc};
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *za = NULL;
	zip_file_t *zf = NULL;
	zip_int64_t idx;
	int rc;

	zip_error_init(&zerr);
	nb_buf_init(&s.para, INDEXER_MAX_TEXT);
	src = zip_source_buffer_create(data, len, 0, &zerr);
	if (src == NULL) {
		rc = NB_ENOMEM;
		goto fail;
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	if (za == NULL) {
		zip_source_free(src);
		status_set(st, "unparsed: corrupt zip (%s)",
		           zip_error_strerror(&zerr));
		rc = NB_EUNPARSED;
		goto fail;
	}
	idx = zip_name_locate(za, "word/document.xml", 0);
	if (idx < 0) {
		status_set(st, "unparsed: zip archive that is not a Word "
		               "document");
		rc = NB_EUNPARSED;
		goto fail;
	}
	zf = zip_fopen_index(za, idx, 0);
	if (zf == NULL) {
		status_set(st, "unparsed: corrupt .docx (%s)",
		           zip_strerror(za));
		rc = NB_EUNPARSED;
		goto fail;
	}
	rc = parse_xml(&s, zf);
	if (rc == NB_EPARSE) {
		status_set(st, "unparsed: corrupt .docx (word/document.xml "
		               "unreadable)");
		rc = NB_EUNPARSED;
	} else if (rc == NB_ETOOBIG) {
		status_set(st, "unparsed: .docx text over the size limit");
	}
fail:
	while (s.depth > 0)
		frame_free(&s.t[--s.depth]);
	if (zf != NULL)
		zip_fclose(zf);
	if (za != NULL)
		zip_discard(za);
	zip_error_fini(&zerr);
	nb_buf_free(&s.para);
	return rc;
}
