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
	        "  unp     unparsed: archived, but its document could not be "
	        "read (a scan,\n"
	        "          images only); whatever the date\n"
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
	        "red, failed purple, unparsed blue), the counts per county, "
	        "and every\nrecord's summary "
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

enum cstate {
	C_ONTIME,
	C_LATE,
	C_UNDATED,
	C_MISSING,
	C_OVERDUE,
	C_FAILED,
	C_UNPARSED,
	C_NSTATES
};

static const char *const cnames[C_NSTATES] = {
    "on-time", "late", "undated", "missing", "overdue", "failed", "unparsed"};
static const char *const csyms[C_NSTATES] = {"ok",   "late", "?",  ".",
                                             "OVER", "FAIL", "unp"};
static const char *const ccolors[C_NSTATES] = {"#2e7d32", "#f9a825", "#90a4ae",
                                               "#e0e0e0", "#c62828", "#6a1b9a",
                                               "#1565c0"};
static const char *const ctext[C_NSTATES] = {"#fff", "#000", "#000", "#555",
                                             "#fff", "#fff", "#fff"};

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
	struct agency *a; /* by region, then name: as the scans go */
	size_t na, cap;
	size_t *byname; /* indices into a, by name */
	size_t pos;     /* where the scan of `year' is in a */
	int year;
	int from, to;
	int html;
};

static int
on_agency(const struct store_agency *sa, void *arg)
{
	struct ctx *x = arg;
	struct agency *a;

	if (x->na == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;

		if ((a = realloc(x->a, cap * sizeof(*a))) == NULL)
			return NB_ENOMEM;
		x->a = a;
		x->cap = cap;
	}
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

/* the agencies by name, for reports not under their agency's region */
static int
cmp_byname(const void *a, const void *b, void *arg)
{
	const struct ctx *x = arg;

	return strcmp(x->a[*(const size_t *)a].name,
	              x->a[*(const size_t *)b].name);
}

static int
index_names(struct ctx *x)
{
	if ((x->byname = malloc((x->na + 1) * sizeof(*x->byname))) == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < x->na; i++)
		x->byname[i] = i;
	qsort_r(x->byname, x->na, sizeof(*x->byname), cmp_byname, x);
	return 0;
}

/* the agency of a report: found moving forward along the scan of its
 * year, or by name */
static struct agency *
agency_of(struct ctx *x, const struct store_report *r)
{
	size_t lo = 0, hi = x->na;

	if (r->year != x->year) {
		x->year = r->year;
		x->pos = 0;
	}
	while (x->pos < x->na) {
		struct agency *a = &x->a[x->pos];
		int c = strcmp(a->region, r->region);

		if (c == 0)
			c = strcmp(a->name, r->agency);
		if (c > 0)
			break;
		x->pos++;
		if (c == 0)
			return a;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(x->a[x->byname[mid]].name, r->agency);

		if (c == 0)
			return &x->a[x->byname[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
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
html_num(struct nb_buf *b, const char *label, const struct store_summary *s,
         enum store_sum_num n)
{
	nb_buf_printf(b, "<tr><th>%s</th><td>", label);
	if (s->num_mask & 1u << n)
		nb_buf_printf(b, "%.15g", s->num[n]);
	else
		nb_buf_adds(b, "–");
	nb_buf_adds(b, "</td></tr>");
}

static void
html_failed(struct nb_buf *b, const char *name, double expected, double actual)
{
	nb_buf_adds(b, "<br><span class=\"bad\">");
	html_esc(b, name);
	nb_buf_printf(b, ": expected %.15g, actual %.15g</span>", expected,
	              actual);
}

/* the record's summary as an HTML fragment */
static char *
detail(struct ctx *x, const struct store_report *r, const char *dl,
       enum cstate st)
{
	const struct store_summary *s = &r->summary;
	struct nb_buf b;
	struct q_checks cs;
	char buf[256];

	nb_buf_init(&b, 1 << 20);
	nb_buf_adds(&b, "<table class=\"kv\"><tr><th>title</th><td>");
	html_esc(&b, s->title);
	nb_buf_adds(&b, "</td></tr><tr><th>template</th><td>");
	html_esc(&b, s->template);
	if (s->flags & STORE_SUM_UNPARSED)
		nb_buf_adds(&b, "</td></tr><tr><th>unparsed</th><td>the "
		                "document is archived but could not be read "
		                "(a scan, images only): no numbers, nothing "
		                "to check");
	nb_buf_adds(&b, "</td></tr><tr><th>published</th><td>");
	html_esc(&b, s->published ? s->published : "unknown");
	nb_buf_printf(&b, " (deadline %s: %s)</td></tr>", dl, cnames[st]);
	nb_buf_adds(&b, "<tr><th>source</th><td><a href=\"");
	html_esc(&b, r->url);
	nb_buf_adds(&b, "\">");
	html_esc(&b, r->url);
	nb_buf_printf(&b,
	              "</a></td></tr><tr><th>version</th><td>%u of "
	              "%u</td></tr>",
	              r->version, r->nversions);
	html_num(&b, "applications received", s, STORE_NUM_REQ_NEW);
	html_num(&b, "granted", s, STORE_NUM_REQ_GRANTED);
	html_num(&b, "licensing decisions", s, STORE_NUM_LICENSING);
	html_num(&b, "punishment decisions", s, STORE_NUM_PUNISHMENT);
	q_summary_checks(s, &cs);
	nb_buf_adds(&b, "<tr><th>checks</th><td>");
	html_esc(&b, q_checks_text(&cs, buf, sizeof(buf)));
	if (s->flags & STORE_SUM_CHECKS) {
		for (size_t i = 0; i < s->nnotok; i++) {
			const struct store_sum_check *c = &s->notok[i];

			if (c->failed)
				html_failed(&b,
				            q_check_name_of(c->rule,
				                            c->instance, buf,
				                            sizeof(buf)),
				            q_sum_number(&c->expected),
				            q_sum_number(&c->actual));
		}
	} else if (s->nfailed) {
		/* some value the summary does not keep: from the record */
		struct store_report full;
		const json_t *ck;
		json_t *rec = NULL;
		size_t i;

		if (store_report_get(x->txn, r->agency, r->year, STORE_JSON,
		                     &full) == 0)
			rec = q_record_parse(&full);
		json_array_foreach(json_object_get(rec, "checks"), i, ck)
		{
			if (json_is_false(json_object_get(ck, "ok")))
				html_failed(&b,
				            q_check_name(ck, buf, sizeof(buf)),
				            json_number_value(json_object_get(
				                ck, "expected")),
				            json_number_value(
				                json_object_get(ck, "actual")));
		}
		json_decref(rec);
	}
	nb_buf_adds(&b, "</td></tr></table>");
	return nb_buf_take(&b, NULL);
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	const struct store_summary *s = &r->summary;
	struct agency *a;
	struct cell *c;
	const char *pub = s->published;
	char dl[11];

	if (r->year < x->from || r->year > x->to)
		return 0;
	a = agency_of(x, r);
	if (a == NULL || !q_summary_usable(r))
		return 0;
	c = &a->cells[r->year - x->from];
	c->present = 1;
	q_deadline(a->kind, r->year, dl);
	c->failed = (int)s->nfailed;
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
	if (s->nfailed)
		c->st = C_FAILED;
	if (s->flags & STORE_SUM_UNPARSED)
		c->st = C_UNPARSED;
	if (pub && (c->published = strndup(pub, 10)) == NULL)
		return NB_ENOMEM;
	if (x->html && (c->detail = detail(x, r, dl, c->st)) == NULL)
		return NB_ENOMEM;
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
			if (c->st != C_MISSING && c->st != C_OVERDUE)
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
	int n[C_NSTATES];
};

/* the agencies are sorted by region: each region's are together */
static struct counts *
count(struct ctx *x, size_t *nout)
{
	struct counts *c = calloc(x->na + 1, sizeof(*c));
	size_t n = 0;

	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < x->na; i++) {
		size_t k = n - 1;

		if (n == 0 || strcmp(c[k].region, x->a[i].region) != 0)
			c[k = n++].region = x->a[i].region;
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
	    "region",   ">agencies", ">on-time", ">late",     ">undated",
	    ">missing", ">overdue",  ">failed",  ">unparsed",
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
	       "failed, unp unparsed\n(archived, not read), . missing, OVER "
	       "overdue (as of %s)\n\n",
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
		for (int s = 0; s < C_NSTATES; s++)
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

/* The page goes out as it is made: for the whole country it is about a
 * gigabyte.  Returns 0 or NB_EIO; the caller logs. */
static int
spill(struct nb_buf *b, FILE *fp, size_t over)
{
	int rc = 0;

	if (b->len < over)
		return 0;
	if (b->len && fwrite(b->data, 1, b->len, fp) != b->len)
		rc = NB_EIO;
	nb_buf_reset(b);
	return rc;
}

#define SPILL_AT (256 * 1024)

static int
page(struct ctx *x, struct nb_buf *b, const char *region, FILE *fp)
{
	int rc = 0;
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
	for (int s = 0; s < C_NSTATES; s++)
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
	for (int s = 0; s < C_NSTATES; s++)
		nb_buf_printf(b, "<td class=\"%s\">%s</td>", cnames[s],
		              cnames[s]);
	nb_buf_adds(b, "</tr></table>\n<h2>Counts per county</h2>\n"
	               "<table class=\"counts\"><tr><th>region</th>"
	               "<th>agencies</th>");
	for (int s = 0; s < C_NSTATES; s++)
		nb_buf_printf(b, "<th>%s</th>", cnames[s]);
	nb_buf_adds(b, "</tr>\n");
	if ((c = count(x, &nc)) != NULL)
		for (size_t k = 0; k < nc; k++) {
			nb_buf_adds(b, "<tr><th>");
			html_esc(b, c[k].region[0] ? c[k].region : "(unknown)");
			nb_buf_printf(b, "</th><td>%d</td>", c[k].agencies);
			for (int s = 0; s < C_NSTATES; s++)
				nb_buf_printf(b, "<td>%d</td>", c[k].n[s]);
			nb_buf_adds(b, "</tr>\n");
			rc = rc ? rc : spill(b, fp, SPILL_AT);
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
		rc = rc ? rc : spill(b, fp, SPILL_AT);
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
			rc = rc ? rc : spill(b, fp, SPILL_AT);
		}
	nb_buf_adds(b, "</body></html>\n");
	return rc ? rc : spill(b, fp, 0);
}

static int
write_html(struct ctx *x, const char *path, const char *region)
{
	struct nb_buf b;
	FILE *fp;
	int rc;

	if (strcmp(path, "-") == 0)
		fp = stdout;
	else if ((fp = fopen(path, "w")) == NULL) {
		log_warn("coverage: %s", path);
		return NB_EIO;
	}
	nb_buf_init(&b, (size_t)1 << 30);
	rc = page(x, &b, region, fp);
	if (rc == 0 && fflush(fp) != 0)
		rc = NB_EIO;
	if (fp != stdout && fclose(fp) != 0 && rc == 0)
		rc = NB_EIO;
	if (rc != 0)
		log_warn("coverage: %s", path);
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
	if (index_names(&x) != 0)
		goto done;
	for (size_t i = 0; i < x.na; i++)
		if ((x.a[i].cells = calloc(x.to - x.from + 1,
		                           sizeof(struct cell))) == NULL)
			goto done;
	for (int y = x.from; y <= x.to; y++)
		if ((rc = q_report_iter(
		         txn, &(struct store_report_filter){NULL, region, y},
		         STORE_SUMMARY, on_report, &x)) != 0)
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
	free(x.byname);
	q_close(&q);
	return status;
}
