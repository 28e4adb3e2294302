/*
 * store.h - nianbao's archive: an LMDB index and WARC 1.1 capture files.
 *
 * One data directory holds everything:
 *
 *   <data_dir>/index/            the LMDB environment (data.mdb, lock.mdb)
 *   <data_dir>/warc/nianbao-<UTC YYYYMMDDhhmmss>-<serial>.warc.gz
 *                                captures, one gzip member per record
 *   <data_dir>/warc/index.cdxj   sorted CDXJ export for pywb-style tools
 *   <data_dir>/warc/.lock        held (flock) by the one read-write opener
 *
 * Key layouts and value encodings of every named database are in
 * store/SCHEMA.md.
 *
 * Caveats, read these first (they are LMDB's, inherited):
 *  - A struct store is used by one thread at a time.  Open it once per
 *    process: LMDB must not open the same environment twice in a process.
 *  - Do not hold a read transaction for long: it pins old pages and makes
 *    the file grow while the daemon writes.  Iterate, copy what you need,
 *    end the transaction.
 *  - Not after fork(): a child opens its own store.
 *  - Local filesystems only (mmap, POSIX locks, fsync semantics).
 *
 * Write order, which makes any crash harmless:
 *  1. store_capture_append writes the WARC records, fsyncs the file and only
 *     then returns their location.  Its CDXJ entries wait in memory and are
 *     committed with the next store_write (or store_flush).  With
 *     STORE_CAP_NOSYNC the fsync is left to step 2, so that a batch of
 *     captures costs one.
 *  2. The caller commits whatever references that location (URL state,
 *     report version...) in a store_write, which first fdatasyncs the WARC
 *     file if anything was written to it since the last time.
 * A crash between 1 and 2 leaves complete WARC records that nothing but
 * the CDXJ refers to; the next read-write open indexes them again.  A crash
 * inside 1 leaves a torn gzip member at the end of the newest file; the next
 * read-write open truncates it (and logs it).  Index entries therefore never
 * point at a missing or partial record.
 *
 * Returned data and its lifetime (as with mdb_get): strings and blobs in
 * the structs filled by the get and iterate functions point into the memory
 * map and stay valid until the transaction ends or the next write in that
 * transaction; record JSON, which is stored compressed, lives in a buffer of
 * the transaction that the next call returning JSON overwrites, and a
 * summary's notok array in one that the next call returning a summary
 * overwrites.  Callback
 * arguments are valid only during the callback.  Nothing returned by a
 * store_* function is freed by the caller unless its comment says so.
 *
 * Errors: 0 on success, otherwise a negative NB_E* code (common/nb.h) with
 * details logged where the cause is not the caller's.  Besides the codes
 * listed per function, any call may return NB_ENOMEM, NB_EIO or NB_ECORRUPT
 * (a value that does not decode; the key is named in the log).
 */
#ifndef NB_STORE_H
#define NB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "nb.h"

/* The on-disk schema this code reads and writes. */
#define STORE_SCHEMA_VERSION 2

#define STORE_SHA1_LEN 20
#define STORE_B32_LEN  32 /* base32 text of a SHA-1, without NUL */

struct store;     /* an open data directory */
struct store_txn; /* a read or write transaction */

/* ---------------------------------------------------------------- open */

/* store_open flags */
#define STORE_RDONLY 0x0 /* readers (nianbao): no WARC writing, no recovery */
#define STORE_RDWR   0x1 /* the one writer (nianbaod): locks, recovers */
#define STORE_CREATE 0x2 /* with STORE_RDWR: create the directories */
#define STORE_NOSYNC 0x4 /* bulk loads only: no fsync until store_sync */

struct store_opts {
	uint64_t warc_size;   /* roll WARC files at this size; 0 = 1 GiB */
	size_t map_size;      /* initial LMDB map size; 0 = 256 MiB */
	const char *software; /* warcinfo "software"; NULL = nianbao/VERSION */
	const char *user_agent; /* warcinfo "http-header-user-agent" or NULL */
};

/*
 * store_open - open the archive under data_dir.
 *
 * STORE_RDWR takes <data_dir>/warc/.lock (NB_EBUSY if another process holds
 * it), clears stale LMDB reader slots, then recovers: every WARC file is
 * scanned from the end of what the index covers, complete records there are
 * indexed, and a torn tail is truncated (logged with the file and offset).
 * WARC files are created lazily, one new file per open.
 *
 * STORE_RDONLY never writes to the archive, with one exception:
 * store_consumer_set (see there).  It may run while the writer works.
 *
 * @param[in] opts  NULL for the defaults; copied.
 * @param[out] out  the store, closed with store_close.
 * Returns 0, NB_ENOTFOUND (no archive there and no STORE_CREATE),
 * NB_EVERSION (written by a newer or unknown schema; nothing was changed),
 * NB_EBUSY (another writer), NB_ECORRUPT (the index refers to WARC data
 * that is gone), NB_EFULL, NB_EIO.
 */
int store_open(const char *data_dir, unsigned flags,
               const struct store_opts *opts, struct store **out);

/*
 * store_close - commit pending CDXJ entries, rewrite index.cdxj if this
 * writer appended anything, close the WARC file, release everything.
 * st may be NULL.  Returns nothing: failures are logged.
 */
void store_close(struct store *st);

/* store_sync - flush everything to disk (after STORE_NOSYNC loads). */
int store_sync(struct store *st);

/*
 * store_flush - commit CDXJ entries of captures appended since the last
 * store_write.  store_write does this by itself; use it when nothing else
 * needs committing.  Returns 0 or an error from store_write.
 */
int store_flush(struct store *st);

/* The data directory, as given to store_open; borrowed. */
const char *store_dir(const struct store *st);

/* ---------------------------------------------------------- transactions */

/*
 * store_read_begin - start a read-only snapshot.  Adopts a map grown by
 * another process (MDB_MAP_RESIZED) by itself.
 * @param[out] out  ended with store_read_end.
 */
int store_read_begin(struct store *st, struct store_txn **out);
/* store_read_end - end a read snapshot; txn may be NULL. */
void store_read_end(struct store_txn *txn);

/*
 * store_write_fn - the body of a write transaction.  It must do its work
 * only through store_* calls on txn (it may run more than once, see
 * store_write) and return 0 to commit or an error code to abort.
 */
typedef int store_write_fn(struct store_txn *txn, void *arg);

/*
 * store_write - run fn in one write transaction and commit it.
 *
 * Pending CDXJ entries from store_capture_append are written first, in the
 * same transaction.  If the map fills up (MDB_MAP_FULL) the transaction is
 * aborted, the map doubled (logged) and fn run again from the start, so fn
 * must not have effects outside the store, or must tolerate a re-run.
 * No read transaction of this process may be open when the map grows: then
 * NB_EFULL is returned instead.  Write transactions do not nest.
 *
 * In a STORE_RDONLY store only store_consumer_set may be called inside fn.
 * Returns 0, fn's own error (nothing committed), NB_EFULL (map at its
 * maximum, or disk full), NB_EBUSY (called from inside fn), and, when the
 * fsync of captures appended with STORE_CAP_NOSYNC fails, NB_EFULL or NB_EIO
 * (nothing committed; writing has stopped as after a failed append).
 */
int store_write(struct store *st, store_write_fn *fn, void *arg);

/* ------------------------------------------------------------ captures */

/* Where a WARC record is: a gzip member of one file. */
struct store_loc {
	uint32_t file;   /* serial number of the WARC file, from 1 */
	uint64_t offset; /* byte offset of the member */
	uint64_t length; /* compressed length of the member */
};

enum store_rec_type {
	STORE_REC_OTHER = 0,
	STORE_REC_WARCINFO,
	STORE_REC_REQUEST,
	STORE_REC_RESPONSE,
	STORE_REC_REVISIT, /* identical-payload-digest or server-not-modified */
};

/* store_capture flags */
#define STORE_CAP_DECODED                                                      \
	0x1                     /* the client removed transfer/content codings \
	                         */
#define STORE_CAP_DEDUP     0x2 /* a payload already archived: write a revisit */
#define STORE_CAP_TRUNCATED 0x4 /* the body was cut at a size limit */
/* write the records without waiting for the disk: see store_capture_append */
#define STORE_CAP_NOSYNC 0x8

/*
 * One fetch.  The header blocks are the raw lines, CRLF-terminated, as
 * sent and as received (only the final response, no interim 1xx or
 * redirect hops); a missing final blank line is added.
 *
 * With STORE_CAP_DECODED, if the response headers carry Transfer-Encoding
 * or Content-Encoding, the stored headers rename them, and Content-Length,
 * to X-Archive-Orig-Transfer-Encoding, X-Archive-Orig-Content-Encoding and
 * X-Archive-Orig-Content-Length (the prefix pywb uses for the originals of
 * headers it rewrites) and add "Content-Length: <stored payload size>", so
 * that readers (warcio, pywb) neither de-chunk nor decompress the stored
 * payload a second time.
 */
struct store_capture {
	const char *url;         /* WARC-Target-URI, absolute, no CR/LF/space */
	const char *ip;          /* WARC-IP-Address or NULL */
	int64_t date;            /* ms since the epoch; 0 = now */
	const char *req_headers; /* request line + headers, or NULL */
	size_t req_headers_len;
	const void *req_body; /* POST body or NULL */
	size_t req_body_len;
	const char *resp_headers; /* status line + headers (required) */
	size_t resp_headers_len;
	const void *payload; /* the body as received (decoded if flagged) */
	size_t payload_len;
	unsigned flags;
};

struct store_capture_result {
	enum store_rec_type type; /* STORE_REC_RESPONSE or _REVISIT */
	int not_modified;         /* revisit of profile server-not-modified */
	int status;               /* HTTP status from the response headers */
	struct store_loc loc;     /* the response or revisit record */
	struct store_loc req_loc; /* the request record (length 0 if none) */
	/* payload digest: of this payload, or for a revisit of the original */
	uint8_t payload_sha1[STORE_SHA1_LEN];
	char payload_digest[STORE_B32_LEN + 1]; /* base32 of payload_sha1 */
	char record_id[48];                     /* "<urn:uuid:...>" */
};

/*
 * store_capture_append - archive one fetch as a request record and a
 * response record, or a revisit record.
 *
 * A 304 answer becomes a revisit (server-not-modified) of the latest
 * capture of the URL, if there is one.  With STORE_CAP_DEDUP a non-empty
 * payload whose SHA-1 is already archived becomes a revisit
 * (identical-payload-digest) of that record.  Everything else is a response
 * record.  Both records are in the file and fsynced when this returns;
 * with STORE_CAP_NOSYNC they are in the file (a kill -9 keeps them, a power
 * cut may not) and the next store_write or store_flush fsyncs it before it
 * commits anything, the records' CDXJ entries included.
 *
 * Not inside store_write's fn (it may open a read transaction and commit).
 * Only in a STORE_RDWR store.
 * @param[out] res  filled on success.
 * Returns 0, NB_EINVAL (bad URL or headers; nothing written), NB_EFULL
 * (disk full or file size limit: the partial record is cut off again, the
 * error logged, and every later append fails with NB_EFULL too: writing has
 * stopped until the store is reopened), NB_EIO (likewise sticky).
 */
int store_capture_append(struct store *st, const struct store_capture *cap,
                         struct store_capture_result *res);

/* One CDXJ entry of a capture (response or revisit record). */
struct store_cdx {
	const char *url;
	/* the SURT key as indexed (not NUL-terminated); over 440 bytes it is
	 * a prefix, a NUL and a hash */
	const char *surt;
	size_t surt_len;
	char timestamp[15]; /* YYYYMMDDhhmmss */
	int64_t date;       /* ms */
	enum store_rec_type type;
	int status;
	struct store_loc loc;
	uint8_t payload_sha1[STORE_SHA1_LEN];
	const char *json; /* the CDXJ JSON object text */
	size_t json_len;
};

typedef int store_cdx_fn(const struct store_cdx *c, void *arg);

/*
 * store_capture_find - the capture of url closest to and not after `at'
 * (ms; 0 = the latest); if every capture is later, the earliest.
 * Lookup is by SURT key, O(log n).
 * Returns 0 or NB_ENOTFOUND.
 */
int store_capture_find(struct store_txn *txn, const char *url, int64_t at,
                       struct store_cdx *out);

/* store_capture_iter - every capture of url, oldest first.  A non-zero
 * return from cb stops the walk and is returned. */
int store_capture_iter(struct store_txn *txn, const char *url, store_cdx_fn *cb,
                       void *arg);

/* store_cdx_iter - the whole CDXJ index in SURT order. */
int store_cdx_iter(struct store_txn *txn, store_cdx_fn *cb, void *arg);

/*
 * store_payload_find - the response record holding the payload with this
 * SHA-1 (the first archived).  Returns 0 or NB_ENOTFOUND.
 */
int store_payload_find(struct store_txn *txn,
                       const uint8_t sha1[STORE_SHA1_LEN],
                       struct store_loc *out);

/* store_warc_name - file name (no directory) of WARC file `file', into
 * buf.  Returns 0, NB_ENOTFOUND, NB_EINVAL (buf too small). */
int store_warc_name(struct store_txn *txn, uint32_t file, char *buf,
                    size_t len);

/*
 * A record read back from a WARC file.  Everything points into one buffer
 * owned by the struct: release it with store_record_free.
 */
struct store_record {
	enum store_rec_type type;
	const char *warc_type;                     /* the WARC-Type value */
	const char *target_uri, *date, *record_id; /* "" when absent */
	const char *block_digest, *payload_digest; /* "sha1:..." or "" */
	const char *refers_to_uri, *refers_to_date, *profile; /* revisits */
	const char *warc_headers; /* the WARC header block */
	size_t warc_headers_len;
	const char *block; /* Content-Length bytes */
	size_t block_len;
	int status; /* HTTP status for response/revisit, else 0 */
	const char
	    *http_headers; /* within block, for request/response/revisit */
	size_t http_headers_len;
	const char *payload; /* within block, after the HTTP headers */
	size_t payload_len;
	void *mem_; /* private */
};

/*
 * store_record_read - read and decompress the record at loc, and check
 * that its block (and, for responses, payload) digest matches.
 * Works in any store; needs no transaction.
 * @param[out] rec  free with store_record_free, also after an error.
 * Returns 0, NB_ENOTFOUND (no such file), NB_ECORRUPT (not a complete
 * record there, or a digest mismatch; logged).
 */
int store_record_read(struct store *st, const struct store_loc *loc,
                      struct store_record *rec);
void store_record_free(struct store_record *rec);

/*
 * store_payload_get - the payload of url as archived at time `at' (ms; 0 =
 * latest), following a revisit to the record that holds the payload.
 * @param[out] rec  the record holding the payload; store_record_free it.
 * @param[out] cdx  if not NULL, the capture found (valid as store_cdx
 *                  data: until txn ends).
 * Returns 0, NB_ENOTFOUND, NB_ECORRUPT.
 */
int store_payload_get(struct store_txn *txn, const char *url, int64_t at,
                      struct store_record *rec, struct store_cdx *cdx);

/*
 * store_cdxj_export - write the sorted CDXJ index (pywb's format:
 * "<surt> <timestamp> {json}") to path, atomically (temporary file +
 * rename); path NULL = <data_dir>/warc/index.cdxj, "-" = standard output.  The
 * writer calls this by itself when it rolls a WARC file and at store_close.
 */
int store_cdxj_export(struct store *st, const char *path);

/* store_surt - the SURT key of url as warcio and pywb compute it, in a
 * string the caller frees.  NULL on NB_ENOMEM. */
char *store_surt(const char *url);

/* ------------------------------------------------------------- verify */

struct store_verify_stats {
	uint64_t files, records, bytes, cdx, problems;
	uint64_t unindexed; /* bytes past the indexed end (writer at work, or
	                       a torn tail the next read-write open cuts) */
};

/* cb receives one line per problem ("file:offset: what"); may be NULL. */
typedef void store_problem_fn(const char *msg, void *arg);
/* cb receives each record scanned; may be NULL */
typedef void store_record_fn(const char *file, uint64_t offset, uint64_t length,
                             const struct store_record *rec, void *arg);

/*
 * store_verify - re-read every WARC record the index covers, check every
 * gzip member, WARC header, block and payload digest, and check the index
 * against the files both ways: every CDXJ entry, payload entry, URL state,
 * report version and the file ends point at complete records of the right
 * type and digest; every response and revisit record has its CDXJ entry.
 * Runs in one read snapshot (safe while the writer works).
 * Returns 0 (stats->problems tells the verdict), or an error that stopped
 * the check.
 */
int store_verify(struct store *st, store_problem_fn *problem,
                 store_record_fn *record, void *arg,
                 struct store_verify_stats *stats);

/* ---------------------------------------------------------- URL state */

/* The crawler's knowledge of one URL. */
struct store_url {
	int status;                /* last HTTP status, 0 = never fetched */
	uint32_t errors;           /* consecutive failures */
	int64_t last_fetch;        /* ms, 0 = never */
	int64_t next_fetch;        /* ms, 0 = not scheduled */
	const char *etag;          /* "" if none */
	const char *last_modified; /* "" if none */
	uint8_t payload_sha1[STORE_SHA1_LEN]; /* zero if none */
	struct store_loc loc; /* last capture (length 0 if none) */
	const void *blob;     /* opaque to the store: the crawler's own */
	size_t blob_len;      /* at most 64 KiB */
};

/* URL keys: the URL bytes (longer than 480 bytes: a prefix and its hash). */
int store_url_get(struct store_txn *txn, const char *url,
                  struct store_url *out); /* 0 or NB_ENOTFOUND */
/* insert or replace; NULL strings are stored as "" */
int store_url_put(struct store_txn *txn, const char *url,
                  const struct store_url *u);
int store_url_del(struct store_txn *txn, const char *url); /* NB_ENOTFOUND */
/* every URL in byte order starting at prefix (NULL = all) and sharing it */
typedef int store_url_fn(const char *url, const struct store_url *u, void *arg);
int store_url_iter(struct store_txn *txn, const char *prefix, store_url_fn *cb,
                   void *arg);

/* ----------------------------------------------------------- frontier */

/*
 * The crawl frontier: URLs to fetch, each once, ordered per site and host
 * by priority (higher first) and then due time.  It lives in the index so
 * that a restart after kill -9 resumes it.
 */
struct store_frontier_item {
	const char *url;
	const char *site; /* config site id */
	const char *host; /* "host" or "host:port": the politeness unit */
	int64_t due;      /* ms: not before */
	uint8_t prio;     /* 0..255, higher first */
	const void *blob; /* opaque (depth, referrer, kind...); <= 64 KiB */
	size_t blob_len;
};

/* store_frontier_push - add url, or move it if already queued.
 * Returns 0 or NB_EINVAL (empty site/host, oversize). */
int store_frontier_push(struct store_txn *txn,
                        const struct store_frontier_item *it);
/* store_frontier_get - the entry for url; 0 or NB_ENOTFOUND */
int store_frontier_get(struct store_txn *txn, const char *url,
                       struct store_frontier_item *out);
/* store_frontier_remove - 0 or NB_ENOTFOUND */
int store_frontier_remove(struct store_txn *txn, const char *url);
/*
 * store_frontier_next - the highest-priority item of host (or of any host
 * of site when host is NULL; site NULL = any site) due at or before
 * `before', earliest due first within a priority.
 * Returns 0 or NB_ENOTFOUND (nothing due).
 */
int store_frontier_next(struct store_txn *txn, const char *site,
                        const char *host, int64_t before,
                        struct store_frontier_item *out);
/* store_frontier_pop - store_frontier_next, then remove it (write txn).
 * The out strings stay valid until the transaction ends. */
int store_frontier_pop(struct store_txn *txn, const char *site,
                       const char *host, int64_t before,
                       struct store_frontier_item *out);
typedef int store_frontier_fn(const struct store_frontier_item *it, void *arg);
/* store_frontier_scan - items of site/host (NULL = any) due at or before
 * `before' (INT64_MAX: all), in site, host, priority, due order. */
int store_frontier_scan(struct store_txn *txn, const char *site,
                        const char *host, int64_t before, store_frontier_fn *cb,
                        void *arg);
/*
 * store_frontier_due - the items of one host due at or before `before',
 * best first (higher priority, then earlier due), each handed to cb until
 * it returns non-zero, which is returned: what a scheduler takes into its
 * queue for the host.  O(priorities present x log n) plus the items
 * visited.  Returns 0, cb's value, or NB_EINVAL (no site or host, or
 * oversize).
 */
int store_frontier_due(struct store_txn *txn, const char *site,
                       const char *host, int64_t before, store_frontier_fn *cb,
                       void *arg);
/* store_frontier_count - items of site/host (NULL = any; both NULL: O(1)) */
int store_frontier_count(struct store_txn *txn, const char *site,
                         const char *host, uint64_t *n);
/*
 * store_frontier_hosts - one call per host (of site, NULL = all) with its
 * first item (highest priority, earliest due): what a scheduler needs to
 * rebuild its host queues after a restart, in O(hosts x log n).
 */
int store_frontier_hosts(struct store_txn *txn, const char *site,
                         store_frontier_fn *cb, void *arg);

/* ---------------------------------------------------- reports, versions */

/* What the indexer produced for one capture of a report. */
struct store_report_in {
	const char *agency; /* normalised agency name (the key) */
	const char *region; /* county-level region, "" or NULL if unknown */
	int year;           /* the year reported on, 1900..2999 */
	const char *json;   /* the record (report-schema.md), UTF-8 */
	size_t json_len;
	const char *url;      /* the capture's URL */
	int64_t fetched;      /* ms of the capture */
	struct store_loc loc; /* the capture's response or revisit record */
	uint8_t payload_sha1[STORE_SHA1_LEN]; /* of the captured document */
	/*
	 * Digest of the record's content.  All zero: the store computes it
	 * as SHA-1 of the record with "source" removed, keys sorted, compact
	 * (so a re-fetch that only changes source.fetched is no change).
	 */
	uint8_t record_sha1[STORE_SHA1_LEN];
};

enum store_change {
	STORE_UNCHANGED = 0, /* same payload or same record as the latest */
	STORE_NEW,           /* first report for agency+year */
	STORE_CHANGED,       /* a new version was added */
};

/*
 * A report's summary: what the query tool's country-wide commands need of
 * a record (dates, template, checks, the totals they count), computed from
 * the record's JSON by store_report_put and written in the same transaction
 * as the record, beside the latest version.  Listing, counting or checking
 * every report of a year then reads a few hundred bytes per report instead
 * of decompressing and parsing its JSON.  Paths are report-schema.md's;
 * "[total]" is the total column (index 6) of a requests row.
 */
enum store_sum_num {
	STORE_NUM_REQ_NEW,     /* requests.new[total] */
	STORE_NUM_REQ_GRANTED, /* requests.results.granted[total] */
	STORE_NUM_REQ_PARTIAL, /* requests.results.partially_granted[total] */
	STORE_NUM_REQ_RESULTS, /* requests.results.total[total] */
	STORE_NUM_LICENSING,   /* active.licensing.decisions */
	STORE_NUM_PUNISHMENT,  /* active.punishment.decisions */
	STORE_NUM_COMPULSION,  /* active.compulsion.decisions */
	STORE_NUM_REVIEW,      /* appeals.review.total */
	STORE_NUM_LIT_DIRECT,  /* appeals.litigation_direct.total */
	STORE_NUM_LIT_AFTER,   /* appeals.litigation_after_review.total */
	STORE_NUM_COUNT
};

/* The rows of "active" that the year-to-year chain rules read... */
enum store_sum_row {
	STORE_ROW_RULES,
	STORE_ROW_NORMATIVE_DOCS,
	STORE_ROW_LICENSING,
	STORE_ROW_OTHER_SERVICES,
	STORE_ROW_PUNISHMENT,
	STORE_ROW_COMPULSION,
	STORE_ROW_FEES,
	STORE_ROW_COUNT
};

/* ...and their cells (a row has those of its template) */
enum store_sum_cell {
	STORE_CELL_MADE,
	STORE_CELL_REPEALED,
	STORE_CELL_IN_FORCE,
	STORE_CELL_PREV_ITEMS,
	STORE_CELL_CHANGE,
	STORE_CELL_COUNT
};

enum store_sum_type { STORE_SUM_NULL = 0, STORE_SUM_INT, STORE_SUM_REAL };

/* A JSON number or null (null also stands for an absent key). */
struct store_sum_value {
	enum store_sum_type type;
	int64_t i; /* STORE_SUM_INT */
	double r;  /* STORE_SUM_REAL */
};

/* A check of the record whose "ok" is not true. */
struct store_sum_check {
	int failed;           /* "ok" is false; else null (or not a boolean) */
	const char *rule;     /* "rule", NULL if not a string */
	const char *instance; /* the first string of "column", "row" and
	                         "group", NULL if none */
	struct store_sum_value expected, actual;
};

/* store_summary flags */
/* the record is a JSON object (without it, everything below is empty) */
#define STORE_SUM_RECORD 0x01
#define STORE_SUM_AGENCY 0x02 /* its "agency" is the report's agency */
#define STORE_SUM_YEAR   0x04 /* its "year" is the report's year */
/* every check whose "ok" is not true is in notok[]; without it, some
 * such check has an expected or actual that is neither a number nor null
 * (or there are over 65,535): read the record for them */
#define STORE_SUM_CHECKS 0x08
/* its "unparsed" is a string: a report archived whose document could not
 * be read (scanned, images only); it has no tables and no checks */
#define STORE_SUM_UNPARSED 0x80

struct store_summary {
	unsigned flags;
	const char *template;  /* "template" if a string, else NULL */
	const char *published; /* "source"."published" if a string, else NULL */
	const char *title;     /* "title" if a string, else NULL */
	/* the "checks" array: its length, how many say "ok": false, how many
	 * neither true nor false */
	unsigned nchecks, nfailed, nunknown;
	unsigned num_mask;           /* 1 << STORE_NUM_*: the number is there */
	double num[STORE_NUM_COUNT]; /* its value (integer or real); else 0 */
	unsigned row_mask; /* 1 << STORE_ROW_*: "active" has the key */
	/* 1 << (row * STORE_CELL_COUNT + cell): the cell is an integer */
	uint64_t cell_mask;
	int64_t cell[STORE_ROW_COUNT][STORE_CELL_COUNT]; /* else 0 */
	const struct store_sum_check *notok;             /* in record order */
	size_t nnotok;
};

/* A report version, or (from the report functions) the latest one. */
struct store_report {
	const char *agency, *region;
	int year;
	uint32_t version;   /* 1 = oldest */
	uint32_t nversions; /* versions kept */
	int64_t first_seen; /* ms: capture of version 1 */
	int64_t
	    last_seen;   /* ms: latest capture confirming the latest version */
	int64_t fetched; /* ms: capture of this version */
	const char *url;
	struct store_loc loc;
	uint8_t payload_sha1[STORE_SHA1_LEN];
	uint8_t record_sha1[STORE_SHA1_LEN];
	const char *json; /* NULL unless STORE_JSON was asked for */
	size_t json_len;
	/* with STORE_SUMMARY, of the latest version (zero otherwise) */
	struct store_summary summary;
};

#define STORE_JSON    0x1 /* fill json/json_len (decompressing it) */
#define STORE_SUMMARY 0x2 /* fill summary (latest versions only) */
/*
 * Only what the report index has (agency, region, year, version,
 * nversions, first_seen, last_seen; the rest may be zero): which reports
 * there are, without a lookup per report.  Ignored with the others.
 */
#define STORE_INDEX 0x4

/*
 * store_report_put - record what a capture of (agency, year) says.
 * Unchanged (same payload digest or same record digest as the latest
 * version): only last_seen moves.  Otherwise a version is appended and
 * becomes the latest, and the report's summary is computed from its JSON
 * and replaced in the same transaction.  The agency is created (region
 * from `in') or its first/last year and region updated.  Appending an
 * event is the caller's choice.
 *
 * Two rules keep the latest version the truest one (store/SCHEMA.md):
 *  - An unparsed record (one with an "unparsed" key: a scanned or
 *    image-only document) never replaces a record that was read: such a
 *    capture is STORE_UNCHANGED and nothing of it is stored.  A read
 *    record does replace an unparsed one (STORE_CHANGED).
 *  - A report's source.published is the earliest date any capture of it
 *    showed.  A capture that changes nothing (or an unparsed one beside a
 *    read record) but shows an earlier date moves the latest version's
 *    date (record and summary) to it, without a version; a new version
 *    whose own date is later, or absent, takes the earlier one.  Dates
 *    are "YYYY-MM-DD..."; anything else is no date.
 *
 * The JSON is parsed: a record that is not a JSON object is refused when
 * the store computes its digest; with a digest given it is stored, and its
 * summary says it is not one (no STORE_SUM_RECORD).
 * @param[out] change   may be NULL.
 * @param[out] version  the version now latest; may be NULL.
 * Returns 0 or NB_EINVAL (year, empty agency, names over 400 bytes or
 * together over 507).
 */
int store_report_put(struct store_txn *txn, const struct store_report_in *in,
                     enum store_change *change, uint32_t *version);
/*
 * store_report_published - a capture of (agency, year) that the caller
 * does not put (a second URL of the report in the same crawl pass) showed
 * it published on `published' ("YYYY-MM-DD"): store_report_put's date
 * rule alone.  If that is earlier than the latest version's
 * source.published, or it has none, the latest version's record and
 * summary take it; no version is added, the record digest stays.
 * @param[out] moved  1 if the date moved, else 0; may be NULL.
 * Returns 0, NB_ENOTFOUND (no such report), NB_EINVAL (names, year, not
 * a date).
 */
int store_report_published(struct store_txn *txn, const char *agency, int year,
                           const char *published, int *moved);
/* store_report_get - the latest version; 0 or NB_ENOTFOUND */
int store_report_get(struct store_txn *txn, const char *agency, int year,
                     unsigned flags, struct store_report *out);
/* store_report_version_get - version n (1 = oldest); 0 or NB_ENOTFOUND.
 * STORE_SUMMARY is ignored: a summary describes the latest version. */
int store_report_version_get(struct store_txn *txn, const char *agency,
                             int year, uint32_t n, unsigned flags,
                             struct store_report *out);

typedef int store_report_fn(const struct store_report *r, void *arg);

/*
 * Which reports store_report_iter visits (NULL/0 fields match anything):
 *   agency          -> that agency's years, ascending      (range scan)
 *   region + year   -> that region's agencies for the year (range scan)
 *   region          -> region's reports by year, then agency (a range
 *                      scan per year)
 *   year only       -> every region's agencies for the year (range scan)
 *   nothing         -> everything, by agency then year
 * A field not used by the scan is still applied as a filter.  The scans by
 * region or year read the summaries alone (plus the record with
 * STORE_JSON); the others look up each report's summary.
 */
struct store_report_filter {
	const char *agency;
	const char *region;
	int year;
};

/* store_report_iter - latest versions; non-zero from cb stops and is
 * returned. */
int store_report_iter(struct store_txn *txn,
                      const struct store_report_filter *f, unsigned flags,
                      store_report_fn *cb, void *arg);
/* store_report_versions - every version of (agency, year), oldest first
 * (STORE_SUMMARY ignored) */
int store_report_versions(struct store_txn *txn, const char *agency, int year,
                          unsigned flags, store_report_fn *cb, void *arg);

/*
 * store_summary_compute - the summary of a record as store_report_put
 * computes it, for (agency, year): to check a stored summary against its
 * record, or to answer from records alone.  txn may be any transaction;
 * out is valid like a summary returned by it (its strings and notok array
 * until the next call returning a summary).
 * Returns 0 (a JSON text that is no object gives a summary without
 * STORE_SUM_RECORD) or NB_ENOMEM.
 */
int store_summary_compute(struct store_txn *txn, const char *agency, int year,
                          const char *json, size_t len,
                          struct store_summary *out);

/* ------------------------------------------------------------ agencies */

enum store_agency_kind {
	STORE_KIND_AUTO = 0, /* infer from the name */
	STORE_KIND_GOVERNMENT,
	STORE_KIND_DEPARTMENT,
};

struct store_agency {
	const char *name;
	const char *region; /* "" if unknown */
	const char *site;   /* config site id, "" if unknown */
	/* aliases in argz form: NUL-terminated strings back to back (argz.h) */
	const char *aliases;
	size_t aliases_len;
	int first_year, last_year; /* of the reports seen; 0 = none */
	enum store_agency_kind kind;
};

/*
 * store_agency_put - insert or replace the agency (first/last year as
 * given; store_report_put maintains them afterwards).  Moving it to another
 * region moves its region index entries and those of its reports.
 */
int store_agency_put(struct store_txn *txn, const struct store_agency *a);
int store_agency_get(struct store_txn *txn, const char *name,
                     struct store_agency *out); /* 0 or NB_ENOTFOUND */
typedef int store_agency_fn(const struct store_agency *a, void *arg);
/* store_agency_iter - agencies of region (NULL = all, by region then name) */
int store_agency_iter(struct store_txn *txn, const char *region,
                      store_agency_fn *cb, void *arg);

/*
 * store_missing - agencies of region (NULL = every region) that have no
 * report for `year', by region then name.  A merge of two sorted ranges
 * (agencies by region, reports by region+year): no per-agency lookups.
 * This is the store side of `nianbao missing'; deadlines and kinds are the
 * query tool's.
 */
int store_missing(struct store_txn *txn, int year, const char *region,
                  store_agency_fn *cb, void *arg);

/* ---------------------------------------------------------- event log */

enum store_event_type {
	STORE_EV_NEW = 1,      /* a report appeared */
	STORE_EV_CHANGED,      /* a report has a new version */
	STORE_EV_REMOVED,      /* a report vanished from its site */
	STORE_EV_BLOCKED,      /* the site answered a challenge/403 page */
	STORE_EV_PARSE_FAILED, /* a report document could not be parsed */
	STORE_EV_OVERDUE,      /* a report is missing past its deadline */
	STORE_EV_HOST_FAILING, /* a host keeps failing and was parked */
	STORE_EV_LAST
};

struct store_event {
	uint64_t seq; /* assigned by store_event_append, from 1 */
	int64_t time; /* ms; 0 at append = now; never before the last one */
	enum store_event_type type;
	const char *agency; /* "" if none */
	int year;           /* 0 if none */
	const char *url;    /* "" if none */
	const char *detail; /* free text or JSON, "" if none */
};

/* "new", "changed", "removed", "blocked", "parse-failed", "overdue",
 * "host-failing"; "?" for anything else. */
const char *store_event_name(enum store_event_type t);
/* inverse of store_event_name; 0 if unknown */
enum store_event_type store_event_type_parse(const char *name);

/*
 * store_event_append - add ev at the end of the log.  Its time is clamped
 * to be no earlier than the previous event's, so that seq and time order
 * agree.  @param[out] seq  may be NULL.
 */
int store_event_append(struct store_txn *txn, const struct store_event *ev,
                       uint64_t *seq);
typedef int store_event_fn(const struct store_event *ev, void *arg);
/* store_event_iter - events with seq > since, in order */
int store_event_iter(struct store_txn *txn, uint64_t since, store_event_fn *cb,
                     void *arg);
/* store_event_seq_before - largest seq whose time is before `time' (ms),
 * 0 if none: iterate from there for "events since a date". */
int store_event_seq_before(struct store_txn *txn, int64_t time, uint64_t *seq);
/* store_event_last - the last seq, 0 if the log is empty */
int store_event_last(struct store_txn *txn, uint64_t *seq);

/*
 * Consumers: named positions in the event log, for `nianbao new
 * --consumer NAME' run from cron.  They live in their own database of the
 * same environment, and STORE_RDONLY stores may write them: a reader's
 * store_write of store_consumer_set is one tiny transaction that waits at
 * most for the daemon's current (short) write transaction and is atomic
 * and durable like the rest of the index, where a side file would need its
 * own locking and fsync dance.  If the index is not writable for the user
 * running the query tool, store_consumer_set fails with NB_EINVAL and a
 * logged explanation.
 */
int store_consumer_get(struct store_txn *txn, const char *name,
                       uint64_t *seq); /* 0 or NB_ENOTFOUND */
int store_consumer_set(struct store_txn *txn, const char *name, uint64_t seq);

/* -------------------------------------------------------------- codecs */

/* base32 (RFC 4648, upper case, no padding for 20 bytes) into out[33] */
void store_sha1_b32(const uint8_t sha1[STORE_SHA1_LEN],
                    char out[STORE_B32_LEN + 1]);
/* parse base32 text (with or without "sha1:"); 0 or NB_EINVAL */
int store_b32_sha1(const char *text, uint8_t sha1[STORE_SHA1_LEN]);
/* SHA-1 of a buffer (OpenSSL libcrypto) */
void store_sha1(const void *p, size_t n, uint8_t out[STORE_SHA1_LEN]);

#endif
