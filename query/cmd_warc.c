/*
 * cmd_warc.c - `nianbao warc get|verify|cdxj': the raw archive.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "log.h"
#include "nbtime.h"
#include "query.h"
#include "store.h"

static void
warc_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: nianbao warc get URL [--at TIME] [options]\n"
	        "       nianbao warc verify [--list] [options]\n"
	        "       nianbao warc cdxj [-o FILE] [options]\n"
	        "\n"
	        "get     print the payload archived for URL (the latest "
	        "capture, or the\n"
	        "        last one at or before TIME: 2024-01-31, "
	        "2024-01-31T08:00:00Z or\n"
	        "        20240131080000), following revisit records to the "
	        "payload they\n"
	        "        refer to.  Exit 1 if the URL was never captured.\n"
	        "verify  re-read every WARC record, check its gzip member, "
	        "block and\n"
	        "        payload digests, and check the index against the "
	        "files.  Prints\n"
	        "        each problem; --list also lists every record "
	        "(file offset length\n"
	        "        type URI).  Exit 0 all good, 1 problems found.\n"
	        "cdxj    write the sorted CDXJ index (pywb format) to FILE, "
	        "default standard\n"
	        "        output.  The daemon rewrites warc/index.cdxj itself "
	        "when it rolls\n"
	        "        a WARC file and when it stops.\n"
	        "\n"
	        "      --at TIME       (get) the capture at or before TIME\n"
	        "      --list          (verify) list every record\n"
	        "  -o FILE             (cdxj) write to FILE\n");
	q_usage_common(fp, 0);
	fprintf(fp, "(--json and --csv do not apply.)\n"
	            "\nExit status 2: usage or archive error.\n");
}

static void
print_problem(const char *msg, void *arg)
{
	(void)arg;
	printf("problem: %s\n", msg);
}

static void
print_record(const char *file, uint64_t offset, uint64_t length,
             const struct store_record *rec, void *arg)
{
	(void)arg;
	printf("%s %" PRIu64 " %" PRIu64 " %s %s\n", file, offset, length,
	       rec->warc_type, rec->target_uri[0] ? rec->target_uri : "-");
}

static int
warc_get(struct store *st, const char *url, int64_t at)
{
	struct store_txn *txn = NULL;
	struct store_record rec;
	int rc;

	if ((rc = store_read_begin(st, &txn)) != 0)
		return Q_ERR;
	rc = store_payload_get(txn, url, at, &rec, NULL);
	store_read_end(txn);
	if (rc == NB_ENOTFOUND) {
		store_record_free(&rec);
		log_warnx("%s: not in the archive", url);
		return Q_NO;
	}
	if (rc != 0) {
		store_record_free(&rec);
		log_warnx("%s: %s", url, nb_strerror(rc));
		return Q_ERR;
	}
	if (fwrite(rec.payload, 1, rec.payload_len, stdout) !=
	        rec.payload_len ||
	    fflush(stdout) != 0) {
		log_warn("stdout");
		rc = NB_EIO;
	}
	store_record_free(&rec);
	return rc ? Q_ERR : Q_OK;
}

int
cmd_warc(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"at", required_argument, NULL, 'a'},
	    {"list", no_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	const char *at_s = NULL, *out = "-", *sub;
	struct store_verify_stats vs;
	int64_t at = 0;
	int c, list = 0, status = Q_ERR, rc;
	struct q q;

	q_init(&q, "warc");
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		warc_usage(stdout);
		return Q_OK;
	}
	if (argc < 2) {
		warc_usage(stderr);
		return Q_ERR;
	}
	sub = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "o:", opts)) != -1)
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'a':
			at_s = optarg;
			break;
		case 'l':
			list = 1;
			break;
		default:
			warc_usage(stderr);
			return Q_ERR;
		}
	if (q.help) {
		warc_usage(stdout);
		return Q_OK;
	}
	if (strcmp(sub, "get") == 0) {
		if (optind != argc - 1) {
			warc_usage(stderr);
			return Q_ERR;
		}
		if (at_s && nb_time_parse(at_s, &at) != 0) {
			log_warnx("--at %s: not a time", at_s);
			return Q_ERR;
		}
	} else if ((strcmp(sub, "verify") != 0 && strcmp(sub, "cdxj") != 0) ||
	           optind != argc) {
		warc_usage(stderr);
		return Q_ERR;
	}
	if (q_open(&q) != 0)
		goto done;
	if (strcmp(sub, "get") == 0)
		status = warc_get(q.st, argv[optind], at);
	else if (strcmp(sub, "cdxj") == 0)
		status = store_cdxj_export(q.st, out) == 0 ? Q_OK : Q_ERR;
	else {
		rc = store_verify(q.st, print_problem,
		                  list ? print_record : NULL, NULL, &vs);
		if (rc != 0) {
			log_warnx("verify: %s", nb_strerror(rc));
			status = Q_ERR;
		} else {
			printf("%" PRIu64 " files, %" PRIu64
			       " records, %" PRIu64 " bytes, %" PRIu64
			       " CDXJ entries: %" PRIu64 " problem%s\n",
			       vs.files, vs.records, vs.bytes, vs.cdx,
			       vs.problems, vs.problems == 1 ? "" : "s");
			if (vs.unindexed)
				printf("%" PRIu64 " bytes past the indexed end "
				       "(being written, or a torn tail the "
				       "daemon cuts when it starts)\n",
				       vs.unindexed);
			status = vs.problems ? Q_NO : Q_OK;
		}
	}
done:
	q_close(&q);
	return status;
}
