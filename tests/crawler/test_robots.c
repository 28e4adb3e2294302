/* test_robots - groups, longest match, patterns, Crawl-delay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crawler.h"

static struct robots *
parse(const char *txt, const char *agent)
{
	struct robots *r = NULL;

	assert_int_equal(robots_parse(txt, strlen(txt), agent, &r), 0);
	return r;
}

static void
test_groups(void **state)
{
	const char *txt = "# comment\n"
	                  "User-agent: *\n"
	                  "Disallow: /private/\n"
	                  "Crawl-delay: 1\n"
	                  "\n"
	                  "User-agent: otherbot\n"
	                  "Disallow: /\n"
	                  "\n"
	                  "user-AGENT: NianBao/2.0\n"
	                  "User-agent: foo\n"
	                  "Disallow: /secret   # trailing comment\n"
	                  "Allow: /secret/public\n"
	                  "crawl-delay: 2.5\n"
	                  "Sitemap: http://a.cn/sitemap.xml\n"
	                  "User-agent: nianbao\n"
	                  "Disallow: /also\n";
	struct robots *r;

	(void)state;
	r = parse(txt, "nianbao");
	/* our groups merge; "*" no longer applies */
	assert_true(robots_allowed(r, "/private/x"));
	assert_false(robots_allowed(r, "/secret"));
	assert_false(robots_allowed(r, "/secret/x"));
	assert_true(robots_allowed(r, "/secret/public/x"));
	assert_false(robots_allowed(r, "/also/x"));
	assert_true(robots_allowed(r, "/"));
	assert_int_equal(robots_crawl_delay_ms(r), 2500);
	robots_free(r);

	r = parse(txt, "somebody");
	assert_false(robots_allowed(r, "/private/x"));
	assert_true(robots_allowed(r, "/secret"));
	assert_int_equal(robots_crawl_delay_ms(r), 1000);
	robots_free(r);

	r = parse(txt, "otherbot");
	assert_false(robots_allowed(r, "/anything"));
	assert_true(robots_allowed(r, "/robots.txt"));
	assert_int_equal(robots_crawl_delay_ms(r), -1);
	robots_free(r);
}

static void
test_patterns(void **state)
{
	const char *txt = "User-agent: *\n"
	                  "Disallow: /*.pdf$\n"
	                  "Disallow: /search?\n"
	                  "Disallow: /a*b/c\n"
	                  "Allow: /search?q=ok\n"
	                  "Disallow: /p\n"
	                  "Allow: /p\n"
	                  "Disallow: /fish*\n"
	                  "Allow: /fish.html$\n"
	                  "Disallow: /中文/\n"
	                  "Disallow: /%7Ehome/\n"
	                  "Disallow:\n";
	struct robots *r;

	(void)state;
	r = parse(txt, "nianbao");
	assert_false(robots_allowed(r, "/x/y.pdf"));
	assert_true(robots_allowed(r, "/x/y.pdf?download=1"));
	assert_true(robots_allowed(r, "/search"));
	assert_false(robots_allowed(r, "/search?q=x"));
	assert_true(robots_allowed(r, "/search?q=ok&x"));
	assert_false(robots_allowed(r, "/aXXXb/c/d"));
	assert_true(robots_allowed(r, "/ab/d"));
	/* equal length: Allow wins */
	assert_true(robots_allowed(r, "/page"));
	assert_false(robots_allowed(r, "/fishes"));
	assert_true(robots_allowed(r, "/fish.html"));
	assert_false(robots_allowed(r, "/fish.html?x"));
	assert_false(robots_allowed(r, "/%e4%b8%ad%e6%96%87/x"));
	assert_false(robots_allowed(r, "/~home/x"));
	robots_free(r);
}

static void
test_degenerate(void **state)
{
	struct robots *r;
	const char garbage[] = "\x00\xff\xfe<html><body>Not found</body>"
	                       "</html>\nDisallow /x\n:::\nUser-agent\n";

	(void)state;
	r = parse("", "nianbao");
	assert_true(robots_allowed(r, "/x"));
	assert_int_equal(robots_crawl_delay_ms(r), -1);
	robots_free(r);
	assert_int_equal(
	    robots_parse(garbage, sizeof(garbage) - 1, "nianbao", &r), 0);
	assert_true(robots_allowed(r, "/x"));
	robots_free(r);
	/* rules before any User-agent line belong to no group */
	r = parse("Disallow: /\nCrawl-delay: 9\n", "nianbao");
	assert_true(robots_allowed(r, "/x"));
	assert_int_equal(robots_crawl_delay_ms(r), -1);
	robots_free(r);
	r = parse("User-agent: *\nCrawl-delay: nonsense\nCrawl-delay: -3\n"
	          "Crawl-delay: 1e9\n",
	          "nianbao");
	assert_int_equal(robots_crawl_delay_ms(r), 86400L * 1000);
	robots_free(r);
	assert_int_equal(robots_deny_all(&r), 0);
	assert_false(robots_allowed(r, "/"));
	assert_true(robots_allowed(r, "/robots.txt"));
	robots_free(r);
	assert_int_equal(robots_allow_all(&r), 0);
	assert_true(robots_allowed(r, "/"));
	robots_free(r);
}

static void
test_agent_token(void **state)
{
	char buf[32];

	(void)state;
	robots_agent_token("nianbao/1.0 (+https://example.org/nianbao)", buf,
	                   sizeof(buf));
	assert_string_equal(buf, "nianbao");
	robots_agent_token("Mozilla/5.0", buf, 4);
	assert_string_equal(buf, "Moz");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_groups),
	    cmocka_unit_test(test_patterns),
	    cmocka_unit_test(test_degenerate),
	    cmocka_unit_test(test_agent_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
