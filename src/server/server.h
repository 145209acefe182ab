/* `quai serve`: the HTTP server (libmicrohttpd) that takes webhooks in,
 * queues pipelines for the scheduler, and serves the JSON API under
 * /api/v1, /metrics and /healthz (docs/server.md). */
#ifndef QUAI_SERVER_SERVER_H
#define QUAI_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "server/config.h"

/* Opens the store under cfg->data_dir, recovers what a crash left
 * running, starts the scheduler and the HTTP server, and serves until
 * SIGTERM or SIGINT; then stops the running jobs and returns 0. quai_bin
 * is the quai binary the default pipeline commands run. */
int quai_server_run(const struct quai_server_config *cfg, const char *quai_bin, struct quai_error **err);

enum quai_route_kind {
	QUAI_ROUTE_NONE = 0,
	QUAI_ROUTE_HEALTHZ,
	QUAI_ROUTE_METRICS,
	QUAI_ROUTE_HOOK,          /* POST /hooks/NAME */
	QUAI_ROUTE_PROJECTS,      /* GET /api/v1/projects */
	QUAI_ROUTE_TRIGGER,       /* POST /api/v1/projects/NAME/trigger */
	QUAI_ROUTE_PIPELINES,     /* GET /api/v1/pipelines */
	QUAI_ROUTE_PIPELINE,      /* GET /api/v1/pipelines/ID */
	QUAI_ROUTE_PIPELINE_JOBS, /* GET /api/v1/pipelines/ID/jobs */
	QUAI_ROUTE_CANCEL,        /* POST /api/v1/pipelines/ID/cancel */
	QUAI_ROUTE_RETRY,         /* POST /api/v1/pipelines/ID/retry */
	QUAI_ROUTE_JOB,           /* GET /api/v1/jobs/ID */
	QUAI_ROUTE_JOB_LOG,       /* GET /api/v1/jobs/ID/log */
};

struct quai_route {
	enum quai_route_kind kind;
	bool admin;      /* needs an admin token (else read) */
	bool api;        /* needs a token at all */
	bool bad_method; /* the path exists, not with this method: 405 */
	char name[65];   /* NAME, [A-Za-z0-9._-]{1,64} */
	int64_t id;      /* ID, 1..2^53 */
};

/* Matches method and path (without the query string); NONE when no route
 * matches. Never reads beyond path's NUL. */
void quai_server_route(struct quai_route *out, const char *method, const char *path);

#endif
