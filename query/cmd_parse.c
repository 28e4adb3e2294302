/*
 * cmd_parse.c - nianbao parse: run the indexer on files, print records.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_parse.h"
#include "commands.h"
#include "config.h"
#include "indexer.h"
#include "log.h"

static void
parse_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: nianbao parse [--json] [--template 2019|2021] "
	        "[--hint REGION]\n"
	        "                     [-f CONFIG] FILE...\n"
	        "\n"
	        "Read each FILE (the text form of a report, an HTML page, a "
	        ".docx or a PDF\n"
	        "with a text layer; the format is recognised by content) and "
	        "print the\n"
	        "record the archive would store for it.  A scanned PDF, an "
	        "image or a .doc\n"
	        "is reported as unparsed, with the reason.\n"
	        "\n"
	        "Options:\n"
	        "  --json           print the record as JSON, one object per "
	        "line and file\n"
	        "                   (default: a readable summary; failed "
	        "checks are marked)\n"
	        "  --template T     read the tables as template T (2019 or "
	        "2021) instead of\n"
	        "                   deciding from the table headers\n"
	        "  --hint REGION    the county (or site id) the file comes "
	        "from, to resolve\n"
	        "                   agency names such as 市政府\n"
	        "  -f, --config F   configuration whose agency aliases are "
	        "used (default:\n"
	        "                   %s/nianbao/nianbao.ini if it exists, else "
	        "none)\n"
	        "  -h, --help       show this help\n"
	        "\n"
	        "Exit status: 0 every file parsed, 1 a file is not a report "
	        "or cannot be\n"
	        "parsed (the reason is logged), 2 usage or I/O error.\n",
	        NB_SYSCONFDIR);
}

/* Read a whole file, refusing what the indexer would refuse anyway. */
static int
read_file(const char *path, char **data, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 65536, n = 0;
	struct stat sb;
	char *buf;

	if (fp == NULL) {
		log_warn("%s", path);
		return -1;
	}
	/* one allocation of the right size for a regular file */
	if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size < INDEXER_MAX_INPUT)
		cap = sb.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		fclose(fp);
		log_warnx("%s: out of memory", path);
		return -1;
	}
	for (;;) {
		size_t r;

		if (n == cap) {
			char *p;

			if (n > INDEXER_MAX_INPUT) {
				log_warnx("%s: larger than %u bytes", path,
				          INDEXER_MAX_INPUT);
				goto fail;
			}
			cap *= 2;
			if ((p = realloc(buf, cap)) == NULL) {
				log_warnx("%s: out of memory", path);
				goto fail;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n, fp);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(fp)) {
		log_warn("%s", path);
		goto fail;
	}
	fclose(fp);
	*data = buf;
	*len = n;
	return 0;
fail:
	fclose(fp);
	free(buf);
	return -1;
}

static void
print_ints(FILE *fp, const json_t *arr)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		if (json_is_integer(v))
			fprintf(fp, " %6" JSON_INTEGER_FORMAT,
			        json_integer_value(v));
		else if (json_is_real(v))
			fprintf(fp, " %6g", json_real_value(v));
		else
			fprintf(fp, " %6s", "-");
	}
}

static void
print_value(FILE *fp, const json_t *v)
{
	if (json_is_integer(v))
		fprintf(fp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		fprintf(fp, "%.15g", json_real_value(v));
	else if (json_is_object(v)) {
		const char *u = json_string_value(json_object_get(v, "unit"));

		print_value(fp, json_object_get(v, "value"));
		if (u != NULL)
			fprintf(fp, " %s", u);
	} else
		fprintf(fp, "-");
}

static void
print_rows(FILE *fp, const char *prefix, const json_t *o)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
	{
		char name[128];

		snprintf(name, sizeof(name), "%s%s", prefix, key);
		if (json_is_array(v) && strcmp(key, "columns") != 0) {
			fprintf(fp, "    %-38s", name);
			print_ints(fp, v);
			fputc('\n', fp);
		} else if (json_is_object(v)) {
			char sub[160];

			snprintf(sub, sizeof(sub), "%s.", name);
			print_rows(fp, sub, v);
		}
	}
}

static void
print_summary(FILE *fp, const char *file, const json_t *rec)
{
	const char *bold = isatty(fileno(fp)) ? "\033[1;31m" : "";
	const char *off = bold[0] ? "\033[0m" : "";
	json_t *checks = json_object_get(rec, "checks");
	json_t *warnings = json_object_get(rec, "warnings");
	json_t *act = json_object_get(rec, "active"), *v, *row;
	size_t passed = 0, failed = 0, unknown = 0, i;
	const char *key, *k2;

	fprintf(fp, "%s\n", file);
	fprintf(fp, "  title     %s\n",
	        json_string_value(json_object_get(rec, "title")) ?: "(none)");
	fprintf(fp, "  agency    %s\n",
	        json_string_value(json_object_get(rec, "agency"))
	            ?: "(unknown)");
	fprintf(fp, "  region    %s\n",
	        json_string_value(json_object_get(rec, "region"))
	            ?: "(unknown)");
	fprintf(fp, "  year      ");
	print_value(fp, json_object_get(rec, "year"));
	fprintf(fp, "\n  template  %s\n",
	        json_string_value(json_object_get(rec, "template")));
	if (act != NULL) {
		fprintf(fp, "  active\n");
		json_object_foreach(act, key, row)
		{
			fprintf(fp, "    %-16s", key);
			json_object_foreach(row, k2, v)
			{
				fprintf(fp, " %s=", k2);
				print_value(fp, v);
			}
			fputc('\n', fp);
		}
	}
	if ((v = json_object_get(rec, "requests")) != NULL) {
		fprintf(fp, "  requests  %-32s %s\n", "",
		        "natural business research public legal other total");
		print_rows(fp, "", v);
	}
	if ((v = json_object_get(rec, "appeals")) != NULL) {
		fprintf(fp, "  appeals   %-32s %s\n", "",
		        "upheld corrected other pending total");
		json_object_foreach(v, key, row)
		{
			json_t *cell;

			fprintf(fp, "    %-38s", key);
			json_object_foreach(row, k2, cell)
			{
				json_t *one = json_pack("[O]", cell);

				print_ints(fp, one);
				json_decref(one);
			}
			fputc('\n', fp);
		}
	}
	json_array_foreach(checks, i, v)
	{
		json_t *ok = json_object_get(v, "ok");

		if (json_is_true(ok))
			passed++;
		else if (json_is_null(ok))
			unknown++;
		else
			failed++;
	}
	fprintf(fp, "  checks    %zu passed, %zu failed, %zu not evaluable\n",
	        passed, failed, unknown);
	json_array_foreach(checks, i, v)
	{
		const char *what = json_object_get(v, "column") ? "column"
		                   : json_object_get(v, "row")  ? "row"
		                                                : "group";

		if (!json_is_false(json_object_get(v, "ok")))
			continue;
		fprintf(fp, "    %sFAILED%s %s %s %s: expected ", bold, off,
		        json_string_value(json_object_get(v, "rule")), what,
		        json_string_value(json_object_get(v, what)));
		print_value(fp, json_object_get(v, "expected"));
		fprintf(fp, ", actual ");
		print_value(fp, json_object_get(v, "actual"));
		fputc('\n', fp);
	}
	if (json_array_size(warnings) > 0) {
		fprintf(fp, "  warnings  %zu\n", json_array_size(warnings));
		json_array_foreach(warnings, i, v)
		    fprintf(fp, "    %s\n", json_string_value(v));
	}
}

static int
load_ctx(const char *cfgpath, struct indexer_ctx **ctx)
{
	char sys[512];
	struct nb_config *cfg = NULL;
	int rc;

	if (cfgpath == NULL) {
		snprintf(sys, sizeof(sys), "%s/nianbao/nianbao.ini",
		         NB_SYSCONFDIR);
		if (access(sys, R_OK) == 0)
			cfgpath = sys;
	}
	if (cfgpath != NULL && config_load(cfgpath, &cfg) != 0) {
		log_warnx("%s: configuration not loaded", cfgpath);
		return -1;
	}
	rc = indexer_ctx_new(cfg, ctx);
	config_free(cfg);
	if (rc != 0) {
		log_warnx("parse: %s", nb_strerror(rc));
		return -1;
	}
	return 0;
}

int
cmd_parse(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"template", required_argument, NULL, 't'},
	    {"hint", required_argument, NULL, 'H'},
	    {"config", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *tmpl = NULL, *hint = NULL, *cfgpath = NULL;
	struct indexer_ctx *ctx = NULL;
	int json = 0, ch, status = Q_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 't':
			if (strcmp(optarg, "2019") != 0 &&
			    strcmp(optarg, "2021") != 0) {
				log_warnx("parse: --template takes 2019 or "
				          "2021, not '%s'",
				          optarg);
				return Q_ERR;
			}
			tmpl = optarg;
			break;
		case 'H':
			hint = optarg;
			break;
		case 'f':
			cfgpath = optarg;
			break;
		case 'h':
			parse_usage(stdout);
			return Q_OK;
		default:
			parse_usage(stderr);
			return Q_ERR;
		}
	}
	if (optind >= argc) {
		parse_usage(stderr);
		return Q_ERR;
	}
	if (load_ctx(cfgpath, &ctx) != 0)
		return Q_ERR;
	for (int i = optind; i < argc; i++) {
		struct indexer_input in = {0};
		struct indexer_status st;
		json_t *rec = NULL;
		char *data = NULL;
		size_t len = 0;
		int rc;

		if (read_file(argv[i], &data, &len) != 0) {
			status = Q_ERR;
			continue;
		}
		in.data = data;
		in.len = len;
		in.template = tmpl;
		in.hint = hint;
		rc = indexer_parse(ctx, &in, &rec, &st);
		free(data);
		if (rc == NB_ENOTREPORT || rc == NB_EUNPARSED ||
		    rc == NB_ETOOBIG) {
			log_warnx("%s: %s (%s)", argv[i], st.reason,
			          indexer_format_name(st.format));
			if (status == Q_OK)
				status = Q_NO;
			continue;
		}
		if (rc != 0) {
			log_warnx("%s: %s", argv[i], nb_strerror(rc));
			status = Q_ERR;
			continue;
		}
		if (json) {
			json_dumpf(rec, stdout, INDEXER_JSON_FLAGS);
			fputc('\n', stdout);
		} else {
			print_summary(stdout, argv[i], rec);
		}
		json_decref(rec);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("stdout");
		status = Q_ERR;
	}
	indexer_ctx_free(ctx);
	return status;
}
