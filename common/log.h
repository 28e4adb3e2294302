/*
 * log.h - the one way nianbao writes diagnostics.
 *
 * Everything goes to stderr: under systemd the journal stamps the time and
 * keeps the priority (lines carry the sd-daemon "<N>" prefix when stderr is
 * the journal stream), in a terminal the line is "prog: message".  Nothing
 * else in the project writes to stderr.
 *
 * log_warn and fatal append ": strerror(errno)"; the *x variants do not.
 * log_debug prints only when the verbosity is raised (-d or -v).
 * errno is preserved across every call.
 */
#ifndef NB_LOG_H
#define NB_LOG_H

#include <stdarg.h>

#include "nb.h"

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7
};

/* progname is borrowed and must outlive logging; verbose > 0 enables debug */
void log_init(const char *progname, int verbose);
void log_setverbose(int verbose);
int log_getverbose(void);

/*
 * Redirect messages to fn (for tests and for collecting config errors).
 * fn receives the fully formatted line without prefix or newline.  Pass NULL
 * to restore stderr.
 */
typedef void log_sink_fn(int level, const char *msg, void *arg);
void log_setsink(log_sink_fn *fn, void *arg);

void log_warn(const char *fmt, ...) NB_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) NB_PRINTF(1, 2);
void log_info(const char *fmt, ...) NB_PRINTF(1, 2);
void log_debug(const char *fmt, ...) NB_PRINTF(1, 2);
void vlog(int level, const char *fmt, va_list ap) NB_PRINTF(2, 0);
NB_NORETURN void fatal(const char *fmt, ...) NB_PRINTF(1, 2);
NB_NORETURN void fatalx(const char *fmt, ...) NB_PRINTF(1, 2);

#endif
