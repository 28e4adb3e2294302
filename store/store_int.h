/*
 * store_int.h - what the store's own files share.  Not for other modules:
 * this is the only header that includes lmdb.h.
 */
#ifndef NB_STORE_INT_H
#define NB_STORE_INT_H

#include <endian.h>
#include <lmdb.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "store.h"

enum store_db {
	DB_META,
	DB_WARC,
	DB_CDX,
	DB_PAYLOAD,
	DB_URL,
	DB_FRONTIER,
	DB_FRONTIER_URL,
	DB_REPORT,
	DB_VERSION,
	DB_SUMMARY,
	DB_AGENCY,
	DB_AGENCY_REGION,
	DB_EVENT,
	DB_EVENT_TIME,
	DB_CONSUMER,
	DB_COUNT
};

/* A CDXJ/payload/file-end update waiting for the next write transaction. */
struct store_pending {
	uint32_t file;
	uint64_t end;  /* the file's indexed end after this entry */
	char name[64]; /* the file's name and birth, for its entry */
	int64_t created;
	void *cdx_key, *cdx_val;
	size_t cdx_klen, cdx_vlen;
	uint8_t sha1[STORE_SHA1_LEN]; /* payload entry, if pay_val */
	void *pay_val;
	size_t pay_vlen;
};

struct store_wfile {
	int fd;
	uint32_t serial;
	char name[64];
	uint64_t size;
	int64_t created;
	char warcinfo_id[48];
	int unsynced; /* written since the last fdatasync */
};

struct store {
	char *dir, *index_dir, *warc_dir;
	unsigned flags;
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	size_t mapsize;
	int env_rdonly; /* opened with MDB_RDONLY: not even consumers */
	int nreaders;   /* read transactions open in this process */
	int in_write;
	int lockfd;
	uint64_t warc_size;
	char *software, *user_agent;
	struct store_wfile w; /* fd -1 until the first append */
	uint32_t next_serial;
	int werr; /* sticky writer error */
	int appended;
	void *zs; /* the z_stream members are compressed with */
	struct store_pending *pend;
	size_t npend, cpend;
};

struct store_txn {
	struct store *st;
	MDB_txn *txn;
	int rdonly;                    /* a read snapshot */
	int consumer_only;             /* a write txn of a STORE_RDONLY store */
	int mapfull;                   /* an operation hit MDB_MAP_FULL */
	struct nb_buf json;            /* decompressed record JSON */
	struct nb_buf tmp;             /* scratch for encoding values */
	struct nb_buf sum;             /* a summary's content being encoded */
	struct store_sum_check *notok; /* a decoded summary's notok array */
	size_t notok_cap;
};

/* map an LMDB or errno error to an NB_E* code, logging what happened */
int store_mdb_err(struct store_txn *txn, int rc, const char *what);
int store_writable(struct store_txn *txn);

/* key helpers: big-endian integers sort as numbers (inline: every value
 * decoded goes through them) */
static inline void
be16_put(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, 2);
}

static inline void
be32_put(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static inline void
be64_put(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static inline uint16_t
be16_get(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return be16toh(v);
}

static inline uint32_t
be32_get(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

static inline uint64_t
be64_get(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

/* A value decoder over an LMDB value: every get checks bounds. */
struct dec {
	const uint8_t *p, *end;
	int bad;
};
void dec_init(struct dec *d, const MDB_val *v);
uint8_t dec_u8(struct dec *d);
uint16_t dec_u16(struct dec *d);
uint32_t dec_u32(struct dec *d);
uint64_t dec_u64(struct dec *d);
const void *dec_bytes(struct dec *d, size_t n);
const char *dec_str(struct dec *d); /* NUL-terminated in the value */
const void *dec_blob(struct dec *d, size_t *n); /* u32 length + bytes */
/* a signed integer in a varint: zigzag, 7 bits a byte, low ones first */
int64_t dec_svar(struct dec *d);

/* Encoders append to a capped buffer; errors stick in the buffer's use. */
int enc_u8(struct nb_buf *b, uint8_t v);
int enc_u16(struct nb_buf *b, uint16_t v);
int enc_u32(struct nb_buf *b, uint32_t v);
int enc_u64(struct nb_buf *b, uint64_t v);
int enc_str(struct nb_buf *b, const char *s);
int enc_blob(struct nb_buf *b, const void *p, size_t n);
int enc_svar(struct nb_buf *b, int64_t v);

/*
 * Key of a text thing (URL, agency name): the text itself if it fits in
 * `max' bytes, else its first max-33 bytes, a NUL (never in text) and the
 * 32-char base32 SHA-1 of the whole.  Writes into buf (>= max), returns
 * the key length.
 */
size_t store_textkey(const char *s, size_t max, uint8_t *buf);

int store_put(struct store_txn *txn, enum store_db db, const void *k, size_t kl,
              const void *v, size_t vl, unsigned flags);
int store_get(struct store_txn *txn, enum store_db db, const void *k, size_t kl,
              MDB_val *v); /* 0, NB_ENOTFOUND, error */
int store_del(struct store_txn *txn, enum store_db db, const void *k,
              size_t kl); /* 0, NB_ENOTFOUND, error */
int store_cursor(struct store_txn *txn, enum store_db db, MDB_cursor **c);

/* warc.c */
int store_warc_recover(struct store *st);
int store_pending_apply(struct store_txn *txn);
void store_pending_clear(struct store *st);
void store_warc_close(struct store *st);
/* fdatasync the writer's file if anything was written since (0 or the
 * sticky NB_EFULL / NB_EIO) */
int store_warc_sync(struct store *st);
int store_loc_encode(struct nb_buf *b, const struct store_loc *l);
void store_loc_decode(struct dec *d, struct store_loc *l);
int store_record_parse(void *mem, size_t len, struct store_record *rec,
                       int check_digests, char *why, size_t whylen);
int store_member_read(int fd, uint64_t offset, uint64_t max_len, uint8_t **out,
                      size_t *outlen, uint64_t *member_len, char *why,
                      size_t whylen);
int store_cdx_decode(const MDB_val *k, const MDB_val *v, struct store_cdx *out);
size_t store_cdx_prefix(const char *url, uint8_t *buf, size_t max);

/* summary.c: the summary value is a fixed head (metadata of the latest
 * version), the URL, then the content computed from the record */
#define SUM_FORMAT       1
#define SUM_LAST_SEEN_AT 18 /* offset of last_seen in the value */
struct sum_head {
	uint32_t nversions, latest;
	int64_t first_seen, last_seen, fetched;
	struct store_loc loc;
	const uint8_t *payload_sha1, *record_sha1;
	const char *url;
};
struct json_t;
int store_sum_content(struct nb_buf *b, const struct json_t *rec,
                      const char *agency, int year);
int store_sum_value(struct nb_buf *b, const struct sum_head *h,
                    const void *content, size_t len);
int store_sum_decode(struct store_txn *txn, const MDB_val *v,
                     struct store_report *r, int content);
/*
 * store_sum_build (reports.c) - write the summaries of up to max reports
 * from their latest records, starting after report key `key' (*kl bytes;
 * 0: from the first); key gets the last one done.  *done: no more reports.
 */
int store_sum_build(struct store_txn *txn, uint8_t *key, size_t *kl, size_t max,
                    int *done);

/* records */
int store_json_compress(struct nb_buf *out, const char *json, size_t len);
int store_json_expand(struct store_txn *txn, const void *p, size_t n,
                      uint32_t rawlen, int compressed, const char **json,
                      size_t *jlen);

#define STORE_KEY_MAX  511 /* LMDB's compiled-in MDB_MAXKEYSIZE */
#define STORE_NAME_MAX 400 /* agency and region names */
#define STORE_BLOB_MAX (64 * 1024)

#endif
