/*
 * nb.h - error codes and the few macros every module shares.
 *
 * Functions across nianbao return int: 0 on success, a negative NB_E* code
 * on failure, and fill their out-parameters only on success.  The codes live
 * in a reserved block well below any -errno value so that a function may also
 * return -errno (e.g. -ENOSPC from a write) and nb_strerror() still names it.
 */
#ifndef NB_NB_H
#define NB_NB_H

#include <stddef.h>

enum nb_error {
	NB_OK = 0,
	NB_EBASE = -31000,
	NB_EINVAL = NB_EBASE, /* invalid argument */
	NB_ENOMEM,            /* out of memory */
	NB_EIO,               /* I/O error (details logged) */
	NB_ENOTFOUND,         /* no such item */
	NB_EEXIST,            /* item exists */
	NB_ECONFIG,           /* configuration error (details logged) */
	NB_EPARSE,            /* malformed input */
	NB_EUNPARSED,         /* recognised but cannot be parsed */
	NB_ENOTREPORT,        /* parsed, but not an annual report */
	NB_ETOOBIG,           /* exceeds a configured limit */
	NB_EVERSION,          /* unknown or newer on-disk format */
	NB_ECORRUPT,          /* on-disk data failed a consistency check */
	NB_EFULL,             /* disk or map full */
	NB_EBLOCKED,          /* remote refused us (challenge page, 403..) */
	NB_ENET,              /* network error (details logged) */
	NB_EBUSY,             /* resource busy or locked */
	NB_ESTOPPED,          /* operation cancelled by shutdown */
	NB_ELAST
};

/*
 * nb_strerror - text for an NB_E* code, a negative errno, or a positive errno.
 * Returns a static string "NB_EXXX: description" (or strerror text); never
 * NULL, never to be freed.
 */
const char *nb_strerror(int err);

#define NB_NELEM(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define NB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NB_NORETURN     __attribute__((noreturn))
#define NB_UNUSED       __attribute__((unused))
#else
#define NB_PRINTF(f, a)
#define NB_NORETURN
#define NB_UNUSED
#endif

#endif
