/*
 * pdflayout.c - paragraphs and tables from glyph and rule positions.
 *
 * Tables are found by their drawn borders.  Rule segments that touch form
 * a table; the distinct x of its vertical rules and y of its horizontal
 * rules cut it into a fine grid, and two neighbouring slots of that grid
 * belong to one cell exactly when no rule separates them.  So rowspan and
 * colspan come from the drawing, a glyph lands in the cell its position
 * says, and a cell with no glyph is blank: nothing is placed by counting.
 *
 * Text outside tables becomes lines (glyphs sharing a baseline) and lines
 * become paragraphs (a line that fills the text width continues into the
 * next one of the same size).  Page numbers (- 2 -, 第2页) and running
 * headers or footers repeated on several pages are dropped, so that a
 * table cut by a page break meets its continuation directly: the two
 * parts are joined into one grid, a header row repeated on the new page
 * is read once, and a row the break cut in two is one row again.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "internal.h"
#include "pdf.h"

/* Distances in points. */
#define TOL        2.0f /* rules this close are one border */
#define EDGE_MATCH 4.0f /* cell borders of two table parts this close meet */
#define MIN_SLOT   4.5f /* narrower than any cell that holds text */
/* A cut row fills its page: its bottom is this close to the lowest
   content of any page (glyph boxes of prose reach a little lower). */
#define CUT_SLACK 12.0f

struct tcell {
	float x0, x1;    /* left and right border */
	uint32_t r0, r1; /* rows [r0, r1) */
	char *text;
};

struct table {
	struct tcell *c;
	size_t n, cap;
	uint32_t nrows;
	float x0, x1; /* outer borders */
	float bottom; /* of its last part, on that part's page */
};

enum { IT_LINE, IT_TABLE };

struct item {
	int kind;
	int page;
	float y0, y1; /* extent on the page */
	/* IT_LINE */
	float x0, x1, size, base;
	char *text;
	int drop; /* page furniture */
	/* IT_TABLE */
	struct table *t;
};

struct pageinfo {
	float w, h;
	float left, right; /* extent of the text lines outside tables */
};

struct pdfl_layout {
	struct item *it;
	size_t n, cap;
	struct pageinfo *pages;
	size_t npages, cap_pages;
	size_t text; /* bytes of text kept */
};

/* ---- small helpers ---- */

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	p = realloc(*v, c * size);
	if (p == NULL)
		return NB_ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->c[i].text);
	free(t->c);
	free(t);
}

int
pdfl_layout_new(struct pdfl_layout **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : NB_ENOMEM;
}

void
pdfl_layout_free(struct pdfl_layout *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->it[i].text);
		table_free(l->it[i].t);
	}
	free(l->it);
	free(l->pages);
	free(l);
}

/* Union-find over indices. */
static size_t
uf_find(size_t *p, size_t i)
{
	while (p[i] != i) {
		p[i] = p[p[i]];
		i = p[i];
	}
	return i;
}

static void
uf_join(size_t *p, size_t a, size_t b)
{
	a = uf_find(p, a);
	b = uf_find(p, b);
	if (a != b)
		p[a < b ? b : a] = a < b ? a : b;
}

/* ---- text of a set of glyphs ---- */

static int
cmp_base(const void *a, const void *b)
{
	const struct pdfl_glyph *x = *(const struct pdfl_glyph *const *)a;
	const struct pdfl_glyph *y = *(const struct pdfl_glyph *const *)b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

static int
cmp_x(const void *a, const void *b)
{
	const struct pdfl_glyph *x = *(const struct pdfl_glyph *const *)a;
	const struct pdfl_glyph *y = *(const struct pdfl_glyph *const *)b;

	return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

/* End of the line that starts at g[i]: glyphs on about one baseline. */
static size_t
line_end(struct pdfl_glyph **g, size_t i, size_t n)
{
	float base = g[i]->base, size = g[i]->size;
	size_t j = i + 1;

	while (j < n && g[j]->base - base <= 0.4f * fmaxf(size, g[j]->size))
		j++;
	return j;
}

/*
 * The text of g[0..n) (sorted here): lines top to bottom joined by "\n",
 * glyphs left to right with a space where a gap shows one.  A glyph drawn
 * twice on itself (fake bold) counts once.
 */
static int
glyph_text(struct pdfl_glyph **g, size_t n, struct nb_buf *out)
{
	int rc = 0;

	if (n == 0)
		return 0;
	qsort(g, n, sizeof(*g), cmp_base);
	for (size_t i = 0; i < n && rc == 0;) {
		size_t e = line_end(g, i, n);
		const struct pdfl_glyph *prev = NULL;

		qsort(g + i, e - i, sizeof(*g), cmp_x);
		if (out->len > 0)
			rc = nb_buf_add(out, "\n", 1);
		for (size_t k = i; k < e && rc == 0; k++) {
			char u[4];

			if (prev != NULL && g[k]->cp == prev->cp &&
			    g[k]->x0 - prev->x0 < 0.3f * g[k]->size)
				continue;
			if (prev != NULL &&
			    g[k]->x0 - prev->x1 > 0.3f * g[k]->size)
				rc = nb_buf_add(out, " ", 1);
			if (rc == 0)
				rc = nb_buf_add(out, u,
				                utf8_encode(g[k]->cp, u));
			prev = g[k];
		}
		i = e;
	}
	return rc;
}

/* ---- rules into tables ---- */

struct rules {
	struct pdfl_rule *h, *v; /* horizontal, vertical (merged) */
	size_t nh, nv;
};

static int
cmp_v(const void *a, const void *b)
{
	const struct pdfl_rule *x = a, *y = b;

	if (x->x0 != y->x0)
		return x->x0 < y->x0 ? -1 : 1;
	return x->y0 < y->y0 ? -1 : x->y0 > y->y0;
}

static int
cmp_lo(const void *a, const void *b)
{
	const struct pdfl_rule *x = a, *y = b;

	return x->y0 < y->y0 ? -1 : x->y0 > y->y0;
}

/*
 * Join the pieces of one line drawn as several segments: rules sorted by
 * position (x0 of vertical ones) are taken in runs at about one position,
 * and within a run the intervals [y0, y1] that overlap or nearly touch
 * become one.  Horizontal rules go through it with x and y swapped.
 */
static size_t
merge_rules(struct pdfl_rule *r, size_t n)
{
	size_t o = 0, i = 0;

	qsort(r, n, sizeof(*r), cmp_v);
	while (i < n) {
		size_t j = i + 1;

		while (j < n && r[j].x0 - r[j - 1].x0 <= 0.75f)
			j++;
		qsort(r + i, j - i, sizeof(*r), cmp_lo);
		for (size_t k = i; k < j; k++) {
			if (o > 0 && k > i && r[k].y0 <= r[o - 1].y1 + 1.5f) {
				r[o - 1].y1 = fmaxf(r[o - 1].y1, r[k].y1);
				continue;
			}
			r[o++] = r[k];
		}
		i = j;
	}
	return o;
}

static void
swap_xy(struct pdfl_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pdfl_rule t = r[i];

		r[i].x0 = t.y0;
		r[i].x1 = t.y1;
		r[i].y0 = t.x0;
		r[i].y1 = t.x1;
	}
}

static int
split_rules(const struct pdfl_page *pg, struct rules *rs)
{
	rs->nh = rs->nv = 0;
	rs->h = malloc((pg->nr + 1) * sizeof(*rs->h));
	rs->v = malloc((pg->nr + 1) * sizeof(*rs->v));
	if (rs->h == NULL || rs->v == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < pg->nr; i++) {
		const struct pdfl_rule *r = &pg->r[i];

		if (!isfinite(r->x0) || !isfinite(r->x1) || !isfinite(r->y0) ||
		    !isfinite(r->y1))
			continue;
		if (r->y1 - r->y0 < 0.01f && r->x1 - r->x0 >= 3)
			rs->h[rs->nh++] = *r;
		else if (r->x1 - r->x0 < 0.01f && r->y1 - r->y0 >= 3)
			rs->v[rs->nv++] = *r;
	}
	swap_xy(rs->h, rs->nh);
	rs->nh = merge_rules(rs->h, rs->nh);
	swap_xy(rs->h, rs->nh);
	rs->nv = merge_rules(rs->v, rs->nv);
	return 0;
}

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* Sorted distinct positions, TOL apart at least (each the mean of its
 * cluster).  Returns the count. */
static size_t
cluster(float *x, size_t n)
{
	size_t o = 0, i = 0;

	qsort(x, n, sizeof(*x), cmp_float);
	while (i < n) {
		float first = x[i], sum = 0;
		size_t j = i;

		while (j < n && x[j] - first <= TOL)
			sum += x[j++];
		x[o++] = sum / (float)(j - i);
		i = j;
	}
	return o;
}

/*
 * Borders closer than any text could sit between are one border drawn
 * twice (a double rule): a slot that thin would be an empty column in
 * every row, and a row's values would no longer follow its label.
 * x[0..n) sorted; returns the count kept.
 */
static size_t
thin_out(float *x, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		if (o == 0 || x[i] - x[o - 1] >= MIN_SLOT)
			x[o++] = x[i];
	return o;
}

/* Index of the position in x[0..n) nearest v. */
static size_t
nearest(const float *x, size_t n, float v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return n - 1;
	if (lo > 0 && v - x[lo - 1] < x[lo] - v)
		return lo - 1;
	return lo;
}

/* The slot of v between borders x[0..n] (n slots), v inside them. */
static size_t
slot_of(const float *x, size_t n, float v)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v > x[mid + 1])
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A table cut by a page break may leave its cut edge undrawn: a browser
 * draws no top border on the page a table goes on, yet the column rules
 * run up to where the first row starts.  The far ends of the crossing
 * rules (vertical ones for y = 1, horizontal ones for x = 0) then close
 * the table, so its first or last row is not lost.  pos[0..n) are the
 * borders; room for two more.  Returns the new count.
 */
static size_t
open_edges(float *pos, size_t n, const struct pdfl_rule *r, const size_t *idx,
           size_t nr, int y)
{
	float lo = INFINITY, hi = -INFINITY, min = INFINITY, max = -INFINITY;

	for (size_t i = 0; i < n; i++) {
		min = fminf(min, pos[i]);
		max = fmaxf(max, pos[i]);
	}
	for (size_t i = 0; i < nr; i++) {
		const struct pdfl_rule *x = &r[idx[i]];

		lo = fminf(lo, y ? x->y0 : x->x0);
		hi = fmaxf(hi, y ? x->y1 : x->x1);
	}
	if (lo < min - 3 * TOL)
		pos[n++] = lo;
	if (hi > max + 3 * TOL)
		pos[n++] = hi;
	return n;
}

/* Does every cell (slots sharing a root) fill its bounding rectangle?
 * 1 yes, 0 no, NB_ENOMEM. */
static int
rectangles(const size_t *cell, size_t nx, size_t ny)
{
	size_t slots = nx * ny, *n = calloc(slots, sizeof(*n) * 5);
	size_t *r1, *c0, *c1, *r0;
	int ok = 1;

	if (n == NULL)
		return NB_ENOMEM;
	r0 = n + slots;
	r1 = r0 + slots;
	c0 = r1 + slots;
	c1 = c0 + slots;
	for (size_t s = 0; s < slots; s++) {
		size_t k = cell[s], r = s / nx, c = s % nx;

		if (n[k]++ == 0) {
			r0[k] = r1[k] = r;
			c0[k] = c1[k] = c;
		}
		r0[k] = r < r0[k] ? r : r0[k];
		r1[k] = r > r1[k] ? r : r1[k];
		c0[k] = c < c0[k] ? c : c0[k];
		c1[k] = c > c1[k] ? c : c1[k];
	}
	for (size_t k = 0; k < slots && ok; k++)
		if (n[k] > 0 &&
		    n[k] != (r1[k] - r0[k] + 1) * (c1[k] - c0[k] + 1))
			ok = 0;
	free(n);
	return ok;
}

/* One table: its rules (indices into rs) and what the fine grid makes of
 * them. */
struct tbuild {
	float *xs, *ys;         /* borders: n columns have n + 1 */
	unsigned char *vb, *hb; /* drawn: vertical, horizontal border parts */
	size_t *cell;           /* fine slot -> cell root */
	struct pdfl_glyph ***cg;
	size_t *ncg, *capcg;
};

static void
tbuild_free(struct tbuild *b, size_t slots)
{
	free(b->xs);
	free(b->ys);
	free(b->vb);
	free(b->hb);
	free(b->cell);
	if (b->cg != NULL)
		for (size_t i = 0; i < slots; i++)
			free(b->cg[i]);
	free(b->cg);
	free(b->ncg);
	free(b->capcg);
}

/*
 * Build the table of one group of rules: hi/vi list the group's rules.
 * Glyphs inside it are taken (used[i] set); *kept counts the bytes of
 * text.  *out is NULL when the rules make no table (a frame around one
 * box of text, too big a grid).
 */
static int
table_build(const struct rules *rs, const size_t *hi, size_t nh,
            const size_t *vi, size_t nv, struct pdfl_page *pg,
            unsigned char *used, size_t *kept, struct table **out)
{
	struct tbuild b = {0};
	struct table *t = NULL;
	size_t nx, ny, slots = 0;
	int rc = NB_ENOMEM;

	*out = NULL;
	if ((b.xs = malloc((nv + 2) * sizeof(float))) == NULL ||
	    (b.ys = malloc((nh + 2) * sizeof(float))) == NULL)
		goto done;
	for (size_t i = 0; i < nv; i++)
		b.xs[i] = rs->v[vi[i]].x0;
	for (size_t i = 0; i < nh; i++)
		b.ys[i] = rs->h[hi[i]].y0;
	nx = open_edges(b.xs, nv, rs->h, hi, nh, 0);
	ny = open_edges(b.ys, nh, rs->v, vi, nv, 1);
	nx = thin_out(b.xs, cluster(b.xs, nx));
	ny = thin_out(b.ys, cluster(b.ys, ny));
	rc = 0;
	if (nx < 2 || ny < 2 || (nx == 2 && ny == 2))
		goto done;
	nx--;
	ny--;
	if (nx > INDEXER_MAX_COLS || nx * ny > INDEXER_MAX_CELLS)
		goto done;
	slots = nx * ny;
	rc = NB_ENOMEM;
	b.vb = calloc(ny * (nx + 1), 1);
	b.hb = calloc((ny + 1) * nx, 1);
	b.cell = malloc(slots * sizeof(*b.cell));
	b.cg = calloc(slots, sizeof(*b.cg));
	b.ncg = calloc(slots, sizeof(*b.ncg));
	b.capcg = calloc(slots, sizeof(*b.capcg));
	if (!b.vb || !b.hb || !b.cell || !b.cg || !b.ncg || !b.capcg)
		goto done;
	/* which borders are drawn: a rule covering a slot's middle */
	for (size_t i = 0; i < nv; i++) {
		const struct pdfl_rule *r = &rs->v[vi[i]];
		size_t c = nearest(b.xs, nx + 1, r->x0);

		for (size_t j = 0; j < ny; j++) {
			float mid = (b.ys[j] + b.ys[j + 1]) / 2;

			if (mid >= r->y0 - 0.5f && mid <= r->y1 + 0.5f)
				b.vb[j * (nx + 1) + c] = 1;
		}
	}
	for (size_t i = 0; i < nh; i++) {
		const struct pdfl_rule *r = &rs->h[hi[i]];
		size_t k = nearest(b.ys, ny + 1, r->y0);

		for (size_t c = 0; c < nx; c++) {
			float mid = (b.xs[c] + b.xs[c + 1]) / 2;

			if (mid >= r->x0 - 0.5f && mid <= r->x1 + 0.5f)
				b.hb[k * nx + c] = 1;
		}
	}
	for (size_t s = 0; s < slots; s++)
		b.cell[s] = s;
	for (size_t j = 0; j < ny; j++)
		for (size_t c = 0; c < nx; c++) {
			if (c + 1 < nx && !b.vb[j * (nx + 1) + c + 1])
				uf_join(b.cell, j * nx + c, j * nx + c + 1);
			if (j + 1 < ny && !b.hb[(j + 1) * nx + c])
				uf_join(b.cell, j * nx + c, (j + 1) * nx + c);
		}
	for (size_t s = 0; s < slots; s++)
		b.cell[s] = uf_find(b.cell, s);
	/* a merged area that is no rectangle cannot be one cell: then every
	   slot is a cell of its own */
	if ((rc = rectangles(b.cell, nx, ny)) < 0)
		goto done;
	if (rc == 0)
		for (size_t s = 0; s < slots; s++)
			b.cell[s] = s;
	rc = NB_ENOMEM;
	/* glyphs into the cells their centres fall in */
	for (size_t i = 0; i < pg->ng; i++) {
		struct pdfl_glyph *g = &pg->g[i];
		float cx = (g->x0 + g->x1) / 2, cy = (g->y0 + g->y1) / 2;
		size_t c, r, s;

		if (used[i] || cx < b.xs[0] || cx > b.xs[nx] || cy < b.ys[0] ||
		    cy > b.ys[ny])
			continue;
		c = slot_of(b.xs, nx, cx);
		r = slot_of(b.ys, ny, cy);
		s = b.cell[r * nx + c];
		if (grow((void **)&b.cg[s], &b.capcg[s], b.ncg[s],
		         sizeof(*b.cg[s])) != 0)
			goto done;
		b.cg[s][b.ncg[s]++] = g;
		used[i] = 1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto done;
	t->nrows = (uint32_t)ny;
	t->x0 = b.xs[0];
	t->x1 = b.xs[nx];
	t->bottom = b.ys[ny];
	for (size_t s = 0; s < slots; s++) {
		size_t r0 = s / nx, c0 = s % nx, r1 = r0, c1 = c0;
		struct nb_buf text;
		struct tcell *tc;

		if (b.cell[s] != s)
			continue;
		while (c1 + 1 < nx && b.cell[r0 * nx + c1 + 1] == s)
			c1++;
		while (r1 + 1 < ny && b.cell[(r1 + 1) * nx + c0] == s)
			r1++;
		if (grow((void **)&t->c, &t->cap, t->n, sizeof(*t->c)) != 0)
			goto done;
		nb_buf_init(&text, INDEXER_MAX_TEXT);
		if ((rc = glyph_text(b.cg[s], b.ncg[s], &text)) != 0) {
			nb_buf_free(&text);
			goto done;
		}
		*kept += text.len;
		if (*kept > INDEXER_MAX_TEXT) {
			nb_buf_free(&text);
			rc = NB_ETOOBIG;
			goto done;
		}
		rc = NB_ENOMEM;
		tc = &t->c[t->n++];
		tc->x0 = b.xs[c0];
		tc->x1 = b.xs[c1 + 1];
		tc->r0 = (uint32_t)r0;
		tc->r1 = (uint32_t)r1 + 1;
		tc->text = nb_buf_take(&text, NULL);
		if (tc->text == NULL) {
			t->n--;
			goto done;
		}
	}
	*out = t;
	t = NULL;
	rc = 0;
done:
	table_free(t);
	tbuild_free(&b, slots);
	return rc;
}

/* ---- one page ---- */

static int
add_item(struct pdfl_layout *l, const struct item *it)
{
	if (grow((void **)&l->it, &l->cap, l->n, sizeof(*l->it)) != 0)
		return NB_ENOMEM;
	l->it[l->n++] = *it;
	return 0;
}

/* Group the rules into tables (rules that touch belong together). */
static int
page_tables(struct pdfl_layout *l, struct pdfl_page *pg, unsigned char *used)
{
	struct rules rs = {0};
	size_t *p = NULL, *hi = NULL, *vi = NULL, n;
	int rc;

	if ((rc = split_rules(pg, &rs)) != 0)
		goto done;
	n = rs.nh + rs.nv;
	rc = NB_ENOMEM;
	if ((p = malloc((n + 1) * sizeof(*p))) == NULL ||
	    (hi = malloc((rs.nh + 1) * sizeof(*hi))) == NULL ||
	    (vi = malloc((rs.nv + 1) * sizeof(*vi))) == NULL)
		goto done;
	for (size_t i = 0; i < n; i++)
		p[i] = i;
	for (size_t i = 0; i < rs.nh; i++)
		for (size_t k = 0; k < rs.nv; k++) {
			const struct pdfl_rule *h = &rs.h[i], *v = &rs.v[k];

			if (v->x0 >= h->x0 - TOL && v->x0 <= h->x1 + TOL &&
			    h->y0 >= v->y0 - TOL && h->y0 <= v->y1 + TOL)
				uf_join(p, i, rs.nh + k);
		}
	rc = 0;
	for (size_t root = 0; root < n && rc == 0; root++) {
		size_t nh = 0, nv = 0;
		struct table *t;
		struct item it = {.kind = IT_TABLE};

		if (uf_find(p, root) != root)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (uf_find(p, i) != root)
				continue;
			if (i < rs.nh)
				hi[nh++] = i;
			else
				vi[nv++] = i - rs.nh;
		}
		if (nh < 2 || nv < 2)
			continue;
		rc = table_build(&rs, hi, nh, vi, nv, pg, used, &l->text, &t);
		if (rc != 0 || t == NULL)
			continue;
		it.page = (int)l->npages;
		it.t = t;
		it.y0 = it.y1 = rs.h[hi[0]].y0;
		for (size_t i = 0; i < nh; i++) {
			it.y0 = fminf(it.y0, rs.h[hi[i]].y0);
			it.y1 = fmaxf(it.y1, rs.h[hi[i]].y0);
		}
		if ((rc = add_item(l, &it)) != 0)
			table_free(t);
	}
done:
	free(rs.h);
	free(rs.v);
	free(p);
	free(hi);
	free(vi);
	return rc;
}

/* The glyphs no table took, as lines. */
static int
page_lines(struct pdfl_layout *l, struct pdfl_page *pg,
           const unsigned char *used)
{
	struct pdfl_glyph **g = malloc((pg->ng + 1) * sizeof(*g));
	struct pageinfo *pi = &l->pages[l->npages];
	size_t n = 0;
	int rc = 0;

	if (g == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < pg->ng; i++)
		if (!used[i])
			g[n++] = &pg->g[i];
	qsort(g, n, sizeof(*g), cmp_base);
	for (size_t i = 0; i < n && rc == 0;) {
		size_t e = line_end(g, i, n);
		struct item it = {.kind = IT_LINE, .page = (int)l->npages};
		struct nb_buf text;

		it.x0 = it.y0 = INFINITY;
		it.x1 = it.y1 = -INFINITY;
		for (size_t k = i; k < e; k++) {
			it.x0 = fminf(it.x0, g[k]->x0);
			it.x1 = fmaxf(it.x1, g[k]->x1);
			it.y0 = fminf(it.y0, g[k]->y0);
			it.y1 = fmaxf(it.y1, g[k]->y1);
			it.size = fmaxf(it.size, g[k]->size);
		}
		it.base = g[i]->base;
		nb_buf_init(&text, INDEXER_MAX_TEXT);
		rc = glyph_text(g + i, e - i, &text);
		l->text += text.len;
		if (rc == 0 && l->text > INDEXER_MAX_TEXT)
			rc = NB_ETOOBIG;
		if (rc == 0 && (it.text = nb_buf_take(&text, NULL)) == NULL)
			rc = NB_ENOMEM;
		nb_buf_free(&text);
		if (rc == 0 && (rc = add_item(l, &it)) != 0)
			free(it.text);
		if (rc == 0) {
			pi->left = fminf(pi->left, it.x0);
			pi->right = fmaxf(pi->right, it.x1);
		}
		i = e;
	}
	free(g);
	return rc;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->page != y->page)
		return x->page < y->page ? -1 : 1;
	if (x->y0 != y->y0)
		return x->y0 < y->y0 ? -1 : 1;
	return x->kind - y->kind;
}

int
pdfl_layout_page(struct pdfl_layout *l, struct pdfl_page *pg)
{
	unsigned char *used;
	size_t first = l->n;
	int rc;

	if (grow((void **)&l->pages, &l->cap_pages, l->npages,
	         sizeof(*l->pages)) != 0)
		return NB_ENOMEM;
	l->pages[l->npages] = (struct pageinfo){
	    .w = pg->w, .h = pg->h, .left = INFINITY, .right = -INFINITY};
	if ((used = calloc(pg->ng + 1, 1)) == NULL)
		return NB_ENOMEM;
	rc = page_tables(l, pg, used);
	if (rc == 0)
		rc = page_lines(l, pg, used);
	free(used);
	if (rc == 0 && l->n > first)
		qsort(l->it + first, l->n - first, sizeof(*l->it), cmp_item);
	l->npages++;
	return rc;
}

/* ---- page furniture ---- */

/* "- 2 -", "— 2 —", "2", "第2页", "第 2 页 共 5 页", "2/5", "Page 2". */
static int
is_page_number(const char *text)
{
	size_t n = strlen(text);
	char *c = malloc(3 * n + 1); /* room for U+FFFD per byte */
	const char *p;
	int digits = 0, ok;

	if (c == NULL)
		return 0;
	clean_text(text, n, c);
	p = c;
	if (strncmp(p, "第", 3) == 0)
		p += 3;
	else if (strncasecmp(p, "page", 4) == 0)
		p += 4;
	while (*p == '-' || *p == '~' || *p == '.' ||
	       strncmp(p, "\xe2\x80\x94", 3) == 0 || /* — */
	       strncmp(p, "\xe2\x80\x93", 3) == 0 || /* – */
	       strncmp(p, "\xe2\x94\x80", 3) == 0)   /* ─ */
		p += *p == '-' || *p == '~' || *p == '.' ? 1 : 3;
	while (*p >= '0' && *p <= '9' && digits < 5) {
		p++;
		digits++;
	}
	if (strncmp(p, "页", 3) == 0)
		p += 3;
	if (*p == '/') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	} else if (strncmp(p, "共", 3) == 0) {
		p += 3;
		while (*p >= '0' && *p <= '9')
			p++;
		if (strncmp(p, "页", 3) == 0)
			p += 3;
	}
	while (*p == '-' || *p == '~' || *p == '.' ||
	       strncmp(p, "\xe2\x80\x94", 3) == 0 ||
	       strncmp(p, "\xe2\x80\x93", 3) == 0 ||
	       strncmp(p, "\xe2\x94\x80", 3) == 0)
		p += *p == '-' || *p == '~' || *p == '.' ? 1 : 3;
	ok = digits > 0 && digits < 5 && *p == '\0';
	free(c);
	return ok;
}

/* Within the top or bottom tenth of its page. */
static int
in_band(const struct pdfl_layout *l, const struct item *it)
{
	const struct pageinfo *pi = &l->pages[it->page];
	float mid = (it->y0 + it->y1) / 2;

	return mid < 0.1f * pi->h || mid > 0.9f * pi->h;
}

/* Text of a header line compared across pages: without digits (page
 * numbers and dates inside running headers change). */
static char *
furniture_key(const char *text)
{
	size_t n = strlen(text), o = 0;
	char *c = malloc(3 * n + 1); /* room for U+FFFD per byte */

	if (c == NULL)
		return NULL;
	clean_text(text, n, c);
	for (size_t i = 0; c[i]; i++)
		if (c[i] < '0' || c[i] > '9')
			c[o++] = c[i];
	c[o] = '\0';
	return c;
}

static int
same_furniture(const struct pdfl_layout *l, char *const *key, size_t i,
               size_t k)
{
	const struct item *a = &l->it[i], *b = &l->it[k];

	return key[k] != NULL && fabsf(a->size - b->size) <= 0.1f * a->size &&
	       fabsf(a->base - b->base) <= 6 && strcmp(key[k], key[i]) == 0;
}

static int
mark_furniture(struct pdfl_layout *l)
{
	char **key = calloc(l->n + 1, sizeof(*key));

	if (key == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		struct item *it = &l->it[i];
		int edge = i == 0 || l->it[i - 1].page != it->page ||
		           i + 1 == l->n || l->it[i + 1].page != it->page;

		if (it->kind != IT_LINE)
			continue;
		if ((edge || in_band(l, it)) && is_page_number(it->text)) {
			it->drop = 1;
			continue;
		}
		if (in_band(l, it) &&
		    (key[i] = furniture_key(it->text)) == NULL)
			goto oom;
	}
	/* a band line seen on two pages or more, on half the pages at least,
	   at the same height and size (a title as large as a heading that
	   a running header repeats in small print is no furniture) */
	for (size_t i = 0; i < l->n; i++) {
		size_t pages = 1;
		int last = l->it[i].page;

		if (key[i] == NULL || key[i][0] == '\0' || l->it[i].drop)
			continue;
		for (size_t k = i + 1; k < l->n; k++)
			if (l->it[k].page != last &&
			    same_furniture(l, key, i, k)) {
				pages++;
				last = l->it[k].page;
			}
		if (pages < 2 || pages * 2 < l->npages)
			continue;
		for (size_t k = i; k < l->n; k++)
			if (k == i || same_furniture(l, key, i, k))
				l->it[k].drop = 1;
	}
	for (size_t i = 0; i < l->n; i++)
		free(key[i]);
	free(key);
	return 0;
oom:
	for (size_t i = 0; i < l->n; i++)
		free(key[i]);
	free(key);
	return NB_ENOMEM;
}

/* ---- tables over page breaks ---- */

static int
same_cell(const struct tcell *a, const struct tcell *b)
{
	return a->r0 == b->r0 && a->r1 == b->r1 &&
	       fabsf(a->x0 - b->x0) <= EDGE_MATCH &&
	       fabsf(a->x1 - b->x1) <= EDGE_MATCH &&
	       strcmp(a->text, b->text) == 0;
}

/* Rows [0, k) of t hold whole cells only. */
static int
rows_closed(const struct table *t, uint32_t k)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->c[i].r0 < k && t->c[i].r1 > k)
			return 0;
	return 1;
}

/* The number of header rows the continuation b repeats from a. */
static uint32_t
repeated_rows(const struct table *a, const struct table *b)
{
	for (uint32_t k = 4; k > 0; k--) {
		size_t na = 0, nb = 0, nonblank = 0;
		int ok = 1;

		if (k >= a->nrows || k >= b->nrows || !rows_closed(a, k) ||
		    !rows_closed(b, k))
			continue;
		for (size_t i = 0; i < a->n; i++)
			na += a->c[i].r1 <= k;
		for (size_t i = 0; i < b->n && ok; i++) {
			int found = 0;

			if (b->c[i].r1 > k)
				continue;
			nb++;
			nonblank += b->c[i].text[0] != '\0';
			for (size_t j = 0; j < a->n && !found; j++)
				found = same_cell(&b->c[i], &a->c[j]);
			ok = found;
		}
		if (ok && na == nb && nonblank > 0)
			return k;
	}
	return 0;
}

/* What a cell holds, for telling a row cut by the page from a new one. */

enum fill { F_BLANK, F_NUMBER, F_TEXT, F_LABEL };

/* F_LABEL: text that opens with a section or list number (2. （二） 二、),
 * the start of a row's label rather than the rest of one. */
static enum fill
cell_fill(const char *text)
{
	size_t n = strlen(text);
	char *c = malloc(3 * n + 1); /* room for U+FFFD per byte */
	struct num num;
	enum fill f = F_TEXT;

	if (c == NULL)
		return F_NUMBER; /* the safe answer: no join */
	if (clean_text(text, n, c) == 0) {
		f = F_BLANK;
	} else {
		num_parse(c, &num);
		if (num.kind == NUM_INT || num.kind == NUM_REAL)
			f = F_NUMBER;
		else if (clean_strip_number(c) != c)
			f = F_LABEL;
	}
	free(c);
	return f;
}

/*
 * Is the first row of b the rest of a's last row, cut by the page break?
 * Word, WPS, LibreOffice and browsers let a row break across pages: its
 * cells' lines are shared out between the two pages.  Such a cut fills
 * a's page to its last line, each cell of b's row (but blank ones) is
 * under one of a's, and no pair is two values or a label above a value
 * (that is a new row under a header); at least one label goes on from one
 * page to the next, and none on the new page opens with a number of its
 * own (2. （二）: the next row's label).  at[i] receives, for b's cell i in
 * its first row, the index of a's cell above it.
 */
static int
cut_row(const struct table *a, const struct table *b, float limit, size_t *at)
{
	size_t nb = 0, text = 0;

	if (a->bottom < limit - CUT_SLACK || a->nrows == 0 || b->nrows == 0)
		return 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct tcell *c = &b->c[i];
		enum fill fa, fb;
		size_t j;

		at[i] = SIZE_MAX;
		if (c->r0 != 0)
			continue;
		nb++;
		for (j = 0; j < a->n; j++)
			if (a->c[j].r1 == a->nrows &&
			    fabsf(a->c[j].x0 - c->x0) <= EDGE_MATCH &&
			    fabsf(a->c[j].x1 - c->x1) <= EDGE_MATCH)
				break;
		/* a blank cell where a drew none (a column left open) has
		   nothing to carry over */
		if (j == a->n && cell_fill(c->text) == F_BLANK)
			continue;
		if (j == a->n)
			return 0;
		at[i] = j;
		fa = cell_fill(a->c[j].text);
		fb = cell_fill(c->text);
		if ((fa == F_NUMBER && fb != F_BLANK) ||
		    (fb == F_NUMBER && fa != F_BLANK) || fb == F_LABEL)
			return 0;
		text += fa >= F_TEXT && fb == F_TEXT;
	}
	return nb > 0 && text > 0;
}

/* Has a a cell border at x? */
static int
has_border(const struct table *a, float x)
{
	for (size_t j = 0; j < a->n; j++)
		if (fabsf(a->c[j].x0 - x) <= TOL ||
		    fabsf(a->c[j].x1 - x) <= TOL)
			return 1;
	return 0;
}

/*
 * Is b, at the top of a page, the rest of a, which ended the page before?
 * b's left border is one of a's, and so are most of its column borders.
 * (The outer borders may differ: rows that leave out their last cells draw
 * none there, and a browser leaves a column whose cell spans over the page
 * break open on the new page.)
 */
static int
continued(const struct table *a, const struct table *b)
{
	float *x = malloc((2 * b->n + 1) * sizeof(*x));
	size_t n = 0, k, same = 0;

	if (x == NULL || !has_border(a, b->x0)) {
		free(x);
		return 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		x[n++] = b->c[i].x0;
		x[n++] = b->c[i].x1;
	}
	n = cluster(x, n);
	for (k = 1; k < n; k++)
		same += has_border(a, x[k]);
	free(x);
	return n < 2 || same * 2 >= n - 1;
}

/* Append continuation b to a (b is freed either way). */
static int
table_join(struct table *a, struct table *b, float limit)
{
	uint32_t skip = repeated_rows(a, b), shift;
	size_t *at = malloc((b->n + 1) * sizeof(*at));
	int cut, rc = 0;

	if (at == NULL) {
		table_free(b);
		return NB_ENOMEM;
	}
	/* b without the header rows it repeats */
	for (size_t i = 0; i < b->n; i++)
		if (b->c[i].r1 <= skip) {
			free(b->c[i].text);
			b->c[i--] = b->c[--b->n];
		} else {
			b->c[i].r0 -= skip;
			b->c[i].r1 -= skip;
		}
	b->nrows -= skip;
	cut = cut_row(a, b, limit, at);
	shift = cut ? a->nrows - 1 : a->nrows;
	for (size_t i = 0; i < b->n && rc == 0; i++) {
		struct tcell c = b->c[i];

		if (cut && c.r0 == 0 && at[i] != SIZE_MAX) {
			struct tcell *up = &a->c[at[i]];
			size_t la = strlen(up->text), lb = strlen(c.text);
			char *t = realloc(up->text, la + lb + 2);

			if (t == NULL) {
				rc = NB_ENOMEM;
				break;
			}
			if (la > 0 && lb > 0)
				t[la++] = '\n';
			memcpy(t + la, c.text, lb + 1);
			up->text = t;
			up->r1 = c.r1 + shift;
			continue;
		}
		if (grow((void **)&a->c, &a->cap, a->n, sizeof(*a->c)) != 0) {
			rc = NB_ENOMEM;
			break;
		}
		c.r0 += shift;
		c.r1 += shift;
		c.text = NULL;
		a->c[a->n] = c;
		a->c[a->n++].text = b->c[i].text;
		b->c[i].text = NULL;
	}
	if (rc == 0) {
		a->nrows = shift + b->nrows;
		a->bottom = b->bottom;
	}
	free(at);
	table_free(b);
	return rc;
}

static int
cmp_cell(const void *a, const void *b)
{
	const struct tcell *x = a, *y = b;

	if (x->r0 != y->r0)
		return x->r0 < y->r0 ? -1 : 1;
	return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

/*
 * The table as a grid.  Columns are the distinct borders of all its cells
 * (its parts may have been cut differently); a slot no cell reaches gets
 * a blank cell, so every cell keeps the columns its borders say.
 */
static int
table_emit(struct table *t, struct indexer_doc *doc)
{
	struct indexer_grid *g = NULL;
	float *xs = malloc((2 * t->n + 1) * sizeof(*xs));
	unsigned char *occ = NULL;
	size_t nx = 0, ncols;
	int rc = NB_ENOMEM;

	if (xs == NULL)
		goto fail;
	for (size_t i = 0; i < t->n; i++) {
		xs[nx++] = t->c[i].x0;
		xs[nx++] = t->c[i].x1;
	}
	nx = cluster(xs, nx);
	ncols = nx > 1 ? nx - 1 : 1;
	rc = NB_ETOOBIG;
	if (ncols > INDEXER_MAX_COLS ||
	    (size_t)t->nrows * ncols > INDEXER_MAX_CELLS)
		goto fail;
	rc = NB_ENOMEM;
	if ((occ = calloc((size_t)t->nrows * ncols + 1, 1)) == NULL)
		goto fail;
	if ((rc = indexer_grid_new(&g)) != 0)
		goto fail;
	if (t->n > 0)
		qsort(t->c, t->n, sizeof(*t->c), cmp_cell);
	for (uint32_t r = 0, i = 0; r < t->nrows; r++) {
		size_t col = 0;

		if ((rc = indexer_grid_row(g)) != 0)
			goto fail;
		for (; i < t->n && t->c[i].r0 == r; i++) {
			const struct tcell *c = &t->c[i];
			size_t c0 = nearest(xs, nx, c->x0);
			size_t c1 = nearest(xs, nx, c->x1);
			uint32_t r1 = c->r1 < t->nrows ? c->r1 : t->nrows;

			/* where the API puts the next cell: the first slot
			   no rowspan from above holds */
			while (col < ncols && occ[r * ncols + col])
				col++;
			while (col < c0 && col < ncols) {
				if ((rc = indexer_grid_cell(g, "", 0, 1, 1)) !=
				    0)
					goto fail;
				occ[r * ncols + col] = 1;
				while (col < ncols && occ[r * ncols + col])
					col++;
			}
			if (col >= ncols || c1 <= col)
				continue;
			rc = indexer_grid_cell(g, c->text, strlen(c->text),
			                       (int)(r1 - r), (int)(c1 - col));
			if (rc != 0)
				goto fail;
			for (uint32_t rr = r; rr < r1; rr++)
				for (size_t cc = col; cc < c1; cc++)
					occ[rr * ncols + cc] = 1;
		}
	}
	free(xs);
	free(occ);
	return indexer_doc_add_grid(doc, g);
fail:
	indexer_grid_free(g);
	free(xs);
	free(occ);
	return rc;
}

/* ---- the document ---- */

struct emit {
	struct pdfl_layout *l;
	struct indexer_doc *doc;
	struct nb_buf para;
	const struct item *last; /* last line of the open paragraph */
	struct table *open;      /* table that may continue on the next page */
	int open_page;
	float limit; /* the lowest content of any page: where pages end */
};

static int
flush_para(struct emit *e)
{
	int rc = 0;

	if (e->last != NULL)
		rc = indexer_doc_add_para(
		    e->doc, e->para.data ? e->para.data : "", e->para.len);
	nb_buf_reset(&e->para);
	e->last = NULL;
	return rc;
}

static int
flush_table(struct emit *e)
{
	int rc = 0;

	if (e->open != NULL)
		rc = table_emit(e->open, e->doc);
	table_free(e->open);
	e->open = NULL;
	return rc;
}

/* Does line b carry on the paragraph whose last line is a? */
static int
continues(const struct pdfl_layout *l, const struct item *a,
          const struct item *b)
{
	const struct pageinfo *pi = &l->pages[a->page];

	return a->page == b->page &&
	       fabsf(a->size - b->size) <= 0.15f * a->size &&
	       b->base > a->base && b->base - a->base <= 2.2f * a->size &&
	       a->x1 >= pi->right - 1.5f * a->size;
}

static int
ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int
emit_line(struct emit *e, const struct item *it)
{
	int rc = 0;

	if (e->last != NULL && !continues(e->l, e->last, it) &&
	    (rc = flush_para(e)) != 0)
		return rc;
	if (e->last != NULL && e->para.len > 0 &&
	    ascii_alnum((unsigned char)e->para.data[e->para.len - 1]) &&
	    ascii_alnum((unsigned char)it->text[0]))
		rc = nb_buf_add(&e->para, " ", 1);
	if (rc == 0)
		rc = nb_buf_adds(&e->para, it->text);
	e->last = it;
	return rc;
}

int
pdfl_layout_finish(struct pdfl_layout *l, struct indexer_doc *doc)
{
	struct emit e = {.l = l, .doc = doc, .open_page = -1};
	int rc, page = -1, first = 0;

	if ((rc = mark_furniture(l)) != 0)
		return rc;
	nb_buf_init(&e.para, INDEXER_MAX_TEXT);
	for (size_t i = 0; i < l->n; i++)
		if (!l->it[i].drop)
			e.limit = fmaxf(e.limit, l->it[i].y1);
	for (size_t i = 0; i < l->n && rc == 0; i++) {
		struct item *it = &l->it[i];

		if (it->drop)
			continue;
		first = it->page != page;
		page = it->page;
		if (it->kind == IT_LINE) {
			if ((rc = flush_table(&e)) == 0)
				rc = emit_line(&e, it);
			continue;
		}
		if ((rc = flush_para(&e)) != 0)
			break;
		if (e.open != NULL && first && e.open_page == it->page - 1 &&
		    continued(e.open, it->t)) {
			rc = table_join(e.open, it->t, e.limit);
		} else if ((rc = flush_table(&e)) == 0) {
			e.open = it->t;
		} else {
			table_free(it->t);
		}
		it->t = NULL;
		e.open_page = it->page;
	}
	if (rc == 0)
		rc = flush_table(&e);
	if (rc == 0)
		rc = flush_para(&e);
	table_free(e.open);
	nb_buf_free(&e.para);
	return rc;
}
