/*
 * query.h - what nianbao's subcommands share: the common options, the open
 * archive, output as an aligned terminal table, JSON or CSV, agency kinds
 * and deadlines, and reading report records.
 *
 * Private to query/; the commands themselves are declared in commands.h.
 */
#ifndef NB_QUERY_QUERY_H
#define NB_QUERY_QUERY_H

#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "store.h"

/* ------------------------------------------------------ common options */

enum q_fmt { Q_FMT_TABLE = 0, Q_FMT_JSON, Q_FMT_CSV };

/* getopt_long codes of the common long options */
enum {
	Q_OPT_JSON = 0x100,
	Q_OPT_CSV,
	Q_OPT_TODAY,
};

/* Put these first in a command's option table, and Q_SHORTOPTS first in
 * its short option string. */
#define Q_LONGOPTS                                                             \
	{"data-dir", required_argument, NULL, 'D'},                            \
	    {"config", required_argument, NULL, 'f'},                          \
	    {"json", no_argument, NULL, Q_OPT_JSON},                           \
	    {"csv", no_argument, NULL, Q_OPT_CSV},                             \
	    {"today", required_argument, NULL, Q_OPT_TODAY},                   \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}
#define Q_SHORTOPTS "D:f:h"

/* One run of a subcommand. */
struct q {
	const char *cmd;     /* the subcommand's name, for messages */
	const char *dir;     /* -D */
	const char *cfgpath; /* -f */
	enum q_fmt fmt;
	int help;
	char today[11];        /* "YYYY-MM-DD": --today or the date in China */
	struct nb_config *cfg; /* NULL when only -D was given */
	struct store *st;      /* after q_open */
	struct q_kinds *kinds; /* q_kind_of's cache */
	/* the config's agencies with a kind set, by name (q_kind) */
	const struct nb_agency **cfgkinds;
	size_t ncfgkinds;
};

/*
 * q_config_index - index q->cfg's agencies for q_kind; q_open does it, and
 * whoever sets or changes q->cfg otherwise must call it again.  Returns 0
 * or NB_ENOMEM.  q_close frees the index.
 */
int q_config_index(struct q *q);

/* q_init - defaults: table output, today's date in China (UTC+8). */
void q_init(struct q *q, const char *cmd);

/*
 * q_opt - handle one of the common options from getopt_long.
 * Returns 1 if c was one (q updated), 0 if it is the command's own, -1 if
 * its argument is bad (logged).
 */
int q_opt(struct q *q, int c, const char *arg);

/*
 * q_getopt - getopt_long over the common options and the command's own
 * (longopts starts with Q_LONGOPTS, shortopts with Q_SHORTOPTS).  The
 * common ones are handled here; returns the next of the command's own,
 * -1 at the end, or '?' after logging an unknown option, a missing or a
 * bad argument.  Reset optind to 1 before the first call.
 */
int q_getopt(struct q *q, int argc, char *argv[], const char *shortopts,
             const struct option *longopts);

/* q_usage_common - the common options' help, for every usage text. */
void q_usage_common(FILE *fp, int with_today);

/*
 * q_open - load the config (-f, or the default file when -D is not given)
 * and open the archive read-only.  Returns 0 or an NB_E* code (logged).
 */
int q_open(struct q *q);
/* q_close - release what q_open acquired; safe on a q never opened. */
void q_close(struct q *q);

/*
 * q_agency_resolve - the archive's name for what the user typed: the name
 * itself if the archive knows it, else the agency whose configured or
 * recorded aliases include it.  *out is a string the caller frees.
 * Returns 0, NB_ENOTFOUND (logged), NB_ENOMEM.
 */
int q_agency_resolve(struct q *q, struct store_txn *txn, const char *name,
                     char **out);

/*
 * q_region_check - for commands whose empty answer means "all in order":
 * a region (not NULL) that has no agency is most likely mistyped.
 * Returns 0, or NB_ENOTFOUND after logging it.
 */
int q_region_check(struct q *q, struct store_txn *txn, const char *region);

/* q_parse_year - "2021" into *year (1900..2999); 0 or NB_EINVAL (logged). */
int q_parse_year(const char *opt, const char *s, int *year);

/* ---------------------------------------------------------- output */

/* A cell's type, for JSON output (the text is the same in every format). */
enum q_cell { Q_STR = 0, Q_NUM, Q_BOOL, Q_NULL };

struct q_table;

/*
 * q_table_new - a table with ncols columns named cols (borrowed: static
 * strings).  A column name starting with '>' is right-aligned in the
 * terminal (the '>' is not part of the name).  NULL on NB_ENOMEM.
 */
struct q_table *q_table_new(const char *const *cols, int ncols);
void q_table_free(struct q_table *t);
/* q_table_row - start a new row; its cells are Q_NULL until set. */
int q_table_row(struct q_table *t);
/* set a cell of the current row (text copied) */
int q_table_set(struct q_table *t, int col, enum q_cell type, const char *s);
/* q_table_setref - the same without a copy: s must stay valid and
 * unchanged until the table is printed (a string in the archive's map,
 * while the read transaction lasts; a constant) */
int q_table_setref(struct q_table *t, int col, enum q_cell type, const char *s);
/* q_table_setn - a Q_NUM cell holding the integer v */
int q_table_setn(struct q_table *t, int col, long long v);
int q_table_setf(struct q_table *t, int col, enum q_cell type, const char *fmt,
                 ...) NB_PRINTF(4, 5);
/* a JSON scalar (string, integer, real, true/false, null) as a cell */
int q_table_setj(struct q_table *t, int col, const json_t *v);
size_t q_table_rows(const struct q_table *t);
/* q_table_sort - order the rows by the text of column col (byte order,
 * nulls first), keeping the order of rows that have the same. */
int q_table_sort(struct q_table *t, int col);
/* q_table_order - order the rows by key[row] (each < nkeys), rows of the
 * same key in the order they were added; linear.  0 or NB_ENOMEM. */
int q_table_order(struct q_table *t, const uint32_t *key, uint32_t nkeys);
/* limit a column's terminal width (longer text is cut with "…") */
void q_table_maxwidth(struct q_table *t, int col, int width);
/*
 * q_table_print - as an aligned terminal table (a header, then rows;
 * Q_NULL cells as "-"), a JSON array of objects, or CSV with a header
 * line.  Returns 0 or NB_EIO (logged).
 */
int q_table_print(struct q_table *t, enum q_fmt fmt, FILE *fp);

/* q_width - display columns of UTF-8 text (East Asian wide = 2). */
int q_width(const char *s);
/* q_pad - print s and pad it with blanks to `width' columns. */
void q_pad(FILE *fp, const char *s, int width, int right);

/* q_csv_field - s quoted as CSV needs (RFC 4180). */
void q_csv_field(FILE *fp, const char *s);

/* q_json_print - v as pretty (indent 2) or compact JSON, then a newline. */
int q_json_print(const json_t *v, int pretty, FILE *fp);

/* q_flush - flush fp; Q_ERR (logged) if it failed (e.g. a full disk). */
int q_flush(FILE *fp, int status);

/* ---------------------------------------------------- kinds, deadlines */

enum q_kind { Q_KIND_GOVERNMENT = 1, Q_KIND_DEPARTMENT };

/*
 * q_kind_infer - kind from the name alone: a name that ends in 人民政府
 * after a county-level place (…市, …县, …区, …旗, not a 乡, 镇 or 街道)
 * is the county government; everything else is a department.
 */
enum q_kind q_kind_infer(const char *name);

/*
 * q_kind - the kind of an agency: the config's [agency] kind if set, else
 * the archive's, else inferred from the name.  a may be NULL.
 */
enum q_kind q_kind(const struct q *q, const char *name,
                   const struct store_agency *a);
const char *q_kind_name(enum q_kind k);

/*
 * q_kind_of - q_kind of the agency the archive names so, looked up in the
 * archive once per agency and command (a national listing names each
 * agency for every year).
 */
enum q_kind q_kind_of(struct q *q, struct store_txn *txn, const char *name);

/*
 * A roster: the agencies of a region (or all), in the order of the
 * archive's scans of a year (region, then name), with their kinds.  A
 * scan of a year meets its reports' agencies in the same order, so it
 * finds each by moving forward: no lookup per report.
 */
struct q_roster_entry {
	const char *name, *region; /* in the map: valid with the txn */
	enum q_kind kind;
	int first_year, last_year; /* of its reports; 0 = none */
};

struct q_roster {
	struct q_roster_entry *a;
	size_t n, cap;
	size_t pos;  /* where the scan is */
	int year;    /* of the scan */
	size_t seen; /* reports of the scan whose agency is in the roster */
	size_t hit;  /* entry the last q_roster_kind met, or (size_t)-1 */
};

/* q_roster_load - the agencies of region (NULL: all).  0 or an error. */
int q_roster_load(struct q *q, struct store_txn *txn, const char *region,
                  struct q_roster *ro);
void q_roster_free(struct q_roster *ro);

/* q_roster_start - before a scan of year */
void q_roster_start(struct q_roster *ro, int year);

/*
 * q_roster_kind - the kind of r's agency, for a report of a scan of a
 * year (a new year starts a new scan).  A report whose agency is not in
 * the roster under its region is looked up (q_kind_of).  ro->seen counts
 * the others: after the scan, ro->n - ro->seen agencies had no report in
 * the year, as store_missing would count them.
 */
enum q_kind q_roster_kind(struct q *q, struct store_txn *txn,
                          struct q_roster *ro, const struct store_report *r);

/* q_deadline - "YYYY-MM-DD" of the last day of publication for year into
 * buf[11]: 31 January of year+1, or 31 March for the government. */
void q_deadline(enum q_kind k, int year, char buf[11]);

enum q_state {
	Q_ON_TIME = 0, /* published by the deadline */
	Q_LATE,        /* published after it */
	Q_UNDATED,     /* archived, no publication date known */
	Q_MISSING,     /* not archived, deadline not passed */
	Q_OVERDUE,     /* not archived, deadline passed */
};
const char *q_state_name(enum q_state s); /* "on-time", "late"... */

/* q_state_of - published is "YYYY-MM-DD…" or NULL for no report. */
enum q_state q_state_of(const struct q *q, int have, const char *published,
                        const char *deadline);

/* q_days_between - b - a in days, both "YYYY-MM-DD". */
int q_days_between(const char *a, const char *b);

/* ---------------------------------------------------------- records */

/* q_record_parse - the record JSON of a report version, or NULL (logged
 * with the agency and year).  Caller owns the result. */
json_t *q_record_parse(const struct store_report *r);

/*
 * Summaries (store.h) answer most commands without reading the records.
 * q_report_iter and q_report_get are store_report_iter and
 * store_report_get, except that with NB_QUERY_FROM_RECORDS set in the
 * environment every summary asked for is computed afresh from the record
 * (and `check' reads the records as it would without summaries): the
 * answers from records, which a test compares with those from summaries.
 */
int q_from_records(void);
int q_report_iter(struct store_txn *txn, const struct store_report_filter *f,
                  unsigned flags, store_report_fn *cb, void *arg);
int q_report_get(struct store_txn *txn, const char *agency, int year,
                 unsigned flags, struct store_report *out);

/* q_summary_usable - whether r's summary (STORE_SUMMARY) comes from a
 * record that is a JSON object; if not, logs it as q_record_parse does. */
int q_summary_usable(const struct store_report *r);

/* q_record_published - source.published, or NULL */
const char *q_record_published(const json_t *rec);

/* Summary of a record's checks. */
struct q_checks {
	int total, failed, unknown; /* unknown: "ok": null */
};
void q_record_checks(const json_t *rec, struct q_checks *c);
/* the same from a summary */
void q_summary_checks(const struct store_summary *s, struct q_checks *c);
/* "ok", "2 failed", "ok, 3 unknown"...: buf, or a constant string */
const char *q_checks_text(const struct q_checks *c, char *buf, size_t len);
/* the name of a check instance: rule[column|row|group], into buf */
const char *q_check_name(const json_t *check, char *buf, size_t len);
/* the same from its parts (rule or instance NULL when not strings) */
const char *q_check_name_of(const char *rule, const char *instance, char *buf,
                            size_t len);
/* a summary's expected or actual value as a table cell */
int q_table_setv(struct q_table *t, int col, const struct store_sum_value *v);
/* ... and as json_number_value would give it (0 for null) */
double q_sum_number(const struct store_sum_value *v);

/*
 * The stable flat view of a record used by export and history: every field
 * of the schema as one dotted column ("requests.results.denied.third_party
 * .natural", "active.fees.amount.value"), the same list for both templates
 * (fields a template lacks are empty).
 */
size_t q_fields_count(void);
const char *q_field_name(size_t i);
/* the value of field i in rec (borrowed from rec), or NULL if absent */
json_t *q_field_get(const json_t *rec, size_t i);

/* q_iso - ms as "YYYY-MM-DDTHH:MM:SSZ" into buf[21]; "" for 0 */
const char *q_iso(int64_t ms, char *buf);
/* q_hex - the SHA-1 as base32 into buf[33] */
const char *q_b32(const uint8_t sha1[STORE_SHA1_LEN], char *buf);

#endif
