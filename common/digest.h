/*
 * digest.h - SHA-1 and its base32 text, the digest form WARC and CDXJ use
 * ("sha1:" + 32 characters of RFC 4648 base32, upper case, no padding).
 * One implementation (OpenSSL's libcrypto) for the whole project.
 */
#ifndef NB_DIGEST_H
#define NB_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define NB_SHA1_LEN     20
#define NB_SHA1_B32_LEN 32 /* characters, without the NUL */

void nb_sha1(const void *p, size_t n, uint8_t out[NB_SHA1_LEN]);
/* base32 of a SHA-1 into out[NB_SHA1_B32_LEN + 1] */
void nb_sha1_b32(const uint8_t sha1[NB_SHA1_LEN],
                 char out[NB_SHA1_B32_LEN + 1]);
/* the reverse, with or without a "sha1:" prefix; 0 or NB_EINVAL */
int nb_b32_sha1(const char *text, uint8_t sha1[NB_SHA1_LEN]);

#endif
