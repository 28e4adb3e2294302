/*
 * notify.c - tell systemd how the daemon is doing (sd_notify), when built
 * with libsystemd; a no-op otherwise or outside a Type=notify unit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "crawl.h"

void
nb_notify(const char *fmt, ...)
{
#ifdef HAVE_LIBSYSTEMD
	static int warned;
	char msg[512];
	va_list ap;
	int rc;

	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((rc = sd_notify(0, msg)) < 0 && !warned) {
		warned = 1;
		log_warnx("sd_notify: %s", nb_strerror(rc));
	}
#else
	(void)fmt;
#endif
}
