/*
 * test_render - the renderer keeps its promise: every table cell of the
 * record can be read back from the HTML, the .docx and the text, in every
 * cosmetic variant and charset, and each variant does what it says.
 */
#include <errno.h>
#include <iconv.h>
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
#include <zip.h>

#include "grid.h"
#include "render.h"
#include "render_int.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

static const char *const seeds[] = {
    "000_b28a0448acb1371b", "001_a54ea972eaf5532d", "002_10344cc63f2c5b68",
    "003_d99c8dcb44f53e53", "004_0cecb108ebe11312",
};
enum { S2021 = 0, S2021B = 1, S2019 = 2, S2019SHORT = 3, NSEEDS = 5 };

static json_t *recs[NSEEDS];
static json_t *distinct[NSEEDS]; /* the same, every value unique */

static void make_distinct(void);

static char *
seed_path(const char *name, const char *ext, int expected)
{
	const char *dir = getenv("NB_SEEDS");
	char *p;

	if (dir == NULL)
		dir = "tests/seeds";
	assert_true(asprintf(&p, "%s/%s%s%s", dir, expected ? "expected/" : "",
	                     name, ext) > 0);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	for (int i = 0; i < NSEEDS; i++) {
		char *p = seed_path(seeds[i], ".json", 1);
		json_error_t je;

		recs[i] = json_load_file(p, 0, &je);
		if (recs[i] == NULL) {
			fprintf(stderr, "%s:%d: %s\n", p, je.line, je.text);
			free(p);
			return -1;
		}
		free(p);
	}
	make_distinct();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NSEEDS; i++) {
		json_decref(recs[i]);
		json_decref(distinct[i]);
	}
	return 0;
}

typedef int render_fn(const json_t *, const struct render_opts *,
                      struct nb_buf *);

/* Render and return the bytes (caller frees), failing the test on error. */
static char *
render(render_fn *fn, const json_t *rec, const struct render_opts *o,
       size_t *len)
{
	struct nb_buf b;
	int rc;

	nb_buf_init(&b, 16u << 20);
	rc = fn(rec, o, &b);
	if (rc != 0)
		fail_msg("render: %s", nb_strerror(rc));
	return nb_buf_take(&b, len);
}

/* ---- HTML helpers ----------------------------------------------------- */

struct hdoc {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
};

static void
hopen(struct hdoc *h, const char *s, size_t n, const char *enc)
{
	h->doc = htmlReadMemory(s, (int)n, "r.html", enc,
	                        HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                            HTML_PARSE_NONET);
	assert_non_null(h->doc);
	h->xp = xmlXPathNewContext(h->doc);
	xmlXPathRegisterNs(h->xp, BAD_CAST "w", BAD_CAST W_NS);
}

static void
xopen(struct hdoc *h, const char *s, size_t n)
{
	h->doc = xmlReadMemory(s, (int)n, "x.xml", NULL, XML_PARSE_NONET);
	assert_non_null(h->doc);
	h->xp = xmlXPathNewContext(h->doc);
	xmlXPathRegisterNs(h->xp, BAD_CAST "w", BAD_CAST W_NS);
	xmlXPathRegisterNs(
	    h->xp, BAD_CAST "cp",
	    BAD_CAST "http://schemas.openxmlformats.org/package/2006/metadata/"
	             "core-properties");
	xmlXPathRegisterNs(h->xp, BAD_CAST "dc",
	                   BAD_CAST "http://purl.org/dc/elements/1.1/");
}

static void
hclose(struct hdoc *h)
{
	xmlXPathFreeContext(h->xp);
	xmlFreeDoc(h->doc);
}

static double
hnum(struct hdoc *h, const char *fmt, ...)
{
	char expr[1024];
	xmlXPathObjectPtr o;
	va_list ap;
	double v;

	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	o = xmlXPathEvalExpression(BAD_CAST expr, h->xp);
	if (o == NULL)
		fail_msg("bad xpath %s", expr);
	v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

/* string(expr), caller frees */
static char *
hstr(struct hdoc *h, const char *fmt, ...)
{
	char expr[1024], *s;
	xmlXPathObjectPtr o;
	xmlChar *x;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	o = xmlXPathEvalExpression(BAD_CAST expr, h->xp);
	if (o == NULL)
		fail_msg("bad xpath %s", expr);
	x = xmlXPathCastToString(o);
	s = strdup((const char *)x);
	xmlFree(x);
	xmlXPathFreeObject(o);
	return s;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* ---- docx helpers ----------------------------------------------------- */

/* One entry of a zip held in memory; caller frees. */
static char *
zip_entry(const char *zipdata, size_t ziplen, const char *name, size_t *len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_file_t *zf;
	zip_stat_t st;
	char *buf;

	zip_error_init(&ze);
	src = zip_source_buffer_create(zipdata, ziplen, 0, &ze);
	assert_non_null(src);
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (za == NULL)
		fail_msg("not a zip: %s", zip_error_strerror(&ze));
	if (zip_stat(za, name, 0, &st) != 0) {
		zip_close(za);
		zip_error_fini(&ze);
		return NULL;
	}
	buf = malloc(st.size + 1);
	zf = zip_fopen(za, name, 0);
	assert_non_null(zf);
	assert_int_equal(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
	buf[st.size] = '\0';
	zip_fclose(zf);
	zip_close(za);
	zip_error_fini(&ze);
	*len = st.size;
	return buf;
}

static void
docx_grid(const char *docx, size_t n, struct gdoc *g)
{
	size_t len;
	char *xml = zip_entry(docx, n, "word/document.xml", &len);

	assert_non_null(xml);
	grid_from_docx_xml(xml, len, g);
	free(xml);
}

/* ---- text helpers ----------------------------------------------------- */

/*
 * The numbers of a text form in order: every tab-indented line that,
 * trimmed of spaces, NBSP, U+3000 and Word's bookmark, is a number.
 */
static int
text_numbers(const char *text, char ***out)
{
	char **v = NULL;
	int n = 0;

	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (*p == '\t') {
			char *line = strndup(p + 1, len - 1), *s, *q;

			q = strstr(line, RDOC_GOBACK_TEXT);
			if (q != NULL)
				memmove(q, q + strlen(RDOC_GOBACK_TEXT),
				        strlen(q + strlen(RDOC_GOBACK_TEXT)) +
				            1);
			s = grid_squeeze(line);
			q = s + (*s == '-');
			if (*q && strspn(q, "0123456789.") == strlen(q)) {
				v = realloc(v, (size_t)(n + 1) * sizeof(*v));
				v[n++] = s;
			} else {
				free(s);
			}
			free(line);
		}
		p += len + (eol != NULL);
	}
	*out = v;
	return n;
}

static char *
read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *s;
	long n;

	if (fp == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	s = malloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

/* ---- numbers ---------------------------------------------------------- */

static void
check_number(json_t *v, const char *want)
{
	char buf[400];

	assert_int_equal(render_number(v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	json_decref(v);
}

static void
test_number(void **state)
{
	json_t *j;
	char buf[8];

	(void)state;
	check_number(json_real(2.43), "2.43");
	check_number(json_real(3000644.004), "3000644.004");
	check_number(json_real(8606.0), "8606.0");
	check_number(json_real(0.1), "0.1");
	check_number(json_real(-0.5), "-0.5");
	check_number(json_real(1e-7), "0.0000001");
	check_number(json_real(1e21), "1000000000000000000000.0");
	check_number(json_real(123456789.125), "123456789.125");
	check_number(json_integer(-2), "-2");
	check_number(json_integer(11138), "11138");
	/* what jansson prints by default would not do */
	j = json_real(2.43);
	{
		char *s = json_dumps(j, JSON_ENCODE_ANY);

		assert_string_not_equal(s, "2.43");
		free(s);
	}
	json_decref(j);
	/* from a JSON text, the number as written */
	j = json_loads("[2.43, 3000644.004]", 0, NULL);
	check_number(json_incref(json_array_get(j, 0)), "2.43");
	check_number(json_incref(json_array_get(j, 1)), "3000644.004");
	json_decref(j);
	j = json_string("2");
	assert_int_equal(render_number(j, buf, sizeof(buf)), NB_EINVAL);
	json_decref(j);
	j = json_real(3000644.004);
	assert_int_equal(render_number(j, buf, sizeof(buf)), NB_EINVAL);
	json_decref(j);
}

/* ---- the text form against the seeds ---------------------------------- */

static void
test_text_values_match_seeds(void **state)
{
	static const unsigned variants[] = {0, RV_BLANK_STYLES,
	                                    RV_BR_HEADERS | RV_TITLE_SPLIT,
	                                    RV_ALL & ~RV_UNITS_IN_CELLS};

	(void)state;
	for (int i = 0; i < NSEEDS; i++) {
		char *path = seed_path(seeds[i], ".txt", 0);
		char *seed = read_file(path), **sv, **rv;
		int ns = text_numbers(seed, &sv);

		for (size_t k = 0; k < NB_NELEM(variants); k++) {
			struct render_opts o = {.variant = variants[k],
			                        .seed = (unsigned)(i + k)};
			size_t len;
			char *text = render(render_text, recs[i], &o, &len);
			int nr = text_numbers(text, &rv);

			if (nr != ns)
				fail_msg(
				    "%s variant %#x: %d numbers, seed has %d",
				    seeds[i], variants[k], nr, ns);
			for (int j = 0; j < nr; j++) {
				if (strcmp(rv[j], sv[j]) != 0)
					fail_msg("%s variant %#x: number %d is "
					         "%s, seed has %s",
					         seeds[i], variants[k], j,
					         rv[j], sv[j]);
				free(rv[j]);
			}
			free(rv);
			free(text);
		}
		for (int j = 0; j < ns; j++)
			free(sv[j]);
		free(sv);
		free(seed);
		free(path);
	}
}

/* The seeds' shapes: 商业/企业 on two lines, merged cells as empty lines. */
static void
test_text_shape(void **state)
{
	struct render_opts o = {0};
	size_t len;
	char *t;

	(void)state;
	t = render(render_text, recs[S2021], &o, &len);
	assert_non_null(strstr(t, "樟树市2021年政府信息公开工作年度报告\n"));
	assert_non_null(strstr(t, "\t商业\n企业\n\t科研\n机构\n"));
	assert_non_null(strstr(t, "\n\t\n\t\n\t2.其他法律行政法规禁止公开\n"
	                          "\t0\n"));
	assert_non_null(strstr(t, "\t行政强制\n\t3804\n\n"));
	assert_non_null(strstr(t, "\t行政事业性收费\n\t8606\n\n\n"));
	/* the appeals header: five merged cells, then ten labels */
	assert_non_null(strstr(t, "\t\n\t\n\t\n\t\n\t\n\t结果\n维持\n"));
	free(t);

	/* a short row stays short with RV_BLANK_STYLES, as in seed 003 */
	o.variant = RV_BLANK_STYLES;
	t = render(render_text, recs[S2019SHORT], &o, &len);
	{
		const char *p = strstr(t, "（一）予以公开\n");
		int lines = 0;

		assert_non_null(p);
		for (p = strchr(p, '\n') + 1; *p != '\n';
		     p = strchr(p, '\n') + 1)
			lines++;
		assert_int_equal(lines, 5);
	}
	free(t);

	/* title on two lines */
	o.variant = RV_TITLE_SPLIT;
	for (unsigned s = 0; s < 6; s++) {
		char *a, *b;

		o.seed = s;
		t = render(render_text, recs[S2021B], &o, &len);
		a = strndup(t, strcspn(t, "\n"));
		b = t + strlen(a) + 1;
		if (*b == '\n')
			b++;
		b = strndup(b, strcspn(b, "\n"));
		assert_true(strlen(a) > 0 && strlen(b) > 0);
		{
			char *joined;

			assert_true(asprintf(&joined, "%s%s", a, b) > 0);
			assert_string_equal(joined, "瑞金市人民政府办公室2021年"
			                            "政府信息公开工作年度报告");
			free(joined);
		}
		free(a);
		free(b);
		free(t);
	}
}

/* ---- round trip through the grids ------------------------------------- */

static const unsigned combos[] = {
    0,
    RV_SPLIT_RUNS,
    RV_SPAN_SHIFT,
    RV_BR_HEADERS,
    RV_BLANK_STYLES,
    RV_LABEL_VARIANTS,
    RV_NO_NUMBERING,
    RV_FONT_TAGS,
    RV_CHROME_NOISE,
    RV_UNITS_IN_CELLS,
    RV_TITLE_SPLIT,
    RV_SPAN_SHIFT | RV_BLANK_STYLES,
    RV_SPLIT_RUNS | RV_BR_HEADERS | RV_FONT_TAGS,
    RV_ALL & ~RV_SPAN_SHIFT,
    RV_ALL,
};

/*
 * The seeds are mostly zeros, which would hide a cell put in the wrong
 * column: renumber every value of a copy so each is unique (nulls stay,
 * reals stay reals, some values negative).
 */
static void
renumber(json_t *v, long long *n)
{
	const char *key;
	json_t *sub;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, sub)
		{
			if (json_is_integer(sub))
				json_object_set_new(
				    v, key, json_integer(++*n % 5 ? *n : -*n));
			else if (json_is_real(sub))
				json_object_set_new(
				    v, key, json_real((double)++*n + 0.43));
			else
				renumber(sub, n);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, sub)
		{
			if (json_is_integer(sub))
				json_array_set_new(v, i, json_integer(++*n));
			else
				renumber(sub, n);
		}
	}
}

static void
make_distinct(void)
{
	for (int i = 0; i < NSEEDS; i++) {
		long long n = 100 * i;

		distinct[i] = json_deep_copy(recs[i]);
		json_object_del(distinct[i], "checks");
		renumber(json_object_get(distinct[i], "active"), &n);
		renumber(json_object_get(distinct[i], "requests"), &n);
		renumber(json_object_get(distinct[i], "appeals"), &n);
	}
}

static void
test_html_roundtrip(void **state)
{
	(void)state;
	for (int i = 0; i < 2 * NSEEDS; i++) {
		const json_t *rec = i < NSEEDS ? recs[i] : distinct[i - NSEEDS];

		for (size_t k = 0; k < NB_NELEM(combos); k++) {
			for (int page = 0; page < 2; page++) {
				struct render_opts o = {
				    .variant = combos[k],
				    .seed = (unsigned)(7 * i + (int)k),
				    .page = page,
				    .published = "2022-01-20"};
				struct gdoc g;
				size_t len;
				char *h = render(render_html, rec, &o, &len);

				grid_from_html(h, len, "UTF-8", &g);
				grid_check_record(&g, rec);
				grid_free(&g);
				free(h);
			}
		}
	}
}

static void
test_docx_roundtrip(void **state)
{
	(void)state;
	for (int i = 0; i < 2 * NSEEDS; i++) {
		const json_t *rec = i < NSEEDS ? recs[i] : distinct[i - NSEEDS];

		for (size_t k = 0; k < NB_NELEM(combos); k++) {
			struct render_opts o = {.variant = combos[k],
			                        .seed =
			                            (unsigned)(3 * i + (int)k)};
			struct gdoc g;
			size_t len;
			char *d = render(render_docx, rec, &o, &len);

			docx_grid(d, len, &g);
			grid_check_record(&g, rec);
			grid_free(&g);
			free(d);
		}
	}
}

/* ---- HTML structure --------------------------------------------------- */

static void
check_html_tables(int rec, int nres, int nact_rows, int nact_td, int nreq_td)
{
	struct render_opts o = {.page = 1, .published = "2022-01-20"};
	const char *tb = "//div[@id='zoomcon']//table";
	struct hdoc h;
	size_t len;
	char *s = render(render_html, recs[rec], &o, &len);
	char *v;

	hopen(&h, s, len, NULL);
	assert_int_equal(hnum(&h, "count(%s)", tb), 3);
	assert_int_equal(hnum(&h, "count(//th)"), 0);
	assert_int_equal(hnum(&h, "count((%s)[1]//tr)", tb), nact_rows);
	assert_int_equal(hnum(&h, "count((%s)[1]//td)", tb), nact_td);
	assert_int_equal(hnum(&h, "count((%s)[2]//tr)", tb), 3 + 2 + nres + 1);
	assert_int_equal(hnum(&h, "count((%s)[2]//td)", tb), nreq_td);
	assert_int_equal(hnum(&h, "count((%s)[3]//tr)", tb), 4);
	assert_int_equal(hnum(&h, "count((%s)[3]//td)", tb), 2 + 7 + 10 + 15);
	/* every cell is Word's <td><p class=MsoNormal><span>… */
	assert_int_equal(
	    hnum(&h, "count(%s//td[not(p[@class='MsoNormal'])])", tb), 0);
	assert_int_equal(hnum(&h, "count(%s//td[p/span])", tb),
	                 hnum(&h, "count(%s//td[normalize-space(.)!=''])", tb));
	/* the spans of the national templates */
	assert_int_equal(
	    hnum(&h, "number(//td[.='三、本年度办理结果']/@rowspan)"), nres);
	assert_int_equal(hnum(&h, "number(//td[.='（三）不予公开']/@rowspan)"),
	                 8);
	assert_int_equal(hnum(&h, "number(//td[.='（四）无法提供']/@rowspan)"),
	                 3);
	assert_int_equal(hnum(&h, "number(//td[.='（五）不予处理']/@rowspan)"),
	                 5);
	if (nres == 22)
		assert_int_equal(
		    hnum(&h, "number(//td[.='（六）其他处理']/@rowspan)"), 3);
	else
		assert_int_equal(
		    hnum(&h, "number(//td[.='（六）其他处理']/@colspan)"), 2);
	assert_int_equal(hnum(&h, "number(//td[.='申请人情况']/@colspan)"), 7);
	assert_int_equal(hnum(&h, "number(//td[.='法人或其他组织']/@colspan)"),
	                 5);
	assert_int_equal(hnum(&h, "number(//td[.='行政复议']/@colspan)"), 5);
	assert_int_equal(hnum(&h, "number(//td[.='行政诉讼']/@colspan)"), 10);
	assert_int_equal(
	    hnum(&h, "number(//td[.='未经复议直接起诉']/@colspan)"), 5);
	assert_int_equal(
	    hnum(&h, "number(//td[contains(.,'本列数据')]/@rowspan)"), 3);
	assert_int_equal(
	    hnum(&h, "number(//td[contains(.,'本列数据')]/@colspan)"), 3);
	assert_int_equal(hnum(&h, "count(//td[.='结果维持' or .='结果维护']"
	                          "[@rowspan=2])"),
	                 1);
	/* section 二: a single value spans three columns, three values one */
	if (nres == 22)
		assert_int_equal(hnum(&h, "number(//td[.='行政许可']/"
		                          "following-sibling::td/@colspan)"),
		                 3);
	else
		assert_int_equal(hnum(&h, "count(//tr[td='行政许可']/td)"), 4);
	/* the page around it */
	v = hstr(&h, "//meta[@name='ArticleTitle']/@content");
	assert_string_equal(
	    v, json_string_value(json_object_get(recs[rec], "title")));
	free(v);
	v = hstr(&h, "//meta[@name='PubDate']/@content");
	assert_true(strncmp(v, "2022-01-20", 10) == 0);
	free(v);
	v = hstr(&h, "//meta[@name='ContentSource']/@content");
	assert_string_equal(
	    v, json_string_value(json_object_get(recs[rec], "agency")));
	free(v);
	v = hstr(&h, "//div[@class='position']");
	assert_non_null(strstr(v, "首页"));
	assert_non_null(strstr(v, "政府信息公开年报"));
	free(v);
	v = hstr(&h, "//meta[@http-equiv='Content-Type']/@content");
	assert_string_equal(v, "text/html; charset=utf-8");
	free(v);
	v = hstr(&h, "//div[@id='zoomcon']/p[1]");
	assert_string_equal(
	    v, json_string_value(json_object_get(recs[rec], "title")));
	free(v);
	hclose(&h);
	free(s);
}

static void
test_html_structure(void **state)
{
	(void)state;
	/*
	 * 2021: (一) 4 rows 13 cells, (五) 3/5, (六) 4/7, (八) 3/5;
	 * 三: 10 header cells, 8 per row, 9 on the first row of a group.
	 */
	check_html_tables(S2021, 22, 14, 30,
	                  10 + 8 + 8 + 9 + 8 + (9 + 7 * 8) + (9 + 2 * 8) +
	                      (9 + 4 * 8) + (9 + 2 * 8) + 8 + 8);
	/* 2019: (一) 4/13, (五) 4/13, (六) 4/13, (八) 3/7, (九) 3/7 */
	check_html_tables(S2019, 20, 18, 53,
	                  10 + 8 + 8 + 9 + 8 + (9 + 7 * 8) + (9 + 2 * 8) +
	                      (9 + 4 * 8) + 8 + 8 + 8);
}

/* ---- each variant does what it says ----------------------------------- */

struct rendered {
	char *s;
	size_t len;
	struct hdoc h;
};

static void
rhtml(struct rendered *r, int rec, unsigned variant, unsigned seed)
{
	struct render_opts o = {.variant = variant, .seed = seed, .page = 1};

	r->s = render(render_html, recs[rec], &o, &r->len);
	hopen(&r->h, r->s, r->len, "UTF-8");
}

static void
rfree(struct rendered *r)
{
	hclose(&r->h);
	free(r->s);
}

static void
test_variant_split_runs(void **state)
{
	struct rendered a, b;

	(void)state;
	rhtml(&a, S2021, 0, 1);
	rhtml(&b, S2021, RV_SPLIT_RUNS, 1);
	assert_non_null(strstr(a.s, ">三、本年度办理结果<"));
	assert_null(strstr(b.s, "三、本年度办理结果"));
	assert_int_equal(hnum(&b.h, "count(//td[.='三、本年度办理结果'])"), 1);
	assert_true(hnum(&b.h, "count(//td[.='三、本年度办理结果']//span)") >=
	            2);
	assert_null(strstr(b.s, ">11138<"));
	assert_true(hnum(&b.h, "count(//td[.='11138']/p/span)") >= 2);
	assert_true(hnum(&b.h, "count(//span)") > hnum(&a.h, "count(//span)"));
	rfree(&a);
	rfree(&b);
}

static void
test_variant_span_shift(void **state)
{
	struct rendered a, b;
	struct gdoc ga, gb;

	(void)state;
	rhtml(&a, S2021, 0, 1);
	rhtml(&b, S2021, RV_SPAN_SHIFT, 1);
	assert_int_equal(
	    hnum(&a.h,
	         "number(//td[.='一、本年新收政府信息公开申请数量']/@colspan)"),
	    3);
	assert_int_equal(
	    hnum(&b.h,
	         "number(//td[.='一、本年新收政府信息公开申请数量']/@colspan)"),
	    4);
	assert_int_equal(
	    hnum(&b.h, "number(//td[.='（三）不予公开']/@colspan)"), 2);
	assert_int_equal(
	    hnum(&b.h, "number(//td[.='（一）予以公开']/@colspan)"), 3);
	assert_int_equal(hnum(&b.h, "number(//td[.='行政许可']/@colspan)"), 2);
	assert_int_equal(
	    hnum(&b.h,
	         "number(//td[.='行政许可']/following-sibling::td/@colspan)"),
	    2);
	grid_from_html(a.s, a.len, "UTF-8", &ga);
	grid_from_html(b.s, b.len, "UTF-8", &gb);
	assert_int_equal(ga.t[1].ncols, 10);
	assert_int_equal(gb.t[1].ncols, 11);
	/* same td count, different spans: only the grid aligns the columns */
	assert_int_equal(
	    hnum(&a.h, "count(//table[@class='MsoNormalTable'][2]//td)"),
	    hnum(&b.h, "count(//table[@class='MsoNormalTable'][2]//td)"));
	grid_free(&ga);
	grid_free(&gb);
	rfree(&a);
	rfree(&b);
}

static void
test_variant_br_headers(void **state)
{
	struct rendered a, b;

	(void)state;
	rhtml(&a, S2021, 0, 1);
	rhtml(&b, S2021, RV_BR_HEADERS, 1);
	assert_int_equal(hnum(&a.h, "count(//div[@id='zoomcon']//br)"), 0);
	assert_true(hnum(&b.h, "count(//div[@id='zoomcon']//td//br)") >= 10);
	assert_non_null(strstr(b.s, "商业</span><br><span"));
	assert_int_equal(hnum(&b.h, "count(//td[.='商业企业']//br)"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='本年制发件数']//br)"), 1);
	rfree(&a);
	rfree(&b);
}

static void
test_variant_blank_styles(void **state)
{
	const char *granted = "//tr[td='（一）予以公开']/td";
	struct rendered a, b;
	int styles = 0;

	(void)state;
	/* seed 003: 三、本年度办理结果, （一）予以公开, five values, two blanks
	 */
	rhtml(&a, S2019SHORT, 0, 1);
	rhtml(&b, S2019SHORT, RV_BLANK_STYLES, 1);
	assert_int_equal(hnum(&a.h, "count(%s)", granted), 2 + 7);
	assert_int_equal(hnum(&b.h, "count(%s)", granted), 2 + 5);
	rfree(&a);
	rfree(&b);
	/* seed 002: blanks inside the row stay, written various ways */
	for (unsigned s = 0; s < 16; s++) {
		rhtml(&b, S2019, RV_BLANK_STYLES, s);
		assert_int_equal(hnum(&b.h, "count(%s)", granted), 2 + 7);
		if (count(b.s, "<o:p> </o:p>") > 0)
			styles |= 1;
		if (count(b.s, "<o:p>&nbsp;</o:p></span></p></td>") > 0)
			styles |= 2;
		if (count(b.s, "<span lang=EN-US>\xe3\x80\x80</span>") > 0)
			styles |= 4;
		/* Word's bookmark, and numbers padded with NBSP */
		assert_int_equal(count(b.s, "<a name=\"_GoBack\"></a>"), 1);
		if (count(b.s, "&nbsp;0") + count(b.s, "0&nbsp;") > 0)
			styles |= 8;
		rfree(&b);
	}
	assert_int_equal(styles, 15);
}

static void
test_variant_label_variants(void **state)
{
	struct rendered a, b;

	(void)state;
	rhtml(&a, S2021, 0, 1);
	rhtml(&b, S2021, RV_LABEL_VARIANTS, 1);
	assert_int_equal(hnum(&a.h, "count(//td[.='1.信访举报投诉类申请'])"),
	                 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='1.信访投诉举报类申请'])"),
	                 1);
	assert_int_equal(hnum(&a.h, "count(//td[.='行政规范性文件'])"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='规范性文件'])"), 1);
	assert_int_equal(hnum(&a.h, "count(//td[.='结果维持'])"), 3);
	assert_int_equal(hnum(&b.h, "count(//td[.='结果维护'])"), 3);
	assert_int_equal(hnum(&b.h, "count(//td[.='合计'])"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[contains(.,'只记这一情形')])"),
	                 1);
	assert_non_null(strstr(b.s, "存在的主要问题及整改措施"));
	assert_null(strstr(a.s, "存在的主要问题及整改措施"));
	rfree(&a);
	rfree(&b);
	/* the 2019 template the other way round */
	rhtml(&a, S2019, 0, 1);
	rhtml(&b, S2019, RV_LABEL_VARIANTS, 1);
	assert_int_equal(hnum(&a.h, "count(//td[.='1.信访投诉举报类申请'])"),
	                 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='1.信访举报投诉类申请'])"),
	                 1);
	assert_int_equal(hnum(&a.h, "count(//td[.='结果维护'])"), 3);
	assert_int_equal(hnum(&b.h, "count(//td[.='结果维持'])"), 3);
	assert_int_equal(hnum(&a.h, "count(//td[.='规    章'])"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='规章'])"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[contains(.,'只计这一情形')])"),
	                 1);
	rfree(&a);
	rfree(&b);
}

static void
test_variant_no_numbering(void **state)
{
	const char *p =
	    "count(//div[@id='zoomcon']/p[normalize-space(.)='%s'])";
	struct rendered a, b;

	(void)state;
	rhtml(&a, S2021, 0, 1);
	rhtml(&b, S2021, RV_NO_NUMBERING, 1);
	assert_int_equal(hnum(&a.h, p, "一、总体情况"), 1);
	assert_int_equal(hnum(&b.h, p, "一、总体情况"), 0);
	assert_int_equal(hnum(&b.h, p, "总体情况"), 1);
	assert_int_equal(hnum(&b.h, p, "六、其他需要报告的事项"), 0);
	assert_int_equal(hnum(&b.h, p, "其他需要报告的事项"), 1);
	/* table labels keep theirs */
	assert_int_equal(
	    hnum(&b.h, "count(//td[.='一、本年新收政府信息公开申请数量'])"), 1);
	rfree(&a);
	rfree(&b);
}

static void
test_variant_font_tags(void **state)
{
	struct rendered a, b;

	(void)state;
	rhtml(&a, S2021, 0, 1);
	rhtml(&b, S2021, RV_FONT_TAGS, 1);
	assert_int_equal(count(a.s, "<font"), 0);
	assert_true(count(b.s, "<font face=\"方正仿宋_GBK\">") > 200);
	assert_int_equal(hnum(&b.h, "count(//td[.='8606']//font)"), 1);
	rfree(&a);
	rfree(&b);
}

static void
test_variant_chrome_noise(void **state)
{
	struct rendered a, b;

	(void)state;
	rhtml(&a, S2021, 0, 1);
	rhtml(&b, S2021, RV_CHROME_NOISE, 1);
	assert_int_equal(hnum(&a.h, "count(//table)"), 3);
	assert_int_equal(hnum(&b.h, "count(//table)"), 4);
	assert_int_equal(hnum(&b.h, "count(//div[@id='zoomcon']//table)"), 3);
	assert_non_null(strstr(b.s, "索引号"));
	assert_non_null(strstr(b.s, "<ucapcontent>"));
	assert_non_null(strstr(b.s, "<publishtime>"));
	assert_int_equal(count(a.s, "charset="), 1);
	assert_int_equal(count(b.s, "charset="), 2);
	assert_int_equal(count(b.s, "<meta charset=\"utf-8\">"), 1);
	assert_null(strstr(a.s, "<script type=\"text/javascript\">"));
	assert_non_null(strstr(b.s, "<script type=\"text/javascript\">"));
	rfree(&a);
	rfree(&b);
}

static void
test_variant_units_in_cells(void **state)
{
	struct rendered a, b;

	(void)state;
	rhtml(&a, S2021, 0, 1);
	rhtml(&b, S2021, RV_UNITS_IN_CELLS, 1);
	assert_int_equal(
	    hnum(&a.h, "count(//td[.='本年收费金额（单位：万元）'])"), 1);
	assert_int_equal(hnum(&a.h, "count(//td[.='8606'])"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='本年收费金额'])"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='8606万元'])"), 1);
	rfree(&a);
	rfree(&b);
	rhtml(&a, S2019, 0, 1);
	rhtml(&b, S2019, RV_UNITS_IN_CELLS, 1);
	assert_int_equal(hnum(&a.h, "count(//td[.='采购总金额（亿元）'])"), 1);
	assert_int_equal(hnum(&a.h, "count(//td[.='2.43'])"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='采购总金额'])"), 1);
	assert_int_equal(hnum(&b.h, "count(//td[.='2.43亿元'])"), 1);
	rfree(&a);
	rfree(&b);
	/* no unit anywhere when the record has none */
	for (unsigned v = 0; v <= RV_UNITS_IN_CELLS; v += RV_UNITS_IN_CELLS) {
		rhtml(&b, S2019SHORT, v, 1);
		assert_int_equal(hnum(&b.h, "count(//td[.='采购总金额'])"), 1);
		assert_int_equal(hnum(&b.h, "count(//td[.='3000644.004'])"), 1);
		rfree(&b);
	}
}

static void
test_variant_title_split(void **state)
{
	const char *title = "樟树市洋湖乡2023年政府信息公开工作年度报告";
	struct rendered a, b;

	(void)state;
	rhtml(&a, 4, 0, 1);
	assert_string_equal(
	    json_string_value(json_object_get(recs[4], "title")), title);
	assert_int_equal(
	    hnum(&a.h, "count(//div[@id='zoomcon']/p[.='%s'])", title), 1);
	rfree(&a);
	for (unsigned s = 0; s < 6; s++) {
		char *p1, *p2, *joined;

		rhtml(&b, 4, RV_TITLE_SPLIT, s);
		assert_int_equal(
		    hnum(&b.h, "count(//div[@id='zoomcon']/p[.='%s'])", title),
		    0);
		p1 = hstr(&b.h, "//div[@id='zoomcon']/p[1]");
		p2 = hstr(&b.h, "//div[@id='zoomcon']/p[2]");
		assert_true(asprintf(&joined, "%s%s", p1, p2) > 0);
		assert_string_equal(joined, title);
		free(joined);
		free(p1);
		free(p2);
		/* the page's own title stays whole */
		p1 = hstr(&b.h, "//meta[@name='ArticleTitle']/@content");
		assert_string_equal(p1, title);
		free(p1);
		rfree(&b);
	}
}

/* ---- charsets --------------------------------------------------------- */

static char *
to_utf8(const char *in, size_t n, const char *from, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap = n * 2 + 16, il = n, ol = cap;
	char *out = malloc(cap), *ip = (char *)in, *op = out;

	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	out[*outlen] = '\0';
	return out;
}

/* s with every "charset=from" replaced by "charset=to"; caller frees */
static char *
swap_charset(const char *s, const char *from, const char *to)
{
	char key[32], *out = malloc(strlen(s) * 2 + 1), *o = out;
	size_t kl;

	snprintf(key, sizeof(key), "charset=%s", from);
	kl = strlen(key);
	while (*s) {
		if (strncmp(s, key, kl) == 0) {
			o += sprintf(o, "charset=%s", to);
			s += kl;
		} else if (strncmp(s, "charset=\"", 9) == 0 &&
		           strncmp(s + 9, from, strlen(from)) == 0) {
			o += sprintf(o, "charset=\"%s", to);
			s += 9 + strlen(from);
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static void
test_charsets(void **state)
{
	static const char *const cs[][2] = {
	    {"GBK", "gbk"}, {"GB2312", "gb2312"}, {"gb18030", "gb18030"}};

	(void)state;
	for (int i = 0; i < NSEEDS; i++) {
		for (size_t c = 0; c < NB_NELEM(cs); c++) {
			struct render_opts o = {.page = (int)(c != 1),
			                        .variant = RV_ALL,
			                        .seed = (unsigned)i,
			                        .published = "2021-03-01"};
			size_t ulen, glen, blen;
			char *u, *g, *back, *want;
			struct gdoc gd;

			u = render(render_html, recs[i], &o, &ulen);
			o.charset = cs[c][0];
			g = render(render_html, recs[i], &o, &glen);
			/* the charset is declared, in a <meta> only */
			assert_non_null(
			    strstr(g, "<meta http-equiv=\"Content-Type\" "
			              "content=\"text/html; charset="));
			back = to_utf8(g, glen, cs[c][0], &blen);
			want = swap_charset(u, "utf-8", cs[c][1]);
			if (!o.page) {
				/* a fragment carries the declaration ahead */
				char *nl = strchr(back, '\n');

				assert_non_null(nl);
				assert_string_equal(nl + 1, want);
			} else {
				assert_string_equal(back, want);
			}
			/* a parser that honours <meta> reads the same cells */
			grid_from_html(g, glen, NULL, &gd);
			grid_check_record(&gd, recs[i]);
			grid_free(&gd);
			free(u);
			free(g);
			free(back);
			free(want);
		}
	}
}

static void
test_charset_unmappable(void **state)
{
	json_t *rec = json_deep_copy(recs[S2021]);
	struct render_opts o = {.charset = "GBK", .page = 1};
	struct nb_buf b;
	size_t len;
	char *g, *u;

	(void)state;
	json_object_set_new(rec, "agency",
	                    json_string("樟树市\xf0\x9f\x98\x80局"));
	g = render(render_html, rec, &o, &len);
	assert_non_null(strstr(g, "&#x1F600;"));
	u = to_utf8(g, len, "GBK", &len);
	assert_non_null(strstr(u, "樟树市&#x1F600;局"));
	free(u);
	free(g);
	o.charset = "BIG5";
	nb_buf_init(&b, 1 << 20);
	assert_int_equal(render_html(rec, &o, &b), NB_EINVAL);
	assert_int_equal(b.len, 0);
	nb_buf_free(&b);
	json_decref(rec);
}

/* ---- docx ------------------------------------------------------------- */

static void
check_docx(int rec, int restarts, int conts)
{
	static const char *const parts[] = {
	    "[Content_Types].xml", "_rels/.rels",
	    "word/document.xml",   "word/_rels/document.xml.rels",
	    "word/styles.xml",     "docProps/core.xml"};
	struct render_opts o = {.published = "2022-01-20"};
	struct hdoc h;
	size_t len, n;
	char *d = render(render_docx, recs[rec], &o, &len), *x, *v;
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;

	/* a zip, [Content_Types].xml first as Word writes it */
	zip_error_init(&ze);
	src = zip_source_buffer_create(d, len, 0, &ze);
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), NB_NELEM(parts));
	assert_string_equal(zip_get_name(za, 0, 0), "[Content_Types].xml");
	zip_close(za);
	zip_error_fini(&ze);
	for (size_t i = 0; i < NB_NELEM(parts); i++) {
		x = zip_entry(d, len, parts[i], &n);
		assert_non_null(x);
		xopen(&h, x, n);
		hclose(&h);
		free(x);
	}

	x = zip_entry(d, len, "word/document.xml", &n);
	xopen(&h, x, n);
	assert_int_equal(hnum(&h, "count(//w:tbl)"), 3);
	assert_int_equal(hnum(&h, "count(//w:tbl/w:tblGrid)"), 3);
	assert_int_equal(hnum(&h, "count(//w:vMerge[@w:val='restart'])"),
	                 restarts);
	assert_int_equal(hnum(&h, "count(//w:vMerge[not(@w:val)])"), conts);
	assert_int_equal(
	    hnum(&h, "number(//w:tc[.='申请人情况']/w:tcPr/w:gridSpan/@w:val)"),
	    7);
	assert_int_equal(
	    hnum(&h, "number(//w:tc[.='行政诉讼']/w:tcPr/w:gridSpan/@w:val)"),
	    10);
	assert_int_equal(hnum(&h, "count(//w:tc[.='三、本年度办理结果']/w:tcPr/"
	                          "w:vMerge[@w:val='restart'])"),
	                 1);
	/* every row fills the grid: spans add up to the grid's columns */
	assert_int_equal(
	    hnum(&h, "count(//w:tbl[2]/w:tr)"),
	    hnum(&h,
	         "count(//w:tbl[2]/w:tr[sum(w:tc/w:tcPr/w:gridSpan/@w:val)"
	         " + count(w:tc[not(w:tcPr/w:gridSpan)]) = %d])",
	         (int)hnum(&h, "count(//w:tbl[2]/w:tblGrid/w:gridCol)")));
	v = hstr(&h, "string(//w:body/w:p[1])");
	assert_string_equal(
	    v, json_string_value(json_object_get(recs[rec], "title")));
	free(v);
	hclose(&h);
	free(x);

	x = zip_entry(d, len, "docProps/core.xml", &n);
	xopen(&h, x, n);
	v = hstr(&h, "string(//dc:title)");
	assert_string_equal(
	    v, json_string_value(json_object_get(recs[rec], "title")));
	free(v);
	hclose(&h);
	free(x);
	free(d);
}

static void
test_docx_structure(void **state)
{
	(void)state;
	/*
	 * restarts: 3 in the requests header, 三, the groups with sub-rows
	 * (4 in 2021, 3 in 2019), the five appeals headers; continuations:
	 * 4 in the header, nres - 1 for 三, the groups' rows - 1, 5 appeals.
	 */
	check_docx(S2021, 3 + 1 + 4 + 5, 4 + 21 + (7 + 2 + 4 + 2) + 5);
	check_docx(S2019, 3 + 1 + 3 + 5, 4 + 19 + (7 + 2 + 4) + 5);
}

static void
test_docx_short_rows(void **state)
{
	struct render_opts o = {.variant = RV_BLANK_STYLES};
	struct hdoc h;
	size_t len, n;
	char *d = render(render_docx, recs[S2019SHORT], &o, &len);
	char *x = zip_entry(d, len, "word/document.xml", &n);

	(void)state;
	xopen(&h, x, n);
	/* 21 short rows of seed 003, each missing its last two cells */
	assert_int_equal(hnum(&h, "count(//w:gridAfter[@w:val='2'])"), 21);
	assert_int_equal(hnum(&h, "count(//w:tbl[2]//w:gridAfter)"), 21);
	assert_int_equal(
	    hnum(&h, "count(//w:bookmarkStart[@w:name='_GoBack'])"), 1);
	hclose(&h);
	free(x);
	free(d);
}

/* ---- records that are incomplete or wrong ----------------------------- */

static void
expect_rc(render_fn *fn, json_t *rec, int want)
{
	struct nb_buf b;

	nb_buf_init(&b, 1 << 20);
	nb_buf_adds(&b, "kept");
	assert_int_equal(fn(rec, NULL, &b), want);
	assert_string_equal(b.data, "kept");
	nb_buf_free(&b);
}

static void
test_bad_records(void **state)
{
	render_fn *fns[] = {render_html, render_docx, render_text};
	json_t *rec;

	(void)state;
	for (size_t f = 0; f < NB_NELEM(fns); f++) {
		rec = json_deep_copy(recs[S2021]);
		json_object_del(rec, "agency");
		expect_rc(fns[f], rec, NB_EINVAL);
		json_decref(rec);
		rec = json_deep_copy(recs[S2021]);
		json_object_set_new(rec, "template", json_string("unknown"));
		expect_rc(fns[f], rec, NB_EINVAL);
		json_decref(rec);
		rec = json_deep_copy(recs[S2021]);
		json_object_del(rec, "year");
		expect_rc(fns[f], rec, NB_EINVAL);
		json_decref(rec);
		rec = json_deep_copy(recs[S2021]);
		json_array_set_new(
		    json_object_get(json_object_get(rec, "requests"), "new"), 0,
		    json_string("36"));
		expect_rc(fns[f], rec, NB_EINVAL);
		json_decref(rec);
		/* an amount is {"value", "unit"}, not a bare number */
		rec = json_deep_copy(recs[S2021]);
		json_object_set_new(json_object_get(rec, "active"), "fees",
		                    json_pack("{s:i}", "amount", 8606));
		expect_rc(fns[f], rec, NB_EINVAL);
		json_decref(rec);
		expect_rc(fns[f], json_null(), NB_EINVAL);
	}
}

static void
test_too_big(void **state)
{
	render_fn *fns[] = {render_html, render_docx, render_text};

	(void)state;
	for (size_t f = 0; f < NB_NELEM(fns); f++) {
		struct nb_buf b;

		nb_buf_init(&b, 2000);
		nb_buf_adds(&b, "kept");
		assert_int_equal(fns[f](recs[S2021], NULL, &b), NB_ETOOBIG);
		assert_string_equal(b.data, "kept");
		nb_buf_free(&b);
	}
}

/* Keys left out of the record leave their rows and tables out. */
static void
test_partial_record(void **state)
{
	json_t *rec = json_deep_copy(recs[S2021]);
	json_t *other = json_object_get(
	    json_object_get(json_object_get(rec, "requests"), "results"),
	    "other");
	struct rendered r;

	(void)state;
	json_object_del(rec, "appeals");
	json_object_del(json_object_get(rec, "active"), "compulsion");
	json_object_del(other, "no_correction");
	json_object_del(other, "no_fee_paid");
	json_object_set_new(
	    json_object_get(rec, "active"), "fees",
	    json_pack("{s:{s:n,s:s}}", "amount", "value", "unit", "元"));
	r.s =
	    render(render_html, rec, &(struct render_opts){.page = 1}, &r.len);
	hopen(&r.h, r.s, r.len, "UTF-8");
	assert_int_equal(hnum(&r.h, "count(//table[@class='MsoNormalTable'])"),
	                 2);
	assert_int_equal(hnum(&r.h, "count(//td[.='行政强制'])"), 0);
	/* 2021 with the single （六）其他处理 row: 三 spans 20 rows */
	assert_int_equal(
	    hnum(&r.h, "number(//td[.='三、本年度办理结果']/@rowspan)"), 20);
	assert_int_equal(
	    hnum(&r.h, "number(//td[.='（六）其他处理']/@colspan)"), 2);
	/* a null amount is blank; its unit still heads the column */
	assert_int_equal(
	    hnum(&r.h, "count(//td[.='本年收费金额（单位：元）'])"), 1);
	assert_int_equal(
	    hnum(&r.h,
	         "count(//tr[td='行政事业性收费']/td[normalize-space(.)!=''])"),
	    1);
	rfree(&r);
	json_decref(rec);
}

static void
test_deterministic(void **state)
{
	render_fn *fns[] = {render_html, render_docx, render_text};

	(void)state;
	for (size_t f = 0; f < NB_NELEM(fns); f++) {
		struct render_opts o = {.variant = RV_ALL,
		                        .seed = 42,
		                        .page = 1,
		                        .published = "2022-02-01"};
		size_t la, lb;
		char *a = render(fns[f], recs[S2019], &o, &la);
		char *b = render(fns[f], recs[S2019], &o, &lb);

		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		free(a);
		free(b);
		/* another seed picks other spellings */
		o.seed = 43;
		a = render(fns[f], recs[S2019], &o, &la);
		o.seed = 42;
		b = render(fns[f], recs[S2019], &o, &lb);
		assert_true(la != lb || memcmp(a, b, la) != 0);
		free(a);
		free(b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_number),
	    cmocka_unit_test(test_text_values_match_seeds),
	    cmocka_unit_test(test_text_shape),
	    cmocka_unit_test(test_html_roundtrip),
	    cmocka_unit_test(test_docx_roundtrip),
	    cmocka_unit_test(test_html_structure),
	    cmocka_unit_test(test_variant_split_runs),
	    cmocka_unit_test(test_variant_span_shift),
	    cmocka_unit_test(test_variant_br_headers),
	    cmocka_unit_test(test_variant_blank_styles),
	    cmocka_unit_test(test_variant_label_variants),
	    cmocka_unit_test(test_variant_no_numbering),
	    cmocka_unit_test(test_variant_font_tags),
	    cmocka_unit_test(test_variant_chrome_noise),
	    cmocka_unit_test(test_variant_units_in_cells),
	    cmocka_unit_test(test_variant_title_split),
	    cmocka_unit_test(test_charsets),
	    cmocka_unit_test(test_charset_unmappable),
	    cmocka_unit_test(test_docx_structure),
	    cmocka_unit_test(test_docx_short_rows),
	    cmocka_unit_test(test_bad_records),
	    cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_partial_record),
	    cmocka_unit_test(test_deterministic),
	};

	xmlInitParser();
	return cmocka_run_group_tests(tests, setup, teardown);
}
