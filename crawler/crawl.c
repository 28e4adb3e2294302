/*
 * crawl.c - the engine, in the shape of curl's hiperfifo: three structs
 * (struct crawl = GlobalInfo, struct fetch = ConnInfo, struct sock =
 * SockInfo) and five callbacks (sock_cb and multi_timer_cb called by curl,
 * event_cb and timer_cb called by libevent, dispatch_cb handing out work
 * when hosts are ready).  Politeness lives in struct host: connections in
 * use, the earliest next start, robots.txt, backoff, parking.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "buf.h"
#include "crawl.h"
#include "crawler.h"
#include "log.h"
#include "nbtime.h"

#define ROBOTS_MAX      (512 * 1024) /* RFC 9309: at least 500 KiB */
#define ROBOTS_TTL_MS   (24L * 3600 * 1000)
#define HEADERS_MAX     (64 * 1024)
#define PARK_AFTER      8 /* failures in a row before a host is parked */
#define PARK_MS         (3600L * 1000)
#define BACKOFF_BASE_MS 1000L
#define BACKOFF_MAX_MS  (5L * 60 * 1000)
#define DRAIN_MS        3000
#define TICK_MS         1000

enum purpose { P_PAGE, P_ROBOTS };
enum robots_state { R_NONE, R_FETCHING, R_READY };

/* A URL waiting for its host. */
struct item {
	char *url;
	char *body;  /* POST body or NULL */
	char *ctype; /* its Content-Type */
	unsigned flags;
	int depth;
	int attempt;   /* failures so far */
	int redirects; /* hops that led here */
	struct item *next;
};

/* What is known about a URL (until the store keeps it). */
struct urlstate {
	char *key; /* url, or url "\n" body for POST */
	char *etag;
	char *lastmod;
	int64_t next_ms; /* wall clock: due again */
	unsigned flags;
	int queued; /* in a host queue or in flight */
};

struct site_state {
	char *id;
	uint64_t pages, reports, errors, blocked;
	int start_ok; /* a start page answered */
	int parked;   /* hosts parked */
	int64_t next_pass_ms;
};

struct host {
	char *name;
	char *site_id;
	int active;
	int64_t next_ms; /* monotonic: no start before */
	long slow_ms;    /* extra delay after 429/503/challenge */
	int fails;       /* in a row */
	int64_t parked_until;
	struct robots *robots;
	enum robots_state rstate;
	int robots_attempt;
	int64_t robots_ms; /* monotonic: fetched at */
	struct item *head, *tail;
	size_t nqueued;
};

struct crawl {
	struct event_base *base;
	CURLM *multi;
	struct event *timer_ev;    /* curl's timeout */
	struct event *dispatch_ev; /* hand out work */
	struct event *tick_ev;     /* progress, pass schedule */
	struct event *drain_ev;    /* give up on stragglers */
	int still_running;
	int stopping;
	int finished;
	struct crawl_opts opts;

	struct nb_config *cfg;
	struct curl_slist *resolve;
	struct curl_slist *old_resolve; /* kept for transfers in flight */
	char agent[64];
	int proxied;

	struct host **hosts;
	size_t nhosts, hcap;
	size_t rr; /* round-robin start */

	struct urlstate **known; /* open addressing */
	size_t nknown, kcap;

	struct site_state *sites;
	size_t nsites;

	struct fetch *active; /* list, for shutdown */
	struct crawl_stats st;
	int64_t started_ms;
	uint64_t last_done;
};

/* One transfer (ConnInfo). */
struct fetch {
	struct crawl *c;
	CURL *easy;
	struct host *h;
	struct item *it;
	enum purpose purpose;
	struct nb_buf body;
	struct nb_buf hdrs;
	struct curl_slist *reqh;
	char err[CURL_ERROR_SIZE];
	int toobig;
	int refused; /* private address refused */
	struct fetch *prev, *next;
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

/* ---- small tables ---- */

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct host *
host_find(struct crawl *c, const char *name)
{
	for (size_t i = 0; i < c->nhosts; i++)
		if (strcmp(c->hosts[i]->name, name) == 0)
			return c->hosts[i];
	return NULL;
}

static struct host *
host_get(struct crawl *c, const char *name, const char *site_id)
{
	struct host *h = host_find(c, name);

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
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->name = strdup(name)) == NULL ||
	    (h->site_id = strdup(site_id)) == NULL) {
		free(h->name);
		free(h);
		return NULL;
	}
	c->hosts[c->nhosts++] = h;
	return h;
}

static struct urlstate *
known_find(struct crawl *c, const char *key)
{
	if (c->kcap == 0)
		return NULL;
	for (size_t i = hash_str(key) & (c->kcap - 1); c->known[i] != NULL;
	     i = (i + 1) & (c->kcap - 1))
		if (strcmp(c->known[i]->key, key) == 0)
			return c->known[i];
	return NULL;
}

static int
known_grow(struct crawl *c)
{
	size_t ncap = c->kcap ? c->kcap * 2 : 1024;
	struct urlstate **nk = calloc(ncap, sizeof(*nk));

	if (nk == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < c->kcap; i++) {
		size_t j;

		if (c->known[i] == NULL)
			continue;
		for (j = hash_str(c->known[i]->key) & (ncap - 1); nk[j] != NULL;
		     j = (j + 1) & (ncap - 1))
			;
		nk[j] = c->known[i];
	}
	free(c->known);
	c->known = nk;
	c->kcap = ncap;
	return 0;
}

static struct urlstate *
known_add(struct crawl *c, const char *key)
{
	struct urlstate *u;
	size_t i;

	if ((c->nknown + 1) * 2 > c->kcap && known_grow(c) != 0)
		return NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	if ((u->key = strdup(key)) == NULL) {
		free(u);
		return NULL;
	}
	for (i = hash_str(key) & (c->kcap - 1); c->known[i] != NULL;
	     i = (i + 1) & (c->kcap - 1))
		;
	c->known[i] = u;
	c->nknown++;
	return u;
}

/* The frontier key of an item: POST requests differ by their body. */
static char *
item_key(const char *url, const char *body)
{
	char *k;

	if (body == NULL)
		return strdup(url);
	if (asprintf(&k, "%s\n%s", url, body) < 0)
		return NULL;
	return k;
}

static void
item_free(struct item *it)
{
	if (it == NULL)
		return;
	free(it->url);
	free(it->body);
	free(it->ctype);
	free(it);
}

static struct site_state *
site_state(struct crawl *c, const char *id)
{
	for (size_t i = 0; i < c->nsites; i++)
		if (strcmp(c->sites[i].id, id) == 0)
			return &c->sites[i];
	return NULL;
}

static const struct nb_site *
site_cfg(const struct crawl *c, const char *id)
{
	return config_site(c->cfg, id);
}

static long
site_delay(const struct crawl *c, const struct host *h)
{
	const struct nb_site *s = site_cfg(c, h->site_id);
	long d = s != NULL && s->delay_ms >= 0 ? s->delay_ms : c->cfg->delay_ms;

	if (h->robots != NULL && robots_crawl_delay_ms(h->robots) > d)
		d = robots_crawl_delay_ms(h->robots);
	return d + h->slow_ms;
}

static uint32_t
rnd32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)nb_mono_ms() * 2654435761u;
	return r;
}

/* ---- the frontier ---- */

static void
host_enqueue(struct crawl *c, struct host *h, struct item *it, int front)
{
	it->next = NULL;
	if (front) {
		it->next = h->head;
		h->head = it;
		if (h->tail == NULL)
			h->tail = it;
	} else {
		if (h->tail != NULL)
			h->tail->next = it;
		else
			h->head = it;
		h->tail = it;
	}
	h->nqueued++;
	c->st.queued++;
}

static struct item *
host_dequeue(struct crawl *c, struct host *h)
{
	struct item *it = h->head;

	if (it == NULL)
		return NULL;
	h->head = it->next;
	if (h->head == NULL)
		h->tail = NULL;
	h->nqueued--;
	c->st.queued--;
	it->next = NULL;
	return it;
}

/*
 * Queue url for site unless it is out of scope, a trap, too deep, over the
 * budget, already queued, or known and not due yet.  Returns 1 if queued.
 */
static int
frontier_add(struct crawl *c, const struct nb_site *site, const char *url,
             const char *body, const char *ctype, unsigned flags, int depth,
             int redirects)
{
	struct site_state *ss = site_state(c, site->id);
	struct urlstate *u;
	struct host *h;
	struct item *it;
	char host[256], *key;
	int hlit;

	if (ss == NULL || !url_in_scope(site, url) || url_is_trap(url) ||
	    url_host_get(url, host, sizeof(host)) != 0)
		return 0;
	if (depth > (site->max_depth > 0 ? site->max_depth : c->cfg->max_depth))
		return 0;
	/* through a proxy only IP literals can be judged before connecting */
	hlit = host_literal_is_private(host);
	if (!c->cfg->allow_private && hlit == 1)
		return 0;
	if ((key = item_key(url, body)) == NULL)
		return 0;
	u = known_find(c, key);
	if (u != NULL && (u->queued || u->next_ms > nb_now_ms())) {
		free(key);
		return 0;
	}
	if (u == NULL && (u = known_add(c, key)) == NULL) {
		free(key);
		return 0;
	}
	free(key);
	if ((h = host_get(c, host, site->id)) == NULL ||
	    (it = calloc(1, sizeof(*it))) == NULL)
		return 0;
	it->url = strdup(url);
	it->body = body != NULL ? strdup(body) : NULL;
	it->ctype = ctype != NULL ? strdup(ctype) : NULL;
	if (it->url == NULL || (body != NULL && it->body == NULL) ||
	    (ctype != NULL && it->ctype == NULL)) {
		item_free(it);
		return 0;
	}
	it->flags = flags | (u->flags & LINK_REPORT);
	u->flags |= it->flags;
	it->depth = depth;
	it->redirects = redirects;
	u->queued = 1;
	host_enqueue(c, h, it, 0);
	dispatch_soon(c);
	return 1;
}

static struct urlstate *
item_state(struct crawl *c, const struct item *it)
{
	char *key = item_key(it->url, it->body);
	struct urlstate *u = key != NULL ? known_find(c, key) : NULL;

	free(key);
	return u;
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

static void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	if (f->easy != NULL) {
		curl_multi_remove_handle(f->c->multi, f->easy);
		curl_easy_cleanup(f->easy);
	}
	if (f->prev != NULL)
		f->prev->next = f->next;
	else if (f->c->active == f)
		f->c->active = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	curl_slist_free_all(f->reqh);
	nb_buf_free(&f->body);
	nb_buf_free(&f->hdrs);
	item_free(f->it);
	free(f);
}

static int
fetch_start(struct crawl *c, struct host *h, struct item *it,
            enum purpose purpose)
{
	struct fetch *f;
	struct urlstate *u;
	CURL *e;
	CURLMcode mc;
	char line[1024];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NB_ENOMEM;
	f->c = c;
	f->h = h;
	f->it = it;
	f->purpose = purpose;
	nb_buf_init(&f->body, purpose == P_ROBOTS ? ROBOTS_MAX
	                                          : (size_t)c->cfg->max_body);
	nb_buf_init(&f->hdrs, HEADERS_MAX);
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
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->err);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, opensocket_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, f);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->cfg->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->cfg->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	                 c->cfg->timeout_ms < 10000 ? c->cfg->timeout_ms
	                                            : 10000L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	if (c->cfg->max_body > 0)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
		                 (curl_off_t)c->cfg->max_body);
	if (c->cfg->proxy[0] != '\0')
		curl_easy_setopt(e, CURLOPT_PROXY, c->cfg->proxy);
	if (c->resolve != NULL)
		curl_easy_setopt(e, CURLOPT_RESOLVE, c->resolve);
	f->reqh = curl_slist_append(
	    f->reqh, "Accept: text/html,application/xhtml+xml,application/xml;"
	             "q=0.9,*/*;q=0.8");
	f->reqh = curl_slist_append(f->reqh,
	                            "Accept-Language: zh-CN,zh;q=0.9,en;q=0.5");
	if (it->body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE,
		                 (long)strlen(it->body));
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, it->body);
		snprintf(line, sizeof(line), "Content-Type: %s",
		         it->ctype != NULL
		             ? it->ctype
		             : "application/x-www-form-urlencoded");
		f->reqh = curl_slist_append(f->reqh, line);
	}
	/* conditional GET for reports known unchanged; lists are re-read */
	u = item_state(c, it);
	if (purpose == P_PAGE && u != NULL &&
	    (it->flags & (LINK_REPORT | LINK_ATTACHMENT))) {
		if (u->etag != NULL) {
			snprintf(line, sizeof(line), "If-None-Match: %s",
			         u->etag);
			f->reqh = curl_slist_append(f->reqh, line);
		}
		if (u->lastmod != NULL) {
			snprintf(line, sizeof(line), "If-Modified-Since: %s",
			         u->lastmod);
			f->reqh = curl_slist_append(f->reqh, line);
		}
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->reqh);
	if ((mc = curl_multi_add_handle(c->multi, e)) != CURLM_OK) {
		log_warnx("%s: %s", it->url, curl_multi_strerror(mc));
		f->it = NULL;
		fetch_free(f);
		return NB_EIO;
	}
	f->next = c->active;
	if (c->active != NULL)
		c->active->prev = f;
	c->active = f;
	h->active++;
	c->st.active++;
	h->next_ms = nb_mono_ms() + site_delay(c, h);
	return 0;
}

/* ---- response handling ---- */

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

/* Let the host go a little faster again after a success. */
static void
host_success(struct host *h)
{
	h->fails = 0;
	h->slow_ms /= 2;
}

/*
 * A failure that may pass: the URL goes back to its host's queue and the
 * whole host waits; a host failing again and again is parked.
 */
static void
host_retry(struct crawl *c, struct host *h, struct item *it, long wait_ms,
           const char *why)
{
	struct site_state *ss = site_state(c, h->site_id);
	int64_t now = nb_mono_ms();

	h->fails++;
	if (now + wait_ms > h->next_ms)
		h->next_ms = now + wait_ms;
	if (it != NULL && it->attempt < c->cfg->retries &&
	    h->fails < PARK_AFTER) {
		it->attempt++;
		log_debug("%s: %s; retry %d in %ld ms", it->url, why,
		          it->attempt, wait_ms);
		host_enqueue(c, h, it, 0);
		return;
	}
	if (it != NULL) {
		struct urlstate *u = item_state(c, it);

		log_warnx("%s: %s; giving up after %d attempts", it->url, why,
		          it->attempt + 1);
		if (u != NULL)
			u->queued = 0;
		c->st.errors++;
		if (ss != NULL)
			ss->errors++;
		item_free(it);
	}
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
		c->st.errors++;
		rc = robots_deny_all(&h->robots);
	} else if (res == CURLE_OK && status >= 200 && status < 300)
		rc = robots_parse(f->body.data != NULL ? f->body.data : "",
		                  f->body.len, c->agent, &h->robots);
	else if (res == CURLE_OK && status >= 400 && status < 500 &&
	         status != 429)
		rc = robots_allow_all(&h->robots); /* no robots.txt */
	else if (h->robots_attempt < c->cfg->retries) {
		h->robots_attempt++;
		h->rstate = R_NONE;
		h->next_ms = nb_mono_ms() + backoff_ms(h->robots_attempt,
		                                       BACKOFF_BASE_MS,
		                                       BACKOFF_MAX_MS, rnd32());
		return;
	} else {
		/* unreachable robots.txt: assume everything is disallowed */
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
}

static void
links_add(struct crawl *c, const struct nb_site *site, const struct item *it,
          const struct page *pg)
{
	int report_page = pg->report || (it->flags & LINK_REPORT);

	for (size_t i = 0; i < pg->nlinks; i++) {
		const struct link *l = &pg->links[i];
		unsigned flags = l->flags;

		/* an attachment of a report is a report candidate too */
		if ((flags & LINK_ATTACHMENT) && report_page)
			flags |= LINK_REPORT;
		frontier_add(c, site, l->url, l->body, l->ctype, flags,
		             it->depth + 1, 0);
	}
}

static void
page_done(struct crawl *c, struct fetch *f, const struct nb_site *site,
          long status)
{
	struct item *it = f->it;
	struct site_state *ss = site_state(c, site->id);
	struct urlstate *u = item_state(c, it);
	const char *why;
	char ctype[128] = "", v[512];
	struct page pg;
	int rc;

	if (u != NULL) {
		u->queued = 0;
		u->next_ms = nb_now_ms() + ((it->flags & LINK_REPORT)
		                                ? c->cfg->recrawl_reports_ms
		                                : (site->recrawl_ms > 0
		                                       ? site->recrawl_ms
		                                       : c->cfg->recrawl_ms));
	}
	if (ss != NULL && it->depth == 0 && status < 400)
		ss->start_ok = 1;
	if ((why = challenge_detect(status, f->body.data, f->body.len)) !=
	    NULL) {
		log_info("%s: blocked: %s", it->url, why);
		c->st.blocked++;
		if (ss != NULL)
			ss->blocked++;
		f->h->slow_ms = f->h->slow_ms * 2 + BACKOFF_BASE_MS;
		if (f->h->slow_ms > BACKOFF_MAX_MS)
			f->h->slow_ms = BACKOFF_MAX_MS;
		return;
	}
	host_success(f->h);
	if (u != NULL && status == 200) {
		free(u->etag);
		free(u->lastmod);
		u->etag = header_value(f->hdrs.data, "ETag", v, sizeof(v))
		              ? strdup(v)
		              : NULL;
		u->lastmod =
		    header_value(f->hdrs.data, "Last-Modified", v, sizeof(v))
		        ? strdup(v)
		        : NULL;
	}
	if (status >= 300 && status < 400 && status != 304) {
		char *to = NULL;

		if (!header_value(f->hdrs.data, "Location", v, sizeof(v)) ||
		    url_normalize(it->url, v, &to) != 0)
			return;
		if (it->redirects + 1 > c->cfg->max_redirects)
			log_warnx("%s: more than %d redirects", it->url,
			          c->cfg->max_redirects);
		else if (!url_in_scope(site, to))
			log_info("%s: redirect to %s is off the allow-list",
			         it->url, to);
		else
			frontier_add(c, site, to, NULL, NULL, it->flags,
			             it->depth, it->redirects + 1);
		free(to);
		return;
	}
	if (status != 200)
		return;
	if (it->flags & LINK_REPORT)
		c->st.reports++, ss != NULL ? ss->reports++ : 0;
	header_value(f->hdrs.data, "Content-Type", ctype, sizeof(ctype));
	if (url_is_attachment(it->url) || f->body.len == 0)
		return;
	if (strcasestr(ctype, "json") != NULL ||
	    (it->body != NULL && f->body.data[0] == '{'))
		rc = discover_json(it->url, it->body, f->body.data, f->body.len,
		                   &pg);
	else if (strcasestr(ctype, "xml") != NULL &&
	         strcasestr(ctype, "html") == NULL)
		rc = discover_xml(it->url, it->body, f->body.data, f->body.len,
		                  &pg);
	else if (ctype[0] == '\0' || strcasestr(ctype, "html") != NULL ||
	         strcasestr(ctype, "text/") != NULL)
		rc = discover_html(it->url, f->body.data, f->body.len, &pg);
	else
		return;
	if (rc != 0) {
		log_debug("%s: no links: %s", it->url, nb_strerror(rc));
		return;
	}
	if (pg.report && !(it->flags & LINK_REPORT)) {
		c->st.reports++;
		if (ss != NULL)
			ss->reports++;
		if (u != NULL)
			u->flags |= LINK_REPORT;
	}
	links_add(c, site, it, &pg);
	page_free(&pg);
}

static void
fetch_finish(struct fetch *f, CURLcode res)
{
	struct crawl *c = f->c;
	struct host *h = f->h;
	const struct nb_site *site = site_cfg(c, h->site_id);
	struct site_state *ss = site_state(c, h->site_id);
	long status = 0;
	curl_off_t retry_after = 0;

	h->active--;
	c->st.active--;
	c->st.done++;
	c->st.bytes += f->body.len;
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(f->easy, CURLINFO_RETRY_AFTER, &retry_after);
	/* the host's delay counts from the end of its last transfer too */
	{
		int64_t next = nb_mono_ms() + site_delay(c, h);

		if (next > h->next_ms)
			h->next_ms = next;
	}
	if (ss != NULL && f->purpose == P_PAGE)
		ss->pages++;

	if (f->purpose == P_ROBOTS) {
		robots_done(c, f, res, status);
	} else if (site == NULL || c->stopping) {
		struct urlstate *u = item_state(c, f->it);

		/* site dropped by a reload, or shutting down: leave it */
		if (u != NULL)
			u->queued = 0;
	} else if (f->refused) {
		log_warnx("%s: refused: resolves to a private address",
		          f->it->url);
		c->st.errors++;
		if (ss != NULL)
			ss->errors++;
	} else if (f->toobig || res == CURLE_FILESIZE_EXCEEDED) {
		log_warnx("%s: body larger than max_body (%llu bytes); cut off",
		          f->it->url, (unsigned long long)c->cfg->max_body);
		c->st.errors++;
		if (ss != NULL)
			ss->errors++;
		page_done(c, f, site, 0);
	} else if (res != CURLE_OK) {
		long wait = backoff_ms(f->it->attempt + 1, BACKOFF_BASE_MS,
		                       BACKOFF_MAX_MS, rnd32());

		host_retry(c, h, f->it, wait,
		           f->err[0] ? f->err : curl_easy_strerror(res));
		f->it = NULL;
	} else if (status == 429 || status == 503) {
		long wait =
		    retry_after > 0
		        ? (long)retry_after * 1000
		        : backoff_ms(f->it->attempt + 1, BACKOFF_BASE_MS,
		                     BACKOFF_MAX_MS, rnd32());

		if (wait > BACKOFF_MAX_MS)
			wait = BACKOFF_MAX_MS;
		/* slow the whole host down, not just this URL */
		h->slow_ms = h->slow_ms * 2 + BACKOFF_BASE_MS;
		if (h->slow_ms > BACKOFF_MAX_MS)
			h->slow_ms = BACKOFF_MAX_MS;
		host_retry(c, h, f->it, wait,
		           status == 429 ? "429 Too Many Requests"
		                         : "503 Service Unavailable");
		f->it = NULL;
	} else if (status >= 500) {
		char why[32];

		snprintf(why, sizeof(why), "HTTP %ld", status);
		host_retry(c, h, f->it,
		           backoff_ms(f->it->attempt + 1, BACKOFF_BASE_MS,
		                      BACKOFF_MAX_MS, rnd32()),
		           why);
		f->it = NULL;
	} else {
		page_done(c, f, site, status);
	}
	fetch_free(f);
	dispatch_soon(c);
}

/* ---- dispatch (the fifth callback) ---- */

static int
host_ready(struct crawl *c, struct host *h, int64_t now, int per_host)
{
	if (h->parked_until != 0) {
		if (c->opts.once || now < h->parked_until)
			return 0;
		h->parked_until = 0;
		h->fails = 0;
	}
	return h->active < per_host && now >= h->next_ms;
}

static int
robots_start(struct crawl *c, struct host *h)
{
	struct item *it = calloc(1, sizeof(*it));
	const char *scheme = "http";
	char url[512];

	if (it == NULL)
		return NB_ENOMEM;
	if (h->head != NULL && strncmp(h->head->url, "https:", 6) == 0)
		scheme = "https";
	/* the port is the one the queued URL uses */
	if (h->head != NULL) {
		const char *a = strstr(h->head->url, "://") + 3;
		size_t n = strcspn(a, "/?#");

		snprintf(url, sizeof(url), "%s://%.*s/robots.txt", scheme,
		         (int)n, a);
	} else {
		snprintf(url, sizeof(url), "%s://%s/robots.txt", scheme,
		         h->name);
	}
	if ((it->url = strdup(url)) == NULL) {
		free(it);
		return NB_ENOMEM;
	}
	h->rstate = R_FETCHING;
	return fetch_start(c, h, it, P_ROBOTS);
}

static int
site_over_budget(struct crawl *c, const struct host *h)
{
	const struct nb_site *s = site_cfg(c, h->site_id);
	struct site_state *ss = site_state(c, h->site_id);
	long budget = s != NULL && s->page_budget > 0 ? s->page_budget
	                                              : c->cfg->page_budget;

	return ss != NULL && (long)ss->pages >= budget;
}

static void
dispatch_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct crawl *c = arg;
	int64_t now = nb_mono_ms(), wake = INT64_MAX;
	int per_host = c->cfg->per_host;

	(void)fd;
	(void)kind;
	if (c->stopping)
		return;
	for (size_t n = 0; n < c->nhosts; n++) {
		struct host *h = c->hosts[(c->rr + n) % c->nhosts];

		if ((long)c->st.active >= c->cfg->concurrency)
			break;
		if (h->head == NULL)
			continue;
		if (!host_ready(c, h, now, per_host)) {
			if (h->active < per_host && h->parked_until == 0 &&
			    h->next_ms < wake)
				wake = h->next_ms;
			continue;
		}
		if (h->rstate == R_READY &&
		    now - h->robots_ms > ROBOTS_TTL_MS && h->active == 0)
			h->rstate = R_NONE;
		if (h->rstate == R_NONE) {
			robots_start(c, h);
			continue;
		}
		if (h->rstate == R_FETCHING)
			continue;
		while (h->head != NULL && h->active < per_host &&
		       (long)c->st.active < c->cfg->concurrency &&
		       nb_mono_ms() >= h->next_ms) {
			struct item *it = host_dequeue(c, h);
			char path[URL_MAX + 2];
			struct urlstate *u;

			if (site_over_budget(c, h) ||
			    url_path_get(it->url, path, sizeof(path)) != 0 ||
			    !robots_allowed(h->robots, path)) {
				if (!site_over_budget(c, h))
					log_debug(
					    "%s: disallowed by robots.txt",
					    it->url);
				if ((u = item_state(c, it)) != NULL)
					u->queued = 0;
				item_free(it);
				continue;
			}
			if (fetch_start(c, h, it, P_PAGE) != 0)
				item_free(it);
		}
		if (h->head != NULL && h->active < per_host &&
		    h->next_ms < wake)
			wake = h->next_ms;
	}
	if (c->nhosts > 0)
		c->rr = (c->rr + 1) % c->nhosts;
	if (c->st.active == 0 && c->st.queued == 0 && c->opts.once &&
	    !c->finished) {
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

/* ---- passes, progress, shutdown ---- */

static void
seed_site(struct crawl *c, const struct nb_site *s)
{
	struct site_state *ss = site_state(c, s->id);

	if (ss != NULL) {
		ss->pages = 0;
		ss->next_pass_ms =
		    nb_now_ms() +
		    (s->recrawl_ms > 0 ? s->recrawl_ms : c->cfg->recrawl_ms);
	}
	for (size_t i = 0; i < s->start.n; i++) {
		char *u = NULL;

		if (url_normalize(NULL, s->start.v[i], &u) != 0) {
			log_warnx("site %s: bad start URL %s", s->id,
			          s->start.v[i]);
			continue;
		}
		frontier_add(c, s, u, NULL, NULL, LINK_LIST, 0, 0);
		free(u);
	}
}

static int
sites_sync(struct crawl *c)
{
	struct site_state *ns;

	ns = calloc(c->cfg->nsites ? c->cfg->nsites : 1, sizeof(*ns));
	if (ns == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < c->cfg->nsites; i++) {
		struct site_state *old = site_state(c, c->cfg->sites[i].id);

		if (old != NULL) {
			ns[i] = *old;
			old->id = NULL;
		} else if ((ns[i].id = strdup(c->cfg->sites[i].id)) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(ns[j].id);
			free(ns);
			return NB_ENOMEM;
		}
	}
	for (size_t i = 0; i < c->nsites; i++)
		free(c->sites[i].id);
	free(c->sites);
	c->sites = ns;
	c->nsites = c->cfg->nsites;
	c->st.sites = (unsigned)c->nsites;
	return 0;
}

static void
progress(struct crawl *c)
{
	int64_t el = nb_mono_ms() - c->started_ms;
	double rate = el > 0 ? (double)c->st.done * 1000.0 / (double)el : 0;

	printf(
	    "\r\033[Ksites %u  pages %llu done, %llu queued, %llu active  "
	    "reports %llu  errors %llu  blocked %llu  %.0f pages/s",
	    c->st.sites, (unsigned long long)c->st.done,
	    (unsigned long long)c->st.queued, (unsigned long long)c->st.active,
	    (unsigned long long)c->st.reports, (unsigned long long)c->st.errors,
	    (unsigned long long)c->st.blocked, rate);
	fflush(stdout);
}

static void
tick_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct crawl *c = arg;
	int64_t now = nb_now_ms();

	(void)fd;
	(void)kind;
	if (c->opts.progress)
		progress(c);
	if (c->opts.once || c->stopping)
		return;
	for (size_t i = 0; i < c->cfg->nsites; i++) {
		struct site_state *ss = site_state(c, c->cfg->sites[i].id);

		if (ss != NULL && now >= ss->next_pass_ms)
			seed_site(c, &c->cfg->sites[i]);
	}
}

static void
drain_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct crawl *c = arg;

	(void)fd;
	(void)kind;
	if (c->active != NULL)
		log_info("abandoning %llu transfers in flight",
		         (unsigned long long)c->st.active);
	while (c->active != NULL) {
		struct fetch *f = c->active;
		struct urlstate *u = item_state(c, f->it);

		if (u != NULL)
			u->queued = 0;
		f->h->active--;
		c->st.active--;
		fetch_free(f);
	}
	event_base_loopexit(c->base, NULL);
}

void
crawl_stop(struct crawl *c)
{
	struct timeval tv = {DRAIN_MS / 1000, (DRAIN_MS % 1000) * 1000};

	if (c->stopping)
		return;
	c->stopping = 1;
	evtimer_del(c->dispatch_ev);
	if (c->active == NULL) {
		event_base_loopexit(c->base, NULL);
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

static void
config_apply(struct crawl *c)
{
	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	                  (long)c->cfg->concurrency);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	                  (long)c->cfg->per_host);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS,
	                  (long)c->cfg->concurrency * 2);
	robots_agent_token(c->cfg->user_agent, c->agent, sizeof(c->agent));
	c->proxied = proxy_in_use(c->cfg);
}

int
crawl_new(struct event_base *base, struct nb_config *cfg,
          const struct crawl_opts *opts, struct crawl **out)
{
	struct crawl *c;
	int rc = NB_ENOMEM;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NB_ENOMEM;
	c->base = base;
	c->opts = *opts;
	if ((c->multi = curl_multi_init()) == NULL) {
		log_warnx("curl_multi_init failed");
		rc = NB_EIO;
		goto fail;
	}
	c->timer_ev = evtimer_new(base, timer_cb, c);
	c->dispatch_ev = evtimer_new(base, dispatch_cb, c);
	c->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, c);
	c->drain_ev = evtimer_new(base, drain_cb, c);
	if (c->timer_ev == NULL || c->dispatch_ev == NULL ||
	    c->tick_ev == NULL || c->drain_ev == NULL)
		goto fail;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING,
	                  (long)CURLPIPE_MULTIPLEX);
	c->cfg = cfg;
	if (cfg->resolve.n > 0 && (c->resolve = resolve_list(cfg)) == NULL)
		goto fail;
	if (sites_sync(c) != 0)
		goto fail;
	config_apply(c);
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

	c->started_ms = nb_mono_ms();
	for (size_t i = 0; i < c->cfg->nsites; i++)
		seed_site(c, &c->cfg->sites[i]);
	event_add(c->tick_ev, &tick);
	dispatch_soon(c);
}

void
crawl_reload(struct crawl *c, struct nb_config *cfg)
{
	struct curl_slist *res = resolve_list(cfg);

	if (cfg->resolve.n > 0 && res == NULL) {
		log_warnx("reload: out of memory; keeping the running "
		          "configuration");
		config_free(cfg);
		return;
	}
	/* transfers in flight still point at the old pins */
	curl_slist_free_all(c->old_resolve);
	c->old_resolve = c->resolve;
	c->resolve = res;
	config_free(c->cfg);
	c->cfg = cfg;
	if (sites_sync(c) != 0)
		log_warnx("reload: out of memory updating sites");
	config_apply(c);
	/* hosts of dropped sites lose their queues */
	for (size_t i = 0; i < c->nhosts; i++) {
		struct host *h = c->hosts[i];
		struct item *it;

		if (config_site(cfg, h->site_id) != NULL)
			continue;
		while ((it = host_dequeue(c, h)) != NULL) {
			struct urlstate *u = item_state(c, it);

			if (u != NULL)
				u->queued = 0;
			item_free(it);
		}
	}
	for (size_t i = 0; i < cfg->nsites; i++)
		seed_site(c, &cfg->sites[i]);
	dispatch_soon(c);
}

void
crawl_stats_get(const struct crawl *c, struct crawl_stats *out)
{
	*out = c->st;
	out->sites_done = 0;
}

int
crawl_summary(const struct crawl *c, FILE *fp)
{
	int failed = 0;

	for (size_t i = 0; i < c->nsites; i++) {
		const struct site_state *s = &c->sites[i];
		int bad = !s->start_ok || s->parked > 0;

		failed += bad;
		fprintf(fp,
		        "%-16s %s  pages %llu  reports %llu  errors %llu  "
		        "blocked %llu  parked hosts %d\n",
		        s->id, bad ? "FAILED" : "ok",
		        (unsigned long long)s->pages,
		        (unsigned long long)s->reports,
		        (unsigned long long)s->errors,
		        (unsigned long long)s->blocked, s->parked);
	}
	return failed;
}

void
crawl_free(struct crawl *c)
{
	if (c == NULL)
		return;
	while (c->active != NULL)
		fetch_free(c->active);
	for (size_t i = 0; i < c->nhosts; i++) {
		struct host *h = c->hosts[i];
		struct item *it;

		while ((it = host_dequeue(c, h)) != NULL)
			item_free(it);
		robots_free(h->robots);
		free(h->name);
		free(h->site_id);
		free(h);
	}
	free(c->hosts);
	for (size_t i = 0; i < c->kcap; i++)
		if (c->known[i] != NULL) {
			free(c->known[i]->key);
			free(c->known[i]->etag);
			free(c->known[i]->lastmod);
			free(c->known[i]);
		}
	free(c->known);
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
	curl_slist_free_all(c->resolve);
	curl_slist_free_all(c->old_resolve);
	config_free(c->cfg);
	free(c);
}
