/*
 * cmd_coverage.c - `nianbao coverage': the agency x year grid, in the
 * terminal or as one self-contained HTML page.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commands.h"
#include "log.h"
#include "query.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
	        "usage: nianbao coverage [--region R] [--year Y1-Y2] "
	        "[--html FILE] [options]\n"
	        "\n"
	        "One row per agency (by region), one column per year; each "
	        "cell is the\n"
	        "report's state:\n"
	        "  ok      on time          late    published after the "
	        "deadline\n"
	        "  ?       no date known    FAIL    a check failed (whatever "
	        "the date)\n"
	        "  .       missing, deadline not passed\n"
	        "  OVER    missing after the deadline (overdue)\n"
	        "then the counts per region.  --json and --csv give one "
	        "entry per cell\n"
	        "(agency, region, kind, year, state, published, deadline, "
	        "failed_checks).\n"
	        "\n"
	        "--html FILE writes a page with no external assets: the grid "
	        "coloured by\n"
	        "state (on-time green, late amber, undated grey, missing light "
	        "grey, overdue\n"
	        "red, failed purple), the counts per county, and every "
	        "record's summary\n"
	        "below it, each cell linking to its record.\n"
	        "\n"
	        "  -r, --region R      one region\n"
	        "  -y, --year Y1-Y2    the years (default: the first year "
	        "archived to the\n"
	        "                      later of the last one and the year "
	        "before today's)\n"
	        "  -o, --html FILE     write the HTML page to FILE (\"-\": "
	        "standard output)\n");
	q_usage_common(fp, 1);
	fprintf(fp, "\nExit status: 0 shown, 1 no agency known (in R), 2 "
	            "usage or archive error.\n");
}

enum cstate { C_ONTIME, C_LATE, C_UNDATED, C_MISSING, C_OVERDUE, C_FAILED };

static const char *const cnames[] = {"on-time", "late",    "undated",
                                     "missing", "overdue", "failed"};
static const char *const csyms[] = {"ok", "late", "?", ".", "OVER", "FAIL"};
static const char *const ccolors[] = {"#2e7d32", "#f9a825", "#90a4ae",
                                      "#e0e0e0", "#c62828", "#6a1b9a"};
static const char *const ctext[] = {"#fff", "#000", "#000",
                                    "#555", "#fff", "#fff"};

struct cell {
	int present;
	enum cstate st;
	char *published;
	int failed;
	char *detail; /* HTML of the record summary */
};

struct agency {
	char *name, *region;
	enum q_kind kind;
	struct cell *cells; /* one per year */
};

struct ctx {
	struct q *q;
	struct store_txn *txn;
	struct agency *a;
	size_t na;
	int from, to;
	int html;
};

static int
on_agency(const struct store_agency *sa, void *arg)
{
	struct ctx *x = arg;
	struct agency *a = realloc(x->a, (x->na + 1) * sizeof(*a));

	if (a == NULL)
		return NB_ENOMEM;
	x->a = a;
	a = &x->a[x->na];
	memset(a, 0, sizeof(*a));
	a->name = strdup(sa->name);
	a->region = strdup(sa->region);
	a->kind = q_kind(x->q, sa->name, sa);
	if (a->name == NULL || a->region == NULL) {
		free(a->name);
		free(a->region);
		return NB_ENOMEM;
	}
	x->na++;
	if (sa->first_year && (x->from == 0 || sa->first_year < x->from))
		x->from = sa->first_year;
	if (sa->last_year > x->to)
		x->to = sa->last_year;
	return 0;
}

static int
cmp_name(const void *k, const void *e)
{
	return strcmp(k, ((const struct agency *)e)->name);
}

static int
cmp_agency(const void *a, const void *b)
{
	return strcmp(((const struct agency *)a)->name,
	              ((const struct agency *)b)->name);
}

static int
cmp_region(const void *a, const void *b)
{
	const struct agency *x = a, *y = b;
	int c = strcmp(x->region, y->region);

	return c ? c : strcmp(x->name, y->name);
}

static void
html_esc(struct nb_buf *b, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<':
			nb_buf_adds(b, "&lt;");
			break;
		case '>':
			nb_buf_adds(b, "&gt;");
			break;
		case '&':
			nb_buf_adds(b, "&amp;");
			break;
		case '"':
			nb_buf_adds(b, "&quot;");
			break;
		default:
			nb_buf_add(b, s, 1);
		}
}

static void
html_num(struct nb_buf *b, const char *label, const json_t *v)
{
	nb_buf_printf(b, "<tr><th>%s</th><td>", label);
	if (json_is_number(v))
		nb_buf_printf(b, "%.15g", json_number_value(v));
	else
		nb_buf_adds(b, "–");
	nb_buf_adds(b, "</td></tr>");
}

/* the record's summary as an HTML fragment */
static char *
detail(const struct store_report *r, const json_t *rec, const char *dl,
       enum cstate st)
{
	const json_t *req = json_object_get(rec, "requests"), *act, *ck;
	const json_t *res = json_object_get(req, "results");
	struct nb_buf b;
	struct q_checks cs;
	char buf[256];
	size_t i;

	nb_buf_init(&b, 1 << 20);
	act = json_object_get(rec, "active");
	nb_buf_adds(&b, "<table class=\"kv\"><tr><th>title</th><td>");
	html_esc(&b, json_string_value(json_object_get(rec, "title")));
	nb_buf_adds(&b, "</td></tr><tr><th>template</th><td>");
	html_esc(&b, json_string_value(json_object_get(rec, "template")));
	nb_buf_adds(&b, "</td></tr><tr><th>published</th><td>");
	html_esc(&b,
	         q_record_published(rec) ? q_record_published(rec) : "unknown");
	nb_buf_printf(&b, " (deadline %s: %s)</td></tr>", dl, cnames[st]);
	nb_buf_adds(&b, "<tr><th>source</th><td><a href=\"");
	html_esc(&b, r->url);
	nb_buf_adds(&b, "\">");
	html_esc(&b, r->url);
	nb_buf_printf(&b,
	              "</a></td></tr><tr><th>version</th><td>%u of "
	              "%u</td></tr>",
	              r->version, r->nversions);
	html_num(&b, "applications received",
	         json_array_get(json_object_get(req, "new"), 6));
	html_num(&b, "granted",
	         json_array_get(json_object_get(res, "granted"), 6));
	html_num(
	    &b, "licensing decisions",
	    json_object_get(json_object_get(act, "licensing"), "decisions"));
	html_num(
	    &b, "punishment decisions",
	    json_object_get(json_object_get(act, "punishment"), "decisions"));
	q_record_checks(rec, &cs);
	nb_buf_adds(&b, "<tr><th>checks</th><td>");
	html_esc(&b, q_checks_text(&cs, buf, sizeof(buf)));
	json_array_foreach(json_object_get(rec, "checks"), i, ck)
	{
		const json_t *e = json_object_get(ck, "expected");
		const json_t *a = json_object_get(ck, "actual");

		if (!json_is_false(json_object_get(ck, "ok")))
			continue;
		nb_buf_adds(&b, "<br><span class=\"bad\">");
		html_esc(&b, q_check_name(ck, buf, sizeof(buf)));
		nb_buf_printf(&b, ": expected %.15g, actual %.15g</span>",
		              json_number_value(e), json_number_value(a));
	}
	nb_buf_adds(&b, "</td></tr></table>");
	return nb_buf_take(&b, NULL);
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	struct agency *a;
	struct cell *c;
	struct q_checks ck;
	const char *pub;
	char dl[11];
	json_t *rec;

	if (r->year < x->from || r->year > x->to)
		return 0;
	a = bsearch(r->agency, x->a, x->na, sizeof(*a), cmp_name);
	if (a == NULL || (rec = q_record_parse(r)) == NULL)
		return 0;
	c = &a->cells[r->year - x->from];
	c->present = 1;
	pub = q_record_published(rec);
	q_deadline(a->kind, r->year, dl);
	q_record_checks(rec, &ck);
	c->failed = ck.failed;
	switch (q_state_of(x->q, 1, pub, dl)) {
	case Q_LATE:
		c->st = C_LATE;
		break;
	case Q_UNDATED:
		c->st = C_UNDATED;
		break;
	default:
		c->st = C_ONTIME;
	}
	if (ck.failed)
		c->st = C_FAILED;
	if (pub && (c->published = strndup(pub, 10)) == NULL) {
		json_decref(rec);
		return NB_ENOMEM;
	}
	if (x->html && (c->detail = detail(r, rec, dl, c->st)) == NULL) {
		json_decref(rec);
		return NB_ENOMEM;
	}
	json_decref(rec);
	return 0;
}

/* ------------------------------------------------------------- output */

static int
print_cells(struct ctx *x, enum q_fmt fmt)
{
	static const char *const cols[] = {
	    "agency", "region",    ">year",    "kind",
	    "state",  "published", "deadline", ">failed_checks",
	};
	struct q_table *t = q_table_new(cols, NB_NELEM(cols));
	int rc = 0;

	if (t == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; rc == 0 && i < x->na; i++)
		for (int y = x->from; rc == 0 && y <= x->to; y++) {
			struct agency *a = &x->a[i];
			struct cell *c = &a->cells[y - x->from];
			char dl[11];

			q_deadline(a->kind, y, dl);
			if ((rc = q_table_row(t)) ||
			    (rc = q_table_set(t, 0, Q_STR, a->name)) ||
			    (rc = q_table_set(t, 1,
			                      a->region[0] ? Q_STR : Q_NULL,
			                      a->region)) ||
			    (rc = q_table_setf(t, 2, Q_NUM, "%d", y)) ||
			    (rc = q_table_set(t, 3, Q_STR,
			                      q_kind_name(a->kind))) ||
			    (rc = q_table_set(t, 4, Q_STR, cnames[c->st])) ||
			    (rc = q_table_set(t, 5,
			                      c->published ? Q_STR : Q_NULL,
			                      c->published)) ||
			    (rc = q_table_set(t, 6, Q_STR, dl)))
				break;
			if (c->st < C_MISSING || c->st == C_FAILED)
				rc = q_table_setf(t, 7, Q_NUM, "%d", c->failed);
		}
	if (rc == 0)
		rc = q_table_print(t, fmt, stdout);
	q_table_free(t);
	return rc;
}

/* counts per region: cnt[region][state], regions in agency order */
struct counts {
	const char *region;
	int agencies;
	int n[6];
};

static struct counts *
count(struct ctx *x, size_t *nout)
{
	struct counts *c = calloc(x->na + 1, sizeof(*c));
	size_t n = 0;

	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < x->na; i++) {
		size_t k;

		for (k = 0; k < n; k++)
			if (strcmp(c[k].region, x->a[i].region) == 0)
				break;
		if (k == n)
			c[n++].region = x->a[i].region;
		c[k].agencies++;
		for (int y = 0; y <= x->to - x->from; y++)
			c[k].n[x->a[i].cells[y].st]++;
	}
	*nout = n;
	return c;
}

static int
print_grid(struct ctx *x)
{
	int ny = x->to - x->from + 1, rc = NB_ENOMEM;
	const char **cols = calloc(ny + 2, sizeof(char *));
	char(*years)[8] = calloc(ny, sizeof(*years));
	static const char *const ccols[] = {
	    "region",   ">agencies", ">on-time", ">late",
	    ">undated", ">missing",  ">overdue", ">failed",
	};
	struct q_table *t = NULL, *ct = NULL;
	struct counts *c = NULL;
	size_t nc = 0;

	if (cols == NULL || years == NULL)
		goto fail;
	cols[0] = "region";
	cols[1] = "agency";
	for (int y = 0; y < ny; y++) {
		snprintf(years[y], sizeof(years[y]), ">%d", x->from + y);
		cols[y + 2] = years[y];
	}
	if ((t = q_table_new(cols, ny + 2)) == NULL)
		goto fail;
	for (size_t i = 0; i < x->na; i++) {
		if ((rc = q_table_row(t)) ||
		    (rc = q_table_set(t, 0, x->a[i].region[0] ? Q_STR : Q_NULL,
		                      x->a[i].region)) ||
		    (rc = q_table_set(t, 1, Q_STR, x->a[i].name)))
			goto fail;
		for (int y = 0; y < ny; y++)
			if ((rc = q_table_set(t, y + 2, Q_STR,
			                      csyms[x->a[i].cells[y].st])))
				goto fail;
	}
	if ((rc = q_table_print(t, Q_FMT_TABLE, stdout)) != 0)
		goto fail;
	printf("\nok on time, late published late, ? undated, FAIL a check "
	       "failed, . missing, OVER overdue (as of %s)\n\n",
	       x->q->today);
	rc = NB_ENOMEM;
	if ((c = count(x, &nc)) == NULL ||
	    (ct = q_table_new(ccols, NB_NELEM(ccols))) == NULL)
		goto fail;
	for (size_t k = 0; k < nc; k++) {
		if ((rc = q_table_row(ct)) ||
		    (rc = q_table_set(ct, 0, c[k].region[0] ? Q_STR : Q_NULL,
		                      c[k].region)) ||
		    (rc = q_table_setf(ct, 1, Q_NUM, "%d", c[k].agencies)))
			goto fail;
		for (int s = 0; s < 6; s++)
			if ((rc = q_table_setf(ct, 2 + s, Q_NUM, "%d",
			                       c[k].n[s])))
				goto fail;
	}
	rc = q_table_print(ct, Q_FMT_TABLE, stdout);
fail:
	q_table_free(t);
	q_table_free(ct);
	free(c);
	free(cols);
	free(years);
	return rc;
}

static const char css[] =
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;"
    "margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left}"
    "td.cell{width:3.2em;height:1.6em;text-align:center;padding:0}"
    "td.cell a{display:block;color:inherit;text-decoration:none}"
    "tr.region th{background:#eceff1;font-size:1.05em}"
    "section.record{border-top:1px solid #ccc;margin-top:1em}"
    "section.record:target{background:#fff8e1}"
    "table.kv th{width:12em;background:#fafafa}"
    ".bad{color:#c62828}";

static void
page(struct ctx *x, struct nb_buf *b, const char *region)
{
	int ny = x->to - x->from + 1;
	struct counts *c;
	size_t nc = 0;

	nb_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta "
	               "charset=\"utf-8\"><title>nianbao coverage");
	if (region) {
		nb_buf_adds(b, ": ");
		html_esc(b, region);
	}
	nb_buf_printf(b, "</title><style>%s", css);
	for (int s = 0; s < 6; s++)
		nb_buf_printf(b, ".%s{background:%s;color:%s}", cnames[s],
		              ccolors[s], ctext[s]);
	nb_buf_adds(b, "</style></head><body>\n");
	nb_buf_adds(b, "<h1>政府信息公开工作年度报告 coverage");
	if (region) {
		nb_buf_adds(b, ": ");
		html_esc(b, region);
	}
	nb_buf_printf(b,
	              "</h1>\n<p>Years %d–%d, deadlines judged as of %s. "
	              "Click a cell for its record.</p>\n",
	              x->from, x->to, x->q->today);
	nb_buf_adds(b, "<table class=\"legend\"><tr>");
	for (int s = 0; s < 6; s++)
		nb_buf_printf(b, "<td class=\"%s\">%s</td>", cnames[s],
		              cnames[s]);
	nb_buf_adds(b, "</tr></table>\n<h2>Counts per county</h2>\n"
	               "<table class=\"counts\"><tr><th>region</th>"
	               "<th>agencies</th>");
	for (int s = 0; s < 6; s++)
		nb_buf_printf(b, "<th>%s</th>", cnames[s]);
	nb_buf_adds(b, "</tr>\n");
	if ((c = count(x, &nc)) != NULL)
		for (size_t k = 0; k < nc; k++) {
			nb_buf_adds(b, "<tr><th>");
			html_esc(b, c[k].region[0] ? c[k].region : "(unknown)");
			nb_buf_printf(b, "</th><td>%d</td>", c[k].agencies);
			for (int s = 0; s < 6; s++)
				nb_buf_printf(b, "<td>%d</td>", c[k].n[s]);
			nb_buf_adds(b, "</tr>\n");
		}
	free(c);
	nb_buf_adds(b, "</table>\n<h2>Agencies by year</h2>\n<table "
	               "class=\"grid\" id=\"grid\"><thead><tr><th>agency</th>"
	               "<th>kind</th>");
	for (int y = 0; y < ny; y++)
		nb_buf_printf(b, "<th>%d</th>", x->from + y);
	nb_buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < x->na; i++) {
		struct agency *a = &x->a[i];

		if (i == 0 || strcmp(a->region, x->a[i - 1].region) != 0) {
			nb_buf_printf(
			    b, "<tr class=\"region\"><th colspan=\"%d\">",
			    ny + 2);
			html_esc(b, a->region[0] ? a->region : "(unknown)");
			nb_buf_adds(b, "</th></tr>\n");
		}
		nb_buf_adds(b, "<tr><th>");
		html_esc(b, a->name);
		nb_buf_printf(b, "</th><td>%s</td>", q_kind_name(a->kind));
		for (int y = 0; y < ny; y++) {
			struct cell *cl = &a->cells[y];
			char dl[11];

			q_deadline(a->kind, x->from + y, dl);
			nb_buf_printf(b,
			              "<td class=\"cell %s\" data-state=\"%s\" "
			              "data-year=\"%d\" title=\"",
			              cnames[cl->st], cnames[cl->st],
			              x->from + y);
			html_esc(b, a->name);
			nb_buf_printf(b, " %d: %s, deadline %s%s%s\">",
			              x->from + y, cnames[cl->st], dl,
			              cl->published ? ", published " : "",
			              cl->published ? cl->published : "");
			if (cl->detail)
				nb_buf_printf(b, "<a href=\"#r-%zu-%d\">%s</a>",
				              i, x->from + y, csyms[cl->st]);
			else
				nb_buf_adds(b, csyms[cl->st]);
			nb_buf_adds(b, "</td>");
		}
		nb_buf_adds(b, "</tr>\n");
	}
	nb_buf_adds(b, "</tbody></table>\n<h2>Records</h2>\n");
	for (size_t i = 0; i < x->na; i++)
		for (int y = 0; y < ny; y++) {
			struct cell *cl = &x->a[i].cells[y];

			if (cl->detail == NULL)
				continue;
			nb_buf_printf(b,
			              "<section class=\"record\" "
			              "id=\"r-%zu-%d\"><h3>",
			              i, x->from + y);
			html_esc(b, x->a[i].name);
			nb_buf_printf(b, " %d</h3>%s</section>\n", x->from + y,
			              cl->detail);
		}
	nb_buf_adds(b, "</body></html>\n");
}

static int
write_html(struct ctx *x, const char *path, const char *region)
{
	struct nb_buf b;
	FILE *fp;
	int rc = 0;

	nb_buf_init(&b, (size_t)1 << 30);
	page(x, &b, region);
	if (b.data == NULL) {
		log_warnx("coverage: out of memory");
		return NB_ENOMEM;
	}
	if (strcmp(path, "-") == 0)
		fp = stdout;
	else if ((fp = fopen(path, "w")) == NULL) {
		log_warn("coverage: %s", path);
		nb_buf_free(&b);
		return NB_EIO;
	}
	if (fwrite(b.data, 1, b.len, fp) != b.len || fflush(fp) != 0) {
		log_warn("coverage: %s", path);
		rc = NB_EIO;
	}
	if (fp != stdout && fclose(fp) != 0 && rc == 0) {
		log_warn("coverage: %s", path);
		rc = NB_EIO;
	}
	nb_buf_free(&b);
	return rc;
}

int
cmd_coverage(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"region", required_argument, NULL, 'r'},
	    {"year", required_argument, NULL, 'y'},
	    {"html", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct store_txn *txn = NULL;
	const char *region = NULL, *years = NULL, *html = NULL;
	struct ctx x = {0};
	int c, rc, status = Q_ERR, yfrom = 0, yto = 0;
	struct q q;

	q_init(&q, "coverage");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "r:y:o:", opts)) != -1)
		switch (c) {
		case 'r':
			region = optarg;
			break;
		case 'y':
			years = optarg;
			break;
		case 'o':
			html = optarg;
			break;
		default:
			usage(stderr);
			return Q_ERR;
		}
	if (q.help) {
		usage(stdout);
		return Q_OK;
	}
	if (optind != argc) {
		usage(stderr);
		return Q_ERR;
	}
	if (years != NULL) {
		char *end;

		yfrom = (int)strtol(years, &end, 10);
		yto = *end == '-' ? (int)strtol(end + 1, &end, 10) : yfrom;
		if (*end || yfrom < 1900 || yto > 2999 || yto < yfrom ||
		    yto - yfrom > 100) {
			log_warnx("coverage: --year %s: not a year or a range",
			          years);
			return Q_ERR;
		}
	}
	x.q = &q;
	x.html = html != NULL;
	if (q_open(&q) != 0 || store_read_begin(q.st, &txn) != 0)
		goto done;
	x.txn = txn;
	if ((rc = store_agency_iter(txn, region, on_agency, &x)) != 0)
		goto fail;
	if (x.na == 0) {
		status = q_flush(stdout, Q_NO);
		goto done;
	}
	if (years != NULL) {
		x.from = yfrom;
		x.to = yto;
	} else if (x.from == 0) {
		x.from = x.to = atoi(q.today) - 1;
	} else if (x.to < atoi(q.today) - 1)
		x.to = atoi(q.today) - 1;
	/* reports come by region then agency: find agencies by name */
	qsort(x.a, x.na, sizeof(*x.a), cmp_agency);
	for (size_t i = 0; i < x.na; i++)
		if ((x.a[i].cells = calloc(x.to - x.from + 1,
		                           sizeof(struct cell))) == NULL)
			goto done;
	for (int y = x.from; y <= x.to; y++)
		if ((rc = store_report_iter(
		         txn, &(struct store_report_filter){NULL, region, y},
		         STORE_JSON, on_report, &x)) != 0)
			goto fail;
	store_read_end(txn);
	txn = NULL;
	for (size_t i = 0; i < x.na; i++)
		for (int y = x.from; y <= x.to; y++) {
			struct cell *cl = &x.a[i].cells[y - x.from];
			char dl[11];

			if (cl->present)
				continue;
			q_deadline(x.a[i].kind, y, dl);
			cl->st = q_state_of(&q, 0, NULL, dl) == Q_OVERDUE
			             ? C_OVERDUE
			             : C_MISSING;
		}
	qsort(x.a, x.na, sizeof(*x.a), cmp_region);
	if (html != NULL)
		rc = write_html(&x, html, region);
	else if (q.fmt == Q_FMT_TABLE)
		rc = print_grid(&x);
	else
		rc = print_cells(&x, q.fmt);
	status = q_flush(stdout, rc ? Q_ERR : Q_OK);
	goto done;
fail:
	log_warnx("coverage: %s", nb_strerror(rc));
done:
	store_read_end(txn);
	for (size_t i = 0; i < x.na; i++) {
		for (int y = 0; x.a[i].cells && y <= x.to - x.from; y++) {
			free(x.a[i].cells[y].published);
			free(x.a[i].cells[y].detail);
		}
		free(x.a[i].cells);
		free(x.a[i].name);
		free(x.a[i].region);
	}
	free(x.a);
	q_close(&q);
	return status;
}
