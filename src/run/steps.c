/* The parts of a step quai does itself: the argv of the child process that
 * builds, tests or pushes, the parent images' tags before a build, and the
 * version and references before a push. */
#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "core/buf.h"
#include "engine/engine.h"
#include "git/git.h"
#include "registry/registry.h"
#include "run/internal.h"
#include "core/banned.h"

#define VERSION_FILE_MAX 4096

struct argv {
	char **v;
	size_t n, cap;
};

static void add(struct argv *a, char *s)
{
	a->v = xgrow(a->v, &a->cap, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void run_argv_free(char **argv)
{
	for (char **p = argv; p && *p; p++)
		free(*p);
	free(argv);
}

static char *abs_path(const struct run *r, const char *rel)
{
	if (strcmp(rel, ".") == 0)
		return xstrdup(r->repo->root);
	return xasprintf("%s/%s", r->repo->root, rel);
}

static void build_argv(struct argv *a, struct run *r, struct run_image *ri)
{
	const struct quai_repo_image *img = ri->img;
	add(a, xstrdup("build"));
	/* quai run linted it already, with the same configuration */
	add(a, xstrdup("--no-lint"));
	add(a, xstrdup("-f"));
	add(a, abs_path(r, img->dockerfile));
	for (char **kv = img->build_args; kv && *kv; kv++) {
		add(a, xstrdup("--build-arg"));
		add(a, xstrdup(*kv));
	}
	if (img->target) {
		add(a, xstrdup("--target"));
		add(a, xstrdup(img->target));
	}
	add(a, xstrdup("-t"));
	add(a, xasprintf("%s:%s", img->repository, r->short_sha));
	add(a, xstrdup("--iidfile"));
	add(a, xstrdup(ri->outfile));
	add(a, abs_path(r, img->context));
}

static void test_argv(struct argv *a, struct run *r, struct run_image *ri)
{
	add(a, xstrdup("test"));
	add(a, xstrdup("--dir"));
	add(a, abs_path(r, ri->img->dir));
	add(a, xstrdup("--spec"));
	add(a, abs_path(r, ri->img->tests));
	add(a, xstrdup("--junit"));
	add(a, xasprintf("%s.junit.xml", ri->stem));
	add(a, xstrdup(ri->image_id));
}

/* quai push refuses to move a tag unless --force: the fixed references
 * (X.Y.Z, the commit) are pushed without it, the floating ones with it. */
static void push_argv(struct argv *a, struct run_image *ri, bool floating)
{
	add(a, xstrdup("push"));
	if (floating)
		add(a, xstrdup("--force"));
	add(a, xstrdup("--digest-file"));
	add(a, xstrdup(ri->outfile));
	add(a, xstrdup(ri->image_id));
	for (size_t k = 0; k < ri->nrefs; k++)
		if (ri->refs[k].floating == floating && !ri->refs[k].digest)
			add(a, xstrdup(ri->refs[k].ref));
}

char **run_step_argv(struct run *r, size_t i, enum run_step_kind k, bool floating)
{
	struct run_image *ri = &r->images[i];
	struct argv a = {0};
	add(&a, xstrdup("quai-engine"));
	if (k == STEP_BUILD)
		build_argv(&a, r, ri);
	else if (k == STEP_TEST)
		test_argv(&a, r, ri);
	else
		push_argv(&a, ri, floating);
	return a.v;
}

static const struct run_image *in_run(const struct run *r, const struct quai_repo_image *img)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->images[i].img == img)
			return &r->images[i];
	return NULL;
}

static bool exists(struct run *r, const char *name)
{
	json_t *info = NULL;
	int rc = quai_engine_image_inspect(r->engine, &info, name, NULL);
	json_decref(info);
	return rc == 0;
}

/* The newest version NAME/vX.Y.Z released from HEAD or an ancestor. */
static char *released_version(struct run *r, const char *name, struct quai_error **err)
{
	char **tags = NULL, **commits = NULL;
	size_t n = 0;
	if (run_git_tags(r->git, &tags, &commits, &n, err) < 0)
		return NULL;
	git_repository *repo = quai_git_raw(r->git);
	git_oid head, c;
	git_oid_fromstr(&head, r->plan->head);
	size_t len = strlen(name);
	struct semver best, v;
	bool found = false;
	for (size_t k = 0; k < n; k++) {
		if (strncmp(tags[k], name, len) != 0 || strncmp(tags[k] + len, "/v", 2) != 0 ||
		    run_semver_parse(&v, tags[k] + len + 1) < 0 || git_oid_fromstr(&c, commits[k]) < 0)
			continue;
		if (!git_oid_equal(&head, &c) && git_graph_descendant_of(repo, &head, &c) != 1)
			continue;
		if (!found || run_semver_cmp(&v, &best) > 0)
			best = v;
		found = true;
	}
	quai_git_strv_free(tags);
	quai_git_strv_free(commits);
	if (!found) {
		quai_error_set(err, QUAI_EXIT_FINDINGS,
		               "no version of it was released from this history: run with --all");
		return NULL;
	}
	return run_semver_str(&best);
}

static int pull_message(void *arg, json_t *msg, struct quai_error **err)
{
	(void)arg;
	const char *e = json_string_value(json_object_get(msg, "error"));
	return e ? quai_error_set(err, QUAI_EXIT_FINDINGS, "%s", e) : 0;
}

/* A parent not built here: its latest release from the registry (REPO:X.Y.Z),
 * then tagged as the Dockerfile names it. Runs in quai itself: the progress
 * lines wait for the pull. */
static int pull_release(struct run *r, const struct quai_repo_image *parent, const char *ref,
                        struct quai_error **err)
{
	cleanup_free char *version = released_version(r, parent->name, err);
	if (!version)
		return -1;
	cleanup_free char *remote = xasprintf("%s:%s", parent->repository, version);
	struct quai_registry_ref rr;
	if (quai_registry_ref_parse(&rr, remote, err) < 0)
		return -1;
	struct quai_registry_creds c = {0};
	cleanup_free char *key = quai_registry_key(rr.host);
	cleanup_free char *auth = NULL;
	cleanup_free char *header = NULL;
	int rc = quai_registry_creds_find(&c, rr.host, err);
	if (rc >= 0 && c.username) {
		struct quai_engine_auth a = {c.username, c.password, key};
		auth = quai_engine_auth_header(&a);
		header = xasprintf("X-Registry-Auth: %s", auth);
	}
	const char *headers[] = {header, NULL};
	cleanup_free char *from = xstrndup(remote, strlen(remote) - strlen(version) - 1);
	cleanup_buf struct quai_buf q = QUAI_BUF_INIT;
	quai_engine_query_add(&q, "fromImage", from);
	quai_engine_query_add(&q, "tag", version);
	struct quai_engine_request req = {.method = "POST",
	                                  .path = "/images/create",
	                                  .query = quai_buf_str(&q),
	                                  .headers = header ? headers : NULL,
	                                  .on_message = pull_message};
	if (rc >= 0)
		rc = quai_engine_request(r->engine, &req, NULL, err);
	if (rc >= 0)
		rc = quai_engine_image_tag(r->engine, remote, ref, err);
	if (rc < 0)
		quai_error_wrap(err, "pull '%s'", remote);
	quai_registry_creds_release(&c);
	quai_registry_ref_release(&rr);
	return rc < 0 ? -1 : 0;
}

int run_tag_parents(struct run *r, size_t i, struct quai_error **err)
{
	const struct quai_repo_image *img = r->images[i].img;
	for (size_t k = 0; k < img->nparents; k++) {
		const struct quai_repo_image *parent = &r->repo->images[img->parents[k]];
		const char *ref = img->parent_refs[k];
		if (strchr(ref, '@'))
			continue; /* pinned by digest: not ours to tag */
		const struct run_image *built = in_run(r, parent);
		cleanup_free char *last = NULL;
		const char *id = built ? built->image_id : NULL;
		if (!id) {
			/* not in this run: the image an earlier run built and tested */
			last = run_record_last_image(r, parent->name);
			if (last && exists(r, last))
				id = last;
		}
		if (!id && !exists(r, ref) && pull_release(r, parent, ref, err) < 0)
			return quai_error_wrap(
			    err,
			    "parent '%s' ('%s') is neither built in this run nor here from an "
			    "earlier one",
			    parent->name, ref);
		if (id && quai_engine_image_tag(r->engine, id, ref, err) < 0)
			return quai_error_wrap(err, "parent '%s'", parent->name);
	}
	return 0;
}

/* ---- versions ---- */

static char *trim(char *s)
{
	s += strspn(s, " \t\r\n");
	size_t n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* The version label of the built image; NULL when it has none. */
static char *built_label(struct run *r, const char *id)
{
	json_t *info = NULL;
	char *v = NULL;
	if (quai_engine_image_inspect(r->engine, &info, id, NULL) == 0) {
		json_t *labels = json_object_get(json_object_get(info, "Config"), "Labels");
		const char *s =
		    json_string_value(json_object_get(labels, "org.opencontainers.image.version"));
		v = s ? xstrdup(s) : NULL;
	}
	json_decref(info);
	return v;
}

/* DIR/VERSION, else the version label, else the git tags. */
static int decide_version(struct run *r, struct run_image *ri, char **tags, char **commits, size_t ntags,
                          struct quai_error **err)
{
	const struct quai_repo_image *img = ri->img;
	cleanup_free char *vpath = xasprintf("%s/VERSION", img->dir);
	cleanup_free char *apath = abs_path(r, vpath);
	cleanup_free char *text = NULL;
	size_t len;
	struct semver v;
	if (access(apath, F_OK) == 0) {
		if (quai_file_read(&text, &len, apath, VERSION_FILE_MAX, err) < 0)
			return -1;
		const char *t = trim(text);
		if (run_semver_parse(&v, t) < 0)
			return quai_error_set(err, QUAI_EXIT_FINDINGS,
			                      "%s: '%s' is not a version: write X.Y.Z (like 1.4.2)", vpath,
			                      t);
		ri->version = run_semver_str(&v);
		ri->version_from = xstrdup("VERSION");
		return 0;
	}
	cleanup_free char *df = abs_path(r, img->dockerfile);
	bool unresolved = false;
	cleanup_free char *label = run_version_from_dockerfile(df, img->target, img->build_args, &unresolved);
	if (!label && unresolved)
		label = built_label(r, ri->image_id);
	if (label) {
		if (run_semver_parse(&v, label) < 0)
			return quai_error_set(
			    err, QUAI_EXIT_FINDINGS,
			    "%s: label org.opencontainers.image.version '%s' is not a version: "
			    "write X.Y.Z (like 1.4.2)",
			    img->dockerfile, label);
		ri->version = run_semver_str(&v);
		ri->version_from = xstrdup("label");
		return 0;
	}
	/* a version an earlier run pushed without tagging it (killed between
	 * the two) is taken too */
	char **vtags = NULL, **vcommits = NULL;
	size_t nv = run_record_pushed_versions(r, img->name, &vtags, &vcommits);
	char **all = xcalloc(ntags + nv + 1, sizeof(*all));
	char **allc = xcalloc(ntags + nv + 1, sizeof(*allc));
	memcpy(all, tags, ntags * sizeof(*all));
	memcpy(allc, commits, ntags * sizeof(*allc));
	memcpy(all + ntags, vtags, nv * sizeof(*all));
	memcpy(allc + ntags, vcommits, nv * sizeof(*allc));
	ri->version = run_version_from_tags(img->name, (const char *const *)all, (const char *const *)allc,
	                                    ntags + nv, r->plan->head);
	ri->version_from = xstrdup("git tags");
	free(all);
	free(allc);
	quai_git_strv_free(vtags);
	quai_git_strv_free(vcommits);
	return 0;
}

/* A version tag is never moved: NAME/vX.Y.Z on another commit means this
 * version was released from other sources. */
static int check_released(struct run *r, struct run_image *ri, char **tags, char **commits, size_t ntags,
                          struct quai_error **err)
{
	cleanup_free char *tag = xasprintf("%s/v%s", ri->img->name, ri->version);
	for (size_t k = 0; k < ntags; k++) {
		if (strcmp(tags[k], tag) != 0 || strcmp(commits[k], r->plan->head) == 0)
			continue;
		const char *where = strcmp(ri->version_from, "VERSION") == 0 ? "its VERSION file"
		                    : strcmp(ri->version_from, "label") == 0
		                        ? "its org.opencontainers.image.version label"
		                        : "the version";
		return quai_error_set(
		    err, QUAI_EXIT_FINDINGS,
		    "version %s of '%s' was released from commit %.12s (git tag '%s'): raise %s", ri->version,
		    ri->img->name, commits[k], tag, where);
	}
	return 0;
}

int run_prepare_push(struct run *r, size_t i, struct quai_error **err)
{
	struct run_image *ri = &r->images[i];
	char **tags = NULL, **commits = NULL;
	size_t ntags = 0;
	int rc = run_git_tags(r->git, &tags, &commits, &ntags, err);
	if (rc == 0 && !ri->version)
		rc = decide_version(r, ri, tags, commits, ntags, err);
	if (rc == 0 && r->pushing)
		rc = check_released(r, ri, tags, commits, ntags, err);
	quai_git_strv_free(tags);
	quai_git_strv_free(commits);
	if (rc < 0)
		return -1;
	struct run_ref *refs;
	size_t n;
	run_refs_plan(&refs, &n, ri->img->repository, ri->version, r->pushing, r->branch, r->short_sha,
	              ri->img->tags);
	/* references an earlier run of this commit pushed already */
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < ri->nrefs; j++)
			if (ri->refs[j].digest && strcmp(ri->refs[j].ref, refs[k].ref) == 0)
				refs[k].digest = xstrdup(ri->refs[j].digest);
	run_refs_free(ri->refs, ri->nrefs);
	ri->refs = refs;
	ri->nrefs = n;
	return 0;
}
