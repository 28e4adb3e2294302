/* test_common - buffers, error text, time formats, the log sink. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "log.h"
#include "nb.h"
#include "nbtime.h"

static void
test_buf(void **state)
{
	struct nb_buf b;
	char *p;
	size_t n;

	(void)state;
	nb_buf_init(&b, 10);
	assert_int_equal(nb_buf_adds(&b, "hello"), 0);
	assert_int_equal(nb_buf_printf(&b, "%d", 1234), 0);
	assert_string_equal(b.data, "hello1234");
	/* the cap holds and a failed append changes nothing */
	assert_int_equal(nb_buf_adds(&b, "xy"), NB_ETOOBIG);
	assert_int_equal(nb_buf_printf(&b, "%s", "xy"), NB_ETOOBIG);
	assert_string_equal(b.data, "hello1234");
	assert_int_equal(nb_buf_adds(&b, "!"), 0);
	assert_int_equal(b.len, 10);
	p = nb_buf_take(&b, &n);
	assert_int_equal(n, 10);
	assert_string_equal(p, "hello1234!");
	free(p);
	assert_null(b.data);
	p = nb_buf_take(&b, &n);
	assert_string_equal(p, "");
	assert_int_equal(n, 0);
	free(p);
	nb_buf_init(&b, SIZE_MAX);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(nb_buf_add(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 100000);
	nb_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	nb_buf_free(&b);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(nb_strerror(0), "success");
	assert_string_equal(nb_strerror(NB_ECONFIG),
	                    "NB_ECONFIG: configuration error");
	assert_string_equal(nb_strerror(NB_ESTOPPED),
	                    "NB_ESTOPPED: stopped by shutdown request");
	assert_string_equal(nb_strerror(-ENOSPC), strerror(ENOSPC));
	assert_string_equal(nb_strerror(ENOENT), strerror(ENOENT));
}

static void
test_time(void **state)
{
	char buf[32];
	int64_t ms;

	(void)state;
	assert_int_equal(nb_time_parse("2022-01-20", &ms), 0);
	assert_string_equal(nb_time_iso(ms, buf, sizeof(buf)),
	                    "2022-01-20T00:00:00Z");
	assert_string_equal(nb_time_date(ms, buf, sizeof(buf)), "2022-01-20");
	assert_int_equal(nb_time_parse("2026-11-24T06:00:00Z", &ms), 0);
	assert_string_equal(nb_time_14(ms, buf, sizeof(buf)), "20261124060000");
	assert_true(ms == 1795500000000LL);
	assert_int_equal(nb_time_parse("2026-11-24 06:00", &ms), 0);
	assert_true(ms == 1795500000000LL);
	assert_int_equal(nb_time_parse("20261124060000", &ms), 0);
	assert_true(ms == 1795500000000LL);
	assert_int_equal(nb_time_parse("202611", &ms), 0);
	assert_string_equal(nb_time_iso(ms, buf, sizeof(buf)),
	                    "2026-11-01T00:00:00Z");
	assert_int_equal(nb_time_parse("2021-02-30", &ms), NB_EINVAL);
	assert_int_equal(nb_time_parse("2021-13-01", &ms), NB_EINVAL);
	assert_int_equal(nb_time_parse("2021/01/01", &ms), NB_EINVAL);
	assert_int_equal(nb_time_parse("20231月1日", &ms), NB_EINVAL);
	assert_int_equal(nb_time_parse("", &ms), NB_EINVAL);
	assert_int_equal(nb_time_parse("2021-01-01T10:00:00Zjunk", &ms),
	                 NB_EINVAL);
	assert_true(nb_mono_ms() > 0);
	assert_true(nb_now_ms() > 1795500000000LL - 400LL * 86400000);
}

static char got[256];
static int got_level;

static void
sink(int level, const char *msg, void *arg)
{
	(void)arg;
	got_level = level;
	snprintf(got, sizeof(got), "%s", msg);
}

static void
test_log(void **state)
{
	(void)state;
	log_setsink(sink, NULL);
	errno = ENOENT;
	log_warn("open %s", "x.ini");
	assert_string_equal(got, "open x.ini: No such file or directory");
	assert_int_equal(got_level, LOG_LVL_WARN);
	assert_int_equal(errno, ENOENT);
	log_warnx("plain %d", 1);
	assert_string_equal(got, "plain 1");
	got[0] = '\0';
	log_setverbose(0);
	log_debug("hidden");
	assert_string_equal(got, "");
	log_setverbose(1);
	log_debug("shown");
	assert_string_equal(got, "shown");
	assert_int_equal(got_level, LOG_LVL_DEBUG);
	log_setsink(NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf),
	    cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
