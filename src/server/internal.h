/* What the server's files share (not part of its interface). */
#ifndef QUAI_SERVER_INTERNAL_H
#define QUAI_SERVER_INTERNAL_H

#include <microhttpd.h>
#include <stdatomic.h>

#include "core/buf.h"
#include "scheduler/scheduler.h"
#include "server/server.h"
#include "store/store.h"

struct json_t;

enum hook_result {
	HOOK_ACCEPTED,
	HOOK_DUPLICATE,
	HOOK_IGNORED,
	HOOK_UNAUTHORIZED,
	HOOK_MALFORMED,
	HOOK_UNKNOWN_PROJECT,
	HOOK_TOO_LARGE,
	HOOK_ERROR,
	HOOK_RESULTS,
};

struct server {
	const struct quai_server_config *cfg;
	struct quai_store *store;
	struct quai_scheduler *sched;
	atomic_bool stopping;
	atomic_ullong hooks[HOOK_RESULTS];
	atomic_ullong requests;
};

/* One request: its body, read up to the configured cap. */
struct request {
	struct quai_buf body;
	bool too_large;
};

struct response {
	unsigned status;
	struct MHD_Response *r; /* NULL: a JSON body in json */
	struct json_t *json;
};

/* A JSON response; takes the reference to body. */
enum MHD_Result quai_server_send_json(struct MHD_Connection *c, unsigned status, struct json_t *body);
enum MHD_Result quai_server_send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

enum MHD_Result quai_server_hook(struct server *srv, struct MHD_Connection *c, const char *project,
                                 struct request *req);
enum MHD_Result quai_server_api(struct server *srv, struct MHD_Connection *c, const struct quai_route *route,
                                struct request *req);
enum MHD_Result quai_server_job_log(struct server *srv, struct MHD_Connection *c, int64_t job);
enum MHD_Result quai_server_metrics(struct server *srv, struct MHD_Connection *c);
const char *quai_server_hook_result_name(enum hook_result r);

#endif
