#include <string.h>

#include "nb.h"

static const char *const nb_errstr[] = {
    "NB_EINVAL: invalid argument",
    "NB_ENOMEM: out of memory",
    "NB_EIO: input/output error",
    "NB_ENOTFOUND: not found",
    "NB_EEXIST: already exists",
    "NB_ECONFIG: configuration error",
    "NB_EPARSE: malformed input",
    "NB_EUNPARSED: document recognised but not parseable",
    "NB_ENOTREPORT: not an annual report",
    "NB_ETOOBIG: exceeds configured limit",
    "NB_EVERSION: unknown or newer on-disk format",
    "NB_ECORRUPT: on-disk data failed a consistency check",
    "NB_EFULL: disk or database full",
    "NB_EBLOCKED: blocked by the remote site",
    "NB_ENET: network error",
    "NB_EBUSY: resource busy",
    "NB_ESTOPPED: stopped by shutdown request",
};

_Static_assert(NB_NELEM(nb_errstr) == NB_ELAST - NB_EBASE,
               "nb_errstr must have one entry per NB_E code");

const char *
nb_strerror(int err)
{
	if (err == 0)
		return "success";
	if (err >= NB_EBASE && err < NB_ELAST)
		return nb_errstr[err - NB_EBASE];
	if (err < 0)
		err = -err;
	return strerror(err);
}
