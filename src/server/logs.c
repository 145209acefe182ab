/* GET /api/v1/jobs/ID/log: the job's log file, whole or a byte range
 * (Range: bytes=A-B, A-, -N), or with ?follow=1 as Server-Sent Events
 * while the job runs. The path comes from the store, never from the URL. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "server/internal.h"
#include "core/banned.h"

#define FOLLOW_POLL_MS    200
#define KEEPALIVE_SECONDS 15

/* Parses "bytes=A-B", "bytes=A-", "bytes=-N" against size into [*from, *to]. */
static int parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	if (strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return -1;
	const char *p = h + 6;
	char *end;
	if (*p == '-') {
		unsigned long long n = strtoull(p + 1, &end, 10);
		if (end == p + 1 || *end || n == 0 || size == 0)
			return -1;
		*from = n >= size ? 0 : size - n;
		*to = size - 1;
		return 0;
	}
	errno = 0;
	unsigned long long a = strtoull(p, &end, 10);
	if (end == p || *end != '-' || errno)
		return -1;
	p = end + 1;
	unsigned long long b = size ? size - 1 : 0;
	if (*p) {
		b = strtoull(p, &end, 10);
		if (*end || errno)
			return -1;
		if (b >= size)
			b = size - 1;
	}
	if (a >= size || a > b)
		return -1;
	*from = a;
	*to = b;
	return 0;
}

struct follow {
	struct server *srv;
	int64_t job;
	int fd;
	uint64_t off;
	char *pending; /* a partial line carried to the next event */
	size_t npending;
	bool ended;
	time_t last_sent;
};

static void follow_free(void *cls)
{
	struct follow *f = cls;
	if (f->fd >= 0)
		close(f->fd);
	free(f->pending);
	free(f);
}

static bool job_running(struct follow *f)
{
	char *path = NULL;
	bool running = false;
	struct quai_error *err = NULL;
	if (quai_store_job_log(f->srv->store, f->job, &path, &running, &err) < 0) {
		quai_error_free(err);
		return false;
	}
	free(path);
	return running;
}

/* Copies n bytes to out + w; returns the new end. */
static size_t put(char *out, size_t w, const char *bytes, size_t n)
{
	memcpy(out + w, bytes, n);
	return w + n;
}

/* Turns complete lines of data into "data: LINE\n\n" events into out. */
static size_t events(struct follow *f, const char *data, size_t len, char *out, size_t max, bool flush)
{
	size_t w = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		bool end_of_line = i < len && data[i] == '\n';
		if (!end_of_line && !(flush && i == len && i > start))
			continue;
		size_t n = i - start;
		if (w + n + 9 > max)
			break;
		w = put(out, w, "data: ", 6);
		w = put(out, w, data + start, n);
		w = put(out, w, "\n\n", 2);
		start = i + 1;
	}
	if (start < len) {
		f->pending = xrealloc(f->pending, len - start);
		memcpy(f->pending, data + start, len - start);
	}
	f->npending = start < len ? len - start : 0;
	return w;
}

static ssize_t follow_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct follow *f = cls;
	if (f->ended || max < 64)
		return MHD_CONTENT_READER_END_OF_STREAM;
	for (;;) {
		if (atomic_load(&f->srv->stopping))
			return MHD_CONTENT_READER_END_OF_STREAM;
		bool running = job_running(f);
		/* read what is there, at most a third of max so that the event framing fits */
		size_t room = max / 3;
		cleanup_free char *data = xmalloc(f->npending + room);
		if (f->npending)
			memcpy(data, f->pending, f->npending);
		ssize_t n = f->fd >= 0 ? pread(f->fd, data + f->npending, room, (off_t)f->off) : 0;
		if (n < 0)
			n = 0;
		f->off += (uint64_t)n;
		size_t len = f->npending + (size_t)n;
		/* a line longer than room goes out in pieces */
		size_t w = events(f, data, len, buf, max, (!running && n == 0) || len >= room);
		if (w > 0) {
			f->last_sent = time(NULL);
			return (ssize_t)w;
		}
		if (!running && n == 0) {
			f->ended = true;
			static const char end[] = "event: end\ndata: end\n\n";
			return (ssize_t)put(buf, 0, end, sizeof(end) - 1);
		}
		if (f->fd < 0) {
			/* the job has not started: its log appears when it does */
			char *path = NULL;
			bool r;
			struct quai_error *err = NULL;
			if (quai_store_job_log(f->srv->store, f->job, &path, &r, &err) == 0 && path)
				f->fd = open(path, O_RDONLY | O_CLOEXEC);
			quai_error_free(err);
			free(path);
		}
		if (time(NULL) - f->last_sent >= KEEPALIVE_SECONDS) {
			f->last_sent = time(NULL);
			return (ssize_t)put(buf, 0, ": keepalive\n\n", 13);
		}
		struct timespec ts = {0, FOLLOW_POLL_MS * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static enum MHD_Result follow(struct server *srv, struct MHD_Connection *c, int64_t job, const char *path)
{
	struct follow *f = xcalloc(1, sizeof(*f));
	f->srv = srv;
	f->job = job;
	f->fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	f->last_sent = time(NULL);
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, (size_t)32 * 1024,
	                                                           follow_read, f, follow_free);
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result rc = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return rc;
}

enum MHD_Result quai_server_job_log(struct server *srv, struct MHD_Connection *c, int64_t job)
{
	cleanup_free char *path = NULL;
	bool running = false;
	struct quai_error *err = NULL;
	if (quai_store_job_log(srv->store, job, &path, &running, &err) < 0) {
		enum MHD_Result rc = quai_server_send_error(c, 404, "%s", err->msg);
		quai_error_free(err);
		return rc;
	}
	const char *fol = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "follow");
	if (fol && strcmp(fol, "0") != 0)
		return follow(srv, c, job, path);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		if (!path || errno == ENOENT)
			return quai_server_send_error(c, 404, "job %lld has no log yet", (long long)job);
		return quai_server_send_error(c, 500, "cannot read the log of job %lld", (long long)job);
	}
	uint64_t size = (uint64_t)st.st_size, from = 0, to = size ? size - 1 : 0;
	unsigned status = 200;
	const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	if (range) {
		if (parse_range(range, size, &from, &to) < 0) {
			close(fd);
			struct MHD_Response *r =
			    MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			char cr[64];
			snprintf(cr, sizeof(cr), "bytes */%" PRIu64, size);
			MHD_add_response_header(r, "Content-Range", cr);
			enum MHD_Result rc = MHD_queue_response(c, 416, r);
			MHD_destroy_response(r);
			return rc;
		}
		status = 206;
	}
	uint64_t len = size ? to - from + 1 : 0;
	struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(len, fd, from);
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Accept-Ranges", "bytes");
	MHD_add_response_header(r, "X-Quai-Job-Running", running ? "1" : "0");
	if (status == 206) {
		char cr[96];
		snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from, to, size);
		MHD_add_response_header(r, "Content-Range", cr);
	}
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}
