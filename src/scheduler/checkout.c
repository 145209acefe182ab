/* Mirrors and per-run working trees through libgit2 (see checkout.h). */
#include <errno.h>
#include <ftw.h>
#include <git2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "scheduler/checkout.h"
#include "core/banned.h"

/* libgit2 (and with it libssh2 and OpenSSL, a few MB of pages) starts
 * at the first fetch, not with the server: an idle server stays small. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool started;

static void start(void)
{
	git_libgit2_init();
	started = true;
}

void quai_checkout_init(void)
{
}

static void ensure_started(void)
{
	pthread_once(&once, start);
}

void quai_checkout_shutdown(void)
{
	if (started)
		git_libgit2_shutdown();
}

/* libgit2's last error, with the url's credentials never in it: the
 * message may quote the url, so it is given as the redacted url only. */
static int git_fail(struct quai_error **err, const char *what, const char *subject)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";
	/* a message that quotes a url with user:token@ is not shown */
	if (strchr(msg, '@'))
		msg = "the remote refused or could not be reached";
	return quai_error_set(err, 1, "%s '%s': %s", what, subject, msg);
}

struct creds {
	const struct quai_project_config *p;
	int tries;
};

static int credentials(git_credential **out, const char *url, const char *user_from_url, unsigned int allowed,
                       void *payload)
{
	struct creds *c = payload;
	if (++c->tries > 3)
		return GIT_EAUTH;
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && c->p->ssh_key)
		return git_credential_ssh_key_new(out, user_from_url ? user_from_url : "git", NULL,
		                                  c->p->ssh_key, NULL);
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && c->p->token)
		return git_credential_userpass_plaintext_new(out, user_from_url ? user_from_url : "oauth2",
		                                             c->p->token);
	return GIT_PASSTHROUGH;
}

static void set_callbacks(git_remote_callbacks *cb, struct creds *c)
{
	cb->credentials = credentials;
	cb->payload = c;
}

int quai_checkout_fetch(const struct quai_project_config *p, const char *mirror_dir, const char *extra_ref,
                        struct quai_error **err)
{
	ensure_started();
	cleanup_free char *shown = quai_server_redact_url(p->url);
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	cleanup_free char *extra = NULL;
	int rc = -1;
	if (git_repository_open_bare(&repo, mirror_dir) < 0 &&
	    git_repository_init(&repo, mirror_dir, 1) < 0) {
		git_fail(err, "cannot create the mirror", mirror_dir);
		goto out;
	}
	if (git_remote_create_anonymous(&remote, repo, p->url) < 0) {
		git_fail(err, "bad url", shown);
		goto out;
	}
	char heads[] = "+refs/heads/*:refs/heads/*", tags[] = "+refs/tags/*:refs/tags/*";
	char *specs[3] = {heads, tags, NULL};
	git_strarray refspecs = {specs, 2};
	if (extra_ref && strncmp(extra_ref, "refs/heads/", 11) != 0 &&
	    strncmp(extra_ref, "refs/tags/", 10) != 0) {
		extra = xasprintf("+%s:%s", extra_ref, extra_ref);
		specs[2] = extra;
		refspecs.count = 3;
	}
	git_fetch_options opts;
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	struct creds c = {p, 0};
	set_callbacks(&opts.callbacks, &c);
	opts.prune = GIT_FETCH_PRUNE;
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (git_remote_fetch(remote, &refspecs, &opts, NULL) < 0) {
		git_fail(err, "cannot fetch", shown);
		goto out;
	}
	rc = 0;
out:
	git_remote_free(remote);
	git_repository_free(repo);
	return rc;
}

int quai_checkout_resolve(const char *mirror_dir, const char *ref, char out[41], struct quai_error **err)
{
	ensure_started();
	git_repository *repo = NULL;
	if (git_repository_open_bare(&repo, mirror_dir) < 0)
		return git_fail(err, "cannot open the mirror", mirror_dir);
	git_object *obj = NULL;
	int rc = git_revparse_single(&obj, repo, ref);
	if (rc == 0) {
		git_object *commit = NULL;
		if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
			git_oid_tostr(out, 41, git_object_id(commit));
			git_object_free(commit);
		} else {
			rc = -1;
		}
	}
	git_object_free(obj);
	git_repository_free(repo);
	if (rc < 0)
		return quai_error_set(err, 1, "'%s' is not a commit of the repository", ref);
	return 0;
}

int quai_checkout_worktree(const char *mirror_dir, const char *dir, const char *sha, const char *branch,
                           const char *origin_url, struct quai_error **err)
{
	ensure_started();
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_reference *ref = NULL;
	int rc = -1;
	git_clone_options opts;
	git_clone_options_init(&opts, GIT_CLONE_OPTIONS_VERSION);
	opts.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
	opts.local = GIT_CLONE_LOCAL;
	if (git_clone(&repo, mirror_dir, dir, &opts) < 0) {
		git_fail(err, "cannot clone the mirror into", dir);
		goto out;
	}
	git_oid oid;
	if (git_oid_fromstr(&oid, sha) < 0 || git_commit_lookup(&commit, repo, &oid) < 0) {
		quai_error_set(err, 1, "commit %s is not in the repository", sha);
		goto out;
	}
	git_checkout_options co;
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_checkout_tree(repo, (const git_object *)commit, &co) < 0) {
		git_fail(err, "cannot check out", sha);
		goto out;
	}
	if (branch && git_branch_create(&ref, repo, branch, commit, 1) == 0) {
		if (git_repository_set_head(repo, git_reference_name(ref)) < 0) {
			git_fail(err, "cannot switch to branch", branch);
			goto out;
		}
	} else if (git_repository_set_head_detached(repo, &oid) < 0) {
		git_fail(err, "cannot check out", sha);
		goto out;
	}
	if (origin_url && git_remote_set_url(repo, "origin", origin_url) < 0) {
		git_fail(err, "cannot set the remote of", dir);
		goto out;
	}
	rc = 0;
out:
	git_reference_free(ref);
	git_commit_free(commit);
	git_repository_free(repo);
	return rc;
}

int quai_checkout_ls_remote(const struct quai_project_config *p, char ***names, char ***shas,
                            struct quai_error **err)
{
	ensure_started();
	cleanup_free char *shown = quai_server_redact_url(p->url);
	*names = xcalloc(1, sizeof(char *));
	*shas = xcalloc(1, sizeof(char *));
	git_remote *remote = NULL;
	if (git_remote_create_detached(&remote, p->url) < 0)
		return git_fail(err, "bad url", shown);
	git_remote_callbacks cb;
	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	struct creds c = {p, 0};
	set_callbacks(&cb, &c);
	const git_remote_head **heads = NULL;
	size_t nheads = 0;
	if (git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL, NULL) < 0 ||
	    git_remote_ls(&heads, &nheads, remote) < 0) {
		git_fail(err, "cannot list the branches of", shown);
		git_remote_free(remote);
		return -1;
	}
	size_t n = 0, cap1 = 0, cap2 = 0;
	for (size_t i = 0; i < nheads; i++) {
		if (strncmp(heads[i]->name, "refs/heads/", 11) != 0)
			continue;
		*names = xgrow(*names, &cap1, n + 2, sizeof(char *));
		*shas = xgrow(*shas, &cap2, n + 2, sizeof(char *));
		(*names)[n] = xstrdup(heads[i]->name + 11);
		(*shas)[n] = xmalloc(41);
		git_oid_tostr((*shas)[n], 41, &heads[i]->oid);
		n++;
		(*names)[n] = NULL;
		(*shas)[n] = NULL;
	}
	git_remote_disconnect(remote);
	git_remote_free(remote);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int quai_checkout_remove(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
