/* Talking with forges: webhook deliveries in (GitHub, GitLab,
 * Gitea/Forgejo and quai's own signed form), commit statuses and
 * notifications out, and the post-receive hook that lets a plain bare
 * repository notify `quai serve`.
 *
 * Strings in a quai_forge_event belong to it (quai_forge_event_release). */
#ifndef QUAI_FORGE_FORGE_H
#define QUAI_FORGE_FORGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

enum quai_forge_kind {
	QUAI_FORGE_NONE = 0,
	QUAI_FORGE_GITHUB,
	QUAI_FORGE_GITLAB,
	QUAI_FORGE_GITEA, /* and Forgejo */
	QUAI_FORGE_GENERIC,
};

/* "github", "gitlab", "gitea", "generic", "none" */
const char *quai_forge_name(enum quai_forge_kind kind);

struct quai_forge_request {
	/* the value of a request header (case-insensitive name), or NULL */
	const char *(*header)(void *ctx, const char *name);
	void *ctx;
	const char *body; /* the raw body, as signed */
	size_t len;
};

struct quai_forge_event {
	enum quai_forge_kind forge;
	char *event;    /* "push", "tag", "merge_request", "pull_request", "ping", ... */
	char *delivery; /* the forge's delivery id, else "sha256:" + the body's digest */
	char *ref;      /* refs/heads/main, refs/tags/v1, refs/pull/7/head, refs/merge-requests/7/head */
	char *branch;   /* the branch to run (a pull request's head branch), NULL for a tag */
	char *sha;      /* the commit to run, 40 hex */
	char *before;   /* the previous head of a push, or NULL */
	bool queue;     /* false: acknowledged, nothing to run (ping, deletion, closed PR...) */
	char *reason;   /* why nothing is queued, when queue is false */
};

enum quai_forge_hook_status {
	QUAI_FORGE_HOOK_OK = 0,
	QUAI_FORGE_HOOK_UNAUTHORIZED = -1, /* signature or token missing or wrong: 401 */
	QUAI_FORGE_HOOK_MALFORMED = -2,    /* signed, but not a payload quai understands: 400 */
};

/* Authenticates a delivery with secret (constant-time comparisons), then
 * parses it. The message in *err never holds the secret or the signature. */
enum quai_forge_hook_status quai_forge_parse_hook(struct quai_forge_event *out,
                                                  const struct quai_forge_request *req, const char *secret,
                                                  struct quai_error **err);
void quai_forge_event_release(struct quai_forge_event *ev);

/* 0 when libcrypto (opened on first use) has what signatures need; the
 * server calls it at start, since the functions below exit without it. */
int quai_forge_crypto_check(struct quai_error **err);
/* HMAC-SHA256 of data with key as 64 lowercase hex digits and a NUL. */
void quai_forge_hmac_sha256_hex(const char *key, const void *data, size_t len, char hex[65]);
/* SHA-256 of data as 64 lowercase hex digits and a NUL. */
void quai_forge_sha256_hex(const void *data, size_t len, char hex[65]);
/* Constant-time check that the hex signature sig (optionally "sha256="
 * prefixed) is the HMAC-SHA256 of data under key. */
bool quai_forge_signature_ok(const char *key, const void *data, size_t len, const char *sig);
/* Constant-time equality of two secrets of any length. */
bool quai_forge_secret_equal(const char *a, const char *b);

/* Writes to out a POSIX sh post-receive hook that posts each pushed ref to
 * SERVER/hooks/PROJECT in the generic signed form, the HMAC key read from
 * secret_file at run time (never written into the hook). The arguments
 * are single-quoted in the script, whatever they hold. */
void quai_forge_post_receive_script(struct quai_buf *out, const char *server_url, const char *project,
                                    const char *secret_file);

struct quai_forge_status_target {
	enum quai_forge_kind kind;
	const char *api;   /* base URL of the forge's API */
	const char *repo;  /* owner/name, or GitLab's project id or path */
	const char *token; /* secret */
};

/* state: "pending", "running", "success", "failed", "canceled"; mapped to
 * what the forge calls them. target_url and description may be NULL. */
int quai_forge_report_status(const struct quai_forge_status_target *t, const char *sha, const char *state,
                             const char *target_url, const char *description, struct quai_error **err);
struct quai_forge_mail {
	const char *url;       /* smtp://host:port or smtps://host:port */
	const char *from;      /* the envelope and From: address */
	const char *const *to; /* NULL-terminated */
	const char *user;      /* or NULL: no AUTH */
	const char *password;  /* secret */
};
/* Sends a plain-text mail through libcurl (STARTTLS when the server
 * offers it; smtps:// is TLS from the start). CR and LF in subject are
 * replaced by spaces. */
int quai_forge_send_mail(const struct quai_forge_mail *m, const char *subject, const char *body,
                         struct quai_error **err);
/* POSTs a JSON document to url (10 s timeout). */
int quai_forge_post_json(const char *url, const char *json, struct quai_error **err);

#endif
