/* quai run from start to end: the plan, the lint gate, what an earlier run
 * of the same commit finished, the scheduler, the git tags, the record. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "git/git.h"
#include "run/internal.h"
#include "core/banned.h"

#define RUNS_KEPT      100 /* run directories kept in .quai/runs */

static char *run_id(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	unsigned char b[3] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
		unsigned v = (unsigned)ts.tv_nsec ^ (unsigned)getpid();
		memcpy(b, &v, sizeof(b));
	}
	if (fd >= 0)
		close(fd);
	return xasprintf("%s-%02x%02x%02x", when, b[0], b[1], b[2]);
}

static int make_dir(const char *path, struct quai_error **err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return quai_error_errno(err, errno, "create '%s'", path);
	return 0;
}

/* One run at a time in a repository: ROOT/.quai/lock, released by the
 * kernel however the run ends. */
static int lock(struct run *r, const char *quai, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("%s/lock", quai);
	r->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (r->lock_fd < 0)
		return quai_error_errno(err, errno, "open '%s'", path);
	if (flock(r->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "another quai run is running in '%s': wait for it to end",
		                      r->repo->root);
	return quai_error_errno(err, errno, "lock '%s'", path);
}

static int by_name_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* Keeps the newest RUNS_KEPT run directories (their names sort by time). */
static void prune(const char *runs)
{
	DIR *d = opendir(runs);
	if (!d)
		return;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name_desc);
	for (size_t i = 0; i < n; i++) {
		if (i >= RUNS_KEPT) {
			cleanup_free char *dir = xasprintf("%s/%s", runs, names[i]);
			DIR *sub = opendir(dir);
			while (sub && (de = readdir(sub)))
				if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
					unlinkat(dirfd(sub), de->d_name, 0);
			if (sub)
				closedir(sub);
			rmdir(dir);
		}
		free(names[i]);
	}
	free(names);
}

/* ROOT/.quai (git-ignored) and ROOT/.quai/runs/ID. */
static int make_dirs(struct run *r, struct quai_error **err)
{
	cleanup_free char *quai = xasprintf("%s/.quai", r->repo->root);
	cleanup_free char *ignore = xasprintf("%s/.gitignore", quai);
	cleanup_free char *runs = xasprintf("%s/runs", quai);
	if (make_dir(quai, err) < 0)
		return -1;
	if (access(ignore, F_OK) < 0 && run_write_atomic(ignore, "*\n", 2, err) < 0)
		return -1;
	if (make_dir(runs, err) < 0 || lock(r, quai, err) < 0)
		return -1;
	prune(runs);
	r->dir = xasprintf("%s/%s", runs, r->id);
	return make_dir(r->dir, err);
}

static bool is_pushing_branch(const struct quai_repo *repo, const char *branch)
{
	if (!branch)
		return false;
	if (repo->push_branches) {
		for (char **b = repo->push_branches; *b; b++)
			if (strcmp(*b, branch) == 0)
				return true;
		return false;
	}
	return repo->default_branch && strcmp(repo->default_branch, branch) == 0;
}

static bool wanted(const struct quai_run_options *o, const char *name)
{
	if (!o->only)
		return true;
	for (const char **p = o->only; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

static char *file_stem(const struct run *r, const char *name)
{
	char *s = xasprintf("%s/%s", r->dir, name);
	for (char *p = s + strlen(r->dir) + 1; *p; p++)
		if (*p == '/')
			*p = '_';
	return s;
}

/* The plan's entries that --only keeps, with their in-run parents. */
static int select_images(struct run *r, struct quai_error **err)
{
	for (const char **p = r->o->only; p && *p; p++)
		if (!quai_repo_find(r->repo, *p))
			return quai_error_set(err, QUAI_EXIT_USAGE,
			                      "--only '%s': the repository has no such image", *p);
	r->images = xcalloc(r->plan->n ? r->plan->n : 1, sizeof(*r->images));
	size_t *slot = xcalloc(r->repo->nimages ? r->repo->nimages : 1, sizeof(*slot));
	for (size_t e = 0; e < r->plan->n; e++) {
		const struct quai_repo_image *img = &r->repo->images[r->plan->entries[e].image];
		if (!wanted(r->o, img->name))
			continue;
		struct run_image *ri = &r->images[r->n];
		ri->img = img;
		ri->reasons = r->plan->entries[e].reasons;
		ri->deps = xcalloc(img->nparents ? img->nparents : 1, sizeof(*ri->deps));
		for (size_t k = 0; k < img->nparents; k++) {
			size_t s = slot[img->parents[k]];
			bool dup = false;
			for (size_t d = 0; d < ri->ndeps; d++)
				dup |= ri->deps[d] == s - 1;
			if (s && !dup)
				ri->deps[ri->ndeps++] = s - 1;
		}
		slot[r->plan->entries[e].image] = ++r->n;
	}
	free(slot);
	return 0;
}

/* ---- the end ---- */

static void push_tags(struct run *r)
{
	char **names = xcalloc(r->n + 1, sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct run_image *ri = &r->images[i];
		if (ri->steps[STEP_TAG].status == ST_OK && ri->git_tag && !ri->tag_pushed)
			names[n++] = ri->git_tag;
	}
	cleanup_error struct quai_error *err = NULL;
	bool skipped = false;
	if (n && run_git_push_tags(r->git, names, n, &skipped, &err) < 0) {
		r->tags_failed = true;
		r->tags_note = xstrdup(err->msg);
	} else if (n && skipped) {
		r->tags_note = xstrdup("the repository has no 'origin' remote: the tags stay local");
	} else {
		for (size_t i = 0; i < r->n; i++)
			if (r->images[i].steps[STEP_TAG].status == ST_OK && r->images[i].git_tag)
				r->images[i].tag_pushed = true;
	}
	free(names);
}

static int final_status(const struct run *r)
{
	if (r->interrupted)
		return 128 + r->interrupted;
	if (r->tags_failed)
		return QUAI_EXIT_FINDINGS;
	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < NSTEPS; k++)
			if (r->images[i].steps[k].status == ST_FAILED ||
			    (r->images[i].steps[k].status == ST_SKIPPED &&
			     strcmp(r->images[i].steps[k].note ? r->images[i].steps[k].note : "",
			            "--no-push") != 0))
				return QUAI_EXIT_FINDINGS;
	return QUAI_EXIT_OK;
}

static const char *status_word(int status)
{
	return status == 0 ? "success" : status == QUAI_EXIT_FINDINGS ? "failed" : "interrupted";
}

static void write_report(const struct run *r, const char *path, const char *status)
{
	json_t *o = run_record_json(r, status);
	cleanup_free char *text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	cleanup_error struct quai_error *err = NULL;
	if (run_write_atomic(path, text, strlen(text), &err) < 0)
		fprintf(stderr, "quai: report: %s\n", err->msg);
}

static void print_plan(const struct run *r)
{
	fprintf(stderr, "quai run %s: %zu image%s at %.12s", r->id, r->n, r->n == 1 ? "" : "s",
	        r->plan->head);
	if (r->plan->since)
		fprintf(stderr, " (changes since %.12s)", r->plan->since);
	fprintf(stderr, ", branch %s, %s, %u at once\n", r->branch ? r->branch : "(detached)",
	        r->o->no_push ? "no push"
	        : r->pushing  ? "pushing versions"
	                      : "pushing branch tags",
	        r->jobs);
	for (size_t i = 0; i < r->n; i++) {
		fprintf(stderr, "  %s:", r->images[i].img->name);
		for (char **why = r->images[i].reasons; why && *why; why++)
			fprintf(stderr, "%s %s", why == r->images[i].reasons ? "" : ",", *why);
		fputc('\n', stderr);
	}
}

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct run_image *ri = &r->images[i];
		for (int k = 0; k < NSTEPS; k++)
			free(ri->steps[k].note);
		free(ri->deps);
		free(ri->stem);
		free(ri->log);
		free(ri->image_id);
		free(ri->version);
		free(ri->version_from);
		run_refs_free(ri->refs, ri->nrefs);
		free(ri->git_tag);
		free(ri->outfile);
	}
	free(r->images);
	free(r->id);
	free(r->dir);
	free(r->branch);
	free(r->started);
	free(r->tags_note);
	if (r->lock_fd > 0)
		close(r->lock_fd);
	quai_engine_free(r->engine);
	quai_plan_free(r->plan);
	quai_git_free(r->git);
	quai_repo_free(r->repo);
}

static void record_success(const struct run *r)
{
	cleanup_error struct quai_error *err = NULL;
	/* only a run of everything that changed since the last success moves it */
	if (r->o->only || r->o->no_push || (r->o->since && !r->o->all) || !r->plan->branch)
		return;
	if (quai_plan_record_success(r->repo, r->plan->branch, r->plan->head, &err) < 0)
		fprintf(stderr, "quai: warning: %s\n", err->msg);
}

/* Versions count the releases made elsewhere: a failure to fetch is said,
 * not fatal (a version that exists is refused when pushed). */
static void fetch_tags(struct run *r)
{
	cleanup_error struct quai_error *err = NULL;
	if (run_git_fetch_tags(r->git, &err) < 0)
		fprintf(stderr, "quai: warning: %s\n", err->msg);
}

static int finish(struct run *r, const char *report)
{
	int status = final_status(r);
	cleanup_error struct quai_error *err = NULL;
	if (run_record_save(r, status_word(status), &err) < 0)
		fprintf(stderr, "quai: warning: %s\n", err->msg);
	if (report)
		write_report(r, report, status_word(status));
	run_summary(r, stdout);
	fflush(stdout);
	if (status == QUAI_EXIT_OK)
		record_success(r);
	return status;
}

static int prepare(struct run *r, struct quai_error **err)
{
	const struct quai_run_options *o = r->o;
	if (quai_repo_load(&r->repo, o->dir ? o->dir : ".", err) < 0)
		return -1;
	if (chdir(r->repo->root) < 0)
		return quai_error_errno(err, errno, "cd '%s'", r->repo->root);
	if (quai_git_open(&r->git, r->repo->root, err) < 0)
		return -1;
	struct quai_plan_options po = {.since = o->since, .all = o->all};
	if (quai_plan_compute(&r->plan, r->repo, &po, err) < 0)
		return -1;
	r->branch = r->plan->branch ? xstrdup(r->plan->branch) : NULL;
	r->pushing = is_pushing_branch(r->repo, r->branch);
	snprintf(r->short_sha, sizeof(r->short_sha), "%.7s", r->plan->head);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	r->jobs = o->jobs ? o->jobs : cores > 0 ? (unsigned)cores : 1;
	r->id = run_id();
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	r->started = xstrdup(when);
	return select_images(r, err);
}

int quai_run(const struct quai_run_options *o, struct quai_error **err)
{
	struct run r = {.o = o};
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	/* the report's path as given, before quai moves to the repository's root */
	cleanup_free char *cwd = getcwd(NULL, 0);
	cleanup_free char *report = !o->report                    ? NULL
	                            : o->report[0] == '/' || !cwd ? xstrdup(o->report)
	                                                          : xasprintf("%s/%s", cwd, o->report);
	int status = QUAI_EXIT_USAGE;
	if (prepare(&r, err) < 0)
		goto out;
	if (r.n == 0) {
		fprintf(stderr, "quai run: nothing to build at %.12s%s%.12s\n", r.plan->head,
		        r.plan->since ? ": no image changed since " : "", r.plan->since ? r.plan->since : "");
		status = QUAI_EXIT_OK;
		record_success(&r);
		if (report)
			write_report(&r, report, "success");
		goto out;
	}
	if (!o->no_push && !r.repo->registry && !r.repo->namespace) {
		quai_error_set(
		    err, QUAI_EXIT_USAGE,
		    "nowhere to push: set `registry` (and `namespace`) in %s/quai.yml, or run with "
		    "--no-push",
		    r.repo->root);
		goto out;
	}
	if (!o->no_push && run_check_clean(&r, err) < 0)
		goto out;
	if (quai_engine_open(&r.engine, err) < 0 || make_dirs(&r, err) < 0)
		goto out;
	for (size_t i = 0; i < r.n; i++) {
		r.images[i].stem = file_stem(&r, r.images[i].img->name);
		r.images[i].log = xasprintf("%s.log", r.images[i].stem);
	}
	print_plan(&r);
	run_warn_root_context(&r);
	size_t lint_failed = 0;
	if (run_lint_all(&r, &lint_failed, err) < 0)
		goto out;
	if (lint_failed)
		fprintf(stderr, "quai run: lint errors in %zu Dockerfile%s: nothing is built\n", lint_failed,
		        lint_failed == 1 ? "" : "s");
	else
		run_record_resume(&r);
	if (run_record_save(&r, "running", err) < 0)
		goto out;
	if (!lint_failed && r.pushing && !o->no_push)
		fetch_tags(&r);
	if (!lint_failed && run_schedule(&r, err) < 0)
		goto out;
	if (!r.interrupted)
		push_tags(&r);
	status = finish(&r, report);
out:
	run_release(&r);
	return status;
}
