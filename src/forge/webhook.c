/* Webhook deliveries: which forge sent it, is it signed with the
 * project's secret, and what it asks to run (see forge.h).
 *
 * GitHub:  X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256: sha256=HEX
 * Gitea:   X-Gitea-Event (Forgejo: X-Forgejo-Event), X-Gitea-Delivery,
 *          X-Gitea-Signature: HEX (or X-Forgejo-Signature, X-Hub-Signature-256)
 * GitLab:  X-Gitlab-Event, X-Gitlab-Event-UUID, X-Gitlab-Token: SECRET
 * quai:    X-Quai-Signature: sha256=HEX, X-Quai-Delivery (or "id" in the body),
 *          body {"ref": "refs/heads/main", "after": SHA, "before": SHA} */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "core/banned.h"

#define DELIVERY_MAX 128

const char *quai_forge_name(enum quai_forge_kind kind)
{
	switch (kind) {
	case QUAI_FORGE_GITHUB:
		return "github";
	case QUAI_FORGE_GITLAB:
		return "gitlab";
	case QUAI_FORGE_GITEA:
		return "gitea";
	case QUAI_FORGE_GENERIC:
		return "generic";
	default:
		return "none";
	}
}

void quai_forge_event_release(struct quai_forge_event *ev)
{
	free(ev->event);
	free(ev->delivery);
	free(ev->ref);
	free(ev->branch);
	free(ev->sha);
	free(ev->before);
	free(ev->reason);
	memset(ev, 0, sizeof(*ev));
}

static const char *hdr(const struct quai_forge_request *req, const char *name)
{
	const char *v = req->header(req->ctx, name);
	return v && *v ? v : NULL;
}

static enum quai_forge_hook_status malformed(struct quai_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum quai_forge_hook_status malformed(struct quai_error **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	quai_error_set(err, 1, "%s", msg);
	return QUAI_FORGE_HOOK_MALFORMED;
}

static enum quai_forge_hook_status unauthorized(struct quai_error **err, const char *msg)
{
	quai_error_set(err, 1, "%s", msg);
	return QUAI_FORGE_HOOK_UNAUTHORIZED;
}

static bool is_sha(const char *s)
{
	if (!s || strlen(s) != 40)
		return false;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return false;
	return true;
}

static bool is_zero_sha(const char *s)
{
	return s && strspn(s, "0") == strlen(s);
}

/* A printable delivery id of reasonable length, else NULL. */
static char *clean_delivery(const char *id)
{
	if (!id || !*id || strlen(id) > DELIVERY_MAX)
		return NULL;
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return NULL;
	return xstrdup(id);
}

/* A ref name git would accept, roughly: printable, no "..", no leading '-'. */
static bool ref_ok(const char *ref)
{
	if (!ref || !*ref || strlen(ref) > 255 || ref[0] == '-' || strstr(ref, ".."))
		return false;
	for (const char *p = ref; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f || strchr("~^:?*[\\", *p))
			return false;
	return true;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void ignore(struct quai_forge_event *ev, const char *reason)
{
	ev->queue = false;
	free(ev->reason);
	ev->reason = xstrdup(reason);
}

/* ref/before/after as in GitHub, Gitea, GitLab pushes and quai's form. */
static enum quai_forge_hook_status push(struct quai_forge_event *ev, json_t *body, struct quai_error **err)
{
	const char *ref = jstr(body, "ref");
	const char *after = jstr(body, "after");
	const char *before = jstr(body, "before");
	if (!after)
		after = jstr(body, "sha");
	if (!ref_ok(ref))
		return malformed(err, "push payload without a valid 'ref'");
	ev->ref = xstrdup(ref);
	if (strncmp(ref, "refs/tags/", 10) == 0) {
		free(ev->event);
		ev->event = xstrdup("tag");
	} else if (strncmp(ref, "refs/heads/", 11) == 0) {
		ev->branch = xstrdup(ref + 11);
	}
	if (before && is_sha(before) && !is_zero_sha(before))
		ev->before = xstrdup(before);
	if (after && is_zero_sha(after)) {
		ignore(ev, "the ref was deleted");
		return QUAI_FORGE_HOOK_OK;
	}
	if (!is_sha(after))
		return malformed(err, "push payload without a valid 'after' commit");
	ev->sha = xstrdup(after);
	ev->queue = true;
	return QUAI_FORGE_HOOK_OK;
}

/* GitHub's and Gitea's pull_request event. */
static enum quai_forge_hook_status pull_request(struct quai_forge_event *ev, json_t *body,
                                                struct quai_error **err)
{
	json_t *pr = json_object_get(body, "pull_request");
	json_t *head = json_object_get(pr, "head");
	const char *action = jstr(body, "action");
	const char *sha = jstr(head, "sha");
	const char *branch = jstr(head, "ref");
	json_int_t number = json_integer_value(json_object_get(pr, "number"));
	if (!json_is_object(pr) || !action || !is_sha(sha) || !ref_ok(branch))
		return malformed(err, "pull_request payload without action, head.sha and head.ref");
	ev->sha = xstrdup(sha);
	ev->branch = xstrdup(branch);
	ev->ref = xasprintf("refs/pull/%lld/head", (long long)number);
	if (strcmp(action, "opened") == 0 || strcmp(action, "synchronize") == 0 ||
	    strcmp(action, "synchronized") == 0 || strcmp(action, "reopened") == 0)
		ev->queue = true;
	else
		ignore(ev, "pull request action that runs nothing");
	return QUAI_FORGE_HOOK_OK;
}

static enum quai_forge_hook_status merge_request(struct quai_forge_event *ev, json_t *body,
                                                 struct quai_error **err)
{
	json_t *attrs = json_object_get(body, "object_attributes");
	const char *branch = jstr(attrs, "source_branch");
	const char *sha = jstr(json_object_get(attrs, "last_commit"), "id");
	const char *action = jstr(attrs, "action");
	json_int_t iid = json_integer_value(json_object_get(attrs, "iid"));
	if (!json_is_object(attrs) || !ref_ok(branch) || !is_sha(sha))
		return malformed(err, "merge request payload without source_branch and last_commit.id");
	ev->sha = xstrdup(sha);
	ev->branch = xstrdup(branch);
	ev->ref = xasprintf("refs/merge-requests/%lld/head", (long long)iid);
	if (!action || strcmp(action, "open") == 0 || strcmp(action, "reopen") == 0 ||
	    strcmp(action, "update") == 0)
		ev->queue = true;
	else
		ignore(ev, "merge request action that runs nothing");
	return QUAI_FORGE_HOOK_OK;
}

static json_t *load_body(const struct quai_forge_request *req)
{
	json_t *body = json_loadb(req->body, req->len, JSON_REJECT_DUPLICATES, NULL);
	if (body && !json_is_object(body)) {
		json_decref(body);
		return NULL;
	}
	return body;
}

static enum quai_forge_hook_status github_like(struct quai_forge_event *ev, const char *event, json_t *body,
                                               struct quai_error **err)
{
	ev->event = xstrdup(event);
	if (strcmp(event, "ping") == 0) {
		ignore(ev, "ping");
		return QUAI_FORGE_HOOK_OK;
	}
	if (strcmp(event, "push") == 0)
		return push(ev, body, err);
	if (strcmp(event, "pull_request") == 0)
		return pull_request(ev, body, err);
	ignore(ev, "event that runs nothing");
	return QUAI_FORGE_HOOK_OK;
}

static enum quai_forge_hook_status gitlab(struct quai_forge_event *ev, json_t *body, struct quai_error **err)
{
	const char *kind = jstr(body, "object_kind");
	if (!kind)
		return malformed(err, "GitLab payload without 'object_kind'");
	if (strcmp(kind, "push") == 0 || strcmp(kind, "tag_push") == 0) {
		ev->event = xstrdup(strcmp(kind, "push") == 0 ? "push" : "tag");
		return push(ev, body, err);
	}
	if (strcmp(kind, "merge_request") == 0) {
		ev->event = xstrdup("merge_request");
		return merge_request(ev, body, err);
	}
	ev->event = xstrdup(kind);
	ignore(ev, "event that runs nothing");
	return QUAI_FORGE_HOOK_OK;
}

/* Which forge, its signature check, its event name and delivery id. */
static enum quai_forge_hook_status authenticate(struct quai_forge_event *ev,
                                                const struct quai_forge_request *req, const char *secret,
                                                const char **event, struct quai_error **err)
{
	const char *gitea_event = hdr(req, "X-Gitea-Event");
	if (!gitea_event)
		gitea_event = hdr(req, "X-Forgejo-Event");
	if (gitea_event) {
		ev->forge = QUAI_FORGE_GITEA;
		*event = gitea_event;
		const char *sig = hdr(req, "X-Gitea-Signature");
		if (!sig)
			sig = hdr(req, "X-Forgejo-Signature");
		if (!sig)
			sig = hdr(req, "X-Hub-Signature-256");
		if (!sig)
			return unauthorized(err, "missing signature (X-Gitea-Signature)");
		if (!quai_forge_signature_ok(secret, req->body, req->len, sig))
			return unauthorized(err, "bad signature");
		const char *id = hdr(req, "X-Gitea-Delivery");
		ev->delivery = clean_delivery(id ? id : hdr(req, "X-Forgejo-Delivery"));
		return QUAI_FORGE_HOOK_OK;
	}
	if ((*event = hdr(req, "X-GitHub-Event"))) {
		ev->forge = QUAI_FORGE_GITHUB;
		const char *sig = hdr(req, "X-Hub-Signature-256");
		if (!sig)
			return unauthorized(err, "missing signature (X-Hub-Signature-256)");
		if (!quai_forge_signature_ok(secret, req->body, req->len, sig))
			return unauthorized(err, "bad signature");
		ev->delivery = clean_delivery(hdr(req, "X-GitHub-Delivery"));
		return QUAI_FORGE_HOOK_OK;
	}
	if ((*event = hdr(req, "X-Gitlab-Event"))) {
		ev->forge = QUAI_FORGE_GITLAB;
		const char *token = hdr(req, "X-Gitlab-Token");
		if (!token)
			return unauthorized(err, "missing token (X-Gitlab-Token)");
		if (!quai_forge_secret_equal(token, secret))
			return unauthorized(err, "bad token");
		const char *id = hdr(req, "X-Gitlab-Event-UUID");
		ev->delivery = clean_delivery(id ? id : hdr(req, "X-Gitlab-Webhook-UUID"));
		return QUAI_FORGE_HOOK_OK;
	}
	const char *sig = hdr(req, "X-Quai-Signature");
	if (!sig)
		return unauthorized(
		    err, "missing signature: no X-Hub-Signature-256, X-Gitea-Signature, X-Gitlab-Token"
		         " or X-Quai-Signature");
	ev->forge = QUAI_FORGE_GENERIC;
	*event = "push";
	if (!quai_forge_signature_ok(secret, req->body, req->len, sig))
		return unauthorized(err, "bad signature");
	ev->delivery = clean_delivery(hdr(req, "X-Quai-Delivery"));
	return QUAI_FORGE_HOOK_OK;
}

enum quai_forge_hook_status quai_forge_parse_hook(struct quai_forge_event *out,
                                                  const struct quai_forge_request *req, const char *secret,
                                                  struct quai_error **err)
{
	memset(out, 0, sizeof(*out));
	if (!secret || !*secret)
		return unauthorized(err, "the project has no webhook_secret: webhooks are refused");
	const char *event = NULL;
	enum quai_forge_hook_status rc = authenticate(out, req, secret, &event, err);
	if (rc != QUAI_FORGE_HOOK_OK)
		return rc;
	json_t *body = load_body(req);
	if (!body)
		return malformed(err, "the body is not a JSON object");
	if (out->forge == QUAI_FORGE_GITLAB)
		rc = gitlab(out, body, err);
	else if (out->forge == QUAI_FORGE_GENERIC) {
		out->event = xstrdup("push");
		if (!out->delivery)
			out->delivery = clean_delivery(jstr(body, "id"));
		rc = push(out, body, err);
	} else
		rc = github_like(out, event, body, err);
	json_decref(body);
	if (rc == QUAI_FORGE_HOOK_OK && !out->delivery) {
		char hex[65];
		quai_forge_sha256_hex(req->body, req->len, hex);
		out->delivery = xasprintf("sha256:%s", hex);
	}
	return rc;
}
