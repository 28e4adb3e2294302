/*
 * doc.c - the document model every reader fills: paragraphs, grids, meta.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- arena ---- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	char data[];
};

#define ARENA_CHUNK 16384

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = 0;
}

static char *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;

	if (c == NULL || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (c == NULL)
			return NULL;
		c->size = size;
		c->used = 0;
		if (size == n && a->head != NULL) {
			/* a big string gets its own chunk behind the current */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	c->used += n;
	a->used += n;
	return c->data + c->used - n;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t valid = utf8_valid_prefix((const unsigned char *)s, n);
	char *p;

	if (valid == n) {
		p = arena_alloc(a, n + 1);
		if (p == NULL)
			return NULL;
		memcpy(p, s, n);
		p[n] = '\0';
		return p;
	}
	/* each invalid byte becomes U+FFFD (3 bytes) */
	p = arena_alloc(a, 3 * n + 1);
	if (p != NULL) {
		const unsigned char *u = (const unsigned char *)s;
		size_t i = 0, o = 0;

		while (i < n) {
			uint32_t cp;
			size_t l = utf8_decode(u + i, n - i, &cp);

			if (cp == 0xFFFD)
				o += utf8_encode(cp, p + o);
			else {
				memcpy(p + o, s + i, l);
				o += l;
			}
			i += l;
		}
		p[o] = '\0';
	}
	return p;
}

char *
arena_strcap(struct arena *a, const char *s, size_t n, size_t max)
{
	char *p;

	if (n <= max)
		return arena_strndup(a, s, n);
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	p = arena_strndup(a, s, max + 3);
	if (p != NULL)
		memcpy(p + strlen(p) - 3, "\xE2\x80\xA6", 3); /* … */
	return p;
}

int
buf_add_capped(struct nb_buf *b, const void *p, size_t n, size_t cap)
{
	if (b->len >= cap + 4)
		return 0;
	if (n > cap + 4 - b->len)
		n = cap + 4 - b->len;
	return nb_buf_add(b, p, n);
}

/* ---- grids ---- */

int
indexer_grid_new(struct indexer_grid **out)
{
	struct indexer_grid *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NB_ENOMEM;
	*out = g;
	return 0;
}

void
indexer_grid_free(struct indexer_grid *g)
{
	if (g == NULL)
		return;
	arena_free(&g->arena);
	free(g->slots);
	free(g);
}

/* Make room for rows x cols slots, keeping the contents in place. */
static int
grid_reserve(struct indexer_grid *g, size_t rows, size_t cols)
{
	size_t nr = g->cap_rows, nc = g->cap_cols;
	struct grid_slot *s;

	if (rows <= nr && cols <= nc)
		return 0;
	if (cols > INDEXER_MAX_COLS)
		return NB_ETOOBIG;
	while (nr < rows)
		nr = nr ? nr * 2 : 16;
	while (nc < cols)
		nc = nc ? nc * 2 : 8;
	if (nc > INDEXER_MAX_COLS)
		nc = INDEXER_MAX_COLS;
	if (nr * nc > INDEXER_MAX_CELLS) {
		nr = INDEXER_MAX_CELLS / nc;
		if (nr < rows)
			return NB_ETOOBIG;
	}
	s = calloc(nr * nc, sizeof(*s));
	if (s == NULL)
		return NB_ENOMEM;
	for (size_t r = 0; r < g->cap_rows; r++)
		memcpy(s + r * nc, g->slots + r * g->cap_cols,
		       g->cap_cols * sizeof(*s));
	free(g->slots);
	g->slots = s;
	g->cap_rows = nr;
	g->cap_cols = nc;
	return 0;
}

int
indexer_grid_row(struct indexer_grid *g)
{
	int rc = grid_reserve(g, g->cur + 1, g->cap_cols ? g->cap_cols : 1);

	if (rc != 0)
		return rc;
	g->cur++;
	if (g->nrows < g->cur)
		g->nrows = g->cur;
	return 0;
}

int
indexer_grid_cell(struct indexer_grid *g, const char *text, size_t len,
                  int rowspan, int colspan)
{
	size_t r, c, rs, cs;
	const char *t;
	int rc;

	if (g->cur == 0 && (rc = indexer_grid_row(g)) != 0)
		return rc;
	if (++g->ncell > INDEXER_MAX_CELLS)
		return NB_ETOOBIG;
	r = g->cur - 1;
	rs = rowspan < 1                  ? 1
	     : rowspan > INDEXER_MAX_SPAN ? INDEXER_MAX_SPAN
	                                  : rowspan;
	cs = colspan < 1                  ? 1
	     : colspan > INDEXER_MAX_SPAN ? INDEXER_MAX_SPAN
	                                  : colspan;
	/* the first free column of this row */
	for (c = 0; c < g->cap_cols && g->slots[r * g->cap_cols + c].text; c++)
		;
	if (c >= INDEXER_MAX_COLS)
		return NB_ETOOBIG;
	if (c + cs > INDEXER_MAX_COLS)
		cs = INDEXER_MAX_COLS - c;
	if ((rc = grid_reserve(g, r + rs, c + cs)) != 0)
		return rc;
	t = arena_strcap(&g->arena, text ? text : "", text ? len : 0,
	                 INDEXER_MAX_CELL_TEXT);
	if (t == NULL)
		return NB_ENOMEM;
	if (g->arena.used > INDEXER_MAX_TEXT)
		return NB_ETOOBIG;
	for (size_t i = r; i < r + rs; i++)
		for (size_t j = c; j < c + cs; j++) {
			struct grid_slot *s = &g->slots[i * g->cap_cols + j];

			/* overlapping spans: the earlier cell keeps the slot */
			if (s->text != NULL)
				continue;
			s->text = t;
			s->r0 = r;
			s->c0 = c;
		}
	if (g->ncols < c + cs)
		g->ncols = c + cs;
	return 0;
}

size_t
indexer_grid_nrows(const struct indexer_grid *g)
{
	return g->nrows;
}

size_t
indexer_grid_ncols(const struct indexer_grid *g)
{
	return g->ncols;
}

const char *
indexer_grid_at(const struct indexer_grid *g, size_t row, size_t col,
                size_t *r0, size_t *c0)
{
	const struct grid_slot *s;

	if (row >= g->nrows || col >= g->ncols)
		return NULL;
	s = &g->slots[row * g->cap_cols + col];
	if (s->text == NULL)
		return NULL;
	if (r0 != NULL)
		*r0 = s->r0;
	if (c0 != NULL)
		*c0 = s->c0;
	return s->text;
}

/* ---- documents ---- */

int
indexer_doc_new(struct indexer_doc **out)
{
	struct indexer_doc *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NB_ENOMEM;
	*out = d;
	return 0;
}

void
indexer_doc_free(struct indexer_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->ngrids; i++)
		indexer_grid_free(doc->grids[i]);
	free(doc->grids);
	free(doc->paras);
	arena_free(&doc->arena);
	free(doc);
}

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c;

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

int
indexer_doc_add_para(struct indexer_doc *doc, const char *text, size_t len)
{
	char *p;

	if (doc->nparas >= INDEXER_MAX_PARAS)
		return 0;
	if (grow((void **)&doc->paras, &doc->cap_paras, doc->nparas,
	         sizeof(*doc->paras)) != 0)
		return NB_ENOMEM;
	p = arena_strcap(&doc->arena, text, len, INDEXER_MAX_PARA_TEXT);
	if (p == NULL)
		return NB_ENOMEM;
	if (doc->arena.used > INDEXER_MAX_TEXT)
		return NB_ETOOBIG;
	doc->paras[doc->nparas++] = p;
	return 0;
}

void
doc_truncate_paras(struct indexer_doc *doc, size_t n)
{
	if (n < doc->nparas)
		doc->nparas = n;
}

int
indexer_doc_add_grid(struct indexer_doc *doc, struct indexer_grid *g)
{
	if (doc->ngrids >= INDEXER_MAX_GRIDS) {
		indexer_grid_free(g);
		return NB_ETOOBIG;
	}
	if (grow((void **)&doc->grids, &doc->cap_grids, doc->ngrids,
	         sizeof(*doc->grids)) != 0) {
		indexer_grid_free(g);
		return NB_ENOMEM;
	}
	doc->grids[doc->ngrids++] = g;
	return 0;
}

int
indexer_doc_set_meta(struct indexer_doc *doc, const char *key,
                     const char *value)
{
	static const char *const keys[META_N] = {"title", "ArticleTitle",
	                                         "ContentSource", "PubDate"};
	size_t i;

	for (i = 0; i < META_N; i++)
		if (strcmp(key, keys[i]) == 0)
			break;
	if (i == META_N)
		return NB_EINVAL;
	if (doc->meta[i] != NULL)
		return 0;
	doc->meta[i] = arena_strndup(&doc->arena, value, strlen(value));
	return doc->meta[i] ? 0 : NB_ENOMEM;
}

void
indexer_doc_add_image(struct indexer_doc *doc)
{
	doc->nimages++;
}

size_t
indexer_doc_ngrids(const struct indexer_doc *doc)
{
	return doc->ngrids;
}

const struct indexer_grid *
indexer_doc_grid(const struct indexer_doc *doc, size_t i)
{
	return i < doc->ngrids ? doc->grids[i] : NULL;
}
