/*
 * text.c - the text form of the seeds (text extracted from a .docx): one
 * paragraph a line; in tables one cell a tab-indented line, a cell merged
 * down from above as an empty tab line, a wrapped label continued on an
 * unindented line, a blank line after each row and one more after the
 * table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

struct tout {
	struct nb_buf *b;
	const struct rdoc *d;
	int err;
};

static void
put(struct tout *t, const char *s, size_t n)
{
	int rc;

	if (t->err == 0 && (rc = nb_buf_add(t->b, s, n)) != 0)
		t->err = rc;
}

static void
puts_(struct tout *t, const char *s)
{
	put(t, s, strlen(s));
}

static void
cell(struct tout *t, const struct rcell *c)
{
	static const char *const blank[] = {"", "\xc2\xa0", "\xe3\x80\x80",
	                                    " "};
	const struct rdoc *d = t->d;
	const char *pre, *post;

	puts_(t, "\t");
	switch (c->kind) {
	case RC_BLANK:
		puts_(t, blank[rdoc_blank(d, c)]);
		break;
	case RC_VALUE:
		if ((int)c->id == d->gobackid)
			puts_(t, RDOC_GOBACK_TEXT);
		rdoc_pad(d, c, &pre, &post);
		puts_(t, pre);
		puts_(t, c->text);
		puts_(t, post);
		break;
	case RC_LABEL:
		if (c->brk && (c->brk_text || (d->variant & RV_BR_HEADERS))) {
			put(t, c->text, c->brk);
			puts_(t, "\n");
			puts_(t, c->text + c->brk);
		} else {
			puts_(t, c->text);
		}
		break;
	}
	puts_(t, "\n");
}

int
render_text(const json_t *rec, const struct render_opts *o, struct nb_buf *out)
{
	static const struct render_opts none;
	struct rdoc d;
	struct tout t;
	size_t mark = out->len;
	int rc;

	if (o == NULL)
		o = &none;
	if ((rc = rdoc_build(rec, o, &d)) != 0)
		return rc;
	t.b = out;
	t.d = &d;
	t.err = 0;
	for (int i = 0; i < d.n; i++) {
		const struct rblock *b = &d.blocks[i];

		if (b->kind != RB_TABLE) {
			if (b->split) {
				put(&t, b->text, b->split);
				/* some exports keep an empty line between */
				puts_(&t, rdoc_pick(&d, 7, 2) ? "\n\n" : "\n");
				puts_(&t, b->text + b->split);
			} else {
				puts_(&t, b->text);
			}
			puts_(&t, "\n");
			continue;
		}
		for (int r = 0; r < b->table->n; r++) {
			const struct rrow *row = &b->table->rows[r];

			for (int s = 0; s < row->nslots; s++) {
				if (row->slots[s].cont)
					puts_(&t, "\t\n");
				else
					cell(&t, row->slots[s].cell);
			}
			puts_(&t, "\n");
		}
		puts_(&t, "\n");
	}
	rc = t.err;
	if (rc != 0 && out->len > mark) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	rdoc_free(&d);
	return rc;
}
