/*
 * charset.h - which charset a fetched document is in, and conversion to
 * UTF-8 (glibc iconv).
 *
 * County sites serve UTF-8 mostly, GBK/GB2312 sometimes, and say so in the
 * HTTP header, a BOM, or only in a <meta> tag.  GBK, GB2312, CP936, EUC-CN
 * and GB18030 are all read as GB18030, their common superset: a page
 * labelled GB2312 routinely holds GBK characters.
 */
#ifndef NB_CHARSET_H
#define NB_CHARSET_H

#include <stddef.h>

#include "nb.h"

/* Bytes of a document searched for <meta charset>. */
#define CHARSET_SNIFF_LEN 16384

/*
 * charset_detect - the charset of a text or HTML document.
 * Order: a byte-order mark; the charset parameter of content_type (may be
 * NULL); the first <meta charset=...> or <meta http-equiv="Content-Type"
 * content="...; charset=..."> in the first CHARSET_SNIFF_LEN bytes; else
 * "UTF-8" if those bytes are valid UTF-8, else "GB18030".
 * A declared UTF-8 that is not valid UTF-8 but is valid GB18030 becomes
 * GB18030, and a declared ISO-8859-1, Windows-1252 or ASCII (a server's
 * default label) is ignored for sniffing: mislabelled pages are common.
 * @param[out] out  the canonical name ("UTF-8", "GB18030", "BIG5", or the
 *                  declared name as iconv knows it), NUL-terminated.
 * Returns 0 (always finds an answer) or NB_EINVAL (outlen < 16).
 */
int charset_detect(const char *content_type, const void *data, size_t len,
                   char *out, size_t outlen);

/*
 * charset_to_utf8 - convert len bytes in charset to UTF-8.
 * Invalid or truncated sequences become U+FFFD; a UTF-8 BOM is dropped;
 * for "UTF-8" the input is validated the same way.
 * @param[in]  max   largest output allowed.
 * @param[out] out   NUL-terminated result, freed by the caller with free().
 * @param[out] outlen  its length without the NUL.
 * Returns 0, NB_EINVAL (a charset iconv does not know), NB_ETOOBIG or
 * NB_ENOMEM.
 */
int charset_to_utf8(const char *charset, const void *data, size_t len,
                    size_t max, char **out, size_t *outlen);

/*
 * charset_to_utf8_cb - the same conversion, streamed: cb receives the
 * UTF-8 text in pieces (each at most a few tens of KB, cut at character
 * boundaries), so a large page never exists twice in memory.  A non-zero
 * return from cb stops the conversion and is returned.
 * Returns 0, cb's code, NB_EINVAL (unknown charset) or NB_ENOMEM.
 */
typedef int charset_sink_fn(void *arg, const char *utf8, size_t len);
int charset_to_utf8_cb(const char *charset, const void *data, size_t len,
                       charset_sink_fn *cb, void *arg);

/* 1 if s[0..len) is valid UTF-8 (a sequence cut at the end counts as
 * valid, so a prefix of a document can be tested). */
int charset_is_utf8(const void *s, size_t len);

#endif
