/* The lazy walk of a build context: directories read one at a time, entries
 * in byte order (as Go's filepath.WalkDir gives them to docker's tar writer),
 * .dockerignore applied with each directory's match results handed to its
 * children. Memory: one directory listing per level of depth. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "context/walk.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct frame {
	char *rel; /* "" for the root */
	char **names;
	size_t n, idx;
	bool *pm; /* this directory's per-pattern results, NULL for the root */
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void frame_release(struct frame *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->names[i]);
	free(f->names);
	free(f->rel);
	free(f->pm);
}

static int push_dir(struct quai_walk *w, const char *rel, bool *pm, struct quai_error **err)
{
	char *full = *rel ? xasprintf("%s/%s", w->root, rel) : xstrdup(w->root);
	DIR *d = opendir(full);
	free(full);
	if (!d) {
		free(pm);
		return quai_error_errno(err, errno, "cannot read directory '%s' of the build context",
		                        *rel ? rel : ".");
	}
	struct frame f = {.rel = xstrdup(rel), .pm = pm};
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		f.names = xgrow(f.names, &cap, f.n + 1, sizeof(*f.names));
		f.names[f.n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (f.n > 1)
		qsort(f.names, f.n, sizeof(*f.names), cmp_names);
	w->stack = xgrow(w->stack, &w->cap, w->depth + 1, sizeof(*w->stack));
	w->stack[w->depth++] = f;
	return 0;
}

int quai_walk_init(struct quai_walk *w, const char *root, const struct quai_dockerignore *di,
                   struct quai_error **err)
{
	memset(w, 0, sizeof(*w));
	w->root = xstrdup(root);
	w->di = di;
	return push_dir(w, "", NULL, err);
}

void quai_walk_release(struct quai_walk *w)
{
	for (size_t i = 0; i < w->depth; i++)
		frame_release(&w->stack[i]);
	free(w->stack);
	free(w->root);
	free(w->rel);
	free(w->full);
	memset(w, 0, sizeof(*w));
}

int quai_walk_next(struct quai_walk *w, struct quai_error **err)
{
	size_t np = quai_dockerignore_count(w->di);
	for (;;) {
		if (w->depth == 0)
			return 0;
		struct frame *f = &w->stack[w->depth - 1];
		if (f->idx >= f->n) {
			frame_release(f);
			w->depth--;
			continue;
		}
		const char *name = f->names[f->idx++];
		free(w->rel);
		free(w->full);
		w->rel = *f->rel ? xasprintf("%s/%s", f->rel, name) : xstrdup(name);
		w->full = xasprintf("%s/%s", w->root, w->rel);
		if (lstat(w->full, &w->st) < 0) {
			if (errno == ENOENT)
				continue; /* removed while walking */
			return quai_error_errno(err, errno, "cannot stat '%s' in the build context", w->rel);
		}
		bool *pm = np ? xcalloc(np, sizeof(bool)) : NULL;
		bool excluded = np && quai_dockerignore_match_step(w->di, w->rel, f->pm, pm);
		bool dir = S_ISDIR(w->st.st_mode);
		if (excluded) {
			if (dir && quai_dockerignore_has_exceptions(w->di) &&
			    quai_dockerignore_walk_excluded_dir(w->di, w->rel)) {
				/* an exception may re-include something inside: walk it, but
				 * send no entry for the directory itself, as docker does */
				if (push_dir(w, w->rel, pm, err) < 0)
					return -1;
			} else {
				free(pm);
			}
			continue;
		}
		if (dir) {
			if (push_dir(w, w->rel, pm, err) < 0)
				return -1;
			return 1;
		}
		free(pm);
		if (S_ISREG(w->st.st_mode) || S_ISLNK(w->st.st_mode))
			return 1;
		/* sockets, fifos and devices are not sent */
	}
}
