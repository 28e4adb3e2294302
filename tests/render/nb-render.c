/*
 * nb-render - write a report record (JSON) as the document a county site
 * publishes, for scripts, the fixture site and the benchmarks.
 *
 *   nb-render --html|--docx|--text [--page] [--charset CS] [--variant N]
 *             [--seed N] [--published YYYY-MM-DD] RECORD.json > out
 *
 * Exit 0 on success, 1 when the record cannot be rendered, 2 on usage or
 * I/O errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "render.h"

/* A rendering of a real report is ~100 KB; this leaves ample room. */
#define OUT_MAX (64u << 20)

static void
usage(void)
{
	log_warnx("usage: nb-render --html|--docx|--text [--page] "
	          "[--charset CS] [--variant N] [--seed N] "
	          "[--published YYYY-MM-DD] RECORD.json");
	exit(2);
}

static unsigned
number(const char *opt, const char *s)
{
	unsigned long v;
	char *end;

	v = strtoul(s, &end, 0);
	if (*s == '\0' || *end != '\0' || v > 0xffffffffUL) {
		log_warnx("%s: not a number: '%s'", opt, s);
		exit(2);
	}
	return (unsigned)v;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"html", no_argument, NULL, 'H'},
	    {"docx", no_argument, NULL, 'D'},
	    {"text", no_argument, NULL, 'T'},
	    {"page", no_argument, NULL, 'p'},
	    {"charset", required_argument, NULL, 'c'},
	    {"variant", required_argument, NULL, 'v'},
	    {"seed", required_argument, NULL, 's'},
	    {"published", required_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	int (*fn)(const json_t *, const struct render_opts *, struct nb_buf *) =
	    NULL;
	struct render_opts o = {0};
	struct nb_buf out;
	json_error_t je;
	json_t *rec;
	int ch, rc;

	log_init("nb-render", 0);
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			fn = render_html;
			break;
		case 'D':
			fn = render_docx;
			break;
		case 'T':
			fn = render_text;
			break;
		case 'p':
			o.page = 1;
			break;
		case 'c':
			o.charset = optarg;
			break;
		case 'v':
			o.variant = number("--variant", optarg);
			if (o.variant & ~(unsigned)RV_ALL) {
				log_warnx("--variant: unknown bits in %#x",
				          o.variant);
				exit(2);
			}
			break;
		case 's':
			o.seed = number("--seed", optarg);
			break;
		case 'P':
			o.published = optarg;
			break;
		default:
			usage();
		}
	}
	if (fn == NULL || optind != argc - 1)
		usage();
	if ((rec = json_load_file(argv[optind], 0, &je)) == NULL) {
		log_warnx("%s:%d: %s", argv[optind], je.line, je.text);
		return 2;
	}
	nb_buf_init(&out, OUT_MAX);
	rc = fn(rec, &o, &out);
	json_decref(rec);
	if (rc != 0) {
		log_warnx("%s: %s", argv[optind], nb_strerror(rc));
		nb_buf_free(&out);
		return 1;
	}
	if (fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		log_warn("stdout");
		nb_buf_free(&out);
		return 2;
	}
	nb_buf_free(&out);
	return 0;
}
