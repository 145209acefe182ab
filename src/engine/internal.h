/* Internals shared by the files of src/engine/ and its unit tests; the
 * module's interface is engine.h. */
#ifndef QUAI_ENGINE_INTERNAL_H
#define QUAI_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "engine/engine.h"

/* Caps on what the engine sends. */
#define ENGINE_JSON_MAX  (16u << 20) /* a JSON answer */
#define ENGINE_ERROR_MAX (64u << 10) /* the body of an error answer */
#define ENGINE_LINE_MAX  (4u << 20)  /* one message of a stream */

/* Splits a stream into JSON messages across chunk boundaries: one or more
 * objects per line, lines ended by '\n' (or "\r\n"). */
struct engine_lines {
	struct quai_buf pending;
	quai_engine_message_fn fn;
	void *arg;
};
/* Feeds a chunk; calls fn for each complete message. */
int engine_lines_feed(struct engine_lines *l, const char *data, size_t len, struct quai_error **err);
/* At the end of the stream: a last message without '\n'. */
int engine_lines_finish(struct engine_lines *l, struct quai_error **err);
void engine_lines_release(struct engine_lines *l);

/* Demultiplexes container output: frames of an 8-byte header (stream,
 * 0, 0, 0, big-endian 32-bit size) and the payload, passed on as it comes.
 * A stream that does not start with a valid header is raw stdout (a TTY). */
struct engine_demux {
	unsigned char hdr[8];
	size_t hdr_len;
	uint32_t left; /* payload bytes still to come in this frame */
	int stream;
	bool raw, started;
	quai_engine_output_fn fn;
	void *arg;
};
int engine_demux_feed(struct engine_demux *d, const char *data, size_t len, struct quai_error **err);
/* Errors when the stream ended inside a frame. */
int engine_demux_finish(struct engine_demux *d, struct quai_error **err);


/* Splits REPO[:TAG] (the tag after the last '/'); *out_repo caller-owned,
 * *out_tag points into ref or is "latest". */
void engine_split_ref(char **out_repo, const char **out_tag, const char *ref);

/* The message for a failed connection (curl's code and errno). */
int engine_connect_error(struct quai_error **err, const struct quai_engine_host *h, int curl_code,
                         int os_errno, const char *curl_msg);

#endif
