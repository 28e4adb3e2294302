#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "digest.h"
#include "nb.h"

void
nb_sha1(const void *p, size_t n, uint8_t out[NB_SHA1_LEN])
{
	SHA1(p, n, out);
}

void
nb_sha1_b32(const uint8_t sha1[NB_SHA1_LEN], char out[NB_SHA1_B32_LEN + 1])
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned bits = 0, nbits = 0, o = 0;

	for (int i = 0; i < NB_SHA1_LEN; i++) {
		bits = (bits << 8) | sha1[i];
		nbits += 8;
		while (nbits >= 5) {
			out[o++] = alpha[(bits >> (nbits - 5)) & 31];
			nbits -= 5;
		}
	}
	out[o] = '\0';
}

int
nb_b32_sha1(const char *text, uint8_t sha1[NB_SHA1_LEN])
{
	unsigned bits = 0, nbits = 0, o = 0;

	if (strncasecmp(text, "sha1:", 5) == 0)
		text += 5;
	if (strlen(text) != NB_SHA1_B32_LEN)
		return NB_EINVAL;
	for (const char *p = text; *p; p++) {
		unsigned v;

		if (*p >= 'A' && *p <= 'Z')
			v = *p - 'A';
		else if (*p >= 'a' && *p <= 'z')
			v = *p - 'a';
		else if (*p >= '2' && *p <= '7')
			v = *p - '2' + 26;
		else
			return NB_EINVAL;
		bits = (bits << 5) | v;
		nbits += 5;
		if (nbits >= 8) {
			sha1[o++] = bits >> (nbits - 8);
			nbits -= 8;
		}
	}
	return 0;
}
