/* POST /hooks/PROJECT: authenticate, parse, de-duplicate and queue a
 * delivery, committed before the answer (see docs/server.md). */
#include <jansson.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "server/internal.h"
#include "core/banned.h"

static const char *header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static enum MHD_Result counted(struct server *srv, enum hook_result r, enum MHD_Result rc)
{
	atomic_fetch_add(&srv->hooks[r], 1);
	return rc;
}

enum MHD_Result quai_server_hook(struct server *srv, struct MHD_Connection *c, const char *project,
                                 struct request *req)
{
	const struct quai_project_config *p = quai_server_config_project(srv->cfg, project);
	if (!p)
		return counted(srv, HOOK_UNKNOWN_PROJECT,
		               quai_server_send_error(c, 404, "no project '%s'", project));
	struct quai_forge_request fr = {header, c, req->body.data ? req->body.data : "", req->body.len};
	struct quai_forge_event ev;
	struct quai_error *err = NULL;
	enum quai_forge_hook_status st = quai_forge_parse_hook(&ev, &fr, p->webhook_secret, &err);
	enum MHD_Result rc;
	if (st == QUAI_FORGE_HOOK_UNAUTHORIZED) {
		rc = counted(srv, HOOK_UNAUTHORIZED, quai_server_send_error(c, 401, "%s", err->msg));
		goto out;
	}
	if (st == QUAI_FORGE_HOOK_MALFORMED) {
		rc = counted(srv, HOOK_MALFORMED, quai_server_send_error(c, 400, "%s", err->msg));
		goto out;
	}
	if (!ev.queue) {
		rc = counted(srv, HOOK_IGNORED,
		             quai_server_send_json(c, 200,
		                                   json_pack("{s:b, s:s, s:s, s:s}", "queued", 0, "forge",
		                                             quai_forge_name(ev.forge), "event", ev.event,
		                                             "reason", ev.reason ? ev.reason : "")));
		goto out;
	}
	struct quai_store_trigger t = {
	    .project = p->name,
	    .branch = ev.branch,
	    .ref = ev.ref,
	    .sha = ev.sha,
	    .before = ev.before,
	    .trigger = "webhook",
	    .event = ev.event,
	    .delivery = ev.delivery,
	    .jobs = quai_scheduler_jobs(p),
	};
	int64_t id = 0;
	bool dup = false;
	if (quai_store_enqueue(srv->store, &t, &id, &dup, &err) < 0) {
		rc = counted(srv, HOOK_ERROR,
		             quai_server_send_error(c, 503, "cannot record the delivery: %s", err->msg));
		goto out;
	}
	if (dup) {
		rc = counted(srv, HOOK_DUPLICATE,
		             quai_server_send_json(c, 200,
		                                   json_pack("{s:b, s:b, s:s}", "queued", 0, "duplicate", 1,
		                                             "delivery", ev.delivery)));
		goto out;
	}
	quai_scheduler_queued(srv->sched, id);
	rc = counted(srv, HOOK_ACCEPTED,
	             quai_server_send_json(c, 202,
	                                   json_pack("{s:b, s:I, s:s, s:s, s:s}", "queued", 1, "pipeline",
	                                             (json_int_t)id, "forge", quai_forge_name(ev.forge),
	                                             "event", ev.event, "sha", ev.sha)));
out:
	quai_error_free(err);
	quai_forge_event_release(&ev);
	return rc;
}
