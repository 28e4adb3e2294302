/*
 * pool.c - worker threads for the CPU work of a page (reading it for links
 * and records), so that the event loop keeps the network moving and a
 * crawl uses more than one core.
 *
 * A job is a function and its argument.  Workers take jobs in order from
 * one queue; each finished job goes to a done list and a byte down a pipe
 * wakes the loop, which hands the finished jobs to the done function in
 * the order they finished.  Only the loop's thread calls pool_* functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "crawl.h"
#include "log.h"

struct job {
	pool_fn *run;
	void *arg;
	struct job *next;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t more;     /* a job queued, or stop */
	pthread_cond_t idle;     /* a worker finished a job */
	struct job *head, *tail; /* waiting */
	struct job *done, *done_tail;
	int running;      /* jobs a worker holds */
	unsigned pending; /* submitted, not yet handed to done_fn */
	int stop;
	pthread_t *threads;
	int nthreads;
	int pipe[2];
	struct event *ev;
	pool_fn *done_fn;
};

static void *
worker(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct job *j;
		int wake;

		while (p->head == NULL && !p->stop)
			pthread_cond_wait(&p->more, &p->mu);
		if (p->head == NULL)
			break;
		j = p->head;
		if ((p->head = j->next) == NULL)
			p->tail = NULL;
		p->running++;
		pthread_mutex_unlock(&p->mu);

		j->run(j->arg);

		pthread_mutex_lock(&p->mu);
		p->running--;
		j->next = NULL;
		wake = p->done == NULL;
		if (p->done_tail != NULL)
			p->done_tail->next = j;
		else
			p->done = j;
		p->done_tail = j;
		pthread_cond_broadcast(&p->idle);
		/* one byte per batch of finished jobs: the loop takes them all
		 */
		if (wake) {
			ssize_t n;

			do
				n = write(p->pipe[1], "", 1);
			while (n == -1 && errno == EINTR);
		}
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Hand every finished job to done_fn, in the order they finished. */
static void
deliver(struct pool *p)
{
	struct job *j;

	pthread_mutex_lock(&p->mu);
	j = p->done;
	p->done = p->done_tail = NULL;
	pthread_mutex_unlock(&p->mu);
	while (j != NULL) {
		struct job *next = j->next;

		p->pending--;
		p->done_fn(j->arg);
		free(j);
		j = next;
	}
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	deliver(arg);
}

int
pool_new(struct event_base *base, int threads, pool_fn *done, struct pool **out)
{
	struct pool *p = calloc(1, sizeof(*p));
	int rc = NB_ENOMEM;

	if (p == NULL)
		return NB_ENOMEM;
	p->pipe[0] = p->pipe[1] = -1;
	p->done_fn = done;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->more, NULL);
	pthread_cond_init(&p->idle, NULL);
	if (pipe2(p->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("pipe");
		rc = NB_EIO;
		goto fail;
	}
	if ((p->ev = event_new(base, p->pipe[0], EV_READ | EV_PERSIST, wake_cb,
	                       p)) == NULL ||
	    event_add(p->ev, NULL) != 0)
		goto fail;
	if ((p->threads = calloc((size_t)threads, sizeof(*p->threads))) == NULL)
		goto fail;
	for (; p->nthreads < threads; p->nthreads++) {
		int e =
		    pthread_create(&p->threads[p->nthreads], NULL, worker, p);

		if (e != 0) {
			errno = e;
			log_warn("pthread_create");
			rc = NB_EIO;
			goto fail;
		}
	}
	*out = p;
	return 0;
fail:
	pool_free(p);
	return rc;
}

int
pool_submit(struct pool *p, pool_fn *run, void *arg)
{
	struct job *j = malloc(sizeof(*j));

	if (j == NULL)
		return NB_ENOMEM;
	j->run = run;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->pending++;
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

unsigned
pool_pending(const struct pool *p)
{
	return p != NULL ? p->pending : 0;
}

void
pool_drain(struct pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	while (p->head != NULL || p->running > 0)
		pthread_cond_wait(&p->idle, &p->mu);
	pthread_mutex_unlock(&p->mu);
	deliver(p);
}

void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	pool_drain(p);
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	if (p->ev != NULL)
		event_free(p->ev);
	if (p->pipe[0] != -1)
		close(p->pipe[0]);
	if (p->pipe[1] != -1)
		close(p->pipe[1]);
	pthread_cond_destroy(&p->more);
	pthread_cond_destroy(&p->idle);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
