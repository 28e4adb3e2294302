/* test_hook - on_event children: environment, concurrency bound, reaping
 * from the loop, failures counted without stopping the loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "crawl.h"

static char dir[] = "/tmp/nb-hook-XXXXXX";

static void
write_script(const char *path, const char *body)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(body, fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
}

static void
wait_idle(struct event_base *base, struct hook *h)
{
	for (int i = 0; i < 500 && hook_busy(h) > 0; i++) {
		struct timeval tv = {0, 10000};

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	assert_int_equal(hook_busy(h), 0);
}

static void
test_hook(void **state)
{
	struct event_base *base = event_base_new();
	struct hook *h;
	char script[256], out[512], buf[256];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/hook.sh", dir);
	/* each child takes a slot (a directory) and fails if a third one
	 * exists: at most two may run at once */
	snprintf(buf, sizeof(buf),
	         "#!/bin/sh\n"
	         "d=%s\n"
	         "mkdir \"$d/run.$$\"\n"
	         "n=$(ls -d \"$d\"/run.* | wc -l)\n"
	         "echo \"$NIANBAO_EVENT $NIANBAO_AGENCY $NIANBAO_YEAR $n\" "
	         ">\"$d/out.$NIANBAO_YEAR\"\n"
	         "sleep 0.2\n"
	         "rmdir \"$d/run.$$\"\n"
	         "[ \"$n\" -le 2 ]\n",
	         dir);
	write_script(script, buf);
	assert_non_null(base);
	assert_int_equal(hook_new(base, script, 2, &h), 0);
	for (int y = 2019; y < 2025; y++) {
		char year[8];
		const char *kv[] = {"EVENT", "new", "AGENCY", "樟树市人民政府",
		                    "YEAR",  year,  "URL",    NULL,
		                    NULL};

		snprintf(year, sizeof(year), "%d", y);
		assert_int_equal(hook_run(h, kv), 0);
	}
	/* six events, two slots: some wait */
	assert_int_equal(hook_busy(h), 6);
	wait_idle(base, h);
	for (int y = 2019; y < 2025; y++) {
		int n;
		char ev[16], ag[64], yr[8];

		snprintf(out, sizeof(out), "%s/out.%d", dir, y);
		fp = fopen(out, "r");
		assert_non_null(fp);
		assert_int_equal(fscanf(fp, "%15s %63s %7s %d", ev, ag, yr, &n),
		                 4);
		fclose(fp);
		assert_string_equal(ev, "new");
		assert_string_equal(ag, "樟树市人民政府");
		assert_int_equal(atoi(yr), y);
		assert_true(n >= 1 && n <= 2);
		unlink(out);
	}
	hook_free(h);
	/* a program that cannot run is reported, the loop goes on */
	assert_int_equal(hook_new(base, "/nonexistent/prog", 1, &h), 0);
	{
		const char *kv[] = {"EVENT", "overdue", NULL};

		assert_int_equal(hook_run(h, kv), 0);
		wait_idle(base, h);
	}
	hook_free(h);
	unlink(script);
	rmdir(dir);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
