/*
 * test_config - the loader's defaults, value parsers and every kind of
 * error, checked by its exact "file:line: message" text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"

static char msgs[8192];
static char tmpdir[] = "/tmp/nb-test-config-XXXXXX";

static void
sink(int level, const char *msg, void *arg)
{
	(void)level;
	(void)arg;
	strncat(msgs, msg, sizeof(msgs) - strlen(msgs) - 2);
	strcat(msgs, "\n");
}

static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Load text as name; return the loader's result, messages in msgs. */
static int
load(const char *name, const char *text, struct nb_config **cfg)
{
	const char *path = write_file(name, text);

	msgs[0] = '\0';
	*cfg = NULL;
	return config_load(path, cfg);
}

static const char *site_ok = "[site a]\n"
                             "start = http://www.a.gov.cn/x/index.shtml\n"
                             "allow = www.a.gov.cn\n";

/* Expect failure with exactly this first message (path-relative). */
static void
expect_error(const char *text, const char *first)
{
	struct nb_config *cfg;
	char want[1024];
	int rc = load("t.ini", text, &cfg);

	assert_int_equal(rc, NB_ECONFIG);
	assert_null(cfg);
	snprintf(want, sizeof(want), "%s/%s\n", tmpdir, first);
	assert_true(strlen(msgs) >= strlen(want));
	if (strncmp(msgs, want, strlen(want)) != 0)
		fail_msg("got:\n%swant:\n%s", msgs, want);
}

static void
test_defaults(void **state)
{
	struct nb_config *cfg;

	(void)state;
	assert_int_equal(load("d.ini", site_ok, &cfg), 0);
	assert_string_equal(msgs, "");
	assert_string_equal(cfg->data_dir, "/var/lib/nianbao");
	assert_int_equal(cfg->concurrency, 16);
	assert_int_equal(cfg->per_host, 2);
	assert_int_equal(cfg->delay_ms, 1000);
	assert_int_equal(cfg->timeout_ms, 30000);
	assert_true(cfg->max_body == 64ULL << 20);
	assert_true(cfg->warc_size == 1ULL << 30);
	assert_int_equal(cfg->recrawl_ms, 6L * 3600 * 1000);
	assert_int_equal(cfg->allow_private, 0);
	assert_string_equal(cfg->proxy, "");
	assert_int_equal(cfg->nsites, 1);
	assert_string_equal(cfg->sites[0].id, "a");
	assert_string_equal(cfg->sites[0].name, "a");
	assert_string_equal(cfg->sites[0].region, "a");
	assert_int_equal(cfg->sites[0].delay_ms, 1000);
	assert_int_equal(cfg->sites[0].start.n, 1);
	config_free(cfg);
}

static void
test_values(void **state)
{
	struct nb_config *cfg;
	const char *text = "\xef\xbb\xbf; comment\n"
	                   "# another\n"
	                   "[nianbao]\n"
	                   "data_dir = data   ; relative to this file\n"
	                   "[crawl]\n"
	                   "delay = 250ms\n"
	                   "timeout = 2m\n"
	                   "recrawl = 2d\n"
	                   "max_body = 512K\n"
	                   "allow_private = yes\n"
	                   "resolve = a.test:80:127.0.0.1 *:8080:127.0.0.1\n"
	                   "[site 樟树]\n";
	const char *text2 = "[site b]\n"
	                    "name = 樟树市\n"
	                    "region = 宜春市\n"
	                    "delay = 5s\n"
	                    "start = http://www.b.gov.cn/a https://b.gov.cn/b\n"
	                    "  http://www.b.gov.cn/c\n"
	                    "allow = www.b.gov.cn, b.gov.cn\n";
	char dir[600];

	(void)state;
	/* a site id must be ASCII */
	expect_error(text, "t.ini:12: bad site id '樟树': use letters, "
	                   "digits, '-', '_' and '.'");
	assert_int_equal(load("v.ini", text2, &cfg), 0);
	assert_string_equal(cfg->sites[0].name, "樟树市");
	assert_string_equal(cfg->sites[0].region, "宜春市");
	assert_int_equal(cfg->sites[0].delay_ms, 5000);
	assert_int_equal(cfg->sites[0].start.n, 3);
	assert_string_equal(cfg->sites[0].start.v[2], "http://www.b.gov.cn/c");
	assert_int_equal(cfg->sites[0].allow.n, 2);
	config_free(cfg);

	assert_int_equal(load("v2.ini",
	                      "[nianbao]\ndata_dir = data ; here\n"
	                      "[crawl]\ndelay = 250ms\ntimeout = 2m\n"
	                      "recrawl = 2d\nmax_body = 512K\n"
	                      "allow_private = yes\n"
	                      "resolve = a.test:80:127.0.0.1 "
	                      "*:8080:127.0.0.1\n",
	                      &cfg),
	                 NB_ECONFIG);
	assert_non_null(strstr(msgs, "no [site ID] section"));

	{
		char full[2048];

		snprintf(full, sizeof(full), "%s%s",
		         "[nianbao]\ndata_dir = data ; here\n"
		         "[crawl]\ndelay = 250ms\ntimeout = 2m\n"
		         "recrawl = 2d\nmax_body = 512K\n"
		         "allow_private = yes\n"
		         "resolve = a.test:80:127.0.0.1 *:8080:127.0.0.1\n",
		         site_ok);
		assert_int_equal(load("v3.ini", full, &cfg), 0);
	}
	snprintf(dir, sizeof(dir), "%s/data", tmpdir);
	assert_string_equal(cfg->data_dir, dir);
	assert_int_equal(cfg->delay_ms, 250);
	assert_int_equal(cfg->timeout_ms, 120000);
	assert_int_equal(cfg->recrawl_ms, 2L * 86400 * 1000);
	assert_true(cfg->max_body == 512 * 1024);
	assert_int_equal(cfg->allow_private, 1);
	assert_int_equal(cfg->resolve.n, 2);
	assert_string_equal(cfg->resolve.v[1], "*:8080:127.0.0.1");
	/* the site inherits [crawl] values it does not set */
	assert_int_equal(cfg->sites[0].delay_ms, 250);
	config_free(cfg);
}

static void
test_parsers(void **state)
{
	long ms;
	uint64_t sz;
	char buf[32];

	(void)state;
	assert_int_equal(config_parse_duration("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(config_parse_duration("6h", &ms), 0);
	assert_int_equal(ms, 6L * 3600 * 1000);
	assert_int_equal(config_parse_duration("2d", &ms), 0);
	assert_int_equal(ms, 2L * 86400 * 1000);
	assert_int_equal(config_parse_duration("15", &ms), 0);
	assert_int_equal(ms, 15000);
	assert_int_equal(config_parse_duration("1500ms", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(config_parse_duration("6 h", &ms), NB_EINVAL);
	assert_int_equal(config_parse_duration("-1s", &ms), NB_EINVAL);
	assert_int_equal(config_parse_duration("h", &ms), NB_EINVAL);
	assert_int_equal(config_parse_duration("3y", &ms), NB_EINVAL);
	assert_int_equal(config_parse_size("64M", &sz), 0);
	assert_true(sz == 64ULL << 20);
	assert_int_equal(config_parse_size("1GiB", &sz), 0);
	assert_true(sz == 1ULL << 30);
	assert_int_equal(config_parse_size("100", &sz), 0);
	assert_true(sz == 100);
	assert_int_equal(config_parse_size("64X", &sz), NB_EINVAL);
	assert_int_equal(config_parse_size("99999999999999999999", &sz),
	                 NB_EINVAL);
	assert_string_equal(config_fmt_duration(6L * 3600000, buf, 32), "6h");
	assert_string_equal(config_fmt_duration(1500, buf, 32), "1500ms");
	assert_string_equal(config_fmt_duration(90000, buf, 32), "90s");
	assert_string_equal(config_fmt_size(64ULL << 20, buf, 32), "64M");
	assert_string_equal(config_fmt_size(1000, buf, 32), "1000");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_error("[crawl]\nconcurency = 4\n",
	             "t.ini:2: unknown key 'concurency' in [crawl]; did you "
	             "mean 'concurrency'?");
	expect_error("[crawl]\nfrobnicate = 4\n",
	             "t.ini:2: unknown key 'frobnicate' in [crawl]");
	expect_error("[site a]\nstart = http://a.b/\nalow = a.b\n",
	             "t.ini:3: unknown key 'alow' in [site a]; did you mean "
	             "'allow'?");
}

static void
test_unknown_section(void **state)
{
	(void)state;
	expect_error("[crawler]\nconcurrency = 4\n",
	             "t.ini:1: unknown section [crawler]; did you mean "
	             "[crawl]?");
	expect_error("[database]\n", "t.ini:1: unknown section [database]");
	expect_error("[site]\n", "t.ini:1: section [site] needs an id: "
	                         "[site ID]");
	expect_error("concurrency = 4\n",
	             "t.ini:1: key 'concurrency' outside any section");
	expect_error("[crawl\n",
	             "t.ini:1: section header lacks its closing ']'");
}

static void
test_bad_value(void **state)
{
	(void)state;
	expect_error("[crawl]\nconcurrency = lots\n",
	             "t.ini:2: bad value 'lots' for 'concurrency' in [crawl]: "
	             "expected an integer from 1 to 4096");
	expect_error("[crawl]\nper_host = 0\n",
	             "t.ini:2: bad value '0' for 'per_host' in [crawl]: "
	             "expected an integer from 1 to 64");
	expect_error("[crawl]\ndelay = 1 hour\n",
	             "t.ini:2: bad value '1 hour' for 'delay' in [crawl]: "
	             "expected a duration such as 500ms, 30s, 6h or 2d");
	expect_error("[crawl]\ntimeout = 10ms\n",
	             "t.ini:2: bad value '10ms' for 'timeout' in [crawl]: "
	             "must be from 100ms to 1d");
	expect_error("[crawl]\nmax_body = big\n",
	             "t.ini:2: bad value 'big' for 'max_body' in [crawl]: "
	             "expected a size such as 512K, 64M or 1G");
	expect_error("[crawl]\nallow_private = maybe\n",
	             "t.ini:2: bad value 'maybe' for 'allow_private' in "
	             "[crawl]: expected yes or no");
	expect_error("[crawl]\nresolve = a.test:80\n",
	             "t.ini:2: bad value 'a.test:80' for 'resolve' in [crawl]: "
	             "expected host:port:address");
	expect_error("[site a]\nstart = ftp://a.gov.cn/\n",
	             "t.ini:2: bad value 'ftp://a.gov.cn/' for 'start' in "
	             "[site a]: expected an http:// or https:// URL");
	expect_error("[site a]\nallow = a_b!.cn\n",
	             "t.ini:2: bad value 'a_b!.cn' for 'allow' in [site a]: "
	             "expected a host name");
	expect_error("[crawl]\ndelay = 1s\ndelay = 2s\n",
	             "t.ini:3: duplicate key 'delay' in [crawl] (first set on "
	             "line 2)");
	expect_error("[crawl]\njust words\n",
	             "t.ini:2: expected 'key = value' or [section]");
}

static void
test_sites(void **state)
{
	(void)state;
	expect_error("[site a]\nstart = http://a.gov.cn/\nallow = a.gov.cn\n"
	             "\n[site a]\nstart = http://a.gov.cn/\n",
	             "t.ini:5: duplicate site 'a' (first defined on line 1)");
	expect_error("[site a]\nallow = a.gov.cn\n",
	             "t.ini:1: site 'a': missing required key 'start'");
	expect_error("[crawl]\n\n[site zs]\nstart = http://a.gov.cn/\n",
	             "t.ini:3: site 'zs' has no allow-list: add 'allow = HOST "
	             "...'");
	expect_error("[site a]\nstart = http://spam.cn/\nallow = a.gov.cn\n",
	             "t.ini:1: site 'a': start URL host 'spam.cn' is not in "
	             "its allow-list");
	expect_error("[nianbao]\n[nianbao]\n",
	             "t.ini:2: section [nianbao] repeated (first on line 1)");
}

static void
test_every_error_reported(void **state)
{
	struct nb_config *cfg;

	(void)state;
	assert_int_equal(load("m.ini",
	                      "[crawl]\nconcurrency = x\nper_host = y\n"
	                      "[bogus]\n",
	                      &cfg),
	                 NB_ECONFIG);
	/* three errors and the summary, in file order */
	assert_non_null(strstr(msgs, "m.ini:2: bad value 'x'"));
	assert_non_null(strstr(msgs, "m.ini:3: bad value 'y'"));
	assert_non_null(strstr(msgs, "m.ini:4: unknown section [bogus]"));
	assert_non_null(strstr(msgs, "m.ini: 3 errors\n"));
	assert_true(strstr(msgs, "m.ini:2:") < strstr(msgs, "m.ini:4:"));
}

static void
test_aliases(void **state)
{
	struct nb_config *cfg;
	char text[1024];

	(void)state;
	write_file("al.conf", "[agency 樟树市人民政府]\nregion = 樟树市\n"
	                      "kind = government\n"
	                      "aliases = 市政府 樟树市政府、市人民政府\n"
	                      "[agency 樟树市洋湖乡人民政府]\n"
	                      "aliases = 洋湖乡\n");
	snprintf(text, sizeof(text), "[nianbao]\naliases = al.conf\n%s",
	         site_ok);
	assert_int_equal(load("al.ini", text, &cfg), 0);
	assert_int_equal(cfg->nagencies, 2);
	assert_string_equal(cfg->agencies[0].name, "樟树市人民政府");
	assert_int_equal(cfg->agencies[0].kind, NB_KIND_GOVERNMENT);
	assert_int_equal(cfg->agencies[0].aliases.n, 3);
	assert_string_equal(cfg->agencies[0].aliases.v[2], "市人民政府");
	assert_int_equal(cfg->agencies[1].kind, NB_KIND_AUTO);
	assert_null(cfg->agencies[1].region);
	config_free(cfg);

	write_file("al2.conf", "[agency X]\nkind = ministry\n"
	                       "[crawl]\n");
	snprintf(text, sizeof(text), "[nianbao]\naliases = al2.conf\n%s",
	         site_ok);
	assert_int_equal(load("al2.ini", text, &cfg), NB_ECONFIG);
	{
		char want[1024];

		snprintf(want, sizeof(want),
		         "%s/al2.conf:2: bad value 'ministry' for 'kind' in "
		         "[agency X]: expected government, department or "
		         "auto\n%s/al2.conf:3: unknown section [crawl]: an "
		         "alias file holds only [agency NAME] sections\n",
		         tmpdir, tmpdir);
		assert_int_equal(strncmp(msgs, want, strlen(want)), 0);
	}

	write_file("al3.conf", "[agency A]\nregion = R\naliases = a1\n"
	                       "[agency B]\nregion = R\naliases = a1\n");
	snprintf(text, sizeof(text), "[nianbao]\naliases = al3.conf\n%s",
	         site_ok);
	assert_int_equal(load("al3.ini", text, &cfg), NB_ECONFIG);
	{
		char want[1024];

		snprintf(want, sizeof(want),
		         "%s/al3.conf:4: alias 'a1' of 'B' already names 'A' "
		         "(%s/al3.conf:1)\n%s/al3.ini: 1 error\n",
		         tmpdir, tmpdir, tmpdir);
		assert_string_equal(strstr(msgs, tmpdir), want);
	}
}

static void
test_missing_file(void **state)
{
	struct nb_config *cfg = NULL;

	(void)state;
	msgs[0] = '\0';
	assert_int_equal(config_load("/nonexistent/nb.ini", &cfg), NB_ECONFIG);
	assert_null(cfg);
	assert_non_null(
	    strstr(msgs, "/nonexistent/nb.ini: No such file or directory"));
}

static void
test_shipped_configs(void **state)
{
	const char *src = getenv("NB_SRCDIR");
	const char *files[] = {"demo.ini", "jiangxi.ini"};
	char path[1024];
	struct nb_config *cfg;

	(void)state;
	assert_non_null(src);
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/config/%s", src, files[i]);
		msgs[0] = '\0';
		assert_int_equal(config_load(path, &cfg), 0);
		assert_string_equal(msgs, "");
		assert_true(cfg->nsites >= 3);
		assert_true(cfg->nagencies >= 5);
		config_free(cfg);
	}
	snprintf(path, sizeof(path), "%s/config/jiangxi.ini", src);
	assert_int_equal(config_load(path, &cfg), 0);
	assert_non_null(config_site(cfg, "zhangshu"));
	assert_string_equal(config_site(cfg, "zhangshu")->name, "樟树市");
	assert_non_null(config_site(cfg, "gaoan"));
	assert_non_null(config_site(cfg, "ruijin"));
	assert_non_null(config_site(cfg, "yichun"));
	assert_int_equal(cfg->allow_private, 0);
	config_free(cfg);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	log_setsink(sink, NULL);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_parsers),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_unknown_section),
	    cmocka_unit_test(test_bad_value),
	    cmocka_unit_test(test_sites),
	    cmocka_unit_test(test_every_error_reported),
	    cmocka_unit_test(test_aliases),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_shipped_configs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
