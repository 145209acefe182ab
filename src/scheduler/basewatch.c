/* Which bases a project's images are built on (see basewatch.h). */
#include <git2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "dockerfile/dockerfile.h"
#include "scheduler/basewatch.h"
#include "scheduler/checkout.h"
#include "core/banned.h"

#define DOCKERFILE_MAX_BYTES (1u << 20)
#define MAX_IMAGES           1024

struct image {
	char *name;
	char **froms; /* external or in-repo references, as written */
	size_t nfroms;
};

struct scan {
	git_repository *repo;
	const char *root_name;
	struct image *images;
	size_t n, cap;
};

static void add_from(struct image *im, const char *ref)
{
	im->froms = xrealloc(im->froms, (im->nfroms + 1) * sizeof(char *));
	im->froms[im->nfroms++] = xstrdup(ref);
}

/* FROM references of a Dockerfile that may name another image: not stage
 * names, not scratch, no variables, no digests. */
static void read_froms(struct image *im, const char *src, size_t len, const char *path)
{
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, path, src, len);
	for (size_t i = 0; i < df.nstages; i++) {
		const char *ref = df.stages[i].image;
		if (!ref || !*ref || strchr(ref, '$') || strchr(ref, '@') || strcasecmp(ref, "scratch") == 0)
			continue;
		bool stage = false;
		for (size_t j = 0; j < i; j++)
			if (df.stages[j].name && strcasecmp(df.stages[j].name, ref) == 0)
				stage = true;
		if (!stage)
			add_from(im, ref);
	}
	quai_dockerfile_release(&df);
}

static int visit(const char *root, const git_tree_entry *entry, void *payload)
{
	struct scan *s = payload;
	const char *name = git_tree_entry_name(entry);
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	    (strcmp(name, "Dockerfile") != 0 && strcmp(name, "Containerfile") != 0))
		return 0;
	if (s->n >= MAX_IMAGES)
		return -1;
	git_blob *blob = NULL;
	if (git_blob_lookup(&blob, s->repo, git_tree_entry_id(entry)) < 0)
		return 0;
	size_t len = (size_t)git_blob_rawsize(blob);
	if (len <= DOCKERFILE_MAX_BYTES) {
		/* root is "" or "dir/sub/": the image is the last directory */
		size_t rl = strlen(root);
		while (rl > 0 && root[rl - 1] == '/')
			rl--;
		const char *base = root;
		for (size_t i = 0; i < rl; i++)
			if (root[i] == '/')
				base = root + i + 1;
		s->images = xgrow(s->images, &s->cap, s->n + 1, sizeof(*s->images));
		struct image *im = &s->images[s->n++];
		memset(im, 0, sizeof(*im));
		im->name = rl ? xstrndup(base, (size_t)(root + rl - base)) : xstrdup(s->root_name);
		cleanup_free char *path = xasprintf("%s%s", root, name);
		read_froms(im, git_blob_rawcontent(blob), len, path);
	}
	git_blob_free(blob);
	return 0;
}

/* "reg:5000/ns/img:tag" → "img" */
static char *last_component(const char *ref)
{
	const char *slash = strrchr(ref, '/');
	const char *start = slash ? slash + 1 : ref;
	const char *colon = strchr(start, ':');
	return colon ? xstrndup(start, (size_t)(colon - start)) : xstrdup(start);
}

static ssize_t find_image(const struct scan *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->images[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

/* Gives image i depth d (the fewest FROM steps from the base) and every
 * image built FROM it d + 1, transitively; depth[] starts at -1. */
static void mark(const struct scan *s, size_t i, int d, int *depth)
{
	if (depth[i] >= 0 && depth[i] <= d)
		return;
	depth[i] = d;
	for (size_t j = 0; j < s->n; j++) {
		for (size_t k = 0; k < s->images[j].nfroms; k++) {
			cleanup_free char *parent = last_component(s->images[j].froms[k]);
			if (strcmp(parent, s->images[i].name) == 0)
				mark(s, j, d + 1, depth);
		}
	}
}

/* The images built on ref, by depth (build order), each name once. */
static char **users(const struct scan *s, const char *ref)
{
	int *depth = xmalloc((s->n ? s->n : 1) * sizeof(int));
	for (size_t j = 0; j < s->n; j++)
		depth[j] = -1;
	for (size_t j = 0; j < s->n; j++)
		for (size_t f = 0; f < s->images[j].nfroms; f++)
			if (strcmp(s->images[j].froms[f], ref) == 0)
				mark(s, j, 0, depth);
	char **out = xcalloc(s->n + 1, sizeof(char *));
	size_t m = 0;
	for (int d = 0; d <= (int)s->n; d++) {
		for (size_t j = 0; j < s->n; j++) {
			if (depth[j] != d)
				continue;
			bool dup = false;
			for (size_t q = 0; q < m; q++)
				dup = dup || strcmp(out[q], s->images[j].name) == 0;
			if (!dup)
				out[m++] = xstrdup(s->images[j].name);
		}
	}
	free(depth);
	return out;
}

static int cmp_use(const void *a, const void *b)
{
	return strcmp(((const struct quai_base_use *)a)->ref, ((const struct quai_base_use *)b)->ref);
}

static void collect(const struct scan *s, struct quai_base_use **out, size_t *n)
{
	size_t cap = 0;
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; k < s->images[i].nfroms; k++) {
			const char *ref = s->images[i].froms[k];
			cleanup_free char *last = last_component(ref);
			if (find_image(s, last) >= 0)
				continue; /* built here */
			bool seen = false;
			for (size_t u = 0; u < *n; u++)
				seen = seen || strcmp((*out)[u].ref, ref) == 0;
			if (seen)
				continue;
			*out = xgrow(*out, &cap, *n + 1, sizeof(**out));
			struct quai_base_use *u = &(*out)[(*n)++];
			u->ref = xstrdup(ref);
			u->images = users(s, ref);
		}
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_use);
}

int quai_basewatch_scan(struct quai_base_use **out, size_t *n, const char *mirror_dir, const char *branch,
                        const char *root_name, struct quai_error **err)
{
	*out = NULL;
	*n = 0;
	char sha[41];
	cleanup_free char *ref = xasprintf("refs/heads/%s", branch);
	if (quai_checkout_resolve(mirror_dir, ref, sha, err) < 0)
		return -1;
	struct scan s = {.root_name = root_name};
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_oid oid;
	int rc = -1;
	if (git_repository_open_bare(&s.repo, mirror_dir) < 0 || git_oid_fromstr(&oid, sha) < 0 ||
	    git_commit_lookup(&commit, s.repo, &oid) < 0 || git_commit_tree(&tree, commit) < 0) {
		quai_error_set(err, 1, "cannot read the tree of '%s' in '%s'", branch, mirror_dir);
		goto out;
	}
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, visit, &s) < 0 && s.n >= MAX_IMAGES) {
		quai_error_set(err, 1, "more than %d Dockerfiles in '%s'", MAX_IMAGES, branch);
		goto out;
	}
	collect(&s, out, n);
	rc = 0;
out:
	for (size_t i = 0; i < s.n; i++) {
		free(s.images[i].name);
		for (size_t k = 0; k < s.images[i].nfroms; k++)
			free(s.images[i].froms[k]);
		free(s.images[i].froms);
	}
	free(s.images);
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(s.repo);
	return rc;
}

void quai_base_uses_free(struct quai_base_use *uses, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(uses[i].ref);
		for (size_t k = 0; uses[i].images && uses[i].images[k]; k++)
			free(uses[i].images[k]);
		free(uses[i].images);
	}
	free(uses);
}
