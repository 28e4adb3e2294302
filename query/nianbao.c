/*
 * nianbao - query the nianbao archive.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_parse.h"
#include "commands.h"
#include "log.h"

static const struct nb_command commands[] = {
    /* indexer */
    {"parse", cmd_parse,
     "parse FILE... [--json] [--template 2019|2021] [-f CONFIG]",
     "read report files and print their records"},

    /* store */
    {"warc", cmd_warc, "warc get|verify|cdxj [options]",
     "archived payloads, integrity check, CDXJ index"},

    /* query */
    {"agencies", cmd_agencies, "agencies [--region R]",
     "agencies known, with region, site, kind and years present"},
    {"list", cmd_list, "list [--agency A] [--region R] [--year Y]",
     "reports with publication date, deadline status, checks"},
    {"show", cmd_show, "show AGENCY YEAR [--version N] [--raw]",
     "one report's record, or the archived document"},
    {"history", cmd_history, "history AGENCY YEAR",
     "every version of a report and what changed between them"},
    {"new", cmd_new, "new [--since SEQ|DATE] [--consumer NAME]",
     "events since a point: new, changed, removed, blocked..."},
    {"missing", cmd_missing, "missing [--year Y] [--region R]",
     "agencies with no report for a year"},
    {"overdue", cmd_overdue, "overdue [--year Y] [--region R]",
     "agencies with no report after the deadline"},
    {"late", cmd_late, "late [--year Y] [--region R]",
     "reports published after the deadline"},
    {"check", cmd_check, "check [--agency A] [--year Y]",
     "reports whose numbers do not add up (勾稽 rules)"},
    {"stats", cmd_stats, "stats [--year Y] [--region R]",
     "totals and distributions across agencies and years"},
    {"export", cmd_export, "export --format csv|jsonl [filters]",
     "every field of every report, for spreadsheets and scripts"},
    {"coverage", cmd_coverage, "coverage [--region R] [--html FILE]",
     "agency x year grid: on time, late, missing, overdue, failed"},

    {NULL, NULL, NULL, NULL},
};

static void
usage(FILE *fp)
{
	fprintf(
	    fp,
	    "usage: nianbao COMMAND [options] [arguments]\n"
	    "       nianbao help [COMMAND]\n"
	    "\n"
	    "nianbao answers questions about the archive that nianbaod(8) "
	    "builds: which\n"
	    "annual information-disclosure reports are new, missing or "
	    "overdue, what an\n"
	    "agency reported for a year, and whose numbers do not add up.  It "
	    "opens the\n"
	    "archive read-only and is safe to run while the daemon writes.\n"
	    "\n"
	    "Commands:\n");
	for (const struct nb_command *c = commands; c->name != NULL; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->summary);
	fprintf(
	    fp,
	    "\n"
	    "Run 'nianbao COMMAND --help' for the options of one command.\n"
	    "\n"
	    "Exit status: 0 answered, 1 answered \"no\" or found nothing where "
	    "that is\n"
	    "meaningful (documented per command), 2 usage or archive error.\n");
}

int
main(int argc, char *argv[])
{
	const char *name;

	log_init("nianbao", 0);
	if (argc < 2) {
		usage(stderr);
		return Q_ERR;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		usage(stdout);
		return Q_OK;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		printf("nianbao %s\n", NB_VERSION);
		return Q_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return Q_OK;
		}
		for (const struct nb_command *c = commands; c->name; c++)
			if (strcmp(c->name, argv[2]) == 0) {
				char *av[] = {argv[2], "--help", NULL};

				return c->run(2, av);
			}
		log_warnx("unknown command '%s'", argv[2]);
		return Q_ERR;
	}
	for (const struct nb_command *c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c->run(argc - 1, argv + 1);
	log_warnx("unknown command '%s'; run 'nianbao --help' for the list",
	          name);
	return Q_ERR;
}
