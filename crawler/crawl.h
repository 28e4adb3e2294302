/*
 * crawl.h - the crawl engine: one thread, a libevent loop driving curl's
 * multi_socket API, politeness per host, robots.txt, retries, discovery.
 *
 * Caveats:
 * - Everything runs in the caller's event loop, except the reading of
 *   pages (links, records), which worker threads do (struct pool); no
 *   function here blocks except for the fsyncs of the group commit.
 * - The engine owns the configuration it is given and frees it; a reload
 *   hands over a new one (crawl_reload) and the old one is freed then.
 */
#ifndef NB_CRAWL_H
#define NB_CRAWL_H

#include <stdint.h>
#include <stdio.h>

#include <event2/event.h>

#include "config.h"
#include "nb.h"

struct crawl;

struct crawl_opts {
	int once;     /* one pass, then the loop is left */
	int progress; /* a progress line on stdout (a terminal) */
};

/* Counters shown in the progress line and in STATUS=. */
struct crawl_stats {
	uint64_t done;    /* responses handled */
	uint64_t queued;  /* waiting in the frontier */
	uint64_t active;  /* transfers in flight */
	uint64_t reports; /* report candidates archived */
	uint64_t errors;  /* fetches that failed for good */
	uint64_t blocked; /* challenge / cookie-wall answers */
	uint64_t bytes;   /* payload bytes received */
	unsigned sites;
};

/*
 * crawl_new - an engine on base for cfg: opens (and, after a crash,
 * recovers) the archive in cfg->data_dir.
 * @param[in] cfg  taken over (freed by the engine) on success only.
 * @param[out] out  freed with crawl_free.
 * Returns 0, NB_ENOMEM, NB_EIO (curl could not be initialised; logged), or
 * the store's error (NB_EBUSY: another nianbaod has the archive;
 * NB_EVERSION, NB_ECORRUPT, NB_EFULL; logged).
 */
int crawl_new(struct event_base *base, struct nb_config *cfg,
              const struct crawl_opts *opts, struct crawl **out);

/* Seed every site's start URLs and begin dispatching. */
void crawl_start(struct crawl *c);

/*
 * crawl_stop - take no new work; transfers in flight get a few seconds to
 * finish, then are abandoned (they stay in the frontier), then the loop is
 * left.  Safe to call more than once.
 */
void crawl_stop(struct crawl *c);

/*
 * crawl_reload - use cfg from now on (taken over).  Transfers in flight
 * finish under the old settings; sites no longer configured are dropped.
 */
void crawl_reload(struct crawl *c, struct nb_config *cfg);

/*
 * crawl_finish - after the loop ended: at the end of a completed --once
 * pass, look for overdue reports (events and hooks).
 */
void crawl_finish(struct crawl *c);

void crawl_stats_get(const struct crawl *c, struct crawl_stats *out);

/* on_event children running or waiting */
int crawl_hooks_busy(const struct crawl *c);

/*
 * crawl_summary - one line per site (pages, reports, errors, blocked,
 * parked hosts) to fp.  Returns the number of sites that failed: a site
 * fails when a start page could not be fetched or a host of it was parked
 * (and every site when the archive refused a write).
 */
int crawl_summary(const struct crawl *c, FILE *fp);

void crawl_free(struct crawl *c);

/* ---- the on_event program ---- */

struct hook;

/*
 * hook_new - run program (an absolute path, no arguments) once per event,
 * at most max_running at a time; later events wait in a bounded queue.
 * Children are reaped from a SIGCHLD event on base, so the loop never
 * waits for them.  @param[out] out  freed with hook_free.
 * Returns 0 or NB_ENOMEM.
 */
int hook_new(struct event_base *base, const char *program, int max_running,
             struct hook **out);

/*
 * hook_run - start (or queue) the program with the daemon's environment
 * plus NIANBAO_<KEY>=<value> for each pair of kv, a NULL-terminated list
 * "KEY", "value", "KEY", "value", …, NULL (values may be NULL: empty).
 * Returns 0, NB_EFULL (queue full: the event is dropped and logged) or
 * NB_ENOMEM.
 */
int hook_run(struct hook *h, const char *const *kv);

/* Children running plus events waiting. */
int hook_busy(const struct hook *h);

/* Forgets queued events; running children are left to finish alone. */
void hook_free(struct hook *h);

/* ---- work off the loop ---- */

struct pool;

typedef void pool_fn(void *arg);

/*
 * pool_new - threads workers that run jobs off the loop of base.  Each job
 * runs on a worker; its arg is then handed to done in the loop's thread,
 * in the order the jobs finished.  A job must not touch what the loop
 * changes meanwhile: it works on what it was given.
 * @param[out] out  freed with pool_free.
 * Returns 0, NB_ENOMEM or NB_EIO (no thread or pipe; logged).
 */
int pool_new(struct event_base *base, int threads, pool_fn *done,
             struct pool **out);

/* pool_submit - queue run(arg).  Returns 0 or NB_ENOMEM (not queued). */
int pool_submit(struct pool *p, pool_fn *run, void *arg);

/* Jobs submitted and not yet handed to done. */
unsigned pool_pending(const struct pool *p);

/*
 * pool_drain - wait until every queued job has run (blocking the loop:
 * only when stopping), then hand them all to done.
 */
void pool_drain(struct pool *p);

/* pool_drain, then stop the workers and free.  p may be NULL. */
void pool_free(struct pool *p);

/*
 * nb_notify - one sd_notify(3) line ("READY=1", "STATUS=…", "STOPPING=1").
 * Does nothing when built without libsystemd (HAVE_LIBSYSTEMD) or outside
 * a Type=notify unit (no NOTIFY_SOCKET); a failure is logged once.
 */
void nb_notify(const char *fmt, ...) NB_PRINTF(1, 2);

#endif
