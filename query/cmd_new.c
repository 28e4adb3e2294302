/*
 * cmd_new.c - `nianbao new': the event log since a point, and named
 * consumers that remember where they stopped (for scripts run from cron).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "nbtime.h"
#include "query.h"

#define DEFAULT_DAYS 7

static void
usage(FILE *fp)
{
	fprintf(fp,
	        "usage: nianbao new [--since SEQ|DATE] [--consumer NAME] "
	        "[--type T,...] [--last N]\n"
	        "                   [options]\n"
	        "\n"
	        "Events of the archive in order: seq (event number), time, "
	        "event (new,\n"
	        "changed, removed, blocked, parse-failed, overdue, "
	        "host-failing), agency,\n"
	        "year, url, detail.  Without --since or a consumer "
	        "position: the last %d days.\n"
	        "\n"
	        "  -s, --since SEQ     events after event number SEQ (a bare "
	        "number)\n"
	        "  -s, --since DATE    events at or after DATE "
	        "(YYYY-MM-DD[THH:MM[:SS]Z], UTC)\n"
	        "  -c, --consumer NAME start after the last event NAME has "
	        "seen (unless\n"
	        "                      --since is given), and afterwards "
	        "remember the\n"
	        "                      newest event as seen.  The position "
	        "is kept in the\n"
	        "                      archive's index: the user needs "
	        "write access to it.\n"
	        "  -t, --type T,...    only events of these types\n"
	        "  -n, --last N        only the newest N of those events (a "
	        "consumer still\n"
	        "                      moves to the newest event)\n",
	        DEFAULT_DAYS);
	q_usage_common(fp, 0);
	fprintf(fp, "\nExit status: 0 events printed, 1 none, 2 usage or "
	            "archive error.\n");
}

struct ctx {
	struct q_table *t;
	unsigned types; /* bit per enum store_event_type; 0 = all */
	uint64_t count; /* events matching so far */
	uint64_t skip;  /* matching events to pass over (--last) */
};

static int
on_count(const struct store_event *ev, void *arg)
{
	struct ctx *x = arg;

	if (!x->types || (x->types & 1u << ev->type))
		x->count++;
	return 0;
}

static int
on_event(const struct store_event *ev, void *arg)
{
	struct ctx *x = arg;
	struct q_table *t = x->t;
	char iso[21];
	int rc;

	if (x->types && !(x->types & 1u << ev->type))
		return 0;
	if (x->skip > 0) {
		x->skip--;
		return 0;
	}
	if ((rc = q_table_row(t)) != 0 ||
	    (rc = q_table_setf(t, 0, Q_NUM, "%" PRIu64, ev->seq)) != 0 ||
	    (rc = q_table_set(t, 1, Q_STR, q_iso(ev->time, iso))) != 0 ||
	    (rc = q_table_set(t, 2, Q_STR, store_event_name(ev->type))) != 0 ||
	    (rc = q_table_set(t, 3, ev->agency[0] ? Q_STR : Q_NULL,
	                      ev->agency)) != 0 ||
	    (ev->year && (rc = q_table_setf(t, 4, Q_NUM, "%d", ev->year))) ||
	    (rc = q_table_set(t, 5, ev->url[0] ? Q_STR : Q_NULL, ev->url)) !=
	        0 ||
	    (rc = q_table_set(t, 6, ev->detail[0] ? Q_STR : Q_NULL,
	                      ev->detail)) != 0)
		return rc;
	return 0;
}

static int
parse_types(const char *s, unsigned *types)
{
	char *dup = strdup(s), *tok, *save = NULL;
	enum store_event_type t;

	if (dup == NULL)
		return NB_ENOMEM;
	for (tok = strtok_r(dup, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		if ((t = store_event_type_parse(tok)) == 0) {
			log_warnx("new: --type %s: no event type '%s'", s, tok);
			free(dup);
			return NB_EINVAL;
		}
		*types |= 1u << t;
	}
	free(dup);
	return 0;
}

struct pos {
	const char *name;
	uint64_t seq;
};

static int
set_position(struct store_txn *txn, void *arg)
{
	struct pos *p = arg;

	return store_consumer_set(txn, p->name, p->seq);
}

int
cmd_new(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"since", required_argument, NULL, 's'},
	    {"consumer", required_argument, NULL, 'c'},
	    {"type", required_argument, NULL, 't'},
	    {"last", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const cols[] = {
	    ">seq", "time", "event", "agency", ">year", "url", "detail",
	};
	const char *since = NULL, *consumer = NULL;
	struct store_txn *txn = NULL;
	struct ctx x = {0};
	uint64_t from = 0, last = 0;
	int64_t at = -1;
	int c, rc, have_from = 0, status = Q_ERR;
	long lastn = -1;
	char *end;
	struct q q;

	q_init(&q, "new");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "s:c:t:n:", opts)) !=
	       -1)
		switch (c) {
		case 's':
			since = optarg;
			break;
		case 'c':
			consumer = optarg;
			break;
		case 't':
			if (parse_types(optarg, &x.types) != 0)
				return Q_ERR;
			break;
		case 'n':
			lastn = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || lastn < 0) {
				log_warnx("new: --last %s: not a count",
				          optarg);
				return Q_ERR;
			}
			break;
		default:
			usage(stderr);
			return Q_ERR;
		}
	if (q.help) {
		usage(stdout);
		return Q_OK;
	}
	if (optind != argc) {
		usage(stderr);
		return Q_ERR;
	}
	if (since != NULL) {
		size_t n = strspn(since, "0123456789");

		have_from = 1;
		if (n > 0 && since[n] == '\0' && n <= 19) {
			from = strtoull(since, NULL, 10);
		} else if (strchr(since, '-') == NULL ||
		           nb_time_parse(since, &at) != 0) {
			log_warnx("new: --since %s: neither an event number "
			          "nor a date (YYYY-MM-DD)",
			          since);
			return Q_ERR;
		}
	}
	if (q_open(&q) != 0 ||
	    (x.t = q_table_new(cols, NB_NELEM(cols))) == NULL ||
	    store_read_begin(q.st, &txn) != 0)
		goto done;
	if (!have_from && consumer != NULL &&
	    store_consumer_get(txn, consumer, &from) == 0)
		have_from = 1;
	if (!have_from)
		at = nb_now_ms() - DEFAULT_DAYS * 86400000LL;
	if ((at >= 0 && (rc = store_event_seq_before(txn, at, &from)) != 0) ||
	    (rc = store_event_last(txn, &last)) != 0 ||
	    (lastn >= 0 &&
	     (rc = store_event_iter(txn, from, on_count, &x)) != 0)) {
		log_warnx("new: %s", nb_strerror(rc));
		goto done;
	}
	/* --last N: count the matches first, then pass over the older */
	if (lastn >= 0 && x.count > (uint64_t)lastn)
		x.skip = x.count - (uint64_t)lastn;
	if ((rc = store_event_iter(txn, from, on_event, &x)) != 0) {
		log_warnx("new: %s", nb_strerror(rc));
		goto done;
	}
	store_read_end(txn);
	txn = NULL;
	q_table_maxwidth(x.t, 5, 60);
	if (q_table_print(x.t, q.fmt, stdout) != 0 ||
	    q_flush(stdout, Q_OK) != Q_OK)
		goto done;
	if (consumer != NULL &&
	    (rc = store_write(q.st, set_position,
	                      &(struct pos){consumer, last})) != 0) {
		log_warnx("new: consumer %s: position not saved: %s", consumer,
		          nb_strerror(rc));
		goto done;
	}
	status = q_table_rows(x.t) ? Q_OK : Q_NO;
done:
	store_read_end(txn);
	q_table_free(x.t);
	q_close(&q);
	return status;
}
