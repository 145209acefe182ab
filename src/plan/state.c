/* The plan as JSON, and ROOT/.quai/state.json: the last commit a complete,
 * successful run built on each branch. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "plan/internal.h"
#include "plan/plan.h"
#include "core/banned.h"

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();
	for (char *const *p = v; p && *p; p++)
		json_array_append_new(a, json_string(*p));
	return a;
}

char *quai_plan_json(const struct quai_plan *plan, const struct quai_repo *repo)
{
	json_t *root = json_object();
	json_object_set_new(root, "since", plan->since ? json_string(plan->since) : json_null());
	json_object_set_new(root, "head", json_string(plan->head));
	json_t *images = json_array();
	for (size_t i = 0; i < plan->n; i++) {
		const struct quai_plan_entry *e = &plan->entries[i];
		const struct quai_repo_image *im = &repo->images[e->image];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(im->name));
		json_object_set_new(o, "dir", json_string(im->dir));
		json_object_set_new(o, "reasons", strv_json(e->reasons));
		json_t *deps = json_array();
		for (size_t k = 0; k < im->nparents; k++)
			if (k == 0 || im->parents[k] != im->parents[k - 1])
				json_array_append_new(deps, json_string(repo->images[im->parents[k]].name));
		json_object_set_new(o, "depends_on", deps);
		json_array_append_new(images, o);
	}
	json_object_set_new(root, "images", images);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	char *out = xstrdup(s ? s : "{}");
	free(s);
	return out;
}

static const char *branch_key(const char *branch)
{
	return branch ? branch : "HEAD";
}

/* Reads state.json: a new empty object when it does not exist. */
static int read_state(json_t **out, const char *path, struct quai_error **err)
{
	*out = NULL;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*out = json_object();
		return 0;
	}
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return quai_error_set(err, QUAI_EXIT_USAGE, "%s:%d:%d: %s (remove the file to start afresh)",
		                      path, je.line, je.column, je.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "'%s' is not a JSON object (remove it to start afresh)", path);
	}
	*out = j;
	return 0;
}

int quai_plan_last_success(const struct quai_repo *repo, const char *branch, char **out,
                           struct quai_error **err)
{
	*out = NULL;
	cleanup_free char *path = xasprintf("%s/.quai/state.json", repo->root);
	json_t *st = NULL;
	if (read_state(&st, path, err) < 0)
		return -1;
	json_t *b = json_object_get(json_object_get(st, "branches"), branch_key(branch));
	const char *sha = json_string_value(json_object_get(b, "last_success"));
	if (sha && *sha)
		*out = xstrdup(sha);
	json_decref(st);
	return 0;
}

static int ensure_dir(const char *root, struct quai_error **err)
{
	cleanup_free char *dir = xasprintf("%s/.quai", root);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return quai_error_errno(err, errno, "cannot create '%s'", dir);
	/* keep the whole directory out of git without touching .gitignore */
	cleanup_free char *gi = xasprintf("%s/.gitignore", dir);
	if (access(gi, F_OK) == 0)
		return 0;
	cleanup_close int fd = open(gi, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : quai_error_errno(err, errno, "cannot create '%s'", gi);
	static const char text[] = "# written by quai: its state stays out of git\n*\n";
	if (write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1))
		return quai_error_errno(err, errno, "cannot write '%s'", gi);
	return 0;
}

int quai_plan_record_success(const struct quai_repo *repo, const char *branch, const char *sha,
                             struct quai_error **err)
{
	if (ensure_dir(repo->root, err) < 0)
		return -1;
	cleanup_free char *path = xasprintf("%s/.quai/state.json", repo->root);
	json_t *st = NULL;
	if (read_state(&st, path, err) < 0)
		return -1;
	json_t *branches = json_object_get(st, "branches");
	if (!json_is_object(branches)) {
		branches = json_object();
		json_object_set_new(st, "branches", branches);
	}
	json_t *b = json_object_get(branches, branch_key(branch));
	if (!json_is_object(b)) {
		b = json_object();
		json_object_set_new(branches, branch_key(branch), b);
	}
	json_object_set_new(b, "last_success", json_string(sha));
	char *text = json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(st);
	if (!text)
		return quai_error_set(err, QUAI_EXIT_USAGE, "cannot write '%s': bad state", path);
	cleanup_free char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = 0;
	FILE *f = fopen(tmp, "we");
	if (!f) {
		rc = quai_error_errno(err, errno, "cannot write '%s'", tmp);
	} else {
		size_t len = strlen(text);
		bool ok = fwrite(text, 1, len, f) == len && fputc('\n', f) != EOF;
		ok = fflush(f) == 0 && ok;
		ok = fsync(fileno(f)) == 0 && ok;
		if (fclose(f) != 0)
			ok = false;
		if (!ok || rename(tmp, path) < 0) {
			rc = quai_error_errno(err, errno, "cannot write '%s'", path);
			unlink(tmp);
		}
	}
	free(text);
	return rc;
}
