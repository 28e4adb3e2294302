/* test_url - normalisation, scope, trap shapes and address classes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crawler.h"

static void
norm_is(const char *base, const char *ref, const char *want)
{
	char *out = NULL;
	int rc = url_normalize(base, ref, &out);

	if (want == NULL) {
		if (rc == 0)
			fail_msg("'%s' normalised to '%s', want rejection", ref,
			         out);
		assert_int_equal(rc, NB_EINVAL);
		return;
	}
	if (rc != 0)
		fail_msg("'%s' + '%s': %s", base ? base : "", ref,
		         nb_strerror(rc));
	assert_string_equal(out, want);
	free(out);
}

static void
test_normalize(void **state)
{
	const char *b = "http://www.zhangshu.gov.cn/zssrmzf/zfxxgk/index.shtml";

	(void)state;
	norm_is(NULL, "HTTP://WWW.Ex.COM:80/a/./b/../c?x=1#frag",
	        "http://www.ex.com/a/c?x=1");
	norm_is(NULL, "https://Ex.com:443", "https://ex.com/");
	norm_is(NULL, "https://ex.com:8443/", "https://ex.com:8443/");
	norm_is(NULL, "http://ex.com./a", "http://ex.com/a");
	norm_is(b, "../zfxxgkndbg28/xxgk_list.shtml",
	        "http://www.zhangshu.gov.cn/zssrmzf/zfxxgkndbg28/"
	        "xxgk_list.shtml");
	norm_is(b, "  /gasrmzf/a.shtml\n",
	        "http://www.zhangshu.gov.cn/gasrmzf/a.shtml");
	norm_is(b, "//www.gaoan.gov.cn/x", "http://www.gaoan.gov.cn/x");
	norm_is(b, "?page=2",
	        "http://www.zhangshu.gov.cn/zssrmzf/zfxxgk/"
	        "index.shtml?page=2");
	norm_is(b, "#top",
	        "http://www.zhangshu.gov.cn/zssrmzf/zfxxgk/index.shtml");
	/* session ids go, other parameters keep their order */
	norm_is(NULL, "http://a.cn/x.jsp?b=2&jsessionid=ABC&a=1&SID=9",
	        "http://a.cn/x.jsp?b=2&a=1");
	norm_is(NULL, "http://a.cn/x.jsp?PHPSESSID=1", "http://a.cn/x.jsp");
	norm_is(NULL, "http://a.cn/x.jsp;jsessionid=0A1B?id=3",
	        "http://a.cn/x.jsp?id=3");
	norm_is(NULL, "http://a.cn/x?", "http://a.cn/x");
	/* escapes: unreserved decoded, hex upper-cased; raw UTF-8 escaped */
	norm_is(NULL, "http://a.cn/%7Efoo/%e4%b8%ad%2f",
	        "http://a.cn/~foo/%e4%b8%ad%2f");
	norm_is(NULL, "http://a.cn/中文.html",
	        "http://a.cn/%e4%b8%ad%e6%96%87.html");
	norm_is(NULL, "http://a.cn/a b.html", "http://a.cn/a%20b.html");
	norm_is(NULL, "http://a.cn/a\tb\n.html", "http://a.cn/ab.html");
	/* never followed */
	norm_is(b, "javascript:void(0)", NULL);
	norm_is(b, "mailto:x@a.cn", NULL);
	norm_is(b, "file:///etc/passwd", NULL);
	norm_is(b, "ftp://a.cn/x", NULL);
	norm_is(b, "http://user:pw@a.cn/", NULL);
	norm_is(b, "", NULL);
	norm_is(b, "   ", NULL);
	norm_is(NULL, "/relative/without/base", NULL);
	{
		char big[URL_MAX + 100];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memcpy(big, "http://a.cn/", 12);
		norm_is(NULL, big, NULL);
	}
}

static void
test_parts(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(
	    url_host_get("http://www.a.cn:8080/x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "www.a.cn");
	assert_int_equal(url_host_get("http://[::1]:80/x", buf, sizeof(buf)),
	                 0);
	assert_string_equal(buf, "::1");
	assert_int_equal(url_host_get("nope", buf, sizeof(buf)), NB_EINVAL);
	assert_int_equal(url_path_get("http://a.cn/a/b?x=1", buf, sizeof(buf)),
	                 0);
	assert_string_equal(buf, "/a/b?x=1");
	assert_int_equal(url_path_get("http://a.cn", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(url_path_get("http://a.cn/abcdef", buf, 4),
	                 NB_ETOOBIG);
	assert_true(url_is_attachment("http://a.cn/a/b.DOCX"));
	assert_true(url_is_attachment("http://a.cn/a/b.pdf?x=1"));
	assert_true(url_is_attachment("http://a.cn/a/b.wps"));
	assert_true(url_is_attachment("http://a.cn/b.doc"));
	assert_false(url_is_attachment("http://a.cn/b.shtml"));
	/* download scripts name the file in the query */
	assert_true(url_is_attachment(
	    "http://a.cn/module/download/downfile.jsp?classid=0&filename="
	    "20240127587266.docx"));
	assert_true(url_is_attachment("http://a.cn/dl.jsp?f=r.PDF&x=1"));
	assert_false(url_is_attachment("http://a.cn/list.jsp?page=2&k=pdf"));
	assert_false(url_is_attachment("http://a.cn/a.html#b.pdf"));
	assert_false(url_is_attachment("http://a.cn/doc/"));
}

static void
test_scope(void **state)
{
	char *allow[] = {"www.zhangshu.gov.cn", "zhangshu.gov.cn"};
	struct nb_site s = {.allow = {allow, 2}};

	(void)state;
	assert_true(url_in_scope(&s, "http://www.zhangshu.gov.cn/a"));
	assert_true(url_in_scope(&s, "https://zhangshu.gov.cn:8443/a"));
	/* a site-group path on our host is judged by our host */
	assert_true(url_in_scope(&s, "http://www.zhangshu.gov.cn/gasrmzf/x"));
	/* the same paths elsewhere are not ours */
	assert_false(url_in_scope(&s, "http://www.gaoan.gov.cn/zssrmzf/x"));
	assert_false(
	    url_in_scope(&s, "http://www.zhangshu.gov.cn.mirror.com/"));
	assert_false(url_in_scope(&s, "http://evil.zhangshu.gov.cn/"));
	assert_false(url_in_scope(&s, "http://10.1.2.3/zssrmzf/"));
}

static void
test_traps(void **state)
{
	char buf[256];
	char q[700] = "http://a.cn/x?q=";

	(void)state;
	assert_false(url_is_trap("http://a.cn/zssrmzf/zfxxgkndbg28/202501/"
	                         "0123456789abcdef0123456789abcdef.shtml"));
	assert_false(url_is_trap("http://a.cn/art/2024/1/20/art_1_2.html"));
	assert_false(
	    url_is_trap("http://a.cn/col/col1/index.html?uid=3&pageNum=2"));
	assert_true(url_is_trap("http://a.cn/calendar?date=2024-05-17"));
	assert_true(url_is_trap("http://a.cn/events?d=2024-05"));
	assert_true(url_is_trap("http://a.cn/x?year=2024&month=5"));
	assert_true(url_is_trap("http://a.cn/a/b/a/b/a/b/c.html"));
	assert_true(url_is_trap("http://a.cn/a/a/a/x.html"));
	assert_false(url_is_trap("http://a.cn/a/a/x.html"));
	assert_true(url_is_trap("http://a.cn/x?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&"
	                        "i=9&j=10&k=11&l=12&m=13"));
	memset(q + strlen(q), 'z', 600);
	q[sizeof(q) - 1] = '\0';
	assert_true(url_is_trap(q));
	assert_int_equal(
	    url_shape("http://a.cn/x_12.shtml?p=3", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "http://a.cn/x_#.shtml?p=#");
	assert_int_equal(url_shape("http://a.cn/202501/"
	                           "0123456789abcdef0123456789abcdef.shtml",
	                           buf, sizeof(buf)),
	                 0);
	assert_string_equal(buf, "http://a.cn/#/H.shtml");
	assert_int_equal(url_shape("http://a.cn/x", buf, 5), NB_ETOOBIG);
	assert_true(url_has_date_path("http://a.cn/rili/2026/08/index.shtml"));
	assert_true(
	    url_has_date_path("http://a.cn/art/2024/1/20/art_1_2.html"));
	assert_true(url_has_date_path("http://a.cn/zssrmzf/c/202501/ab.shtml"));
	assert_true(url_has_date_path("http://a.cn/x/2024/3"));
	assert_false(url_has_date_path("http://a.cn/col/col1234/index.html"));
	assert_false(url_has_date_path("http://a.cn/x/2024/index.html"));
	assert_false(url_has_date_path("http://a.cn/x/123456/?y=2024/01"));
	assert_false(url_has_date_path("http://a.cn/xxgk_list_2.shtml"));
}

static int
v4(const char *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET};

	assert_int_equal(inet_pton(AF_INET, s, &a.sin_addr), 1);
	return addr_is_private((struct sockaddr *)&a);
}

static int
v6(const char *s)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};

	assert_int_equal(inet_pton(AF_INET6, s, &a.sin6_addr), 1);
	return addr_is_private((struct sockaddr *)&a);
}

static void
test_private(void **state)
{
	(void)state;
	assert_true(v4("127.0.0.1"));
	assert_true(v4("127.8.9.10"));
	assert_true(v4("10.0.0.1"));
	assert_true(v4("172.16.0.1"));
	assert_true(v4("172.31.255.255"));
	assert_false(v4("172.32.0.1"));
	assert_true(v4("192.168.1.1"));
	assert_true(v4("169.254.169.254"));
	assert_true(v4("100.64.0.1"));
	assert_true(v4("0.0.0.0"));
	assert_true(v4("224.0.0.1"));
	assert_true(v4("255.255.255.255"));
	assert_false(v4("8.8.8.8"));
	assert_false(v4("59.52.1.1"));
	assert_true(v6("::1"));
	assert_true(v6("::"));
	assert_true(v6("fe80::1"));
	assert_true(v6("fd00::1"));
	assert_true(v6("::ffff:127.0.0.1"));
	assert_true(v6("::ffff:192.168.0.1"));
	assert_false(v6("::ffff:8.8.8.8"));
	assert_false(v6("2400:da00::6666"));
	assert_int_equal(host_literal_is_private("127.0.0.1"), 1);
	assert_int_equal(host_literal_is_private("[::1]"), 1);
	assert_int_equal(host_literal_is_private("[2400:da00::6666]"), 0);
	assert_int_equal(host_literal_is_private("8.8.4.4"), 0);
	assert_int_equal(host_literal_is_private("www.a.cn"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalize), cmocka_unit_test(test_parts),
	    cmocka_unit_test(test_scope),     cmocka_unit_test(test_traps),
	    cmocka_unit_test(test_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
