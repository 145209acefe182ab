/* Container, network and volume calls, and the label-filtered lists of `quai gc`. */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/internal.h"
#include "core/banned.h"

static json_t *str_array(const char *const *v)
{
	json_t *a = json_array();
	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *labels_object(const char *run_id, const char *const *kv)
{
	json_t *o = json_object();
	for (; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		cleanup_free char *k = eq ? xstrndup(*kv, (size_t)(eq - *kv)) : xstrdup(*kv);
		json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
	}
	json_object_set_new(o, QUAI_ENGINE_LABEL_RUN, json_string(run_id ? run_id : ""));
	return o;
}

/* A POST with a JSON body answering {"Id": ...}. */
static int post_for_id(struct quai_engine *e, char **out_id, const char *path, const char *query,
                       json_t *body, struct quai_error **err)
{
	struct quai_engine_request req = {
	    .method = "POST", .path = path, .query = query, .json = body, .timeout_ms = 60000};
	struct quai_engine_response resp;
	int rc = quai_engine_request(e, &req, &resp, err);
	if (rc < 0)
		return rc;
	const char *id = json_string_value(json_object_get(resp.json, "Id"));
	if (!id) {
		quai_engine_response_release(&resp);
		return quai_error_set(err, QUAI_EXIT_USAGE, "the engine's answer to %s has no Id", path);
	}
	*out_id = xstrdup(id);
	quai_engine_response_release(&resp);
	return 0;
}

static json_t *container_body(const struct quai_engine_container *c)
{
	json_t *body = json_object();
	json_t *host = json_object();
	json_object_set_new(body, "Image", json_string(c->image));
	if (c->cmd)
		json_object_set_new(body, "Cmd", str_array(c->cmd));
	if (c->entrypoint)
		json_object_set_new(body, "Entrypoint", str_array(c->entrypoint));
	if (c->env)
		json_object_set_new(body, "Env", str_array(c->env));
	if (c->user)
		json_object_set_new(body, "User", json_string(c->user));
	if (c->workdir)
		json_object_set_new(body, "WorkingDir", json_string(c->workdir));
	json_object_set_new(body, "Labels", labels_object(c->run_id, c->labels));
	if (c->ports && *c->ports) {
		json_t *exposed = json_object();
		json_t *bindings = json_object();
		for (const char *const *p = c->ports; *p; p++) {
			json_object_set_new(exposed, *p, json_object());
			json_object_set_new(bindings, *p,
			                    json_pack("[{s:s, s:s}]", "HostIp", "127.0.0.1", "HostPort", ""));
		}
		json_object_set_new(body, "ExposedPorts", exposed);
		json_object_set_new(host, "PortBindings", bindings);
	}
	if (c->network)
		json_object_set_new(host, "NetworkMode", json_string(c->network));
	if (c->tty)
		json_object_set_new(body, "Tty", json_true());
	if (c->privileged)
		json_object_set_new(host, "Privileged", json_true());
	if (c->cap_add && *c->cap_add)
		json_object_set_new(host, "CapAdd", str_array(c->cap_add));
	if (c->cap_drop && *c->cap_drop)
		json_object_set_new(host, "CapDrop", str_array(c->cap_drop));
	if (c->binds && *c->binds)
		json_object_set_new(host, "Binds", str_array(c->binds));
	json_object_set_new(body, "HostConfig", host);
	return body;
}

int quai_engine_container_create(struct quai_engine *e, char **out_id, const struct quai_engine_container *c,
                                 struct quai_error **err)
{
	json_t *body = container_body(c);
	cleanup_buf struct quai_buf q = QUAI_BUF_INIT;
	if (c->name)
		quai_engine_query_add(&q, "name", c->name);
	int rc = post_for_id(e, out_id, "/containers/create", quai_buf_str(&q), body, err);
	json_decref(body);
	if (rc < 0)
		quai_error_wrap(err, "create a container of '%s'", c->image);
	return rc;
}

/* A call without an interesting answer; 304 (already so) and, when
 * missing_ok, 404 are success. */
static int simple(struct quai_engine *e, const char *method, const char *path, const char *query,
                  bool missing_ok, struct quai_error **err)
{
	struct quai_engine_request req = {
	    .method = method, .path = path, .query = query, .timeout_ms = 120000};
	cleanup_error struct quai_error *local = NULL;
	int rc = quai_engine_request(e, &req, NULL, &local);
	if (rc == QUAI_ENGINE_ENOTFOUND && missing_ok)
		return 0;
	if (rc < 0 && err) {
		*err = steal_pointer(&local);
	}
	return rc;
}

int quai_engine_container_healthcheck(struct quai_engine *e, const char *id, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/libpod/containers/%s/healthcheck", id);
	struct quai_engine_request req = {.path = path, .timeout_ms = 120000};
	if (quai_engine_request(e, &req, NULL, err) < 0)
		return quai_error_wrap(err, "run the health check of container '%.12s'", id);
	return 0;
}

int quai_engine_container_start(struct quai_engine *e, const char *id, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/containers/%s/start", id);
	if (simple(e, "POST", path, NULL, false, err) < 0)
		return quai_error_wrap(err, "start container '%.12s'", id);
	return 0;
}

int quai_engine_container_wait(struct quai_engine *e, int *out_status, const char *id, long timeout_ms,
                               struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/containers/%s/wait", id);
	struct quai_engine_request req = {.method = "POST", .path = path, .timeout_ms = timeout_ms};
	struct quai_engine_response resp;
	if (quai_engine_request(e, &req, &resp, err) < 0)
		return quai_error_wrap(err, "wait for container '%.12s'", id);
	json_t *code = json_object_get(resp.json, "StatusCode");
	const char *msg = json_string_value(json_object_get(json_object_get(resp.json, "Error"), "Message"));
	int rc = 0;
	if (msg && *msg)
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "wait for container '%.12s': %s", id, msg);
	else if (!json_is_integer(code))
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "wait for container '%.12s': no StatusCode", id);
	else
		*out_status = (int)json_integer_value(code);
	quai_engine_response_release(&resp);
	return rc;
}

int quai_engine_container_logs(struct quai_engine *e, const char *id, bool follow, quai_engine_output_fn fn,
                               void *arg, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/containers/%s/logs", id);
	const char *query = follow ? "stdout=1&stderr=1&follow=1" : "stdout=1&stderr=1";
	struct quai_engine_request req = {.path = path, .query = query, .on_output = fn, .arg = arg};
	if (quai_engine_request(e, &req, NULL, err) < 0)
		return quai_error_wrap(err, "logs of container '%.12s'", id);
	return 0;
}

int quai_engine_container_kill(struct quai_engine *e, const char *id, const char *signal,
                               struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/containers/%s/kill", id);
	cleanup_buf struct quai_buf q = QUAI_BUF_INIT;
	quai_engine_query_add(&q, "signal", signal ? signal : "SIGKILL");
	struct quai_engine_request req = {
	    .method = "POST", .path = path, .query = quai_buf_str(&q), .timeout_ms = 60000};
	cleanup_error struct quai_error *local = NULL;
	int rc = quai_engine_request(e, &req, NULL, &local);
	/* 409: not running, which is what we wanted */
	if (rc < 0 && local && strstr(local->msg, "answered 409"))
		return 0;
	if (rc < 0 && err)
		*err = steal_pointer(&local);
	return rc < 0 ? quai_error_wrap(err, "kill container '%.12s'", id) : 0;
}

int quai_engine_container_remove(struct quai_engine *e, const char *id, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/containers/%s", id);
	if (simple(e, "DELETE", path, "force=1&v=1", true, err) < 0)
		return quai_error_wrap(err, "remove container '%.12s'", id);
	return 0;
}

int quai_engine_container_inspect(struct quai_engine *e, json_t **out, const char *id,
                                  struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/containers/%s/json", id);
	struct quai_engine_request req = {.path = path, .timeout_ms = 60000};
	struct quai_engine_response resp;
	int rc = quai_engine_request(e, &req, &resp, err);
	if (rc < 0)
		return rc;
	if (!resp.json)
		return quai_error_set(err, QUAI_EXIT_USAGE, "the engine's answer to %s is not JSON", path);
	*out = steal_pointer(&resp.json);
	quai_engine_response_release(&resp);
	return 0;
}

void quai_engine_inspect_state(struct quai_engine_state *out, const json_t *inspect)
{
	json_t *state = json_object_get(inspect, "State");
	memset(out, 0, sizeof(*out));
	out->status = json_string_value(json_object_get(state, "Status"));
	out->running = json_is_true(json_object_get(state, "Running"));
	out->exit_code = (int)json_integer_value(json_object_get(state, "ExitCode"));
	/* Podman may say "Healthcheck" instead of "Health" */
	json_t *health = json_object_get(state, "Health");
	if (!health)
		health = json_object_get(state, "Healthcheck");
	out->health = json_string_value(json_object_get(health, "Status"));
	if (out->health && !*out->health)
		out->health = NULL;
}

int quai_engine_inspect_host_port(const json_t *inspect, const char *port)
{
	json_t *ports = json_object_get(json_object_get(inspect, "NetworkSettings"), "Ports");
	json_t *list = json_object_get(ports, port);
	size_t i;
	json_t *b;
	json_array_foreach(list, i, b)
	{
		const char *p = json_string_value(json_object_get(b, "HostPort"));
		if (p && *p)
			return atoi(p);
	}
	return 0;
}

int quai_engine_container_archive(struct quai_engine *e, json_t **out_stat, const char *id, const char *path,
                                  quai_engine_data_fn fn, void *arg, struct quai_error **err)
{
	cleanup_free char *url_path = xasprintf("/containers/%s/archive", id);
	cleanup_buf struct quai_buf q = QUAI_BUF_INIT;
	quai_engine_query_add(&q, "path", path);
	struct quai_engine_request req = {
	    .path = url_path, .query = quai_buf_str(&q), .on_data = fn, .arg = arg};
	struct quai_engine_response resp;
	int rc = quai_engine_request(e, &req, &resp, err);
	/* also on failure: a data callback that stops early still wants the stat */
	if (out_stat)
		*out_stat = resp.path_stat ? json_loads(resp.path_stat, 0, NULL) : NULL;
	quai_engine_response_release(&resp);
	return rc < 0 ? rc : 0;
}

int quai_engine_container_exec(struct quai_engine *e, int *out_status, const char *id,
                               const struct quai_engine_exec *x, quai_engine_output_fn fn, void *arg,
                               struct quai_error **err)
{
	json_t *body = json_pack("{s:b, s:b, s:b, s:b, s:o}", "AttachStdin", 0, "AttachStdout", 1,
	                         "AttachStderr", 1, "Tty", x->tty, "Cmd", str_array(x->cmd));
	if (x->env)
		json_object_set_new(body, "Env", str_array(x->env));
	if (x->user)
		json_object_set_new(body, "User", json_string(x->user));
	if (x->workdir)
		json_object_set_new(body, "WorkingDir", json_string(x->workdir));
	cleanup_free char *path = xasprintf("/containers/%s/exec", id);
	cleanup_free char *exec_id = NULL;
	int rc = post_for_id(e, &exec_id, path, NULL, body, err);
	json_decref(body);
	if (rc < 0)
		return quai_error_wrap(err, "exec in container '%.12s'", id);
	cleanup_free char *start = xasprintf("/exec/%s/start", exec_id);
	json_t *sbody = json_pack("{s:b, s:b}", "Detach", 0, "Tty", x->tty);
	struct quai_engine_request req = {
	    .method = "POST", .path = start, .json = sbody, .on_output = fn, .arg = arg};
	rc = quai_engine_request(e, &req, NULL, err);
	json_decref(sbody);
	if (rc < 0)
		return quai_error_wrap(err, "exec in container '%.12s'", id);
	cleanup_free char *ipath = xasprintf("/exec/%s/json", exec_id);
	json_t *info = NULL;
	struct quai_engine_request ireq = {.path = ipath, .timeout_ms = 60000};
	struct quai_engine_response resp;
	if (quai_engine_request(e, &ireq, &resp, err) < 0)
		return quai_error_wrap(err, "exec in container '%.12s'", id);
	info = json_object_get(resp.json, "ExitCode");
	if (!json_is_integer(info)) {
		quai_engine_response_release(&resp);
		return quai_error_set(err, QUAI_EXIT_USAGE, "exec in container '%.12s': no exit code", id);
	}
	*out_status = (int)json_integer_value(info);
	quai_engine_response_release(&resp);
	return 0;
}

int quai_engine_network_create(struct quai_engine *e, char **out_id, const char *name, const char *run_id,
                               struct quai_error **err)
{
	json_t *body = json_pack("{s:s, s:b, s:o}", "Name", name, "CheckDuplicate", 1, "Labels",
	                         labels_object(run_id, NULL));
	int rc = post_for_id(e, out_id, "/networks/create", NULL, body, err);
	json_decref(body);
	if (rc < 0)
		quai_error_wrap(err, "create network '%s'", name);
	return rc;
}

int quai_engine_network_remove(struct quai_engine *e, const char *id, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/networks/%s", id);
	if (simple(e, "DELETE", path, NULL, true, err) < 0)
		return quai_error_wrap(err, "remove network '%s'", id);
	return 0;
}

int quai_engine_volume_remove(struct quai_engine *e, const char *name, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/volumes/%s", name);
	if (simple(e, "DELETE", path, "force=1", true, err) < 0)
		return quai_error_wrap(err, "remove volume '%s'", name);
	return 0;
}

int quai_engine_list(struct quai_engine *e, char ***out, enum quai_engine_kind kind, const char *label,
                     struct quai_error **err)
{
	static const char *const paths[] = {"/containers/json", "/networks", "/volumes"};
	json_t *filters = json_pack("{s:[s]}", "label", label);
	cleanup_free char *ftext = json_dumps(filters, JSON_COMPACT);
	json_decref(filters);
	cleanup_buf struct quai_buf q = QUAI_BUF_INIT;
	if (kind == QUAI_ENGINE_CONTAINERS)
		quai_engine_query_add(&q, "all", "1");
	quai_engine_query_add(&q, "filters", ftext);
	struct quai_engine_request req = {
	    .path = paths[kind], .query = quai_buf_str(&q), .timeout_ms = 60000};
	struct quai_engine_response resp;
	if (quai_engine_request(e, &req, &resp, err) < 0)
		return -1;
	json_t *list = kind == QUAI_ENGINE_VOLUMES ? json_object_get(resp.json, "Volumes") : resp.json;
	const char *key = kind == QUAI_ENGINE_VOLUMES ? "Name" : "Id";
	char **v = xcalloc(json_array_size(list) + 1, sizeof(*v));
	size_t i, n = 0;
	json_t *item;
	json_array_foreach(list, i, item)
	{
		const char *id = json_string_value(json_object_get(item, key));
		if (id)
			v[n++] = xstrdup(id);
	}
	quai_engine_response_release(&resp);
	*out = v;
	return 0;
}
