/*
 * crash_test WRITER DIR ROUNDS - SIGKILL a writing process at random
 * moments, ROUNDS times; after each kill reopen the archive and check that
 * it opens, that every index entry resolves to a complete record whose
 * digests match (store_verify), and that every item the writer
 * acknowledged before the kill is there: its URL state, the capture it
 * points to with the acknowledged payload digest, its report version and
 * its event.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

static int failures;

#define FAIL(...)                                                              \
	do {                                                                   \
		fprintf(stdout, "FAIL: " __VA_ARGS__);                         \
		fputc('\n', stdout);                                           \
		failures++;                                                    \
	} while (0)

static void
problem(const char *msg, void *arg)
{
	(void)arg;
	FAIL("verify: %s", msg);
}

struct evchk {
	uint64_t seq;
	const char *url;
	int found;
};

static int
event_is(const struct store_event *ev, void *arg)
{
	struct evchk *e = arg;

	e->found = ev->seq == e->seq && strcmp(ev->url, e->url) == 0;
	return 1; /* only the first */
}

/* Check every complete ack line of the log. */
static uint64_t
check_acks(struct store *st, const char *acks)
{
	FILE *fp = fopen(acks, "r");
	struct store_txn *t;
	char line[512];
	uint64_t n, seq, count = 0;
	char url[128], digest[64];

	if (fp == NULL)
		return 0;
	if (store_read_begin(st, &t) != 0) {
		FAIL("read transaction");
		fclose(fp);
		return 0;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct store_url u;
		struct store_record rec;
		char b32[STORE_B32_LEN + 1], agency[32];

		if (line[strlen(line) - 1] != '\n')
			break; /* cut by the kill: never acknowledged whole */
		if (sscanf(line, "ack %" SCNu64 " %127s %63s %" SCNu64, &n, url,
		           digest, &seq) != 4) {
			FAIL("bad ack line: %s", line);
			continue;
		}
		count++;
		if (store_url_get(t, url, &u) != 0) {
			FAIL("acknowledged %s lost", url);
			continue;
		}
		store_sha1_b32(u.payload_sha1, b32);
		if (strcmp(b32, digest) != 0)
			FAIL("%s: digest %s, acknowledged %s", url, b32,
			     digest);
		if (store_record_read(st, &u.loc, &rec) != 0)
			FAIL("%s: record unreadable", url);
		else if (rec.type != STORE_REC_RESPONSE &&
		         rec.type != STORE_REC_REVISIT)
			FAIL("%s: not a capture record", url);
		else if (strcmp(rec.payload_digest + 5, digest) != 0)
			FAIL("%s: record payload digest %s", url,
			     rec.payload_digest);
		store_record_free(&rec);
		snprintf(agency, sizeof(agency), "agency%" PRIu64, n % 37);
		{
			struct store_report r;
			int rc =
			    store_report_get(t, agency, 2020 + n % 5, 0, &r);

			if (rc != 0 || r.nversions == 0)
				FAIL("%s: report of %s lost", url, agency);
		}
		{
			struct evchk e = {seq, url, 0};

			store_event_iter(t, seq - 1, event_is, &e);
			if (!e.found)
				FAIL("event %" PRIu64 " of %s lost", seq, url);
		}
	}
	store_read_end(t);
	fclose(fp);
	return count;
}

int
main(int argc, char *argv[])
{
	const char *writer, *dir;
	char acks[4096];
	int rounds;
	uint64_t acked = 0;
	struct timespec ts;

	if (argc != 4) {
		fprintf(stderr, "usage: crash_test WRITER DIR ROUNDS\n");
		return 2;
	}
	writer = argv[1];
	dir = argv[2];
	rounds = atoi(argv[3]);
	log_init("crash_test", 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	srandom(ts.tv_nsec ^ getpid());
	snprintf(acks, sizeof(acks), "%s.acks", dir);
	unlink(acks);
	{
		/* the archive exists before the first kill */
		struct store *st = NULL;

		if (store_open(dir, STORE_RDWR | STORE_CREATE, NULL, &st) != 0)
			return 1;
		store_close(st);
	}
	for (int r = 0; r < rounds && failures == 0; r++) {
		struct store *st = NULL;
		struct store_verify_stats vs;
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			int fd =
			    open(acks, O_WRONLY | O_APPEND | O_CREAT, 0644);
			int nul = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(nul, 2);
			execl(writer, writer, dir, (char *)NULL);
			_exit(127);
		}
		/* from before the open to deep in the loop */
		usleep(2000 + random() % 60000);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (WIFEXITED(status)) {
			FAIL("round %d: writer exited %d before the kill", r,
			     WEXITSTATUS(status));
			break;
		}
		if (store_open(dir, STORE_RDWR, NULL, &st) != 0) {
			FAIL("round %d: the archive does not open", r);
			break;
		}
		if (store_verify(st, problem, NULL, NULL, &vs) != 0)
			FAIL("round %d: verify stopped", r);
		if (vs.unindexed != 0)
			FAIL("round %d: %" PRIu64 " bytes not indexed after "
			     "recovery",
			     r, vs.unindexed);
		acked = check_acks(st, acks);
		store_close(st);
	}
	printf("crash_test: %d rounds, %" PRIu64
	       " acknowledged items checked\n",
	       rounds, acked);
	printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
	unlink(acks);
	return failures ? 1 : 0;
}
