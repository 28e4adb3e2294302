/*
 * store_bench DIR SITES AGENCIES YEARS - build a synthetic national archive
 * of SITES x AGENCIES x YEARS reports in large transactions, then measure:
 * bulk put rate, durable one-report-per-commit rate, get rate (metadata,
 * summary, and with the record decompressed), and store_missing for every
 * year.  Prints one "name value unit" line per number.
 *
 * The records follow report-schema.md: the 2019 template for the years
 * 2019-2020, the 2021 template afterwards; tables that add up, with the
 * checks computed by the indexer.  Like real reports, some are not in
 * order: about 4% have an inconsistent cell (a failed check), 1% a blank
 * one (a check that cannot be evaluated), 5% break the year-to-year chain
 * of in_force or prev_items, 8% are published late and 2% carry no date.
 * Site s is region "<s>县"; agency 0 of it is the county government
 * "<s>县人民政府", agency a the department "<s>县第<a>局".  Every 97th
 * report is left out, so that `missing' finds something.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "indexer.h"
#include "log.h"
#include "nbtime.h"
#include "store.h"

#define FIRST_YEAR 2019

static int nsites, nagencies, nyears;
static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* a percentage chance */
static int
chance(int pct)
{
	return (int)(rnd() % 100) < pct;
}

/* a small count, mostly 0 */
static json_int_t
small(void)
{
	return rnd() % 3 ? 0 : (json_int_t)(rnd() % 12);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
names(int s, int a, char *agency, size_t al, char *region, size_t rl)
{
	snprintf(region, rl, "%04d县", s);
	if (a == 0)
		snprintf(agency, al, "%04d县人民政府", s);
	else
		snprintf(agency, al, "%04d县第%02d局", s, a);
}

static int
planted(int s, int a, int y)
{
	return (s * 7 + a * 13 + y) % 97 == 0;
}

/* What an agency's reports carry from one year to the next. */
struct chain {
	json_int_t in_force[2]; /* rules, normative_docs */
	json_int_t prev[5];     /* licensing ... fees: prev_items */
	json_int_t change[5];   /* and change */
};

static const char *const rows2019[] = {"licensing", "other_services",
                                       "punishment", "compulsion", "fees"};

static json_t *
row7(const json_int_t *v, int blank)
{
	json_t *a = json_array();

	for (int c = 0; c < 7; c++)
		json_array_append_new(a, c == blank ? json_null()
		                                    : json_integer(v[c]));
	return a;
}

/* requests: every row with its total column, balanced per column */
static json_t *
requests(int tpl2021, int *bad, int *blank)
{
	static const char *const denied[] = {
	    "state_secret",      "law_prohibited",   "security_stability",
	    "third_party",       "internal_affairs", "process_info",
	    "enforcement_files", "query_matters"};
	static const char *const unavailable[] = {"not_held", "needs_creation",
	                                          "unclear"};
	static const char *const not_processed[] = {"petition", "duplicate",
	                                            "publications", "excessive",
	                                            "confirm_existing"};
	static const char *const other2021[] = {"no_correction", "no_fee_paid",
	                                        "other"};
	static const char *const *const groups[] = {denied, unavailable,
	                                            not_processed, other2021};
	static const char *const gnames[] = {"denied", "unavailable",
	                                     "not_processed", "other"};
	const size_t gsize[] = {8, 3, 5, tpl2021 ? 3 : 1};
	json_int_t leaf[2 + 8 + 3 + 5 + 3][7], total[7] = {0}, co[7], cf[7],
	                                       nw[7];
	json_t *req = json_object(), *res = json_object(), *cols;
	size_t nleaf = 2 + 8 + 3 + 5 + gsize[3], k = 0;
	int gb = -1;

	for (size_t i = 0; i < nleaf; i++) {
		leaf[i][6] = 0;
		for (int c = 0; c < 6; c++) {
			leaf[i][c] = i < 2 ? small() * 3 : small() / 2;
			leaf[i][6] += leaf[i][c];
			total[c] += leaf[i][c];
		}
	}
	total[6] = 0;
	co[6] = cf[6] = nw[6] = 0;
	for (int c = 0; c < 6; c++) {
		total[6] += total[c];
		cf[c] = rnd() % 4 ? 0 : rnd() % 3;
		co[c] = rnd() % 4 ? 0 : rnd() % (total[c] + cf[c] + 1);
		nw[c] = total[c] + cf[c] - co[c];
		co[6] += co[c];
		cf[6] += cf[c];
		nw[6] += nw[c];
	}
	if ((*bad = chance(4)))
		nw[0] += 1 + rnd() % 5;
	if ((*blank = !*bad && chance(1)))
		gb = 3;
	cols = json_pack("[sssssss]", "natural", "business", "research",
	                 "public_interest", "legal_services", "other_org",
	                 "total");
	json_object_set_new(req, "columns", cols);
	json_object_set_new(req, "new", row7(nw, -1));
	json_object_set_new(req, "carried_over", row7(co, -1));
	json_object_set_new(res, "granted", row7(leaf[k++], gb));
	json_object_set_new(res, "partially_granted", row7(leaf[k++], -1));
	for (size_t g = 0; g < 4; g++) {
		json_t *o = json_object();

		for (size_t i = 0; i < gsize[g]; i++)
			json_object_set_new(
			    o, g == 3 && !tpl2021 ? "other" : groups[g][i],
			    row7(leaf[k++], -1));
		json_object_set_new(res, gnames[g], o);
	}
	json_object_set_new(res, "total", row7(total, -1));
	json_object_set_new(req, "results", res);
	json_object_set_new(req, "carried_forward", row7(cf, -1));
	return req;
}

static json_t *
appeals(void)
{
	static const char *const g[] = {"review", "litigation_direct",
	                                "litigation_after_review"};
	json_t *ap = json_object();

	for (int i = 0; i < 3; i++) {
		json_int_t u = small(), c = small() / 3, o = small() / 2,
		           p = small() / 2;

		json_object_set_new(ap, g[i],
		                    json_pack("{sIsIsIsIsI}", "upheld", u,
		                              "corrected", c, "other", o,
		                              "pending", p, "total",
		                              u + c + o + p));
	}
	return ap;
}

static json_t *
active2021(struct chain *ch, int first)
{
	static const char *const rows[] = {"rules", "normative_docs"};
	json_t *act = json_object();

	for (int i = 0; i < 2; i++) {
		json_int_t made = rnd() % (i ? 40 : 3),
		           rep = rnd() % (i ? 30 : 2), f;

		if (first)
			ch->in_force[i] = rnd() % (i ? 300 : 20) + rep;
		f = ch->in_force[i] + made - rep;
		if (f < 0) {
			rep = ch->in_force[i] + made;
			f = 0;
		}
		ch->in_force[i] = f;
		if (chance(5))
			f += 1 + rnd() % 9;
		json_object_set_new(act, rows[i],
		                    json_pack("{sIsIsI}", "made", made,
		                              "repealed", rep, "in_force", f));
	}
	json_object_set_new(
	    act, "licensing",
	    json_pack("{sI}", "decisions", (json_int_t)(rnd() % 20000)));
	json_object_set_new(
	    act, "punishment",
	    json_pack("{sI}", "decisions", (json_int_t)(rnd() % 9000)));
	json_object_set_new(
	    act, "compulsion",
	    json_pack("{sI}", "decisions", (json_int_t)(rnd() % 4000)));
	json_object_set_new(act, "fees",
	                    json_pack("{s{sIss}}", "amount", "value",
	                              (json_int_t)(rnd() % 10000), "unit",
	                              "万元"));
	return act;
}

static json_t *
active2019(struct chain *ch, int first)
{
	static const char *const docs[] = {"rules", "normative_docs"};
	json_t *act = json_object();

	for (int i = 0; i < 2; i++) {
		json_int_t m = rnd() % (i ? 40 : 3);

		json_object_set_new(act, docs[i],
		                    json_pack("{sIsIsI}", "new_made", m,
		                              "new_published", m,
		                              "total_published",
		                              (json_int_t)(m + rnd() % 200)));
	}
	for (int i = 0; i < 5; i++) {
		json_int_t p;

		if (first)
			ch->prev[i] = rnd() % 300;
		else
			ch->prev[i] += ch->change[i];
		p = ch->prev[i];
		if (!first && chance(5))
			p += 1 + rnd() % 9;
		ch->change[i] = (json_int_t)(rnd() % 9) - 3;
		if (ch->prev[i] + ch->change[i] < 0)
			ch->change[i] = -ch->prev[i];
		if (i == 4)
			json_object_set_new(act, rows2019[i],
			                    json_pack("{sIsI}", "prev_items", p,
			                              "change", ch->change[i]));
		else
			json_object_set_new(
			    act, rows2019[i],
			    json_pack("{sIsIsI}", "prev_items", p, "change",
			              ch->change[i], "decisions",
			              (json_int_t)(rnd() % 9000)));
	}
	json_object_set_new(act, "procurement",
	                    json_pack("{sIs{sfss}}", "items",
	                              (json_int_t)(rnd() % 50), "amount",
	                              "value", (double)(rnd() % 1000) / 100,
	                              "unit", "亿元"));
	return act;
}

/* One record; the caller frees the text. */
static char *
record(int s, int a, int year, const char *agency, const char *region,
       struct chain *ch, int first)
{
	int tpl2021 = year >= 2021, bad, blank;
	char title[256], url[128], pub[48], fetched[48];
	json_t *rec = json_object(), *checks;
	char *text;

	snprintf(title, sizeof(title), "%s%d年政府信息公开工作年度报告", agency,
	         year);
	snprintf(url, sizeof(url),
	         "http://www.%04d.gov.cn.demo/zfxxgk/%d/%02d.html", s, year, a);
	if (chance(8)) /* after the deadline: 31 January or 31 March */
		snprintf(pub, sizeof(pub), "%d-%02d-%02d", year + 1,
		         a == 0 ? 4 + (int)(rnd() % 2) : 2 + (int)(rnd() % 2),
		         1 + (int)(rnd() % 28));
	else
		snprintf(pub, sizeof(pub), "%d-01-%02d", year + 1,
		         1 + (int)(rnd() % 28));
	snprintf(fetched, sizeof(fetched), "%d-06-01T00:00:00Z", year + 1);
	json_object_set_new(rec, "agency", json_string(agency));
	json_object_set_new(rec, "region", json_string(region));
	json_object_set_new(rec, "year", json_integer(year));
	json_object_set_new(rec, "template",
	                    json_string(tpl2021 ? "2021" : "2019"));
	json_object_set_new(rec, "title", json_string(title));
	json_object_set_new(rec, "source",
	                    json_pack("{ssss?ssssss}", "url", url, "published",
	                              chance(2) ? NULL : pub, "fetched",
	                              fetched, "content_type", "text/html",
	                              "sha1",
	                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
	json_object_set_new(rec, "active",
	                    tpl2021 ? active2021(ch, first || year == 2021)
	                            : active2019(ch, first));
	json_object_set_new(rec, "requests", requests(tpl2021, &bad, &blank));
	json_object_set_new(rec, "appeals", appeals());
	if ((checks = indexer_checks(rec)) == NULL)
		fatalx("out of memory");
	json_object_set_new(rec, "checks", checks);
	json_object_set_new(
	    rec, "warnings",
	    blank ? json_pack("[s]", "cell requests.results.granted."
	                             "public_interest not a number: '/'")
	          : json_array());
	text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER |
	                           JSON_REAL_PRECISION(15));
	json_decref(rec);
	if (text == NULL)
		fatalx("out of memory");
	return text;
}

struct gen {
	int site;
	uint64_t bytes, reports;
	double gen_s; /* time spent making records, not storing them */
};

static int
gen_site(struct store_txn *t, void *arg)
{
	struct gen *g = arg;
	char agency[64], region[32], url[128];
	int rc = 0;

	/* store_write may run this again after growing the map: the same
	   site makes the same records */
	rng = 88172645463325252ULL ^
	      (uint64_t)(g->site + 1) * 0x9e3779b97f4a7c15ULL;
	g->bytes = g->reports = 0;
	g->gen_s = 0;
	for (int a = 0; a < nagencies && rc == 0; a++) {
		struct chain ch = {0};

		names(g->site, a, agency, sizeof(agency), region,
		      sizeof(region));
		for (int y = 0; y < nyears && rc == 0; y++) {
			struct store_report_in in = {0};
			uint64_t sha[2];
			double t0 = now_s();
			char *json = record(g->site, a, FIRST_YEAR + y, agency,
			                    region, &ch, y == 0);

			g->gen_s += now_s() - t0;
			if (planted(g->site, a, y)) {
				free(json);
				continue;
			}
			snprintf(
			    url, sizeof(url),
			    "http://www.%04d.gov.cn.demo/zfxxgk/%d/%02d.html",
			    g->site, FIRST_YEAR + y, a);
			in.agency = agency;
			in.region = region;
			in.year = FIRST_YEAR + y;
			in.json = json;
			in.json_len = strlen(json);
			in.url = url;
			in.fetched = 1700000000000LL + y;
			in.loc = (struct store_loc){1, 0, 0};
			sha[0] = rnd();
			memcpy(in.payload_sha1, &sha[0], sizeof(sha[0]));
			sha[1] = rnd();
			memcpy(in.record_sha1, &sha[1], sizeof(sha[1]));
			g->bytes += in.json_len;
			g->reports++;
			rc = store_report_put(t, &in, NULL, NULL);
			free(json);
		}
	}
	return rc;
}

static int
count(const struct store_agency *a, void *arg)
{
	(void)a;
	(*(uint64_t *)arg)++;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct store *st = NULL;
	struct store_txn *t;
	struct gen g = {0};
	uint64_t reports = 0, bytes = 0, n;
	double t0, dt, gen_s = 0;
	int rc;

	if (argc != 5) {
		fprintf(stderr,
		        "usage: store_bench DIR SITES AGENCIES YEARS\n");
		return 2;
	}
	nsites = atoi(argv[2]);
	nagencies = atoi(argv[3]);
	nyears = atoi(argv[4]);
	log_init("store_bench", 0);

	/* bulk load: no fsync per commit, one transaction per site */
	if (store_open(argv[1], STORE_RDWR | STORE_CREATE | STORE_NOSYNC, NULL,
	               &st) != 0)
		return 1;
	t0 = now_s();
	for (int s = 0; s < nsites; s++) {
		g.site = s;
		if ((rc = store_write(st, gen_site, &g)) != 0) {
			fprintf(stderr, "site %d: %s\n", s, nb_strerror(rc));
			return 1;
		}
		reports += g.reports;
		bytes += g.bytes;
		gen_s += g.gen_s;
	}
	if (store_sync(st) != 0)
		return 1;
	dt = now_s() - t0;
	printf("reports %" PRIu64 " count\n", reports);
	printf("record_json_avg %.0f bytes\n", (double)bytes / reports);
	printf("bulk_put %.0f reports/s\n", reports / (dt - gen_s));
	printf("build_time %.0f s (%.0f s making records)\n", dt, gen_s);
	store_close(st);

	/* durable writes: one report per transaction, fsync each */
	if (store_open(argv[1], STORE_RDWR, NULL, &st) != 0)
		return 1;
	gen_s = 0;
	t0 = now_s();
	for (int i = 0; i < 200; i++) {
		g.site = nsites + i;
		nagencies = 1;
		nyears = 1;
		if (store_write(st, gen_site, &g) != 0)
			return 1;
		gen_s += g.gen_s;
	}
	printf("durable_put %.0f reports/s\n", 200 / (now_s() - t0 - gen_s));
	nagencies = atoi(argv[3]);
	nyears = atoi(argv[4]);

	/* random gets */
	if (store_read_begin(st, &t) != 0)
		return 1;
	for (int pass = 0; pass < 3; pass++) {
		static const unsigned flags[] = {0, STORE_SUMMARY, STORE_JSON};
		static const char *const what[] = {"get", "get_summary",
		                                   "get_json"};
		int gets = 200000, found = 0;

		t0 = now_s();
		for (int i = 0; i < gets; i++) {
			char agency[64], region[32];
			struct store_report r;

			names(rnd() % nsites, rnd() % nagencies, agency,
			      sizeof(agency), region, sizeof(region));
			found += store_report_get(t, agency,
			                          FIRST_YEAR + rnd() % nyears,
			                          flags[pass], &r) == 0;
		}
		printf("%s %.0f gets/s\n", what[pass], gets / (now_s() - t0));
		if (found < gets * 9 / 10)
			return 1;
	}
	/* missing for each year: the query `nianbao missing --year Y` runs */
	for (int y = 0; y < nyears; y++) {
		n = 0;
		t0 = now_s();
		if (store_missing(t, FIRST_YEAR + y, NULL, count, &n) != 0)
			return 1;
		printf("missing_%d %.3f s (%" PRIu64 " agencies without a "
		       "report)\n",
		       FIRST_YEAR + y, now_s() - t0, n);
	}
	store_read_end(t);
	store_close(st);
	return 0;
}
