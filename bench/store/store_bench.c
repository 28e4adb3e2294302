/*
 * store_bench DIR SITES AGENCIES YEARS - build a synthetic archive of
 * SITES x AGENCIES x YEARS reports (record JSON of 4-8 KB shaped like
 * report-schema.md) in large transactions, then measure: bulk put rate,
 * durable one-report-per-commit rate, get rate (summary, and with the
 * record decompressed), and store_missing for every year.  Prints one
 * "name value unit" line per number.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nbtime.h"
#include "store.h"

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

/* a record of the 2021 template, numbers random, padded with prose */
static size_t
record(char *buf, size_t cap, const char *agency, const char *region, int year)
{
	size_t n = snprintf(buf, cap,
	                    "{\"agency\":\"%s\",\"region\":\"%s\",\"year\":%d,"
	                    "\"template\":\"2021\",\"title\":\"%s%d年政府信息"
	                    "公开工作年度报告\",\"source\":{\"url\":\"http://"
	                    "www.example.gov.cn/zfxxgk/%d.html\",\"published\":"
	                    "\"%d-01-20\",\"fetched\":\"2026-01-01T00:00:00Z\","
	                    "\"content_type\":\"text/html\",\"sha1\":\"X\"},"
	                    "\"active\":{",
	                    agency, region, year, agency, year, year, year + 1);
	static const char *rows[] = {"rules", "normative_docs"};

	for (int i = 0; i < 2; i++)
		n +=
		    snprintf(buf + n, cap - n,
		             "\"%s\":{\"made\":%d,\"repealed\":%d,\"in_force\":"
		             "%d},",
		             rows[i], (int)(rnd() % 20), (int)(rnd() % 5),
		             (int)(rnd() % 300));
	n += snprintf(
	    buf + n, cap - n,
	    "\"licensing\":{\"decisions\":%d},\"punishment\":{"
	    "\"decisions\":%d},\"fees\":{\"amount\":{\"value\":%d,"
	    "\"unit\":\"万元\"}}},\"requests\":{\"columns\":[\"natural"
	    "\",\"business\",\"research\",\"public_interest\",\"legal_"
	    "services\",\"other_org\",\"total\"]",
	    (int)(rnd() % 90000), (int)(rnd() % 9000), (int)(rnd() % 9000));
	for (int r = 0; r < 22; r++) {
		n += snprintf(buf + n, cap - n, ",\"row%d\":[", r);
		for (int c = 0; c < 7; c++)
			n += snprintf(buf + n, cap - n, "%s%d", c ? "," : "",
			              (int)(rnd() % 50));
		n += snprintf(buf + n, cap - n, "]");
	}
	n += snprintf(buf + n, cap - n, "},\"checks\":[");
	for (int r = 0; r < 12; r++)
		n += snprintf(
		    buf + n, cap - n,
		    "%s{\"rule\":\"requests.balance\",\"column\":"
		    "\"natural\",\"ok\":true,\"expected\":%d,\"actual\":"
		    "%d}",
		    r ? "," : "", (int)(rnd() % 99), (int)(rnd() % 99));
	n += snprintf(buf + n, cap - n, "],\"warnings\":[\"");
	/* 0-4 KB of prose-like warnings: record sizes spread over 4-8 KB */
	for (int w = 0, k = 10 + rnd() % 200; w < k; w++)
		n += snprintf(buf + n, cap - n, "cell 三(三)%d 空白；",
		              (int)(rnd() % 100));
	n += snprintf(buf + n, cap - n, "\"]}");
	return n;
}

static void
names(int s, int a, char *agency, size_t al, char *region, size_t rl)
{
	snprintf(region, rl, "县%04d", s);
	snprintf(agency, al, "县%04d第%02d局", s, a);
}

struct gen {
	int site;
	uint64_t bytes;
	char json[16384];
};

static int
gen_site(struct store_txn *t, void *arg)
{
	struct gen *g = arg;
	char agency[64], region[32];
	int rc;

	for (int a = 0; a < nagencies; a++) {
		names(g->site, a, agency, sizeof(agency), region,
		      sizeof(region));
		for (int y = 0; y < nyears; y++) {
			struct store_report_in in = {0};

			/* leave holes: every 97th report missing */
			if ((g->site * 7 + a * 13 + y) % 97 == 0)
				continue;
			in.agency = agency;
			in.region = region;
			in.year = 2019 + y;
			in.json = g->json;
			in.json_len = record(g->json, sizeof(g->json), agency,
			                     region, in.year);
			g->bytes += in.json_len;
			in.url = "http://www.example.gov.cn/zfxxgk/r.html";
			in.fetched = 1700000000000LL + y;
			in.loc = (struct store_loc){1, 0, 0};
			*(uint64_t *)in.payload_sha1 = rnd();
			*(uint64_t *)in.record_sha1 = rnd();
			if ((rc = store_report_put(t, &in, NULL, NULL)) != 0)
				return rc;
		}
	}
	return 0;
}

static int
count(const struct store_agency *a, void *arg)
{
	(void)a;
	(*(uint64_t *)arg)++;
	return 0;
}

static double
now_s(void)
{
	return nb_mono_ms() / 1000.0;
}

int
main(int argc, char *argv[])
{
	struct store *st = NULL;
	struct store_txn *t;
	struct gen *g = malloc(sizeof(*g));
	uint64_t reports = 0, n;
	double t0, dt;
	int rc;

	if (argc != 5 || g == NULL) {
		fprintf(stderr,
		        "usage: store_bench DIR SITES AGENCIES YEARS\n");
		return 2;
	}
	nsites = atoi(argv[2]);
	nagencies = atoi(argv[3]);
	nyears = atoi(argv[4]);
	log_init("store_bench", 0);
	memset(g, 0, sizeof(*g));

	/* bulk load: no fsync per commit, large transactions */
	if (store_open(argv[1], STORE_RDWR | STORE_CREATE | STORE_NOSYNC, NULL,
	               &st) != 0)
		return 1;
	t0 = now_s();
	for (int s = 0; s < nsites; s++) {
		g->site = s;
		if ((rc = store_write(st, gen_site, g)) != 0) {
			fprintf(stderr, "site %d: %s\n", s, nb_strerror(rc));
			return 1;
		}
	}
	if (store_sync(st) != 0)
		return 1;
	dt = now_s() - t0;
	if (store_read_begin(st, &t) != 0)
		return 1;
	store_report_iter(t, &(struct store_report_filter){NULL, NULL, 2019}, 0,
	                  (store_report_fn *)(void *)count, &n);
	store_read_end(t);
	reports = 0;
	for (int s = 0; s < nsites; s++)
		for (int a = 0; a < nagencies; a++)
			for (int y = 0; y < nyears; y++)
				reports += (s * 7 + a * 13 + y) % 97 != 0;
	printf("reports %" PRIu64 " count\n", reports);
	printf("record_json_avg %.0f bytes\n", (double)g->bytes / reports);
	printf("bulk_put %.0f reports/s\n", reports / dt);
	store_close(st);

	/* durable writes: one report per transaction, fsync each */
	if (store_open(argv[1], STORE_RDWR, NULL, &st) != 0)
		return 1;
	t0 = now_s();
	for (int i = 0; i < 200; i++) {
		g->site = nsites + i;
		nagencies = 1;
		nyears = 1;
		if (store_write(st, gen_site, g) != 0)
			return 1;
	}
	printf("durable_put %.0f reports/s\n", 200 / (now_s() - t0));
	nagencies = atoi(argv[3]);
	nyears = atoi(argv[4]);

	/* random gets */
	if (store_read_begin(st, &t) != 0)
		return 1;
	for (int pass = 0; pass < 2; pass++) {
		unsigned flags = pass ? STORE_JSON : 0;
		int gets = 200000, found = 0;

		t0 = now_s();
		for (int i = 0; i < gets; i++) {
			char agency[64], region[32];
			struct store_report r;

			names(rnd() % nsites, rnd() % nagencies, agency,
			      sizeof(agency), region, sizeof(region));
			found +=
			    store_report_get(t, agency, 2019 + rnd() % nyears,
			                     flags, &r) == 0;
		}
		printf("%s %.0f gets/s\n", pass ? "get_json" : "get_summary",
		       gets / (now_s() - t0));
		if (found < gets * 9 / 10)
			return 1;
	}
	/* missing for each year: the query `nianbao missing --year Y` runs */
	for (int y = 0; y < nyears; y++) {
		n = 0;
		t0 = now_s();
		if (store_missing(t, 2019 + y, NULL, count, &n) != 0)
			return 1;
		printf("missing_%d %.3f s (%" PRIu64 " agencies without a "
		       "report)\n",
		       2019 + y, now_s() - t0, n);
	}
	store_read_end(t);
	store_close(st);
	free(g);
	return 0;
}
