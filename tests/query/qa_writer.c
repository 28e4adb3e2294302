/*
 * qa_writer DIR ROUNDS HOLD_MS - a writer working on an archive while
 * queries read it: each round writes a new version of one report (every
 * number in it, and its title, say the round) and its event, keeping the
 * write transaction open HOLD_MS before committing.  Prints "round N" as
 * each commits and, at the end, "max_commit_ms X": the longest write
 * outside the deliberate hold.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "nbtime.h"
#include "store.h"

static const char *const rows[] = {
    "new",   "carried_over",    "granted", "partially_granted",
    "total", "carried_forward",
};

struct round {
	int n, hold_ms;
	char *json;
};

static int
write_fn(struct store_txn *txn, void *arg)
{
	struct round *r = arg;
	struct store_report_in in = {0};
	struct store_event ev = {0};
	struct timespec ts = {r->hold_ms / 1000,
	                      (r->hold_ms % 1000) * 1000000L};
	char url[128];
	int rc;

	snprintf(url, sizeof(url), "http://www.test.gov.cn.demo/r/%d.shtml",
	         r->n);
	in.agency = "并发测试局";
	in.region = "测试市";
	in.year = 2023;
	in.json = r->json;
	in.json_len = strlen(r->json);
	in.url = url;
	in.fetched = 1700000000000LL + r->n * 1000LL;
	in.loc = (struct store_loc){1, 0, 0};
	memcpy(in.payload_sha1, &r->n, sizeof(r->n));
	if ((rc = store_report_put(txn, &in, NULL, NULL)) != 0)
		return rc;
	ev.type = r->n == 1 ? STORE_EV_NEW : STORE_EV_CHANGED;
	ev.agency = in.agency;
	ev.year = 2023;
	ev.url = url;
	ev.detail = "";
	if ((rc = store_event_append(txn, &ev, NULL)) != 0)
		return rc;
	/* readers must get through while this transaction is open */
	nanosleep(&ts, NULL);
	return 0;
}

static char *
record(int n)
{
	json_t *rec = json_object(), *req = json_object(), *w = json_array();
	char title[128];
	char *s;

	snprintf(title, sizeof(title),
	         "并发测试局2023年政府信息公开工作年度报告（第%d版）", n);
	json_object_set_new(rec, "agency", json_string("并发测试局"));
	json_object_set_new(rec, "region", json_string("测试市"));
	json_object_set_new(rec, "year", json_integer(2023));
	json_object_set_new(rec, "template", json_string("2021"));
	json_object_set_new(rec, "title", json_string(title));
	json_object_set_new(rec, "round", json_integer(n));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *a = json_array();

		for (int c = 0; c < 7; c++)
			json_array_append_new(a, json_integer(n));
		json_object_set_new(req, rows[i], a);
	}
	json_object_set_new(rec, "requests", req);
	json_object_set_new(rec, "checks", json_array());
	/* some kilobytes, so that a torn read could not go unnoticed */
	for (int i = 0; i < 200; i++)
		json_array_append_new(w, json_integer(n));
	json_object_set_new(rec, "warnings", w);
	s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rec);
	return s;
}

int
main(int argc, char *argv[])
{
	struct store *st = NULL;
	int64_t worst = 0, t0;
	int rounds;
	struct round r = {0};

	if (argc != 4) {
		fprintf(stderr, "usage: qa_writer DIR ROUNDS HOLD_MS\n");
		return 2;
	}
	log_init("qa_writer", 0);
	rounds = atoi(argv[2]);
	r.hold_ms = atoi(argv[3]);
	if (store_open(argv[1], STORE_RDWR | STORE_CREATE, NULL, &st) != 0)
		return 1;
	for (r.n = 1; r.n <= rounds; r.n++) {
		if ((r.json = record(r.n)) == NULL)
			return 1;
		t0 = nb_mono_ms();
		if (store_write(st, write_fn, &r) != 0)
			return 1;
		if (nb_mono_ms() - t0 - r.hold_ms > worst)
			worst = nb_mono_ms() - t0 - r.hold_ms;
		free(r.json);
		printf("round %d\n", r.n);
		fflush(stdout);
	}
	printf("max_commit_ms %lld\n", (long long)worst);
	store_close(st);
	return 0;
}
