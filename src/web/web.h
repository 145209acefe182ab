/* The web UI of `quai serve` (docs/web.md): server-rendered HTML pages of
 * projects, pipelines, job logs and images, sign-in with sessions, and
 * admin actions behind CSRF tokens. Assets (CSS, a small JS file for live
 * logs) are embedded in the binary at build time. */
#ifndef QUAI_WEB_WEB_H
#define QUAI_WEB_WEB_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

struct quai_server_config;
struct quai_store;
struct quai_scheduler;

/* What the server lends the web UI for one request. job_log serves a
 * job's log like GET /api/v1/jobs/ID/log (Range, ?follow=1 for SSE). */
struct quai_web_env {
	const struct quai_server_config *cfg;
	struct quai_store *store;
	struct quai_scheduler *sched;
	void *srv;
	enum MHD_Result (*job_log)(void *srv, struct MHD_Connection *c, int64_t job);
};

/* Serves url when it is a page of the web UI and returns true with the
 * queued result in *out; false (nothing queued) for any other path. body
 * is the request body (forms), len its length. */
bool quai_web_handle(const struct quai_web_env *env, struct MHD_Connection *c, const char *url,
                     const char *method, const char *body, size_t len, enum MHD_Result *out);

/* --- pure helpers (html.c), tested in tests/unit/web --- */

/* Appends s (len bytes) with & < > " ' as entities and control bytes
 * other than tab dropped, so that it is safe in text and quoted attributes. */
void quai_web_escape_n(struct quai_buf *b, const char *s, size_t len);
void quai_web_escape(struct quai_buf *b, const char *s);

/* SGR state carried from one log line to the next. */
struct quai_web_ansi {
	int fg, bg; /* -1: default, 0..15 */
	bool bold, italic, underline;
};
void quai_web_ansi_init(struct quai_web_ansi *st);
/* Appends one log line (no newline) as escaped HTML: SGR colours as
 * <span class="..."> (closed at the end of the line), other escape
 * sequences dropped, text before the last carriage return dropped. */
void quai_web_ansi_line(struct quai_buf *b, const char *s, size_t len, struct quai_web_ansi *st);

/* GitLab's collapsible section markers:
 * ESC[0Ksection_start:TIME:NAME[collapsed=true]\r ESC[0K HEADER
 * ESC[0Ksection_end:TIME:NAME\r ESC[0K */
enum quai_web_section_kind { QUAI_WEB_NO_SECTION = 0, QUAI_WEB_SECTION_START, QUAI_WEB_SECTION_END };
struct quai_web_section {
	char name[65];
	long long time;
	bool collapsed;
	size_t header_off; /* START: where the header text begins in the line */
};
enum quai_web_section_kind quai_web_section_parse(const char *s, size_t len, struct quai_web_section *out);

/* --- sign-in (auth.c) --- */

/* A yescrypt hash of password (crypt_gensalt + crypt_r), caller frees. */
int quai_web_hash_password(char **out, const char *password, struct quai_error **err);
/* Whether password matches hash, in constant time. */
bool quai_web_check_password(const char *hash, const char *password);
/* Whether the form's token equals the session's, in constant time. */
bool quai_web_csrf_ok(const char *expected, const char *given);

/* DATA_DIR/web-users: lines "NAME ROLE HASH" and an optional "anonymous
 * read". Sets (or adds) user with role ("admin" or "read") and a hash of
 * password; keeps the other lines. */
int quai_web_user_set(const char *data_dir, const char *user, const char *role, const char *password,
                      struct quai_error **err);
int quai_web_anonymous_set(const char *data_dir, bool on, struct quai_error **err);

#endif
