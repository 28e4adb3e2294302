/*
 * commands.h - the subcommands of nianbao(1).
 *
 * Each takes the arguments after its name (argv[0] is the command name) and
 * returns the process exit status: 0 answered, 1 answered "no" or nothing
 * found where that is meaningful, 2 usage or archive error.
 */
#ifndef NB_QUERY_COMMANDS_H
#define NB_QUERY_COMMANDS_H

#include <stdio.h>

struct nb_command {
	const char *name;
	int (*run)(int argc, char *argv[]);
	const char *synopsis; /* "parse FILE... [--json]" */
	const char *summary;  /* one line */
};

/* Exit statuses shared by every subcommand. */
enum { Q_OK = 0, Q_NO = 1, Q_ERR = 2 };

/* store */
int cmd_warc(int argc, char *argv[]);

/* query */
int cmd_agencies(int argc, char *argv[]);
int cmd_list(int argc, char *argv[]);
int cmd_show(int argc, char *argv[]);
int cmd_history(int argc, char *argv[]);
int cmd_new(int argc, char *argv[]);
int cmd_missing(int argc, char *argv[]);
int cmd_overdue(int argc, char *argv[]);
int cmd_late(int argc, char *argv[]);
int cmd_check(int argc, char *argv[]);
int cmd_stats(int argc, char *argv[]);
int cmd_export(int argc, char *argv[]);
int cmd_coverage(int argc, char *argv[]);

#endif
