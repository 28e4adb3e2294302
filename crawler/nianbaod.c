/*
 * nianbaod - the nianbao crawler and archive daemon.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "config.h"
#include "crawl.h"
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

struct daemon {
	struct event_base *base;
	struct crawl *crawl;
	const char *conffile;
	struct event *sig_term, *sig_int, *sig_hup, *status_ev;
};

/*
 * Signals arrive here as loop events, so the handler may touch any state:
 * no transfer callback can be running at the same time.
 */
static void
signal_cb(evutil_socket_t sig, short kind, void *arg)
{
	struct daemon *d = arg;
	struct nb_config *cfg;

	(void)kind;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("%s: stopping", strsignal((int)sig));
		nb_notify("STOPPING=1");
		crawl_stop(d->crawl);
		break;
	case SIGHUP:
		log_info("SIGHUP: reloading %s", d->conffile);
		nb_notify("RELOADING=1");
		if (config_load(d->conffile, &cfg) != 0)
			log_warnx("%s: not reloaded; the running configuration "
			          "stays",
			          d->conffile);
		else
			crawl_reload(d->crawl, cfg);
		nb_notify("READY=1");
		break;
	default:
		fatalx("unexpected signal %d", (int)sig);
	}
}

/* STATUS= for systemctl status, every few seconds */
static void
status_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct daemon *d = arg;
	struct crawl_stats st;

	(void)fd;
	(void)kind;
	crawl_stats_get(d->crawl, &st);
	nb_notify("STATUS=%u sites, %llu pages done, %llu queued, %llu "
	          "reports, %llu errors",
	          st.sites, (unsigned long long)st.done,
	          (unsigned long long)st.queued, (unsigned long long)st.reports,
	          (unsigned long long)st.errors);
}

static int
run(struct nb_config *cfg, const char *conffile, int once, int debug)
{
	struct daemon d = {.conffile = conffile};
	struct crawl_opts opts = {.once = once,
	                          .progress = !debug && isatty(1)};
	struct timeval five = {5, 0};
	int rc = 1, failed;

	if ((d.base = event_base_new()) == NULL) {
		log_warnx("event_base_new failed");
		config_free(cfg);
		return 1;
	}
	if (crawl_new(d.base, cfg, &opts, &d.crawl) != 0) {
		config_free(cfg);
		goto done;
	}
	d.sig_term = evsignal_new(d.base, SIGTERM, signal_cb, &d);
	d.sig_int = evsignal_new(d.base, SIGINT, signal_cb, &d);
	d.sig_hup = evsignal_new(d.base, SIGHUP, signal_cb, &d);
	d.status_ev = event_new(d.base, -1, EV_PERSIST, status_cb, &d);
	if (d.sig_term == NULL || d.sig_int == NULL || d.sig_hup == NULL ||
	    d.status_ev == NULL || evsignal_add(d.sig_term, NULL) != 0 ||
	    evsignal_add(d.sig_int, NULL) != 0 ||
	    evsignal_add(d.sig_hup, NULL) != 0 ||
	    event_add(d.status_ev, &five) != 0) {
		log_warnx("cannot set up signal events");
		goto done;
	}
	signal(SIGPIPE, SIG_IGN);
	nb_notify("READY=1");
	crawl_start(d.crawl);
	if (event_base_dispatch(d.base) != 0)
		log_warnx("event loop failed");
	if (opts.progress)
		printf("\n");
	failed = crawl_summary(d.crawl, stdout);
	rc = once && failed > 0 ? 1 : 0;
	if (once && failed > 0)
		log_warnx("%d site(s) failed", failed);
done:
	nb_notify("STOPPING=1");
	if (d.status_ev != NULL)
		event_free(d.status_ev);
	if (d.sig_hup != NULL)
		event_free(d.sig_hup);
	if (d.sig_int != NULL)
		event_free(d.sig_int);
	if (d.sig_term != NULL)
		event_free(d.sig_term);
	crawl_free(d.crawl);
	event_base_free(d.base);
	return rc;
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
	int ch, check = 0, debug = 0, verbose = 0, once = 0, rc;

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
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("curl_global_init failed");
		config_free(cfg);
		return 1;
	}
	rc = run(cfg, conffile, once, debug);
	curl_global_cleanup();
	return rc;
}
