/*
 * docx.c - a report as a Word .docx: WordprocessingML with real tables
 * (w:gridSpan for column spans, w:vMerge restart/continue for row spans),
 * zipped in memory with libzip.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zip.h>

#include "render_int.h"

#define W_NS   "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define REL_NS "http://schemas.openxmlformats.org/package/2006/relationships"
#define OFFDOC_REL                                                             \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships"

struct xout {
	struct nb_buf *b;
	const struct rdoc *d;
	int err;
};

static void
put(struct xout *x, const char *s)
{
	int rc;

	if (x->err == 0 && (rc = nb_buf_adds(x->b, s)) != 0)
		x->err = rc;
}

static void putf(struct xout *x, const char *fmt, ...) NB_PRINTF(2, 3);

static void
putf(struct xout *x, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	if (x->err)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		x->err = NB_ENOMEM;
		return;
	}
	put(x, s);
	free(s);
}

static void
put_esc(struct xout *x, const char *s, size_t n)
{
	size_t start = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const char *rep = s[i] == '&'   ? "&amp;"
		                  : s[i] == '<' ? "&lt;"
		                  : s[i] == '>' ? "&gt;"
		                  : s[i] == '"' ? "&quot;"
		                                : NULL;

		if (rep == NULL)
			continue;
		if (x->err == 0 &&
		    (rc = nb_buf_add(x->b, s + start, i - start)) != 0)
			x->err = rc;
		put(x, rep);
		start = i + 1;
	}
	if (x->err == 0 && (rc = nb_buf_add(x->b, s + start, n - start)) != 0)
		x->err = rc;
}

/* The run properties: size in half-points, bold, RV_FONT_TAGS' font. */
static void
rpr(struct xout *x, int sz, int bold)
{
	put(x, "<w:rPr>");
	if (x->d->variant & RV_FONT_TAGS)
		put(x, "<w:rFonts w:ascii=\"方正仿宋_GBK\" "
		       "w:hAnsi=\"方正仿宋_GBK\" "
		       "w:eastAsia=\"方正仿宋_GBK\"/>");
	if (bold)
		put(x, "<w:b/>");
	putf(x, "<w:sz w:val=\"%d\"/><w:szCs w:val=\"%d\"/></w:rPr>", sz, sz);
}

/* Text as one w:r, or several with RV_SPLIT_RUNS. */
static void
runs(struct xout *x, const char *s, size_t n, unsigned key, int sz, int bold)
{
	size_t cut[2], at = 0;
	int k = 0;

	if (n == 0)
		return;
	if (x->d->variant & RV_SPLIT_RUNS)
		k = rdoc_cuts(x->d, s, n, key, cut);
	for (int i = 0; i <= k; i++) {
		size_t end = i < k ? cut[i] : n;

		put(x, "<w:r>");
		rpr(x, sz, bold);
		put(x, "<w:t xml:space=\"preserve\">");
		put_esc(x, s + at, end - at);
		put(x, "</w:t></w:r>");
		at = end;
	}
}

static void
cell_content(struct xout *x, const struct rcell *c)
{
	const struct rdoc *d = x->d;
	unsigned key = 7919u * (c->id + 1);

	put(x, "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>");
	if (c->kind == RC_BLANK) {
		static const char *const blank[] = {"", "\xc2\xa0",
		                                    "\xe3\x80\x80", " "};
		const char *s = blank[rdoc_blank(d, c)];

		runs(x, s, strlen(s), key, 21, 0);
	} else if (c->kind == RC_VALUE) {
		const char *pre, *post;
		char *s;

		if ((int)c->id == d->gobackid)
			put(x,
			    "<w:bookmarkStart w:id=\"0\" w:name=\"_GoBack\"/>"
			    "<w:bookmarkEnd w:id=\"0\"/>");
		rdoc_pad(d, c, &pre, &post);
		if (asprintf(&s, "%s%s%s", pre, c->text, post) < 0) {
			x->err = NB_ENOMEM;
			return;
		}
		runs(x, s, strlen(s), key, 21, 0);
		free(s);
	} else if (c->brk && (d->variant & RV_BR_HEADERS)) {
		runs(x, c->text, c->brk, key, 21, 0);
		put(x, "<w:r><w:br/></w:r>");
		runs(x, c->text + c->brk, strlen(c->text) - c->brk, key + 3, 21,
		     0);
	} else {
		runs(x, c->text, strlen(c->text), key, 21, 0);
	}
	put(x, "</w:p>");
}

static void
table(struct xout *x, const struct rtable *t)
{
	put(x, "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/>"
	       "<w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/>"
	       "<w:tblBorders>");
	for (int i = 0; i < 6; i++) {
		static const char *const side[] = {
		    "top", "left", "bottom", "right", "insideH", "insideV"};

		putf(x,
		     "<w:%s w:val=\"single\" w:sz=\"4\" w:space=\"0\" "
		     "w:color=\"000000\"/>",
		     side[i]);
	}
	put(x, "</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr>"
	       "<w:tblGrid>");
	for (int i = 0; i < t->ncols; i++)
		putf(x, "<w:gridCol w:w=\"%d\"/>", t->width[i]);
	put(x, "</w:tblGrid>");
	for (int i = 0; i < t->n; i++) {
		const struct rrow *r = &t->rows[i];

		put(x, "<w:tr>");
		if (r->after > 0) {
			int w = 0;

			for (int k = t->ncols - r->after; k < t->ncols; k++)
				w += t->width[k];
			putf(x,
			     "<w:trPr><w:gridAfter w:val=\"%d\"/>"
			     "<w:wAfter w:w=\"%d\" w:type=\"dxa\"/></w:trPr>",
			     r->after, w);
		}
		for (int j = 0; j < r->nslots; j++) {
			const struct rcell *c = r->slots[j].cell;

			int w = 0;

			for (int k = c->col; k < c->col + c->colspan; k++)
				w += t->width[k];
			putf(x,
			     "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/>",
			     w);
			if (c->colspan > 1)
				putf(x, "<w:gridSpan w:val=\"%d\"/>",
				     c->colspan);
			if (r->slots[j].cont)
				put(x, "<w:vMerge/>");
			else if (c->rowspan > 1)
				put(x, "<w:vMerge w:val=\"restart\"/>");
			put(x, "<w:vAlign w:val=\"center\"/></w:tcPr>");
			if (r->slots[j].cont)
				put(x, "<w:p/>");
			else
				cell_content(x, c);
			put(x, "</w:tc>");
		}
		put(x, "</w:tr>");
	}
	/* Word needs a paragraph between two tables and after the last */
	put(x, "</w:tbl><w:p/>");
}

static void
paragraph(struct xout *x, const char *ppr, const char *s, size_t n,
          unsigned key, int sz, int bold)
{
	putf(x, "<w:p><w:pPr>%s</w:pPr>", ppr);
	runs(x, s, n, key, sz, bold);
	put(x, "</w:p>");
}

static void
document(struct xout *x)
{
	const struct rdoc *d = x->d;
	const char *indent = "<w:spacing w:line=\"560\" w:lineRule=\"exact\"/>"
	                     "<w:ind w:firstLine=\"640\"/>";

	put(x, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	       "<w:document xmlns:w=\"" W_NS "\"><w:body>");
	for (int i = 0; i < d->n; i++) {
		const struct rblock *b = &d->blocks[i];
		unsigned key = 104729u * (unsigned)(i + 1);
		size_t len = b->text ? strlen(b->text) : 0;

		switch (b->kind) {
		case RB_TITLE: {
			size_t cut = b->split ? b->split : len;

			paragraph(x, "<w:jc w:val=\"center\"/>", b->text, cut,
			          key, 44, 1);
			if (b->split)
				paragraph(x, "<w:jc w:val=\"center\"/>",
				          b->text + cut, len - cut, key + 5, 44,
				          1);
			break;
		}
		case RB_HEADING:
			paragraph(x, indent, b->text, len, key, 32, 1);
			break;
		case RB_SUBHEADING:
			paragraph(x, indent, b->text, len, key, 32, 1);
			break;
		case RB_PROSE:
			paragraph(x, indent, b->text, len, key, 32, 0);
			break;
		case RB_TABLE:
			table(x, b->table);
			break;
		}
	}
	put(x, "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
	       "<w:pgMar w:top=\"1440\" w:right=\"1418\" w:bottom=\"1440\" "
	       "w:left=\"1418\" w:header=\"851\" w:footer=\"992\" "
	       "w:gutter=\"0\"/></w:sectPr></w:body></w:document>\n");
}

static const char content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/"
    "vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/"
    "vnd.openxmlformats-package.core-properties+xml\"/>"
    "</Types>\n";

static const char package_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"" REL_NS "\">"
    "<Relationship Id=\"rId1\" Type=\"" OFFDOC_REL "/officeDocument\" "
    "Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/"
    "package/2006/relationships/metadata/core-properties\" "
    "Target=\"docProps/core.xml\"/>"
    "</Relationships>\n";

static const char document_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"" REL_NS "\">"
    "<Relationship Id=\"rId1\" Type=\"" OFFDOC_REL "/styles\" "
    "Target=\"styles.xml\"/>"
    "</Relationships>\n";

static const char styles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles xmlns:w=\"" W_NS "\">"
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" "
    "w:eastAsia=\"宋体\"/><w:sz w:val=\"21\"/><w:lang w:val=\"en-US\" "
    "w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>"
    "<w:pPrDefault><w:pPr><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault>"
    "</w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">"
    "<w:name w:val=\"Normal\"/><w:qFormat/></w:style>"
    "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\">"
    "<w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" "
    "w:type=\"dxa\"/><w:tblCellMar><w:left w:w=\"108\" w:type=\"dxa\"/>"
    "<w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr>"
    "</w:style>"
    "<w:style w:type=\"table\" w:styleId=\"TableGrid\">"
    "<w:name w:val=\"Table Grid\"/><w:basedOn w:val=\"TableNormal\"/>"
    "<w:tblPr><w:tblBorders>"
    "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
    "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
    "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
    "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
    "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" "
    "w:color=\"auto\"/>"
    "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" "
    "w:color=\"auto\"/>"
    "</w:tblBorders></w:tblPr></w:style>"
    "</w:styles>\n";

static void
core(struct xout *x, const char *published)
{
	put(x,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	    "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/"
	    "package/2006/metadata/core-properties\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
	    "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
	    "<dc:title>");
	put_esc(x, x->d->title, strlen(x->d->title));
	put(x, "</dc:title><dc:creator>");
	put_esc(x, x->d->agency, strlen(x->d->agency));
	put(x, "</dc:creator>");
	if (published) {
		put(x, "<dcterms:created xsi:type=\"dcterms:W3CDTF\">");
		put_esc(x, published, strlen(published));
		put(x, "T09:30:00Z</dcterms:created>");
	}
	put(x, "</cp:coreProperties>\n");
}

/*
 * The zip entries' time: the publication date when it is a valid
 * YYYY-MM-DD, else a fixed day, so the same record gives the same bytes.
 */
static time_t
entry_time(const char *published)
{
	struct tm tm = {0};

	tm.tm_year = 2020 - 1900;
	tm.tm_mday = 1;
	tm.tm_hour = 9;
	if (published != NULL &&
	    sscanf(published, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon,
	           &tm.tm_mday) == 3 &&
	    tm.tm_year >= 1980 && tm.tm_year < 2100 && tm.tm_mon >= 1 &&
	    tm.tm_mon <= 12 && tm.tm_mday >= 1 && tm.tm_mday <= 31) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
	} else {
		tm.tm_year = 2020 - 1900;
		tm.tm_mon = 0;
		tm.tm_mday = 1;
	}
	return mktime(&tm);
}

struct part {
	const char *name;
	const char *data;
	size_t len;
};

static int
zip_parts(const struct part *p, int n, time_t mtime, struct nb_buf *out)
{
	zip_source_t *src = NULL, *zs;
	zip_error_t ze;
	zip_stat_t st;
	zip_t *za = NULL;
	size_t mark = out->len;
	int rc = NB_ENOMEM;
	char buf[8192];

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
		goto fail;
	if ((za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL)
		goto fail;
	/* the archive is read back from src after zip_close */
	zip_source_keep(src);
	for (int i = 0; i < n; i++) {
		zip_int64_t idx;

		if ((zs = zip_source_buffer(za, p[i].data, p[i].len, 0)) ==
		    NULL)
			goto fail;
		if ((idx = zip_file_add(za, p[i].name, zs, ZIP_FL_ENC_UTF_8)) <
		    0) {
			zip_source_free(zs);
			goto fail;
		}
		zip_file_set_mtime(za, (zip_uint64_t)idx, mtime, 0);
	}
	if (zip_close(za) != 0)
		goto fail;
	za = NULL;
	if (zip_source_open(src) != 0)
		goto fail;
	if (zip_source_stat(src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
		zip_source_close(src);
		goto fail;
	}
	for (zip_uint64_t left = st.size; left > 0;) {
		zip_int64_t got = zip_source_read(
		    src, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (got <= 0) {
			zip_source_close(src);
			goto fail;
		}
		if ((rc = nb_buf_add(out, buf, (size_t)got)) != 0) {
			zip_source_close(src);
			goto fail;
		}
		left -= (zip_uint64_t)got;
	}
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	return 0;
fail:
	if (za != NULL)
		zip_discard(za);
	if (src != NULL)
		zip_source_free(src);
	zip_error_fini(&ze);
	if (out->len > mark) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc == 0 ? NB_ENOMEM : rc;
}

int
render_docx(const json_t *rec, const struct render_opts *o, struct nb_buf *out)
{
	static const struct render_opts none;
	struct nb_buf doc, cp;
	struct rdoc d;
	struct xout x;
	int rc;

	if (o == NULL)
		o = &none;
	if ((rc = rdoc_build(rec, o, &d)) != 0)
		return rc;
	nb_buf_init(&doc, out->max);
	nb_buf_init(&cp, 64 * 1024);
	x.d = &d;
	x.err = 0;
	x.b = &doc;
	document(&x);
	x.b = &cp;
	core(&x, o->published);
	if ((rc = x.err) == 0) {
		const struct part parts[] = {
		    {"[Content_Types].xml", content_types,
		     sizeof(content_types) - 1},
		    {"_rels/.rels", package_rels, sizeof(package_rels) - 1},
		    {"word/document.xml", doc.data, doc.len},
		    {"word/_rels/document.xml.rels", document_rels,
		     sizeof(document_rels) - 1},
		    {"word/styles.xml", styles, sizeof(styles) - 1},
		    {"docProps/core.xml", cp.data, cp.len},
		};

		rc = zip_parts(parts, (int)NB_NELEM(parts),
		               entry_time(o->published), out);
	}
	nb_buf_free(&doc);
	nb_buf_free(&cp);
	rdoc_free(&d);
	return rc;
}
