/*
 * nianbaod - the nianbao crawler and archive daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

#define DEFAULT_CONFIG NB_SYSCONFDIR "/nianbao/nianbao.ini"

static void
usage(FILE *fp)
{
	fprintf(
	    fp,
	    "usage: nianbaod [-dnv] [--once] [-f file]\n"
	    "\n"
	    "nianbaod crawls the county government sites named in its "
	    "configuration,\n"
	    "archives every capture as WARC, extracts the annual "
	    "information-disclosure\n"
	    "reports into structured records and keeps the archive index "
	    "current.  The\n"
	    "archive is read with nianbao(1).\n"
	    "\n"
	    "Options:\n"
	    "  -f, --config FILE  configuration file (default " DEFAULT_CONFIG
	    ")\n"
	    "  -n, --check        check the configuration, print the "
	    "effective\n"
	    "                     configuration with every default filled in, "
	    "and exit:\n"
	    "                     0 if it is valid, 1 if not (each error is "
	    "reported as\n"
	    "                     FILE:LINE: message)\n"
	    "  -d, --debug        stay in the foreground, log a line per event "
	    "and debug\n"
	    "                     messages to stderr\n"
	    "  -v, --verbose      more log messages (repeatable)\n"
	    "      --once         walk every site once, then exit: 0 when the "
	    "pass\n"
	    "                     completed, 1 with a summary when a site "
	    "failed (for a\n"
	    "                     systemd timer or cron)\n"
	    "  -h, --help         this text\n"
	    "  -V, --version      print the version and exit\n"
	    "\n"
	    "Signals: SIGTERM and SIGINT stop taking new work, finish or "
	    "abandon\n"
	    "transfers in flight within seconds, commit and exit 0.  SIGHUP "
	    "re-reads the\n"
	    "configuration; a bad file is reported and the running one kept.\n"
	    "\n"
	    "Files:\n"
	    "  " DEFAULT_CONFIG
	    "   configuration (see the README's reference)\n"
	    "  DATA_DIR/index/             LMDB index (reports, URL state, "
	    "events)\n"
	    "  DATA_DIR/warc/              WARC 1.1 captures (*.warc.gz) and "
	    "CDXJ index\n"
	    "\n"
	    "Exit status: 0 success, 1 failure (configuration, archive or "
	    "crawl error).\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'f'},
	    {"check", no_argument, NULL, 'n'},
	    {"debug", no_argument, NULL, 'd'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"once", no_argument, NULL, 'O'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0}};
	const char *conffile = DEFAULT_CONFIG;
	struct nb_config *cfg;
	int ch, check = 0, debug = 0, verbose = 0, once = 0;

	log_init("nianbaod", 0);
	while ((ch = getopt_long(argc, argv, "f:ndvhV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'f':
			conffile = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'O':
			once = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("nianbaod %s\n", NB_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		log_warnx("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 1;
	}
	log_setverbose(verbose + debug);

	if (config_load(conffile, &cfg) != 0)
		return 1;
	if (check) {
		config_print(cfg, stdout);
		log_info("%s: configuration OK", conffile);
		config_free(cfg);
		return 0;
	}
	(void)once;
	log_warnx("the crawler is not part of this build yet");
	config_free(cfg);
	return 1;
}
