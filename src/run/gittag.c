/* Version tags: annotated tags NAME/vX.Y.Z on the built commit, pushed to
 * origin, never moved. */
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "git/git.h"
#include "run/internal.h"
#include "core/banned.h"

static const char *git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

struct tag_list {
	git_repository *repo;
	char **names, **commits;
	size_t n, cap;
};

static int on_tag(const char *refname, git_oid *oid, void *payload)
{
	struct tag_list *l = payload;
	git_object *obj = NULL, *commit = NULL;
	if (git_object_lookup(&obj, l->repo, oid, GIT_OBJECT_ANY) == 0 &&
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), git_object_id(commit));
		size_t cap = l->cap;
		l->names = xgrow(l->names, &l->cap, l->n + 2, sizeof(*l->names));
		l->commits = xgrow(l->commits, &cap, l->n + 2, sizeof(*l->commits));
		const char *name = strncmp(refname, "refs/tags/", 10) == 0 ? refname + 10 : refname;
		l->names[l->n] = xstrdup(name);
		l->commits[l->n++] = xstrdup(hex);
		l->names[l->n] = l->commits[l->n] = NULL;
	}
	git_object_free(commit);
	git_object_free(obj);
	return 0;
}

int run_git_tags(struct quai_git *g, char ***names, char ***commits, size_t *n, struct quai_error **err)
{
	struct tag_list l = {.repo = quai_git_raw(g)};
	int rc = git_tag_foreach(l.repo, on_tag, &l);
	if (rc < 0 && rc != GIT_ENOTFOUND) {
		quai_git_strv_free(l.names);
		quai_git_strv_free(l.commits);
		return quai_error_set(err, QUAI_EXIT_USAGE, "list git tags: %s", git_msg());
	}
	*names = l.names ? l.names : xcalloc(1, sizeof(char *));
	*commits = l.commits ? l.commits : xcalloc(1, sizeof(char *));
	*n = l.n;
	return 0;
}

int run_git_tag(struct quai_git *g, const char *name, const char *commit, const char *message,
                struct quai_error **err)
{
	git_repository *repo = quai_git_raw(g);
	cleanup_free char *refname = xasprintf("refs/tags/%s", name);
	git_object *existing = NULL, *target = NULL;
	git_signature *sig = NULL;
	git_oid oid;
	int rc = 0;
	if (git_revparse_single(&existing, repo, refname) == 0) {
		git_object *c = NULL;
		char hex[GIT_OID_HEXSZ + 1] = "";
		if (git_object_peel(&c, existing, GIT_OBJECT_COMMIT) == 0)
			git_oid_tostr(hex, sizeof(hex), git_object_id(c));
		git_object_free(c);
		git_object_free(existing);
		if (strcmp(hex, commit) == 0)
			return 0;
		return quai_error_set(err, QUAI_EXIT_FINDINGS,
		                      "git tag '%s' exists on commit %.12s: version tags are never moved",
		                      name, hex);
	}
	if (git_oid_fromstr(&oid, commit) < 0 ||
	    git_object_lookup(&target, repo, &oid, GIT_OBJECT_COMMIT) < 0) {
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "git tag '%s': commit %s: %s", name, commit,
		                    git_msg());
		goto out;
	}
	if (git_signature_default(&sig, repo) < 0 && git_signature_now(&sig, "quai", "quai@localhost") < 0) {
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "git tag '%s': %s", name, git_msg());
		goto out;
	}
	if (git_tag_create(&oid, repo, name, target, sig, message, 0) < 0)
		rc = quai_error_set(err, QUAI_EXIT_FINDINGS, "create git tag '%s': %s", name, git_msg());
out:
	git_signature_free(sig);
	git_object_free(target);
	return rc;
}

/* ---- pushing to origin ---- */

struct push_state {
	bool agent_tried, token_tried;
	size_t key; /* next key file to try */
	struct quai_buf *rejected;
};

static const char *env_first(const char *const *names)
{
	for (; *names; names++) {
		const char *v = getenv(*names);
		if (v && *v)
			return v;
	}
	return NULL;
}

static int ssh_key(git_credential **out, struct push_state *s, const char *user)
{
	if (!s->agent_tried && getenv("SSH_AUTH_SOCK")) {
		s->agent_tried = true;
		return git_credential_ssh_key_from_agent(out, user);
	}
	const char *home = getenv("HOME");
	const char *const keys[] = {getenv("QUAI_GIT_SSH_KEY"), "id_ed25519", "id_ecdsa", "id_rsa"};
	while (s->key < sizeof(keys) / sizeof(*keys)) {
		size_t k = s->key++;
		if (!keys[k] || (k > 0 && !home))
			continue;
		cleanup_free char *path = k == 0 ? xstrdup(keys[k]) : xasprintf("%s/.ssh/%s", home, keys[k]);
		cleanup_free char *pub = xasprintf("%s.pub", path);
		if (access(path, R_OK) == 0)
			return git_credential_ssh_key_new(out, user, access(pub, R_OK) == 0 ? pub : NULL,
			                                  path, getenv("QUAI_GIT_SSH_PASSPHRASE"));
	}
	return GIT_EAUTH;
}

/* ssh: the agent, then QUAI_GIT_SSH_KEY or ~/.ssh/id_ed25519, id_ecdsa,
 * id_rsa; https: a token from the environment. Each is tried once. */
static int credentials(git_credential **out, const char *url, const char *user, unsigned int allowed,
                       void *payload)
{
	struct push_state *s = payload;
	(void)url;
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return ssh_key(out, s, user ? user : "git");
	if (!(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) || s->token_tried)
		return GIT_EAUTH;
	s->token_tried = true;
	static const char *const tokens[] = {"QUAI_GIT_TOKEN", "GIT_TOKEN", "GITHUB_TOKEN", "CI_JOB_TOKEN",
	                                     NULL};
	const char *token = env_first(tokens);
	if (!token)
		return GIT_EAUTH;
	const char *u = getenv("QUAI_GIT_USER");
	if (!u)
		u = user ? user : getenv("CI_JOB_TOKEN") == token ? "gitlab-ci-token" : "x-access-token";
	return git_credential_userpass_plaintext_new(out, u, token);
}

static int on_update(const char *refname, const char *status, void *payload)
{
	struct push_state *s = payload;
	if (status)
		quai_buf_printf(s->rejected, "%s'%s' rejected: %s", s->rejected->len ? "; " : "", refname,
		                status);
	return 0;
}

/* origin's URL: *out NULL when there is no origin. Read from the
 * configuration rather than with git_remote_lookup: libgit2 1.5 leaks the
 * match data of the regexes it runs over the configuration (fixed by
 * libgit2 PR 6382, in 1.6), which is also why url.*.insteadOf is skipped. */
static int origin_url(git_repository *repo, char **out, struct quai_error **err)
{
	git_config *cfg = NULL;
	const char *url = NULL;
	*out = NULL;
	if (git_repository_config_snapshot(&cfg, repo) < 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "read git configuration: %s", git_msg());
	int rc = git_config_get_string(&url, cfg, "remote.origin.url");
	if (rc == 0 && url && *url)
		*out = xstrdup(url);
	git_config_free(cfg);
	if (rc < 0 && rc != GIT_ENOTFOUND)
		return quai_error_set(err, QUAI_EXIT_USAGE, "remote 'origin': %s", git_msg());
	return 0;
}

/* origin as an anonymous remote (see origin_url); *out NULL without origin. */
static int open_origin(git_repository *repo, git_remote **out, struct quai_error **err)
{
	cleanup_free char *url = NULL;
	*out = NULL;
	if (origin_url(repo, &url, err) < 0)
		return -1;
	if (!url)
		return 0;
	git_remote_create_options ro;
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (git_remote_create_with_opts(out, url, &ro) < 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "remote 'origin' (%s): %s", url, git_msg());
	return 0;
}

int run_git_fetch_tags(struct quai_git *g, struct quai_error **err)
{
	git_remote *remote = NULL;
	if (open_origin(quai_git_raw(g), &remote, err) < 0 || !remote)
		return remote ? -1 : 0;
	struct push_state st = {0};
	char spec[] = "refs/tags/*:refs/tags/*";
	char *specs[] = {spec};
	git_strarray arr = {specs, 1};
	git_fetch_options opts;
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	opts.callbacks.credentials = credentials;
	opts.callbacks.payload = &st;
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	int rc = git_remote_fetch(remote, &arr, &opts, NULL);
	if (rc < 0)
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "fetch tags from origin (%s): %s",
		                    git_remote_url(remote), git_msg());
	git_remote_free(remote);
	return rc < 0 ? -1 : 0;
}

int run_git_push_tags(struct quai_git *g, char *const *names, size_t n, bool *skipped,
                      struct quai_error **err)
{
	git_remote *remote = NULL;
	*skipped = false;
	if (open_origin(quai_git_raw(g), &remote, err) < 0)
		return -1;
	if (!remote) {
		*skipped = true;
		return 0;
	}
	int rc;
	cleanup_buf struct quai_buf rejected = QUAI_BUF_INIT;
	struct push_state st = {.rejected = &rejected};
	char **specs = xcalloc(n + 1, sizeof(*specs));
	for (size_t i = 0; i < n; i++)
		specs[i] = xasprintf("refs/tags/%s:refs/tags/%s", names[i], names[i]);
	git_strarray arr = {specs, n};
	git_push_options opts;
	git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
	opts.callbacks.credentials = credentials;
	opts.callbacks.push_update_reference = on_update;
	opts.callbacks.payload = &st;
	rc = git_remote_push(remote, &arr, &opts);
	if (rc < 0)
		rc = quai_error_set(err, QUAI_EXIT_FINDINGS, "push tags to origin (%s): %s",
		                    git_remote_url(remote), git_msg());
	else if (rejected.len)
		rc = quai_error_set(err, QUAI_EXIT_FINDINGS, "push tags to origin (%s): %s",
		                    git_remote_url(remote), quai_buf_str(&rejected));
	quai_git_strv_free(specs);
	git_remote_free(remote);
	return rc;
}
