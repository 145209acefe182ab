/* Discovery: every directory with a Dockerfile or Containerfile is an image;
 * quai.yml adjusts them; FROM and COPY --from= naming one of them make the
 * dependencies, which must not form a cycle. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "git/git.h"
#include "plan/internal.h"
#include "plan/plan.h"
#include "core/banned.h"

#define MAX_DEPTH 64

struct found {
	char *dir;
	char *dockerfile; /* repository-relative */
	char *tests;      /* the default test spec in dir, or NULL */
};

struct walk {
	const char *root;
	struct quai_git *git;
	const struct plan_config *cfg;
	struct found *v;
	size_t n, cap;
};

static bool ignored_dir(const struct plan_config *cfg, const char *dir)
{
	for (char **p = cfg->ignore; p && *p; p++)
		if (plan_path_under(dir, *p) || fnmatch(*p, dir, 0) == 0)
			return true;
	return false;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_file_at(int dfd, const char *name, unsigned char type)
{
	if (type == DT_REG)
		return true;
	if (type != DT_UNKNOWN && type != DT_LNK)
		return false;
	struct stat st;
	return fstatat(dfd, name, &st, 0) == 0 && S_ISREG(st.st_mode);
}

static char *join(const char *dir, const char *name)
{
	return strcmp(dir, ".") == 0 ? xstrdup(name) : xasprintf("%s/%s", dir, name);
}

/* What a directory holds that discovery cares about. */
struct listing {
	bool dockerfile, containerfile;
	const char *tests; /* a static name */
	char **subs;       /* sub-directory names */
	size_t nsubs, cap;
};

static void list_dir(struct listing *l, DIR *d)
{
	int tests_rank = 3;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		unsigned char type = e->d_type;
		if (name[0] == '.' || strcmp(name, "node_modules") == 0)
			continue;
		if (strcmp(name, "Dockerfile") == 0 || strcmp(name, "Containerfile") == 0) {
			if (is_file_at(dirfd(d), name, type))
				*(name[0] == 'D' ? &l->dockerfile : &l->containerfile) = true;
			continue;
		}
		if (strcmp(name, "tests.yml") == 0 || strcmp(name, "container-structure-test.yaml") == 0) {
			int rank = name[0] == 't' ? 1 : 2;
			if (rank < tests_rank && is_file_at(dirfd(d), name, type)) {
				tests_rank = rank;
				l->tests = rank == 1 ? "tests.yml" : "container-structure-test.yaml";
			}
			continue;
		}
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
				continue;
		} else if (type != DT_DIR) {
			continue;
		}
		l->subs = xgrow(l->subs, &l->cap, l->nsubs + 1, sizeof(*l->subs));
		l->subs[l->nsubs++] = xstrdup(name);
	}
}

/* Walks dir (repository-relative, "." for the root), opened as fd (closed here). */
static int walk_dir(struct walk *w, int fd, const char *dir, int depth, struct quai_error **err)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return quai_error_errno(err, errno, "cannot read directory '%s/%s'", w->root, dir);
	}
	struct listing l = {0};
	list_dir(&l, d);
	if (l.dockerfile || l.containerfile) {
		const struct plan_image_cfg *ic = plan_config_find(w->cfg, dir);
		if (!(ic && ic->ignore)) {
			w->v = xgrow(w->v, &w->cap, w->n + 1, sizeof(*w->v));
			w->v[w->n].dir = xstrdup(dir);
			w->v[w->n].dockerfile = join(dir, l.dockerfile ? "Dockerfile" : "Containerfile");
			w->v[w->n].tests = l.tests ? join(dir, l.tests) : NULL;
			w->n++;
		}
	}
	int rc = 0;
	for (size_t i = 0; i < l.nsubs; i++) {
		cleanup_free char *sub = join(dir, l.subs[i]);
		/* git-ignored directories (build output and the like) are not
		 * walked: only quai.yml can name an image there */
		if (rc == 0 && depth < MAX_DEPTH && !ignored_dir(w->cfg, sub) &&
		    !(w->git && quai_git_is_ignored(w->git, sub))) {
			int sfd =
			    openat(dirfd(d), l.subs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (sfd >= 0)
				rc = walk_dir(w, sfd, sub, depth + 1, err);
			else if (errno != EACCES && errno != ENOENT && errno != ELOOP && errno != ENOTDIR)
				rc = quai_error_errno(err, errno, "cannot read directory '%s/%s'", w->root,
				                      sub);
		}
		free(l.subs[i]);
	}
	free(l.subs);
	closedir(d);
	return rc;
}

/* ---- the repository ---- */

static int cmp_image(const void *a, const void *b)
{
	const struct quai_repo_image *x = a, *y = b;
	int d = strcmp(x->name, y->name);
	return d ? d : strcmp(x->dir, y->dir);
}

static char **strv_dup(char *const *v)
{
	size_t n = plan_strv_len(v);
	char **out = xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static char *join_repository(const struct plan_config *cfg, const char *name)
{
	struct quai_buf b = QUAI_BUF_INIT;
	if (cfg->registry)
		quai_buf_printf(&b, "%s/", cfg->registry);
	if (cfg->namespace)
		quai_buf_printf(&b, "%s/", cfg->namespace);
	quai_buf_puts(&b, name);
	return quai_buf_detach(&b);
}

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static const char *base_name(const char *root, const char *dir)
{
	const char *p = strcmp(dir, ".") == 0 ? root : dir;
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void fill_image(struct quai_repo_image *im, const struct quai_repo *repo,
                       const struct plan_config *cfg, const struct found *f)
{
	const struct plan_image_cfg *ic = plan_config_find(cfg, f->dir);
	im->dir = xstrdup(f->dir);
	im->name = xstrdup(ic && ic->name ? ic->name : base_name(repo->root, f->dir));
	im->context = xstrdup(ic && ic->context ? ic->context : f->dir);
	im->dockerfile = xstrdup(ic && ic->dockerfile ? ic->dockerfile : f->dockerfile);
	im->target = ic && ic->target ? xstrdup(ic->target) : NULL;
	im->build_args = strv_dup(ic ? ic->build_args : NULL);
	im->tests = xstrdup_or_null(ic && ic->tests ? ic->tests : f->tests);
	im->tags = strv_dup(ic ? ic->tags : NULL);
	im->inputs = strv_dup(ic ? ic->inputs : NULL);
	im->repository = join_repository(cfg, im->name);
}

/* Entries of quai.yml naming a directory without a Dockerfile of its own
 * but with `dockerfile` set are images too. */
static int config_only_images(struct walk *w, struct quai_error **err)
{
	for (size_t i = 0; i < w->cfg->nimages; i++) {
		const struct plan_image_cfg *ic = &w->cfg->images[i];
		bool seen = false;
		for (size_t j = 0; j < w->n && !seen; j++)
			seen = strcmp(w->v[j].dir, ic->dir) == 0;
		if (seen || ic->ignore)
			continue;
		cleanup_free char *df = NULL;
		if (ic->dockerfile) {
			cleanup_free char *abs = xasprintf("%s/%s", w->root, ic->dockerfile);
			if (!is_file(abs))
				return quai_yaml_fail(err, w->cfg->doc,
				                      quai_yaml_get(ic->value, "dockerfile"),
				                      "'%s' does not exist", ic->dockerfile);
			df = xstrdup(ic->dockerfile);
		} else {
			/* a directory the walk skipped (git-ignored, hidden): its own */
			static const char *const names[] = {"Dockerfile", "Containerfile"};
			for (size_t k = 0; k < 2 && !df; k++) {
				char *rel = join(ic->dir, names[k]);
				cleanup_free char *abs = xasprintf("%s/%s", w->root, rel);
				if (is_file(abs))
					df = rel;
				else
					free(rel);
			}
		}
		if (!df)
			return quai_yaml_fail(
			    err, w->cfg->doc, ic->key,
			    "'%s' has no Dockerfile or Containerfile: set 'dockerfile' or remove the "
			    "entry",
			    ic->dir);
		w->v = xgrow(w->v, &w->cap, w->n + 1, sizeof(*w->v));
		w->v[w->n].dir = xstrdup(ic->dir);
		w->v[w->n].dockerfile = steal_pointer(&df);
		w->v[w->n].tests = NULL;
		w->n++;
	}
	return 0;
}

/* The index of the image a reference names, or -1. */
static long match_ref(const struct quai_repo *repo, const char *prefix, const char *ref)
{
	if (strchr(ref, '@'))
		return -1; /* pinned by digest: not what this repository builds now */
	const char *slash = strrchr(ref, '/');
	const char *colon = strrchr(slash ? slash : ref, ':');
	size_t len = colon ? (size_t)(colon - ref) : strlen(ref);
	cleanup_free char *repo_part = xstrndup(ref, len);
	const char *cands[2] = {repo_part, NULL};
	size_t plen = strlen(prefix);
	if (plen && strncmp(repo_part, prefix, plen) == 0)
		cands[1] = repo_part + plen;
	for (size_t c = 0; c < 2; c++) {
		if (!cands[c])
			continue;
		size_t lo = 0, hi = repo->nimages;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int d = strcmp(repo->images[mid].name, cands[c]);
			if (d == 0)
				return (long)mid;
			if (d < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return -1;
}

static int resolve_parents(struct quai_repo *repo, const struct plan_config *cfg, struct quai_error **err)
{
	cleanup_free char *prefix = join_repository(cfg, "");
	for (size_t i = 0; i < repo->nimages; i++) {
		struct quai_repo_image *im = &repo->images[i];
		char **refs = NULL;
		size_t nrefs = 0;
		cleanup_free char *abs = xasprintf("%s/%s", repo->root, im->dockerfile);
		if (plan_dockerfile_refs(&refs, &nrefs, abs, im->dockerfile, im->build_args, err) < 0)
			return quai_error_wrap(err, "image '%s'", im->name);
		for (size_t k = 0; k < nrefs; k++) {
			long p = match_ref(repo, prefix, refs[k]);
			if (p < 0) {
				free(refs[k]);
				continue;
			}
			size_t cap = im->nparents;
			im->parents = xgrow(im->parents, &cap, im->nparents + 1, sizeof(*im->parents));
			cap = im->nparents;
			im->parent_refs =
			    xgrow(im->parent_refs, &cap, im->nparents + 1, sizeof(*im->parent_refs));
			im->parents[im->nparents] = (size_t)p;
			im->parent_refs[im->nparents] = refs[k];
			im->nparents++;
		}
		free(refs);
	}
	return 0;
}

/* Depth-first search for a cycle; colour 0 new, 1 on the path, 2 done. */
static int find_cycle(const struct quai_repo *repo, size_t i, unsigned char *colour, size_t *path,
                      size_t depth, struct quai_error **err)
{
	colour[i] = 1;
	path[depth] = i;
	const struct quai_repo_image *im = &repo->images[i];
	for (size_t k = 0; k < im->nparents; k++) {
		size_t p = im->parents[k];
		if (colour[p] == 1) {
			struct quai_buf b = QUAI_BUF_INIT;
			size_t start = depth;
			while (path[start] != p)
				start--;
			/* "a -> b": a is built FROM (or copies from) b */
			for (size_t d = start; d <= depth; d++)
				quai_buf_printf(&b, "%s -> ", repo->images[path[d]].name);
			quai_buf_puts(&b, repo->images[p].name);
			cleanup_free char *s = quai_buf_detach(&b);
			return quai_error_set(
			    err, QUAI_EXIT_USAGE,
			    "images depend on each other in a cycle: %s (each is built from the next); "
			    "break it in one of their Dockerfiles",
			    s);
		}
		if (colour[p] == 0 && find_cycle(repo, p, colour, path, depth + 1, err) < 0)
			return -1;
	}
	colour[i] = 2;
	return 0;
}

static int check_cycles(const struct quai_repo *repo, struct quai_error **err)
{
	cleanup_free unsigned char *colour = xcalloc(repo->nimages + 1, 1);
	cleanup_free size_t *path = xcalloc(repo->nimages + 1, sizeof(*path));
	for (size_t i = 0; i < repo->nimages; i++)
		if (colour[i] == 0 && find_cycle(repo, i, colour, path, 0, err) < 0)
			return -1;
	return 0;
}

static int load_config(struct plan_config *cfg, const char *root, struct quai_error **err)
{
	memset(cfg, 0, sizeof(*cfg));
	cleanup_free char *path = xasprintf("%s/quai.yml", root);
	if (access(path, F_OK) < 0)
		return 0;
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (quai_file_read(&data, &len, path, PLAN_CONFIG_MAX, err) < 0)
		return -1;
	return plan_config_parse(cfg, "quai.yml", data, len, err);
}

static int sort_parents(struct quai_repo *repo)
{
	for (size_t i = 0; i < repo->nimages; i++) {
		struct quai_repo_image *im = &repo->images[i];
		/* insertion sort by (index, ref): a handful of parents */
		for (size_t a = 1; a < im->nparents; a++)
			for (size_t b = a; b > 0; b--) {
				size_t x = im->parents[b - 1], y = im->parents[b];
				if (x < y ||
				    (x == y && strcmp(im->parent_refs[b - 1], im->parent_refs[b]) <= 0))
					break;
				im->parents[b - 1] = y;
				im->parents[b] = x;
				char *t = im->parent_refs[b - 1];
				im->parent_refs[b - 1] = im->parent_refs[b];
				im->parent_refs[b] = t;
			}
	}
	return 0;
}

int quai_repo_load(struct quai_repo **out, const char *path, struct quai_error **err)
{
	*out = NULL;
	struct quai_git *git = NULL;
	if (quai_git_open(&git, path, err) < 0)
		return -1;
	const char *wd = quai_git_workdir(git);
	if (!wd) {
		quai_git_free(git);
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "'%s' is a bare git repository: quai needs a working tree", path);
	}
	struct quai_repo *repo = xcalloc(1, sizeof(*repo));
	repo->root = xstrdup(wd);
	size_t rl = strlen(repo->root);
	while (rl > 1 && repo->root[rl - 1] == '/')
		repo->root[--rl] = '\0';
	struct plan_config cfg;
	struct walk w = {.root = repo->root, .git = git, .cfg = &cfg};
	int rc = -1;
	if (load_config(&cfg, repo->root, err) < 0)
		goto out;
	if (quai_git_default_branch(git, &repo->default_branch, err) < 0)
		goto out;
	repo->registry = cfg.registry ? xstrdup(cfg.registry) : NULL;
	repo->namespace = cfg.namespace ? xstrdup(cfg.namespace) : NULL;
	repo->push_branches = cfg.push_branches ? strv_dup(cfg.push_branches) : NULL;
	int rootfd = open(repo->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		quai_error_errno(err, errno, "cannot read directory '%s'", repo->root);
		goto out;
	}
	if (walk_dir(&w, rootfd, ".", 0, err) < 0 || config_only_images(&w, err) < 0)
		goto out;
	repo->images = xcalloc(w.n ? w.n : 1, sizeof(*repo->images));
	for (size_t i = 0; i < w.n; i++)
		fill_image(&repo->images[repo->nimages++], repo, &cfg, &w.v[i]);
	qsort(repo->images, repo->nimages, sizeof(*repo->images), cmp_image);
	for (size_t i = 1; i < repo->nimages; i++)
		if (strcmp(repo->images[i - 1].name, repo->images[i].name) == 0) {
			quai_error_set(
			    err, QUAI_EXIT_USAGE,
			    "directories '%s' and '%s' are both image '%s': give one another 'name' in "
			    "quai.yml's 'images'",
			    repo->images[i - 1].dir, repo->images[i].dir, repo->images[i].name);
			goto out;
		}
	if (resolve_parents(repo, &cfg, err) < 0 || sort_parents(repo) < 0 || check_cycles(repo, err) < 0)
		goto out;
	*out = steal_pointer(&repo);
	rc = 0;
out:
	for (size_t i = 0; i < w.n; i++) {
		free(w.v[i].dir);
		free(w.v[i].dockerfile);
		free(w.v[i].tests);
	}
	free(w.v);
	plan_config_release(&cfg);
	quai_repo_free(repo);
	quai_git_free(git);
	return rc;
}

void quai_repo_free(struct quai_repo *repo)
{
	if (!repo)
		return;
	for (size_t i = 0; i < repo->nimages; i++) {
		struct quai_repo_image *im = &repo->images[i];
		free(im->name);
		free(im->dir);
		free(im->context);
		free(im->dockerfile);
		free(im->target);
		plan_strv_free(im->build_args);
		free(im->tests);
		plan_strv_free(im->tags);
		plan_strv_free(im->inputs);
		free(im->repository);
		free(im->parents);
		for (size_t k = 0; k < im->nparents; k++)
			free(im->parent_refs[k]);
		free(im->parent_refs);
	}
	free(repo->images);
	free(repo->root);
	free(repo->registry);
	free(repo->namespace);
	plan_strv_free(repo->push_branches);
	free(repo->default_branch);
	free(repo);
}

const struct quai_repo_image *quai_repo_find(const struct quai_repo *repo, const char *name)
{
	for (size_t i = 0; i < repo->nimages; i++)
		if (strcmp(repo->images[i].name, name) == 0)
			return &repo->images[i];
	return NULL;
}
