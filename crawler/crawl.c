/*
 * crawl.c - the engine, in the shape of curl's hiperfifo: three structs
 * (struct crawl = GlobalInfo, struct fetch = ConnInfo, struct sock =
 * SockInfo) and five callbacks (sock_cb and multi_timer_cb called by curl,
 * event_cb and timer_cb called by libevent, dispatch_cb handing out work
 * when hosts are ready).
 *
 * Memory stays per host, never per URL: the frontier and what is known of
 * each URL live in the store (LMDB).  Every URL ever fetched stays in the
 * frontier, due again at its next re-crawl, so a pass is "everything due
 * now" and a restart after kill -9 resumes exactly where the index says.
 * Each host keeps a short queue of its next due items, taken from the store
 * by a range scan on its frontier keys (store_frontier_due); an item taken
 * stays in the frontier as it was until its outcome is committed, and the
 * set of taken keys keeps it from being taken twice.
 *
 * A finished transfer is read (links, records) by a worker thread, then
 * archived and its outcome queued for the group commit: every BATCH_MS, or
 * once `concurrency' outcomes wait, one store_write commits them all, after
 * one fdatasync of the WARC file for all their captures.  So the index never
 * refers to a record that is not on disk, and a kill -9 loses only what is
 * in flight: transfers, pages being read and outcomes waiting for the
 * commit.  The next run fetches them again; of these, only the captures
 * waiting for the commit are already in a WARC file, and come back as
 * revisits: fewer than twice `concurrency' (the batch is committed once
 * `concurrency' wait, and one turn of the loop can add what the workers and
 * transfers finished meanwhile, at most `concurrency' more).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <libxml/parser.h>

#include "buf.h"
#include "charset.h"
#include "crawl.h"
#include "crawler.h"
#include "indexer.h"
#include "log.h"
#include "nbtime.h"
#include "store.h"

#define ROBOTS_MAX      (512 * 1024) /* RFC 9309: at least 500 KiB */
#define ROBOTS_TTL_MS   (24L * 3600 * 1000)
#define HEADERS_MAX     (64 * 1024)
#define PARK_AFTER      8 /* failures in a row before a host is parked */
#define PARK_MS         (3600L * 1000)
#define BACKOFF_BASE_MS 1000L
#define BACKOFF_MAX_MS  (5L * 60 * 1000)
#define SLOW_STEP_MS    250L /* added to a host's delay per 429/503/challenge */
#define DRAIN_MS        3000
#define TICK_MS         1000
#define HOOKS_MAX       4
#define BLOB_MAX        (16 * 1024)
#define POST_MARK       "#POST:" /* frontier keys of POST requests */
#define CHAIN_MAX       3  /* steps along a calendar-like chain of pages */
#define HOSTQ           8  /* items of a host taken from the store at once */
#define BATCH_MS        50 /* longest a finished fetch waits for the commit */
#define WORKERS_MAX     4  /* threads reading pages */

/* frontier priorities: reports first, then lists, then the rest */
enum { PRIO_OTHER = 50, PRIO_LIST = 100, PRIO_REPORT = 200 };

/* flags kept with a URL beside the link flags of crawler.h */
enum {
	U_RECORDED = 1 << 8, /* a report version came from this URL */
	U_DISALLOWED = 1 << 9,
};

enum purpose { P_PAGE, P_ROBOTS };
enum robots_state { R_NONE, R_FETCHING, R_READY };

/* A URL taken from the frontier, with what the index knew of it. */
struct item {
	int taken;   /* its key is in the crawl's set of taken keys */
	char *key;   /* frontier key: url, or url POST_MARK body */
	char *url;   /* the URL proper */
	char *site;  /* site id */
	char *title; /* link title, or NULL */
	char *date;  /* publication date beside the link, or NULL */
	char *body;  /* POST body, or NULL */
	char *ctype; /* its Content-Type */
	unsigned flags;
	int depth, attempt, redirects;
	int chain; /* steps from a page of the same dated shape */
	/* from the URL state */
	int known, prev_status;
	unsigned prev_flags;
	uint8_t prev_sha1[STORE_SHA1_LEN]; /* payload last archived */
	char *etag, *lastmod, *location, *agency;
	int year;
};

struct site_state {
	char *id;
	uint64_t pages, reports, errors, blocked;
	int start_failed; /* a start page could not be fetched */
	int parked;       /* hosts parked */
	int over_budget;
	int64_t next_seed_ms;
};

struct host {
	char *name; /* host[:port], the politeness unit */
	char *site_id;
	int site; /* index in cfg->sites and the crawl's sites, -1: dropped */
	int active;
	int has_work;          /* the frontier may hold due items not in q */
	struct item *q[HOSTQ]; /* next items, best first */
	int qn;
	int64_t next_ms;  /* monotonic: no start before */
	long slow_ms;     /* extra delay after 429/503/challenge */
	int fails;        /* in a row */
	int blocked_said; /* a "blocked" event since the last success */
	int64_t parked_until;
	struct robots *robots;
	enum robots_state rstate;
	int robots_attempt;
	int64_t robots_ms; /* monotonic: fetched at */
	char *robots_base; /* scheme://authority of the robots.txt */
};

/*
 * Keys of the items taken out of the store and not yet written back: in a
 * host's queue, in flight, being read or waiting for the commit.  Open
 * addressing; the strings are the items' own.
 */
struct keyset {
	const char **v;
	size_t cap, n;
};

struct crawl {
	struct event_base *base;
	CURLM *multi;
	struct event *timer_ev;    /* curl's timeout */
	struct event *dispatch_ev; /* hand out work */
	struct event *tick_ev;     /* progress, schedule */
	struct event *drain_ev;    /* give up on stragglers */
	int still_running;
	int stopping;
	int closing; /* crawl_free: nothing more is recorded */
	int finished;
	int failed_store; /* the archive refused a write: stop */
	struct crawl_opts opts;

	struct nb_config *cfg;
	struct store *store;
	struct hook *hook;
	struct curl_slist *resolve;
	struct curl_slist *old_resolve; /* kept for transfers in flight */
	char agent[64];
	int proxied;

	struct host **hosts;
	size_t nhosts, hcap;
	struct host **hmap; /* by name, open addressing */
	size_t hmapcap;
	size_t rr; /* round-robin start */
	struct keyset taken;

	struct pool *pool;
	struct ixref *ix_cur;   /* the indexer of the configuration in use */
	unsigned jobs;          /* fetches with the workers */
	struct outcome **batch; /* waiting for the group commit */
	size_t nbatch, batchcap;
	struct event *batch_ev;

	struct site_state *sites;
	size_t nsites;

	struct fetch *active; /* list, for shutdown and in-flight checks */
	struct crawl_stats st;
	int64_t started_ms;
	int64_t last_overdue_ms;
	int64_t pass_ms; /* --once: wall time the pass began */
};

/*
 * An indexer context and the jobs using it: a reload makes a new one, and
 * the old one goes when the last job reading with it is done.
 */
struct ixref {
	struct indexer_ctx *ix;
	unsigned refs;
};

/* One transfer (ConnInfo), then the page it brought until it is queued. */
struct fetch {
	struct crawl *c;
	CURL *easy;
	struct host *h;
	struct item *it;
	enum purpose purpose;
	struct nb_buf body;
	struct nb_buf hdrs;
	struct nb_buf reqhdrs; /* as sent, for the WARC request record */
	struct curl_slist *reqh;
	char err[CURL_ERROR_SIZE];
	int toobig;
	int refused;               /* private address refused */
	struct fetch *prev, *next; /* transfers in flight */

	/* after the transfer (set in the loop) */
	long status;
	char *location; /* a redirect's target, normalised */
	char ip[64];
	char ctype[128];
	struct outcome *o;
	int capture; /* archive it */
	int discover, index_maybe;
	struct ixref *ix;

	/* what the worker read (the loop does not touch it meanwhile) */
	struct page pg;
	int have_pg;
	int indexed;  /* indexer_parse ran: ixrc, rec, reason */
	int unparsed; /* rec is an unparsed record; reason says why */
	int ixrc;
	json_t *rec;
	char *rjson;
	char reason[160];
};

/* One socket curl watches (SockInfo). */
struct sock {
	curl_socket_t fd;
	struct event *ev;
	int action;
	struct crawl *c;
};

static void dispatch_soon(struct crawl *c);
static void fetch_finish(struct fetch *f, CURLcode res);
static void batch_add(struct crawl *c, struct outcome *o);
static void crawl_stop_now(struct crawl *c);
static void host_unqueue(struct crawl *c, struct host *h);

static uint32_t
rnd32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)nb_mono_ms() * 2654435761u;
	return r;
}

/* ---- blobs: what the crawler keeps in the store's opaque fields ---- */

struct blob {
	uint8_t *p;
	size_t len, cap;
	int bad;
};

static void
blob_put(struct blob *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->bad || b->len + n > b->cap) {
		b->bad = 1;
		return;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
blob_u32(struct blob *b, uint32_t v)
{
	uint8_t x[4] = {v >> 24, v >> 16, v >> 8, v};

	blob_put(b, x, 4);
}

static void
blob_str(struct blob *b, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n > 0xffff)
		n = 0xffff;
	blob_u32(b, (uint32_t)n);
	blob_put(b, s, n);
}

static int
unblob_u32(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	if (end - *p < 4)
		return NB_ECORRUPT;
	*v = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	     (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	return 0;
}

/* a string of the blob, malloc'd (NULL when empty) */
static int
unblob_str(const uint8_t **p, const uint8_t *end, char **out)
{
	uint32_t n;

	*out = NULL;
	if (unblob_u32(p, end, &n) != 0 || (size_t)(end - *p) < n)
		return NB_ECORRUPT;
	if (n > 0) {
		if ((*out = strndup((const char *)*p, n)) == NULL)
			return NB_ENOMEM;
		*p += n;
	}
	return 0;
}

/* frontier blob: version, flags, depth, attempt, redirects, chain,
 * strings */
static void
fblob_make(struct blob *b, unsigned flags, int depth, int attempt,
           int redirects, int chain, const char *title, const char *date,
           const char *body, const char *ctype)
{
	blob_u32(b, 1);
	blob_u32(b, flags);
	blob_u32(b, (uint32_t)depth);
	blob_u32(b, (uint32_t)attempt);
	blob_u32(b, (uint32_t)redirects);
	blob_u32(b, (uint32_t)chain);
	blob_str(b, title);
	blob_str(b, date);
	blob_str(b, body);
	blob_str(b, ctype);
}

/* URL-state blob: version, flags, year, agency, location */
static void
ublob_make(struct blob *b, unsigned flags, int year, const char *agency,
           const char *location)
{
	blob_u32(b, 1);
	blob_u32(b, flags);
	blob_u32(b, (uint32_t)year);
	blob_str(b, agency);
	blob_str(b, location);
}

static void
item_free(struct item *it)
{
	if (it == NULL)
		return;
	free(it->key);
	free(it->url);
	free(it->site);
	free(it->title);
	free(it->date);
	free(it->body);
	free(it->ctype);
	free(it->etag);
	free(it->lastmod);
	free(it->location);
	free(it->agency);
	free(it);
}

/* ---- taken keys ---- */

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int
keyset_has(const struct keyset *s, const char *k)
{
	if (s->n == 0)
		return 0;
	for (size_t i = str_hash(k) & (s->cap - 1); s->v[i] != NULL;
	     i = (i + 1) & (s->cap - 1))
		if (strcmp(s->v[i], k) == 0)
			return 1;
	return 0;
}

static void
keyset_put(const char **v, size_t cap, const char *k)
{
	size_t i = str_hash(k) & (cap - 1);

	while (v[i] != NULL)
		i = (i + 1) & (cap - 1);
	v[i] = k;
}

static int
keyset_add(struct keyset *s, const char *k)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		const char **nv = calloc(ncap, sizeof(*nv));

		if (nv == NULL)
			return NB_ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i] != NULL)
				keyset_put(nv, ncap, s->v[i]);
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	keyset_put(s->v, s->cap, k);
	s->n++;
	return 0;
}

static void
keyset_del(struct keyset *s, const char *k)
{
	size_t i, mask = s->cap - 1;

	if (s->n == 0)
		return;
	for (i = str_hash(k) & mask; s->v[i] != NULL; i = (i + 1) & mask)
		if (strcmp(s->v[i], k) == 0)
			break;
	if (s->v[i] == NULL)
		return;
	s->v[i] = NULL;
	s->n--;
	/* what follows in the run may have probed past the hole */
	for (i = (i + 1) & mask; s->v[i] != NULL; i = (i + 1) & mask) {
		const char *e = s->v[i];

		s->v[i] = NULL;
		keyset_put(s->v, s->cap, e);
	}
}

/* Done with an item: its key may be taken from the store again. */
static void
item_release(struct crawl *c, struct item *it)
{
	if (it == NULL)
		return;
	if (it->taken)
		keyset_del(&c->taken, it->key);
	item_free(it);
}

/* An item from a frontier entry (strings copied out of the map). */
static int
item_from_frontier(const struct store_frontier_item *fi, struct item **out)
{
	const uint8_t *p = fi->blob, *end = p + fi->blob_len;
	struct item *it = calloc(1, sizeof(*it));
	uint32_t ver, flags, depth, attempt, redirects, chain;
	const char *mark;
	int rc = NB_ENOMEM;

	if (it == NULL)
		return NB_ENOMEM;
	if ((it->key = strdup(fi->url)) == NULL ||
	    (it->site = strdup(fi->site)) == NULL)
		goto fail;
	mark = strstr(it->key, POST_MARK);
	if ((it->url = mark != NULL ? strndup(it->key, (size_t)(mark - it->key))
	                            : strdup(it->key)) == NULL)
		goto fail;
	rc = NB_ECORRUPT;
	if (unblob_u32(&p, end, &ver) != 0 || ver != 1 ||
	    unblob_u32(&p, end, &flags) != 0 ||
	    unblob_u32(&p, end, &depth) != 0 ||
	    unblob_u32(&p, end, &attempt) != 0 ||
	    unblob_u32(&p, end, &redirects) != 0 ||
	    unblob_u32(&p, end, &chain) != 0 ||
	    unblob_str(&p, end, &it->title) != 0 ||
	    unblob_str(&p, end, &it->date) != 0 ||
	    unblob_str(&p, end, &it->body) != 0 ||
	    unblob_str(&p, end, &it->ctype) != 0)
		goto fail;
	it->flags = flags;
	it->depth = (int)depth;
	it->attempt = (int)attempt;
	it->redirects = (int)redirects;
	it->chain = (int)chain;
	*out = it;
	return 0;
fail:
	log_warnx("frontier entry %s: %s", fi->url, nb_strerror(rc));
	item_free(it);
	return rc;
}

/* What the URL state says of it->key, copied into the item. */
static void
item_state_load(struct item *it, const struct store_url *u)
{
	const uint8_t *p = u->blob, *end = p + u->blob_len;
	uint32_t ver, flags, year;

	it->known = 1;
	it->prev_status = u->status;
	memcpy(it->prev_sha1, u->payload_sha1, STORE_SHA1_LEN);
	if (u->etag[0] != '\0')
		it->etag = strdup(u->etag);
	if (u->last_modified[0] != '\0')
		it->lastmod = strdup(u->last_modified);
	if (u->blob_len == 0)
		return;
	if (unblob_u32(&p, end, &ver) != 0 || ver != 1 ||
	    unblob_u32(&p, end, &flags) != 0 ||
	    unblob_u32(&p, end, &year) != 0 ||
	    unblob_str(&p, end, &it->agency) != 0 ||
	    unblob_str(&p, end, &it->location) != 0) {
		log_warnx("URL state of %s does not decode; ignored", it->key);
		return;
	}
	it->prev_flags = flags;
	it->year = (int)year;
}

/* ---- hosts and sites ---- */

static struct host *
host_find(struct crawl *c, const char *name)
{
	if (c->hmapcap == 0)
		return NULL;
	for (size_t i = str_hash(name) & (c->hmapcap - 1); c->hmap[i] != NULL;
	     i = (i + 1) & (c->hmapcap - 1))
		if (strcmp(c->hmap[i]->name, name) == 0)
			return c->hmap[i];
	return NULL;
}

static void
hmap_put(struct host **m, size_t cap, struct host *h)
{
	size_t i = str_hash(h->name) & (cap - 1);

	while (m[i] != NULL)
		i = (i + 1) & (cap - 1);
	m[i] = h;
}

/* The index of site id in the configuration, or -1. */
static int
site_index(const struct crawl *c, const char *id)
{
	for (size_t i = 0; i < c->cfg->nsites; i++)
		if (strcmp(c->cfg->sites[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* The host's site as configured now; NULL when a reload dropped it. */
static const struct nb_site *
host_site(const struct crawl *c, const struct host *h)
{
	return h->site >= 0 ? &c->cfg->sites[h->site] : NULL;
}

static struct site_state *
host_ss(const struct crawl *c, const struct host *h)
{
	return h->site >= 0 ? &c->sites[h->site] : NULL;
}

/* The host of url (host[:port]), created with its site if new. */
static struct host *
host_get(struct crawl *c, const char *url, const char *name,
         const char *site_id)
{
	struct host *h = host_find(c, name);
	const char *a = strstr(url, "://");

	if (h != NULL)
		return h;
	if (c->nhosts == c->hcap) {
		size_t ncap = c->hcap ? c->hcap * 2 : 16;
		struct host **nh = reallocarray(c->hosts, ncap, sizeof(*nh));

		if (nh == NULL)
			return NULL;
		c->hosts = nh;
		c->hcap = ncap;
	}
	if ((c->nhosts + 1) * 2 > c->hmapcap) {
		size_t ncap = c->hmapcap ? c->hmapcap * 2 : 64;
		struct host **nm = calloc(ncap, sizeof(*nm));

		if (nm == NULL)
			return NULL;
		for (size_t i = 0; i < c->nhosts; i++)
			hmap_put(nm, ncap, c->hosts[i]);
		free(c->hmap);
		c->hmap = nm;
		c->hmapcap = ncap;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if (a == NULL || (h->name = strdup(name)) == NULL ||
	    (h->site_id = strdup(site_id)) == NULL ||
	    asprintf(&h->robots_base, "%.*s%s", (int)(a + 3 - url), url, name) <
	        0) {
		free(h->name);
		free(h->site_id);
		free(h);
		return NULL;
	}
	h->site = site_index(c, site_id);
	c->hosts[c->nhosts++] = h;
	hmap_put(c->hmap, c->hmapcap, h);
	return h;
}

/* "host" or "host:port" of a URL: the politeness unit */
static int
url_hostport(const char *url, char *buf, size_t len)
{
	const char *a = strstr(url, "://");
	size_t n;

	if (a == NULL)
		return NB_EINVAL;
	a += 3;
	n = strcspn(a, "/?#");
	if (n == 0 || n >= len)
		return NB_EINVAL;
	memcpy(buf, a, n);
	buf[n] = '\0';
	return 0;
}

static struct site_state *
site_state(struct crawl *c, const char *id)
{
	for (size_t i = 0; i < c->nsites; i++)
		if (strcmp(c->sites[i].id, id) == 0)
			return &c->sites[i];
	return NULL;
}

static long
site_delay(const struct crawl *c, const struct host *h)
{
	const struct nb_site *s = host_site(c, h);
	long d = s != NULL ? s->delay_ms : c->cfg->delay_ms;

	if (h->robots != NULL && robots_crawl_delay_ms(h->robots) > d)
		d = robots_crawl_delay_ms(h->robots);
	return d + h->slow_ms;
}

static long
recrawl_ms(const struct crawl *c, const struct nb_site *s, unsigned flags)
{
	if (flags & (LINK_REPORT | LINK_ATTACHMENT))
		return c->cfg->recrawl_reports_ms;
	return s != NULL ? s->recrawl_ms : c->cfg->recrawl_ms;
}

/*
 * When new work is due.  For --once it is the moment the pass began, and
 * only work due by then is taken: what this pass fetched is due again
 * later, so the pass ends however short the re-crawl interval.
 */
static int64_t
due_now(const struct crawl *c)
{
	return c->opts.once ? c->pass_ms : nb_now_ms();
}

static uint8_t
prio_of(unsigned flags)
{
	if (flags & (LINK_REPORT | LINK_ATTACHMENT))
		return PRIO_REPORT;
	if (flags & LINK_LIST)
		return PRIO_LIST;
	return PRIO_OTHER;
}

/* The archive refused a write: nothing more can be recorded. */
static void
store_failed(struct crawl *c, const char *what, int rc)
{
	if (c->failed_store)
		return;
	c->failed_store = 1;
	log_warnx("archive: %s: %s; the crawl stops", what, nb_strerror(rc));
	crawl_stop(c);
}

/* ---- curl callbacks: sockets and timers (hiperfifo) ---- */

static void
check_multi_info(struct crawl *c)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		struct fetch *f;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &f);
		fetch_finish(f, msg->data.result);
	}
}

/* libevent: a socket curl watches is ready */
static void
event_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct crawl *c = arg;
	int action = (kind & EV_READ ? CURL_CSELECT_IN : 0) |
	             (kind & EV_WRITE ? CURL_CSELECT_OUT : 0);
	CURLMcode mc;

	mc = curl_multi_socket_action(c->multi, fd, action, &c->still_running);
	if (mc != CURLM_OK)
		log_warnx("curl_multi_socket_action: %s",
		          curl_multi_strerror(mc));
	check_multi_info(c);
	if (c->still_running <= 0 && evtimer_pending(c->timer_ev, NULL))
		evtimer_del(c->timer_ev);
}

/* libevent: curl's timeout expired */
static void
timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct crawl *c = arg;
	CURLMcode mc;

	(void)fd;
	(void)kind;
	mc = curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0,
	                              &c->still_running);
	if (mc != CURLM_OK)
		log_warnx("curl_multi_socket_action: %s",
		          curl_multi_strerror(mc));
	check_multi_info(c);
}

/* curl: arm or disarm the timeout */
static int
multi_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct crawl *c = arg;
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};

	(void)multi;
	if (timeout_ms == -1)
		evtimer_del(c->timer_ev);
	else
		evtimer_add(c->timer_ev, &tv);
	return 0;
}

/* curl: watch a socket for what it needs, or forget it */
static int
sock_cb(CURL *e, curl_socket_t s, int what, void *cbp, void *sockp)
{
	struct crawl *c = cbp;
	struct sock *sk = sockp;
	short kind;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			event_free(sk->ev);
			free(sk);
		}
		return 0;
	}
	kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) |
	               (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST);
	if (sk == NULL) {
		if ((sk = calloc(1, sizeof(*sk))) == NULL)
			return -1;
		sk->c = c;
		sk->fd = s;
		curl_multi_assign(c->multi, s, sk);
	} else {
		event_free(sk->ev);
	}
	sk->action = what;
	sk->ev = event_new(c->base, s, kind, event_cb, c);
	if (sk->ev == NULL || event_add(sk->ev, NULL) != 0)
		return -1;
	return 0;
}

/* ---- one transfer ---- */

static size_t
write_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;

	if (nb_buf_add(&f->body, ptr, size * n) != 0) {
		f->toobig = 1;
		return 0; /* abort: never hold more than the cap */
	}
	return size * n;
}

static size_t
header_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;

	/* a new status line (after 100 Continue) starts a new header block */
	if (n * size > 5 && strncmp(ptr, "HTTP/", 5) == 0)
		nb_buf_reset(&f->hdrs);
	if (nb_buf_add(&f->hdrs, ptr, size * n) != 0)
		return 0;
	return size * n;
}

/* The request headers as curl sent them, for the WARC request record. */
static int
debug_cb(CURL *e, curl_infotype type, char *data, size_t n, void *arg)
{
	struct fetch *f = arg;

	(void)e;
	if (type == CURLINFO_HEADER_OUT) {
		nb_buf_reset(&f->reqhdrs);
		nb_buf_add(&f->reqhdrs, data, n);
	}
	return 0;
}

/*
 * The address curl is about to connect to: a direct connection to a
 * private, loopback or link-local address is refused unless allowed.
 * Through a proxy the address is the proxy's, the operator's choice.
 */
static curl_socket_t
opensocket_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch *f = arg;

	if (purpose == CURLSOCKTYPE_IPCXN && !f->c->cfg->allow_private &&
	    !f->c->proxied && addr_is_private(&a->addr)) {
		f->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static void outcome_free(struct outcome *o);

static void
ixref_put(struct crawl *c, struct ixref *r)
{
	if (r == NULL || --r->refs > 0)
		return;
	if (c->ix_cur == r)
		c->ix_cur = NULL;
	indexer_ctx_free(r->ix);
	free(r);
}

/* The transfer is over: its connection goes back to curl. */
static void
fetch_detach(struct fetch *f)
{
	if (f->easy != NULL) {
		curl_multi_remove_handle(f->c->multi, f->easy);
		curl_easy_cleanup(f->easy);
		f->easy = NULL;
	}
	if (f->prev != NULL)
		f->prev->next = f->next;
	else if (f->c->active == f)
		f->c->active = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	f->prev = f->next = NULL;
	curl_slist_free_all(f->reqh);
	f->reqh = NULL;
}

static void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	fetch_detach(f);
	nb_buf_free(&f->body);
	nb_buf_free(&f->hdrs);
	nb_buf_free(&f->reqhdrs);
	if (f->have_pg)
		page_free(&f->pg);
	json_decref(f->rec);
	free(f->rjson);
	free(f->location);
	ixref_put(f->c, f->ix);
	if (f->o != NULL)
		outcome_free(f->o); /* with the item */
	else
		item_release(f->c, f->it);
	free(f);
}

static void
reqh_add(struct fetch *f, const char *name, const char *value)
{
	char line[1024];
	struct curl_slist *n;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((n = curl_slist_append(f->reqh, line)) != NULL)
		f->reqh = n;
}

static int
fetch_start(struct crawl *c, struct host *h, struct item *it,
            enum purpose purpose)
{
	const struct nb_config *cfg = c->cfg;
	struct fetch *f;
	CURL *e;
	CURLMcode mc;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NB_ENOMEM;
	f->c = c;
	f->h = h;
	f->purpose = purpose;
	nb_buf_init(&f->body,
	            purpose == P_ROBOTS ? ROBOTS_MAX : (size_t)cfg->max_body);
	nb_buf_init(&f->hdrs, HEADERS_MAX);
	nb_buf_init(&f->reqhdrs, HEADERS_MAX);
	if ((f->easy = e = curl_easy_init()) == NULL) {
		free(f);
		return NB_ENOMEM;
	}
	curl_easy_setopt(e, CURLOPT_URL, it->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, f);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, f);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->err);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, opensocket_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, f);
	curl_easy_setopt(e, CURLOPT_USERAGENT, cfg->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	                 cfg->timeout_ms < 10000 ? cfg->timeout_ms : 10000L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* waiting to multiplex only pays where HTTP/2 is possible */
	if (strncmp(it->url, "https:", 6) == 0)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	if (cfg->max_body > 0 && purpose == P_PAGE)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
		                 (curl_off_t)cfg->max_body);
	if (cfg->proxy[0] != '\0')
		curl_easy_setopt(e, CURLOPT_PROXY, cfg->proxy);
	if (c->resolve != NULL)
		curl_easy_setopt(e, CURLOPT_RESOLVE, c->resolve);
	reqh_add(f, "Accept",
	         "text/html,application/xhtml+xml,application/xml;q=0.9,"
	         "*/*;q=0.8");
	reqh_add(f, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5");
	if (it->body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE,
		                 (long)strlen(it->body));
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, it->body);
		reqh_add(f, "Content-Type",
		         it->ctype != NULL
		             ? it->ctype
		             : "application/x-www-form-urlencoded");
	}
	/*
	 * Conditional GET for reports already archived; list pages are read
	 * in full every time, since their links are what a pass is for.
	 */
	if (purpose == P_PAGE &&
	    (it->prev_status == 200 || it->prev_status == 304) &&
	    (it->flags & (LINK_REPORT | LINK_ATTACHMENT))) {
		if (it->etag != NULL)
			reqh_add(f, "If-None-Match", it->etag);
		if (it->lastmod != NULL)
			reqh_add(f, "If-Modified-Since", it->lastmod);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->reqh);
	if ((mc = curl_multi_add_handle(c->multi, e)) != CURLM_OK) {
		log_warnx("%s: %s", it->url, curl_multi_strerror(mc));
		fetch_free(f);
		return NB_EIO;
	}
	f->it = it;
	f->next = c->active;
	if (c->active != NULL)
		c->active->prev = f;
	c->active = f;
	h->active++;
	c->st.active++;
	h->next_ms = nb_mono_ms() + site_delay(c, h);
	return 0;
}

/* ---- response headers ---- */

/* Copy header name's value from a raw header block into buf. */
static int
header_value(const char *hdrs, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);

	for (const char *p = hdrs; p != NULL && *p;) {
		const char *eol = strchr(p, '\n');

		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t n;

			while (*v == ' ' || *v == '\t')
				v++;
			n = eol != NULL ? (size_t)(eol - v) : strlen(v);
			while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == ' '))
				n--;
			if (n >= len)
				return 0;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return 1;
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
	return 0;
}

/* ---- what a response changes in the index ---- */

struct newlink {
	char *key;     /* frontier key */
	char *host;    /* host[:port] */
	char date[11]; /* publication date beside it (or its page's), or "" */
	unsigned flags;
	int depth, redirects;
	uint8_t *blob;
	size_t blob_len;
};

enum hook_kind { HK_NONE, HK_NEW, HK_CHANGED };

/*
 * Everything one response changes, applied by outcome_fn in the group
 * commit.  outcome_fn may run twice (the map grew), so it only reads this
 * struct and calls the store; its results are reset at its start.
 */
struct outcome {
	struct crawl *c;
	const struct nb_site *site; /* valid until the next reload, which
	                               commits what waits first */
	struct item *it;            /* owned */
	int64_t now;

	int put_state;
	struct store_url u;
	uint8_t *ubuf; /* u.blob */
	char etag[512], lastmod[512];

	int requeue; /* the item back into the frontier, due then */
	int64_t due;
	unsigned fflags;
	int attempt;
	int remove; /* out of the frontier for good */

	struct newlink *links;
	size_t nlinks;

	int has_report;
	int unparsed;               /* the record is an unparsed one */
	struct store_report_in rin; /* strings in rec */
	const char *title, *published;
	json_t *rec;
	char *rjson;

	struct store_event ev[2]; /* details static or in reason */
	int nev;
	char reason[160];

	/* results */
	enum hook_kind hook;
	size_t pushed;
};

static struct outcome *
outcome_new(struct crawl *c, const struct nb_site *site, struct item *it)
{
	struct outcome *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->c = c;
	o->site = site;
	o->it = it;
	o->now = nb_now_ms();
	o->fflags = it->flags;
	return o;
}

static void
outcome_free(struct outcome *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->nlinks; i++) {
		free(o->links[i].key);
		free(o->links[i].host);
		free(o->links[i].blob);
	}
	free(o->links);
	free(o->ubuf);
	json_decref(o->rec);
	free(o->rjson);
	item_release(o->c, o->it);
	free(o);
}

static void
outcome_event(struct outcome *o, enum store_event_type type, const char *agency,
              int year, const char *detail)
{
	struct store_event *ev;

	if (o->nev >= (int)NB_NELEM(o->ev))
		return;
	ev = &o->ev[o->nev++];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->agency = agency != NULL ? agency : "";
	ev->year = year;
	ev->url = o->it->url;
	ev->detail = detail != NULL ? detail : "";
}

/* A blob built on the stack, kept in a buffer of its own size. */
static uint8_t *
blob_keep(const struct blob *b)
{
	uint8_t *p;

	if (b->bad || (p = malloc(b->len ? b->len : 1)) == NULL)
		return NULL;
	memcpy(p, b->p, b->len);
	return p;
}

/*
 * Queue a link found on the page unless it is out of scope, a trap, too
 * deep or a private IP literal; whether it is new is decided against the
 * index in outcome_fn.
 */
static void
outcome_link(struct outcome *o, const char *url, const char *title,
             const char *date, const char *body, const char *ctype,
             unsigned flags, int depth, int redirects)
{
	const struct nb_site *site = o->site;
	struct newlink *nl;
	char host[300], name[256], s1[URL_MAX + 1], s2[URL_MAX + 1];
	uint8_t buf[BLOB_MAX];
	struct blob b;
	int chain = 0;

	/* a calendar: each page links the next month, same shape, forever */
	if (url_has_date_path(url) &&
	    url_shape(o->it->url, s1, sizeof(s1)) == 0 &&
	    url_shape(url, s2, sizeof(s2)) == 0 && strcmp(s1, s2) == 0 &&
	    (chain = o->it->chain + 1) > CHAIN_MAX)
		return;
	if (!url_in_scope(site, url) || url_is_trap(url) ||
	    depth > site->max_depth ||
	    url_hostport(url, host, sizeof(host)) != 0 ||
	    url_host_get(url, name, sizeof(name)) != 0)
		return;
	/* through a proxy only IP literals can be judged before connecting */
	if (!o->c->cfg->allow_private && host_literal_is_private(name) == 1)
		return;
	if ((o->nlinks & (o->nlinks + 1)) == 0) {
		struct newlink *n =
		    reallocarray(o->links, (o->nlinks + 1) * 2, sizeof(*n));

		if (n == NULL)
			return;
		o->links = n;
	}
	nl = &o->links[o->nlinks];
	memset(nl, 0, sizeof(*nl));
	b = (struct blob){buf, 0, sizeof(buf), 0};
	fblob_make(&b, flags, depth, 0, redirects, chain, title, date, body,
	           ctype);
	if (body != NULL) {
		if (asprintf(&nl->key, "%s" POST_MARK "%s", url, body) < 0)
			nl->key = NULL;
	} else {
		nl->key = strdup(url);
	}
	if (nl->key == NULL || (nl->host = strdup(host)) == NULL ||
	    (nl->blob = blob_keep(&b)) == NULL) {
		free(nl->key);
		free(nl->host);
		return;
	}
	nl->flags = flags;
	nl->depth = depth;
	nl->redirects = redirects;
	snprintf(nl->date, sizeof(nl->date), "%s", date != NULL ? date : "");
	nl->blob_len = b.len;
	o->nlinks++;
}

/* When did this site's current pass start: its first start page's fetch. */
static int64_t
pass_start(struct store_txn *txn, const struct nb_site *site)
{
	struct store_url su;
	char *u = NULL;
	int64_t t = INT64_MAX;

	if (site->start.n == 0 ||
	    url_normalize(NULL, site->start.v[0], &u) != 0)
		return t;
	if (store_url_get(txn, u, &su) == 0 && su.last_fetch > 0)
		t = su.last_fetch;
	free(u);
	return t;
}

/* a (YYYY-MM-DD) date earlier than b, or b is none */
static int
date_before(const char *a, const char *b)
{
	return a != NULL && a[0] != '\0' && (b == NULL || strcmp(a, b) < 0);
}

/*
 * A report link met with a date: a list item, or an attachment on a page
 * of its report, which takes the page's date.  A report republished at a
 * second URL links the same file from both pages, and was published when
 * the earlier page says, whichever the crawl met first: an earlier date
 * goes to the report the URL already gave (its URL state), and to the
 * URL's frontier entry, queued or in flight (item_date_refresh takes it
 * from there).
 */
static int
report_link_dated(struct store_txn *txn, const struct newlink *nl)
{
	struct store_frontier_item fi;
	struct store_url su;
	struct item *q = NULL;
	char *host = NULL;
	int rc = 0;

	if (!(nl->flags & LINK_REPORT) || nl->date[0] == '\0')
		return 0;
	if (store_url_get(txn, nl->key, &su) == 0) {
		struct item us = {0};

		us.key = nl->key;
		item_state_load(&us, &su);
		if ((us.prev_flags & U_RECORDED) && us.agency != NULL)
			rc = store_report_published(txn, us.agency, us.year,
			                            nl->date, NULL);
		free(us.etag);
		free(us.lastmod);
		free(us.agency);
		free(us.location);
		if (rc != 0 && rc != NB_ENOTFOUND && rc != NB_EINVAL)
			return rc;
		rc = 0;
	}
	if (store_frontier_get(txn, nl->key, &fi) != 0)
		return 0;
	if ((rc = item_from_frontier(&fi, &q)) != 0)
		return rc == NB_ENOMEM ? rc : 0;
	if (date_before(nl->date, q->date)) {
		uint8_t buf[BLOB_MAX];
		struct blob b = {buf, 0, sizeof(buf), 0};

		fblob_make(&b, q->flags, q->depth, q->attempt, q->redirects,
		           q->chain, q->title, nl->date, q->body, q->ctype);
		/* fi's strings are in the map, which the push rewrites */
		if ((host = strdup(fi.host)) == NULL)
			rc = NB_ENOMEM;
		else if (!b.bad) {
			fi.url = q->key;
			fi.site = q->site;
			fi.host = host;
			fi.blob = buf;
			fi.blob_len = b.len;
			rc = store_frontier_push(txn, &fi);
		}
	}
	free(host);
	item_free(q);
	return rc;
}

/* An earlier date report_link_dated gave this item's entry since it was
 * leased. */
static int
item_date_refresh(struct store_txn *txn, struct item *it, unsigned flags)
{
	struct store_frontier_item fi;
	struct item *q = NULL;
	int rc;

	if (!(flags & LINK_REPORT) ||
	    store_frontier_get(txn, it->key, &fi) != 0)
		return 0;
	if ((rc = item_from_frontier(&fi, &q)) != 0)
		return rc == NB_ENOMEM ? rc : 0;
	if (date_before(q->date, it->date)) {
		free(it->date);
		it->date = q->date;
		q->date = NULL;
	}
	item_free(q);
	return 0;
}

static int
outcome_fn(struct store_txn *txn, void *arg)
{
	struct outcome *o = arg;
	struct item *it = o->it;
	const char *pub;
	int rc;

	o->hook = HK_NONE;
	o->pushed = 0;
	if ((rc = item_date_refresh(txn, it, it->flags | o->fflags)) != 0)
		return rc;
	/* the report's date: its record's, or an earlier one of the item */
	pub = date_before(it->date, o->published) ? it->date : o->published;
	if (o->put_state && (rc = store_url_put(txn, it->key, &o->u)) != 0)
		return rc;

	if (o->remove) {
		rc = store_frontier_remove(txn, it->key);
		if (rc != 0 && rc != NB_ENOTFOUND)
			return rc;
	} else if (o->requeue) {
		uint8_t buf[BLOB_MAX];
		struct blob b = {buf, 0, sizeof(buf), 0};
		char host[300];
		struct store_frontier_item fi = {0};

		fblob_make(&b, o->fflags, it->depth, o->attempt, it->redirects,
		           it->chain, it->title, it->date, it->body, it->ctype);
		if (b.bad || url_hostport(it->url, host, sizeof(host)) != 0)
			return NB_EINVAL;
		fi.url = it->key;
		fi.site = it->site;
		fi.host = host;
		fi.due = o->due;
		fi.prio = prio_of(o->fflags);
		fi.blob = buf;
		fi.blob_len = b.len;
		if ((rc = store_frontier_push(txn, &fi)) != 0)
			return rc;
	}
	for (size_t i = 0; i < o->nlinks; i++) {
		const struct newlink *nl = &o->links[i];
		struct store_frontier_item fi = {0};
		struct store_url su;

		if ((rc = report_link_dated(txn, nl)) != 0)
			return rc;
		if (store_frontier_get(txn, nl->key, &fi) == 0)
			continue; /* queued already (maybe for later) */
		if (store_url_get(txn, nl->key, &su) == 0 &&
		    su.next_fetch > o->now)
			continue; /* known, not due */
		fi.url = nl->key;
		fi.site = it->site;
		fi.host = nl->host;
		fi.due = due_now(o->c);
		fi.prio = prio_of(nl->flags);
		fi.blob = nl->blob;
		fi.blob_len = nl->blob_len;
		if ((rc = store_frontier_push(txn, &fi)) != 0)
			return rc;
		o->pushed++;
	}
	if (o->has_report) {
		struct store_report latest;
		enum store_change ch = STORE_UNCHANGED;

		/*
		 * One version per report and pass: the page, not also its
		 * attachment that says the same, unless that one was read
		 * and the page not.  The other capture's date still counts:
		 * a report was published when its first copy was.
		 */
		if (store_report_get(txn, o->rin.agency, o->rin.year,
		                     STORE_SUMMARY, &latest) == 0 &&
		    strcmp(latest.url, o->rin.url) != 0 &&
		    !(!o->unparsed &&
		      (latest.summary.flags & STORE_SUM_UNPARSED)) &&
		    latest.fetched >= pass_start(txn, o->site)) {
			if (pub != NULL &&
			    (rc = store_report_published(txn, o->rin.agency,
			                                 o->rin.year, pub,
			                                 NULL)) != 0 &&
			    rc != NB_EINVAL)
				return rc;
			goto events;
		}
		if ((rc = store_report_put(txn, &o->rin, &ch, NULL)) != 0)
			return rc;
		if (pub != o->published &&
		    (rc = store_report_published(
		         txn, o->rin.agency, o->rin.year, pub, NULL)) != 0 &&
		    rc != NB_EINVAL)
			return rc;
		if (ch != STORE_UNCHANGED) {
			struct store_event ev = {0};

			ev.type =
			    ch == STORE_NEW ? STORE_EV_NEW : STORE_EV_CHANGED;
			ev.agency = o->rin.agency;
			ev.year = o->rin.year;
			ev.url = o->rin.url;
			ev.detail = o->title != NULL ? o->title : "";
			if ((rc = store_event_append(txn, &ev, NULL)) != 0)
				return rc;
			o->hook = ch == STORE_NEW ? HK_NEW : HK_CHANGED;
		}
	}
events:
	for (int i = 0; i < o->nev; i++)
		if ((rc = store_event_append(txn, &o->ev[i], NULL)) != 0)
			return rc;
	return 0;
}

/*
 * A county-level people's government reports by 31 March, everyone else
 * (departments, offices, townships and streets) by 31 January
 * (条例 第四十九条、第五十条).  "auto" reads the name: 人民政府 at the end
 * and no 乡, 镇 or 街道 in it.
 */
static int
agency_is_government(const char *name, enum store_agency_kind kind)
{
	size_t n = strlen(name), g = strlen("人民政府");

	if (kind != STORE_KIND_AUTO)
		return kind == STORE_KIND_GOVERNMENT;
	return n >= g && strcmp(name + n - g, "人民政府") == 0 &&
	       strstr(name, "乡") == NULL && strstr(name, "镇") == NULL &&
	       strstr(name, "街道") == NULL;
}

static void
deadline_of(const char *agency, enum store_agency_kind kind, int year,
            char out[16])
{
	snprintf(out, 16, "%04d-%s", (year + 1) % 10000,
	         agency_is_government(agency, kind) ? "03-31" : "01-31");
}

static void
hook_fire(struct crawl *c, const char *event, const char *site,
          const char *region, const char *agency, int year, const char *title,
          const char *url, const char *published)
{
	struct store_txn *txn;
	struct store_agency a;
	enum store_agency_kind kind = STORE_KIND_AUTO;
	char ys[12], deadline[16];
	const char *kv[] = {"EVENT",    event,    "SITE",      site,
	                    "REGION",   region,   "AGENCY",    agency,
	                    "YEAR",     ys,       "TITLE",     title,
	                    "URL",      url,      "PUBLISHED", published,
	                    "DEADLINE", deadline, NULL};

	if (c->hook == NULL)
		return;
	if (store_read_begin(c->store, &txn) == 0) {
		if (store_agency_get(txn, agency, &a) == 0)
			kind = a.kind;
		store_read_end(txn);
	}
	snprintf(ys, sizeof(ys), "%d", year);
	deadline_of(agency, kind, year, deadline);
	hook_run(c->hook, kv);
}

/* it is key's item: an earlier date for it */
static void
item_date_take(struct item *it, const char *key, const char *date)
{
	char *d;

	if (it == NULL || it->key == NULL || strcmp(it->key, key) != 0 ||
	    !date_before(date, it->date) || (d = strdup(date)) == NULL)
		return;
	free(it->date);
	it->date = d;
}

/*
 * A report link's earlier date, just committed to its frontier entry
 * (report_link_dated), reaches the copy of the entry the crawl holds in a
 * host's queue or in a transfer, so that the page passes it on to its
 * attachments.  A page with the workers or waiting for the commit takes it
 * from the entry when its outcome is committed (item_date_refresh).
 */
static void
item_date_reach(struct crawl *c, struct host *h, const struct newlink *nl)
{
	if (!(nl->flags & LINK_REPORT) || nl->date[0] == '\0' ||
	    !keyset_has(&c->taken, nl->key))
		return;
	for (int i = 0; i < h->qn; i++)
		item_date_take(h->q[i], nl->key, nl->date);
	for (struct fetch *f = c->active; f != NULL; f = f->next)
		if (f->purpose == P_PAGE)
			item_date_take(f->it, nl->key, nl->date);
}

/* After the commit: the hosts of new links have work; the hook runs. */
static void
outcome_done(struct outcome *o)
{
	struct crawl *c = o->c;

	for (size_t i = 0; i < o->nlinks; i++) {
		struct host *h =
		    host_get(c, o->links[i].key, o->links[i].host, o->it->site);

		if (h != NULL) {
			h->has_work = 1;
			item_date_reach(c, h, &o->links[i]);
		}
	}
	if (o->requeue) {
		char host[300];
		struct host *h;

		if (url_hostport(o->it->url, host, sizeof(host)) == 0 &&
		    (h = host_get(c, o->it->url, host, o->it->site)) != NULL)
			h->has_work = 1;
	}
	if (o->hook != HK_NONE) {
		const char *ev = o->hook == HK_NEW ? "new" : "changed";

		log_debug("%s report: %s %d %s", ev, o->rin.agency, o->rin.year,
		          o->rin.url);
		hook_fire(c, ev, o->site->id, o->rin.region, o->rin.agency,
		          o->rin.year, o->title, o->rin.url, o->published);
	}
	for (int i = 0; i < o->nev; i++)
		log_debug("%s: %s %s", store_event_name(o->ev[i].type),
		          o->ev[i].url, o->ev[i].detail);
}

/* ---- the group commit ---- */

static int
batch_fn(struct store_txn *txn, void *arg)
{
	struct crawl *c = arg;
	int rc;

	for (size_t i = 0; i < c->nbatch; i++)
		if ((rc = outcome_fn(txn, c->batch[i])) != 0)
			return rc;
	return 0;
}

/*
 * Commit every outcome waiting: store_write fsyncs the WARC file their
 * captures are in first, then commits them in one transaction.  If the
 * archive refuses, nothing of them is recorded (their items stay in the
 * frontier as they were) and the crawl stops.
 */
static void
batch_commit(struct crawl *c)
{
	size_t n = c->nbatch;
	int rc;

	evtimer_del(c->batch_ev);
	if (n == 0)
		return;
	if (!c->failed_store) {
		if ((rc = store_write(c->store, batch_fn, c)) != 0)
			store_failed(c, "group commit", rc);
		else
			for (size_t i = 0; i < n; i++)
				outcome_done(c->batch[i]);
	}
	for (size_t i = 0; i < n; i++)
		outcome_free(c->batch[i]);
	c->nbatch = 0;
	dispatch_soon(c);
}

static void
batch_cb(evutil_socket_t fd, short kind, void *arg)
{
	(void)fd;
	(void)kind;
	batch_commit(arg);
}

/* The commit comes after BATCH_MS, or at once when `concurrency' wait. */
static void
batch_add(struct crawl *c, struct outcome *o)
{
	size_t max = c->cfg->concurrency > 0 ? (size_t)c->cfg->concurrency : 1;
	struct timeval now = {0, 0}, later = {0, BATCH_MS * 1000};

	if (c->nbatch == c->batchcap) {
		size_t ncap = c->batchcap ? c->batchcap * 2 : 64;
		struct outcome **nb = reallocarray(c->batch, ncap, sizeof(*nb));

		if (nb == NULL) {
			log_warnx("%s: out of memory; fetched again later",
			          o->it->url);
			outcome_free(o);
			return;
		}
		c->batch = nb;
		c->batchcap = ncap;
	}
	c->batch[c->nbatch++] = o;
	if (c->nbatch >= max)
		evtimer_add(c->batch_ev, &now);
	else if (c->nbatch == 1)
		evtimer_add(c->batch_ev, &later);
}

/* The URL state after a response (strings borrowed from it and o). */
static void
outcome_state(struct outcome *o, int status, const char *hdrs,
              const struct store_capture_result *res, unsigned uflags,
              const char *agency, int year, const char *location)
{
	struct item *it = o->it;
	uint8_t buf[BLOB_MAX];
	struct blob b = {buf, 0, sizeof(buf), 0};
	char v[512];

	o->put_state = 1;
	memset(&o->u, 0, sizeof(o->u));
	o->u.status = status;
	o->u.last_fetch = o->now;
	o->u.next_fetch = o->due;
	o->u.etag = it->etag;
	o->u.last_modified = it->lastmod;
	if (status == 200 && hdrs != NULL) {
		o->u.etag = o->u.last_modified = NULL;
		if (header_value(hdrs, "ETag", v, sizeof(v))) {
			snprintf(o->etag, sizeof(o->etag), "%s", v);
			o->u.etag = o->etag;
		}
		if (header_value(hdrs, "Last-Modified", v, sizeof(v))) {
			snprintf(o->lastmod, sizeof(o->lastmod), "%s", v);
			o->u.last_modified = o->lastmod;
		}
	}
	if (res != NULL) {
		memcpy(o->u.payload_sha1, res->payload_sha1, STORE_SHA1_LEN);
		o->u.loc = res->loc;
	}
	ublob_make(&b, uflags, year, agency, location);
	free(o->ubuf);
	if ((o->ubuf = blob_keep(&b)) != NULL) {
		o->u.blob = o->ubuf;
		o->u.blob_len = b.len;
	}
}

/* ---- responses ---- */

static void
host_success(struct host *h)
{
	h->fails = 0;
	h->slow_ms /= 2;
	h->blocked_said = 0;
}

/* A failure counts against the host; one failing again and again is
 * parked, and the rest of the crawl goes on. */
static void
host_failure(struct crawl *c, struct host *h, long wait_ms, const char *why)
{
	struct site_state *ss = host_ss(c, h);
	/* +1: the clock is in whole ms, now may be up to 1 ms behind the
	 * answer, and the wait is counted from the answer */
	int64_t now = nb_mono_ms() + 1;

	h->fails++;
	if (now + wait_ms > h->next_ms)
		h->next_ms = now + wait_ms;
	if (h->fails >= PARK_AFTER && h->parked_until == 0) {
		h->parked_until = now + PARK_MS;
		log_warnx("%s: parked after %d failures in a row (%s); the "
		          "rest of the crawl goes on",
		          h->name, h->fails, why);
		if (ss != NULL)
			ss->parked++;
	}
}

static void
robots_done(struct crawl *c, struct fetch *f, CURLcode res, long status)
{
	struct host *h = f->h;
	int rc = 0;

	robots_free(h->robots);
	h->robots = NULL;
	if (f->refused) {
		log_warnx("%s: refused: resolves to a private address; host "
		          "skipped",
		          h->name);
		rc = robots_deny_all(&h->robots);
	} else if (res == CURLE_OK && status >= 200 && status < 300) {
		rc = robots_parse(f->body.data != NULL ? f->body.data : "",
		                  f->body.len, c->agent, &h->robots);
	} else if (res == CURLE_OK && status >= 400 && status < 500 &&
	           status != 429) {
		rc = robots_allow_all(&h->robots); /* no robots.txt */
	} else if (h->robots_attempt < c->cfg->retries) {
		int64_t next =
		    nb_mono_ms() + 1 +
		    backoff_ms(h->robots_attempt + 1, BACKOFF_BASE_MS,
		               BACKOFF_MAX_MS, rnd32());

		h->robots_attempt++;
		h->rstate = R_NONE;
		/* never sooner than a Retry-After already asked for */
		if (next > h->next_ms)
			h->next_ms = next;
		return;
	} else {
		/* RFC 9309: an unreachable robots.txt disallows everything */
		log_warnx(
		    "%s: robots.txt unavailable (%s); host skipped", h->name,
		    res != CURLE_OK ? curl_easy_strerror(res) : "server error");
		rc = robots_deny_all(&h->robots);
	}
	if (rc != 0)
		log_warnx("%s: robots.txt: %s", h->name, nb_strerror(rc));
	h->rstate = R_READY;
	h->robots_ms = nb_mono_ms();
	h->robots_attempt = 0;
	/* a Crawl-delay counts from the robots.txt request too */
	if (h->robots_ms + site_delay(c, h) > h->next_ms)
		h->next_ms = h->robots_ms + site_delay(c, h);
}

/* Links of a page body in UTF-8, by what the body is. */
static int
discover(const struct item *it, const char *ctype, const char *body, size_t len,
         struct page *pg)
{
	char cs[32];
	char *text = NULL;
	size_t tlen = 0;
	int rc;

	if (charset_detect(ctype, body, len, cs, sizeof(cs)) == 0 &&
	    strcmp(cs, "UTF-8") != 0) {
		if ((rc = charset_to_utf8(cs, body, len, len * 4 + 16, &text,
		                          &tlen)) != 0)
			return rc;
		body = text;
		len = tlen;
	}
	if (strcasestr(ctype, "json") != NULL ||
	    (it->body != NULL && len > 0 && (body[0] == '{' || body[0] == '[')))
		rc = discover_json(it->url, it->body, body, len, pg);
	else if (strcasestr(ctype, "xml") != NULL &&
	         strcasestr(ctype, "html") == NULL)
		rc = discover_xml(it->url, it->body, body, len, pg);
	else
		rc = discover_html(it->url, body, len, pg);
	free(text);
	return rc;
}

static int
is_text_type(const char *ctype)
{
	return ctype[0] == '\0' || strncasecmp(ctype, "text/", 5) == 0 ||
	       strcasestr(ctype, "html") != NULL ||
	       strcasestr(ctype, "json") != NULL ||
	       strcasestr(ctype, "xml") != NULL;
}

/*
 * The worker's part (pool_fn): the page's links, and, for a report
 * candidate with a payload new to its URL, the indexer's record.  It reads
 * only the fetch, its item and its indexer (none of which the loop touches
 * meanwhile) and writes only the fetch.
 */
static void
parse_work(void *arg)
{
	struct fetch *f = arg;
	struct item *it = f->o->it;
	unsigned fflags = f->o->fflags;
	uint8_t sha[STORE_SHA1_LEN];

	if (f->discover &&
	    discover(it, f->ctype, f->body.data, f->body.len, &f->pg) == 0) {
		f->have_pg = 1;
		if (f->pg.report)
			fflags |= LINK_REPORT;
	}
	/*
	 * A payload new to this URL goes to the indexer, response or revisit
	 * alike: a capture archived just before a crash comes back as a
	 * revisit and must still be indexed.  (A revisit's payload digest is
	 * this payload's SHA-1.)
	 */
	if (!f->index_maybe || !(fflags & LINK_REPORT))
		return;
	store_sha1(f->body.data != NULL ? f->body.data : "", f->body.len, sha);
	if ((it->prev_flags & U_RECORDED) &&
	    memcmp(it->prev_sha1, sha, STORE_SHA1_LEN) == 0)
		return;
	{
		struct indexer_input in = {0};
		struct indexer_status st;

		in.data = f->body.data;
		in.len = f->body.len;
		in.content_type = f->ctype[0] != '\0' ? f->ctype : NULL;
		in.url = it->url;
		in.published = it->date;
		in.fetched_ms = f->o->now;
		in.hint = it->site;
		in.link_title = it->title;
		memset(&st, 0, sizeof(st));
		f->indexed = 1;
		f->ixrc = indexer_parse(f->ix->ix, &in, &f->rec, &st);
		snprintf(f->reason, sizeof(f->reason), "%s", st.reason);
		/*
		 * What cannot be read may still say whose report for which
		 * year it is: an unparsed record (a scan is published all the
		 * same), with its parse-failed event.
		 */
		if ((f->ixrc == NB_EUNPARSED || f->ixrc == NB_ETOOBIG) &&
		    indexer_unparsed_record(&in, &st, &f->rec) == 0) {
			f->ixrc = 0;
			f->unparsed = 1;
		}
		if (f->ixrc == 0 &&
		    (f->rjson = json_dumps(f->rec, INDEXER_JSON_FLAGS)) == NULL)
			f->ixrc = NB_ENOMEM;
	}
}

/* Archive the response; 0, or the store's error (writing has stopped). */
static int
capture(struct outcome *o, struct fetch *f, struct store_capture_result *res)
{
	struct store_capture cap = {0};

	cap.url = o->it->url;
	cap.ip = f->ip[0] != '\0' ? f->ip : NULL;
	cap.date = o->now;
	cap.req_headers = f->reqhdrs.data;
	cap.req_headers_len = f->reqhdrs.len;
	cap.req_body = o->it->body;
	cap.req_body_len = o->it->body != NULL ? strlen(o->it->body) : 0;
	cap.resp_headers = f->hdrs.data;
	cap.resp_headers_len = f->hdrs.len;
	cap.payload = f->body.data;
	cap.payload_len = f->body.len;
	/*
	 * curl removed chunking and content codings: say so (store.h); the
	 * group commit fsyncs the file for all the batch's captures.
	 */
	cap.flags = STORE_CAP_DECODED | STORE_CAP_DEDUP | STORE_CAP_NOSYNC;
	return store_capture_append(o->c->store, &cap, res);
}

/* The fetch is done with; its outcome waits for the commit. */
static void
fetch_queue(struct fetch *f)
{
	struct outcome *o = f->o;

	f->o = NULL;
	f->it = NULL;
	batch_add(f->c, o);
	fetch_free(f);
}

/*
 * The loop's part after the read: archive, then everything the response
 * changes in the index (links, record, events, URL state) into the
 * outcome, which waits for the group commit.
 */
static void
fetch_complete(struct fetch *f)
{
	struct crawl *c = f->c;
	struct outcome *o = f->o;
	struct item *it = o->it;
	struct store_capture_result cres;
	const char *agency = it->agency;
	int captured = 0, year = it->year;
	unsigned uflags = it->prev_flags;

	/* a reload since may have dropped the site; then the item waits */
	if ((o->site = host_site(c, f->h)) == NULL || c->failed_store) {
		fetch_free(f);
		return;
	}
	if (f->capture) {
		int rc = capture(o, f, &cres);

		if (rc != 0) {
			store_failed(c, it->url, rc);
			fetch_free(f);
			return;
		}
		captured = 1;
	}
	if (f->have_pg) {
		int report_page = f->pg.report || (it->flags & LINK_REPORT);

		for (size_t i = 0; i < f->pg.nlinks; i++) {
			const struct link *l = &f->pg.links[i];
			const char *date = l->date[0] ? l->date : NULL;
			const char *title = l->title;
			unsigned fl = l->flags;

			/*
			 * An attachment of a report is a report candidate,
			 * published when its page was: the date beside the
			 * page's own link, else the page's PubDate; named by
			 * its link, else by the page (for a scan, which
			 * names nothing itself).
			 */
			if ((fl & LINK_ATTACHMENT) && report_page) {
				fl |= LINK_REPORT;
				if (date == NULL)
					date = it->date        ? it->date
					       : f->pg.date[0] ? f->pg.date
					                       : NULL;
				if (title == NULL || !title_is_report(title))
					title =
					    it->title != NULL &&
					            title_is_report(it->title)
					        ? it->title
					    : f->pg.title != NULL ? f->pg.title
					                          : title;
			}
			outcome_link(o, l->url, title, date, l->body, l->ctype,
			             fl, it->depth + 1, 0);
		}
		if (f->pg.report)
			o->fflags |= LINK_REPORT;
	}
	if (f->indexed && captured) {
		const char *a = NULL;

		if (f->ixrc == NB_EUNPARSED || f->ixrc == NB_ETOOBIG) {
			memcpy(o->reason, f->reason, sizeof(o->reason));
			outcome_event(o, STORE_EV_PARSE_FAILED, NULL, 0,
			              o->reason);
			log_debug("%s: %s", it->url, f->reason);
		} else if (f->ixrc == 0 &&
		           ((a = json_string_value(
		                 json_object_get(f->rec, "agency"))) == NULL ||
		            a[0] == '\0' ||
		            json_integer_value(
		                json_object_get(f->rec, "year")) < 1900)) {
			outcome_event(o, STORE_EV_PARSE_FAILED, NULL, 0,
			              "unparsed: no agency or year");
		} else if (f->ixrc == 0) {
			json_t *rec = f->rec;

			if (f->unparsed) {
				o->unparsed = 1;
				memcpy(o->reason, f->reason, sizeof(o->reason));
				outcome_event(o, STORE_EV_PARSE_FAILED, a,
				              (int)json_integer_value(
				                  json_object_get(rec, "year")),
				              o->reason);
				log_debug("%s: %s", it->url, f->reason);
			}

			o->rec = rec;
			o->rjson = f->rjson;
			f->rec = NULL;
			f->rjson = NULL;
			o->has_report = 1;
			c->st.reports++;
			o->rin.agency = a;
			o->rin.region =
			    json_string_value(json_object_get(rec, "region"));
			o->rin.year = (int)json_integer_value(
			    json_object_get(rec, "year"));
			o->title =
			    json_string_value(json_object_get(rec, "title"));
			o->published = json_string_value(json_object_get(
			    json_object_get(rec, "source"), "published"));
			o->rin.json = o->rjson;
			o->rin.json_len = strlen(o->rjson);
			o->rin.url = it->url;
			o->rin.fetched = o->now;
			o->rin.loc = cres.loc;
			memcpy(o->rin.payload_sha1, cres.payload_sha1,
			       STORE_SHA1_LEN);
			uflags |= U_RECORDED;
			agency = o->rin.agency;
			year = o->rin.year;
		}
	}
	if ((f->status == 404 || f->status == 410) && it->prev_status == 200 &&
	    (it->prev_flags & U_RECORDED)) {
		outcome_event(o, STORE_EV_REMOVED, it->agency, it->year,
		              "the report's page is gone");
		log_debug("removed: %s %d %s", it->agency ? it->agency : "",
		          it->year, it->url);
		uflags &= ~(unsigned)U_RECORDED;
	}
	o->due = o->now + recrawl_ms(c, o->site, o->fflags);
	uflags = (uflags & ~(unsigned)U_DISALLOWED) | o->fflags;
	outcome_state(o, (int)f->status, f->hdrs.data, captured ? &cres : NULL,
	              uflags, agency, year, f->location);
	fetch_queue(f);
}

/* The workers are done reading a page (the pool's done function). */
static void
parse_done(void *arg)
{
	struct fetch *f = arg;
	struct crawl *c = f->c;

	c->jobs--;
	if (c->closing) {
		fetch_free(f);
		return;
	}
	fetch_complete(f);
	if (c->stopping && c->active == NULL && c->jobs == 0)
		crawl_stop_now(c);
	else
		dispatch_soon(c);
}

/* A failed fetch: counted, its state kept, the item back for later. */
static void
fetch_failed(struct fetch *f)
{
	struct crawl *c = f->c;
	struct outcome *o = f->o;
	struct item *it = o->it;
	struct site_state *ss = host_ss(c, f->h);

	c->st.errors++;
	if (ss != NULL) {
		ss->errors++;
		if (it->depth == 0)
			ss->start_failed = 1;
	}
	outcome_state(o, (int)f->status, NULL, NULL, it->prev_flags, it->agency,
	              it->year, it->location);
	fetch_queue(f);
}

/*
 * A transfer is over (curl's CURLMSG_DONE): what the answer means for the
 * host and the item is decided here; a page to read goes to the workers.
 */
static void
fetch_finish(struct fetch *f, CURLcode res)
{
	struct crawl *c = f->c;
	struct host *h = f->h;
	struct item *it = f->it;
	const struct nb_site *site = host_site(c, h);
	struct site_state *ss = host_ss(c, h);
	struct outcome *o;
	curl_off_t retry_after = 0;
	const char *why = NULL;
	char v[URL_MAX + 1], *to = NULL, *ip = NULL;
	int transient = 0;

	h->active--;
	c->st.active--;
	c->st.done++;
	c->st.bytes += f->body.len;
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
	curl_easy_getinfo(f->easy, CURLINFO_RETRY_AFTER, &retry_after);
	curl_easy_getinfo(f->easy, CURLINFO_PRIMARY_IP, &ip);
	if (ip != NULL)
		snprintf(f->ip, sizeof(f->ip), "%s", ip);
	fetch_detach(f);
	/* the host's delay counts from the end of its last transfer too */
	if (nb_mono_ms() + site_delay(c, h) > h->next_ms)
		h->next_ms = nb_mono_ms() + site_delay(c, h);
	if (f->purpose == P_ROBOTS) {
		robots_done(c, f, res, f->status);
		fetch_free(f);
		goto out;
	}
	/* a site dropped by a reload, or the archive failed: it stays queued */
	if (site == NULL || c->failed_store) {
		fetch_free(f);
		goto out;
	}
	if (ss != NULL)
		ss->pages++;
	if ((o = outcome_new(c, site, it)) == NULL) {
		log_warnx("%s: out of memory; fetched again later", it->url);
		fetch_free(f);
		goto out;
	}
	f->o = o;
	f->it = NULL;
	o->requeue = 1;
	o->due = o->now + recrawl_ms(c, site, it->flags);
	header_value(f->hdrs.data, "Content-Type", f->ctype, sizeof(f->ctype));

	if (f->refused) {
		log_warnx("%s: refused: resolves to a private address",
		          it->url);
		fetch_failed(f);
		goto out;
	}
	if (f->toobig || res == CURLE_FILESIZE_EXCEEDED) {
		log_warnx("%s: body larger than max_body (%llu bytes); not "
		          "archived",
		          it->url, (unsigned long long)c->cfg->max_body);
		fetch_failed(f);
		goto out;
	}
	if (res != CURLE_OK) {
		why = f->err[0] != '\0' ? f->err : curl_easy_strerror(res);
		transient = 1;
	} else if (f->status == 429 || f->status == 503) {
		why = f->status == 429 ? "429 Too Many Requests"
		                       : "503 Service Unavailable";
		transient = 1;
		/* slow the whole host down, not just this URL */
		h->slow_ms = h->slow_ms * 2 + SLOW_STEP_MS;
		if (h->slow_ms > BACKOFF_MAX_MS)
			h->slow_ms = BACKOFF_MAX_MS;
	} else if (f->status >= 500) {
		why = "server error";
		transient = 1;
	} else if ((why = challenge_detect(f->status, f->body.data,
	                                   f->body.len)) != NULL) {
		c->st.blocked++;
		if (ss != NULL)
			ss->blocked++;
		h->slow_ms = h->slow_ms * 2 + SLOW_STEP_MS;
		if (h->slow_ms > BACKOFF_MAX_MS)
			h->slow_ms = BACKOFF_MAX_MS;
		if (!h->blocked_said) {
			h->blocked_said = 1;
			outcome_event(o, STORE_EV_BLOCKED, NULL, 0, why);
			log_debug("%s: blocked: %s", it->url, why);
		}
		transient = 1;
	}
	if (transient) {
		long wait = retry_after > 0
		                ? (long)retry_after * 1000
		                : backoff_ms(it->attempt + 1, BACKOFF_BASE_MS,
		                             BACKOFF_MAX_MS, rnd32());

		if (wait > BACKOFF_MAX_MS)
			wait = BACKOFF_MAX_MS;
		host_failure(c, h, wait, why);
		/*
		 * What the host's queue holds goes back: after the wait the
		 * store's order decides again, the retry among the rest,
		 * instead of the queue going first every time.
		 */
		host_unqueue(c, h);
		h->has_work = 1;
		if (it->attempt < c->cfg->retries && h->parked_until == 0) {
			log_debug("%s: %s; retry %d in %ld ms", it->url, why,
			          it->attempt + 1, wait);
			o->attempt = it->attempt + 1;
			/* the host waits; in a --once pass the item stays due
			 */
			o->due = c->opts.once ? due_now(c) : o->now + wait;
			fetch_queue(f);
			goto out;
		}
		log_warnx("%s: %s; giving up after %d attempts", it->url, why,
		          it->attempt + 1);
		fetch_failed(f);
		goto out;
	}
	host_success(h);

	if (f->status >= 300 && f->status < 400 && f->status != 304 &&
	    header_value(f->hdrs.data, "Location", v, sizeof(v)) &&
	    url_normalize(it->url, v, &to) == 0) {
		if (it->redirects + 1 > c->cfg->max_redirects)
			log_warnx("%s: more than %d redirects", it->url,
			          c->cfg->max_redirects);
		else if (!url_in_scope(site, to))
			log_debug("%s: redirect to %s is off the allow-list",
			          it->url, to);
		else
			outcome_link(o, to, it->title, it->date, NULL, NULL,
			             it->flags, it->depth, it->redirects + 1);
	}
	/* an unchanged redirect or error page is not archived again */
	f->capture = !(f->status == it->prev_status && f->status != 200 &&
	               f->status != 304 &&
	               ((to != NULL && it->location != NULL &&
	                 strcmp(to, it->location) == 0) ||
	                (to == NULL && f->body.len == 0)));
	f->location = to;
	f->discover = f->status == 200 && f->body.len > 0 &&
	              !url_is_attachment(it->url) && is_text_type(f->ctype);
	f->index_maybe = f->status == 200 && f->capture;
	if (!f->discover && !(f->index_maybe && (o->fflags & LINK_REPORT))) {
		fetch_complete(f);
		goto out;
	}
	f->ix = c->ix_cur;
	f->ix->refs++;
	if (pool_submit(c->pool, parse_work, f) != 0) {
		log_warnx("%s: out of memory; fetched again later", it->url);
		fetch_free(f);
		goto out;
	}
	c->jobs++;
out:
	if (c->stopping && c->active == NULL && c->jobs == 0)
		crawl_stop_now(c);
	else
		dispatch_soon(c);
}

/* ---- dispatch (the fifth callback) ---- */

/* A host's queue: its next due items, taken from the store. */
struct refill {
	struct crawl *c;
	struct host *h;
	struct store_txn *txn;
	int rc;
};

static int
refill_cb(const struct store_frontier_item *fi, void *arg)
{
	struct refill *r = arg;
	struct crawl *c = r->c;
	struct item *it;
	struct store_url su;

	if (keyset_has(&c->taken, fi->url))
		return 0; /* in memory already */
	if (item_from_frontier(fi, &it) != 0) {
		/* undecodable: drop it rather than meet it again and again */
		struct item *bad = calloc(1, sizeof(*bad));
		struct outcome *o;

		if (bad == NULL || (bad->key = strdup(fi->url)) == NULL ||
		    (bad->url = strdup(fi->url)) == NULL ||
		    (bad->site = strdup(fi->site)) == NULL ||
		    keyset_add(&c->taken, bad->key) != 0) {
			item_free(bad);
			return (r->rc = NB_ENOMEM);
		}
		bad->taken = 1;
		if ((o = outcome_new(c, host_site(c, r->h), bad)) == NULL) {
			item_release(c, bad);
			return (r->rc = NB_ENOMEM);
		}
		o->remove = 1;
		batch_add(c, o);
		return 0;
	}
	if (keyset_add(&c->taken, it->key) != 0) {
		item_free(it);
		return (r->rc = NB_ENOMEM);
	}
	it->taken = 1;
	if (store_url_get(r->txn, it->key, &su) == 0)
		item_state_load(it, &su);
	r->h->q[r->h->qn++] = it;
	return r->h->qn == HOSTQ ? 1 : 0;
}

/* Fill h's queue from the store; when it stays short, the host is done. */
static int
host_refill(struct crawl *c, struct store_txn *txn, struct host *h)
{
	struct refill r = {c, h, txn, 0};
	int rc;

	rc = store_frontier_due(txn, h->site_id, h->name, due_now(c), refill_cb,
	                        &r);
	if (rc < 0)
		return rc;
	if (r.rc != 0)
		return r.rc;
	if (h->qn < HOSTQ)
		h->has_work = 0;
	return 0;
}

static struct item *
host_pop(struct host *h)
{
	struct item *it = h->q[0];

	memmove(h->q, h->q + 1, (size_t)(h->qn - 1) * sizeof(h->q[0]));
	h->qn--;
	return it;
}

/* Forget the items a host holds (they are still in the store). */
static void
host_unqueue(struct crawl *c, struct host *h)
{
	while (h->qn > 0)
		item_release(c, host_pop(h));
}

static int
robots_start(struct crawl *c, struct host *h)
{
	struct item *it = calloc(1, sizeof(*it));
	int rc;

	if (it == NULL)
		return NB_ENOMEM;
	if (asprintf(&it->url, "%s/robots.txt", h->robots_base) < 0) {
		it->url = NULL;
		item_free(it);
		return NB_ENOMEM;
	}
	h->rstate = R_FETCHING;
	if ((rc = fetch_start(c, h, it, P_ROBOTS)) != 0) {
		h->rstate = R_NONE;
		item_free(it);
	}
	return rc;
}

static int
site_over_budget(struct crawl *c, const struct host *h, const struct nb_site *s)
{
	struct site_state *ss = host_ss(c, h);

	if (ss == NULL || (long)ss->pages < s->page_budget)
		return 0;
	if (!ss->over_budget) {
		ss->over_budget = 1;
		log_warnx("site %s: page budget of %ld reached; the rest waits "
		          "for the next pass",
		          s->id, s->page_budget);
	}
	return 1;
}

/* May h start a transfer now?  Starts its robots.txt first if needed. */
static int
host_ready(struct crawl *c, struct host *h, int64_t now)
{
	const struct nb_site *site;

	if (!h->has_work && h->qn == 0)
		return 0;
	if ((site = host_site(c, h)) == NULL || site_over_budget(c, h, site)) {
		h->has_work = 0;
		host_unqueue(c, h);
		return 0;
	}
	if (h->parked_until != 0) {
		if (c->opts.once || now < h->parked_until)
			return 0;
		h->parked_until = 0;
		h->fails = 0;
	}
	if (h->active >= c->cfg->per_host || now < h->next_ms)
		return 0;
	if (h->rstate == R_READY && h->active == 0 &&
	    now - h->robots_ms > ROBOTS_TTL_MS)
		h->rstate = R_NONE;
	if (h->rstate == R_NONE)
		robots_start(c, h);
	return h->rstate == R_READY;
}

/* robots.txt says no: out of the frontier, remembered until re-crawl */
static void
item_drop(struct crawl *c, const struct nb_site *site, struct item *it)
{
	struct outcome *o = outcome_new(c, site, it);
	uint8_t buf[BLOB_MAX];
	struct blob b = {buf, 0, sizeof(buf), 0};

	if (o == NULL) {
		item_release(c, it);
		return;
	}
	log_debug("%s: disallowed by robots.txt", it->url);
	o->remove = 1;
	o->put_state = 1;
	ublob_make(&b, it->prev_flags | U_DISALLOWED, it->year, it->agency,
	           it->location);
	o->u.status = it->prev_status;
	o->u.last_fetch = o->now;
	o->u.next_fetch = o->now + recrawl_ms(c, site, 0);
	o->u.etag = it->etag;
	o->u.last_modified = it->lastmod;
	if ((o->ubuf = blob_keep(&b)) != NULL) {
		o->u.blob = o->ubuf;
		o->u.blob_len = b.len;
	}
	batch_add(c, o);
}

static void
item_start(struct crawl *c, struct host *h, struct item *it)
{
	const struct nb_site *site = host_site(c, h);
	struct site_state *ss = host_ss(c, h);
	char path[URL_MAX + 2];

	if (site == NULL) {
		item_release(c, it);
		return;
	}
	if (url_path_get(it->url, path, sizeof(path)) != 0 ||
	    !robots_allowed(h->robots, path)) {
		item_drop(c, site, it);
		return;
	}
	/* in the daemon, a start page due again begins a new pass */
	if (it->depth == 0 && ss != NULL && !c->opts.once &&
	    nb_now_ms() >= ss->next_seed_ms) {
		ss->pages = 0;
		ss->over_budget = 0;
		ss->next_seed_ms = nb_now_ms() + site->recrawl_ms;
	}
	if (fetch_start(c, h, it, P_PAGE) != 0)
		item_release(c, it);
}

static void
dispatch_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct crawl *c = arg;
	int64_t now = nb_mono_ms(), wake = INT64_MAX;
	struct store_txn *txn = NULL;
	long room_all;
	int busy = 0, rc;

	(void)fd;
	(void)kind;
	if (c->stopping || c->failed_store)
		return;
	/* pages being read count against the concurrency: they hold memory */
	room_all =
	    (long)c->cfg->concurrency - (long)c->st.active - (long)c->jobs;
	for (size_t n = 0; n < c->nhosts && room_all > 0; n++) {
		struct host *h = c->hosts[(c->rr + n) % c->nhosts];
		int room;

		if (!host_ready(c, h, now))
			continue;
		room = c->cfg->per_host - h->active;
		/* with a delay, one start per host and wait */
		if (site_delay(c, h) > 0 && room > 1)
			room = 1;
		while (room > 0 && room_all > 0) {
			if (h->qn == 0) {
				if (!h->has_work)
					break;
				if (txn == NULL && (rc = store_read_begin(
				                        c->store, &txn)) != 0) {
					store_failed(c, "frontier", rc);
					return;
				}
				if ((rc = host_refill(c, txn, h)) != 0) {
					store_read_end(txn);
					store_failed(c, "frontier", rc);
					return;
				}
				if (h->qn == 0)
					break;
			}
			item_start(c, h, host_pop(h));
			room--;
			room_all--;
		}
	}
	store_read_end(txn);
	if (c->nhosts > 0)
		c->rr = (c->rr + 1) % c->nhosts;
	for (size_t n = 0; n < c->nhosts; n++) {
		struct host *h = c->hosts[n];

		if ((!h->has_work && h->qn == 0) ||
		    (h->parked_until != 0 && c->opts.once))
			continue;
		busy = 1;
		if (h->active < c->cfg->per_host && h->next_ms < wake)
			wake = h->next_ms;
	}
	if (!busy && c->st.active == 0 && c->jobs == 0 && c->opts.once &&
	    !c->finished) {
		/* what waits for the commit may bring more work */
		if (c->nbatch > 0) {
			batch_commit(c);
			return;
		}
		c->finished = 1;
		event_base_loopexit(c->base, NULL);
		return;
	}
	if (wake != INT64_MAX) {
		int64_t d = wake - nb_mono_ms();
		struct timeval tv;

		if (d < 1)
			d = 1;
		tv.tv_sec = d / 1000;
		tv.tv_usec = (d % 1000) * 1000;
		evtimer_add(c->dispatch_ev, &tv);
	}
}

static void
dispatch_soon(struct crawl *c)
{
	struct timeval tv = {0, 0};

	if (!c->stopping)
		evtimer_add(c->dispatch_ev, &tv);
}

/* ---- passes, overdue reports, progress, shutdown ---- */

struct seed {
	struct crawl *c;
	int64_t now;
	int pushed;
};

/* Start pages the index does not know yet, or that are due and not queued. */
static int
seed_fn(struct store_txn *txn, void *arg)
{
	struct seed *sd = arg;
	const struct nb_config *cfg = sd->c->cfg;
	int rc;

	sd->pushed = 0;
	for (size_t i = 0; i < cfg->nsites; i++) {
		const struct nb_site *s = &cfg->sites[i];

		for (size_t j = 0; j < s->start.n; j++) {
			struct store_frontier_item fi = {0};
			struct store_url su;
			uint8_t buf[BLOB_MAX];
			struct blob b = {buf, 0, sizeof(buf), 0};
			char *u = NULL, host[300];

			if (url_normalize(NULL, s->start.v[j], &u) != 0 ||
			    url_hostport(u, host, sizeof(host)) != 0) {
				free(u);
				continue;
			}
			if (store_frontier_get(txn, u, &fi) == 0 ||
			    (store_url_get(txn, u, &su) == 0 &&
			     su.next_fetch > sd->now)) {
				free(u);
				continue;
			}
			fblob_make(&b, LINK_LIST, 0, 0, 0, 0, NULL, NULL, NULL,
			           NULL);
			fi.url = u;
			fi.site = s->id;
			fi.host = host;
			fi.due = sd->now;
			fi.prio = PRIO_LIST;
			fi.blob = buf;
			fi.blob_len = b.len;
			rc = store_frontier_push(txn, &fi);
			free(u);
			if (rc != 0)
				return rc;
			sd->pushed++;
		}
	}
	return 0;
}

static int
hosts_cb(const struct store_frontier_item *fi, void *arg)
{
	struct crawl *c = arg;
	struct host *h;

	if (site_index(c, fi->site) < 0)
		return 0;
	if ((h = host_get(c, fi->url, fi->host, fi->site)) == NULL)
		return NB_ENOMEM;
	h->has_work = 1;
	return 0;
}

/* Seed new start pages and learn every host the frontier holds. */
static int
frontier_load(struct crawl *c)
{
	struct seed sd = {c, due_now(c), 0};
	struct store_txn *txn;
	int rc;

	if ((rc = store_write(c->store, seed_fn, &sd)) != 0)
		return rc;
	if ((rc = store_read_begin(c->store, &txn)) != 0)
		return rc;
	rc = store_frontier_hosts(txn, NULL, hosts_cb, c);
	store_read_end(txn);
	return rc;
}

/* The agencies of the configuration, so that silence is noticed too. */
static int
agencies_fn(struct store_txn *txn, void *arg)
{
	const struct nb_config *cfg = arg;
	int rc;

	for (size_t i = 0; i < cfg->nagencies; i++) {
		const struct nb_agency *ag = &cfg->agencies[i];
		struct store_agency a;
		int crawled = 0;

		/* only the regions this configuration crawls */
		for (size_t j = 0; j < cfg->nsites; j++)
			crawled |=
			    ag->region != NULL &&
			    strcmp(cfg->sites[j].region, ag->region) == 0;
		if (!crawled || store_agency_get(txn, ag->name, &a) == 0)
			continue;
		memset(&a, 0, sizeof(a));
		a.name = ag->name;
		a.region = ag->region != NULL ? ag->region : "";
		a.site = "";
		for (size_t j = 0; j < cfg->nsites; j++)
			if (ag->region != NULL &&
			    strcmp(cfg->sites[j].region, ag->region) == 0)
				a.site = cfg->sites[j].id;
		a.kind = ag->kind == NB_KIND_GOVERNMENT ? STORE_KIND_GOVERNMENT
		         : ag->kind == NB_KIND_DEPARTMENT
		             ? STORE_KIND_DEPARTMENT
		             : STORE_KIND_AUTO;
		if ((rc = store_agency_put(txn, &a)) != 0)
			return rc;
	}
	return 0;
}

/* ---- overdue: a deadline passed and no report is in the archive ---- */

struct overdue {
	struct crawl *c;
	int year;
	int64_t now;
	char **said; /* "agency\n" of overdue events already logged */
	size_t nsaid;
	struct overdue_one {
		char *agency, *region, *site;
		enum store_agency_kind kind;
	} * v;
	size_t n;
	const char *site_id, *region;
	struct store_txn *txn;
};

static int
said_cb(const struct store_event *ev, void *arg)
{
	struct overdue *od = arg;
	char **n;

	if (ev->type != STORE_EV_OVERDUE || ev->year != od->year)
		return 0;
	if ((n = reallocarray(od->said, od->nsaid + 1, sizeof(*n))) == NULL)
		return NB_ENOMEM;
	od->said = n;
	if ((od->said[od->nsaid] = strdup(ev->agency)) == NULL)
		return NB_ENOMEM;
	od->nsaid++;
	return 0;
}

static int
missing_cb(const struct store_agency *a, void *arg)
{
	struct overdue *od = arg;
	struct overdue_one *n;
	char deadline[16];
	int64_t dl;

	deadline_of(a->name, a->kind, od->year, deadline);
	if (nb_time_parse(deadline, &dl) != 0 || od->now < dl + 86400LL * 1000)
		return 0;
	for (size_t i = 0; i < od->nsaid; i++)
		if (strcmp(od->said[i], a->name) == 0)
			return 0;
	if ((n = reallocarray(od->v, od->n + 1, sizeof(*n))) == NULL)
		return NB_ENOMEM;
	od->v = n;
	n = &od->v[od->n];
	n->agency = strdup(a->name);
	n->region = strdup(a->region);
	n->site = strdup(a->site[0] != '\0' ? a->site : od->site_id);
	n->kind = a->kind;
	if (n->agency == NULL || n->region == NULL || n->site == NULL) {
		free(n->agency);
		free(n->region);
		free(n->site);
		return NB_ENOMEM;
	}
	od->n++;
	return 0;
}

static int
overdue_fn(struct store_txn *txn, void *arg)
{
	struct overdue *od = arg;
	int rc;

	for (size_t i = 0; i < od->n; i++) {
		struct store_event ev = {0};
		char deadline[16], detail[64];

		deadline_of(od->v[i].agency, od->v[i].kind, od->year, deadline);
		snprintf(detail, sizeof(detail), "deadline %s", deadline);
		ev.type = STORE_EV_OVERDUE;
		ev.agency = od->v[i].agency;
		ev.year = od->year;
		ev.url = "";
		ev.detail = detail;
		if ((rc = store_event_append(txn, &ev, NULL)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Once per pass: every agency of a configured region without a report for
 * last year, past its deadline, gets one "overdue" event (and the hook).
 */
static void
overdue_check(struct crawl *c)
{
	struct overdue od = {0};
	struct store_txn *txn;
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&t, &tm);
	od.c = c;
	od.year = tm.tm_year + 1900 - 1;
	od.now = nb_now_ms();
	if (store_read_begin(c->store, &txn) != 0)
		return;
	rc = store_event_iter(txn, 0, said_cb, &od);
	for (size_t i = 0; rc == 0 && i < c->cfg->nsites; i++) {
		const struct nb_site *s = &c->cfg->sites[i];
		int dup = 0;

		for (size_t j = 0; j < i; j++)
			dup |= strcmp(c->cfg->sites[j].region, s->region) == 0;
		if (dup)
			continue;
		od.site_id = s->id;
		rc = store_missing(txn, od.year, s->region, missing_cb, &od);
	}
	store_read_end(txn);
	if (rc == 0 && od.n > 0 &&
	    (rc = store_write(c->store, overdue_fn, &od)) == 0) {
		for (size_t i = 0; i < od.n; i++) {
			log_debug("overdue: %s %d", od.v[i].agency, od.year);
			hook_fire(c, "overdue", od.v[i].site, od.v[i].region,
			          od.v[i].agency, od.year, NULL, NULL, NULL);
		}
	}
	if (rc != 0)
		log_warnx("overdue check: %s", nb_strerror(rc));
	for (size_t i = 0; i < od.nsaid; i++)
		free(od.said[i]);
	free(od.said);
	for (size_t i = 0; i < od.n; i++) {
		free(od.v[i].agency);
		free(od.v[i].region);
		free(od.v[i].site);
	}
	free(od.v);
	c->last_overdue_ms = nb_mono_ms();
}

static void
progress(struct crawl *c)
{
	int64_t el = nb_mono_ms() - c->started_ms;
	double rate = el > 0 ? (double)c->st.done * 1000.0 / (double)el : 0;
	struct store_txn *txn;
	uint64_t q = 0;

	if (store_read_begin(c->store, &txn) == 0) {
		store_frontier_count(txn, NULL, NULL, &q);
		store_read_end(txn);
	}
	c->st.queued = q;
	printf("\r\033[Ksites %u  pages %llu done, %llu in frontier, %llu "
	       "active  reports %llu  errors %llu  blocked %llu  %.0f pages/s",
	       c->st.sites, (unsigned long long)c->st.done,
	       (unsigned long long)q, (unsigned long long)c->st.active,
	       (unsigned long long)c->st.reports,
	       (unsigned long long)c->st.errors,
	       (unsigned long long)c->st.blocked, rate);
	fflush(stdout);
}

static void
tick_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct crawl *c = arg;
	static unsigned ticks;

	(void)fd;
	(void)kind;
	if (c->opts.progress)
		progress(c);
	if (c->opts.once || c->stopping)
		return;
	/* the daemon: re-look at every host now and then, as items fall due */
	if (++ticks % 30 == 0) {
		if (frontier_load(c) != 0)
			log_warnx("frontier: cannot reload");
		for (size_t i = 0; i < c->nhosts; i++)
			c->hosts[i]->has_work = 1;
		dispatch_soon(c);
	}
	if (nb_mono_ms() - c->last_overdue_ms > 3600L * 1000)
		overdue_check(c);
}

/* Nothing is in flight any more: commit what waits, leave the loop. */
static void
crawl_stop_now(struct crawl *c)
{
	evtimer_del(c->drain_ev);
	batch_commit(c);
	event_base_loopexit(c->base, NULL);
}

static void
drain_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct crawl *c = arg;

	(void)fd;
	(void)kind;
	if (c->active != NULL)
		log_info("abandoning %llu transfers in flight (they stay in "
		         "the frontier)",
		         (unsigned long long)c->st.active);
	while (c->active != NULL) {
		c->active->h->active--;
		c->st.active--;
		fetch_free(c->active);
	}
	/* pages being read take milliseconds: their outcomes are kept */
	pool_drain(c->pool);
	crawl_stop_now(c);
}

void
crawl_stop(struct crawl *c)
{
	struct timeval tv = {DRAIN_MS / 1000, (DRAIN_MS % 1000) * 1000};

	if (c->stopping)
		return;
	c->stopping = 1;
	evtimer_del(c->dispatch_ev);
	if (c->active == NULL && c->jobs == 0) {
		crawl_stop_now(c);
		return;
	}
	log_info("stopping: waiting up to %d ms for %llu transfers", DRAIN_MS,
	         (unsigned long long)c->st.active);
	evtimer_add(c->drain_ev, &tv);
}

/* ---- life cycle ---- */

static struct curl_slist *
resolve_list(const struct nb_config *cfg)
{
	struct curl_slist *l = NULL;

	for (size_t i = 0; i < cfg->resolve.n; i++) {
		struct curl_slist *n = curl_slist_append(l, cfg->resolve.v[i]);

		if (n == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = n;
	}
	return l;
}

/* Is a proxy in use, from the config or from the environment? */
static int
proxy_in_use(const struct nb_config *cfg)
{
	static const char *const vars[] = {"http_proxy", "https_proxy",
	                                   "HTTPS_PROXY", "all_proxy",
	                                   "ALL_PROXY"};

	if (cfg->proxy[0] != '\0')
		return 1;
	for (size_t i = 0; i < NB_NELEM(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && v[0] != '\0')
			return 1;
	}
	return 0;
}

static int
sites_sync(struct crawl *c)
{
	struct site_state *ns;
	size_t n = c->cfg->nsites;

	ns = calloc(n ? n : 1, sizeof(*ns));
	if (ns == NULL)
		return NB_ENOMEM;
	/* first what may fail: the new sites' names; the old stay whole */
	for (size_t i = 0; i < n; i++)
		if (site_state(c, c->cfg->sites[i].id) == NULL &&
		    (ns[i].id = strdup(c->cfg->sites[i].id)) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(ns[j].id);
			free(ns);
			return NB_ENOMEM;
		}
	/* then the sites kept take their counters along */
	for (size_t i = 0; i < n; i++) {
		struct site_state *old;

		if (ns[i].id == NULL &&
		    (old = site_state(c, c->cfg->sites[i].id)) != NULL)
			ns[i] = *old;
	}
	for (size_t i = 0; i < c->nsites; i++) {
		int kept = 0;

		for (size_t j = 0; j < n && !kept; j++)
			kept = ns[j].id == c->sites[i].id;
		if (!kept)
			free(c->sites[i].id);
	}
	free(c->sites);
	c->sites = ns;
	c->nsites = n;
	c->st.sites = (unsigned)n;
	return 0;
}

/* Settings that follow the configuration (at start and on reload). */
static int
config_apply(struct crawl *c, const struct nb_config *old)
{
	struct ixref *ix;
	int rc;

	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	                  (long)c->cfg->concurrency);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	                  (long)c->cfg->per_host);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS,
	                  (long)c->cfg->concurrency * 2);
	robots_agent_token(c->cfg->user_agent, c->agent, sizeof(c->agent));
	c->proxied = proxy_in_use(c->cfg);
	if ((ix = calloc(1, sizeof(*ix))) == NULL)
		return NB_ENOMEM;
	if ((rc = indexer_ctx_new(c->cfg, &ix->ix)) != 0) {
		free(ix);
		return rc;
	}
	/* pages being read keep the old one until they are done */
	ix->refs = 1;
	ixref_put(c, c->ix_cur);
	c->ix_cur = ix;
	/* children of a running hook are reaped by it: keep it if unchanged */
	if (old == NULL || strcmp(old->on_event, c->cfg->on_event) != 0) {
		hook_free(c->hook);
		c->hook = NULL;
		if (c->cfg->on_event[0] != '\0' &&
		    (rc = hook_new(c->base, c->cfg->on_event, HOOKS_MAX,
		                   &c->hook)) != 0)
			return rc;
	}
	if ((rc = sites_sync(c)) != 0)
		return rc;
	for (size_t i = 0; i < c->nhosts; i++)
		c->hosts[i]->site = site_index(c, c->hosts[i]->site_id);
	return store_write(c->store, agencies_fn, c->cfg);
}

/* A worker per core, up to WORKERS_MAX: the loop itself needs little. */
static int
workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (int)n;
}

int
crawl_new(struct event_base *base, struct nb_config *cfg,
          const struct crawl_opts *opts, struct crawl **out)
{
	struct store_opts so = {0};
	struct crawl *c;
	int rc = NB_ENOMEM;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NB_ENOMEM;
	c->base = base;
	c->opts = *opts;
	/* libxml2 sets itself up once, before the workers share it */
	xmlInitParser();
	so.warc_size = cfg->warc_size;
	so.user_agent = cfg->user_agent;
	if ((rc = store_open(cfg->data_dir, STORE_RDWR | STORE_CREATE, &so,
	                     &c->store)) != 0) {
		log_warnx("%s: cannot open the archive: %s", cfg->data_dir,
		          nb_strerror(rc));
		goto fail;
	}
	rc = NB_ENOMEM;
	if ((c->multi = curl_multi_init()) == NULL) {
		log_warnx("curl_multi_init failed");
		rc = NB_EIO;
		goto fail;
	}
	c->timer_ev = evtimer_new(base, timer_cb, c);
	c->dispatch_ev = evtimer_new(base, dispatch_cb, c);
	c->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, c);
	c->drain_ev = evtimer_new(base, drain_cb, c);
	c->batch_ev = evtimer_new(base, batch_cb, c);
	if (c->timer_ev == NULL || c->dispatch_ev == NULL ||
	    c->tick_ev == NULL || c->drain_ev == NULL || c->batch_ev == NULL)
		goto fail;
	if ((rc = pool_new(base, workers(), parse_done, &c->pool)) != 0)
		goto fail;
	rc = NB_ENOMEM;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING,
	                  (long)CURLPIPE_MULTIPLEX);
	c->cfg = cfg;
	if (cfg->resolve.n > 0 && (c->resolve = resolve_list(cfg)) == NULL)
		goto fail;
	if ((rc = config_apply(c, NULL)) != 0) {
		log_warnx("cannot start: %s", nb_strerror(rc));
		goto fail;
	}
	*out = c;
	return 0;
fail:
	c->cfg = NULL;
	crawl_free(c);
	return rc;
}

void
crawl_start(struct crawl *c)
{
	struct timeval tick = {TICK_MS / 1000, 0};
	int rc;

	c->started_ms = nb_mono_ms();
	c->last_overdue_ms = c->started_ms;
	c->pass_ms = nb_now_ms();
	if ((rc = frontier_load(c)) != 0) {
		store_failed(c, "frontier", rc);
		return;
	}
	event_add(c->tick_ev, &tick);
	dispatch_soon(c);
}

void
crawl_finish(struct crawl *c)
{
	if (c->opts.once && c->finished && !c->failed_store)
		overdue_check(c);
	if (c->opts.progress)
		progress(c);
}

void
crawl_reload(struct crawl *c, struct nb_config *cfg)
{
	struct curl_slist *res = resolve_list(cfg);
	struct nb_config *old = c->cfg;
	int rc;

	if (cfg->resolve.n > 0 && res == NULL) {
		log_warnx("reload: out of memory; the running configuration "
		          "stays");
		config_free(cfg);
		return;
	}
	if (strcmp(old->data_dir, cfg->data_dir) != 0)
		log_warnx("reload: data_dir changes only with a restart; still "
		          "%s",
		          old->data_dir);
	/* what waits for the commit points into the old configuration */
	batch_commit(c);
	c->cfg = cfg;
	if ((rc = config_apply(c, old)) != 0) {
		log_warnx("reload: %s; the running configuration stays",
		          nb_strerror(rc));
		c->cfg = old;
		config_apply(c, cfg);
		curl_slist_free_all(res);
		config_free(cfg);
		return;
	}
	/* transfers in flight still point at the old pins */
	curl_slist_free_all(c->old_resolve);
	c->old_resolve = c->resolve;
	c->resolve = res;
	config_free(old);
	if (frontier_load(c) != 0)
		log_warnx("reload: cannot seed the new start pages");
	for (size_t i = 0; i < c->nhosts; i++)
		c->hosts[i]->has_work = 1;
	dispatch_soon(c);
}

void
crawl_stats_get(const struct crawl *c, struct crawl_stats *out)
{
	*out = c->st;
}

int
crawl_hooks_busy(const struct crawl *c)
{
	return c->hook != NULL ? hook_busy(c->hook) : 0;
}

int
crawl_summary(const struct crawl *c, FILE *fp)
{
	int failed = c->failed_store;

	for (size_t i = 0; i < c->nsites; i++) {
		const struct site_state *s = &c->sites[i];
		int bad = s->start_failed || s->parked > 0;

		failed += bad;
		fprintf(fp,
		        "%-16s %s  pages %llu  errors %llu  blocked %llu  "
		        "parked hosts %d%s\n",
		        s->id, bad ? "FAILED" : "ok",
		        (unsigned long long)s->pages,
		        (unsigned long long)s->errors,
		        (unsigned long long)s->blocked, s->parked,
		        s->over_budget ? "  (page budget reached)" : "");
	}
	return failed;
}

void
crawl_free(struct crawl *c)
{
	if (c == NULL)
		return;
	c->closing = 1;
	pool_free(c->pool);
	while (c->active != NULL)
		fetch_free(c->active);
	/* the loop ends with nothing waiting unless the archive failed */
	for (size_t i = 0; i < c->nbatch; i++)
		outcome_free(c->batch[i]);
	free(c->batch);
	for (size_t i = 0; i < c->nhosts; i++) {
		host_unqueue(c, c->hosts[i]);
		robots_free(c->hosts[i]->robots);
		free(c->hosts[i]->name);
		free(c->hosts[i]->site_id);
		free(c->hosts[i]->robots_base);
		free(c->hosts[i]);
	}
	free(c->hosts);
	free(c->hmap);
	free(c->taken.v);
	for (size_t i = 0; i < c->nsites; i++)
		free(c->sites[i].id);
	free(c->sites);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	if (c->timer_ev != NULL)
		event_free(c->timer_ev);
	if (c->dispatch_ev != NULL)
		event_free(c->dispatch_ev);
	if (c->tick_ev != NULL)
		event_free(c->tick_ev);
	if (c->drain_ev != NULL)
		event_free(c->drain_ev);
	if (c->batch_ev != NULL)
		event_free(c->batch_ev);
	curl_slist_free_all(c->resolve);
	curl_slist_free_all(c->old_resolve);
	hook_free(c->hook);
	ixref_put(c, c->ix_cur);
	store_close(c->store);
	config_free(c->cfg);
	free(c);
}
