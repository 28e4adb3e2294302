/*
 * hook.c - the on_event program: one child per event, the details in its
 * environment, started with posix_spawn and reaped from a SIGCHLD loop
 * event, so the crawl never waits for it.  At most a few run at once; the
 * rest wait in a bounded queue.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "crawl.h"
#include "log.h"

#define HOOK_QUEUE_MAX 1024

extern char **environ;

struct hook_job {
	char **env; /* NULL-terminated, owned */
	struct hook_job *next;
};

struct hook {
	char *program;
	int max_running;
	int running;
	size_t nqueued;
	uint64_t started, failed;
	struct hook_job *head, *tail;
	struct event *sigchld;
};

static void
job_free(struct hook_job *j)
{
	if (j == NULL)
		return;
	for (char **e = j->env; e != NULL && *e != NULL; e++)
		free(*e);
	free(j->env);
	free(j);
}

static int
is_ours(const char *kv)
{
	return strncmp(kv, "NIANBAO_", 8) == 0;
}

/* The daemon's environment without NIANBAO_*, then the event's. */
static char **
env_build(const char *const *kv)
{
	size_t n = 0, m = 0, k = 0;
	char **env;

	for (char **e = environ; *e != NULL; e++)
		n++;
	while (kv[m] != NULL)
		m += 2;
	if ((env = calloc(n + m / 2 + 1, sizeof(*env))) == NULL)
		return NULL;
	for (char **e = environ; *e != NULL; e++)
		if (!is_ours(*e) && (env[k++] = strdup(*e)) == NULL)
			goto fail;
	for (size_t i = 0; i < m; i += 2)
		if (asprintf(&env[k++], "NIANBAO_%s=%s", kv[i],
		             kv[i + 1] != NULL ? kv[i + 1] : "") < 0) {
			env[k - 1] = NULL;
			goto fail;
		}
	return env;
fail:
	for (size_t i = 0; i < k; i++)
		free(env[i]);
	free(env);
	return NULL;
}

static void
hook_spawn(struct hook *h, struct hook_job *j)
{
	char *argv[] = {h->program, NULL};
	pid_t pid;
	int rc;

	rc = posix_spawn(&pid, h->program, NULL, NULL, argv, j->env);
	if (rc != 0) {
		errno = rc;
		log_warn("on_event %s", h->program);
		h->failed++;
	} else {
		h->running++;
		h->started++;
	}
	job_free(j);
}

static void
hook_pump(struct hook *h)
{
	while (h->running < h->max_running && h->head != NULL) {
		struct hook_job *j = h->head;

		h->head = j->next;
		if (h->head == NULL)
			h->tail = NULL;
		h->nqueued--;
		hook_spawn(h, j);
	}
}

static void
sigchld_cb(evutil_socket_t sig, short kind, void *arg)
{
	struct hook *h = arg;
	pid_t pid;
	int status;

	(void)sig;
	(void)kind;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (h->running > 0)
			h->running--;
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
			log_warnx("on_event %s exited with status %d",
			          h->program, WEXITSTATUS(status));
			h->failed++;
		} else if (WIFSIGNALED(status)) {
			log_warnx("on_event %s killed by signal %d", h->program,
			          WTERMSIG(status));
			h->failed++;
		}
	}
	hook_pump(h);
}

int
hook_new(struct event_base *base, const char *program, int max_running,
         struct hook **out)
{
	struct hook *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NB_ENOMEM;
	h->max_running = max_running > 0 ? max_running : 1;
	if ((h->program = strdup(program)) == NULL ||
	    (h->sigchld = evsignal_new(base, SIGCHLD, sigchld_cb, h)) == NULL ||
	    evsignal_add(h->sigchld, NULL) != 0) {
		hook_free(h);
		return NB_ENOMEM;
	}
	*out = h;
	return 0;
}

int
hook_run(struct hook *h, const char *const *kv)
{
	struct hook_job *j;

	if (h->nqueued >= HOOK_QUEUE_MAX) {
		log_warnx("on_event %s: %zu events waiting; this one dropped",
		          h->program, h->nqueued);
		h->failed++;
		return NB_EFULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->env = env_build(kv)) == NULL) {
		free(j);
		return NB_ENOMEM;
	}
	if (h->tail != NULL)
		h->tail->next = j;
	else
		h->head = j;
	h->tail = j;
	h->nqueued++;
	hook_pump(h);
	return 0;
}

int
hook_busy(const struct hook *h)
{
	return h->running + (int)h->nqueued;
}

void
hook_free(struct hook *h)
{
	if (h == NULL)
		return;
	while (h->head != NULL) {
		struct hook_job *j = h->head;

		h->head = j->next;
		job_free(j);
	}
	if (h->sigchld != NULL)
		event_free(h->sigchld);
	free(h->program);
	free(h);
}
