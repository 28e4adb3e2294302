/*
 * grid.c - the tests' reader of rendered tables (see grid.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "grid.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

static int
attr_int(xmlNode *n, const char *name, const char *ns, int dflt)
{
	xmlChar *v = ns ? xmlGetNsProp(n, BAD_CAST name, BAD_CAST ns)
	                : xmlGetProp(n, BAD_CAST name);
	int r = dflt;

	if (v != NULL) {
		r = atoi((const char *)v);
		xmlFree(v);
	}
	return r > 0 ? r : dflt;
}

static char *
dup_content(xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = strdup(c ? (const char *)c : "");

	xmlFree(c);
	assert_non_null(s);
	return s;
}

static int
is_elem(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

/* Place a row's cells on the grid, skipping columns merged from above. */
static void
place(struct gtable *t, struct grow *r, int *busy)
{
	int col = 0;

	for (int i = 0; i < r->n; i++) {
		while (col < GRID_MAXCELLS && busy[col] > 0)
			col++;
		r->c[i].col = col;
		for (int k = col; k < col + r->c[i].colspan; k++) {
			assert_true(k < GRID_MAXCELLS);
			busy[k] = r->c[i].rowspan;
		}
		col += r->c[i].colspan;
	}
	for (int k = 0; k < GRID_MAXCELLS; k++) {
		if (busy[k] > 0 && k + 1 > t->ncols)
			t->ncols = k + 1;
		if (busy[k] > 0)
			busy[k]--;
	}
}

void
grid_from_html(const char *html, size_t len, const char *encoding,
               struct gdoc *g)
{
	xmlXPathContext *xp;
	xmlXPathObject *o;
	htmlDocPtr doc;

	memset(g, 0, sizeof(*g));
	doc = htmlReadMemory(html, (int)len, "render.html", encoding,
	                     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                         HTML_PARSE_NONET);
	assert_non_null(doc);
	xp = xmlXPathNewContext(doc);
	o = xmlXPathEvalExpression(BAD_CAST "//table[@class='MsoNormalTable']",
	                           xp);
	assert_non_null(o);
	for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		struct gtable *t = &g->t[g->n++];
		xmlXPathObject *rows;
		int busy[GRID_MAXCELLS] = {0};

		assert_true(g->n <= GRID_MAXTABLES);
		xp->node = o->nodesetval->nodeTab[i];
		rows = xmlXPathEvalExpression(BAD_CAST ".//tr", xp);
		for (int j = 0;
		     rows->nodesetval && j < rows->nodesetval->nodeNr; j++) {
			struct grow *r = &t->r[t->n++];

			assert_true(t->n <= GRID_MAXROWS);
			for (xmlNode *td =
			         rows->nodesetval->nodeTab[j]->children;
			     td; td = td->next) {
				if (!is_elem(td, "td"))
					continue;
				assert_true(r->n < GRID_MAXCELLS);
				r->c[r->n].text = dup_content(td);
				r->c[r->n].colspan =
				    attr_int(td, "colspan", NULL, 1);
				r->c[r->n].rowspan =
				    attr_int(td, "rowspan", NULL, 1);
				r->n++;
			}
			place(t, r, busy);
		}
		xmlXPathFreeObject(rows);
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
}

static xmlNode *
w_child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

void
grid_from_docx_xml(const char *xml, size_t len, struct gdoc *g)
{
	xmlXPathContext *xp;
	xmlXPathObject *o;
	xmlDocPtr doc;

	memset(g, 0, sizeof(*g));
	doc =
	    xmlReadMemory(xml, (int)len, "document.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xp = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(xp, BAD_CAST "w", BAD_CAST W_NS);
	o = xmlXPathEvalExpression(BAD_CAST "//w:tbl", xp);
	assert_non_null(o);
	for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		struct gtable *t = &g->t[g->n++];

		assert_true(g->n <= GRID_MAXTABLES);
		for (xmlNode *tr = o->nodesetval->nodeTab[i]->children; tr;
		     tr = tr->next) {
			struct grow *r;
			int col = 0;

			if (!is_elem(tr, "tr"))
				continue;
			r = &t->r[t->n++];
			assert_true(t->n <= GRID_MAXROWS);
			for (xmlNode *tc = tr->children; tc; tc = tc->next) {
				xmlNode *pr, *vm, *gs;
				xmlChar *val;
				int span, cont = 0;

				if (!is_elem(tc, "tc"))
					continue;
				pr = w_child(tc, "tcPr");
				gs = w_child(pr, "gridSpan");
				span = gs ? attr_int(gs, "val", W_NS, 1) : 1;
				if ((vm = w_child(pr, "vMerge")) != NULL) {
					val = xmlGetNsProp(vm, BAD_CAST "val",
					                   BAD_CAST W_NS);
					cont = val == NULL ||
					       strcmp((const char *)val,
					              "continue") == 0;
					xmlFree(val);
				}
				if (!cont) {
					assert_true(r->n < GRID_MAXCELLS);
					r->c[r->n].text = dup_content(tc);
					r->c[r->n].col = col;
					r->c[r->n].colspan = span;
					r->c[r->n].rowspan = 1;
					r->n++;
				}
				col += span;
			}
			if (col > t->ncols)
				t->ncols = col;
		}
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
}

void
grid_free(struct gdoc *g)
{
	for (int i = 0; i < g->n; i++)
		for (int j = 0; j < g->t[i].n; j++)
			for (int k = 0; k < g->t[i].r[j].n; k++)
				free(g->t[i].r[j].c[k].text);
	memset(g, 0, sizeof(*g));
}

char *
grid_squeeze(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;

	assert_non_null(o);
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (strncmp(s, "\xc2\xa0", 2) == 0)
			s += 2;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
			s += 3;
		else
			*p++ = *s++;
	}
	*p = '\0';
	return o;
}

const struct gcell *
grid_at(const struct gtable *t, int r, int col)
{
	for (int i = 0; i < t->r[r].n; i++)
		if (t->r[r].c[i].col == col)
			return &t->r[r].c[i];
	return NULL;
}

/*
 * A cell against the record's value: blank (or missing) for null, else
 * the number, followed by unit (a unit written in the cell) if any.
 */
static void
check_value(const struct gcell *c, const json_t *want, const char *where,
            char **unit)
{
	char *s = c ? grid_squeeze(c->text) : strdup(""), *end;

	assert_non_null(s);
	if (unit)
		*unit = NULL;
	if (want == NULL || json_is_null(want)) {
		if (s[0] != '\0')
			fail_msg("%s: want blank, cell says '%s'", where, s);
		free(s);
		return;
	}
	if (json_is_integer(want)) {
		long long v = strtoll(s, &end, 10);

		if (end == s || v != json_integer_value(want) ||
		    memchr(s, '.', (size_t)(end - s)) != NULL)
			fail_msg("%s: want %lld, cell says '%s'", where,
			         (long long)json_integer_value(want), s);
	} else {
		double v = strtod(s, &end);

		if (end == s || v != json_real_value(want) ||
		    memchr(s, '.', (size_t)(end - s)) == NULL)
			fail_msg("%s: want %.17g, cell says '%s'", where,
			         json_real_value(want), s);
	}
	if (unit != NULL && *end != '\0')
		*unit = strdup(end);
	else if (*end != '\0')
		fail_msg("%s: unexpected text after the number in '%s'", where,
		         s);
	free(s);
}

/* The unit of a header such as 采购总金额（亿元） or （单位：万元）. */
static char *
header_unit(const char *h)
{
	const char *open = strstr(h, "（"), *close;
	const char *p;

	if (open == NULL)
		return NULL;
	p = open + strlen("（");
	if (strncmp(p, "单位：", strlen("单位：")) == 0)
		p += strlen("单位：");
	if ((close = strstr(p, "）")) == NULL)
		return NULL;
	return strndup(p, (size_t)(close - p));
}

static const char *const fields2021[][4] = {
    {"rules", "made", "repealed", "in_force"},
    {"normative_docs", "made", "repealed", "in_force"},
    {"licensing", "decisions", NULL, NULL},
    {"punishment", "decisions", NULL, NULL},
    {"compulsion", "decisions", NULL, NULL},
    {"fees", "amount", NULL, NULL},
};
static const char *const fields2019[][4] = {
    {"rules", "new_made", "new_published", "total_published"},
    {"normative_docs", "new_made", "new_published", "total_published"},
    {"licensing", "prev_items", "change", "decisions"},
    {"other_services", "prev_items", "change", "decisions"},
    {"punishment", "prev_items", "change", "decisions"},
    {"compulsion", "prev_items", "change", "decisions"},
    {"fees", "prev_items", "change", NULL},
    {"procurement", "items", "amount", NULL},
};

static void
check_active(const struct gtable *t, const json_t *active, int t2021)
{
	const char *const(*f)[4] = t2021 ? fields2021 : fields2019;
	int nf = t2021 ? 6 : 8, head = -1, r = 0, nv;
	char where[128];

	for (int i = 0; i < nf; i++) {
		const json_t *row = json_object_get(active, f[i][0]);
		const struct grow *gr;
		char *first;

		if (row == NULL)
			continue;
		/* the next data row: not an item line nor a header row */
		for (;; r++) {
			assert_true(r < t->n);
			first = grid_squeeze(t->r[r].c[0].text);
			if (strncmp(first, "第二十条", strlen("第二十条")) ==
			    0) {
				free(first);
				continue;
			}
			if (strcmp(first, "信息内容") == 0) {
				head = r;
				free(first);
				continue;
			}
			free(first);
			break;
		}
		gr = &t->r[r];
		for (int k = 1; k < 4 && f[i][k]; k++) {
			const json_t *v = json_object_get(row, f[i][k]);
			const struct gcell *c = k < gr->n ? &gr->c[k] : NULL;

			snprintf(where, sizeof(where), "active.%s.%s", f[i][0],
			         f[i][k]);
			if (strcmp(f[i][k], "amount") == 0) {
				const json_t *u = json_object_get(v, "unit");
				char *unit;

				check_value(c, json_object_get(v, "value"),
				            where, &unit);
				assert_true(head >= 0 && k < t->r[head].n);
				if (unit == NULL)
					unit =
					    header_unit(t->r[head].c[k].text);
				if (json_is_string(u)) {
					if (unit == NULL ||
					    strcmp(unit, json_string_value(u)))
						fail_msg(
						    "%s: unit '%s', want '%s'",
						    where, unit ? unit : "",
						    json_string_value(u));
				} else if (unit != NULL) {
					fail_msg("%s: unit '%s', want none",
					         where, unit);
				}
				free(unit);
			} else {
				check_value(c, v, where, NULL);
			}
		}
		/* the label, then the values and nothing more */
		for (nv = 0; nv < 3 && f[i][nv + 1]; nv++)
			;
		assert_true(gr->n <= 1 + nv);
		r++;
	}
}

static void
check_qrow(const struct gtable *t, int r, const json_t *arr, const char *name)
{
	char where[128];

	for (int k = 0; k < 7; k++) {
		snprintf(where, sizeof(where), "requests.%s[%d] (row %d)", name,
		         k, r);
		check_value(grid_at(t, r, t->ncols - 7 + k),
		            json_array_get(arr, (size_t)k), where, NULL);
	}
}

/* The rows of requests.results in the order of the table. */
static const char *const qgroups[][9] = {
    {"granted"},
    {"partially_granted"},
    {"denied", "state_secret", "law_prohibited", "security_stability",
     "third_party", "internal_affairs", "process_info", "enforcement_files",
     "query_matters"},
    {"unavailable", "not_held", "needs_creation", "unclear"},
    {"not_processed", "petition", "duplicate", "publications", "excessive",
     "confirm_existing"},
    {"other", "no_correction", "no_fee_paid", "other"},
    {"total"},
};

static void
check_requests(const struct gtable *t, const json_t *req)
{
	const json_t *res = json_object_get(req, "results");
	int r = 3;

	if (json_object_get(req, "new"))
		check_qrow(t, r++, json_object_get(req, "new"), "new");
	if (json_object_get(req, "carried_over"))
		check_qrow(t, r++, json_object_get(req, "carried_over"),
		           "carried_over");
	for (size_t g = 0; g < sizeof(qgroups) / sizeof(qgroups[0]); g++) {
		const json_t *v = json_object_get(res, qgroups[g][0]);

		if (v == NULL)
			continue;
		if (qgroups[g][1] == NULL) {
			check_qrow(t, r++, v, qgroups[g][0]);
			continue;
		}
		for (int k = 1; k < 9 && qgroups[g][k]; k++)
			if (json_object_get(v, qgroups[g][k]) != NULL)
				check_qrow(t, r++,
				           json_object_get(v, qgroups[g][k]),
				           qgroups[g][k]);
	}
	if (json_object_get(req, "carried_forward"))
		check_qrow(t, r++, json_object_get(req, "carried_forward"),
		           "carried_forward");
	assert_int_equal(r, t->n);
}

static void
check_appeals(const struct gtable *t, const json_t *ap)
{
	static const char *const groups[] = {"review", "litigation_direct",
	                                     "litigation_after_review"};
	static const char *const fields[] = {"upheld", "corrected", "other",
	                                     "pending", "total"};
	char where[128];

	assert_int_equal(t->n, 4);
	for (int g = 0; g < 3; g++) {
		for (int f = 0; f < 5; f++) {
			snprintf(where, sizeof(where), "appeals.%s.%s",
			         groups[g], fields[f]);
			check_value(
			    grid_at(t, 3, g * 5 + f),
			    json_object_get(json_object_get(ap, groups[g]),
			                    fields[f]),
			    where, NULL);
		}
	}
}

void
grid_check_record(const struct gdoc *g, const json_t *rec)
{
	int t2021 = strcmp(json_string_value(json_object_get(rec, "template")),
	                   "2021") == 0;

	assert_int_equal(g->n, 3);
	check_active(&g->t[0], json_object_get(rec, "active"), t2021);
	check_requests(&g->t[1], json_object_get(rec, "requests"));
	check_appeals(&g->t[2], json_object_get(rec, "appeals"));
}
