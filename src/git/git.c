/* Git access through libgit2: opening, resolving, branches, merge bases,
 * the paths two commits (and the working tree) differ in, and blobs at a
 * revision. */
#include "git/git.h"

#include <git2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct quai_git {
	git_repository *repo;
	char *workdir;
};

static int git_fail(struct quai_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int git_fail(struct quai_error **err, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *head = xvasprintf(fmt, ap);
	va_end(ap);
	return quai_error_set(err, QUAI_EXIT_USAGE, "%s: %s", head,
	                      e && e->message ? e->message : "unknown git error");
}

int quai_git_open(struct quai_git **out, const char *path, struct quai_error **err)
{
	*out = NULL;
	/* once for the process: with mbedtls, libgit2 parses the system's CA
	 * certificates on every first init, a few milliseconds each time */
	static bool initialised;
	if (!initialised) {
		git_libgit2_init();
		/* quai reads objects git wrote; checking each one's hash again
		 * costs a SHA-1 per tree and blob read */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
		initialised = true;
	}
	git_repository *repo = NULL;
	if (git_repository_open_ext(&repo, path, 0, NULL) < 0)
		return git_fail(err, "'%s' is not inside a git repository", path);
	struct quai_git *g = xcalloc(1, sizeof(*g));
	g->repo = repo;
	const char *wd = git_repository_workdir(repo);
	g->workdir = wd ? xstrdup(wd) : NULL;
	*out = g;
	return 0;
}

void quai_git_free(struct quai_git *g)
{
	if (!g)
		return;
	git_repository_free(g->repo);
	free(g->workdir);
	free(g);
}

struct git_repository *quai_git_raw(struct quai_git *g)
{
	return g->repo;
}

const char *quai_git_workdir(const struct quai_git *g)
{
	return g->workdir;
}

static int peel_commit(git_commit **out, struct quai_git *g, const char *rev, struct quai_error **err)
{
	git_object *obj = NULL;
	if (git_revparse_single(&obj, g->repo, rev) < 0)
		return git_fail(err, "unknown revision '%s'", rev);
	git_object *peeled = NULL;
	int rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc < 0)
		return git_fail(err, "'%s' is not a commit", rev);
	*out = (git_commit *)peeled;
	return 0;
}

int quai_git_resolve(struct quai_git *g, char out[41], const char *rev, struct quai_error **err)
{
	git_commit *c = NULL;
	if (peel_commit(&c, g, rev, err) < 0)
		return -1;
	git_oid_tostr(out, 41, git_commit_id(c));
	git_commit_free(c);
	return 0;
}

int quai_git_branch(struct quai_git *g, char **out, struct quai_error **err)
{
	*out = NULL;
	git_reference *head = NULL;
	int rc = git_repository_head(&head, g->repo);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		/* no commit yet: HEAD still names the branch */
		git_reference *sym = NULL;
		if (git_reference_lookup(&sym, g->repo, "HEAD") == 0) {
			const char *t = git_reference_symbolic_target(sym);
			if (t && strncmp(t, "refs/heads/", 11) == 0)
				*out = xstrdup(t + 11);
			git_reference_free(sym);
		}
		return 0;
	}
	if (rc < 0)
		return git_fail(err, "cannot read HEAD");
	if (git_reference_is_branch(head))
		*out = xstrdup(git_reference_shorthand(head));
	git_reference_free(head);
	return 0;
}

static bool branch_exists(struct quai_git *g, const char *name)
{
	git_reference *ref = NULL;
	if (git_branch_lookup(&ref, g->repo, name, GIT_BRANCH_LOCAL) == 0) {
		git_reference_free(ref);
		return true;
	}
	return false;
}

int quai_git_default_branch(struct quai_git *g, char **out, struct quai_error **err)
{
	*out = NULL;
	git_reference *ref = NULL;
	if (git_reference_lookup(&ref, g->repo, "refs/remotes/origin/HEAD") == 0) {
		const char *t = git_reference_symbolic_target(ref);
		const char *prefix = "refs/remotes/origin/";
		if (t && strncmp(t, prefix, strlen(prefix)) == 0 && t[strlen(prefix)])
			*out = xstrdup(t + strlen(prefix));
		git_reference_free(ref);
		if (*out)
			return 0;
	}
	if (branch_exists(g, "main"))
		*out = xstrdup("main");
	else if (branch_exists(g, "master"))
		*out = xstrdup("master");
	return 0;
}

int quai_git_merge_base(struct quai_git *g, char out[41], const char *a, const char *b,
                        struct quai_error **err)
{
	char ha[41], hb[41];
	if (quai_git_resolve(g, ha, a, err) < 0 || quai_git_resolve(g, hb, b, err) < 0)
		return -1;
	git_oid oa, ob, base;
	git_oid_fromstr(&oa, ha);
	git_oid_fromstr(&ob, hb);
	int rc = git_merge_base(&base, g->repo, &oa, &ob);
	if (rc == GIT_ENOTFOUND)
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' and '%s' share no history", a, b);
	if (rc < 0)
		return git_fail(err, "cannot find the merge base of '%s'", a);
	git_oid_tostr(out, 41, &base);
	return 0;
}

static int tree_of(git_tree **out, struct quai_git *g, const char *rev, struct quai_error **err)
{
	*out = NULL;
	if (!rev)
		return 0;
	git_commit *c = NULL;
	if (peel_commit(&c, g, rev, err) < 0)
		return -1;
	int rc = git_commit_tree(out, c);
	git_commit_free(c);
	if (rc < 0)
		return git_fail(err, "cannot read the tree of '%s'", rev);
	return 0;
}

struct pathset {
	char **v;
	size_t n, cap;
};

static void pathset_add(struct pathset *s, const char *p)
{
	if (!p)
		return;
	s->v = xgrow(s->v, &s->cap, s->n + 2, sizeof(*s->v));
	s->v[s->n++] = xstrdup(p);
}

static void collect(struct pathset *s, git_diff *diff)
{
	size_t n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		pathset_add(s, d->old_file.path);
		if (!d->old_file.path || strcmp(d->old_file.path, d->new_file.path) != 0)
			pathset_add(s, d->new_file.path);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pathset_finish(struct pathset *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (w > 0 && strcmp(s->v[w - 1], s->v[i]) == 0) {
			free(s->v[i]);
			continue;
		}
		s->v[w++] = s->v[i];
	}
	s->n = w;
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n] = NULL;
}

/* Tree comparison that never opens a sub-tree both sides share (libgit2's
 * diff reads every tree of both commits): the paths of blobs (and
 * submodules) that differ between a and b, either of which may be NULL. */
static int tree_diff(struct quai_git *g, struct pathset *s, const char *prefix, const git_tree *a,
                     const git_tree *b);

static char *entry_path(const char *prefix, const git_tree_entry *e)
{
	return *prefix ? xasprintf("%s/%s", prefix, git_tree_entry_name(e)) : xstrdup(git_tree_entry_name(e));
}

/* Everything under (or at) entry e of one side. */
static int entry_all(struct quai_git *g, struct pathset *s, const char *prefix, const git_tree_entry *e,
                     bool old)
{
	cleanup_free char *path = entry_path(prefix, e);
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE) {
		pathset_add(s, path);
		return 0;
	}
	git_tree *t = NULL;
	if (git_tree_lookup(&t, g->repo, git_tree_entry_id(e)) < 0)
		return -1;
	int rc = old ? tree_diff(g, s, path, t, NULL) : tree_diff(g, s, path, NULL, t);
	git_tree_free(t);
	return rc;
}

static int tree_diff(struct quai_git *g, struct pathset *s, const char *prefix, const git_tree *a,
                     const git_tree *b)
{
	size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
	for (size_t i = 0; i < na; i++) {
		const git_tree_entry *ea = git_tree_entry_byindex(a, i);
		const git_tree_entry *eb = b ? git_tree_entry_byname(b, git_tree_entry_name(ea)) : NULL;
		if (eb && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
		    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
			continue;
		bool ta = git_tree_entry_type(ea) == GIT_OBJECT_TREE;
		bool tb = eb && git_tree_entry_type(eb) == GIT_OBJECT_TREE;
		if (eb && ta && tb) {
			git_tree *sa = NULL, *sb = NULL;
			cleanup_free char *path = entry_path(prefix, ea);
			int rc = -1;
			if (git_tree_lookup(&sa, g->repo, git_tree_entry_id(ea)) == 0 &&
			    git_tree_lookup(&sb, g->repo, git_tree_entry_id(eb)) == 0)
				rc = tree_diff(g, s, path, sa, sb);
			git_tree_free(sa);
			git_tree_free(sb);
			if (rc < 0)
				return -1;
			continue;
		}
		if (entry_all(g, s, prefix, ea, true) < 0 || (eb && entry_all(g, s, prefix, eb, false) < 0))
			return -1;
	}
	for (size_t i = 0; i < nb; i++) {
		const git_tree_entry *eb = git_tree_entry_byindex(b, i);
		if (a && git_tree_entry_byname(a, git_tree_entry_name(eb)))
			continue; /* seen above */
		if (entry_all(g, s, prefix, eb, false) < 0)
			return -1;
	}
	return 0;
}

static bool is_head(struct quai_git *g, const char *rev)
{
	if (!rev)
		return false;
	if (strcmp(rev, "HEAD") == 0)
		return true;
	git_oid head, oid;
	char hex[41];
	if (git_reference_name_to_id(&head, g->repo, "HEAD") < 0 || quai_git_resolve(g, hex, rev, NULL) < 0)
		return false;
	git_oid_fromstr(&oid, hex);
	return git_oid_equal(&head, &oid);
}

int quai_git_changed(struct quai_git *g, char ***out, size_t *n, const char *from, const char *to, bool dirty,
                     struct quai_error **err)
{
	*out = NULL;
	*n = 0;
	git_tree *tfrom = NULL, *tto = NULL;
	git_diff *diff = NULL;
	struct pathset s = {0};
	int rc = -1;
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
	opts.ignore_submodules = GIT_SUBMODULE_IGNORE_ALL;
	if (tree_of(&tfrom, g, from, err) < 0)
		goto out;
	bool direct = dirty && (!to || is_head(g, to));
	if (!direct) {
		if (tree_of(&tto, g, to ? to : "HEAD", err) < 0)
			goto out;
		bool same = tfrom && git_oid_equal(git_tree_id(tfrom), git_tree_id(tto));
		if (!same && tree_diff(g, &s, "", tfrom, tto) < 0) {
			git_fail(err, "cannot compare '%s' with its target", from ? from : "the empty tree");
			goto out;
		}
	}
	if (dirty) {
		if (!g->workdir) {
			quai_error_set(err, QUAI_EXIT_USAGE,
			               "a bare repository has no working tree to compare");
			goto out;
		}
		git_tree *base = tfrom;
		git_tree *headtree = NULL;
		if (!direct) {
			if (tree_of(&headtree, g, "HEAD", err) < 0)
				goto out;
			base = headtree;
		}
		opts.flags |= GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
		              GIT_DIFF_INCLUDE_TYPECHANGE;
		int r = git_diff_tree_to_workdir_with_index(&diff, g->repo, base, &opts);
		git_tree_free(headtree);
		if (r < 0) {
			git_fail(err, "cannot compare the working tree");
			goto out;
		}
		collect(&s, diff);
	}
	pathset_finish(&s);
	*out = steal_pointer(&s.v);
	*n = s.n;
	rc = 0;
out:
	git_diff_free(diff);
	git_tree_free(tfrom);
	git_tree_free(tto);
	if (rc < 0) {
		for (size_t i = 0; i < s.n; i++)
			free(s.v[i]);
		free(s.v);
	}
	return rc;
}

void quai_git_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int quai_git_read_blob(struct quai_git *g, char **out, size_t *len, const char *rev, const char *path,
                       size_t cap, struct quai_error **err)
{
	*out = NULL;
	*len = 0;
	git_tree *tree = NULL;
	if (tree_of(&tree, g, rev, err) < 0)
		return -1;
	git_tree_entry *entry = NULL;
	int rc = git_tree_entry_bypath(&entry, tree, path);
	git_tree_free(tree);
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return git_fail(err, "cannot read '%s'", path);
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		git_tree_entry_free(entry);
		return 0;
	}
	git_blob *blob = NULL;
	rc = git_blob_lookup(&blob, g->repo, git_tree_entry_id(entry));
	git_tree_entry_free(entry);
	if (rc < 0)
		return git_fail(err, "cannot read '%s'", path);
	size_t size = (size_t)git_blob_rawsize(blob);
	if (size > cap) {
		git_blob_free(blob);
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' at '%s' is larger than %zu bytes", path,
		                      rev, cap);
	}
	char *data = xmalloc(size + 1);
	memcpy(data, git_blob_rawcontent(blob), size);
	data[size] = '\0';
	git_blob_free(blob);
	*out = data;
	*len = size;
	return 1;
}

bool quai_git_is_ignored(struct quai_git *g, const char *path)
{
	/* something tracked under path: not ignored (and no need to read
	 * every .gitignore up the way) */
	git_index *index = NULL;
	if (git_repository_index(&index, g->repo) == 0) {
		cleanup_free char *prefix = xasprintf("%s/", path);
		size_t pos = 0;
		bool found =
		    git_index_find_prefix(&pos, index, prefix) == 0 || git_index_get_bypath(index, path, 0);
		git_index_free(index);
		if (found)
			return false;
	}
	int ignored = 0;
	if (git_ignore_path_is_ignored(&ignored, g->repo, path) < 0)
		return false;
	return ignored != 0;
}
