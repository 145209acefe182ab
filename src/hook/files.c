/* Linting one file out of git's object database: Dockerfiles from memory;
 * compose files from a private temporary directory that holds the file and
 * what it refers to, since the compose loader reads files. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/lint.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "dockerfile/dockerfile.h"
#include "hook/internal.h"
#include "yaml/yaml.h"
#include "core/banned.h"

#define BLOB_MAX_BYTES    (64u << 20)
#define MAX_REFERENCED    256 /* files written besides a compose file */
#define MAX_INCLUDE_DEPTH 4

int quai_hook_git_error(struct quai_error **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *what = xvasprintf(fmt, ap);
	va_end(ap);
	const git_error *e = git_error_last();
	return quai_error_set(err, QUAI_EXIT_USAGE, "%s: %s", what,
	                      e && e->message ? e->message : "unknown error");
}

bool quai_hook_wanted(const char *path)
{
	enum quai_lint_kind k = quai_lint_kind_by_name(path);
	return k == QUAI_LINT_KIND_DOCKERFILE || k == QUAI_LINT_KIND_COMPOSE;
}

static int read_blob(git_blob **out, git_repository *repo, const git_oid *oid, const char *path,
                     struct quai_error **err)
{
	if (git_blob_lookup(out, repo, oid) < 0)
		return quai_hook_git_error(err, "cannot read '%s' from the object database", path);
	if (git_blob_rawsize(*out) > BLOB_MAX_BYTES) {
		git_blob_free(*out);
		*out = NULL;
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' is larger than %u MiB", path,
		                      BLOB_MAX_BYTES >> 20);
	}
	return 0;
}

static void lint_dockerfile(struct quai_findings *out, const char *path, const char *text, size_t len,
                            const struct quai_lint_config *cfg)
{
	enum quai_lint_level level = quai_lint_config_level(cfg, "DL1000", QUAI_LEVEL_ERROR);
	if (len == 0 || memchr(text, '\0', len)) {
		if (level != QUAI_LEVEL_IGNORE)
			quai_findings_add(
			    out, path, 1, 1, level, "DL1000",
			    len == 0 ? "file is empty: docker refuses a Dockerfile without instructions"
			             : "file is not text (it contains NUL bytes): is this a Dockerfile?");
		return;
	}
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, path, text, len);
	if (df.ninstrs == 0 && df.ndiags == 0 && level != QUAI_LEVEL_IGNORE)
		quai_findings_add(out, path, 1, 1, level, "DL1000",
		                  "no instructions: docker refuses a Dockerfile without a FROM");
	quai_lint_dockerfile(out, &df, cfg);
	quai_dockerfile_release(&df);
}

/* ---- The temporary directory ---- */

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Collapses "." and ".." of a relative path in place; false when it is
 * absolute, empty or leaves the repository. */
static bool normalize(char *p)
{
	if (p[0] == '/' || p[0] == '\0')
		return false;
	char *out = p;
	for (char *s = p; *s;) {
		char *e = s + strcspn(s, "/");
		size_t n = (size_t)(e - s);
		bool last = *e == '\0';
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (out == p)
				return false;
			out--;
			while (out > p && out[-1] != '/')
				out--;
		} else if (n > 0 && !(n == 1 && s[0] == '.')) {
			memmove(out, s, n);
			out += n;
			*out++ = '/'; /* at most where the separator or the NUL was */
		}
		if (last)
			break;
		s = e + 1;
	}
	if (out > p)
		out--;
	*out = '\0';
	return true;
}

static int mkdirs(const char *dir, const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, rel);
	for (char *s = p + strlen(dir) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *dir, const char *rel, const void *data, size_t len, struct quai_error **err)
{
	cleanup_free char *parent = xstrdup(rel);
	char *slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		if (mkdirs(dir, parent) < 0)
			return quai_error_errno(err, errno, "cannot create a directory for '%s'", rel);
	}
	cleanup_free char *p = xasprintf("%s/%s", dir, rel);
	cleanup_close int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errno == EEXIST ? 0 : quai_error_errno(err, errno, "cannot write '%s'", p);
	for (const char *b = data; len > 0;) {
		ssize_t n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return quai_error_errno(err, errno, "cannot write '%s'", p);
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- Looking paths up in the tree or the index ---- */

enum entry_kind { ENTRY_NONE, ENTRY_BLOB, ENTRY_DIR };

static enum entry_kind lookup(const struct hook_source *src, const char *path, git_oid *oid)
{
	if (src->tree) {
		git_tree_entry *e = NULL;
		if (git_tree_entry_bypath(&e, src->tree, path) < 0)
			return ENTRY_NONE;
		enum entry_kind k = git_tree_entry_type(e) == GIT_OBJECT_TREE   ? ENTRY_DIR
		                    : git_tree_entry_type(e) == GIT_OBJECT_BLOB ? ENTRY_BLOB
		                                                                : ENTRY_NONE;
		git_oid_cpy(oid, git_tree_entry_id(e));
		git_tree_entry_free(e);
		return k;
	}
	const git_index_entry *ie = git_index_get_bypath(src->index, path, 0);
	if (ie) {
		git_oid_cpy(oid, &ie->id);
		return ENTRY_BLOB;
	}
	cleanup_free char *prefix = xasprintf("%s/", path);
	size_t pos;
	return git_index_find_prefix(&pos, src->index, prefix) == 0 ? ENTRY_DIR : ENTRY_NONE;
}

/* ---- Writing a compose file and what it refers to ---- */

struct materialize {
	const struct hook_source *src;
	const char *dir;
	size_t written;
};

static int materialize_compose(struct materialize *m, const char *rel, const git_oid *oid, int depth,
                               struct quai_error **err);

/* Writes base_dir/ref (a file or a directory of the source) if it exists. */
static int materialize_ref(struct materialize *m, const char *base_dir, const char *ref, bool compose,
                           int depth, struct quai_error **err)
{
	if (!ref || !*ref || strchr(ref, '$') || ref[0] == '/' || strstr(ref, "://") ||
	    m->written >= MAX_REFERENCED)
		return 0;
	cleanup_free char *p = *base_dir ? xasprintf("%s/%s", base_dir, ref) : xstrdup(ref);
	if (!normalize(p))
		return 0;
	git_oid oid;
	switch (lookup(m->src, p, &oid)) {
	case ENTRY_DIR:
		m->written++;
		return mkdirs(m->dir, p) < 0 ? quai_error_errno(err, errno, "cannot create '%s'", p) : 0;
	case ENTRY_BLOB:
		m->written++;
		if (compose && depth < MAX_INCLUDE_DEPTH)
			return materialize_compose(m, p, &oid, depth + 1, err);
		git_blob *blob = NULL;
		if (read_blob(&blob, m->src->repo, &oid, p, err) < 0)
			return -1;
		int rc =
		    write_file(m->dir, p, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), err);
		git_blob_free(blob);
		return rc;
	case ENTRY_NONE:
		break;
	}
	return 0;
}

/* A string, or each string of a list, or each `path` of a list of maps. */
static int materialize_refs(struct materialize *m, const char *base_dir, const struct quai_yaml_node *n,
                            bool compose, int depth, struct quai_error **err)
{
	if (!n)
		return 0;
	if (n->type == QUAI_YAML_SCALAR)
		return materialize_ref(m, base_dir, quai_yaml_str(n), compose, depth, err);
	if (n->type == QUAI_YAML_MAP)
		return materialize_refs(m, base_dir, quai_yaml_get(n, "path"), compose, depth, err);
	for (size_t i = 0; i < n->n; i++)
		if (materialize_refs(m, base_dir, n->items[i], compose, depth, err) < 0)
			return -1;
	return 0;
}

static int materialize_service(struct materialize *m, const char *base, const struct quai_yaml_node *svc,
                               int depth, struct quai_error **err)
{
	const struct quai_yaml_node *build = quai_yaml_get(svc, "build");
	if (build && build->type == QUAI_YAML_SCALAR &&
	    materialize_ref(m, base, quai_yaml_str(build), false, depth, err) < 0)
		return -1;
	if (build && build->type == QUAI_YAML_MAP) {
		const char *ctx = quai_yaml_str(quai_yaml_get(build, "context"));
		if (!ctx)
			ctx = ".";
		if (materialize_ref(m, base, ctx, false, depth, err) < 0)
			return -1;
		const char *df = quai_yaml_str(quai_yaml_get(build, "dockerfile"));
		if (df && !strchr(ctx, '$') && !strstr(ctx, "://")) {
			cleanup_free char *cbase = *base ? xasprintf("%s/%s", base, ctx) : xstrdup(ctx);
			if (materialize_ref(m, cbase, df, false, depth, err) < 0)
				return -1;
		}
	}
	if (materialize_refs(m, base, quai_yaml_get(svc, "env_file"), false, depth, err) < 0)
		return -1;
	return materialize_refs(m, base, quai_yaml_get(quai_yaml_get(svc, "extends"), "file"), true, depth,
	                        err);
}

static int materialize_tops(struct materialize *m, const char *base, const struct quai_yaml_node *top,
                            int depth, struct quai_error **err)
{
	static const char *const filed[] = {"secrets", "configs"};
	for (size_t k = 0; k < 2; k++) {
		const struct quai_yaml_node *map = quai_yaml_get(top, filed[k]);
		for (size_t i = 0; map && map->type == QUAI_YAML_MAP && i < map->n; i++)
			if (materialize_ref(m, base,
			                    quai_yaml_str(quai_yaml_get(map->pairs[i].value, "file")), false,
			                    depth, err) < 0)
				return -1;
	}
	const struct quai_yaml_node *inc = quai_yaml_get(top, "include");
	for (size_t i = 0; inc && inc->type == QUAI_YAML_SEQ && i < inc->n; i++) {
		const struct quai_yaml_node *item = inc->items[i];
		if (materialize_refs(m, base, item, true, depth, err) < 0)
			return -1;
		if (item->type == QUAI_YAML_MAP &&
		    materialize_refs(m, base, quai_yaml_get(item, "env_file"), false, depth, err) < 0)
			return -1;
	}
	return 0;
}

static int materialize_compose(struct materialize *m, const char *rel, const git_oid *oid, int depth,
                               struct quai_error **err)
{
	git_blob *blob = NULL;
	if (read_blob(&blob, m->src->repo, oid, rel, err) < 0)
		return -1;
	const char *text = git_blob_rawcontent(blob);
	size_t len = (size_t)git_blob_rawsize(blob);
	int rc = write_file(m->dir, rel, text, len, err);
	cleanup_yaml_doc struct quai_yaml_doc *doc = NULL;
	if (rc == 0 && quai_yaml_load(&doc, rel, text, len, NULL) == 0 && doc->root &&
	    doc->root->type == QUAI_YAML_MAP) {
		cleanup_free char *base = xstrdup(rel);
		char *slash = strrchr(base, '/');
		*(slash ? slash : base) = '\0';
		rc = materialize_ref(m, base, ".env", false, depth, err);
		const struct quai_yaml_node *services = quai_yaml_get(doc->root, "services");
		for (size_t i = 0; rc == 0 && services && services->type == QUAI_YAML_MAP && i < services->n;
		     i++)
			rc = materialize_service(m, base, services->pairs[i].value, depth, err);
		if (rc == 0)
			rc = materialize_tops(m, base, doc->root, depth, err);
	}
	git_blob_free(blob);
	return rc;
}

static int lint_compose(struct quai_findings *out, const struct hook_source *src, const char *path,
                        const git_oid *oid, const struct quai_lint_config *cfg, struct quai_error **err)
{
	const char *tmp = getenv("TMPDIR");
	cleanup_free char *templ = xasprintf("%s/quai-hook-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(templ))
		return quai_error_errno(err, errno, "cannot create a temporary directory in '%s'", templ);
	char real[PATH_MAX];
	const char *dir = realpath(templ, real) ? real : templ;
	struct materialize m = {.src = src, .dir = dir};
	int rc = materialize_compose(&m, path, oid, 0, err);
	/* the base and override files docker compose reads with it */
	static const char *const family[] = {"compose.yaml",
	                                     "compose.yml",
	                                     "compose.override.yaml",
	                                     "compose.override.yml",
	                                     "docker-compose.yaml",
	                                     "docker-compose.yml",
	                                     "docker-compose.override.yaml",
	                                     "docker-compose.override.yml"};
	cleanup_free char *pdir = xstrdup(path);
	char *slash = strrchr(pdir, '/');
	*(slash ? slash : pdir) = '\0';
	for (size_t i = 0; rc == 0 && i < sizeof(family) / sizeof(family[0]); i++)
		rc = materialize_ref(&m, pdir, family[i], true, 0, err);
	cleanup_close int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rc == 0 && (here < 0 || chdir(dir) < 0))
		rc = quai_error_errno(err, errno, "cannot enter '%s'", dir);
	if (rc == 0) {
		static const char *const no_environ[] = {NULL};
		/* a relative path: findings name the repository's paths */
		rc = quai_compose_lint_file(out, path, no_environ, cfg, err);
		if (fchdir(here) < 0 && rc == 0)
			rc = quai_error_errno(err, errno, "cannot go back to the repository");
	}
	remove_tree(dir);
	return rc;
}

int quai_hook_lint_blob(struct quai_findings *out, const struct hook_source *src, const char *path,
                        const git_oid *oid, const struct quai_lint_config *cfg, struct quai_error **err)
{
	enum quai_lint_kind kind = quai_lint_kind_by_name(path);
	if (kind == QUAI_LINT_KIND_COMPOSE)
		return lint_compose(out, src, path, oid, cfg, err);
	if (kind != QUAI_LINT_KIND_DOCKERFILE)
		return 0;
	git_blob *blob = NULL;
	if (read_blob(&blob, src->repo, oid, path, err) < 0)
		return -1;
	lint_dockerfile(out, path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), cfg);
	git_blob_free(blob);
	return 0;
}
