/* The JSON API under /api/v1 (see docs/server.md). Nothing here returns a
 * secret: projects are shown with their url's credentials removed. */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "server/internal.h"
#include "core/banned.h"

static const char *arg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	return v && *v ? v : NULL;
}

static const char *pipeline_kind(enum quai_pipeline_kind k)
{
	return k == QUAI_PIPELINE_FILE ? "file" : k == QUAI_PIPELINE_BOTH ? "both" : "monorepo";
}

static json_t *project_json(const struct quai_project_config *p)
{
	cleanup_free char *url = quai_server_redact_url(p->url);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:b, s:b, s:s?}", "name", p->name, "url", url,
	                      "default_branch", p->default_branch, "pipeline", pipeline_kind(p->pipeline),
	                      "concurrency", (int)p->concurrency, "poll_seconds", (int)p->poll_seconds,
	                      "webhook", p->webhook_secret != NULL, "cancel_previous", p->cancel_previous,
	                      "registry", p->registry);
	json_t *sched = json_array();
	for (size_t i = 0; i < p->nschedules; i++)
		json_array_append_new(sched, json_pack("{s:s, s:s}", "cron", p->schedules[i].cron, "branch",
		                                       p->schedules[i].branch));
	json_object_set_new(o, "schedules", sched);
	json_object_set_new(o, "status_forge", json_string(quai_forge_name(p->status_forge)));
	json_object_set_new(o, "paused", json_boolean(p->paused));
	return o;
}

static enum MHD_Result from_error(struct MHD_Connection *c, struct quai_error *err)
{
	unsigned status = err->status == 1 ? 404 : 500;
	enum MHD_Result rc = quai_server_send_error(c, status, "%s", err->msg);
	quai_error_free(err);
	return rc;
}

static bool valid_branch(const char *b)
{
	if (!b || !*b || strlen(b) > 200 || b[0] == '-' || strstr(b, ".."))
		return false;
	for (const char *p = b; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f || strchr("~^:?*[\\", *p))
			return false;
	return true;
}

static bool valid_sha(const char *s)
{
	if (!s || strlen(s) != 40)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static enum MHD_Result trigger(struct server *srv, struct MHD_Connection *c, const char *name,
                               struct request *req)
{
	const struct quai_project_config *p = quai_server_config_project(srv->cfg, name);
	if (!p)
		return quai_server_send_error(c, 404, "no project '%s'", name);
	json_t *body = req->body.len ? json_loadb(req->body.data, req->body.len, 0, NULL) : json_object();
	if (!json_is_object(body)) {
		json_decref(body);
		return quai_server_send_error(
		    c, 400, "the body must be a JSON object {\"branch\": ..., \"sha\": ...}");
	}
	const char *branch = json_string_value(json_object_get(body, "branch"));
	const char *sha = json_string_value(json_object_get(body, "sha"));
	if (!branch)
		branch = p->default_branch;
	if (!valid_branch(branch) || (sha && !valid_sha(sha))) {
		json_decref(body);
		return quai_server_send_error(c, 400, "bad branch name or sha (40 hex digits)");
	}
	cleanup_free char *ref = xasprintf("refs/heads/%s", branch);
	struct quai_store_trigger t = {
	    .project = p->name,
	    .branch = branch,
	    .ref = ref,
	    .sha = sha,
	    .trigger = "api",
	    .event = "manual",
	    .jobs = quai_scheduler_jobs(p),
	};
	int64_t id = 0;
	bool dup = false;
	struct quai_error *err = NULL;
	int rc = quai_store_enqueue(srv->store, &t, &id, &dup, &err);
	json_decref(body);
	if (rc < 0)
		return from_error(c, err);
	quai_scheduler_queued(srv->sched, id);
	return quai_server_send_json(c, 202,
	                             json_pack("{s:b, s:I}", "queued", 1, "pipeline", (json_int_t)id));
}

static enum MHD_Result cancel(struct server *srv, struct MHD_Connection *c, int64_t id)
{
	bool running = false;
	struct quai_error *err = NULL;
	if (quai_store_cancel(srv->store, id, &running, &err) < 0) {
		if (err->status != 1 || strncmp(err->msg, "no ", 3) == 0)
			return from_error(c, err);
		enum MHD_Result rc = quai_server_send_error(c, 409, "%s", err->msg);
		quai_error_free(err);
		return rc;
	}
	if (running)
		quai_scheduler_cancel(srv->sched, id);
	return quai_server_send_json(c, 202,
	                             json_pack("{s:I, s:s}", "pipeline", (json_int_t)id, "status",
	                                       running ? "canceling" : "canceled"));
}

static enum MHD_Result retry(struct server *srv, struct MHD_Connection *c, int64_t id)
{
	int64_t new_id = 0;
	struct quai_error *err = NULL;
	if (quai_store_retry(srv->store, id, &new_id, &err) < 0) {
		if (strncmp(err->msg, "no ", 3) == 0)
			return from_error(c, err);
		enum MHD_Result rc = quai_server_send_error(c, 409, "%s", err->msg);
		quai_error_free(err);
		return rc;
	}
	quai_scheduler_queued(srv->sched, new_id);
	return quai_server_send_json(c, 202,
	                             json_pack("{s:b, s:I, s:I}", "queued", 1, "pipeline", (json_int_t)new_id,
	                                       "retry_of", (json_int_t)id));
}

static enum MHD_Result pipelines(struct server *srv, struct MHD_Connection *c)
{
	struct quai_store_filter f = {arg(c, "project"), arg(c, "branch"), arg(c, "status"), 0, 0};
	const char *limit = arg(c, "limit");
	const char *before = arg(c, "before");
	if (limit)
		f.limit = (unsigned)strtoul(limit, NULL, 10);
	if (before)
		f.before_id = strtoll(before, NULL, 10);
	json_t *list = NULL;
	struct quai_error *err = NULL;
	if (quai_store_pipelines_json(srv->store, &f, &list, &err) < 0)
		return from_error(c, err);
	return quai_server_send_json(c, 200, json_pack("{s:o}", "pipelines", list));
}

enum MHD_Result quai_server_api(struct server *srv, struct MHD_Connection *c, const struct quai_route *route,
                                struct request *req)
{
	json_t *out = NULL;
	struct quai_error *err = NULL;
	switch (route->kind) {
	case QUAI_ROUTE_PROJECTS:
		out = json_array();
		for (size_t i = 0; i < srv->cfg->nprojects; i++)
			json_array_append_new(out, project_json(&srv->cfg->projects[i]));
		return quai_server_send_json(c, 200, json_pack("{s:o}", "projects", out));
	case QUAI_ROUTE_TRIGGER:
		return trigger(srv, c, route->name, req);
	case QUAI_ROUTE_PIPELINES:
		return pipelines(srv, c);
	case QUAI_ROUTE_PIPELINE:
	case QUAI_ROUTE_PIPELINE_JOBS:
		if (quai_store_pipeline_json(srv->store, route->id, &out, &err) < 0)
			return from_error(c, err);
		if (route->kind == QUAI_ROUTE_PIPELINE_JOBS) {
			json_t *jobs = json_incref(json_object_get(out, "jobs"));
			json_decref(out);
			return quai_server_send_json(c, 200, json_pack("{s:o}", "jobs", jobs));
		}
		return quai_server_send_json(c, 200, out);
	case QUAI_ROUTE_CANCEL:
		return cancel(srv, c, route->id);
	case QUAI_ROUTE_RETRY:
		return retry(srv, c, route->id);
	case QUAI_ROUTE_JOB:
		if (quai_store_job_json(srv->store, route->id, &out, &err) < 0)
			return from_error(c, err);
		return quai_server_send_json(c, 200, out);
	default:
		return quai_server_send_error(c, 404, "not found");
	}
}
