/*
 * html.c - report pages as county sites serve them, read with libxml2's
 * HTML parser.
 *
 * The parser pulls the page through a read callback and reports it with
 * SAX callbacks instead of building a tree, so the memory a page needs
 * beyond its bytes is the text it holds, not a DOM several times its
 * size (libxml2's push mode would keep a second copy of the page).  Pages
 * not in valid UTF-8 are converted first: libxml2 would switch a page
 * with one bad byte to Latin-1.
 *
 * Tables: each <table> becomes a grid (rowspan/colspan expanded).  A table
 * that holds another table, or has a single column, is page layout: its
 * text stays body paragraphs and only the tables inside become grids.
 * Text inside a data table's cells is not body text.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "buf.h"
#include "charset.h"
#include "internal.h"

#define MAX_TABLE_DEPTH 32

struct tframe {
	struct indexer_grid *g;
	size_t para_mark; /* doc->nparas when the table opened */
	int nested;       /* holds a table: layout, not data */
	int in_cell;
	int rowspan, colspan;
	struct nb_buf cell;
};

struct html_state {
	struct indexer_doc *doc;
	htmlParserCtxtPtr ctxt;
	int skip;           /* inside script/style/...: text ignored */
	int in_title;       /* inside <title> */
	int ignored_tables; /* <table> beyond MAX_TABLE_DEPTH */
	struct nb_buf para, title;
	struct tframe t[MAX_TABLE_DEPTH];
	int depth;
	int rc; /* first error; parsing stops */
};

static void
fail(struct html_state *s, int rc)
{
	if (s->rc == 0)
		s->rc = rc;
	xmlStopParser(s->ctxt);
}

static void
flush_para(struct html_state *s)
{
	char tmp[8];
	int rc;

	if (s->para.len == 0)
		return;
	/* a run of blanks is no paragraph */
	if (s->para.len < 6 &&
	    clean_text(s->para.data, s->para.len, tmp) == 0) {
		nb_buf_reset(&s->para);
		return;
	}
	rc = indexer_doc_add_para(s->doc, s->para.data, s->para.len);
	nb_buf_reset(&s->para);
	if (rc != 0)
		fail(s, rc);
}

static void
close_cell(struct html_state *s)
{
	struct tframe *f;
	int rc;

	if (s->depth == 0 || !(f = &s->t[s->depth - 1])->in_cell)
		return;
	f->in_cell = 0;
	rc = indexer_grid_cell(f->g, f->cell.data ? f->cell.data : "",
	                       f->cell.len, f->rowspan, f->colspan);
	nb_buf_reset(&f->cell);
	if (rc != 0)
		fail(s, rc);
}

static int
span_attr(const xmlChar **attrs, const char *name)
{
	for (size_t i = 0; attrs != NULL && attrs[i] != NULL; i += 2)
		if (strcasecmp((const char *)attrs[i], name) == 0 &&
		    attrs[i + 1] != NULL) {
			long v = strtol((const char *)attrs[i + 1], NULL, 10);

			return v < 1                  ? 1
			       : v > INDEXER_MAX_SPAN ? INDEXER_MAX_SPAN
			                              : (int)v;
		}
	return 1;
}

static const char *
attr(const xmlChar **attrs, const char *name)
{
	for (size_t i = 0; attrs != NULL && attrs[i] != NULL; i += 2)
		if (strcasecmp((const char *)attrs[i], name) == 0)
			return (const char *)attrs[i + 1];
	return NULL;
}

enum tag {
	T_OTHER,
	T_BLOCK,
	T_SKIP,
	T_TABLE,
	T_TR,
	T_TD,
	T_TITLE,
	T_META,
	T_IMG
};

struct tagname {
	const char *name;
	enum tag tag;
};

static int
tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tagname *)elem)->name);
}

/*
 * What an element means here.  Called for every start and end tag: a
 * binary search over the names that matter, in strcmp order.
 */
static enum tag
tag_of(const char *n)
{
	static const struct tagname tags[] = {
	    {"article", T_BLOCK}, {"aside", T_BLOCK},   {"blockquote", T_BLOCK},
	    {"br", T_BLOCK},      {"center", T_BLOCK},  {"dd", T_BLOCK},
	    {"div", T_BLOCK},     {"dl", T_BLOCK},      {"dt", T_BLOCK},
	    {"footer", T_BLOCK},  {"form", T_BLOCK},    {"h1", T_BLOCK},
	    {"h2", T_BLOCK},      {"h3", T_BLOCK},      {"h4", T_BLOCK},
	    {"h5", T_BLOCK},      {"h6", T_BLOCK},      {"header", T_BLOCK},
	    {"hr", T_BLOCK},      {"img", T_IMG},       {"li", T_BLOCK},
	    {"main", T_BLOCK},    {"meta", T_META},     {"nav", T_BLOCK},
	    {"noscript", T_SKIP}, {"ol", T_BLOCK},      {"p", T_BLOCK},
	    {"pre", T_BLOCK},     {"script", T_SKIP},   {"section", T_BLOCK},
	    {"select", T_SKIP},   {"style", T_SKIP},    {"table", T_TABLE},
	    {"td", T_TD},         {"template", T_SKIP}, {"textarea", T_SKIP},
	    {"th", T_TD},         {"title", T_TITLE},   {"tr", T_TR},
	    {"ul", T_BLOCK},
	};
	const struct tagname *t =
	    bsearch(n, tags, NB_NELEM(tags), sizeof(tags[0]), tag_cmp);

	return t != NULL ? t->tag : T_OTHER;
}

/* A line break inside the open cell, if any. */
static void
cell_break(struct html_state *s)
{
	struct tframe *f;

	if (s->depth == 0 || !(f = &s->t[s->depth - 1])->in_cell)
		return;
	if (f->cell.len > 0 && f->cell.data[f->cell.len - 1] != '\n' &&
	    buf_add_capped(&f->cell, "\n", 1, INDEXER_MAX_CELL_TEXT) != 0)
		fail(s, NB_ETOOBIG);
}

static void
on_start(void *ctx, const xmlChar *xname, const xmlChar **attrs)
{
	struct html_state *s = ctx;
	enum tag t = tag_of((const char *)xname);
	struct tframe *f = s->depth ? &s->t[s->depth - 1] : NULL;

	if (s->rc != 0 || t == T_OTHER)
		return;
	if (t == T_SKIP) {
		s->skip++;
		return;
	}
	if (t == T_TITLE) {
		s->in_title = 1;
		return;
	}
	if (t == T_IMG) {
		indexer_doc_add_image(s->doc);
		return;
	}
	if (t == T_META) {
		const char *name = attr(attrs, "name");
		const char *content = attr(attrs, "content");

		if (name != NULL && content != NULL &&
		    (strcasecmp(name, "ArticleTitle") == 0 ||
		     strcasecmp(name, "ContentSource") == 0 ||
		     strcasecmp(name, "PubDate") == 0)) {
			const char *key = strcasecmp(name, "ArticleTitle") == 0
			                      ? "ArticleTitle"
			                  : strcasecmp(name, "PubDate") == 0
			                      ? "PubDate"
			                      : "ContentSource";

			if (indexer_doc_set_meta(s->doc, key, content) != 0)
				fail(s, NB_ENOMEM);
		}
		return;
	}
	if (t == T_TABLE) {
		flush_para(s);
		if (s->depth == MAX_TABLE_DEPTH) {
			s->ignored_tables++;
			return;
		}
		if (f != NULL) {
			close_cell(s);
			f->nested = 1;
		}
		f = &s->t[s->depth];
		memset(f, 0, sizeof(*f));
		nb_buf_init(&f->cell, INDEXER_MAX_TEXT);
		if (indexer_grid_new(&f->g) != 0) {
			fail(s, NB_ENOMEM);
			return;
		}
		f->para_mark = s->doc->nparas;
		s->depth++;
		return;
	}
	if (f != NULL && t == T_TR) {
		int rc;

		close_cell(s);
		flush_para(s);
		if ((rc = indexer_grid_row(f->g)) != 0)
			fail(s, rc);
		return;
	}
	if (f != NULL && t == T_TD) {
		close_cell(s);
		flush_para(s);
		f->in_cell = 1;
		f->rowspan = span_attr(attrs, "rowspan");
		f->colspan = span_attr(attrs, "colspan");
		return;
	}
	if (t == T_BLOCK) {
		flush_para(s);
		cell_break(s);
	}
}

static void
close_table(struct html_state *s)
{
	struct tframe *f = &s->t[s->depth - 1];
	int rc;

	close_cell(s);
	flush_para(s);
	s->depth--;
	nb_buf_free(&f->cell);
	if (f->nested || indexer_grid_ncols(f->g) <= 1 || s->rc != 0) {
		indexer_grid_free(f->g);
		return;
	}
	doc_truncate_paras(s->doc, f->para_mark);
	if ((rc = indexer_doc_add_grid(s->doc, f->g)) != 0)
		fail(s, rc);
}

static void
on_end(void *ctx, const xmlChar *xname)
{
	struct html_state *s = ctx;
	enum tag t = tag_of((const char *)xname);

	if (s->rc != 0 || t == T_OTHER)
		return;
	if (t == T_SKIP) {
		if (s->skip > 0)
			s->skip--;
		return;
	}
	if (t == T_TITLE) {
		s->in_title = 0;
		return;
	}
	if (t == T_TABLE) {
		if (s->ignored_tables > 0)
			s->ignored_tables--;
		else if (s->depth > 0)
			close_table(s);
		return;
	}
	if (s->depth > 0 && (t == T_TD || t == T_TR)) {
		close_cell(s);
		flush_para(s);
		return;
	}
	if (t == T_BLOCK) {
		flush_para(s);
		cell_break(s);
	}
}

static void
on_text(void *ctx, const xmlChar *ch, int len)
{
	struct html_state *s = ctx;
	struct tframe *f = s->depth ? &s->t[s->depth - 1] : NULL;
	const char *p = (const char *)ch;
	int rc = 0;

	if (s->rc != 0 || s->skip > 0 || len <= 0)
		return;
	if (s->in_title) {
		if (buf_add_capped(&s->title, p, len, 1024) != 0)
			fail(s, NB_ETOOBIG);
		return;
	}
	/* source line breaks are blanks in HTML */
	for (int i = 0; i < len && rc == 0;) {
		int j = i;

		while (j < len && p[j] != '\n' && p[j] != '\r' && p[j] != '\t')
			j++;
		if (j > i) {
			if (f != NULL && f->in_cell)
				rc = buf_add_capped(&f->cell, p + i, j - i,
				                    INDEXER_MAX_CELL_TEXT);
			if (rc == 0)
				rc = buf_add_capped(&s->para, p + i, j - i,
				                    INDEXER_MAX_PARA_TEXT);
		}
		if (j < len && rc == 0) {
			if (f != NULL && f->in_cell)
				rc = buf_add_capped(&f->cell, " ", 1,
				                    INDEXER_MAX_CELL_TEXT);
			if (rc == 0)
				rc = buf_add_capped(&s->para, " ", 1,
				                    INDEXER_MAX_PARA_TEXT);
			j++;
		}
		i = j;
	}
	if (rc != 0)
		fail(s, rc);
}

/* The parser pulls the UTF-8 text through this, a few KB at a time. */
struct source {
	const char *p;
	size_t left;
};

static int
source_read(void *arg, char *buf, int len)
{
	struct source *src = arg;
	size_t n = src->left < (size_t)len ? src->left : (size_t)len;

	memcpy(buf, src->p, n);
	src->p += n;
	src->left -= n;
	return (int)n;
}

static int
source_close(void *arg)
{
	(void)arg;
	return 0;
}

int
read_html(const char *data, size_t len, const char *content_type,
          struct indexer_doc *doc, struct indexer_status *st)
{
	struct html_state s = {.doc = doc};
	struct source src = {data, len};
	char cs[40], *conv = NULL;
	int rc;

	charset_detect(content_type, data, len, cs, sizeof(cs));
	if (strcmp(cs, "UTF-8") == 0 && len >= 3 &&
	    memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		src.p += 3;
		src.left -= 3;
	}
	/* valid UTF-8 is read in place; anything else is converted first */
	if (strcmp(cs, "UTF-8") != 0 ||
	    utf8_valid_prefix((const unsigned char *)src.p, src.left) !=
	        src.left) {
		rc = charset_to_utf8(cs, data, len, 2 * INDEXER_MAX_INPUT,
		                     &conv, &src.left);
		if (rc == NB_EINVAL)
			rc = charset_to_utf8("UTF-8", data, len,
			                     2 * INDEXER_MAX_INPUT, &conv,
			                     &src.left);
		if (rc != 0)
			return rc;
		src.p = conv;
	}
	nb_buf_init(&s.para, INDEXER_MAX_TEXT);
	nb_buf_init(&s.title, 4096);
	s.ctxt = htmlNewParserCtxt();
	if (s.ctxt == NULL || s.ctxt->sax == NULL) {
		rc = NB_ENOMEM;
		goto done;
	}
	memset(s.ctxt->sax, 0, sizeof(*s.ctxt->sax));
	s.ctxt->sax->startElement = on_start;
	s.ctxt->sax->endElement = on_end;
	s.ctxt->sax->characters = on_text;
	s.ctxt->sax->cdataBlock = on_text;
	s.ctxt->userData = &s;
	/*
	 * Pulled through a read callback the parser keeps only a window of
	 * the page; the text is UTF-8 by now, whatever a <meta> inside says.
	 */
	htmlCtxtReadIO(s.ctxt, source_read, source_close, &src, NULL, "UTF-8",
	               HTML_PARSE_RECOVER | HTML_PARSE_NONET |
	                   HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                   HTML_PARSE_IGNORE_ENC);
	rc = s.rc;
	if (rc == 0) {
		while (s.depth > 0)
			close_table(&s);
		flush_para(&s);
		rc = s.rc;
	}
	if (rc == 0 && s.title.len > 0)
		rc = indexer_doc_set_meta(doc, "title", s.title.data);
	if (rc == NB_ETOOBIG)
		status_set(st, "unparsed: HTML page over the size limit");
done:
	while (s.depth > 0) {
		struct tframe *f = &s.t[--s.depth];

		nb_buf_free(&f->cell);
		indexer_grid_free(f->g);
	}
	if (s.ctxt != NULL) {
		if (s.ctxt->myDoc != NULL)
			xmlFreeDoc(s.ctxt->myDoc);
		htmlFreeParserCtxt(s.ctxt);
	}
	nb_buf_free(&s.para);
	nb_buf_free(&s.title);
	free(conv);
	return rc;
}
