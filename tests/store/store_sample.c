/*
 * store_sample DIR - write an archive with every kind of capture the
 * crawler makes, for the end-to-end checks (warcio, nianbao warc).
 * Payload of capture N of a URL is "<url> vN" unless stated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nbtime.h"
#include "store.h"

static int
cap(struct store *st, const char *url, const char *method, const char *resp,
    const char *body, size_t blen, unsigned flags, int64_t date)
{
	char req[1024];
	struct store_capture_result r;
	struct store_capture c = {0};
	int rc;

	snprintf(req, sizeof(req),
	         "%s %s HTTP/1.1\r\nHost: sample.gov.cn\r\n"
	         "Accept-Encoding: gzip\r\n%s\r\n",
	         method, strchr(url + 8, '/') ? strchr(url + 8, '/') : "/",
	         strcmp(method, "POST") == 0
	             ? "Content-Type: application/x-www-form-urlencoded\r\n"
	             : "");
	c.url = url;
	c.ip = "127.0.0.1";
	c.date = date;
	c.req_headers = req;
	c.req_headers_len = strlen(req);
	if (strcmp(method, "POST") == 0) {
		c.req_body = "page=2&size=20";
		c.req_body_len = 14;
	}
	c.resp_headers = resp;
	c.resp_headers_len = strlen(resp);
	c.payload = body;
	c.payload_len = blen;
	c.flags = flags;
	rc = store_capture_append(st, &c, &r);
	if (rc != 0)
		fprintf(stdout, "capture %s: %s\n", url, nb_strerror(rc));
	return rc;
}

int
main(int argc, char *argv[])
{
	struct store_opts o = {64 << 10, 0, NULL, "nianbao-test/1"};
	struct store *st = NULL;
	const char *html = "HTTP/1.1 200 OK\r\n"
	                   "Content-Type: text/html; charset=utf-8\r\n\r\n";
	const char *gz = "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n"
	                 "Transfer-Encoding: chunked\r\n"
	                 "Content-Encoding: gzip\r\n\r\n";
	const char *h2 = "HTTP/2 200\r\ncontent-type: text/plain\r\n\r\n";
	const char *nm = "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n";
	const char *notype = "HTTP/1.1 404 Not Found\r\n\r\n";
	int64_t t;
	char *big;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: store_sample DIR\n");
		return 2;
	}
	log_init("store_sample", 0);
	if (store_open(argv[1], STORE_RDWR | STORE_CREATE, &o, &st) != 0)
		return 1;
	nb_time_parse("2024-03-01T08:00:00Z", &t);
	/* 200 KiB of noise: rolls the 64 KiB files */
	big = malloc(200 << 10);
	for (size_t i = 0, x = 1; i < 200 << 10; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		big[i] = (char)(x >> 56);
	}
	rc |= cap(st, "http://www.sample.gov.cn/zfxxgk/index.html", "GET", html,
	          "http://www.sample.gov.cn/zfxxgk/index.html v1", 45, 0, t);
	rc |= cap(st, "https://sample.gov.cn:443/A/report.pdf?b=2&a=1", "GET",
	          gz, "%PDF-1.4 decoded", 16, STORE_CAP_DECODED, t + 1000);
	rc |= cap(st, "http://sample.gov.cn/big.bin", "GET", html, big,
	          200 << 10, 0, t + 2000);
	rc |= cap(st, "http://sample.gov.cn/queryList", "POST", h2,
	          "{\"rows\":[]}", 11, 0, t + 3000);
	rc |= cap(st, "http://sample.gov.cn/missing", "GET", notype, "", 0, 0,
	          t + 4000);
	rc |= cap(st, "http://sample.gov.cn/%E5%B9%B4%E6%8A%A5.html", "GET",
	          html, "年报", strlen("年报"), 0, t + 5000);
	/* a later capture with the same payload: identical-payload revisit */
	rc |= cap(st, "http://www.sample.gov.cn/zfxxgk/index.html", "GET", html,
	          "http://www.sample.gov.cn/zfxxgk/index.html v1", 45,
	          STORE_CAP_DEDUP, t + 86400000);
	/* 304 to the conditional request: server-not-modified revisit */
	rc |= cap(st, "https://sample.gov.cn:443/A/report.pdf?b=2&a=1", "GET",
	          nm, NULL, 0, 0, t + 86401000);
	/* changed content */
	rc |= cap(st, "http://www.sample.gov.cn/zfxxgk/index.html", "GET", html,
	          "http://www.sample.gov.cn/zfxxgk/index.html v2", 45,
	          STORE_CAP_DEDUP, t + 2 * 86400000LL);
	rc |= cap(st, "http://sample.gov.cn/truncated", "GET", html, big,
	          100 << 10, STORE_CAP_TRUNCATED, t + 2 * 86400000LL + 1);
	free(big);
	store_close(st);
	return rc ? 1 : 0;
}
