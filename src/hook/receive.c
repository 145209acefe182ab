/* pre-receive and pre-commit: which files a push or a commit brings, and
 * linting them as the new tip (or the index) has them. */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "hook/internal.h"
#include "core/banned.h"

#define LINE_MAX_BYTES (64u << 10)
#define MAX_UPDATES    100000

struct strv {
	char **items;
	size_t len, cap;
};

static void strv_push(struct strv *v, char *s)
{
	v->items = xgrow(v->items, &v->cap, v->len + 1, sizeof(*v->items));
	v->items[v->len++] = s;
}

static void strv_release(struct strv *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strv_sort_unique(struct strv *v)
{
	if (v->len < 2)
		return;
	qsort(v->items, v->len, sizeof(*v->items), cmp_str);
	size_t w = 1;
	for (size_t i = 1; i < v->len; i++) {
		if (strcmp(v->items[i], v->items[w - 1]) == 0)
			free(v->items[i]);
		else
			v->items[w++] = v->items[i];
	}
	v->len = w;
}

static bool strv_has(const struct strv *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

static bool is_file_mode(uint32_t mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/* ---- pre-receive ---- */

/* The commits every existing ref points to: what the repository already has. */
static int existing_tips(git_oid **out, size_t *n, git_repository *repo, struct quai_error **err)
{
	git_reference_iterator *it = NULL;
	if (git_reference_iterator_new(&it, repo) < 0)
		return quai_hook_git_error(err, "cannot list the repository's refs");
	size_t cap = 0;
	git_reference *ref;
	while (git_reference_next(&ref, it) == 0) {
		git_object *obj = NULL;
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
		    git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
			*out = xgrow(*out, &cap, *n + 1, sizeof(**out));
			git_oid_cpy(&(*out)[(*n)++], git_object_id(obj));
			git_object_free(obj);
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return 0;
}

/* Adds the wanted paths commit c changes: against its parent, or for a
 * merge the paths that differ from every parent (what the merge itself
 * changed; the merged side's commits are walked on their own). */
static int commit_changes(struct strv *paths, git_repository *repo, git_commit *c, struct quai_error **err)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_commit *parent = NULL;
	git_diff *diff = NULL;
	int rc = -1;
	unsigned np = git_commit_parentcount(c);
	if (git_commit_tree(&tree, c) < 0 ||
	    (np > 0 && (git_commit_parent(&parent, c, 0) < 0 || git_commit_tree(&ptree, parent) < 0))) {
		quai_hook_git_error(err, "cannot read commit %s", git_oid_tostr_s(git_commit_id(c)));
		goto out;
	}
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, repo, ptree, tree, &opts) < 0) {
		quai_hook_git_error(err, "cannot diff commit %s", git_oid_tostr_s(git_commit_id(c)));
		goto out;
	}
	size_t nd = git_diff_num_deltas(diff);
	for (size_t i = 0; i < nd; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status == GIT_DELTA_DELETED || !is_file_mode(d->new_file.mode) ||
		    !quai_hook_wanted(d->new_file.path))
			continue;
		bool same_as_other = false;
		for (unsigned p = 1; p < np && !same_as_other; p++) {
			git_commit *op = NULL;
			git_tree *ot = NULL;
			git_tree_entry *e = NULL;
			if (git_commit_parent(&op, c, p) == 0 && git_commit_tree(&ot, op) == 0 &&
			    git_tree_entry_bypath(&e, ot, d->new_file.path) == 0)
				same_as_other = git_oid_equal(git_tree_entry_id(e), &d->new_file.id);
			git_tree_entry_free(e);
			git_tree_free(ot);
			git_commit_free(op);
		}
		if (!same_as_other)
			strv_push(paths, xstrdup(d->new_file.path));
	}
	rc = 0;
out:
	git_diff_free(diff);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_tree_free(tree);
	return rc;
}

/* The wanted paths changed by the commits reachable from tip and not from hide. */
static int pushed_paths(struct strv *paths, struct quai_hook_stats *stats, git_repository *repo,
                        const git_oid *tip, const git_oid *hide, size_t nhide, struct quai_error **err)
{
	git_revwalk *walk = NULL;
	if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, tip) < 0) {
		git_revwalk_free(walk);
		return quai_hook_git_error(err, "cannot walk the pushed commits");
	}
	for (size_t i = 0; i < nhide; i++)
		(void)git_revwalk_hide(walk, &hide[i]); /* a ref to a missing commit hides nothing */
	git_oid oid;
	int rc = 0, next;
	while (rc == 0 && (next = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, repo, &oid) < 0) {
			rc = quai_hook_git_error(err, "cannot read commit %s", git_oid_tostr_s(&oid));
			break;
		}
		stats->commits++;
		rc = commit_changes(paths, repo, c, err);
		git_commit_free(c);
	}
	if (rc == 0 && next != GIT_ITEROVER)
		rc = quai_hook_git_error(err, "cannot walk the pushed commits");
	git_revwalk_free(walk);
	return rc;
}

/* Lints each path as tree has it, once per (path, blob) over the whole push. */
static int lint_paths(struct quai_findings *out, struct quai_hook_stats *stats, struct strv *done,
                      git_repository *repo, git_tree *tree, const struct strv *paths,
                      const struct quai_lint_config *cfg, struct quai_error **err)
{
	struct hook_source src = {.repo = repo, .tree = tree};
	for (size_t i = 0; i < paths->len; i++) {
		git_tree_entry *e = NULL;
		if (git_tree_entry_bypath(&e, tree, paths->items[i]) < 0)
			continue; /* deleted again by a later commit */
		git_oid oid;
		git_oid_cpy(&oid, git_tree_entry_id(e));
		bool blob =
		    git_tree_entry_type(e) == GIT_OBJECT_BLOB && is_file_mode(git_tree_entry_filemode(e));
		git_tree_entry_free(e);
		cleanup_free char *key = xasprintf("%s %s", git_oid_tostr_s(&oid), paths->items[i]);
		if (!blob || strv_has(done, key))
			continue;
		strv_push(done, steal_pointer(&key));
		stats->files++;
		if (quai_hook_lint_blob(out, &src, paths->items[i], &oid, cfg, err) < 0)
			return -1;
	}
	return 0;
}

/* One "<old> <new> <ref>" line. */
static int check_update(struct quai_findings *out, struct quai_hook_stats *stats, struct strv *done,
                        git_repository *repo, const char *line, const git_oid *hide, size_t nhide,
                        const struct quai_lint_config *cfg, struct quai_error **err)
{
	const size_t hex = GIT_OID_HEXSZ;
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	git_oid old_id, new_id;
	size_t n = strlen(line);
	if (n < 2 * hex + 3 || line[hex] != ' ' || line[2 * hex + 1] != ' ')
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "expected '<old> <new> <ref>' from git, read '%.100s'", line);
	memcpy(old_hex, line, hex);
	old_hex[hex] = '\0';
	memcpy(new_hex, line + hex + 1, hex);
	new_hex[hex] = '\0';
	if (git_oid_fromstr(&old_id, old_hex) < 0 || git_oid_fromstr(&new_id, new_hex) < 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "expected object ids from git, read '%.100s'",
		                      line);
	stats->refs++;
	if (git_oid_is_zero(&new_id))
		return 0; /* a deleted ref brings nothing */
	git_object *obj = NULL, *peeled = NULL;
	if (git_object_lookup(&obj, repo, &new_id, GIT_OBJECT_ANY) < 0)
		return quai_hook_git_error(err, "cannot read the pushed object %s", new_hex);
	int rc = 0;
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		git_object_free(obj);
		return 0; /* a tag of a tree or a blob: no commit, no files */
	}
	struct strv paths = {0};
	git_tree *tree = NULL;
	rc = pushed_paths(&paths, stats, repo, git_object_id(peeled), hide, nhide, err);
	if (rc == 0 && paths.len > 0) {
		strv_sort_unique(&paths);
		if (git_commit_tree(&tree, (git_commit *)peeled) < 0)
			rc = quai_hook_git_error(err, "cannot read the tree of %s", new_hex);
		else
			rc = lint_paths(out, stats, done, repo, tree, &paths, cfg, err);
	}
	git_tree_free(tree);
	strv_release(&paths);
	git_object_free(peeled);
	git_object_free(obj);
	return rc;
}

int quai_hook_pre_receive(struct quai_findings *out, struct quai_hook_stats *stats,
                          struct git_repository *repo, FILE *in, const struct quai_lint_config *cfg,
                          struct quai_error **err)
{
	cleanup_free git_oid *hide = NULL;
	size_t nhide = 0;
	if (existing_tips(&hide, &nhide, repo, err) < 0)
		return -1;
	struct strv done = {0};
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	size_t count = 0;
	while (rc == 0 && (n = getline(&line, &cap, in)) >= 0) {
		if ((size_t)n > LINE_MAX_BYTES || ++count > MAX_UPDATES) {
			rc = quai_error_set(err, QUAI_EXIT_USAGE,
			                    "too much input from git (a line over %u bytes or "
			                    "more than %u ref updates)",
			                    LINE_MAX_BYTES, MAX_UPDATES);
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0)
			rc = check_update(out, stats, &done, repo, line, hide, nhide, cfg, err);
	}
	strv_release(&done);
	return rc;
}

/* ---- pre-commit ---- */

int quai_hook_pre_commit(struct quai_findings *out, struct quai_hook_stats *stats,
                         struct git_repository *repo, const struct quai_lint_config *cfg,
                         struct quai_error **err)
{
	git_index *index = NULL;
	git_object *head = NULL;
	git_diff *diff = NULL;
	int rc = -1;
	if (git_repository_index(&index, repo) < 0) {
		quai_hook_git_error(err, "cannot read the index");
		goto out;
	}
	/* An unborn branch has no HEAD: everything staged is new. */
	if (git_revparse_single(&head, repo, "HEAD^{tree}") < 0)
		head = NULL;
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_index(&diff, repo, (git_tree *)head, index, &opts) < 0) {
		quai_hook_git_error(err, "cannot compare the index with HEAD");
		goto out;
	}
	struct hook_source src = {.repo = repo, .index = index};
	size_t nd = git_diff_num_deltas(diff);
	rc = 0;
	for (size_t i = 0; rc == 0 && i < nd; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status == GIT_DELTA_DELETED || !is_file_mode(d->new_file.mode) ||
		    !quai_hook_wanted(d->new_file.path))
			continue;
		stats->files++;
		rc = quai_hook_lint_blob(out, &src, d->new_file.path, &d->new_file.id, cfg, err);
	}
out:
	git_diff_free(diff);
	git_object_free(head);
	git_index_free(index);
	return rc;
}
