/*
 * cmd_parse.h - nianbao parse FILE... (the indexer on files, no archive).
 */
#ifndef NB_QUERY_CMD_PARSE_H
#define NB_QUERY_CMD_PARSE_H

int cmd_parse(int argc, char *argv[]);

#endif
