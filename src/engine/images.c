/* Image calls: build, inspect, tag, push, remove. */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/internal.h"
#include "core/banned.h"

/* {"K": "V", ...} from "K=V" strings; a string without '=' maps to "". */
static json_t *kv_object(const char *const *kv)
{
	json_t *o = json_object();
	for (; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		cleanup_free char *k = eq ? xstrndup(*kv, (size_t)(eq - *kv)) : xstrdup(*kv);
		json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
	}
	return o;
}

static void query_json(struct quai_buf *q, const char *key, const char *const *kv)
{
	json_t *o = kv_object(kv);
	cleanup_free char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	quai_engine_query_add(q, key, text);
}

/* The engine's failure inside a stream: {"error": ..., "errorDetail": {"message": ...}}. */
static int stream_error(json_t *msg, struct quai_error **err)
{
	json_t *detail = json_object_get(msg, "errorDetail");
	const char *text = json_string_value(json_object_get(detail, "message"));
	if (!text)
		text = json_string_value(json_object_get(msg, "error"));
	if (!text)
		return 0;
	return quai_error_set(err, QUAI_EXIT_FINDINGS, "%s", text);
}

struct build_state {
	const struct quai_engine_build *b;
	char *id;
};

static int build_message(void *arg, json_t *msg, struct quai_error **err)
{
	struct build_state *s = arg;
	if (stream_error(msg, err) < 0)
		return -1;
	const char *id = json_string_value(json_object_get(json_object_get(msg, "aux"), "ID"));
	if (id) {
		free(s->id);
		s->id = xstrdup(id);
	}
	const char *text = json_string_value(json_object_get(msg, "stream"));
	if (text) {
		/* engines without the aux message (older Podman) end with this line */
		static const char done[] = "Successfully built ";
		if (!s->id && strncmp(text, done, sizeof(done) - 1) == 0)
			s->id = xstrndup(text + sizeof(done) - 1, strcspn(text + sizeof(done) - 1, "\r\n"));
		if (s->b->on_output && s->b->on_output(s->b->arg, text, err))
			return -1;
	}
	return 0;
}

static void build_tick(void *arg)
{
	struct build_state *s = arg;
	s->b->on_tick(s->b->arg);
}

static void build_query(struct quai_buf *q, const struct quai_engine_build *b)
{
	for (const char *const *t = b->tags; t && *t; t++)
		quai_engine_query_add(q, "t", *t);
	if (b->dockerfile)
		quai_engine_query_add(q, "dockerfile", b->dockerfile);
	if (b->build_args && *b->build_args)
		query_json(q, "buildargs", b->build_args);
	if (b->labels && *b->labels)
		query_json(q, "labels", b->labels);
	if (b->target)
		quai_engine_query_add(q, "target", b->target);
	if (b->no_cache)
		quai_engine_query_add(q, "nocache", "1");
	if (b->pull)
		quai_engine_query_add(q, "pull", "1");
	quai_engine_query_add(q, "rm", "1");
	quai_engine_query_add(q, "forcerm", "1");
}

int quai_engine_image_build(struct quai_engine *e, char **out_id, const struct quai_engine_build *b,
                            struct quai_error **err)
{
	cleanup_buf struct quai_buf q = QUAI_BUF_INIT;
	build_query(&q, b);
	struct build_state s = {.b = b};
	struct quai_engine_request req = {
	    .method = "POST",
	    .path = "/build",
	    .query = quai_buf_str(&q),
	    .body = b->context,
	    .content_type = "application/x-tar",
	    .on_message = build_message,
	    .arg = &s,
	    .on_tick = b->on_tick ? build_tick : NULL,
	};
	if (quai_engine_request(e, &req, NULL, err) < 0) {
		free(s.id);
		return -1;
	}
	if (!s.id)
		return quai_error_set(err, QUAI_EXIT_USAGE, "the engine did not say which image it built");
	if (strchr(s.id, ':') == NULL) {
		char *full = xasprintf("sha256:%s", s.id);
		free(s.id);
		s.id = full;
	}
	*out_id = s.id;
	return 0;
}

/* A GET answering one JSON value, handed to the caller. */
static int get_json(struct quai_engine *e, json_t **out, const char *path, const char *query,
                    struct quai_error **err)
{
	struct quai_engine_request req = {.path = path, .query = query, .timeout_ms = 60000};
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

/* Podman 4's compatible image inspect has no Config.Healthcheck: its own API does. */
static void podman_healthcheck(struct quai_engine *e, json_t *image, const char *name)
{
	json_t *config = json_object_get(image, "Config");
	if (!json_is_object(config) || json_object_get(config, "Healthcheck"))
		return;
	cleanup_free char *path = xasprintf("/libpod/images/%s/json", name);
	json_t *libpod = NULL;
	if (get_json(e, &libpod, path, NULL, NULL) == 0) {
		json_t *hc = json_object_get(libpod, "Healthcheck");
		if (json_is_object(hc))
			json_object_set(config, "Healthcheck", hc);
	}
	json_decref(libpod);
}

int quai_engine_image_inspect(struct quai_engine *e, json_t **out, const char *name, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/images/%s/json", name);
	int rc = get_json(e, out, path, NULL, err);
	if (rc < 0)
		return rc; /* QUAI_ENGINE_ENOTFOUND for a missing image */
	if (quai_engine_is_podman(e))
		podman_healthcheck(e, *out, name);
	return 0;
}

int quai_engine_image_tag(struct quai_engine *e, const char *name, const char *ref, struct quai_error **err)
{
	cleanup_free char *repo = NULL;
	const char *tag;
	engine_split_ref(&repo, &tag, ref);
	cleanup_buf struct quai_buf q = QUAI_BUF_INIT;
	quai_engine_query_add(&q, "repo", repo);
	quai_engine_query_add(&q, "tag", tag);
	cleanup_free char *path = xasprintf("/images/%s/tag", name);
	struct quai_engine_request req = {
	    .method = "POST", .path = path, .query = quai_buf_str(&q), .timeout_ms = 60000};
	if (quai_engine_request(e, &req, NULL, err) < 0)
		return quai_error_wrap(err, "tag '%s' as '%s'", name, ref);
	return 0;
}

struct push_state {
	int (*on_output)(void *arg, const char *text, struct quai_error **err);
	void *arg;
	char *digest;
};

static int push_message(void *arg, json_t *msg, struct quai_error **err)
{
	struct push_state *s = arg;
	if (stream_error(msg, err) < 0)
		return -1;
	const char *digest = json_string_value(json_object_get(json_object_get(msg, "aux"), "Digest"));
	const char *status = json_string_value(json_object_get(msg, "status"));
	if (!digest && status) {
		/* "TAG: digest: sha256:... size: N" where there is no aux message */
		const char *d = strstr(status, "digest: ");
		if (d)
			d += 8;
		if (d && !s->digest) {
			s->digest = xstrndup(d, strcspn(d, " "));
		}
	}
	if (digest) {
		free(s->digest);
		s->digest = xstrdup(digest);
	}
	if (status && s->on_output) {
		const char *id = json_string_value(json_object_get(msg, "id"));
		cleanup_free char *line = id ? xasprintf("%s: %s\n", id, status) : xasprintf("%s\n", status);
		if (s->on_output(s->arg, line, err))
			return -1;
	}
	return 0;
}

int quai_engine_image_push(struct quai_engine *e, char **out_digest, const char *ref,
                           const struct quai_engine_auth *auth,
                           int (*on_output)(void *arg, const char *text, struct quai_error **err), void *arg,
                           struct quai_error **err)
{
	cleanup_free char *repo = NULL;
	const char *tag;
	engine_split_ref(&repo, &tag, ref);
	cleanup_buf struct quai_buf q = QUAI_BUF_INIT;
	quai_engine_query_add(&q, "tag", tag);
	cleanup_free char *path = xasprintf("/images/%s/push", repo);
	struct quai_engine_auth none = {"", "", ""};
	cleanup_free char *enc = quai_engine_auth_header(auth ? auth : &none);
	cleanup_free char *hdr = xasprintf("X-Registry-Auth: %s", enc);
	const char *headers[] = {hdr, NULL};
	struct push_state s = {.on_output = on_output, .arg = arg};
	struct quai_engine_request req = {
	    .method = "POST",
	    .path = path,
	    .query = quai_buf_str(&q),
	    .headers = headers,
	    .on_message = push_message,
	    .arg = &s,
	};
	if (quai_engine_request(e, &req, NULL, err) < 0) {
		free(s.digest);
		return quai_error_wrap(err, "push '%s'", ref);
	}
	if (!s.digest)
		return quai_error_set(err, QUAI_EXIT_USAGE, "push '%s': the engine did not report a digest",
		                      ref);
	*out_digest = s.digest;
	return 0;
}

int quai_engine_image_remove(struct quai_engine *e, const char *name, bool force, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/images/%s", name);
	struct quai_engine_request req = {
	    .method = "DELETE", .path = path, .query = force ? "force=1" : NULL, .timeout_ms = 120000};
	return quai_engine_request(e, &req, NULL, err);
}
