/* test_store - every database and record type of the store, in-process. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "nbtime.h"
#include "store.h"

#define CHECK(x) assert_int_equal((x), 0)

static char logbuf[1 << 16];

static void
sink(int level, const char *msg, void *arg)
{
	(void)level;
	(void)arg;
	if (strlen(logbuf) + strlen(msg) + 2 < sizeof(logbuf)) {
		strcat(logbuf, msg);
		strcat(logbuf, "\n");
	}
}

static char *
tmpdir(void)
{
	char *d = strdup("/tmp/nb-store-XXXXXX");

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
open_rw(const char *dir, uint64_t warc_size, size_t map)
{
	struct store_opts o = {warc_size, map, NULL, "nianbao-test/1"};
	struct store *st = NULL;

	CHECK(store_open(dir, STORE_RDWR | STORE_CREATE, &o, &st));
	return st;
}

static const char req_hdr[] = "GET /a HTTP/1.1\r\nHost: example.gov.cn\r\n"
                              "User-Agent: nianbao-test/1\r\n\r\n";

static int
capture(struct store *st, const char *url, const char *resp, const char *body,
        unsigned flags, struct store_capture_result *r)
{
	struct store_capture c = {
	    .url = url,
	    .ip = "127.0.0.1",
	    .req_headers = req_hdr,
	    .req_headers_len = strlen(req_hdr),
	    .resp_headers = resp,
	    .resp_headers_len = strlen(resp),
	    .payload = body,
	    .payload_len = body ? strlen(body) : 0,
	    .flags = flags,
	};

	return store_capture_append(st, &c, r);
}

static const char ok_html[] = "HTTP/1.1 200 OK\r\n"
                              "Content-Type: text/html; charset=utf-8\r\n"
                              "Content-Length: 11\r\n\r\n";

/* ------------------------------------------------------------------- */

static void
test_open(void **state)
{
	char *d = tmpdir(), path[512];
	struct store *st = NULL, *ro = NULL, *st2 = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/none", d);
	assert_int_equal(store_open(path, STORE_RDONLY, NULL, &st),
	                 NB_ENOTFOUND);
	assert_int_equal(store_open(path, STORE_RDWR, NULL, &st), NB_ENOTFOUND);
	st = open_rw(d, 0, 0);
	assert_string_equal(store_dir(st), d);
	/* the one-writer lock */
	assert_int_equal(store_open(d, STORE_RDWR, NULL, &st2), NB_EBUSY);
	/* readers open beside the writer */
	CHECK(store_open(d, STORE_RDONLY, NULL, &ro));
	store_close(ro);
	store_close(st);
	snprintf(path, sizeof(path), "%s/index/data.mdb", d);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/warc", d);
	assert_int_equal(access(path, F_OK), 0);
	rmtree(d);
	free(d);
}

static void
test_surt(void **state)
{
	static const char *cases[][2] = {
	    {"http://www.zhangshu.gov.cn/zssrmzf/index.shtml",
	     "cn,gov,zhangshu)/zssrmzf/index.shtml"},
	    {"https://WWW.Example.COM:443/A/B?z=1&a=2#frag",
	     "com,example,www)/a/b?a=2&z=1"},
	    {"http://www2.example.com:8080", "com,example:8080)/"},
	    {"http://example.com/a/./b/../c", "com,example)/a/c"},
	    {"http://example.com/%E6%A8%9F?q=a b",
	     "com,example)/%e6%a8%9f?q=a%20b"},
	    {"http://example.com/\xe6\xa8\x9f", "com,example)/%E6%A8%9F"},
	    {"http://user:pw@example.com/", "com,example)/"},
	    {"http://example.com/?", "com,example)/"},
	    {"urn:x-nianbao:test", "urn:x-nianbao:test"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = store_surt(cases[i][0]);

		assert_non_null(s);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static void
test_b32(void **state)
{
	uint8_t sha[STORE_SHA1_LEN], back[STORE_SHA1_LEN];
	char b32[STORE_B32_LEN + 1];

	(void)state;
	/* SHA-1 of the empty string, as WARC tools write it */
	store_sha1("", 0, sha);
	store_sha1_b32(sha, b32);
	assert_string_equal(b32, "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
	CHECK(store_b32_sha1("sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", back));
	assert_memory_equal(sha, back, STORE_SHA1_LEN);
	assert_int_equal(store_b32_sha1("sha1:XYZ", back), NB_EINVAL);
	assert_int_equal(
	    store_b32_sha1("3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBY1", back),
	    NB_EINVAL);
}

static void
test_capture(void **state)
{
	char *d = tmpdir();
	struct store *st = open_rw(d, 0, 0);
	struct store_capture_result r1, r2, r3, r4, r5;
	struct store_record rec;
	struct store_txn *t;
	struct store_cdx c;
	char *p;
	uint8_t sha[STORE_SHA1_LEN];
	const char *chunked = "HTTP/1.1 200 OK\r\n"
	                      "Content-Type: application/pdf\r\n"
	                      "Transfer-Encoding: chunked\r\n"
	                      "Content-Encoding: gzip\r\n\r\n";
	const char *nm = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n";

	(void)state;
	CHECK(capture(st, "http://example.gov.cn/a", ok_html, "hello world", 0,
	              &r1));
	assert_int_equal(r1.type, STORE_REC_RESPONSE);
	assert_int_equal(r1.status, 200);
	assert_int_equal(r1.req_loc.file, r1.loc.file);
	assert_true(r1.req_loc.offset < r1.loc.offset);
	store_sha1("hello world", 11, sha);
	assert_memory_equal(r1.payload_sha1, sha, STORE_SHA1_LEN);
	assert_int_equal(strncmp(r1.record_id, "<urn:uuid:", 10), 0);
	assert_int_equal(r1.record_id[24], '4'); /* UUID version 4 */

	/* the record as stored */
	CHECK(store_record_read(st, &r1.loc, &rec));
	assert_int_equal(rec.type, STORE_REC_RESPONSE);
	assert_string_equal(rec.target_uri, "http://example.gov.cn/a");
	assert_string_equal(rec.record_id, r1.record_id);
	assert_int_equal(rec.payload_len, 11);
	assert_memory_equal(rec.payload, "hello world", 11);
	assert_int_equal(rec.status, 200);
	assert_non_null(strstr(rec.warc_headers, "WARC-IP-Address: 127.0.0.1"));
	assert_non_null(strstr(rec.warc_headers, "WARC-Concurrent-To: <urn:"));
	assert_non_null(strstr(rec.warc_headers, "WARC-Warcinfo-ID: <urn:"));
	store_record_free(&rec);
	CHECK(store_record_read(st, &r1.req_loc, &rec));
	assert_int_equal(rec.type, STORE_REC_REQUEST);
	assert_memory_equal(rec.block, req_hdr, strlen(req_hdr));
	p = strstr(rec.warc_headers, "WARC-Concurrent-To: ");
	assert_non_null(p);
	assert_int_equal(strncmp(p + 20, r1.record_id, strlen(r1.record_id)),
	                 0);
	store_record_free(&rec);

	/* decoded body: headers renamed, length restated */
	CHECK(capture(st, "http://example.gov.cn/b.pdf", chunked, "%PDF-1.4 x",
	              STORE_CAP_DECODED | STORE_CAP_TRUNCATED, &r2));
	CHECK(store_record_read(st, &r2.loc, &rec));
	assert_non_null(strstr(
	    rec.http_headers, "X-Archive-Orig-Transfer-Encoding: chunked\r\n"));
	assert_non_null(strstr(rec.http_headers,
	                       "X-Archive-Orig-Content-Encoding: gzip\r\n"));
	assert_non_null(strstr(rec.http_headers, "\r\nContent-Length: 10\r\n"));
	assert_null(strstr(rec.http_headers, "\r\nTransfer-Encoding"));
	assert_non_null(strstr(rec.warc_headers, "WARC-Truncated: length"));
	store_record_free(&rec);

	/* same payload again, dedup asked: identical-payload-digest */
	CHECK(capture(st, "http://example.gov.cn/a2", ok_html, "hello world",
	              STORE_CAP_DEDUP, &r3));
	assert_int_equal(r3.type, STORE_REC_REVISIT);
	assert_false(r3.not_modified);
	assert_memory_equal(r3.payload_sha1, sha, STORE_SHA1_LEN);
	CHECK(store_record_read(st, &r3.loc, &rec));
	assert_non_null(strstr(rec.warc_headers, "identical-payload-digest"));
	assert_non_null(strstr(rec.warc_headers, r1.record_id));
	assert_non_null(
	    strstr(rec.warc_headers,
	           "WARC-Refers-To-Target-URI: http://example.gov.cn/a\r\n"));
	assert_int_equal(rec.payload_len, 0);
	store_record_free(&rec);
	/* without dedup, the same payload is stored again */
	CHECK(capture(st, "http://example.gov.cn/a3", ok_html, "hello world", 0,
	              &r5));
	assert_int_equal(r5.type, STORE_REC_RESPONSE);

	/* 304: server-not-modified revisit of the latest capture */
	CHECK(capture(st, "http://example.gov.cn/b.pdf", nm, NULL, 0, &r4));
	assert_int_equal(r4.type, STORE_REC_REVISIT);
	assert_true(r4.not_modified);
	assert_memory_equal(r4.payload_sha1, r2.payload_sha1, STORE_SHA1_LEN);
	/* a 304 for an unknown URL stays a response */
	CHECK(capture(st, "http://example.gov.cn/new", nm, NULL, 0, &r5));
	assert_int_equal(r5.type, STORE_REC_RESPONSE);

	/* bad input writes nothing */
	assert_int_equal(capture(st, "http://x/a b", ok_html, "x", 0, &r5),
	                 NB_EINVAL);
	assert_int_equal(capture(st, "http://x/\r\nX: y", ok_html, "x", 0, &r5),
	                 NB_EINVAL);
	assert_int_equal(
	    capture(st, "http://x/", "garbage\r\n\r\n", "x", 0, &r5),
	    NB_EINVAL);

	/* lookups go through the pending entries' commit */
	CHECK(store_flush(st));
	CHECK(store_read_begin(st, &t));
	CHECK(store_capture_find(t, "http://example.gov.cn/b.pdf", 0, &c));
	assert_int_equal(c.type, STORE_REC_REVISIT);
	assert_int_equal(c.loc.offset, r4.loc.offset);
	assert_non_null(strstr(c.json, "\"mime\":\"warc/revisit\""));
	assert_non_null(strstr(c.json, "\"status\":\"304\""));
	CHECK(store_capture_find(t, "http://example.gov.cn/a", 0, &c));
	assert_string_equal(c.url, "http://example.gov.cn/a");
	assert_non_null(strstr(c.json, "\"mime\":\"text/html\""));
	/* the payload behind a revisit */
	CHECK(store_payload_get(t, "http://example.gov.cn/b.pdf", 0, &rec, &c));
	assert_int_equal(rec.type, STORE_REC_RESPONSE);
	assert_int_equal(rec.payload_len, 10);
	assert_memory_equal(rec.payload, "%PDF-1.4 x", 10);
	store_record_free(&rec);
	assert_int_equal(store_payload_get(t, "http://nowhere/", 0, &rec, NULL),
	                 NB_ENOTFOUND);
	store_record_free(&rec);
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

static void
test_capture_at(void **state)
{
	char *d = tmpdir();
	struct store *st = open_rw(d, 0, 0);
	struct store_capture_result r;
	struct store_txn *t;
	struct store_record rec;
	int64_t t0;
	const char *bodies[] = {"v1", "v2", "v3"};
	struct store_capture c = {.url = "http://example.gov.cn/x",
	                          .resp_headers = ok_html,
	                          .resp_headers_len = strlen(ok_html)};

	(void)state;
	CHECK(nb_time_parse("2024-01-01", &t0));
	for (int i = 0; i < 3; i++) {
		c.date = t0 + i * 86400000LL;
		c.payload = bodies[i];
		c.payload_len = 2;
		CHECK(store_capture_append(st, &c, &r));
	}
	CHECK(store_flush(st));
	CHECK(store_read_begin(st, &t));
	CHECK(store_payload_get(t, c.url, 0, &rec, NULL));
	assert_memory_equal(rec.payload, "v3", 2);
	store_record_free(&rec);
	CHECK(store_payload_get(t, c.url, t0 + 86400000LL + 5, &rec, NULL));
	assert_memory_equal(rec.payload, "v2", 2);
	store_record_free(&rec);
	/* before the first: the earliest */
	CHECK(store_payload_get(t, c.url, t0 - 1000, &rec, NULL));
	assert_memory_equal(rec.payload, "v1", 2);
	store_record_free(&rec);
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

/* ---------------------------------------------------------- URL state */

struct urlput {
	const char *url;
	struct store_url u;
};

static int
url_put_fn(struct store_txn *t, void *arg)
{
	struct urlput *p = arg;

	return store_url_put(t, p->url, &p->u);
}

static int
count_url(const char *url, const struct store_url *u, void *arg)
{
	(void)u;
	assert_int_equal(strncmp(url, "http://a.gov.cn/", 16), 0);
	(*(int *)arg)++;
	return 0;
}

static void
test_url(void **state)
{
	char *d = tmpdir(), longurl[2100];
	struct store *st = open_rw(d, 0, 0);
	struct urlput p = {"http://a.gov.cn/x",
	                   {.status = 200,
	                    .errors = 2,
	                    .last_fetch = 1000,
	                    .next_fetch = 2000,
	                    .etag = "\"abc\"",
	                    .last_modified = "Tue, 01 Jan 2024 00:00:00 GMT",
	                    .loc = {1, 2, 3},
	                    .blob = "\x01\x00\x02",
	                    .blob_len = 3}};
	struct store_txn *t;
	struct store_url u;
	int n = 0;

	(void)state;
	memset(p.u.payload_sha1, 7, STORE_SHA1_LEN);
	CHECK(store_write(st, url_put_fn, &p));
	p.url = "http://a.gov.cn/y";
	CHECK(store_write(st, url_put_fn, &p));
	memset(longurl, 'a', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	memcpy(longurl, "http://b.gov.cn/", 16);
	p.url = longurl;
	p.u.status = 404;
	CHECK(store_write(st, url_put_fn, &p));
	CHECK(store_read_begin(st, &t));
	CHECK(store_url_get(t, "http://a.gov.cn/x", &u));
	assert_int_equal(u.status, 200);
	assert_int_equal(u.errors, 2);
	assert_int_equal(u.last_fetch, 1000);
	assert_int_equal(u.next_fetch, 2000);
	assert_string_equal(u.etag, "\"abc\"");
	assert_string_equal(u.last_modified, "Tue, 01 Jan 2024 00:00:00 GMT");
	assert_int_equal(u.loc.file, 1);
	assert_int_equal(u.loc.offset, 2);
	assert_int_equal(u.loc.length, 3);
	assert_int_equal(u.blob_len, 3);
	assert_memory_equal(u.blob, "\x01\x00\x02", 3);
	assert_int_equal(u.payload_sha1[19], 7);
	CHECK(store_url_get(t, longurl, &u));
	assert_int_equal(u.status, 404);
	longurl[2000] = 'b';
	assert_int_equal(store_url_get(t, longurl, &u), NB_ENOTFOUND);
	assert_int_equal(store_url_get(t, "http://a.gov.cn/z", &u),
	                 NB_ENOTFOUND);
	CHECK(store_url_iter(t, "http://a.gov.cn/", count_url, &n));
	assert_int_equal(n, 2);
	/* writes need a write transaction */
	assert_int_equal(store_url_put(t, "http://a.gov.cn/q", &p.u),
	                 NB_EINVAL);
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

/* ------------------------------------------------------------ frontier */

static int
frontier_fill(struct store_txn *t, void *arg)
{
	static const struct {
		const char *url, *site, *host;
		int64_t due;
		int prio;
	} items[] = {
	    {"http://h1/a", "s1", "h1", 100, 10},
	    {"http://h1/b", "s1", "h1", 50, 10},
	    {"http://h1/c", "s1", "h1", 500, 200},
	    {"http://h2/a", "s1", "h2", 10, 0},
	    {"http://h3/a", "s2", "h3", 20, 5},
	    {"http://h3/b", "s2", "h3", 30, 5},
	};

	(void)arg;
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct store_frontier_item it = {items[i].url,
		                                 items[i].site,
		                                 items[i].host,
		                                 items[i].due,
		                                 (uint8_t)items[i].prio,
		                                 "blob",
		                                 4};
		int rc = store_frontier_push(t, &it);

		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
frontier_move(struct store_txn *t, void *arg)
{
	struct store_frontier_item it = {"http://h3/b", "s2", "h3", 5, 5,
	                                 NULL,          0};

	(void)arg;
	return store_frontier_push(t, &it);
}

struct popctx {
	const char *site, *host;
	int64_t before;
	char url[64];
	int rc;
};

static int
frontier_pop_fn(struct store_txn *t, void *arg)
{
	struct popctx *p = arg;
	struct store_frontier_item it;

	p->rc = store_frontier_pop(t, p->site, p->host, p->before, &it);
	if (p->rc == 0)
		snprintf(p->url, sizeof(p->url), "%s", it.url);
	return 0;
}

static int
host_seen(const struct store_frontier_item *it, void *arg)
{
	char *s = arg;

	strcat(s, it->host);
	strcat(s, "=");
	strcat(s, it->url);
	strcat(s, ";");
	return 0;
}

static void
test_frontier(void **state)
{
	char *d = tmpdir(), hosts[256] = "";
	struct store *st = open_rw(d, 0, 0);
	struct store_txn *t;
	struct store_frontier_item it;
	struct popctx p;
	uint64_t n;

	(void)state;
	CHECK(store_write(st, frontier_fill, NULL));
	CHECK(store_read_begin(st, &t));
	CHECK(store_frontier_count(t, NULL, NULL, &n));
	assert_int_equal(n, 6);
	CHECK(store_frontier_count(t, "s1", NULL, &n));
	assert_int_equal(n, 4);
	CHECK(store_frontier_count(t, "s1", "h1", &n));
	assert_int_equal(n, 3);
	/* priority first, then due */
	CHECK(store_frontier_next(t, "s1", "h1", 1000, &it));
	assert_string_equal(it.url, "http://h1/c");
	assert_int_equal(it.prio, 200);
	assert_int_equal(it.blob_len, 4);
	/* the high-priority one is not due yet: the earliest due of the rest */
	CHECK(store_frontier_next(t, "s1", "h1", 400, &it));
	assert_string_equal(it.url, "http://h1/b");
	assert_int_equal(store_frontier_next(t, "s1", "h1", 49, &it),
	                 NB_ENOTFOUND);
	/* any host of a site, any site */
	CHECK(store_frontier_next(t, "s1", NULL, 40, &it));
	assert_string_equal(it.url, "http://h2/a");
	CHECK(store_frontier_next(t, NULL, NULL, 25, &it));
	assert_string_equal(it.url, "http://h3/a");
	CHECK(store_frontier_get(t, "http://h2/a", &it));
	assert_string_equal(it.site, "s1");
	assert_string_equal(it.host, "h2");
	assert_int_equal(it.due, 10);
	CHECK(store_frontier_hosts(t, NULL, host_seen, hosts));
	assert_string_equal(hosts,
	                    "h1=http://h1/c;h2=http://h2/a;h3=http://h3/a;");
	store_read_end(t);

	/* push again moves it */
	CHECK(store_write(st, frontier_move, NULL));
	memset(&p, 0, sizeof(p));
	p.site = "s2";
	p.host = "h3";
	p.before = 6;
	CHECK(store_write(st, frontier_pop_fn, &p));
	CHECK(p.rc);
	assert_string_equal(p.url, "http://h3/b");
	CHECK(store_write(st, frontier_pop_fn, &p));
	assert_int_equal(p.rc, NB_ENOTFOUND);
	CHECK(store_read_begin(st, &t));
	CHECK(store_frontier_count(t, NULL, NULL, &n));
	assert_int_equal(n, 5);
	assert_int_equal(store_frontier_get(t, "http://h3/b", &it),
	                 NB_ENOTFOUND);
	store_read_end(t);
	store_close(st);
	/* it survives a reopen */
	st = open_rw(d, 0, 0);
	CHECK(store_read_begin(st, &t));
	CHECK(store_frontier_count(t, "s2", NULL, &n));
	assert_int_equal(n, 1);
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

/* ------------------------------------------------------------ reports */

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

static void
put_report(struct store *st, const char *agency, const char *region, int year,
           const char *json, const char *payload, int64_t when,
           enum store_change want, uint32_t want_ver)
{
	struct rput p;

	memset(&p, 0, sizeof(p));
	p.in.agency = agency;
	p.in.region = region;
	p.in.year = year;
	p.in.json = json;
	p.in.json_len = strlen(json);
	p.in.url = "http://example.gov.cn/r";
	p.in.fetched = when;
	store_sha1(payload, strlen(payload), p.in.payload_sha1);
	CHECK(store_write(st, report_put_fn, &p));
	assert_int_equal(p.ch, want);
	assert_int_equal(p.ver, want_ver);
}

static int
collect_report(const struct store_report *r, void *arg)
{
	char *s = arg;
	char line[128];

	snprintf(line, sizeof(line), "%s/%s/%d/v%u;", r->region, r->agency,
	         r->year, r->version);
	strcat(s, line);
	return 0;
}

static int
collect_agency(const struct store_agency *a, void *arg)
{
	char *s = arg;

	strcat(s, a->name);
	strcat(s, ";");
	return 0;
}

static void
test_reports(void **state)
{
	char *d = tmpdir(), out[2048], big[4096];
	struct store *st = open_rw(d, 0, 0);
	struct store_txn *t;
	struct store_report r;
	struct store_agency a;
	struct store_report_filter f;

	(void)state;
	/* a big record is stored compressed; it must come back intact */
	snprintf(big, sizeof(big), "{\"agency\":\"A\",\"pad\":\"");
	for (int i = 0; i < 300; i++)
		strcat(big, "政府信息");
	strcat(big, "\",\"source\":{\"fetched\":\"1\"}}");
	put_report(st, "A", "R1", 2021, big, "p1", 1000, STORE_NEW, 1);
	/* same payload: unchanged */
	put_report(st, "A", "R1", 2021, "{\"x\":1}", "p1", 2000,
	           STORE_UNCHANGED, 1);
	/* other payload, same record apart from source: unchanged */
	{
		char big2[4096];

		strcpy(big2, big);
		*strstr(big2, "\"1\"}}") = '\0';
		strcat(big2, "\"2\"}}");
		put_report(st, "A", "R1", 2021, big2, "p2", 3000,
		           STORE_UNCHANGED, 1);
	}
	/* different record: a new version */
	put_report(st, "A", "R1", 2021, "{\"agency\":\"A\",\"v\":2}", "p3",
	           4000, STORE_CHANGED, 2);
	put_report(st, "A", "R1", 2022, "{\"v\":1}", "p4", 5000, STORE_NEW, 1);
	put_report(st, "B", "R1", 2021, "{\"v\":1}", "p5", 5000, STORE_NEW, 1);
	put_report(st, "C", "R2", 2021, "{\"v\":1}", "p6", 5000, STORE_NEW, 1);
	put_report(st, "C", "R2", 2020, "{\"v\":1}", "p7", 5000, STORE_NEW, 1);
	/* not JSON: refused */
	{
		struct rput p;

		memset(&p, 0, sizeof(p));
		p.in.agency = "D";
		p.in.year = 2021;
		p.in.json = "{oops";
		p.in.json_len = 5;
		assert_int_equal(store_write(st, report_put_fn, &p), NB_EINVAL);
		p.in.json = "{}";
		p.in.json_len = 2;
		p.in.year = 1800;
		assert_int_equal(store_write(st, report_put_fn, &p), NB_EINVAL);
	}

	CHECK(store_read_begin(st, &t));
	CHECK(store_report_get(t, "A", 2021, STORE_JSON, &r));
	assert_int_equal(r.version, 2);
	assert_int_equal(r.nversions, 2);
	assert_int_equal(r.first_seen, 1000);
	assert_int_equal(r.last_seen, 4000);
	assert_int_equal(r.fetched, 4000);
	assert_string_equal(r.region, "R1");
	assert_string_equal(r.json, "{\"agency\":\"A\",\"v\":2}");
	CHECK(store_report_version_get(t, "A", 2021, 1, STORE_JSON, &r));
	assert_int_equal(r.json_len, strlen(big));
	assert_string_equal(r.json, big);
	assert_int_equal(r.fetched, 1000);
	assert_int_equal(store_report_version_get(t, "A", 2021, 3, 0, &r),
	                 NB_ENOTFOUND);
	assert_int_equal(store_report_get(t, "A", 2019, 0, &r), NB_ENOTFOUND);

	out[0] = '\0';
	CHECK(store_report_versions(t, "A", 2021, 0, collect_report, out));
	assert_string_equal(out, "R1/A/2021/v1;R1/A/2021/v2;");
	memset(&f, 0, sizeof(f));
	f.agency = "A";
	out[0] = '\0';
	CHECK(store_report_iter(t, &f, 0, collect_report, out));
	assert_string_equal(out, "R1/A/2021/v2;R1/A/2022/v1;");
	memset(&f, 0, sizeof(f));
	f.region = "R1";
	f.year = 2021;
	out[0] = '\0';
	CHECK(store_report_iter(t, &f, 0, collect_report, out));
	assert_string_equal(out, "R1/A/2021/v2;R1/B/2021/v1;");
	memset(&f, 0, sizeof(f));
	f.year = 2021;
	out[0] = '\0';
	CHECK(store_report_iter(t, &f, 0, collect_report, out));
	assert_string_equal(out, "R1/A/2021/v2;R1/B/2021/v1;R2/C/2021/v1;");
	memset(&f, 0, sizeof(f));
	f.region = "R2";
	out[0] = '\0';
	CHECK(store_report_iter(t, &f, 0, collect_report, out));
	assert_string_equal(out, "R2/C/2020/v1;R2/C/2021/v1;");
	out[0] = '\0';
	CHECK(store_report_iter(t, NULL, 0, collect_report, out));
	assert_string_equal(out, "R1/A/2021/v2;R1/A/2022/v1;R1/B/2021/v1;"
	                         "R2/C/2020/v1;R2/C/2021/v1;");

	/* agencies were created by the reports, with their years */
	CHECK(store_agency_get(t, "A", &a));
	assert_string_equal(a.region, "R1");
	assert_int_equal(a.first_year, 2021);
	assert_int_equal(a.last_year, 2022);
	CHECK(store_agency_get(t, "C", &a));
	assert_int_equal(a.first_year, 2020);
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

static int
agencies_fn(struct store_txn *t, void *arg)
{
	static const char aliases[] = "局A\0A局\0";
	struct store_agency a = {"A",
	                         "R1",
	                         "site1",
	                         aliases,
	                         sizeof(aliases) - 1,
	                         0,
	                         0,
	                         STORE_KIND_GOVERNMENT};
	const char *names[] = {"D", "E", "F"};
	int rc;

	(void)arg;
	if ((rc = store_agency_put(t, &a)) != 0)
		return rc;
	for (int i = 0; i < 3; i++) {
		struct store_agency b = {
		    names[i], i < 2 ? "R1" : "R2",  "site1", NULL, 0, 0,
		    0,        STORE_KIND_DEPARTMENT};

		if ((rc = store_agency_put(t, &b)) != 0)
			return rc;
	}
	return 0;
}

static int
move_c(struct store_txn *t, void *arg)
{
	struct store_agency c = {"C", "R3", "",   NULL,
	                         0,   2020, 2021, STORE_KIND_AUTO};

	(void)arg;
	return store_agency_put(t, &c);
}

static void
test_agencies_missing(void **state)
{
	char *d = tmpdir(), out[1024];
	struct store *st = open_rw(d, 0, 0);
	struct store_txn *t;
	struct store_agency a;
	struct store_report_filter f = {NULL, "R3", 2021};

	(void)state;
	CHECK(store_write(st, agencies_fn, NULL));
	put_report(st, "A", "R1", 2021, "{}", "p1", 1000, STORE_NEW, 1);
	put_report(st, "E", "R1", 2021, "{}", "p2", 1000, STORE_NEW, 1);
	put_report(st, "E", "R1", 2020, "{}", "p3", 1000, STORE_NEW, 1);
	put_report(st, "C", "R2", 2021, "{}", "p4", 1000, STORE_NEW, 1);
	CHECK(store_read_begin(st, &t));
	CHECK(store_agency_get(t, "A", &a));
	assert_string_equal(a.site, "site1");
	assert_int_equal(a.kind, STORE_KIND_GOVERNMENT);
	assert_int_equal(a.aliases_len, strlen("局A") + strlen("A局") + 2);
	assert_string_equal(a.aliases, "局A");
	assert_string_equal(a.aliases + strlen("局A") + 1, "A局");
	assert_int_equal(a.first_year, 2021);
	out[0] = '\0';
	CHECK(store_agency_iter(t, "R1", collect_agency, out));
	assert_string_equal(out, "A;D;E;");
	out[0] = '\0';
	CHECK(store_agency_iter(t, NULL, collect_agency, out));
	assert_string_equal(out, "A;D;E;C;F;");
	out[0] = '\0';
	CHECK(store_missing(t, 2021, NULL, collect_agency, out));
	assert_string_equal(out, "D;F;");
	out[0] = '\0';
	CHECK(store_missing(t, 2020, NULL, collect_agency, out));
	assert_string_equal(out, "A;D;C;F;");
	out[0] = '\0';
	CHECK(store_missing(t, 2020, "R1", collect_agency, out));
	assert_string_equal(out, "A;D;");
	out[0] = '\0';
	CHECK(store_missing(t, 2019, "R9", collect_agency, out));
	assert_string_equal(out, "");
	store_read_end(t);
	/* moving an agency moves its reports in the region index */
	CHECK(store_write(st, move_c, NULL));
	CHECK(store_read_begin(st, &t));
	out[0] = '\0';
	CHECK(store_report_iter(t, &f, 0, collect_report, out));
	assert_string_equal(out, "R3/C/2021/v1;");
	f.region = "R2";
	out[0] = '\0';
	CHECK(store_report_iter(t, &f, 0, collect_report, out));
	assert_string_equal(out, "");
	out[0] = '\0';
	CHECK(store_missing(t, 2021, "R2", collect_agency, out));
	assert_string_equal(out, "F;");
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

/* -------------------------------------------------------------- events */

static int
events_fn(struct store_txn *t, void *arg)
{
	int64_t *times = arg;
	int rc;

	for (int i = 0; i < 4; i++) {
		struct store_event e = {
		    0, times[i], STORE_EV_NEW + i, "A", 2021, "http://x/", "d"};
		uint64_t seq;

		if ((rc = store_event_append(t, &e, &seq)) != 0)
			return rc;
		assert_int_equal(seq, i + 1);
	}
	return 0;
}

static int
event_collect(const struct store_event *e, void *arg)
{
	char *s = arg;
	char line[64];

	snprintf(line, sizeof(line), "%llu:%s:%lld;",
	         (unsigned long long)e->seq, store_event_name(e->type),
	         (long long)e->time);
	strcat(s, line);
	return 0;
}

static int
consumer_fn(struct store_txn *t, void *arg)
{
	return store_consumer_set(t, "cron", *(uint64_t *)arg);
}

static int
forbidden_fn(struct store_txn *t, void *arg)
{
	struct store_event e = {0, 0, STORE_EV_NEW, "", 0, "", ""};

	(void)arg;
	return store_event_append(t, &e, NULL);
}

static void
test_events(void **state)
{
	char *d = tmpdir(), out[512] = "";
	struct store *st = open_rw(d, 0, 0), *ro = NULL;
	int64_t times[4] = {1000, 3000, 2000, 5000};
	struct store_txn *t;
	uint64_t seq, pos = 3;

	(void)state;
	CHECK(store_write(st, events_fn, times));
	CHECK(store_read_begin(st, &t));
	CHECK(store_event_last(t, &seq));
	assert_int_equal(seq, 4);
	CHECK(store_event_iter(t, 1, event_collect, out));
	/* a clock that went back is clamped: times never decrease */
	assert_string_equal(out,
	                    "2:changed:3000;3:removed:3000;4:blocked:5000;");
	CHECK(store_event_seq_before(t, 3000, &seq));
	assert_int_equal(seq, 1);
	CHECK(store_event_seq_before(t, 3001, &seq));
	assert_int_equal(seq, 3);
	CHECK(store_event_seq_before(t, 10, &seq));
	assert_int_equal(seq, 0);
	CHECK(store_event_seq_before(t, 99999, &seq));
	assert_int_equal(seq, 4);
	store_read_end(t);
	assert_int_equal(store_event_type_parse("parse-failed"),
	                 STORE_EV_PARSE_FAILED);
	assert_int_equal(store_event_type_parse("nonsense"), 0);

	/* a reader keeps its consumer position; nothing else */
	CHECK(store_open(d, STORE_RDONLY, NULL, &ro));
	CHECK(store_write(ro, consumer_fn, &pos));
	assert_int_equal(store_write(ro, forbidden_fn, NULL), NB_EINVAL);
	assert_int_equal(
	    store_capture_append(ro, &(struct store_capture){0},
	                         &(struct store_capture_result){0}),
	    NB_EINVAL);
	CHECK(store_read_begin(ro, &t));
	CHECK(store_consumer_get(t, "cron", &seq));
	assert_int_equal(seq, 3);
	assert_int_equal(store_consumer_get(t, "other", &seq), NB_ENOTFOUND);
	CHECK(store_event_last(t, &seq));
	assert_int_equal(seq, 4);
	store_read_end(t);
	store_close(ro);
	store_close(st);
	rmtree(d);
	free(d);
}

/* ------------------------------------------------------------ map size */

static int
many_reports(struct store_txn *t, void *arg)
{
	char name[32], json[2048];
	int base = *(int *)arg, rc;

	memset(json, 0, sizeof(json));
	for (int i = 0; i < 300; i++) {
		struct store_report_in in;

		memset(&in, 0, sizeof(in));
		snprintf(name, sizeof(name), "agency%06d", base + i);
		/* incompressible enough to fill pages */
		snprintf(json, sizeof(json), "{\"n\":\"%d", base + i);
		for (int j = strlen(json); j < 1500; j++)
			json[j] =
			    'a' + (unsigned)((base + i) * 7919 + j * 31) % 26;
		json[1500] = '\0';
		strcat(json, "\"}");
		in.agency = name;
		in.region = "R";
		in.year = 2021;
		in.json = json;
		in.json_len = strlen(json);
		in.url = "http://x/";
		in.payload_sha1[0] = 1;
		in.record_sha1[0] = 1;
		if ((rc = store_report_put(t, &in, NULL, NULL)) != 0)
			return rc;
	}
	return 0;
}

static void
test_map_growth(void **state)
{
	char *d = tmpdir();
	struct store *st = open_rw(d, 0, 64 << 10), *ro = NULL;
	struct store_txn *t;
	struct store_report r;
	pid_t pid;
	int status;

	(void)state;
	logbuf[0] = '\0';
	log_setsink(sink, NULL);
	CHECK(store_open(d, STORE_RDONLY, NULL, &ro));
	for (int b = 0; b < 3000; b += 300)
		CHECK(store_write(st, many_reports, &b));
	assert_non_null(strstr(logbuf, "map full, grown from"));
	CHECK(store_read_begin(st, &t));
	CHECK(store_report_get(t, "agency002999", 2021, STORE_JSON, &r));
	assert_int_equal(strncmp(r.json, "{\"n\":\"2999", 10), 0);
	/* a map cannot grow under an open read transaction of this process */
	{
		int b = 100000, rc = 0;

		for (int i = 0; rc == 0 && i < 200; i++, b += 300)
			rc = store_write(st, many_reports, &b);
		assert_int_equal(rc, NB_EFULL);
	}
	store_read_end(t);
	store_close(st);

	/* another process grows the map while this reader is open */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *w = NULL;
		int rc = store_open(d, STORE_RDWR, NULL, &w);

		for (int b = 3000; rc == 0 && b < 9000; b += 300)
			rc = store_write(w, many_reports, &b);
		store_close(w);
		_exit(rc == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(store_read_begin(ro, &t));
	CHECK(store_report_get(t, "agency008999", 2021, STORE_JSON, &r));
	assert_int_equal(strncmp(r.json, "{\"n\":\"8999", 10), 0);
	store_read_end(t);
	store_close(ro);
	log_setsink(NULL, NULL);
	rmtree(d);
	free(d);
}

/* --------------------------------------------------- files and recovery */

struct vlist {
	char out[8192];
	int problems;
};

static void
vprob(const char *msg, void *arg)
{
	struct vlist *v = arg;

	v->problems++;
	strncat(v->out, msg, sizeof(v->out) - strlen(v->out) - 2);
	strcat(v->out, "\n");
}

static void
vrec(const char *file, uint64_t off, uint64_t len,
     const struct store_record *rec, void *arg)
{
	struct vlist *v = arg;
	char line[160];

	(void)len;
	snprintf(line, sizeof(line), "%s@%llu:%s\n", file + 23,
	         (unsigned long long)off, rec->warc_type);
	strncat(v->out, line, sizeof(v->out) - strlen(v->out) - 1);
}

static void
test_roll_verify(void **state)
{
	char *d = tmpdir(), body[3000];
	struct store *st = open_rw(d, 4096, 0);
	struct store_capture_result r;
	struct store_verify_stats vs;
	struct vlist v;

	(void)state;
	for (int i = 0; i < 8; i++) {
		char url[64];

		snprintf(url, sizeof(url), "http://example.gov.cn/%d", i);
		uint32_t x = i + 1;

		for (size_t j = 0; j < sizeof(body) - 1; j++) {
			x = x * 1103515245u + 12345u;
			body[j] = 'A' + (x >> 16) % 26;
		}
		body[sizeof(body) - 1] = '\0';
		CHECK(capture(st, url, ok_html, body, 0, &r));
	}
	store_close(st);
	memset(&v, 0, sizeof(v));
	st = open_rw(d, 4096, 0);
	CHECK(store_verify(st, vprob, vrec, &v, &vs));
	assert_int_equal(vs.problems, 0);
	assert_true(vs.files >= 3);
	assert_int_equal(vs.cdx, 8);
	assert_int_equal(vs.records, vs.files + 16);
	/* every file starts with its warcinfo */
	for (char *p = v.out; (p = strstr(p, "@0:")) != NULL; p++)
		assert_int_equal(strncmp(p, "@0:warcinfo", 11), 0);
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/warc/index.cdxj", d);
		assert_int_equal(access(path, R_OK), 0);
	}
	store_close(st);
	rmtree(d);
	free(d);
}

/* the newest WARC file of d */
static void
newest_warc(const char *d, char *out, size_t len)
{
	char cmd[512];
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "ls %s/warc/*.warc.gz | tail -1", d);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	assert_non_null(fgets(out, len, fp));
	out[strcspn(out, "\n")] = '\0';
	pclose(fp);
	(void)len;
}

static void
test_recover_torn(void **state)
{
	char *d = tmpdir(), path[512];
	struct store *st = open_rw(d, 0, 0);
	struct store_capture_result r;
	struct store_verify_stats vs;
	struct store_txn *t;
	struct store_cdx c;
	struct stat sb;
	off_t before;
	FILE *fp;

	(void)state;
	CHECK(capture(st, "http://example.gov.cn/1", ok_html, "one", 0, &r));
	CHECK(capture(st, "http://example.gov.cn/2", ok_html, "two", 0, &r));
	store_close(st);
	newest_warc(d, path, sizeof(path));
	CHECK(stat(path, &sb));
	before = sb.st_size;
	/* half a gzip member at the end, as a crash mid-write leaves it */
	fp = fopen(path, "ab");
	assert_non_null(fp);
	fwrite("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", 1, 17, fp);
	fclose(fp);
	logbuf[0] = '\0';
	log_setsink(sink, NULL);
	st = open_rw(d, 0, 0);
	log_setsink(NULL, NULL);
	assert_non_null(strstr(logbuf, "torn record at"));
	CHECK(stat(path, &sb));
	assert_int_equal(sb.st_size, before);
	CHECK(store_verify(st, NULL, NULL, NULL, &vs));
	assert_int_equal(vs.problems, 0);
	assert_int_equal(vs.unindexed, 0);
	CHECK(store_read_begin(st, &t));
	CHECK(store_capture_find(t, "http://example.gov.cn/2", 0, &c));
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

static void
test_recover_unindexed(void **state)
{
	char *d = tmpdir();
	struct store *st;
	struct store_txn *t;
	struct store_cdx c;
	struct store_verify_stats vs;
	pid_t pid;
	int status;

	(void)state;
	st = open_rw(d, 0, 0);
	store_close(st);
	/* records fsynced, their CDXJ entries never committed */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store_capture_result r;

		st = NULL;
		if (store_open(d, STORE_RDWR, NULL, &st) != 0 ||
		    capture(st, "http://example.gov.cn/lost", ok_html, "data",
		            0, &r) != 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	st = open_rw(d, 0, 0);
	CHECK(store_read_begin(st, &t));
	CHECK(store_capture_find(t, "http://example.gov.cn/lost", 0, &c));
	store_read_end(t);
	CHECK(store_verify(st, NULL, NULL, NULL, &vs));
	assert_int_equal(vs.problems, 0);
	store_close(st);
	rmtree(d);
	free(d);
}

static void
test_verify_detects(void **state)
{
	char *d = tmpdir(), path[512], body[4000];
	struct store *st = open_rw(d, 0, 0);
	struct store_capture_result r;
	struct store_verify_stats vs;
	struct vlist v;
	int fd;

	(void)state;
	for (size_t j = 0; j < sizeof(body) - 1; j++)
		body[j] = 'a' + (unsigned)(j * j * 13 + j) % 26;
	body[sizeof(body) - 1] = '\0';
	CHECK(capture(st, "http://example.gov.cn/1", ok_html, body, 0, &r));
	CHECK(capture(st, "http://example.gov.cn/2", ok_html, "two", 0, &r));
	store_close(st);
	newest_warc(d, path, sizeof(path));
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	/* a byte in the middle of the first response's compressed data */
	assert_int_equal(
	    pwrite(fd, "\xff\xff\xff", 3, r.req_loc.offset / 2 + 300), 3);
	close(fd);
	st = open_rw(d, 0, 0);
	memset(&v, 0, sizeof(v));
	CHECK(store_verify(st, vprob, NULL, &v, &vs));
	assert_true(vs.problems > 0);
	assert_non_null(strstr(v.out, ".warc.gz:"));
	store_close(st);
	rmtree(d);
	free(d);
}

/* ------------------------------------------------------------ disk full */

static void
test_disk_full(void **state)
{
	char *d = tmpdir();
	struct store *st;
	struct store_verify_stats vs;
	struct store_txn *t;
	struct store_cdx c;
	pid_t pid;
	int status;

	(void)state;
	st = open_rw(d, 0, 0);
	store_close(st);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = {200 << 10, 200 << 10};
		struct store_capture_result r;
		char body[8192], url[64];
		int rc = 0, n = 0;

		signal(SIGXFSZ, SIG_IGN);
		st = NULL;
		if (store_open(d, STORE_RDWR, NULL, &st) != 0)
			_exit(10);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(11);
		logbuf[0] = '\0';
		log_setsink(sink, NULL);
		while (rc == 0 && n < 1000) {
			for (size_t j = 0; j < sizeof(body) - 1; j++)
				body[j] =
				    'a' + (unsigned)(j * 31 + j * j * n) % 26;
			body[sizeof(body) - 1] = '\0';
			snprintf(url, sizeof(url), "http://example.gov.cn/%d",
			         n++);
			rc = capture(st, url, ok_html, body, 0, &r);
		}
		if (rc != NB_EFULL)
			_exit(12);
		/* writing has stopped */
		if (capture(st, "http://example.gov.cn/after", ok_html, "x", 0,
		            &r) != NB_EFULL)
			_exit(13);
		if (!strstr(logbuf, "writing stopped"))
			_exit(14);
		log_setsink(NULL, NULL);
		store_close(st);
		_exit(n > 5 ? 0 : 15);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	st = open_rw(d, 0, 0);
	CHECK(store_verify(st, NULL, NULL, NULL, &vs));
	assert_int_equal(vs.problems, 0);
	assert_true(vs.cdx > 5);
	CHECK(store_read_begin(st, &t));
	CHECK(store_capture_find(t, "http://example.gov.cn/3", 0, &c));
	store_read_end(t);
	store_close(st);
	rmtree(d);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open),
	    cmocka_unit_test(test_surt),
	    cmocka_unit_test(test_b32),
	    cmocka_unit_test(test_capture),
	    cmocka_unit_test(test_capture_at),
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_frontier),
	    cmocka_unit_test(test_reports),
	    cmocka_unit_test(test_agencies_missing),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_map_growth),
	    cmocka_unit_test(test_roll_verify),
	    cmocka_unit_test(test_recover_torn),
	    cmocka_unit_test(test_recover_unindexed),
	    cmocka_unit_test(test_verify_detects),
	    cmocka_unit_test(test_disk_full),
	};

	log_init("test_store", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
