/*
 * nb-frontier-fill DATA_DIR N SITE HOST... - put N URLs into the frontier
 * of the archive in DATA_DIR, spread over the hosts, due in 30 days: the
 * crawl benchmark measures nianbaod's memory with a frontier that large.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nbtime.h"
#include "store.h"

struct fill {
	char **sites, **hosts;
	int nhosts;
	long from, to;
	int64_t due;
};

static int
fill_fn(struct store_txn *txn, void *arg)
{
	const struct fill *f = arg;
	/* the crawler's frontier blob: version 1, flags, depth 1, no strings */
	static const unsigned char blob[] = {
	    0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	char url[256];
	int rc;

	for (long i = f->from; i < f->to; i++) {
		struct store_frontier_item it = {0};
		int h = (int)(i % f->nhosts);

		snprintf(url, sizeof(url), "http://%s/fill/%08ld.html",
		         f->hosts[h], i);
		it.url = url;
		it.site = f->sites[h];
		it.host = f->hosts[h];
		it.due = f->due;
		it.prio = 50;
		it.blob = blob;
		it.blob_len = sizeof(blob);
		if ((rc = store_frontier_push(txn, &it)) != 0)
			return rc;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct store *st;
	struct fill f = {0};
	long n;
	int rc;

	log_init("nb-frontier-fill", 0);
	if (argc < 5 || (argc - 3) % 2 != 0) {
		fprintf(stdout, "usage: nb-frontier-fill DATA_DIR N SITE HOST "
		                "[SITE HOST]...\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	f.nhosts = (argc - 3) / 2;
	f.sites = calloc((size_t)f.nhosts, sizeof(char *));
	f.hosts = calloc((size_t)f.nhosts, sizeof(char *));
	if (f.sites == NULL || f.hosts == NULL)
		return 1;
	for (int i = 0; i < f.nhosts; i++) {
		f.sites[i] = argv[3 + 2 * i];
		f.hosts[i] = argv[4 + 2 * i];
	}
	f.due = nb_now_ms() + 30LL * 86400 * 1000;
	if ((rc = store_open(argv[1], STORE_RDWR | STORE_CREATE | STORE_NOSYNC,
	                     NULL, &st)) != 0)
		return 1;
	for (long i = 0; i < n && rc == 0; i += 100000) {
		f.from = i;
		f.to = i + 100000 < n ? i + 100000 : n;
		rc = store_write(st, fill_fn, &f);
	}
	if (rc == 0)
		rc = store_sync(st);
	store_close(st);
	free(f.sites);
	free(f.hosts);
	if (rc != 0) {
		log_warnx("%s: %s", argv[1], nb_strerror(rc));
		return 1;
	}
	return 0;
}
