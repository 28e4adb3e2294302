/*
 * helpers.h - what the indexer tests share: files, the context, docx
 * building, and a record diff that names the first differing path.
 */
#ifndef NB_TESTS_INDEXER_HELPERS_H
#define NB_TESTS_INDEXER_HELPERS_H

#include <stddef.h>

#include <jansson.h>

#include "indexer.h"

/* Whole file into memory (NUL-terminated); aborts the test on failure. */
char *th_read(const char *path, size_t *len);
/* $NB_SRCDIR/rel, in a static buffer. */
const char *th_src(const char *rel);
/* A context with config/demo.ini's aliases and sites. */
struct indexer_ctx *th_ctx(void);
/* Parse bytes; returns the indexer's code, *rec (may be NULL) the record. */
int th_parse(struct indexer_ctx *ctx, const void *data, size_t len,
             const char *content_type, const char *hint, json_t **rec,
             struct indexer_status *st);
/* 1 if equal; else prints the first difference under path and returns 0. */
int th_json_same(const json_t *got, const json_t *want, const char *path);
/* A .docx holding document.xml body (the w:body content), malloc'd. */
void *th_docx(const char *body, size_t *len);

#endif
