/*
 * pdf.c - PDF documents through MuPDF: glyphs and rule lines per page.
 *
 * One MuPDF context per document, with an allocator that counts what
 * MuPDF holds (over PDFL_MAX_MEM it fails, and MuPDF throws) and that also
 * watches the clock, so a hostile file ends in a reason instead of
 * exhausting memory or time.  Each page runs through a device of our own.
 * Text arrives as glyphs already mapped to Unicode (ToUnicode maps,
 * encodings) with their pen positions; a glyph's width is where the next
 * one starts, so the reader never asks FreeType for outlines or metrics.
 * The page's vector paths are kept when
 * they are axis-aligned lines or thin rectangles, because those are the
 * borders of the tables.  Only the PDF handler is used (no HTML, XPS or
 * EPUB code is linked).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

#include "internal.h"
#include "pdf.h"

/* MuPDF's cache of decoded objects, fonts and images. */
#define STORE_MAX (16u << 20)
/* Characters per page below which pages that are images are scans (a
 * page number or a header stamped on them is no text layer). */
#define SCAN_TEXT 40
/* Paint this light on every channel does not show on white paper. */
#define WHITE_MIN 0.92f

struct reader {
	fz_context *ctx;
	size_t mem;          /* bytes MuPDF holds */
	struct timespec end; /* deadline */
	int over_mem, over_time;
	fz_cookie cookie;
	unsigned ticks; /* allocations since the clock was read */
	char msg[120];  /* MuPDF's last warning or error */
	/* document totals */
	size_t glyphs, unmapped, hidden, images;
};

/* ---- allocator ---- */

union hdr {
	size_t size;
	max_align_t align;
};

static int
late(struct reader *rd)
{
	struct timespec now;

	if (rd->over_time)
		return 1;
	if (rd->ticks++ % 64 != 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > rd->end.tv_sec ||
	    (now.tv_sec == rd->end.tv_sec && now.tv_nsec > rd->end.tv_nsec)) {
		rd->over_time = 1;
		rd->cookie.abort = 1;
	}
	return rd->over_time;
}

static void *
mem_malloc(void *user, size_t size)
{
	struct reader *rd = user;
	union hdr *h;

	if (size > PDFL_MAX_MEM || rd->mem + size > PDFL_MAX_MEM) {
		rd->over_mem = 1;
		return NULL;
	}
	if (late(rd) || (h = malloc(sizeof(*h) + size)) == NULL)
		return NULL;
	h->size = size;
	rd->mem += size;
	return h + 1;
}

static void
mem_free(void *user, void *p)
{
	struct reader *rd = user;
	union hdr *h;

	if (p == NULL)
		return;
	h = (union hdr *)p - 1;
	rd->mem -= h->size;
	free(h);
}

static void *
mem_realloc(void *user, void *p, size_t size)
{
	struct reader *rd = user;
	union hdr *h, *n;

	if (p == NULL)
		return mem_malloc(user, size);
	if (size == 0) {
		mem_free(user, p);
		return NULL;
	}
	h = (union hdr *)p - 1;
	if (size > h->size && (size > PDFL_MAX_MEM ||
	                       rd->mem + (size - h->size) > PDFL_MAX_MEM)) {
		rd->over_mem = 1;
		return NULL;
	}
	if (late(rd) || (n = realloc(h, sizeof(*n) + size)) == NULL)
		return NULL;
	rd->mem = rd->mem - n->size + size;
	n->size = size;
	return n + 1;
}

/* MuPDF would print its warnings; the last one becomes part of a reason. */
static void
on_message(void *user, const char *msg)
{
	struct reader *rd = user;

	snprintf(rd->msg, sizeof(rd->msg), "%s", msg);
}

/* ---- the page device ---- */

struct page_dev {
	fz_device super;
	struct reader *rd;
	struct pdfl_page *pg;
	int fill;           /* walking a filled path (else stroked) */
	fz_matrix ctm;      /* of the path being walked */
	fz_point start, at; /* subpath start, current point */
	fz_rect sub;        /* bounds of the filled subpath so far */
	int have_sub;
};

static void
add_rule(struct page_dev *d, float x0, float y0, float x1, float y1)
{
	struct pdfl_page *pg = d->pg;
	struct pdfl_rule *r;

	if (pg->nr >= PDFL_MAX_RULES)
		return;
	if (pg->nr == pg->capr) {
		size_t cap = pg->capr ? pg->capr * 2 : 256;

		r = realloc(pg->r, cap * sizeof(*r));
		if (r == NULL)
			return;
		pg->r = r;
		pg->capr = cap;
	}
	r = &pg->r[pg->nr++];
	r->x0 = fminf(x0, x1);
	r->x1 = fmaxf(x0, x1);
	r->y0 = fminf(y0, y1);
	r->y1 = fmaxf(y0, y1);
}

/* A stroked segment, in device space: kept when it is axis-aligned. */
static void
segment(struct page_dev *d, fz_point a, fz_point b)
{
	if (fabsf(a.y - b.y) <= 0.5f && fabsf(a.x - b.x) > 0.5f)
		add_rule(d, a.x, (a.y + b.y) / 2, b.x, (a.y + b.y) / 2);
	else if (fabsf(a.x - b.x) <= 0.5f && fabsf(a.y - b.y) > 0.5f)
		add_rule(d, (a.x + b.x) / 2, a.y, (a.x + b.x) / 2, b.y);
}

/* A filled subpath: a thin rectangle is a rule along its middle. */
static void
close_fill(struct page_dev *d)
{
	fz_rect b = d->sub;
	float w = b.x1 - b.x0, h = b.y1 - b.y0;

	if (!d->have_sub)
		return;
	d->have_sub = 0;
	if (h <= 2.5f && w > 2 * h && w > 2)
		add_rule(d, b.x0, (b.y0 + b.y1) / 2, b.x1, (b.y0 + b.y1) / 2);
	else if (w <= 2.5f && h > 2 * w && h > 2)
		add_rule(d, (b.x0 + b.x1) / 2, b.y0, (b.x0 + b.x1) / 2, b.y1);
}

static void
point(struct page_dev *d, float x, float y, int move)
{
	fz_point p = fz_transform_point_xy(x, y, d->ctm);

	if (d->fill) {
		if (move)
			close_fill(d);
		if (!d->have_sub) {
			d->sub = fz_make_rect(p.x, p.y, p.x, p.y);
			d->have_sub = 1;
		} else {
			d->sub = fz_include_point_in_rect(d->sub, p);
		}
	} else if (!move) {
		segment(d, d->at, p);
	}
	if (move)
		d->start = p;
	d->at = p;
}

static void
w_moveto(fz_context *ctx, void *arg, float x, float y)
{
	(void)ctx;
	point(arg, x, y, 1);
}

static void
w_lineto(fz_context *ctx, void *arg, float x, float y)
{
	(void)ctx;
	point(arg, x, y, 0);
}

static void
w_curveto(fz_context *ctx, void *arg, float x1, float y1, float x2, float y2,
          float x3, float y3)
{
	struct page_dev *d = arg;

	(void)ctx;
	(void)x1;
	(void)y1;
	(void)x2;
	(void)y2;
	/* a curve is no border: move on without a segment */
	if (d->fill)
		point(d, x3, y3, 0);
	else
		d->at = fz_transform_point_xy(x3, y3, d->ctm);
}

static void
w_closepath(fz_context *ctx, void *arg)
{
	struct page_dev *d = arg;

	(void)ctx;
	if (d->fill)
		close_fill(d);
	else
		segment(d, d->at, d->start);
	d->at = d->start;
}

static void
w_rectto(fz_context *ctx, void *arg, float x0, float y0, float x1, float y1)
{
	struct page_dev *d = arg;

	point(d, x0, y0, 1);
	w_lineto(ctx, d, x1, y0);
	w_lineto(ctx, d, x1, y1);
	w_lineto(ctx, d, x0, y1);
	w_closepath(ctx, d);
}

static const fz_path_walker walker = {
    .moveto = w_moveto,
    .lineto = w_lineto,
    .curveto = w_curveto,
    .closepath = w_closepath,
    .rectto = w_rectto,
};

/* Paint that does not show on white paper draws no border. */
static int
invisible(fz_context *ctx, fz_colorspace *cs, const float *color, float alpha,
          fz_color_params cp)
{
	float rgb[3];

	if (alpha < 0.1f)
		return 1;
	if (cs == NULL || color == NULL)
		return 0;
	fz_convert_color(ctx, cs, color, fz_device_rgb(ctx), rgb, NULL, cp);
	return rgb[0] >= WHITE_MIN && rgb[1] >= WHITE_MIN &&
	       rgb[2] >= WHITE_MIN;
}

static void
walk(fz_context *ctx, struct page_dev *d, const fz_path *path, fz_matrix ctm,
     int fill)
{
	if (late(d->rd))
		fz_throw(ctx, FZ_ERROR_GENERIC, "time limit");
	d->fill = fill;
	d->ctm = ctm;
	d->have_sub = 0;
	d->at = d->start = fz_make_point(0, 0);
	fz_walk_path(ctx, path, &walker, d);
	if (fill)
		close_fill(d);
}

static void
dev_fill_path(fz_context *ctx, fz_device *dev, const fz_path *path,
              int even_odd, fz_matrix ctm, fz_colorspace *cs,
              const float *color, float alpha, fz_color_params cp)
{
	(void)even_odd;
	if (!invisible(ctx, cs, color, alpha, cp))
		walk(ctx, (struct page_dev *)dev, path, ctm, 1);
}

static void
dev_stroke_path(fz_context *ctx, fz_device *dev, const fz_path *path,
                const fz_stroke_state *stroke, fz_matrix ctm, fz_colorspace *cs,
                const float *color, float alpha, fz_color_params cp)
{
	/* a stroke as wide as a band is a fill, not a line */
	if (stroke != NULL && stroke->linewidth * fz_matrix_expansion(ctm) > 6)
		return;
	if (!invisible(ctx, cs, color, alpha, cp))
		walk(ctx, (struct page_dev *)dev, path, ctm, 0);
}

static int
unmapped(int c)
{
	return c == 0xFFFD || c < 0x20 || (c >= 0xE000 && c <= 0xF8FF) ||
	       (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF;
}

static int
blank(int c)
{
	return c == ' ' || c == 0xA0 || c == 0x3000 ||
	       (c >= 0x2000 && c <= 0x200B);
}

static struct pdfl_glyph *
new_glyph(struct pdfl_page *pg)
{
	if (pg->ng >= PDFL_MAX_GLYPHS)
		return NULL;
	if (pg->ng == pg->capg) {
		size_t cap = pg->capg ? pg->capg * 2 : 1024;
		struct pdfl_glyph *g = realloc(pg->g, cap * sizeof(*g));

		if (g == NULL)
			return NULL;
		pg->g = g;
		pg->capg = cap;
	}
	return &pg->g[pg->ng++];
}

/* The glyph matrix of item i of span s, in device space. */
static fz_matrix
glyph_matrix(const fz_text_span *s, int i, fz_matrix ctm)
{
	fz_matrix tm = s->trm;

	tm.e = s->items[i].x;
	tm.f = s->items[i].y;
	return fz_concat(tm, ctm);
}

/* Horizontal text only: stamps, watermarks and margin notes turn. */
static void
take_span(struct page_dev *d, const fz_text_span *s, fz_matrix ctm)
{
	struct pdfl_page *pg = d->pg;
	struct reader *rd = d->rd;
	int extra = 0; /* characters after the first of one glyph (ligatures) */

	for (int i = 0; i < s->len; i++) {
		const fz_text_item *it = &s->items[i];
		fz_matrix m = glyph_matrix(s, i, ctm);
		float size = sqrtf(fabsf(m.a * m.d - m.b * m.c)), w = 0;
		struct pdfl_glyph *g;

		extra = it->gid < 0 ? extra + 1 : 0;
		if (it->ucs < 0 || blank(it->ucs))
			continue;
		if (s->wmode != 0 || m.a <= 0 || fabsf(m.b) > 0.05f * m.a ||
		    size < 0.5f || !isfinite(m.e) || !isfinite(m.f) ||
		    m.e < -1 || m.e > pg->w + 1 || m.f < -1 || m.f > pg->h + 1)
			continue;
		rd->glyphs++;
		if (unmapped(it->ucs)) {
			rd->unmapped++;
			continue;
		}
		/* the width: up to the next glyph of the span */
		for (int k = i + 1; k < s->len; k++) {
			fz_matrix n;

			if (s->items[k].gid < 0)
				continue;
			n = glyph_matrix(s, k, ctm);
			if (n.e > m.e && n.e - m.e < 2 * size &&
			    fabsf(n.f - m.f) < 0.1f * size)
				w = n.e - m.e;
			break;
		}
		if (w == 0)
			w = it->ucs >= 0x2E80 ? size : 0.5f * size;
		if ((g = new_glyph(pg)) == NULL)
			return;
		g->cp = (uint32_t)it->ucs;
		/* the characters of one glyph keep their order when sorted */
		g->x0 = m.e + 0.01f * (float)extra;
		g->x1 = m.e + w;
		g->base = m.f;
		g->y0 = m.f - 0.88f * size;
		g->y1 = m.f + 0.12f * size;
		g->size = size;
	}
}

static void
take_text(fz_context *ctx, struct page_dev *d, const fz_text *text,
          fz_matrix ctm)
{
	if (late(d->rd))
		fz_throw(ctx, FZ_ERROR_GENERIC, "time limit");
	for (const fz_text_span *s = text->head; s != NULL; s = s->next)
		take_span(d, s, ctm);
}

static void
dev_fill_text(fz_context *ctx, fz_device *dev, const fz_text *text,
              fz_matrix ctm, fz_colorspace *cs, const float *color, float alpha,
              fz_color_params cp)
{
	(void)cs;
	(void)color;
	(void)alpha;
	(void)cp;
	take_text(ctx, (struct page_dev *)dev, text, ctm);
}

static void
dev_stroke_text(fz_context *ctx, fz_device *dev, const fz_text *text,
                const fz_stroke_state *stroke, fz_matrix ctm, fz_colorspace *cs,
                const float *color, float alpha, fz_color_params cp)
{
	(void)stroke;
	dev_fill_text(ctx, dev, text, ctm, cs, color, alpha, cp);
}

static void
dev_ignore_text(fz_context *ctx, fz_device *dev, const fz_text *text,
                fz_matrix ctm)
{
	struct page_dev *d = (struct page_dev *)dev;

	(void)ctx;
	(void)ctm;
	for (const fz_text_span *s = text->head; s != NULL; s = s->next)
		d->rd->hidden += s->len;
}

static void
dev_fill_image(fz_context *ctx, fz_device *dev, fz_image *img, fz_matrix ctm,
               float alpha, fz_color_params cp)
{
	struct page_dev *d = (struct page_dev *)dev;
	fz_rect r = fz_transform_rect(fz_unit_rect, ctm);

	(void)ctx;
	(void)img;
	(void)alpha;
	(void)cp;
	/* a logo or a seal is no page of a report: count what covers a
	   good part of the page */
	if ((r.x1 - r.x0) * (r.y1 - r.y0) > 0.1f * d->pg->w * d->pg->h)
		d->rd->images++;
}

static void
dev_fill_image_mask(fz_context *ctx, fz_device *dev, fz_image *img,
                    fz_matrix ctm, fz_colorspace *cs, const float *color,
                    float alpha, fz_color_params cp)
{
	(void)cs;
	(void)color;
	dev_fill_image(ctx, dev, img, ctm, alpha, cp);
}

/* ---- pages ---- */

/*
 * A font that maps its codes to Unicode through a ToUnicode CMap and whose
 * widths the PDF lists (Widths; W or DW of a CID font) needs no font
 * program for what is read here: the program only draws the glyphs.  Yet
 * inflating and parsing the embedded programs is most of MuPDF's work on
 * a typical report (an office suite embeds a subset per 256 glyphs), so
 * they are taken out of the in-memory document before the page runs, and
 * MuPDF measures with a built-in substitute.  Fonts without a ToUnicode
 * map keep their programs: their encoding may live there.
 */
static void
drop_font_programs(fz_context *ctx, pdf_page *page)
{
	pdf_obj *fonts =
	    pdf_dict_get(ctx, pdf_page_resources(ctx, page), PDF_NAME(Font));
	int n = pdf_dict_len(ctx, fonts);

	for (int i = 0; i < n; i++) {
		pdf_obj *f = pdf_dict_get_val(ctx, fonts, i), *desc = f, *fd;

		if (!pdf_is_stream(ctx,
		                   pdf_dict_get(ctx, f, PDF_NAME(ToUnicode))))
			continue;
		if (pdf_name_eq(ctx, pdf_dict_get(ctx, f, PDF_NAME(Subtype)),
		                PDF_NAME(Type0)))
			desc = pdf_array_get(
			    ctx,
			    pdf_dict_get(ctx, f, PDF_NAME(DescendantFonts)), 0);
		else if (!pdf_is_array(ctx,
		                       pdf_dict_get(ctx, f, PDF_NAME(Widths))))
			continue;
		fd = pdf_dict_get(ctx, desc, PDF_NAME(FontDescriptor));
		if (!pdf_is_dict(ctx, fd))
			continue;
		pdf_dict_del(ctx, fd, PDF_NAME(FontFile));
		pdf_dict_del(ctx, fd, PDF_NAME(FontFile2));
		pdf_dict_del(ctx, fd, PDF_NAME(FontFile3));
	}
}

/* Run page n; its glyphs and rules land in pg.  Throws on MuPDF errors. */
static void
run_page(struct reader *rd, fz_document *doc, int n, struct pdfl_page *pg)
{
	fz_context *ctx = rd->ctx;
	pdf_page *page = NULL;
	struct page_dev *dev = NULL;
	fz_rect box;

	fz_var(page);
	fz_var(dev);
	fz_try(ctx)
	{
		page = pdf_load_page(ctx, (pdf_document *)doc, n);
		drop_font_programs(ctx, page);
		box = fz_bound_page(ctx, &page->super);
		pg->w = box.x1 - box.x0;
		pg->h = box.y1 - box.y0;
		dev = fz_new_derived_device(ctx, struct page_dev);
		dev->rd = rd;
		dev->pg = pg;
		dev->super.fill_path = dev_fill_path;
		dev->super.stroke_path = dev_stroke_path;
		dev->super.fill_text = dev_fill_text;
		dev->super.stroke_text = dev_stroke_text;
		dev->super.ignore_text = dev_ignore_text;
		dev->super.fill_image = dev_fill_image;
		dev->super.fill_image_mask = dev_fill_image_mask;
		/* the page's own origin at (0, 0) */
		fz_run_page(ctx, &page->super, &dev->super,
		            fz_translate(-box.x0, -box.y0), &rd->cookie);
		fz_close_device(ctx, &dev->super);
	}
	fz_always(ctx)
	{
		fz_drop_device(ctx, (fz_device *)dev);
		fz_drop_page(ctx, (fz_page *)page);
	}
	fz_catch(ctx) fz_rethrow(ctx);
}

/* Page n into pg; -1 (MuPDF's message in rd->msg) when it fails. */
static int
try_page(struct reader *rd, fz_document *doc, int n, struct pdfl_page *pg)
{
	fz_context *ctx = rd->ctx;

	pg->ng = pg->nr = 0;
	pg->w = pg->h = 0;
	fz_try(ctx) run_page(rd, doc, n, pg);
	fz_catch(ctx)
	{
		snprintf(rd->msg, sizeof(rd->msg), "%s",
		         fz_caught_message(ctx));
		return -1;
	}
	return 0;
}

static int
count_pages(struct reader *rd, fz_document *doc, struct indexer_status *st)
{
	fz_context *ctx = rd->ctx;
	int volatile n = -1;

	fz_try(ctx) n = fz_count_pages(ctx, doc);
	fz_catch(ctx)
	{
		status_set(st, "unparsed: PDF damaged (%s)",
		           fz_caught_message(ctx));
		return -1;
	}
	return n;
}

/* The title the file's metadata gives, set as the doc's last-resort title
 * (it often lacks the agency, or is a file name). */
static int
meta_title(struct reader *rd, fz_document *doc, struct indexer_doc *idoc)
{
	fz_context *ctx = rd->ctx;
	char title[512];
	int volatile n = 0;

	fz_try(ctx) n = fz_lookup_metadata(ctx, doc, FZ_META_INFO_TITLE, title,
	                                   sizeof(title));
	fz_catch(ctx) n = 0;
	if (n <= 0 || title[0] == '\0')
		return 0;
	return indexer_doc_set_meta(idoc, "title", title);
}

/* The reason a document with no usable text gives, or NULL. */
static int
text_reason(const struct reader *rd, int npages, struct indexer_status *st)
{
	size_t mapped = rd->glyphs - rd->unmapped;

	if (rd->glyphs > 0 && rd->unmapped * 2 > rd->glyphs) {
		status_set(st,
		           "unparsed: PDF text not mappable to Unicode (%zu of "
		           "%zu characters)",
		           rd->unmapped, rd->glyphs);
		return 1;
	}
	if (mapped > 0)
		return 0;
	if (rd->hidden > 0)
		status_set(st,
		           "unparsed: image-only PDF (%d pages, only an "
		           "invisible OCR text layer)",
		           npages);
	else if (rd->images > 0)
		status_set(st,
		           "unparsed: image-only PDF (%d pages, %zu images, "
		           "no text layer)",
		           npages, rd->images);
	else
		status_set(st, "unparsed: PDF without text (%d pages)", npages);
	return 1;
}

/*
 * Do the paragraphs hold the disclosure tables' words?  Then the tables
 * are there but drew no borders (or only some): their cells cannot be
 * told apart by position, and a guess could put a number in the wrong
 * column, so the report is unparsed rather than "no report".
 */
static int
tables_in_text(const struct indexer_doc *doc)
{
	static const char *const words[] = {"申请人情况", "本年新收",
	                                    "上年结转",   "结果维持",
	                                    "结果维护",   "尚未审结"};
	int seen = 0;

	for (size_t i = 0; i < doc->nparas; i++)
		for (size_t k = 0; k < NB_NELEM(words); k++)
			if (strstr(doc->paras[i], words[k]) != NULL)
				seen |= 1 << k;
	return __builtin_popcount(seen) >= 2;
}

static int
read_pages(struct reader *rd, fz_document *doc, struct indexer_doc *idoc,
           struct indexer_status *st)
{
	struct pdfl_layout *lay = NULL;
	struct pdfl_page pg = {0};
	int rc = 0, n, failed = -1;

	if ((n = count_pages(rd, doc, st)) < 0)
		return NB_EUNPARSED;
	if (n == 0) {
		/* a truncated file keeps its header but loses its page tree */
		status_set(st, "unparsed: PDF damaged (no pages%s%s)",
		           rd->msg[0] ? ": " : "", rd->msg);
		return NB_EUNPARSED;
	}
	if (n > PDFL_MAX_PAGES) {
		status_set(st, "unparsed: PDF of %d pages over the limit of %d",
		           n, PDFL_MAX_PAGES);
		return NB_ETOOBIG;
	}
	if ((rc = pdfl_layout_new(&lay)) != 0)
		return rc;
	for (int i = 0; i < n && rc == 0; i++) {
		if (try_page(rd, doc, i, &pg) != 0) {
			failed = i;
			break;
		}
		if (rd->over_time || rd->over_mem)
			break;
		rc = pdfl_layout_page(lay, &pg);
	}
	for (int i = 0; i < (int)rd->images; i++)
		indexer_doc_add_image(idoc);
	if (rc != 0)
		goto done;
	if (rd->over_time) {
		status_set(st, "unparsed: PDF took over %d s to read",
		           PDFL_MAX_MS / 1000);
		rc = NB_ETOOBIG;
	} else if (rd->over_mem) {
		status_set(st, "unparsed: PDF needs over %u MB to read",
		           PDFL_MAX_MEM >> 20);
		rc = NB_ETOOBIG;
	} else if (failed >= 0 || rd->cookie.errors > 0) {
		status_set(st, "unparsed: PDF damaged (page %d: %s)",
		           (failed >= 0 ? failed : n - 1) + 1, rd->msg);
		rc = NB_EUNPARSED;
	} else if (text_reason(rd, n, st)) {
		rc = NB_EUNPARSED;
	} else if ((rc = pdfl_layout_finish(lay, idoc)) != 0 ||
	           indexer_doc_ngrids(idoc) > 0) {
		/* a table or an error */
	} else if (rd->images >= (size_t)n &&
	           rd->glyphs - rd->unmapped < SCAN_TEXT * (size_t)n) {
		/* scanned pages a tool stamped with page numbers or a header */
		status_set(st,
		           "unparsed: image-only PDF (%d pages, %zu images, "
		           "%zu characters of text)",
		           n, rd->images, rd->glyphs - rd->unmapped);
		rc = NB_EUNPARSED;
	} else if (tables_in_text(idoc)) {
		status_set(st, "unparsed: PDF tables without drawn borders "
		               "(cells cannot be placed by position)");
		rc = NB_EUNPARSED;
	}
done:
	free(pg.g);
	free(pg.r);
	pdfl_layout_free(lay);
	return rc;
}

int
read_pdf(const void *data, size_t len, struct indexer_doc *idoc,
         struct indexer_status *st)
{
	struct reader *rd = calloc(1, sizeof(*rd));
	fz_alloc_context alloc = {rd, mem_malloc, mem_realloc, mem_free};
	fz_document *volatile doc = NULL;
	fz_stream *volatile stm = NULL;
	fz_context *ctx;
	int rc = 0;

	if (rd == NULL)
		return NB_ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &rd->end);
	rd->end.tv_sec += PDFL_MAX_MS / 1000;
	ctx = rd->ctx = fz_new_context(&alloc, NULL, STORE_MAX);
	if (ctx == NULL) {
		free(rd);
		return NB_ENOMEM;
	}
	fz_set_warning_callback(ctx, on_message, rd);
	fz_set_error_callback(ctx, on_message, rd);
	fz_try(ctx)
	{
		stm = fz_open_memory(ctx, data, len);
		doc = (fz_document *)pdf_open_document_with_stream(ctx, stm);
	}
	fz_catch(ctx)
	{
		if (rd->over_mem || rd->over_time) {
			status_set(st, "unparsed: PDF over the %s limit",
			           rd->over_mem ? "memory" : "time");
			rc = NB_ETOOBIG;
		} else {
			status_set(st, "unparsed: PDF damaged (%s)",
			           fz_caught_message(ctx));
			rc = NB_EUNPARSED;
		}
		goto done;
	}
	if (fz_needs_password(ctx, doc) &&
	    !fz_authenticate_password(ctx, doc, "")) {
		status_set(st, "unparsed: PDF encrypted (password required)");
		rc = NB_EUNPARSED;
		goto done;
	}
	rc = meta_title(rd, doc, idoc);
	if (rc == 0)
		rc = read_pages(rd, doc, idoc, st);
done:
	fz_drop_document(ctx, doc);
	fz_drop_stream(ctx, stm);
	fz_drop_context(ctx);
	free(rd);
	return rc;
}
