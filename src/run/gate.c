/* The checks before anything is built: the lint gate, uncommitted
 * changes, a context that would hold .quai/. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context/context.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "git/git.h"
#include "lint/lint.h"
#include "run/internal.h"
#include "core/banned.h"

#define DOCKERFILE_MAX (64u << 20)

static int lint_one(struct run_image *ri, const struct quai_lint_config *cfg, bool color)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cleanup_error struct quai_error *err = NULL;
	cleanup_free char *src = NULL;
	size_t len;
	struct run_step *st = &ri->steps[STEP_LINT];
	if (quai_file_read(&src, &len, ri->img->dockerfile, DOCKERFILE_MAX, &err) < 0) {
		st->status = ST_FAILED;
		st->note = xstrdup(err->msg);
		fprintf(stderr, "quai: %s\n", err->msg);
		return 1;
	}
	struct quai_dockerfile df;
	struct quai_findings f = {0};
	quai_dockerfile_parse(&df, ri->img->dockerfile, src, len);
	quai_lint_dockerfile(&f, &df, cfg);
	quai_findings_sort(&f);
	size_t nerr = 0;
	for (size_t i = 0; i < f.len; i++)
		nerr += f.items[i].level == QUAI_LEVEL_ERROR;
	if (f.len) {
		const struct quai_dockerfile *srcs[] = {&df};
		quai_lint_write(stderr, QUAI_FORMAT_TTY, &f, color, srcs, 1);
	}
	st->status = nerr ? ST_FAILED : ST_OK;
	if (nerr)
		st->note = xasprintf("%zu error%s", nerr, nerr == 1 ? "" : "s");
	else if (f.len)
		st->note = xasprintf("%zu finding%s below error", f.len, f.len == 1 ? "" : "s");
	ri->lint_errors = nerr > 0;
	quai_findings_release(&f);
	quai_dockerfile_release(&df);
	st->seconds = run_elapsed(&t0);
	ri->seconds += st->seconds;
	return nerr ? 1 : 0;
}

int run_lint_all(struct run *r, size_t *failed, struct quai_error **err)
{
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	if (quai_lint_config_discover(&cfg, NULL, err) < 0) {
		quai_lint_config_release(&cfg);
		return -1;
	}
	*failed = 0;
	for (size_t i = 0; i < r->n; i++)
		*failed += (size_t)lint_one(&r->images[i], &cfg, r->o->tty && !cfg.no_color);
	quai_lint_config_release(&cfg);
	if (!*failed)
		return 0;
	struct quai_buf names = QUAI_BUF_INIT;
	for (size_t i = 0; i < r->n; i++)
		if (r->images[i].steps[STEP_LINT].status == ST_FAILED)
			quai_buf_printf(&names, "%s%s", names.len ? ", " : "", r->images[i].img->name);
	for (size_t i = 0; i < r->n; i++)
		for (int k = STEP_BUILD; k < NSTEPS; k++) {
			r->images[i].steps[k].status = ST_SKIPPED;
			r->images[i].steps[k].note = xasprintf("lint errors in %s", quai_buf_str(&names));
		}
	quai_buf_release(&names);
	return 0;
}

/* Whether the repository-relative path goes into the image's build (its
 * context minus .dockerignore, its Dockerfile, its tests). */
static bool in_image(const struct quai_repo_image *img, const char *path, const struct quai_dockerignore *di)
{
	if (strcmp(path, img->dockerfile) == 0 || (img->tests && strcmp(path, img->tests) == 0))
		return true;
	size_t n = strlen(img->context);
	if (strcmp(img->context, ".") == 0)
		n = 0;
	else if (strncmp(path, img->context, n) != 0 || path[n] != '/')
		return false;
	else
		n++;
	return !quai_dockerignore_match(di, path + n);
}

int run_check_clean(struct run *r, struct quai_error **err)
{
	char **paths = NULL;
	size_t n = 0;
	if (quai_git_changed(r->git, &paths, &n, "HEAD", "HEAD", true, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		const struct quai_repo_image *img = r->images[i].img;
		cleanup_free char *ignore = strcmp(img->context, ".") == 0
		                                ? xstrdup(".dockerignore")
		                                : xasprintf("%s/.dockerignore", img->context);
		struct quai_dockerignore *di = NULL;
		if (quai_dockerignore_load(&di, access(ignore, F_OK) == 0 ? ignore : NULL, NULL) < 0)
			di = NULL;
		for (size_t k = 0; k < n && rc == 0; k++)
			if (di && in_image(img, paths[k], di))
				rc = quai_error_set(
				    err, QUAI_EXIT_USAGE,
				    "'%s' has uncommitted changes and goes into image '%s': commit "
				    "it, or run with --no-push",
				    paths[k], img->name);
		quai_dockerignore_free(di);
	}
	quai_git_strv_free(paths);
	return rc;
}

void run_warn_root_context(const struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct quai_repo_image *img = r->images[i].img;
		if (strcmp(img->context, ".") != 0)
			continue;
		struct quai_dockerignore *di = NULL;
		if (quai_dockerignore_load(&di, access(".dockerignore", F_OK) == 0 ? ".dockerignore" : NULL,
		                           NULL) == 0 &&
		    !quai_dockerignore_match(di, ".quai/lock"))
			fprintf(stderr,
			        "quai: warning: image '%s' sends the whole repository, .quai/ with it: add "
			        ".quai to "
			        ".dockerignore\n",
			        img->name);
		quai_dockerignore_free(di);
	}
}
