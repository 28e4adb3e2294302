/*
 * config.h - nianbao's configuration: INI file, defaults, validation.
 *
 * The file has a [nianbao] section, a [crawl] section, one [site ID] section
 * per site and optional [agency NAME] sections (also loadable from the file
 * named by the `aliases` key).  Every key has a default (see config.c's key
 * tables, printed by config_print and documented in the README).
 *
 * config_load reports every problem it finds, not just the first, each as
 * one log_warnx line "FILE:LINE: message", and fails at the end if there was
 * any.  A loaded config is immutable; reloading means loading a new one and
 * swapping pointers.
 */
#ifndef NB_CONFIG_H
#define NB_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "nb.h"

struct nb_strlist {
	char **v; /* n owned strings */
	size_t n;
};

enum nb_agency_kind {
	NB_KIND_AUTO = 0,   /* inferred from the name */
	NB_KIND_GOVERNMENT, /* county-level people's government: 31 March */
	NB_KIND_DEPARTMENT, /* departments, townships: 31 January */
};

struct nb_site {
	char *id;     /* from "[site ID]" */
	char *name;   /* display name, e.g. 樟树市 (default: id) */
	char *region; /* county-level area (default: name) */
	struct nb_strlist start; /* start URLs, http(s) only (required) */
	struct nb_strlist allow; /* hosts that may be fetched (required) */
	long delay_ms;           /* per-host delay; default from [crawl] */
	long recrawl_ms;  /* list/directory re-walk; default from [crawl] */
	long page_budget; /* max pages per pass; default from [crawl] */
	int max_depth;    /* default from [crawl] */
	int line;         /* line of the section header */
};

struct nb_agency {
	char *name;   /* canonical name, from "[agency NAME]" */
	char *region; /* may be NULL */
	struct nb_strlist aliases;
	enum nb_agency_kind kind;
	const char *file; /* file it was read from (owned by config) */
	int line;
};

struct nb_config {
	char *path; /* file loaded, as given */

	/* [nianbao] */
	char *data_dir;
	char *user_agent;
	char *aliases;      /* path of the alias file, resolved; may be "" */
	char *on_event;     /* program run per event; may be "" */
	uint64_t warc_size; /* roll WARC files at this size */

	/* [crawl] */
	int concurrency;
	int per_host;
	long delay_ms;
	long timeout_ms;
	uint64_t max_body;
	long recrawl_ms;
	long recrawl_reports_ms;
	int retries;
	int max_redirects;
	int max_depth;
	long page_budget;
	char *proxy;               /* "" = environment, as curl does */
	struct nb_strlist resolve; /* "host:port:addr" entries */
	int allow_private;         /* fetch private/loopback addresses */

	struct nb_site *sites;
	size_t nsites;
	struct nb_agency *agencies;
	size_t nagencies;
	struct nb_strlist files; /* every file read, for messages */
};

/*
 * config_load - read and validate path.
 * @param[out] out  on success, a config the caller frees with config_free.
 * Returns 0, NB_ECONFIG (errors were logged, one per line, with file:line)
 * or NB_ENOMEM.
 */
int config_load(const char *path, struct nb_config **out);

/* config_defaults - a config with every default and no sites (for tools). */
int config_defaults(struct nb_config **out);

void config_free(struct nb_config *cfg);

/* config_print - the effective configuration, as a valid INI file. */
void config_print(const struct nb_config *cfg, FILE *fp);

/* Look up a site by id; NULL if none.  Borrowed from cfg. */
const struct nb_site *config_site(const struct nb_config *cfg, const char *id);

/*
 * Value parsers shared with the command-line tools.  Each returns 0 or
 * NB_EINVAL and writes *out only on success.
 *   duration: "250ms", "30s", "15m", "6h", "2d", "1w"; a bare number is
 *             seconds.  Result in milliseconds.
 *   size:     "512", "64K", "64M", "1G" (powers of 1024; "KiB" etc. too).
 */
int config_parse_duration(const char *s, long *out_ms);
int config_parse_size(const char *s, uint64_t *out);

/* Format ms as the shortest exact duration ("6h", "1500ms"); returns buf. */
const char *config_fmt_duration(long ms, char *buf, size_t len);
const char *config_fmt_size(uint64_t n, char *buf, size_t len);

#endif
