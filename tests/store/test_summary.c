/*
 * test_summary - the per-report summaries: computed right from each seed's
 * expected record, kept in step with the record across versions, re-fetches
 * and region moves, and taken from odd records the way a reader of the
 * JSON would take them.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "log.h"
#include "store.h"

#define CHECK(x) assert_int_equal((x), 0)

static char *
tmpdir(void)
{
	char *d = strdup("/tmp/nb-summary-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void
rmtree(const char *d)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static struct store *
open_rw(const char *dir)
{
	struct store *st = NULL;

	CHECK(store_open(dir, STORE_RDWR | STORE_CREATE, NULL, &st));
	return st;
}

struct rput {
	struct store_report_in in;
	enum store_change ch;
	uint32_t ver;
};

static int
report_put_fn(struct store_txn *t, void *arg)
{
	struct rput *p = arg;

	return store_report_put(t, &p->in, &p->ch, &p->ver);
}

/* put json as (agency, region, year); payload names the capture */
static int
put(struct store *st, const char *agency, const char *region, int year,
    const char *json, const char *payload, int64_t when, const char *digest,
    enum store_change *ch)
{
	struct rput p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.in.agency = agency;
	p.in.region = region;
	p.in.year = year;
	p.in.json = json;
	p.in.json_len = strlen(json);
	p.in.url = payload;
	p.in.fetched = when;
	p.in.loc = (struct store_loc){1, (uint64_t)when, 10};
	store_sha1(payload, strlen(payload), p.in.payload_sha1);
	if (digest)
		store_sha1(digest, strlen(digest), p.in.record_sha1);
	rc = store_write(st, report_put_fn, &p);
	if (ch)
		*ch = p.ch;
	return rc;
}

/* ------------------------------------------------ reading the record */

/* the value at a dotted path of keys and array indices, or NULL */
static const json_t *
at(const json_t *v, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); v && k;
	     k = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, atoi(k))
		                     : json_object_get(v, k);
	return v;
}

static const char *const num_paths[STORE_NUM_COUNT] = {
    [STORE_NUM_REQ_NEW] = "requests.new.6",
    [STORE_NUM_REQ_GRANTED] = "requests.results.granted.6",
    [STORE_NUM_REQ_PARTIAL] = "requests.results.partially_granted.6",
    [STORE_NUM_REQ_RESULTS] = "requests.results.total.6",
    [STORE_NUM_LICENSING] = "active.licensing.decisions",
    [STORE_NUM_PUNISHMENT] = "active.punishment.decisions",
    [STORE_NUM_COMPULSION] = "active.compulsion.decisions",
    [STORE_NUM_REVIEW] = "appeals.review.total",
    [STORE_NUM_LIT_DIRECT] = "appeals.litigation_direct.total",
    [STORE_NUM_LIT_AFTER] = "appeals.litigation_after_review.total",
};

static const char *const rows[STORE_ROW_COUNT] = {
    "rules",      "normative_docs", "licensing", "other_services",
    "punishment", "compulsion",     "fees"};
static const char *const cells[STORE_CELL_COUNT] = {
    "made", "repealed", "in_force", "prev_items", "change"};

static const char *
str_at(const json_t *rec, const char *path)
{
	return json_string_value(at(rec, path));
}

static void
same_str(const char *want, const char *got)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void
same_value(const json_t *j, const struct store_sum_value *v)
{
	if (json_is_integer(j)) {
		assert_int_equal(v->type, STORE_SUM_INT);
		assert_true(v->i == json_integer_value(j));
	} else if (json_is_real(j)) {
		assert_int_equal(v->type, STORE_SUM_REAL);
		assert_true(v->r == json_real_value(j));
	} else {
		assert_true(j == NULL || json_is_null(j));
		assert_int_equal(v->type, STORE_SUM_NULL);
	}
}

/* Everything the summary says, against what the record says. */
static void
expect_summary(const json_t *rec, const char *agency, int year,
               const struct store_summary *s)
{
	const json_t *checks = json_object_get(rec, "checks"), *ck;
	const json_t *act = json_object_get(rec, "active");
	unsigned failed = 0, unknown = 0, listable = 1;
	size_t i, n = 0;

	assert_true(s->flags & STORE_SUM_RECORD);
	assert_int_equal(!!(s->flags & STORE_SUM_AGENCY),
	                 json_is_string(at(rec, "agency")) &&
	                     strcmp(str_at(rec, "agency"), agency) == 0);
	assert_int_equal(!!(s->flags & STORE_SUM_YEAR),
	                 json_is_integer(at(rec, "year")) &&
	                     json_integer_value(at(rec, "year")) == year);
	assert_int_equal(!!(s->flags & STORE_SUM_UNPARSED),
	                 json_is_string(at(rec, "unparsed")));
	same_str(str_at(rec, "template"), s->template);
	same_str(str_at(rec, "title"), s->title);
	same_str(str_at(rec, "source.published"), s->published);
	json_array_foreach(checks, i, ck)
	{
		const json_t *ok = json_object_get(ck, "ok");

		if (json_is_true(ok))
			continue;
		if (json_is_false(ok))
			failed++;
		else
			unknown++;
		for (int k = 0; k < 2; k++) {
			const json_t *v =
			    json_object_get(ck, k ? "actual" : "expected");

			if (v && !json_is_null(v) && !json_is_number(v))
				listable = 0;
		}
	}
	assert_int_equal(s->nchecks, json_array_size(checks));
	assert_int_equal(s->nfailed, failed);
	assert_int_equal(s->nunknown, unknown);
	assert_int_equal(!!(s->flags & STORE_SUM_CHECKS), listable);
	assert_int_equal(s->nnotok, listable ? failed + unknown : 0);
	json_array_foreach(checks, i, ck)
	{
		const json_t *ok = json_object_get(ck, "ok");
		const struct store_sum_check *c;
		const char *inst = NULL;

		if (json_is_true(ok) || !listable)
			continue;
		c = &s->notok[n++];
		assert_int_equal(c->failed, json_is_false(ok));
		same_str(str_at(ck, "rule"), c->rule);
		if (json_is_string(at(ck, "column")))
			inst = str_at(ck, "column");
		else if (json_is_string(at(ck, "row")))
			inst = str_at(ck, "row");
		else
			inst = str_at(ck, "group");
		same_str(inst, c->instance);
		same_value(json_object_get(ck, "expected"), &c->expected);
		same_value(json_object_get(ck, "actual"), &c->actual);
	}
	for (int k = 0; k < STORE_NUM_COUNT; k++) {
		const json_t *v = at(rec, num_paths[k]);

		assert_int_equal(!!(s->num_mask & 1u << k), json_is_number(v));
		assert_true(s->num[k] ==
		            (json_is_number(v) ? json_number_value(v) : 0));
	}
	for (int r = 0; r < STORE_ROW_COUNT; r++) {
		const json_t *row = json_object_get(act, rows[r]);

		assert_int_equal(!!(s->row_mask & 1u << r), row != NULL);
		for (int c = 0; c < STORE_CELL_COUNT; c++) {
			const json_t *v = json_object_get(row, cells[c]);
			int bit = r * STORE_CELL_COUNT + c;

			assert_int_equal((s->cell_mask >> bit) & 1,
			                 json_is_integer(v));
			assert_true(
			    s->cell[r][c] ==
			    (json_is_integer(v) ? json_integer_value(v) : 0));
		}
	}
}

/* ------------------------------------------------------------- seeds */

struct seed {
	json_t *rec;
	char *json;
	const char *agency;
	int year;
};

static int
find_report(const struct store_report *r, void *arg)
{
	struct store_report *want = arg;

	if (strcmp(r->agency, want->agency) != 0)
		return 0;
	*want = *r;
	return 1;
}

static void
test_summary_seeds(void **state)
{
	const char *seeds = getenv("NB_SEEDS");
	char *d = tmpdir(), dir[4096], path[4096 + 256];
	struct store *st = open_rw(d);
	struct seed sd[8];
	struct store_txn *t;
	struct dirent **names;
	size_t n = 0;
	int nnames;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/expected",
	         seeds ? seeds : "tests/seeds");
	nnames = scandir(dir, &names, NULL, alphasort);
	assert_true(nnames > 0);
	for (int k = 0; k < nnames; k++) {
		struct dirent *e = names[k];
		json_error_t err;

		if (strstr(e->d_name, ".json") == NULL || n == NB_NELEM(sd)) {
			free(e);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_non_null(sd[n].rec = json_load_file(path, 0, &err));
		/* a source as an archived record has it; one seed without */
		if (n % 2 == 0)
			json_object_set_new(
			    sd[n].rec, "source",
			    json_pack("{ssss}", "url", "http://x.gov.cn/r",
			              "published",
			              n ? "2021-02-01" : "2022-01-20"));
		sd[n].json = json_dumps(sd[n].rec, JSON_COMPACT);
		sd[n].agency = str_at(sd[n].rec, "agency");
		sd[n].year = (int)json_integer_value(at(sd[n].rec, "year"));
		CHECK(put(st, sd[n].agency, "R", sd[n].year, sd[n].json,
		          e->d_name, 1000, NULL, NULL));
		n++;
		free(e);
	}
	free(names);
	assert_int_equal(n, 5);

	CHECK(store_read_begin(st, &t));
	for (size_t i = 0; i < n; i++) {
		struct store_report r, it;
		struct store_summary c;

		/* by key, by the year's scan, and computed from the JSON */
		CHECK(store_report_get(t, sd[i].agency, sd[i].year,
		                       STORE_SUMMARY, &r));
		expect_summary(sd[i].rec, sd[i].agency, sd[i].year, &r.summary);
		it.agency = sd[i].agency;
		assert_int_equal(
		    store_report_iter(
		        t,
		        &(struct store_report_filter){NULL, NULL, sd[i].year},
		        STORE_SUMMARY, find_report, &it),
		    1);
		assert_int_equal(it.version, 1);
		expect_summary(sd[i].rec, sd[i].agency, sd[i].year,
		               &it.summary);
		CHECK(store_summary_compute(t, sd[i].agency, sd[i].year,
		                            sd[i].json, strlen(sd[i].json),
		                            &c));
		expect_summary(sd[i].rec, sd[i].agency, sd[i].year, &c);

		/* a few values read off the seed files by hand (the get
		   again: the calls above reused the summary's buffers) */
		CHECK(store_report_get(t, sd[i].agency, sd[i].year,
		                       STORE_SUMMARY, &r));
		if (strcmp(sd[i].agency, "樟树市人民政府") == 0) {
			assert_string_equal(r.summary.template, "2021");
			assert_string_equal(r.summary.published, "2022-01-20");
			assert_int_equal(r.summary.nchecks, 42);
			assert_true(r.summary.num[STORE_NUM_LICENSING] ==
			            11138);
			assert_true(r.summary.num[STORE_NUM_COMPULSION] ==
			            3804);
			assert_true(r.summary.num[STORE_NUM_REQ_NEW] == 38);
			assert_true(r.summary.num[STORE_NUM_REQ_GRANTED] == 28);
			assert_int_equal(
			    r.summary.cell[STORE_ROW_NORMATIVE_DOCS]
			                  [STORE_CELL_IN_FORCE],
			    160);
			assert_int_equal(r.summary.flags,
			                 STORE_SUM_RECORD | STORE_SUM_AGENCY |
			                     STORE_SUM_YEAR | STORE_SUM_CHECKS);
		}
		if (strcmp(sd[i].agency, "高安市人民政府") == 0) {
			assert_string_equal(r.summary.template, "2019");
			assert_int_equal(r.summary.nchecks, 40);
			assert_int_equal(r.summary.nunknown, 3);
			assert_int_equal(r.summary.nnotok, 3);
			assert_string_equal(r.summary.notok[2].instance,
			                    "results.granted");
			assert_int_equal(r.summary.notok[2].expected.i, 48);
			assert_int_equal(r.summary.notok[2].actual.type,
			                 STORE_SUM_NULL);
			assert_true(r.summary.num[STORE_NUM_REVIEW] == 12);
			assert_int_equal(
			    r.summary.cell[STORE_ROW_FEES][STORE_CELL_CHANGE],
			    -2);
			assert_int_equal(r.summary.cell[STORE_ROW_LICENSING]
			                               [STORE_CELL_PREV_ITEMS],
			                 812);
		}
		if (strcmp(sd[i].agency, "樟树市机关事务管理局") == 0) {
			/* short rows: the results have no total column */
			assert_true(r.summary.num_mask &
			            1u << STORE_NUM_REQ_NEW);
			assert_false(r.summary.num_mask &
			             1u << STORE_NUM_REQ_GRANTED);
			assert_false(r.summary.num_mask &
			             1u << STORE_NUM_REQ_RESULTS);
			assert_int_equal(r.summary.nunknown, 25);
		}
	}
	store_read_end(t);
	for (size_t i = 0; i < n; i++) {
		json_decref(sd[i].rec);
		free(sd[i].json);
	}
	store_close(st);
	rmtree(d);
	free(d);
}

/* ---------------------------------------------------------- versions */

static const char v1[] =
    "{\"agency\":\"A\",\"year\":2021,\"template\":\"2019\",\"title\":\"t1\","
    "\"source\":{\"published\":\"2022-01-10\",\"fetched\":\"x\"},"
    "\"requests\":{\"new\":[1,1,1,1,1,0,5]},\"checks\":[{\"rule\":\"r\","
    "\"ok\":true}]}";
static const char v2[] =
    "{\"agency\":\"A\",\"year\":2021,\"template\":\"2021\",\"title\":\"t2\","
    "\"source\":{\"published\":\"2022-01-05\"},"
    "\"requests\":{\"new\":[1,1,1,1,1,0,6]},\"active\":{\"rules\":{"
    "\"made\":1,\"repealed\":0,\"in_force\":3}},\"checks\":[{\"rule\":"
    "\"requests.row_total\",\"row\":\"new\",\"ok\":false,\"expected\":6,"
    "\"actual\":5}]}";

struct all {
	char text[2048];
	const struct store_report *last;
	struct store_report copy;
};

static int
describe(const struct store_report *r, void *arg)
{
	struct all *a = arg;
	char line[256];

	snprintf(line, sizeof(line),
	         "%s/%s/%d v%u/%u %lld-%lld f%lld %s %s %s c%u/%u/%u;",
	         r->region, r->agency, r->year, r->version, r->nversions,
	         (long long)r->first_seen, (long long)r->last_seen,
	         (long long)r->fetched, r->url,
	         r->summary.template ? r->summary.template : "-",
	         r->summary.published ? r->summary.published : "-",
	         r->summary.nchecks, r->summary.nfailed, r->summary.nunknown);
	strcat(a->text, line);
	return 0;
}

static const char *
scan(struct store_txn *t, const char *agency, const char *region, int year,
     struct all *a)
{
	a->text[0] = '\0';
	CHECK(store_report_iter(
	    t, &(struct store_report_filter){agency, region, year},
	    STORE_SUMMARY, describe, a));
	return a->text;
}

static int
move_a(struct store_txn *t, void *arg)
{
	struct store_agency a = {"A", "R2", "",   NULL,
	                         0,   2021, 2022, STORE_KIND_AUTO};

	(void)arg;
	return store_agency_put(t, &a);
}

static void
test_summary_versions(void **state)
{
	char *d = tmpdir();
	struct store *st = open_rw(d);
	struct store_txn *t;
	struct store_report r;
	enum store_change ch;
	struct all a;
	const char *want;
	json_t *rec;

	(void)state;
	CHECK(put(st, "A", "R1", 2021, v1, "p1", 1000, NULL, &ch));
	assert_int_equal(ch, STORE_NEW);
	CHECK(put(st, "A", "R1", 2022, v1, "p0", 500, NULL, &ch));
	CHECK(put(st, "B", "R1", 2021, v1, "p9", 900, NULL, &ch));
	/* the same payload again: only last_seen moves, in the summary too */
	CHECK(put(st, "A", "R1", 2021, v1, "p1", 2000, NULL, &ch));
	assert_int_equal(ch, STORE_UNCHANGED);
	CHECK(store_read_begin(st, &t));
	want = "R1/A/2021 v1/1 1000-2000 f1000 p1 2019 2022-01-10 c1/0/0;";
	assert_string_equal(scan(t, NULL, "R1", 2021, &a),
	                    "R1/A/2021 v1/1 1000-2000 f1000 p1 2019 2022-01-10 "
	                    "c1/0/0;R1/B/2021 v1/1 900-900 f900 p9 2019 "
	                    "2022-01-10 c1/0/0;");
	assert_string_equal(scan(t, "A", NULL, 2021, &a), want);
	store_read_end(t);

	/* a new version (dated earlier: see test_summary_dates): the summary
	   is the new record's */
	CHECK(put(st, "A", "R1", 2021, v2, "p2", 3000, NULL, &ch));
	assert_int_equal(ch, STORE_CHANGED);
	CHECK(store_read_begin(st, &t));
	want = "R1/A/2021 v2/2 1000-3000 f3000 p2 2021 2022-01-05 c1/1/0;";
	/* every scan gives the same: by agency, region and year, region,
	   year */
	assert_string_equal(scan(t, "A", NULL, 2021, &a), want);
	assert_string_equal(scan(t, NULL, "R1", 2021, &a),
	                    "R1/A/2021 v2/2 1000-3000 f3000 p2 2021 2022-01-05 "
	                    "c1/1/0;R1/B/2021 v1/1 900-900 f900 p9 2019 "
	                    "2022-01-10 c1/0/0;");
	assert_string_equal(scan(t, NULL, "R1", 0, &a),
	                    "R1/A/2021 v2/2 1000-3000 f3000 p2 2021 2022-01-05 "
	                    "c1/1/0;R1/B/2021 v1/1 900-900 f900 p9 2019 "
	                    "2022-01-10 c1/0/0;R1/A/2022 v1/1 500-500 f500 p0 "
	                    "2019 2022-01-10 c1/0/0;");
	CHECK(store_report_get(t, "A", 2021, STORE_SUMMARY | STORE_JSON, &r));
	assert_string_equal(r.json, v2);
	rec = json_loads(v2, 0, NULL);
	expect_summary(rec, "A", 2021, &r.summary);
	json_decref(rec);
	assert_int_equal(r.summary.nnotok, 1);
	assert_string_equal(r.summary.notok[0].rule, "requests.row_total");
	assert_string_equal(r.summary.notok[0].instance, "new");
	assert_int_equal(r.summary.notok[0].actual.i, 5);
	/* an older version has no summary of its own */
	CHECK(store_report_version_get(t, "A", 2021, 1,
	                               STORE_SUMMARY | STORE_JSON, &r));
	assert_int_equal(r.summary.flags, 0);
	assert_null(r.summary.template);
	assert_string_equal(r.json, v1);
	store_read_end(t);

	/* a re-fetch of the old document is unchanged by its record digest */
	CHECK(put(st, "A", "R1", 2021, v2, "p3", 4000, NULL, &ch));
	assert_int_equal(ch, STORE_UNCHANGED);
	/* moving the agency moves its summaries */
	CHECK(store_write(st, move_a, NULL));
	CHECK(store_read_begin(st, &t));
	assert_string_equal(scan(t, NULL, "R1", 0, &a),
	                    "R1/B/2021 v1/1 900-900 f900 p9 2019 2022-01-10 "
	                    "c1/0/0;");
	assert_string_equal(scan(t, NULL, "R2", 0, &a),
	                    "R2/A/2021 v2/2 1000-4000 f3000 p2 2021 2022-01-05 "
	                    "c1/1/0;R2/A/2022 v1/1 500-500 f500 p0 2019 "
	                    "2022-01-10 c1/0/0;");
	assert_string_equal(scan(t, "A", NULL, 0, &a),
	                    "R2/A/2021 v2/2 1000-4000 f3000 p2 2021 2022-01-05 "
	                    "c1/1/0;R2/A/2022 v1/1 500-500 f500 p0 2019 "
	                    "2022-01-10 c1/0/0;");
	store_read_end(t);

	/* a record that is not JSON: refused when the store digests it; kept
	   with a summary that says so when the digest is given */
	assert_int_equal(
	    put(st, "C", "R1", 2021, "{oops", "p4", 100, NULL, NULL),
	    NB_EINVAL);
	CHECK(put(st, "C", "R1", 2021, "[1,2]", "p5", 100, "d", NULL));
	CHECK(store_read_begin(st, &t));
	CHECK(store_report_get(t, "C", 2021, STORE_SUMMARY, &r));
	assert_int_equal(r.summary.flags, 0);
	assert_int_equal(r.summary.nchecks, 0);
	assert_int_equal(r.summary.num_mask, 0);
	assert_string_equal(r.url, "p5");
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

/* ------------------------------------------------------ odd records */

static void
test_summary_odd(void **state)
{
	/* values of the wrong type, rows that are no objects, a check whose
	   expected value is text, agency and year that are not the key's */
	static const char odd[] =
	    "{\"agency\":\"X\",\"year\":\"2021\",\"template\":2021,\"title\":"
	    "null,"
	    "\"source\":{\"published\":20220101},\"checks\":[{\"rule\":\"r\","
	    "\"ok\":false,\"expected\":\"a\",\"actual\":1},{\"ok\":\"maybe\","
	    "\"column\":\"c\",\"expected\":1.5}],\"active\":{\"rules\":5,"
	    "\"fees\":{\"prev_items\":1.5,\"change\":-1}},\"requests\":{"
	    "\"new\":"
	    "[1,2,3,4,5,6,\"7\"],\"results\":{\"total\":[0,0,0,0,0,0,2.5]}},"
	    "\"appeals\":{\"review\":{\"total\":2.5},\"litigation_direct\":7}}";
	/* checks the summary lists: null, absent, real and integer values */
	static const char listed[] =
	    "{\"agency\":\"Y\",\"year\":2021,\"checks\":[{\"ok\":null,\"row\":"
	    "\"x\",\"expected\":null},{\"ok\":false,\"group\":\"g\",\"column\":"
	    "5,\"rule\":\"q\",\"expected\":2.5,\"actual\":-3},{\"ok\":true}],"
	    "\"active\":[1]}";
	char *d = tmpdir();
	struct store *st = open_rw(d);
	struct store_txn *t;
	struct store_report r;
	json_t *rec;

	(void)state;
	CHECK(put(st, "Y", "R", 2021, odd, "p1", 1, NULL, NULL));
	CHECK(put(st, "Y", "R", 2022, listed, "p2", 1, NULL, NULL));
	CHECK(store_read_begin(st, &t));
	CHECK(store_report_get(t, "Y", 2021, STORE_SUMMARY, &r));
	rec = json_loads(odd, 0, NULL);
	expect_summary(rec, "Y", 2021, &r.summary);
	json_decref(rec);
	assert_int_equal(r.summary.flags, STORE_SUM_RECORD);
	assert_null(r.summary.template);
	assert_null(r.summary.published);
	assert_int_equal(r.summary.nfailed, 1);
	assert_int_equal(r.summary.nunknown, 1);
	assert_int_equal(r.summary.nnotok, 0);
	assert_true(r.summary.num[STORE_NUM_REVIEW] == 2.5);
	assert_true(r.summary.num[STORE_NUM_REQ_RESULTS] == 2.5);
	assert_false(r.summary.num_mask & 1u << STORE_NUM_REQ_NEW);
	assert_false(r.summary.num_mask & 1u << STORE_NUM_LIT_DIRECT);
	assert_true(r.summary.row_mask & 1u << STORE_ROW_RULES);
	assert_int_equal(r.summary.cell[STORE_ROW_FEES][STORE_CELL_CHANGE], -1);
	assert_false(r.summary.cell_mask &
	             1ull << (STORE_ROW_FEES * STORE_CELL_COUNT +
	                      STORE_CELL_PREV_ITEMS));

	CHECK(store_report_get(t, "Y", 2022, STORE_SUMMARY, &r));
	rec = json_loads(listed, 0, NULL);
	expect_summary(rec, "Y", 2022, &r.summary);
	json_decref(rec);
	assert_int_equal(r.summary.flags, STORE_SUM_RECORD | STORE_SUM_AGENCY |
	                                      STORE_SUM_CHECKS);
	assert_int_equal(r.summary.row_mask, 0);
	assert_int_equal(r.summary.nnotok, 2);
	assert_null(r.summary.notok[0].rule);
	assert_string_equal(r.summary.notok[0].instance, "x");
	assert_int_equal(r.summary.notok[0].actual.type, STORE_SUM_NULL);
	assert_true(r.summary.notok[1].failed);
	assert_string_equal(r.summary.notok[1].instance, "g");
	assert_true(r.summary.notok[1].expected.r == 2.5);
	assert_int_equal(r.summary.notok[1].actual.i, -3);
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

/* -------------------------------------------- unparsed, earliest date */

/* an image-only report: what could be established, no tables */
static const char u1[] =
    "{\"agency\":\"D\",\"region\":\"R1\",\"year\":2020,"
    "\"template\":\"unknown\",\"title\":\"D2020年报告\","
    "\"source\":{\"url\":\"u1\",\"published\":\"2021-01-20\"},"
    "\"unparsed\":\"image-only report (1 images, no tables)\","
    "\"checks\":[],\"warnings\":[\"unparsed: image-only report (1 "
    "images, no tables)\"]}";

/* the record read, with reals that must survive a rewrite of its date */
static const char *
parsed(const char *published, char *buf, size_t len)
{
	snprintf(buf, len,
	         "{\"agency\":\"D\",\"region\":\"R1\",\"year\":2020,"
	         "\"template\":\"2019\",\"title\":\"D2020年报告\","
	         "\"source\":{\"url\":\"p\",\"published\":\"%s\","
	         "\"sha1\":\"X\"},\"active\":{\"fees\":{\"prev_items\":0,"
	         "\"change\":0},\"procurement\":{\"items\":3,\"amount\":{"
	         "\"value\":2.43,\"unit\":\"亿元\"}}},\"requests\":{\"new\":"
	         "[1,1,1,1,1,0,5]},\"appeals\":{\"review\":{\"upheld\":0.1,"
	         "\"total\":3000644.004}},\"checks\":[{\"rule\":\"r\","
	         "\"ok\":true}],\"warnings\":[]}",
	         published);
	return buf;
}

/* the latest record and its summary agree; returns the record */
static json_t *
latest(struct store *st, uint32_t nversions, int unparsed,
       const char *published)
{
	struct store_txn *t;
	struct store_report r;
	json_t *rec;

	CHECK(store_read_begin(st, &t));
	CHECK(store_report_get(t, "D", 2020, STORE_SUMMARY | STORE_JSON, &r));
	assert_int_equal(r.nversions, nversions);
	rec = json_loadb(r.json, r.json_len, 0, NULL);
	assert_non_null(rec);
	expect_summary(rec, "D", 2020, &r.summary);
	assert_int_equal(!!(r.summary.flags & STORE_SUM_UNPARSED), unparsed);
	assert_string_equal(r.summary.published, published);
	store_read_end(t);
	return rec;
}

/* every key but source.published as in the JSON text want */
static void
same_but_date(json_t *rec, const char *want)
{
	json_t *w = json_loads(want, 0, NULL), *a = json_deep_copy(rec);

	assert_non_null(w);
	json_object_del(json_object_get(w, "source"), "published");
	json_object_del(json_object_get(a, "source"), "published");
	assert_true(json_equal(w, a));
	json_decref(w);
	json_decref(a);
}

struct dated {
	const char *published;
	int moved, rc;
};

static int
published_fn(struct store_txn *t, void *arg)
{
	struct dated *d = arg;

	d->rc = store_report_published(t, "D", 2020, d->published, &d->moved);
	return 0;
}

static void
test_summary_dates(void **state)
{
	char *d = tmpdir();
	struct store *st = open_rw(d);
	enum store_change ch;
	struct dated dt;
	char buf[1024];
	json_t *rec;

	(void)state;
	/* an unparsed report is a report: its summary says unparsed */
	CHECK(put(st, "D", "R1", 2020, u1, "png", 1000, NULL, &ch));
	assert_int_equal(ch, STORE_NEW);
	rec = latest(st, 1, 1, "2021-01-20");
	assert_int_equal(json_array_size(json_object_get(rec, "checks")), 0);
	json_decref(rec);

	/* read later, dated later: a new version that keeps the first date */
	CHECK(put(st, "D", "R1", 2020, parsed("2021-01-25", buf, sizeof(buf)),
	          "html", 2000, NULL, &ch));
	assert_int_equal(ch, STORE_CHANGED);
	rec = latest(st, 2, 0, "2021-01-20");
	same_but_date(rec, buf);
	json_decref(rec);

	/* an unparsed copy never replaces the record read, but an earlier
	   date it shows is the report's */
	CHECK(put(st, "D", "R1", 2020, u1, "scan", 3000, NULL, &ch));
	assert_int_equal(ch, STORE_UNCHANGED);
	json_decref(latest(st, 2, 0, "2021-01-20"));
	CHECK(put(st, "D", "R1", 2020,
	          "{\"agency\":\"D\",\"year\":2020,\"unparsed\":\"scan\","
	          "\"source\":{\"published\":\"2021-01-15\"}}",
	          "scan2", 3500, NULL, &ch));
	assert_int_equal(ch, STORE_UNCHANGED);
	rec = latest(st, 2, 0, "2021-01-15");
	same_but_date(rec, parsed("2021-01-25", buf, sizeof(buf)));
	json_decref(rec);

	/* the same content at a second URL, dated earlier: the date moves,
	   no version; dated later: nothing moves */
	CHECK(put(st, "D", "R1", 2020, parsed("2021-01-10", buf, sizeof(buf)),
	          "html-again", 4000, NULL, &ch));
	assert_int_equal(ch, STORE_UNCHANGED);
	rec = latest(st, 2, 0, "2021-01-10");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(rec, "source"), "url")),
	                    "p");
	json_decref(rec);
	CHECK(put(st, "D", "R1", 2020, parsed("2021-02-01", buf, sizeof(buf)),
	          "html-later", 5000, NULL, &ch));
	assert_int_equal(ch, STORE_UNCHANGED);
	json_decref(latest(st, 2, 0, "2021-01-10"));

	/* an edit in place, dated as published again: the first date stays */
	CHECK(put(st, "D", "R1", 2020,
	          "{\"agency\":\"D\",\"region\":\"R1\",\"year\":2020,"
	          "\"template\":\"2019\",\"source\":{\"published\":"
	          "\"2021-03-01\"},\"checks\":[]}",
	          "edited", 6000, NULL, &ch));
	assert_int_equal(ch, STORE_CHANGED);
	json_decref(latest(st, 3, 0, "2021-01-10"));

	/* the date rule alone */
	dt = (struct dated){"2021-01-05", 0, 0};
	CHECK(store_write(st, published_fn, &dt));
	assert_int_equal(dt.rc, 0);
	assert_int_equal(dt.moved, 1);
	json_decref(latest(st, 3, 0, "2021-01-05"));
	dt = (struct dated){"2021-01-06", 1, 0};
	CHECK(store_write(st, published_fn, &dt));
	assert_int_equal(dt.rc, 0);
	assert_int_equal(dt.moved, 0);
	dt = (struct dated){"soon", 1, 0};
	CHECK(store_write(st, published_fn, &dt));
	assert_int_equal(dt.rc, NB_EINVAL);
	json_decref(latest(st, 3, 0, "2021-01-05"));

	/* older versions keep the dates they were captured with */
	{
		struct store_txn *t;
		struct store_report r;

		CHECK(store_read_begin(st, &t));
		CHECK(
		    store_report_version_get(t, "D", 2020, 1, STORE_JSON, &r));
		assert_string_equal(r.json, u1);
		store_read_end(t);
	}
	store_close(st);
	rmtree(d);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_summary_seeds),
	    cmocka_unit_test(test_summary_versions),
	    cmocka_unit_test(test_summary_odd),
	    cmocka_unit_test(test_summary_dates),
	};

	log_init("test_summary", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
