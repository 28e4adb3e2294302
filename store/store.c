/*
 * store.c - the LMDB environment: open, schema version, transactions,
 * map growth, consumers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "nbtime.h"
#include "store_int.h"

#define MAP_DEFAULT  ((size_t)256 << 20)
#define MAP_MAX      ((size_t)1 << 40)
#define WARC_DEFAULT ((uint64_t)1 << 30)

static const struct {
	const char *name;
	unsigned flags;
} db_def[DB_COUNT] = {
    [DB_META] = {"meta", 0},
    [DB_WARC] = {"warc", 0},
    [DB_CDX] = {"cdx", 0},
    [DB_PAYLOAD] = {"payload", 0},
    [DB_URL] = {"url", 0},
    [DB_FRONTIER] = {"frontier", 0},
    [DB_FRONTIER_URL] = {"frontier_url", 0},
    [DB_REPORT] = {"report", 0},
    [DB_VERSION] = {"version", 0},
    [DB_SUMMARY] = {"summary", 0},
    [DB_AGENCY] = {"agency", 0},
    [DB_AGENCY_REGION] = {"agency_region", 0},
    [DB_EVENT] = {"event", 0},
    [DB_EVENT_TIME] = {"event_time", 0},
    [DB_CONSUMER] = {"consumer", 0},
};

int
store_mdb_err(struct store_txn *txn, int rc, const char *what)
{
	switch (rc) {
	case 0:
		return 0;
	case MDB_NOTFOUND:
		return NB_ENOTFOUND;
	case MDB_KEYEXIST:
		return NB_EEXIST;
	case MDB_MAP_FULL:
		if (txn != NULL)
			txn->mapfull = 1;
		return NB_EFULL;
	case MDB_TXN_FULL:
		log_warnx("store: %s: %s", what, mdb_strerror(rc));
		return NB_EFULL;
	case MDB_BAD_VALSIZE:
		return NB_EINVAL;
	case ENOSPC:
	case EFBIG:
	case EDQUOT:
		log_warnx("store: %s: %s", what, mdb_strerror(rc));
		return NB_EFULL;
	case EACCES:
	case EROFS:
		log_warnx("store: %s: %s", what, mdb_strerror(rc));
		return NB_EINVAL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
		log_warnx("store: %s: %s", what, mdb_strerror(rc));
		return NB_ECORRUPT;
	case MDB_VERSION_MISMATCH:
		log_warnx("store: %s: %s", what, mdb_strerror(rc));
		return NB_EVERSION;
	case EAGAIN:
	case MDB_READERS_FULL:
		log_warnx("store: %s: %s", what, mdb_strerror(rc));
		return NB_EBUSY;
	case ENOMEM:
		return NB_ENOMEM;
	default:
		log_warnx("store: %s: %s", what, mdb_strerror(rc));
		return NB_EIO;
	}
}

int
store_writable(struct store_txn *txn)
{
	if (txn->rdonly || txn->consumer_only) {
		log_warnx("store: write in a read-only transaction");
		return NB_EINVAL;
	}
	return 0;
}

int
store_put(struct store_txn *txn, enum store_db db, const void *k, size_t kl,
          const void *v, size_t vl, unsigned flags)
{
	MDB_val key = {kl, (void *)k}, val = {vl, (void *)v};
	int rc;

	if (kl == 0 || kl > STORE_KEY_MAX)
		return NB_EINVAL;
	rc = mdb_put(txn->txn, txn->st->dbi[db], &key, &val, flags);
	return store_mdb_err(txn, rc, db_def[db].name);
}

int
store_get(struct store_txn *txn, enum store_db db, const void *k, size_t kl,
          MDB_val *v)
{
	MDB_val key = {kl, (void *)k};

	if (kl == 0 || kl > STORE_KEY_MAX)
		return NB_ENOTFOUND;
	return store_mdb_err(txn, mdb_get(txn->txn, txn->st->dbi[db], &key, v),
	                     db_def[db].name);
}

int
store_del(struct store_txn *txn, enum store_db db, const void *k, size_t kl)
{
	MDB_val key = {kl, (void *)k};

	if (kl == 0 || kl > STORE_KEY_MAX)
		return NB_ENOTFOUND;
	return store_mdb_err(txn,
	                     mdb_del(txn->txn, txn->st->dbi[db], &key, NULL),
	                     db_def[db].name);
}

int
store_cursor(struct store_txn *txn, enum store_db db, MDB_cursor **c)
{
	return store_mdb_err(
	    txn, mdb_cursor_open(txn->txn, txn->st->dbi[db], c), "cursor");
}

static char *
path_join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) == -1)
		return NULL;
	return p;
}

static int
mkdir_p(const char *dir)
{
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_warn("%s", dir);
		return NB_EIO;
	}
	return 0;
}

/* Allocate the wrapper of a transaction. */
static struct store_txn *
txn_new(struct store *st)
{
	struct store_txn *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->st = st;
	nb_buf_init(&t->json, SIZE_MAX);
	nb_buf_init(&t->tmp, SIZE_MAX);
	nb_buf_init(&t->sum, SIZE_MAX);
	return t;
}

static void
txn_free(struct store_txn *t)
{
	nb_buf_free(&t->json);
	nb_buf_free(&t->tmp);
	nb_buf_free(&t->sum);
	free(t->notok);
	free(t);
}

int
store_read_begin(struct store *st, struct store_txn **out)
{
	struct store_txn *t;
	int rc;

	if ((t = txn_new(st)) == NULL)
		return NB_ENOMEM;
	t->rdonly = 1;
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn);
	if (rc == MDB_MAP_RESIZED) {
		/* another process grew the map: adopt its size */
		if ((rc = mdb_env_set_mapsize(st->env, 0)) == 0)
			rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn);
	}
	if (rc != 0) {
		txn_free(t);
		return store_mdb_err(NULL, rc, "read transaction");
	}
	st->nreaders++;
	*out = t;
	return 0;
}

void
store_read_end(struct store_txn *txn)
{
	if (txn == NULL)
		return;
	mdb_txn_abort(txn->txn);
	txn->st->nreaders--;
	txn_free(txn);
}

static int
grow_map(struct store *st)
{
	MDB_envinfo info;
	size_t cur, next;
	int rc;

	mdb_env_info(st->env, &info);
	cur = info.me_mapsize;
	if (cur >= MAP_MAX) {
		log_warnx("store: %s: map is at its maximum (%zu MiB)",
		          st->index_dir, cur >> 20);
		return NB_EFULL;
	}
	if (st->nreaders > 0) {
		log_warnx("store: %s: map full and a read transaction is open; "
		          "cannot grow it now",
		          st->index_dir);
		return NB_EFULL;
	}
	next = cur * 2 > MAP_MAX ? MAP_MAX : cur * 2;
	if ((rc = mdb_env_set_mapsize(st->env, next)) != 0)
		return store_mdb_err(NULL, rc, "growing the map");
	st->mapsize = next;
	log_info("store: %s: map full, grown from %zu to %zu MiB",
	         st->index_dir, cur >> 20, next >> 20);
	return 0;
}

int
store_write(struct store *st, store_write_fn *fn, void *arg)
{
	struct store_txn *t;
	int rc, tries;

	if (st->in_write) {
		log_warnx("store: write transactions do not nest");
		return NB_EBUSY;
	}
	if (st->env_rdonly) {
		log_warnx("store: %s is not writable by this user",
		          st->index_dir);
		return NB_EINVAL;
	}
	/* what this transaction may refer to must be on disk first */
	if ((st->flags & STORE_RDWR) && (rc = store_warc_sync(st)) != 0)
		return rc;
	if ((t = txn_new(st)) == NULL)
		return NB_ENOMEM;
	t->consumer_only = !(st->flags & STORE_RDWR);
	st->in_write = 1;
	for (tries = 0;; tries++) {
		t->mapfull = 0;
		rc = mdb_txn_begin(st->env, NULL, 0, &t->txn);
		if (rc == MDB_MAP_RESIZED) {
			if ((rc = mdb_env_set_mapsize(st->env, 0)) == 0)
				rc = mdb_txn_begin(st->env, NULL, 0, &t->txn);
		}
		if (rc != 0) {
			rc = store_mdb_err(t, rc, "write transaction");
			break;
		}
		rc = 0;
		if (!t->consumer_only)
			rc = store_pending_apply(t);
		if (rc == 0 && fn != NULL)
			rc = fn(t, arg);
		if (rc == 0 && !t->mapfull) {
			int mrc = mdb_txn_commit(t->txn);

			t->txn = NULL;
			if (mrc == 0) {
				if (!t->consumer_only)
					store_pending_clear(st);
				break;
			}
			rc = store_mdb_err(t, mrc, "commit");
		} else {
			mdb_txn_abort(t->txn);
			t->txn = NULL;
		}
		if (!t->mapfull || tries >= 40)
			break;
		if ((rc = grow_map(st)) != 0)
			break;
	}
	st->in_write = 0;
	txn_free(t);
	return rc;
}

int
store_flush(struct store *st)
{
	if (!(st->flags & STORE_RDWR) || st->npend == 0)
		return 0;
	return store_write(st, NULL, NULL);
}

int
store_sync(struct store *st)
{
	int rc;

	if (!(st->flags & STORE_RDWR))
		return 0;
	if ((rc = store_flush(st)) != 0)
		return rc;
	return store_mdb_err(NULL, mdb_env_sync(st->env, 1), "sync");
}

const char *
store_dir(const struct store *st)
{
	return st->dir;
}

/* The schema version in meta, or 0 if there is none or it is not a number. */
static long
schema_read(MDB_txn *txn, MDB_dbi meta)
{
	MDB_val k = {6, "schema"}, v;
	char buf[32];

	if (mdb_get(txn, meta, &k, &v) != 0 || v.mv_size == 0 ||
	    v.mv_size >= sizeof(buf))
		return 0;
	memcpy(buf, v.mv_data, v.mv_size);
	buf[v.mv_size] = '\0';
	if (strspn(buf, "0123456789") != v.mv_size)
		return 0;
	return strtol(buf, NULL, 10);
}

/* The earliest schema this program upgrades (on a read-write open). */
#define SCHEMA_UPGRADES_FROM 1

static void
old_schema(struct store *st, long version)
{
	log_warnx("store: %s: schema version %ld, this program reads version "
	          "%d: open it read-write once (start nianbaod) to upgrade it",
	          st->index_dir, version, STORE_SCHEMA_VERSION);
}

struct schema {
	int created;
	long old; /* an older version to upgrade */
};

/* Create the schema in a fresh environment, or check the version. */
static int
schema_check(struct store_txn *t, void *arg)
{
	static const char key[] = "schema";
	struct store *st = t->st;
	struct schema *sc = arg;
	MDB_val v;
	char buf[32];
	long version;
	int rc;

	rc = store_get(t, DB_META, key, sizeof(key) - 1, &v);
	if (rc == NB_ENOTFOUND) {
		MDB_stat ms;
		char now[32];

		/* an environment with other data in it is not ours */
		mdb_stat(t->txn, st->dbi[DB_CDX], &ms);
		if (ms.ms_entries > 0 || t->consumer_only) {
			log_warnx("store: %s: no schema version: not a nianbao "
			          "index",
			          st->index_dir);
			return NB_EVERSION;
		}
		snprintf(buf, sizeof(buf), "%d", STORE_SCHEMA_VERSION);
		if ((rc = store_put(t, DB_META, key, sizeof(key) - 1, buf,
		                    strlen(buf), 0)) != 0)
			return rc;
		nb_time_iso(nb_now_ms(), now, sizeof(now));
		sc->created = 1;
		return store_put(t, DB_META, "created", 7, now, strlen(now), 0);
	}
	if (rc != 0)
		return rc;
	version = schema_read(t->txn, st->dbi[DB_META]);
	if (version == STORE_SCHEMA_VERSION)
		return 0;
	if (version >= SCHEMA_UPGRADES_FROM && version < STORE_SCHEMA_VERSION) {
		if (t->consumer_only) {
			old_schema(st, version);
			return NB_EVERSION;
		}
		sc->old = version;
		return 0;
	}
	if (version == 0)
		log_warnx("store: %s: unreadable schema version",
		          st->index_dir);
	else
		log_warnx("store: %s: schema version %ld, this program reads "
		          "version %d%s",
		          st->index_dir, version, STORE_SCHEMA_VERSION,
		          version > STORE_SCHEMA_VERSION ? ": upgrade nianbao"
		                                         : "");
	return NB_EVERSION;
}

/*
 * Version 1 to 2: a summary for every report, from its latest record, in
 * batches (one transaction each: a national archive has a million
 * records); "upgrade" in meta keeps the last report done, so that an
 * upgrade cut short resumes.  The last transaction drops version 1's
 * report_region, which the summaries replace, and sets the version: until
 * then readers refuse the archive as version 1.
 */
#define UPGRADE_BATCH 20000

static int
upgrade_batch(struct store_txn *t, void *arg)
{
	uint8_t key[STORE_KEY_MAX];
	size_t kl = 0;
	MDB_val v;
	int rc, *done = arg;

	rc = store_get(t, DB_META, "upgrade", 7, &v);
	if (rc == 0 && v.mv_size <= sizeof(key)) {
		memcpy(key, v.mv_data, v.mv_size);
		kl = v.mv_size;
	} else if (rc != NB_ENOTFOUND)
		return rc == 0 ? NB_ECORRUPT : rc;
	if ((rc = store_sum_build(t, key, &kl, UPGRADE_BATCH, done)) != 0 ||
	    kl == 0)
		return rc;
	return store_put(t, DB_META, "upgrade", 7, key, kl, 0);
}

static int
upgrade_finish(struct store_txn *t, void *arg)
{
	MDB_dbi old;
	char buf[16];
	int rc;

	(void)arg;
	rc = mdb_dbi_open(t->txn, "report_region", 0, &old);
	if (rc == 0)
		rc = mdb_drop(t->txn, old, 1);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_mdb_err(t, rc, "report_region");
	rc = store_del(t, DB_META, "upgrade", 7);
	if (rc != 0 && rc != NB_ENOTFOUND)
		return rc;
	snprintf(buf, sizeof(buf), "%d", STORE_SCHEMA_VERSION);
	return store_put(t, DB_META, "schema", 6, buf, strlen(buf), 0);
}

static int
upgrade(struct store *st, long from)
{
	int rc, done = 0;

	log_info("store: %s: upgrading the index from schema version %ld to "
	         "%d (a summary of every report)",
	         st->index_dir, from, STORE_SCHEMA_VERSION);
	while (!done)
		if ((rc = store_write(st, upgrade_batch, &done)) != 0)
			return rc;
	if ((rc = store_write(st, upgrade_finish, NULL)) != 0)
		return rc;
	log_info("store: %s: upgraded to schema version %d", st->index_dir,
	         STORE_SCHEMA_VERSION);
	return 0;
}

static int
open_dbis(struct store *st, int create)
{
	MDB_txn *txn;
	long version;
	int rc;

	rc = mdb_txn_begin(st->env, NULL, create ? 0 : MDB_RDONLY, &txn);
	if (rc != 0)
		return store_mdb_err(NULL, rc, "opening databases");
	for (int i = 0; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_def[i].name,
		                  db_def[i].flags | (create ? MDB_CREATE : 0),
		                  &st->dbi[i]);
		if (rc == MDB_NOTFOUND) {
			version = i > DB_META
			              ? schema_read(txn, st->dbi[DB_META])
			              : 0;
			mdb_txn_abort(txn);
			if (version >= SCHEMA_UPGRADES_FROM &&
			    version < STORE_SCHEMA_VERSION)
				old_schema(st, version);
			else
				log_warnx("store: %s: database '%s' missing: "
				          "not a nianbao index of this version",
				          st->index_dir, db_def[i].name);
			return NB_EVERSION;
		}
		if (rc != 0) {
			mdb_txn_abort(txn);
			return store_mdb_err(NULL, rc, db_def[i].name);
		}
	}
	/* handles opened in a read transaction stay valid after commit */
	rc = mdb_txn_commit(txn);
	return store_mdb_err(NULL, rc, "opening databases");
}

static int
take_lock(struct store *st)
{
	char *p = path_join(st->warc_dir, ".lock");

	if (p == NULL)
		return NB_ENOMEM;
	st->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (st->lockfd == -1) {
		log_warn("%s", p);
		free(p);
		return NB_EIO;
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) == -1) {
		log_warnx("store: %s is in use by another writer", st->dir);
		free(p);
		return NB_EBUSY;
	}
	free(p);
	return 0;
}

int
store_open(const char *data_dir, unsigned flags, const struct store_opts *opts,
           struct store **out)
{
	struct store *st;
	struct stat sb;
	char *datafile = NULL;
	unsigned envflags = MDB_NOTLS;
	struct schema sc = {0};
	int rc, dead;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NB_ENOMEM;
	st->flags = flags;
	st->lockfd = -1;
	st->w.fd = -1;
	st->dir = strdup(data_dir);
	st->index_dir = path_join(data_dir, "index");
	st->warc_dir = path_join(data_dir, "warc");
	st->software = strdup(opts && opts->software ? opts->software
	                                             : "nianbao/" NB_VERSION);
	st->user_agent =
	    strdup(opts && opts->user_agent ? opts->user_agent : "");
	st->warc_size =
	    opts && opts->warc_size ? opts->warc_size : WARC_DEFAULT;
	st->mapsize = opts && opts->map_size ? opts->map_size : MAP_DEFAULT;
	if (!st->dir || !st->index_dir || !st->warc_dir || !st->software ||
	    !st->user_agent) {
		rc = NB_ENOMEM;
		goto fail;
	}
	if ((datafile = path_join(st->index_dir, "data.mdb")) == NULL) {
		rc = NB_ENOMEM;
		goto fail;
	}
	if (stat(datafile, &sb) == -1) {
		if (!(flags & STORE_RDWR) || !(flags & STORE_CREATE)) {
			log_warnx("store: no archive in %s (%s missing)",
			          data_dir, datafile);
			rc = NB_ENOTFOUND;
			goto fail;
		}
		if ((rc = mkdir_p(data_dir)) != 0 ||
		    (rc = mkdir_p(st->index_dir)) != 0)
			goto fail;
	}
	if ((flags & STORE_RDWR) && (flags & STORE_CREATE) &&
	    (rc = mkdir_p(st->warc_dir)) != 0)
		goto fail;
	if ((flags & STORE_RDWR) && (rc = take_lock(st)) != 0)
		goto fail;

	if ((rc = mdb_env_create(&st->env)) != 0) {
		rc = store_mdb_err(NULL, rc, "environment");
		goto fail;
	}
	mdb_env_set_maxdbs(st->env, DB_COUNT + 2);
	mdb_env_set_maxreaders(st->env, 254);
	if (flags & STORE_RDWR) {
		mdb_env_set_mapsize(st->env, st->mapsize);
		if (flags & STORE_NOSYNC)
			envflags |= MDB_NOSYNC;
	}
	rc = mdb_env_open(st->env, st->index_dir, envflags, 0644);
	if (rc == EACCES && !(flags & STORE_RDWR)) {
		/* a reader without write access: no consumer positions */
		mdb_env_close(st->env);
		st->env = NULL;
		if ((rc = mdb_env_create(&st->env)) == 0) {
			mdb_env_set_maxdbs(st->env, DB_COUNT + 2);
			rc = mdb_env_open(st->env, st->index_dir,
			                  envflags | MDB_RDONLY, 0644);
		}
		st->env_rdonly = 1;
	}
	if (rc != 0) {
		rc = store_mdb_err(NULL, rc, st->index_dir);
		goto fail;
	}
	mdb_reader_check(st->env, &dead);
	if (dead > 0)
		log_info("store: %s: cleared %d stale reader slot%s",
		         st->index_dir, dead, dead == 1 ? "" : "s");

	if ((rc = open_dbis(st, (flags & STORE_RDWR) != 0)) != 0)
		goto fail;
	if (flags & STORE_RDWR) {
		if ((rc = store_write(st, schema_check, &sc)) != 0)
			goto fail;
		if (sc.created)
			log_info("store: created archive in %s", data_dir);
		if (sc.old && (rc = upgrade(st, sc.old)) != 0)
			goto fail;
		if ((rc = store_warc_recover(st)) != 0)
			goto fail;
	} else {
		struct store_txn *t;

		if ((rc = store_read_begin(st, &t)) != 0)
			goto fail;
		t->consumer_only = 1;
		rc = schema_check(t, &sc);
		store_read_end(t);
		if (rc != 0)
			goto fail;
	}
	free(datafile);
	*out = st;
	return 0;
fail:
	free(datafile);
	st->flags &= ~STORE_RDWR;
	store_close(st);
	return rc;
}

void
store_close(struct store *st)
{
	int rc;

	if (st == NULL)
		return;
	if ((st->flags & STORE_RDWR) && st->env != NULL) {
		if ((rc = store_flush(st)) != 0)
			log_warnx("store: %s: final commit: %s", st->dir,
			          nb_strerror(rc));
		if (st->appended && store_cdxj_export(st, NULL) != 0)
			log_warnx("store: %s: index.cdxj not rewritten",
			          st->dir);
	}
	store_warc_close(st);
	store_pending_clear(st);
	free(st->pend);
	if (st->env != NULL) {
		if ((st->flags & STORE_RDWR) && (st->flags & STORE_NOSYNC))
			mdb_env_sync(st->env, 1);
		mdb_env_close(st->env);
	}
	if (st->lockfd != -1)
		close(st->lockfd);
	free(st->dir);
	free(st->index_dir);
	free(st->warc_dir);
	free(st->software);
	free(st->user_agent);
	free(st);
}

/* ----------------------------------------------------------- consumers */

int
store_consumer_get(struct store_txn *txn, const char *name, uint64_t *seq)
{
	MDB_val v;
	int rc;

	if (name == NULL || *name == '\0')
		return NB_EINVAL;
	if ((rc = store_get(txn, DB_CONSUMER, name, strlen(name), &v)) != 0)
		return rc;
	if (v.mv_size != 8)
		return NB_ECORRUPT;
	*seq = be64_get(v.mv_data);
	return 0;
}

int
store_consumer_set(struct store_txn *txn, const char *name, uint64_t seq)
{
	uint8_t v[8];

	if (txn->rdonly) {
		log_warnx("store: consumer '%s': not in a write transaction",
		          name);
		return NB_EINVAL;
	}
	if (name == NULL || *name == '\0' || strlen(name) > STORE_NAME_MAX)
		return NB_EINVAL;
	be64_put(v, seq);
	return store_put(txn, DB_CONSUMER, name, strlen(name), v, 8, 0);
}
