#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

static const char *log_prog = "nianbao";
static int log_verbose;
static int log_journal; /* stderr is connected to the systemd journal */
static log_sink_fn *log_sink;
static void *log_sink_arg;

/*
 * systemd sets JOURNAL_STREAM to "dev:ino" of the stream it connected; if
 * that is our stderr, priorities go in as "<N>" prefixes (sd-daemon(3)).
 */
static int
log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(2, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname, int verbose)
{
	if (progname != NULL)
		log_prog = progname;
	log_verbose = verbose;
	log_journal = log_stderr_is_journal();
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_setsink(log_sink_fn *fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

static void
log_emit(int level, const char *msg)
{
	if (log_sink != NULL)
		log_sink(level, msg, log_sink_arg);
	else if (log_journal)
		fprintf(stderr, "<%d>%s\n", level, msg);
	else
		fprintf(stderr, "%s: %s\n", log_prog, msg);
}

/* Format, optionally append the text of errnum, emit; errno is kept. */
static void
log_vemit(int level, int errnum, const char *fmt, va_list ap)
{
	char msg[4096];
	int saved = errno;

	if (level >= LOG_LVL_DEBUG && log_verbose <= 0)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0) {
		size_t n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
	log_emit(level, msg);
	errno = saved;
}

void
vlog(int level, const char *fmt, va_list ap)
{
	log_vemit(level, 0, fmt, ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_WARN, errno, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_ERR, errno, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
