/*
 * buf.h - a growable byte buffer with a hard size cap (after curl's dynbuf).
 *
 * Every buffer is created with the largest size it may reach; an append that
 * would exceed it fails with NB_ETOOBIG and leaves the contents unchanged.
 * The data is always NUL-terminated (the terminator is not counted in len),
 * so text can be handed to string functions directly.
 */
#ifndef NB_BUF_H
#define NB_BUF_H

#include <stddef.h>

#include "nb.h"

struct nb_buf {
	char *data; /* NULL until the first append; owned by the buffer */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* largest len allowed */
};

void nb_buf_init(struct nb_buf *b, size_t max);
/* 0, NB_ETOOBIG (contents unchanged) or NB_ENOMEM */
int nb_buf_add(struct nb_buf *b, const void *p, size_t n);
int nb_buf_adds(struct nb_buf *b, const char *s);
int nb_buf_printf(struct nb_buf *b, const char *fmt, ...) NB_PRINTF(2, 3);
/* forget the contents, keep the allocation */
void nb_buf_reset(struct nb_buf *b);
/*
 * Hand the data to the caller (who frees it with free(); never NULL on
 * success, "" for an empty buffer) and reset the buffer to empty.
 */
char *nb_buf_take(struct nb_buf *b, size_t *lenp);
void nb_buf_free(struct nb_buf *b);

#endif
