/*
 * test_crawl - nianbaod against the fixture site, end to end.
 *
 * Each test starts nb-fixture on a free 127.0.0.1 port, writes a
 * configuration for the sites of its manifest, runs nianbaod --once (or
 * kills it), and then judges the crawl three ways: the fixture's own record
 * of what it was asked (per-host concurrency, gaps, robots, Retry-After,
 * conditional requests, the request log), the archive as the store reads
 * it (reports, events, captures), and the manifest's ground truth.
 *
 * Arguments: the nb-fixture and nianbaod binaries, and the config/ dir.
 */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "fxclient.h"
#include "nb.h"
#include "nbtime.h"
#include "store.h"

static const char *fixture_bin, *daemon_bin, *confdir;

struct env {
	struct fxc fx;
	json_t *manifest;
	char dir[64];   /* temporary directory */
	char data[128]; /* data_dir */
	char cfg[128];
	char log[128]; /* stderr of the last run */
	char out[128]; /* stdout of the last run */
};

static void
rm_rf(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int
env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return -1;
	*state = e;
	return 0;
}

/* Whatever a test leaves behind, even when it failed half-way. */
static int
env_teardown(void **state)
{
	struct env *e = *state;

	json_decref(e->manifest);
	if (e->fx.pid > 0)
		fxc_stop(&e->fx);
	if (e->dir[0] != '\0' && getenv("NB_KEEP") == NULL)
		rm_rf(e->dir);
	free(e);
	return 0;
}

static void
env_up(struct env *e, const char *const *args)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/nb-crawl-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->data, sizeof(e->data), "%s/data", e->dir);
	snprintf(e->cfg, sizeof(e->cfg), "%s/nianbao.ini", e->dir);
	snprintf(e->log, sizeof(e->log), "%s/stderr", e->dir);
	snprintf(e->out, sizeof(e->out), "%s/stdout", e->dir);
	assert_int_equal(fxc_start(&e->fx, fixture_bin, args), 0);
	e->manifest = fxc_json(&e->fx, "GET", "/__fixture/manifest");
	assert_non_null(e->manifest);
}

/*
 * The configuration: every site of the manifest (or only those named in
 * `only', blank-separated), the fixture pinned for every host name, and
 * extra [crawl] lines.
 */
static void
write_config(struct env *e, const char *only, const char *crawl_extra)
{
	FILE *fp = fopen(e->cfg, "w");
	json_t *sites = json_object_get(e->manifest, "sites"), *s;
	size_t i;

	static const char *const defaults[] = {
	    "delay = 0s", "per_host = 3", "concurrency = 12", "timeout = 10s",
	    "allow_private = yes"};

	assert_non_null(fp);
	fprintf(fp,
	        "[nianbao]\ndata_dir = %s\naliases = %s/aliases.conf\n"
	        "[crawl]\nresolve = *:%d:127.0.0.1\n%s\n",
	        e->data, confdir, e->fx.port, crawl_extra ? crawl_extra : "");
	/* the test's own [crawl] lines win over these */
	for (i = 0; i < NB_NELEM(defaults); i++) {
		size_t kl = strcspn(defaults[i], " ");
		const char *x = crawl_extra;
		int overridden = 0;

		while (x != NULL && *x) {
			overridden |=
			    strncmp(x, defaults[i], kl) == 0 && x[kl] == ' ';
			x = strchr(x, '\n');
			x = x != NULL ? x + 1 : NULL;
		}
		if (!overridden)
			fprintf(fp, "%s\n", defaults[i]);
	}
	json_array_foreach(sites, i, s)
	{
		const char *id = json_string_value(json_object_get(s, "id"));
		json_t *allow = json_object_get(s, "allow"), *a;
		size_t j;

		if (json_is_true(json_object_get(s, "bench")))
			continue;
		if (only != NULL && strstr(only, id) == NULL)
			continue;
		fprintf(fp, "[site %s]\nname = %s\nstart = %s\nallow =", id,
		        json_string_value(json_object_get(s, "name")),
		        json_string_value(json_object_get(s, "start")));
		json_array_foreach(allow, j, a)
		    fprintf(fp, " %s", json_string_value(a));
		fputc('\n', fp);
	}
	fclose(fp);
}

/* The daemon's stderr, every run of the test so far: for a failure. */
static void
print_log(const struct env *e)
{
	char line[1024];
	FILE *fp = fopen(e->log, "r");

	if (fp == NULL)
		return;
	print_message("--- nianbaod's stderr (%s):\n", e->log);
	while (fgets(line, sizeof(line), fp) != NULL)
		print_message("%s", line);
	print_message("---\n");
	fclose(fp);
}

/*
 * nianbaod --once; returns its exit status, or -1 when kill_after_ms
 * (>= 0) passed first and it was killed with SIGKILL.
 */
static int
run_daemon(struct env *e, int timeout_s, int kill_after_ms)
{
	pid_t pid;
	int status;
	int64_t t0 = nb_mono_ms();

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(e->out, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int l = open(e->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (o < 0 || l < 0)
			_exit(126);
		dup2(o, 1);
		dup2(l, 2);
		execl(daemon_bin, daemon_bin, "--once", "-f", e->cfg,
		      (char *)NULL);
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		int64_t waited = nb_mono_ms() - t0;

		if (r == pid)
			break;
		if (kill_after_ms >= 0 && waited >= kill_after_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		if (waited > timeout_s * 1000L) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			print_log(e);
			fail_msg("nianbaod did not finish in %d s", timeout_s);
		}
		usleep(1000);
	}
	if (WIFSIGNALED(status)) {
		print_log(e);
		fail_msg("nianbaod died of signal %d", WTERMSIG(status));
	}
	return WEXITSTATUS(status);
}

/* ---- the archive, read back ---- */

static struct store *
open_store(const struct env *e)
{
	struct store *st = NULL;

	assert_int_equal(store_open(e->data, STORE_RDONLY, NULL, &st), 0);
	return st;
}

static int
report_cb(const struct store_report *r, void *arg)
{
	char key[512], sha[STORE_B32_LEN + 1];

	json_t *rec = json_loadb(r->json, r->json_len, 0, NULL);
	const char *pub = json_string_value(
	    json_object_get(json_object_get(rec, "source"), "published"));

	snprintf(key, sizeof(key), "%s|%d", r->agency, r->year);
	store_sha1_b32(r->record_sha1, sha);
	json_object_set_new(
	    arg, key,
	    json_pack("{s:s,s:s,s:i,s:s?,s:b}", "url", r->url, "record", sha,
	              "versions", (int)r->nversions, "published", pub,
	              "unparsed",
	              json_is_string(json_object_get(rec, "unparsed"))));
	json_decref(rec);
	return 0;
}

/* {"agency|year": {url, record, versions, published, unparsed}} */
static json_t *
read_reports(const struct env *e)
{
	struct store *st = open_store(e);
	struct store_report_filter f = {0};
	struct store_txn *txn;
	json_t *out = json_object();

	assert_int_equal(store_read_begin(st, &txn), 0);
	assert_int_equal(store_report_iter(txn, &f, STORE_JSON, report_cb, out),
	                 0);
	store_read_end(txn);
	store_close(st);
	return out;
}

static int
event_cb(const struct store_event *ev, void *arg)
{
	json_array_append_new(
	    arg,
	    json_pack("{s:I,s:s,s:s,s:i,s:s,s:s}", "seq", (json_int_t)ev->seq,
	              "type", store_event_name(ev->type), "agency", ev->agency,
	              "year", ev->year, "url", ev->url, "detail", ev->detail));
	return 0;
}

static json_t *
read_events(const struct env *e, uint64_t since)
{
	struct store *st = open_store(e);
	struct store_txn *txn;
	json_t *out = json_array();

	assert_int_equal(store_read_begin(st, &txn), 0);
	assert_int_equal(store_event_iter(txn, since, event_cb, out), 0);
	store_read_end(txn);
	store_close(st);
	return out;
}

static uint64_t
last_event(const struct env *e)
{
	struct store *st = open_store(e);
	struct store_txn *txn;
	uint64_t seq = 0;

	assert_int_equal(store_read_begin(st, &txn), 0);
	assert_int_equal(store_event_last(txn, &seq), 0);
	store_read_end(txn);
	store_close(st);
	return seq;
}

struct capctx {
	json_t *out;
	struct store *st;
	const char *marker; /* payloads must not contain it, or NULL */
	int64_t since;
};

static int
cdx_cb(const struct store_cdx *c, void *arg)
{
	struct capctx *x = arg;
	char sha[STORE_B32_LEN + 1];

	if (c->date < x->since)
		return 0;
	store_sha1_b32(c->payload_sha1, sha);
	json_array_append_new(
	    x->out,
	    json_pack("{s:s,s:s,s:i,s:s,s:I}", "url", c->url, "type",
	              c->type == STORE_REC_REVISIT ? "revisit" : "response",
	              "status", c->status, "digest", sha, "length",
	              (json_int_t)c->loc.length));
	if (x->marker != NULL && c->type == STORE_REC_RESPONSE) {
		struct store_record rec;

		assert_int_equal(store_record_read(x->st, &c->loc, &rec), 0);
		if (rec.payload_len > 0 &&
		    memmem(rec.payload, rec.payload_len, x->marker,
		           strlen(x->marker)) != NULL)
			fail_msg("a challenge page was archived: %s", c->url);
		store_record_free(&rec);
	}
	return 0;
}

/* every capture made at or after `since' (ms) */
static json_t *
read_captures(const struct env *e, int64_t since, const char *marker)
{
	struct capctx x = {json_array(), open_store(e), marker, since};
	struct store_txn *txn;

	assert_int_equal(store_read_begin(x.st, &txn), 0);
	assert_int_equal(store_cdx_iter(txn, cdx_cb, &x), 0);
	store_read_end(txn);
	store_close(x.st);
	return x.out;
}

static size_t
count_events(json_t *evs, const char *type)
{
	json_t *ev;
	size_t i, n = 0;

	json_array_foreach(evs, i, ev) n +=
	    strcmp(json_string_value(json_object_get(ev, "type")), type) == 0;
	return n;
}

/*
 * Recall: every report of the manifest's sites in `only' (NULL: all) is
 * in the archive under its canonical agency and year with the publication
 * date the site first showed (a report republished at a second URL keeps
 * the first date); a report that is only an image is there too, as an
 * unparsed record, and has a parse-failed event naming its URL.
 */
static void
assert_recall(struct env *e, const char *only)
{
	json_t *have = read_reports(e), *evs = read_events(e, 0);
	json_t *reports = json_object_get(e->manifest, "reports"), *r;
	size_t i, n = 0, missing = 0;

	json_array_foreach(reports, i, r)
	{
		const char *site =
		    json_string_value(json_object_get(r, "site"));
		const char *want, *pub;
		json_t *got;
		char key[512];

		if (only != NULL && strstr(only, site) == NULL)
			continue;
		n++;
		if (json_is_true(json_object_get(r, "image_only"))) {
			json_t *ev, *docs = json_object_get(r, "documents"), *d;
			size_t j, k;
			int found = 0;

			json_array_foreach(evs, j, ev)
			{
				const char *u = json_string_value(
				    json_object_get(ev, "url"));

				if (strcmp(json_string_value(
				               json_object_get(ev, "type")),
				           "parse-failed") != 0)
					continue;
				found |=
				    strcmp(u, json_string_value(json_object_get(
				                  r, "url"))) == 0;
				json_array_foreach(docs, k, d) found |=
				    strcmp(u, json_string_value(json_object_get(
				                  d, "url"))) == 0;
			}
			if (!found) {
				print_message("image-only report not listed as "
				              "unparsed: %s\n",
				              json_string_value(
				                  json_object_get(r, "url")));
				missing++;
			}
		}
		snprintf(key, sizeof(key), "%s|%d",
		         json_string_value(json_object_get(r, "agency")),
		         (int)json_integer_value(json_object_get(r, "year")));
		if ((got = json_object_get(have, key)) == NULL) {
			print_message(
			    "missing: %s %s\n", key,
			    json_string_value(json_object_get(r, "url")));
			missing++;
			continue;
		}
		/* the publication date the site shows, whatever the format */
		want = json_string_value(json_object_get(r, "published"));
		pub = json_string_value(json_object_get(got, "published"));
		if (pub == NULL || strcmp(pub, want) != 0) {
			print_message("%s: published %s, want %s\n", key,
			              pub ? pub : "(none)", want);
			missing++;
		}
		if (json_is_true(json_object_get(got, "unparsed")) !=
		    json_is_true(json_object_get(r, "image_only"))) {
			print_message(
			    "%s: unparsed %d, image-only %d\n", key,
			    json_is_true(json_object_get(got, "unparsed")),
			    json_is_true(json_object_get(r, "image_only")));
			missing++;
		}
	}
	json_decref(have);
	json_decref(evs);
	assert_true(n > 0);
	if (missing > 0)
		fail_msg("recall: %zu of %zu reports missing", missing, n);
}

/* What the fixture saw: hosts asked, limits, robots, Retry-After. */
static json_t *
assert_polite(struct env *e, int per_host, double min_gap_ms)
{
	json_t *st = fxc_json(&e->fx, "GET", "/__fixture/stats?log=1");
	json_t *hosts = json_object_get(st, "hosts"), *h;
	json_t *sites = json_object_get(e->manifest, "sites"), *s;
	const char *name;
	size_t i;

	assert_non_null(st);
	json_object_foreach(hosts, name, h)
	{
		int allowed = 0;

		json_array_foreach(sites, i, s)
		{
			json_t *allow = json_object_get(s, "allow"), *a;
			size_t j;

			json_array_foreach(allow, j, a) allowed |=
			    strcmp(json_string_value(a), name) == 0;
		}
		if (!allowed)
			fail_msg("host %s is not on any allow-list but was "
			         "asked %lld times",
			         name,
			         (long long)json_integer_value(
			             json_object_get(h, "requests")));
		if (json_integer_value(json_object_get(h, "max_concurrent")) >
		    per_host)
			fail_msg("%s: %lld connections at once, limit %d", name,
			         (long long)json_integer_value(
			             json_object_get(h, "max_concurrent")),
			         per_host);
		if (json_integer_value(json_object_get(h, "disallowed")) != 0)
			fail_msg("%s: asked for what robots.txt disallows",
			         name);
		if (json_integer_value(
		        json_object_get(h, "retry_after_violations")) != 0)
			fail_msg("%s: came back before Retry-After (%lld "
			         "times, at worst %.3f ms early)",
			         name,
			         (long long)json_integer_value(json_object_get(
			             h, "retry_after_violations")),
			         json_number_value(json_object_get(
			             h, "retry_after_early_ms")));
		if (min_gap_ms > 0 &&
		    json_is_number(json_object_get(h, "min_gap_ms")) &&
		    json_number_value(json_object_get(h, "min_gap_ms")) <
		        min_gap_ms)
			fail_msg(
			    "%s: requests %.1f ms apart, delay %.0f ms", name,
			    json_number_value(json_object_get(h, "min_gap_ms")),
			    min_gap_ms);
	}
	return st;
}

static int
log_has(const struct env *e, const char *needle)
{
	char buf[4096];
	FILE *fp = fopen(e->log, "r");
	int found = 0;

	if (fp == NULL)
		return 0;
	while (!found && fgets(buf, sizeof(buf), fp) != NULL)
		found = strstr(buf, needle) != NULL;
	fclose(fp);
	return found;
}

/* ---- the tests ---- */

/*
 * A full crawl with the planted hazards on: robots.txt, calendar trap,
 * broken links, redirect loop, redirects off the allow-list and to
 * 127.0.0.1, spam mirror links, wrong Content-Types.
 */
static void
test_full_crawl(void **state)
{
	struct env *e = *state;
	json_t *st, *log, *ent, *evs;
	size_t i, trap = 0;

	env_up(e, NULL);
	write_config(e, NULL, NULL);
	assert_int_equal(run_daemon(e, 300, -1), 0);
	assert_recall(e, NULL);

	st = assert_polite(e, 3, 0);
	log = json_object_get(st, "log");
	json_array_foreach(log, i, ent)
	{
		const char *uri =
		    json_string_value(json_object_get(ent, "uri"));

		trap += strstr(uri, "/rili/") != NULL;
	}
	/* the calendar is cut off, not walked */
	assert_true(trap < 40);
	json_decref(st);
	evs = read_events(e, 0);
	assert_true(count_events(evs, "new") >= 500);
	json_decref(evs);
}

/* delay and robots.txt Crawl-delay: gaps between starts on one host */
static void
test_politeness(void **state)
{
	const char *args[] = {"--set", "gaoan:crawl_delay=1", NULL};
	struct env *e = *state;
	json_t *st;

	env_up(e, args);
	write_config(e, "zhangshu gaoan",
	             "delay = 150ms\nper_host = 2\npage_budget = 6");
	assert_int_equal(run_daemon(e, 120, -1), 0);
	st = assert_polite(e, 2, 140);
	/* Crawl-delay: 1 is larger than ours and wins on that host */
	assert_true(json_number_value(json_object_get(
	                json_object_get(json_object_get(st, "hosts"),
	                                "www.gaoan.gov.cn.test"),
	                "min_gap_ms")) >= 990);
	json_decref(st);
	assert_true(log_has(e, "page budget of 6 reached"));
}

/* a report, a .docx or a .pdf: what is fetched conditionally */
static int
is_report_uri(json_t *manifest, const char *host, const char *uri)
{
	json_t *reports = json_object_get(manifest, "reports"), *r;
	char url[1024];
	size_t i;

	snprintf(
	    url, sizeof(url), "http://%s:%lld%s", host,
	    (long long)json_integer_value(json_object_get(manifest, "port")),
	    uri);
	json_array_foreach(reports, i, r)
	{
		json_t *urls = json_object_get(r, "urls"), *docs, *u;
		size_t j;

		json_array_foreach(urls, j, u) if (strcmp(json_string_value(u),
		                                          url) == 0) return 1;
		docs = json_object_get(r, "documents");
		json_array_foreach(
		    docs, j,
		    u) if (strcmp(json_string_value(json_object_get(u, "url")),
		                  url) == 0) return 1;
	}
	return 0;
}

/*
 * Re-crawls: the second with nothing changed asks for known reports only
 * conditionally and archives only revisits; after the fixture posts one
 * report and edits another, the third records exactly one "new" and one
 * "changed".
 */
static void
test_recrawl(void **state)
{
	const char *args[] = {"--years", "2023-2025", NULL};
	const char *sites = NULL; /* the time control picks any site */
	struct env *e = *state;
	json_t *st, *log, *ent, *caps, *cap, *evs, *adv, *ev;
	int64_t t2;
	uint64_t seq;
	size_t i, reports = 0;

	env_up(e, args);
	write_config(e, sites, "recrawl = 1s\nrecrawl_reports = 1s");
	assert_int_equal(run_daemon(e, 300, -1), 0);
	assert_recall(e, sites);

	usleep(1200 * 1000);
	json_decref(fxc_json(&e->fx, "POST", "/__fixture/stats/reset"));
	t2 = nb_now_ms();
	assert_int_equal(run_daemon(e, 300, -1), 0);
	st = assert_polite(e, 3, 0);
	log = json_object_get(st, "log");
	json_array_foreach(log, i, ent)
	{
		const char *uri =
		    json_string_value(json_object_get(ent, "uri"));
		const char *host =
		    json_string_value(json_object_get(ent, "host"));

		if (!is_report_uri(e->manifest, host, uri))
			continue;
		reports++;
		if (json_is_null(json_object_get(ent, "cond")))
			fail_msg("unconditional request for a known report: %s",
			         uri);
	}
	assert_true(reports > 50);
	json_decref(st);
	caps = read_captures(e, t2, NULL);
	assert_true(json_array_size(caps) > 0);
	json_array_foreach(
	    caps, i,
	    cap) if (strcmp(json_string_value(json_object_get(cap, "type")),
	                    "revisit") != 0)
	    fail_msg("second crawl archived %s again",
	             json_string_value(json_object_get(cap, "url")));
	json_decref(caps);

	seq = last_event(e);
	adv = fxc_json(&e->fx, "POST", "/__fixture/advance");
	assert_non_null(adv);
	assert_true(json_is_object(json_object_get(adv, "new")));
	assert_true(json_is_object(json_object_get(adv, "changed")));
	usleep(1200 * 1000);
	assert_int_equal(run_daemon(e, 300, -1), 0);
	evs = read_events(e, seq);
	assert_int_equal(count_events(evs, "new"), 1);
	assert_int_equal(count_events(evs, "changed"), 1);
	json_array_foreach(evs, i, ev)
	{
		const char *type =
		    json_string_value(json_object_get(ev, "type"));
		json_t *want;

		if (strcmp(type, "new") == 0)
			want = json_object_get(adv, "new");
		else if (strcmp(type, "changed") == 0)
			want = json_object_get(adv, "changed");
		else
			continue;
		assert_string_equal(
		    json_string_value(json_object_get(ev, "agency")),
		    json_string_value(json_object_get(want, "agency")));
		assert_int_equal(
		    json_integer_value(json_object_get(ev, "year")),
		    json_integer_value(json_object_get(want, "year")));
	}
	json_decref(evs);
	json_decref(adv);
}

/*
 * Faults that pass: 429 and 503 with Retry-After, truncated bodies, a
 * 200 MB attachment, a JS challenge on every 9th request (recorded as
 * "blocked", never archived); the crawl completes with every report.
 */
static void
test_faults(void **state)
{
	const char *args[] = {"--years", "2025-2025",
	                      "--set",   "zhangshu:status429=10",
	                      "--set",   "gaoan:status503=8",
	                      "--set",   "*:retry_after=1",
	                      "--set",   "ruijin:truncate=3",
	                      "--set",   "fengcheng:huge=1",
	                      "--set",   "fengcheng:challenge=9",
	                      NULL};
	struct env *e = *state;
	json_t *st, *hosts, *caps, *cap, *evs;
	size_t i;

	env_up(e, args);
	/* one connection a host: a request already on the wire when the 429
	 * comes back would count against Retry-After */
	write_config(e, NULL, "max_body = 8M\nretries = 6\nper_host = 1");
	assert_int_equal(run_daemon(e, 300, -1), 0);
	assert_recall(e, NULL);
	st = assert_polite(e, 1, 0);
	hosts = json_object_get(st, "hosts");
	assert_true(json_integer_value(json_object_get(
	                json_object_get(
	                    json_object_get(hosts, "www.zhangshu.gov.cn.test"),
	                    "status"),
	                "429")) > 0);
	assert_true(
	    json_integer_value(json_object_get(
	        json_object_get(json_object_get(hosts, "www.gaoan.gov.cn.test"),
	                        "status"),
	        "503")) > 0);
	assert_true(json_integer_value(json_object_get(
	                json_object_get(hosts, "www.ruijin.gov.cn.test"),
	                "truncated")) > 0);
	assert_true(json_integer_value(json_object_get(
	                json_object_get(hosts, "www.jxfc.gov.cn.test"),
	                "challenges")) > 0);
	json_decref(st);
	evs = read_events(e, 0);
	assert_true(count_events(evs, "blocked") >= 1);
	json_decref(evs);
	/* nothing over max_body was kept, and no challenge page */
	caps = read_captures(e, 0, "max-age=3600;path=/';location.href");
	json_array_foreach(caps, i, cap) assert_true(
	    json_integer_value(json_object_get(cap, "length")) < 9 << 20);
	json_decref(caps);
	assert_true(log_has(e, "larger than max_body"));
}

/*
 * A host that only times out is parked and reported; the other sites are
 * crawled in full and --once says which site failed.
 */
static void
test_timeouts(void **state)
{
	const char *args[] = {"--years", "2025-2025", "--set",
	                      "gaoan:delay_ms=2500", NULL};
	struct env *e = *state;
	char buf[256];
	FILE *fp;
	int failed_line = 0;

	env_up(e, args);
	write_config(e, "zhangshu gaoan", "timeout = 1s\nretries = 1");
	assert_int_equal(run_daemon(e, 200, -1), 1);
	assert_recall(e, "zhangshu");
	fp = fopen(e->out, "r");
	assert_non_null(fp);
	while (fgets(buf, sizeof(buf), fp) != NULL)
		failed_line |= strncmp(buf, "gaoan", 5) == 0 &&
		               strstr(buf, "FAILED") != NULL;
	fclose(fp);
	assert_true(failed_line);
}

static int
capture_key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted "url digest" of every capture, one per URL and digest */
static char **
capture_set(json_t *caps, size_t *n, size_t *dup_responses)
{
	char **v = calloc(json_array_size(caps) + 1, sizeof(*v));
	json_t *c;
	size_t i, k = 0;

	*dup_responses = 0;
	json_array_foreach(caps, i, c)
	{
		assert_true(
		    asprintf(&v[k++], "%s %s %s",
		             json_string_value(json_object_get(c, "url")),
		             json_string_value(json_object_get(c, "digest")),
		             json_string_value(json_object_get(c, "type"))) >
		    0);
	}
	qsort(v, k, sizeof(*v), capture_key_cmp);
	/* a URL archived twice with the same payload as a full response */
	for (i = 1; i < k; i++)
		if (strcmp(v[i], v[i - 1]) == 0 &&
		    strstr(v[i], " response") != NULL)
			(*dup_responses)++;
	for (i = 0; i < k; i++)
		*strrchr(v[i], ' ') = '\0';
	/* unique url+digest */
	{
		size_t w = 0;

		for (i = 0; i < k; i++) {
			if (w > 0 && strcmp(v[w - 1], v[i]) == 0) {
				free(v[i]);
				continue;
			}
			v[w++] = v[i];
		}
		k = w;
	}
	*n = k;
	return v;
}

/*
 * Kill test: the crawl measured uninterrupted, then the same work crawled
 * again from nothing and SIGKILLed at random moments within it (uniform in
 * d/60..d/25 of its duration d, so each run gets part of the way), at
 * least KILLS_MIN times, restarted each time.  The final archive equals
 * the uninterrupted one: same reports and records, one version each, the
 * same URLs with the same payloads, no duplicate full responses, and no
 * more revisits than the captures that can be waiting for the commit when
 * a kill lands.  The fixture answers LATENCY_MS late, so that the crawl
 * lasts long enough to be killed at many points of it.
 */
#define KILLS_MIN  20
#define KILLS_MAX  400 /* then it is let finish: the test fails below */
#define LATENCY_MS "20"
#define KILL_CHECK(e, cond, ...)                                               \
	do {                                                                   \
		if (!(cond)) {                                                 \
			print_log(e);                                          \
			fail_msg(__VA_ARGS__);                                 \
		}                                                              \
	} while (0)

static void
test_kill(void **state)
{
	const char *args[] = {"--years", "2019-2025", "--latency-ms",
	                      LATENCY_MS, NULL};
	struct env *e = *state;
	json_t *ra, *rb, *ca, *cb;
	char **sa, **sb;
	size_t na, nb, dup_a, dup_b, kills = 0;
	const char *key;
	json_t *v;
	int64_t t0, d;
	int rc = -1, lo, hi;

	env_up(e, args);
	/* the uninterrupted crawl */
	write_config(e, NULL, NULL);
	t0 = nb_mono_ms();
	KILL_CHECK(e, (rc = run_daemon(e, 300, -1)) == 0,
	           "the uninterrupted crawl exited %d", rc);
	d = nb_mono_ms() - t0;
	ra = read_reports(e);
	ca = read_captures(e, 0, NULL);

	/* the same work, killed again and again */
	snprintf(e->data, sizeof(e->data), "%s/data-killed", e->dir);
	write_config(e, NULL, NULL);
	lo = (int)(d / 60);
	hi = (int)(d / 25);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	while (kills < KILLS_MAX &&
	       (rc = run_daemon(e, 300, lo + rand() % (hi - lo + 1))) == -1)
		kills++;
	/* finished before the kill, or enough: the last run completes it */
	KILL_CHECK(e, rc == -1 || rc == 0, "a killed crawl's restart exited %d",
	           rc);
	KILL_CHECK(e, (rc = run_daemon(e, 300, -1)) == 0,
	           "the crawl after the kills exited %d", rc);
	print_message("crawl %lld ms; killed %zu times at %d..%d ms\n",
	              (long long)d, kills, lo, hi);
	KILL_CHECK(e, kills >= KILLS_MIN,
	           "killed only %zu times: the crawl (%lld ms) was over first",
	           kills, (long long)d);
	KILL_CHECK(e, kills < KILLS_MAX,
	           "%zu kills and not done: a restart makes no progress",
	           kills);
	rb = read_reports(e);
	cb = read_captures(e, 0, NULL);

	KILL_CHECK(e, json_object_size(ra) == json_object_size(rb),
	           "%zu reports uninterrupted, %zu after the kills",
	           json_object_size(ra), json_object_size(rb));
	json_object_foreach(ra, key, v)
	{
		json_t *w = json_object_get(rb, key);

		KILL_CHECK(e, w != NULL, "report %s missing after the kills",
		           key);
		KILL_CHECK(
		    e,
		    strcmp(json_string_value(json_object_get(v, "record")),
		           json_string_value(json_object_get(w, "record"))) ==
		        0,
		    "report %s: another record after the kills", key);
		KILL_CHECK(
		    e, json_integer_value(json_object_get(w, "versions")) == 1,
		    "report %s: %lld versions after the kills", key,
		    (long long)json_integer_value(
		        json_object_get(w, "versions")));
	}
	sa = capture_set(ca, &na, &dup_a);
	sb = capture_set(cb, &nb, &dup_b);
	KILL_CHECK(e, dup_a == 0, "%zu duplicate responses uninterrupted",
	           dup_a);
	KILL_CHECK(e, dup_b == 0, "%zu duplicate responses after the kills",
	           dup_b);
	for (size_t i = 0; i < na || i < nb; i++)
		KILL_CHECK(e, i < na && i < nb && strcmp(sa[i], sb[i]) == 0,
		           "captures differ at %zu: %s / %s", i,
		           i < na ? sa[i] : "-", i < nb ? sb[i] : "-");
	/*
	 * In-flight re-fetches are revisits, bounded by the captures waiting
	 * for the group commit when each kill lands: fewer than twice the
	 * concurrency (12), see crawler/crawl.c.
	 */
	KILL_CHECK(e, json_array_size(cb) <= json_array_size(ca) + kills * 23,
	           "%zu captures after %zu kills, %zu uninterrupted",
	           json_array_size(cb), kills, json_array_size(ca));
	for (size_t i = 0; i < na; i++)
		free(sa[i]);
	for (size_t i = 0; i < nb; i++)
		free(sb[i]);
	free(sa);
	free(sb);
	json_decref(ra);
	json_decref(rb);
	json_decref(ca);
	json_decref(cb);
}

int
main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
	    T(test_full_crawl), T(test_politeness), T(test_recrawl),
	    T(test_faults),     T(test_timeouts),   T(test_kill),
#undef T
	};

	if (argc != 4) {
		fprintf(stderr,
		        "usage: test_crawl NB-FIXTURE NIANBAOD CONFDIR\n");
		return 2;
	}
	fixture_bin = argv[1];
	daemon_bin = argv[2];
	confdir = argv[3];
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* NB_TEST=test_kill runs one test (while working on it) */
	if (getenv("NB_TEST") != NULL)
		cmocka_set_test_filter(getenv("NB_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
