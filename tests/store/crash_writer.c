/*
 * crash_writer DIR - append captures, reports, events and frontier items
 * in a loop, printing one line per item to stdout after its transaction
 * committed ("ack N URL PAYLOAD_SHA1 SEQ").  Item numbers go on from the
 * last event in the archive, so every run adds new ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

struct item {
	uint64_t n;
	char url[64], agency[32], json[256];
	struct store_capture_result cap;
	uint64_t seq;
};

static int
commit(struct store_txn *t, void *arg)
{
	struct item *it = arg;
	struct store_url u = {0};
	struct store_report_in in = {0};
	struct store_event ev = {0};
	struct store_frontier_item f = {0};
	char next[80];
	int rc;

	u.status = 200;
	u.loc = it->cap.loc;
	memcpy(u.payload_sha1, it->cap.payload_sha1, STORE_SHA1_LEN);
	if ((rc = store_url_put(t, it->url, &u)) != 0)
		return rc;
	in.agency = it->agency;
	in.region = "R";
	in.year = 2020 + it->n % 5;
	in.json = it->json;
	in.json_len = strlen(it->json);
	in.url = it->url;
	in.fetched = 1000 + it->n;
	in.loc = it->cap.loc;
	memcpy(in.payload_sha1, it->cap.payload_sha1, STORE_SHA1_LEN);
	if ((rc = store_report_put(t, &in, NULL, NULL)) != 0)
		return rc;
	ev.type = STORE_EV_CHANGED;
	ev.agency = it->agency;
	ev.url = it->url;
	ev.detail = it->json;
	if ((rc = store_event_append(t, &ev, &it->seq)) != 0)
		return rc;
	/* done with this URL, the next one queued */
	store_frontier_remove(t, it->url);
	snprintf(next, sizeof(next), "http://crash.gov.cn/%llu",
	         (unsigned long long)it->n + 1);
	f.url = next;
	f.site = "crash";
	f.host = "crash.gov.cn";
	f.due = it->n;
	return store_frontier_push(t, &f);
}

int
main(int argc, char *argv[])
{
	struct store_opts o = {256 << 10, 1 << 20, NULL, NULL};
	struct store *st = NULL;
	struct store_txn *t;
	struct item it;
	char body[2048], resp[128];
	uint64_t first;
	int rc;

	if (argc != 2)
		return 2;
	log_init("crash_writer", 0);
	if (store_open(argv[1], STORE_RDWR | STORE_CREATE, &o, &st) != 0)
		return 1;
	if (store_read_begin(st, &t) != 0 || store_event_last(t, &first) != 0)
		return 1;
	store_read_end(t);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (uint64_t n = first + 1;; n++) {
		struct store_capture c = {0};
		uint32_t x = n;

		memset(&it, 0, sizeof(it));
		it.n = n;
		snprintf(it.url, sizeof(it.url), "http://crash.gov.cn/%llu",
		         (unsigned long long)n);
		snprintf(it.agency, sizeof(it.agency), "agency%llu",
		         (unsigned long long)n % 37);
		snprintf(it.json, sizeof(it.json), "{\"n\":%llu}",
		         (unsigned long long)n);
		/* sizes from a few bytes to a few KiB, some repeating */
		for (size_t i = 0; i < sizeof(body); i++) {
			x = x * 1103515245u + 12345u;
			body[i] = 'a' + (x >> 16) % 26;
		}
		snprintf(resp, sizeof(resp),
		         "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
		c.url = it.url;
		c.req_headers = "GET / HTTP/1.1\r\nHost: crash.gov.cn\r\n\r\n";
		c.req_headers_len = strlen(c.req_headers);
		c.resp_headers = resp;
		c.resp_headers_len = strlen(resp);
		c.payload = body;
		c.payload_len = n % 7 == 0 ? 16 : 64 + (n * 131) % 1900;
		c.flags = STORE_CAP_DEDUP;
		if ((rc = store_capture_append(st, &c, &it.cap)) != 0 ||
		    (rc = store_write(st, commit, &it)) != 0) {
			fprintf(stderr, "crash_writer: %s\n", nb_strerror(rc));
			return 1;
		}
		printf("ack %llu %s %s %llu\n", (unsigned long long)n, it.url,
		       it.cap.payload_digest, (unsigned long long)it.seq);
	}
}
