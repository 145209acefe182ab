/* The scheduler: forks one process per running job (it prepares the
 * working copy, runs the executor, collects artifacts and cache, writes
 * its result), reads their output through pipes, masks and prefixes it. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/hash.h"
#include "core/xalloc.h"
#include "pipeline_run/pipeline_run.h"
#include "core/banned.h"

#define DEFAULT_TIMEOUT_S 3600

static volatile int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

const char *quai_pipeline_run_status_name(enum quai_pipeline_run_status s)
{
	switch (s) {
	case QUAI_RUN_PENDING:
		return "pending";
	case QUAI_RUN_RUNNING:
		return "running";
	case QUAI_RUN_SUCCESS:
		return "success";
	case QUAI_RUN_FAILED:
		return "failed";
	case QUAI_RUN_SKIPPED:
		return "skipped";
	case QUAI_RUN_MANUAL:
		return "manual";
	case QUAI_RUN_CANCELED:
		return "canceled";
	}
	return "?";
}

struct jstate {
	const struct quai_pipeline_job *job;
	bool selected;
	enum quai_pipeline_run_status status;
	bool allowed; /* failed, but allow_failure */
	int exit_code;
	bool timed_out, oom_killed;
	int attempt;
	double started, duration;
	pid_t pid;
	int fd;    /* the output pipe while it runs */
	int go_fd; /* a job process started ahead waits for a byte on this */
	struct quai_executor_masker masker;
	struct quai_buf line;
	struct quai_pipeline_vars dotenv;
	const struct quai_pipeline_run_executor *executor; /* NULL: the default */
	enum quai_executor_type type;
	char *error; /* why it could not run */
};

struct run {
	const struct quai_pipeline *p;
	const struct quai_pipeline_run_options *o;
	FILE *out;
	struct jstate *js;
	size_t n;
	char *dir;     /* the run's scratch directory */
	char *src_tar; /* the checkout as a tar */
	char *cache_dir;
	char *run_id;
	char **masked;
	size_t namewidth;
	char **tracked; /* the checkout's files, sorted (artifacts:untracked) */
	size_t ntracked;
	/* job processes that reported their result and still clean up */
	pid_t *reap;
	size_t nreap, reapcap;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool in_ints(const int *v, size_t n, int x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static size_t index_of(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->js[i].job->name, name) == 0)
			return i;
	return (size_t)-1;
}

static int run_argv(const char *const *argv, const char *cwd)
{
	return quai_executor_spawn(argv, cwd, -1, -1, 2);
}

/* run_argv in a child process: its pid, -1 when it could not fork. */
static pid_t run_argv_async(const char *const *argv)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(run_argv(argv, NULL) == 0 ? 0 : 1);
	return pid;
}

static void wait_pid(pid_t pid)
{
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
	}
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* PATH=DIR:$PATH where DIR holds the running quai: a shell job calls
 * `quai` (the Quai/Monorepo template) as the one that runs it. */
static char *path_with_quai(void)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash = n > 0 ? memrchr(exe, '/', (size_t)n) : NULL;
	if (!slash)
		return xasprintf("PATH=%s", path);
	return xasprintf("PATH=%.*s:%s", (int)(slash - exe), exe, path);
}

static int mkdir_p(const char *path)
{
	cleanup_free char *p = xstrdup(path);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		*q = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void copy_tree(const char *from, const char *to)
{
	cleanup_free char *src = xasprintf("%s/.", from);
	const char *argv[] = {"cp", "-a", "--", src, to, NULL};
	run_argv(argv, NULL);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- executors ---- */

static bool has_all_tags(char *const *have, char *const *want)
{
	for (size_t i = 0; want && want[i]; i++)
		if (!in_list((const char *const *)have, want[i]))
			return false;
	return true;
}

static void pick_executor(struct run *r, struct jstate *s)
{
	const struct quai_pipeline_job *j = s->job;
	bool tagged = j->tags && j->tags[0];
	enum quai_executor_type def = j->image.name ? QUAI_EXECUTOR_DOCKER : QUAI_EXECUTOR_SHELL;
	s->type = def;
	for (size_t i = 0; i < r->o->nexecutors; i++) {
		const struct quai_pipeline_run_executor *x = &r->o->executors[i];
		if (tagged ? has_all_tags(x->tags, j->tags) : (x->type == def && !(x->tags && x->tags[0]))) {
			s->executor = x;
			s->type = x->type;
			return;
		}
	}
	if (tagged && r->o->nexecutors)
		s->error = xasprintf("no executor in quai.yml has the tags of job '%s'", j->name);
	if (s->type == QUAI_EXECUTOR_DOCKER && !j->image.name)
		s->error = xasprintf("job '%s' runs on a docker executor but has no image", j->name);
}

/* ---- logs ---- */

static void emit_line(struct run *r, struct jstate *s, const char *text, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	fprintf(r->out, "%02d:%02d:%02d %-*s | ", tm.tm_hour, tm.tm_min, tm.tm_sec, (int)r->namewidth,
	        s->job->name);
	/* a carriage return would overwrite the prefix (section markers) */
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\r')
			fputc(text[i], r->out);
	fputc('\n', r->out);
}

static void emit_text(struct run *r, struct jstate *s, const char *data, size_t len)
{
	quai_buf_add(&s->line, data, len);
	for (;;) {
		char *nl = s->line.data ? memchr(s->line.data, '\n', s->line.len) : NULL;
		if (!nl)
			break;
		size_t n = (size_t)(nl - s->line.data);
		emit_line(r, s, s->line.data, n);
		memmove(s->line.data, nl + 1, s->line.len - n - 1);
		quai_buf_truncate(&s->line, s->line.len - n - 1);
	}
	fflush(r->out);
}

static void job_output(struct run *r, struct jstate *s, const char *data, size_t len)
{
	struct quai_buf shown = QUAI_BUF_INIT;
	quai_executor_masker_feed(&s->masker, data, len, &shown);
	if (shown.len)
		emit_text(r, s, shown.data, shown.len);
	quai_buf_release(&shown);
}

static void job_output_end(struct run *r, struct jstate *s)
{
	struct quai_buf shown = QUAI_BUF_INIT;
	quai_executor_masker_flush(&s->masker, &shown);
	if (shown.len)
		emit_text(r, s, shown.data, shown.len);
	quai_buf_release(&shown);
	if (s->line.len) {
		emit_line(r, s, s->line.data, s->line.len);
		quai_buf_truncate(&s->line, 0);
	}
	fflush(r->out);
}

static void say(struct run *r, struct jstate *s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct run *r, struct jstate *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *text = xvasprintf(fmt, ap);
	va_end(ap);
	job_output(r, s, text, strlen(text));
	job_output(r, s, "\n", 1);
}

/* ---- dependencies ---- */

/* The jobs whose artifacts (and dotenv) job s gets. */
static size_t deps_of(struct run *r, const struct jstate *s, size_t *out)
{
	const struct quai_pipeline_job *j = s->job;
	size_t k = 0;
	if (j->has_dependencies) {
		for (size_t i = 0; j->dependencies && j->dependencies[i]; i++) {
			size_t x = index_of(r, j->dependencies[i]);
			if (x != (size_t)-1)
				out[k++] = x;
		}
	} else if (j->has_needs) {
		for (size_t i = 0; i < j->nneeds; i++) {
			size_t x = index_of(r, j->needs[i].job);
			if (x != (size_t)-1 && j->needs[i].artifacts)
				out[k++] = x;
		}
	} else {
		for (size_t i = 0; i < r->n; i++)
			if (r->js[i].job->stage_index < j->stage_index)
				out[k++] = i;
	}
	return k;
}

/* ---- the job process ---- */

static char *cache_key(struct run *r, const struct quai_pipeline_cache *c)
{
	cleanup_free char *key = NULL;
	if (c->key_files && c->key_files[0]) {
		struct quai_buf all = QUAI_BUF_INIT;
		for (size_t i = 0; c->key_files[i]; i++) {
			cleanup_free char *path = xasprintf("%s/%s", r->p->project_dir, c->key_files[i]);
			char *data = NULL;
			size_t len = 0;
			quai_buf_printf(&all, "%s\n", c->key_files[i]);
			if (quai_file_read(&data, &len, path, 1u << 26, NULL) == 0) {
				quai_buf_add(&all, data, len);
				free(data);
			}
		}
		char hex[41];
		quai_sha1_hex(all.data ? all.data : "", all.len, hex);
		quai_buf_release(&all);
		key = c->key_prefix ? xasprintf("%s-%s", c->key_prefix, hex) : xstrdup(hex);
	} else {
		key = xstrdup(c->key && c->key[0] ? c->key : "default");
	}
	/* a file name */
	for (char *q = key; *q; q++)
		if (*q == '/' || (*q == '.' && (q == key)))
			*q = '_';
	return xasprintf("%s/%s", r->cache_dir, key);
}

static bool excluded(char *const *exclude, const char *rel)
{
	for (size_t x = 0; exclude && exclude[x]; x++)
		if (fnmatch(exclude[x], rel, 0) == 0)
			return true;
	return false;
}

static void copy_rel(const char *dir, const char *rel, const char *dest)
{
	mkdir_p(dest);
	const char *argv[] = {"cp", "-a", "--parents", "--", rel, dest, NULL};
	quai_executor_spawn(argv, dir, -1, -1, 2);
}

/* nftw has no user argument */
static const char *walk_dir, *walk_dest;
static char *const *walk_exclude;
static const struct run *walk_untracked;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int walk_untracked_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type != FTW_F && type != FTW_SL)
		return 0;
	const char *rel = path + strlen(walk_dir) + 1;
	const char *key = rel;
	if (!bsearch(&key, walk_untracked->tracked, walk_untracked->ntracked, sizeof(char *), cmp_str) &&
	    !excluded(walk_exclude, rel))
		copy_rel(walk_dir, rel, walk_dest);
	return 0;
}

/* Reads the names of the checkout's files (for artifacts:untracked). */
static void load_tracked(struct run *r)
{
	cleanup_free char *list = xasprintf("%s/source.list", r->dir);
	int fd = open(list, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	const char *argv[] = {"tar", "-tf", r->src_tar, NULL};
	int rc = quai_executor_spawn(argv, NULL, -1, fd, -1);
	close(fd);
	cleanup_free char *data = NULL;
	size_t len = 0, cap = 0;
	if (rc != 0 || quai_file_read(&data, &len, list, 1u << 28, NULL) < 0)
		return;
	for (char *line = data; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		const char *name = strncmp(line, "./", 2) == 0 ? line + 2 : line;
		size_t n = strlen(name);
		if (n && name[n - 1] != '/') {
			r->tracked = xgrow(r->tracked, &cap, r->ntracked + 1, sizeof(*r->tracked));
			r->tracked[r->ntracked++] = xstrdup(name);
		}
		line = nl ? nl + 1 : NULL;
	}
	if (r->ntracked)
		qsort(r->tracked, r->ntracked, sizeof(*r->tracked), cmp_str);
}

/* Copies the files of dir that are not in the checkout into dest. */
static void collect_untracked(const struct run *r, const char *dir, char *const *exclude, const char *dest)
{
	walk_dir = dir;
	walk_dest = dest;
	walk_exclude = exclude;
	walk_untracked = r;
	nftw(dir, walk_untracked_one, 16, FTW_PHYS);
}

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type != FTW_F && type != FTW_SL)
		return 0;
	const char *rel = path + strlen(walk_dir) + 1;
	if (!excluded(walk_exclude, rel))
		copy_rel(walk_dir, rel, walk_dest);
	return 0;
}

/* Copies what the patterns match in dir into dest (relative paths kept);
 * files matching an exclude pattern are left out, also inside matched
 * directories. */
static void collect(const char *dir, char *const *patterns, char *const *exclude, const char *dest)
{
	for (size_t i = 0; patterns && patterns[i]; i++) {
		cleanup_free char *pat = xasprintf("%s/%s", dir, patterns[i]);
		glob_t g;
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++) {
			const char *rel = g.gl_pathv[k] + strlen(dir) + 1;
			if (excluded(exclude, rel))
				continue;
			if (exclude && exclude[0] && is_dir(g.gl_pathv[k])) {
				walk_dir = dir;
				walk_dest = dest;
				walk_exclude = exclude;
				nftw(g.gl_pathv[k], walk_one, 16, FTW_PHYS);
				continue;
			}
			copy_rel(dir, rel, dest);
		}
		globfree(&g);
	}
}

static bool when_matches(enum quai_pipeline_when when, bool success)
{
	return when == QUAI_PIPELINE_ALWAYS || (when == QUAI_PIPELINE_ON_FAILURE ? !success : success);
}

static char **strv_concat(char *const *a, char *const *b)
{
	size_t n = 0, m = 0;
	while (a && a[n])
		n++;
	while (b && b[m])
		m++;
	char **v = xcalloc(n + m + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = a[i];
	for (size_t i = 0; i < m; i++)
		v[n + i] = b[i];
	return v;
}

static void section(int fd, const char *name, const char *title)
{
	cleanup_free char *t = xasprintf("section_start:%ld:%s\r\033[0K%s\n", (long)time(NULL), name, title);
	if (write(fd, t, strlen(t)) < 0) {
	}
}

static void section_end(int fd, const char *name)
{
	cleanup_free char *t = xasprintf("section_end:%ld:%s\r\033[0K\n", (long)time(NULL), name);
	if (write(fd, t, strlen(t)) < 0) {
	}
}

/* Appends the dotenv reports job idx left in its artifacts. */
static void load_dotenv(const struct run *r, size_t idx, struct quai_pipeline_vars *out)
{
	const struct quai_pipeline_job *j = r->js[idx].job;
	for (size_t i = 0; j->artifacts.reports_dotenv && j->artifacts.reports_dotenv[i]; i++) {
		cleanup_free char *path =
		    xasprintf("%s/artifacts/%zu/%s", r->dir, idx, j->artifacts.reports_dotenv[i]);
		cleanup_free char *data = NULL;
		size_t len = 0;
		if (quai_file_read(&data, &len, path, 1u << 20, NULL) == 0)
			quai_pipeline_run_dotenv_parse(out, data, len);
	}
}

/* For a job process started ahead (go_fd >= 0): creates and starts its
 * container, then waits for the scheduler's word: 'g' runs the job, anything
 * else (or an interrupt) drops it. Returns the prestarted container (or
 * NULL when that failed: the job then runs the ordinary way), *drop true
 * when the job is not to run. Without go_fd (-1), a job that runs now: it
 * does not wait. Meanwhile the checkout is extracted into the job's
 * directory by process *tar_pid. */
static void *prestart(struct run *r, size_t idx, int out_fd, int go_fd, bool *drop, pid_t *tar_pid)
{
	struct jstate *s = &r->js[idx];
	const struct quai_pipeline_job *j = s->job;
	struct quai_pipeline_vars vars = {0};
	quai_pipeline_job_env(&vars, r->p, j, (long)idx + 1, NULL);
	const struct quai_pipeline_var *pd = quai_pipeline_vars_get(&vars, "CI_PROJECT_DIR");
	cleanup_free char *cpath = xstrdup(pd && pd->value[0] == '/' ? pd->value : "/builds/project");
	quai_pipeline_vars_release(&vars);
	/* job_process's root: the executor may bind-mount from it */
	cleanup_free char *root = xasprintf("%s/job-%zu-%d/root", r->dir, idx, s->attempt);
	cleanup_free char *workdir = xasprintf("%s%s", root, cpath);
	*tar_pid = -1;
	if (mkdir_p(workdir) == 0) {
		const char *xargv[] = {"tar", "-C", workdir, "-xf", r->src_tar, NULL};
		*tar_pid = run_argv_async(xargv);
	}
	struct quai_executor_job x = {
	    .type = QUAI_EXECUTOR_DOCKER,
	    .name = j->name,
	    .rootdir = root,
	    .project_dir = cpath,
	    .out_fd = out_fd,
	    .image = j->image.name,
	    .entrypoint = (const char *const *)j->image.entrypoint,
	    .docker_socket = s->executor && s->executor->docker_socket,
	    .privileged = s->executor && s->executor->privileged,
	    .memory = s->executor ? s->executor->memory : 0,
	    .run_id = r->run_id,
	};
	void *pre = NULL;
	cleanup_error struct quai_error *err = NULL;
	if (quai_executor_prestart(&pre, &x, &err) < 0)
		pre = NULL;
	*drop = false;
	if (go_fd < 0)
		return pre;
	char c = 0;
	ssize_t n;
	do
		n = read(go_fd, &c, 1);
	while (n < 0 && errno == EINTR && !interrupted);
	close(go_fd);
	*drop = n != 1 || c != 'g' || interrupted;
	if (*drop) {
		quai_executor_prestart_release(pre);
		return NULL;
	}
	return pre;
}

static int job_process(struct run *r, size_t idx, int out_fd, int go_fd)
{
	void *pre = NULL;
	pid_t tar_pid = -1;
	struct jstate *s = &r->js[idx];
	const struct quai_pipeline_job *j = s->job;
	/* a docker job without services that runs now has its container made
	 * and started while its checkout is extracted, as one started ahead */
	bool now = go_fd < 0 && s->type == QUAI_EXECUTOR_DOCKER && !j->nservices &&
	           j->when != QUAI_PIPELINE_DELAYED && !getenv("QUAI_PIPELINE_NO_AHEAD");
	if (go_fd >= 0 || now) {
		bool drop = false;
		pre = prestart(r, idx, out_fd, go_fd, &drop, &tar_pid);
		if (drop) {
			wait_pid(tar_pid);
			return 0;
		}
	}
	cleanup_free char *jobdir = xasprintf("%s/job-%zu-%d", r->dir, idx, s->attempt);
	cleanup_free char *root = xasprintf("%s/root", jobdir);
	cleanup_free char *artdir = xasprintf("%s/artifacts/%zu", r->dir, idx);
	cleanup_free char *result = xasprintf("%s/result-%zu", r->dir, idx);

	/* variables, with the dotenv of the jobs it depends on */
	size_t *deps = xcalloc(r->n + 1, sizeof(*deps));
	size_t ndeps = deps_of(r, s, deps);
	struct quai_pipeline_vars dotenv = {0};
	for (size_t i = 0; i < ndeps; i++)
		load_dotenv(r, deps[i], &dotenv);
	struct quai_pipeline_vars vars = {0};
	quai_pipeline_job_env(&vars, r->p, j, (long)idx + 1, &dotenv);
	quai_pipeline_vars_release(&dotenv);

	const struct quai_pipeline_var *pd = quai_pipeline_vars_get(&vars, "CI_PROJECT_DIR");
	cleanup_free char *cpath = xstrdup(pd && pd->value[0] == '/' ? pd->value : "/builds/project");
	cleanup_free char *workdir = xasprintf("%s%s", root, cpath);
	if (mkdir_p(workdir) < 0)
		return -1;

	if (j->when == QUAI_PIPELINE_DELAYED && j->start_in_s > 0) {
		cleanup_free char *m = xasprintf("Delayed job: starting in %lds (start_in: %s)\n",
		                                 j->start_in_s, j->start_in ? j->start_in : "");
		if (write(out_fd, m, strlen(m)) < 0) {
		}
		double until = now_s() + (double)j->start_in_s;
		while (now_s() < until && !interrupted) {
			struct timespec nap = {0, 100L * 1000 * 1000};
			nanosleep(&nap, NULL);
		}
		if (interrupted) {
			FILE *f = fopen(result, "w");
			if (f) {
				fputs("0 -1 0 0 1\n", f);
				fclose(f);
			}
			return 0;
		}
	}
	section(out_fd, "get_sources", "Getting source from the commit");
	if (tar_pid > 0) {
		wait_pid(tar_pid);
	} else {
		const char *xargv[] = {"tar", "-C", workdir, "-xf", r->src_tar, NULL};
		run_argv(xargv, NULL);
	}
	for (size_t i = 0; i < ndeps; i++) {
		cleanup_free char *d = xasprintf("%s/artifacts/%zu", r->dir, deps[i]);
		if (is_dir(d)) {
			cleanup_free char *m =
			    xasprintf("Downloading artifacts of %s\n", r->js[deps[i]].job->name);
			if (write(out_fd, m, strlen(m)) < 0) {
			}
			copy_tree(d, workdir);
		}
	}
	free(deps);
	for (size_t i = 0; i < j->ncaches; i++) {
		const struct quai_pipeline_cache *c = &j->caches[i];
		cleanup_free char *cdir = cache_key(r, c);
		for (size_t f = 0; c->fallback_keys && c->fallback_keys[f] && !is_dir(cdir); f++) {
			free(cdir);
			cdir = xasprintf("%s/%s", r->cache_dir, c->fallback_keys[f]);
			/* a file name, as cache_key makes them */
			for (char *q = strrchr(cdir, '/') + 1, *k0 = q; *q; q++)
				if (*q == '/' || (*q == '.' && q == k0))
					*q = '_';
		}
		if (c->policy != QUAI_PIPELINE_PUSH && is_dir(cdir)) {
			cleanup_free char *m = xasprintf("Restoring cache %s\n", strrchr(cdir, '/') + 1);
			if (write(out_fd, m, strlen(m)) < 0) {
			}
			copy_tree(cdir, workdir);
		}
	}
	section_end(out_fd, "get_sources");

	/* the environment */
	bool shell = s->type == QUAI_EXECUTOR_SHELL;
	char **env = xcalloc(vars.n + 3, sizeof(*env));
	size_t ne = 0;
	cleanup_free char *tmpdir = xasprintf("%s.tmp", workdir);
	for (size_t i = 0; i < vars.n; i++) {
		const struct quai_pipeline_var *v = &vars.v[i];
		if (shell && (strcmp(v->key, "CI_PROJECT_DIR") == 0 || strcmp(v->key, "CI_BUILDS_DIR") == 0))
			continue;
		if (v->file) {
			mkdir_p(tmpdir);
			cleanup_free char *host = xasprintf("%s/%s", tmpdir, v->key);
			int fd = open(host, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd >= 0) {
				if (write(fd, v->value, strlen(v->value)) < 0) {
				}
				close(fd);
			}
			env[ne++] = shell ? xasprintf("%s=%s", v->key, host)
			                  : xasprintf("%s=%s.tmp/%s", v->key, cpath, v->key);
			continue;
		}
		env[ne++] = xasprintf("%s=%s", v->key, v->value);
	}
	if (shell)
		env[ne++] = xasprintf("CI_PROJECT_DIR=%s", workdir);
	if (shell && !quai_pipeline_vars_get(&vars, "PATH"))
		env[ne++] = path_with_quai();
	env[ne] = NULL;

	/* services */
	struct quai_executor_service *svcs = xcalloc(j->nservices + 1, sizeof(*svcs));
	char ***aliases = xcalloc(j->nservices + 1, sizeof(*aliases));
	char ***senv = xcalloc(j->nservices + 1, sizeof(*senv));
	for (size_t i = 0; i < j->nservices; i++) {
		const struct quai_pipeline_service *sv = &j->services[i];
		if (sv->alias) {
			aliases[i] = xcalloc(2, sizeof(char *));
			aliases[i][0] = xstrdup(sv->alias);
		} else {
			aliases[i] = quai_pipeline_service_aliases(sv->name);
		}
		senv[i] = xcalloc(sv->variables.n + ne + 1, sizeof(char *));
		size_t k = 0;
		for (size_t x = 0; x < ne; x++)
			senv[i][k++] = xstrdup(env[x]);
		for (size_t x = 0; x < sv->variables.n; x++)
			senv[i][k++] = xasprintf("%s=%s", sv->variables.v[x].key, sv->variables.v[x].value);
		svcs[i] = (struct quai_executor_service){.image = sv->name,
		                                         .aliases = (const char *const *)aliases[i],
		                                         .command = (const char *const *)sv->command,
		                                         .entrypoint = (const char *const *)sv->entrypoint,
		                                         .env = (const char *const *)senv[i]};
	}

	cleanup_free char *script =
	    quai_executor_script((const char *const *)j->before_script, (const char *const *)j->script,
	                         (const char *const *)j->after_script);
	struct quai_executor_job x = {
	    .type = s->type,
	    .name = j->name,
	    .script = script,
	    .env = (const char *const *)env,
	    .workdir = workdir,
	    .rootdir = root,
	    .project_dir = cpath,
	    .timeout_s = j->timeout_s > 0 ? j->timeout_s : DEFAULT_TIMEOUT_S,
	    .out_fd = out_fd,
	    .image = j->image.name,
	    .entrypoint = (const char *const *)j->image.entrypoint,
	    .services = svcs,
	    .nservices = j->nservices,
	    .docker_socket = s->executor && s->executor->docker_socket,
	    .privileged = s->executor && s->executor->privileged,
	    .memory = s->executor ? s->executor->memory : 0,
	    .run_id = r->run_id,
	    .copy_out = j->artifacts.set || j->ncaches > 0,
	    .defer_cleanup = true,
	    .prestarted = pre,
	    .interrupted = &interrupted,
	};
	section(out_fd, "step_script",
	        shell ? "Executing the script on the shell executor"
	              : "Executing the script on the docker executor");
	struct quai_executor_result res;
	cleanup_error struct quai_error *err = NULL;
	int rc = quai_executor_run(&x, &res, &err);
	if (rc < 0) {
		cleanup_free char *m = xasprintf("ERROR: %s\n", err->msg);
		if (write(out_fd, m, strlen(m)) < 0) {
		}
	}
	section_end(out_fd, "step_script");
	bool success = rc == 0 && res.exit_code == 0 && !res.timed_out && !res.oom_killed && !res.canceled;

	/* artifacts and cache */
	if (j->artifacts.set && when_matches(j->artifacts.when, success)) {
		section(out_fd, "upload_artifacts", "Saving artifacts");
		rm_rf(artdir);
		char **reports = strv_concat(j->artifacts.reports_dotenv, j->artifacts.reports_junit);
		char **all = strv_concat(j->artifacts.paths, reports);
		collect(workdir, all, j->artifacts.exclude, artdir);
		if (j->artifacts.untracked)
			collect_untracked(r, workdir, j->artifacts.exclude, artdir);
		free(all);
		free(reports);
		section_end(out_fd, "upload_artifacts");
	}
	for (size_t i = 0; i < j->ncaches; i++) {
		const struct quai_pipeline_cache *c = &j->caches[i];
		if (c->policy == QUAI_PIPELINE_PULL || !when_matches(c->when, success))
			continue;
		cleanup_free char *cdir = cache_key(r, c);
		cleanup_free char *m = xasprintf("Saving cache %s\n", strrchr(cdir, '/') + 1);
		if (write(out_fd, m, strlen(m)) < 0) {
		}
		cleanup_free char *tmp = xasprintf("%s.new-%ld", cdir, (long)getpid());
		collect(workdir, c->paths, NULL, tmp);
		if (c->untracked)
			collect_untracked(r, workdir, NULL, tmp);
		if (is_dir(tmp)) {
			rm_rf(cdir);
			rename(tmp, cdir);
		}
	}

	FILE *f = fopen(result, "w");
	if (f) {
		fprintf(f, "%d %d %d %d %d\n", rc, res.exit_code, res.timed_out, res.oom_killed,
		        res.canceled);
		fclose(f);
	}
	/* the result is known: the scheduler goes on while this removes the
	 * containers and the scratch files */
	close(out_fd);
	quai_executor_release(&res);
	rm_rf(jobdir);

	for (size_t i = 0; i < j->nservices; i++) {
		for (size_t k = 0; aliases[i] && aliases[i][k]; k++)
			free(aliases[i][k]);
		free(aliases[i]);
		for (size_t k = 0; senv[i][k]; k++)
			free(senv[i][k]);
		free(senv[i]);
	}
	free(aliases);
	free(senv);
	free(svcs);
	for (size_t i = 0; i < ne; i++)
		free(env[i]);
	free(env);
	quai_pipeline_vars_release(&vars);
	return 0;
}

/* ---- the parent ---- */

int quai_pipeline_run_dotenv_parse(struct quai_pipeline_vars *out, const char *text, size_t len)
{
	size_t i = 0;
	int rc = 0;
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;
		i += n + (nl ? 1 : 0);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		size_t b = 0;
		while (b < n && (line[b] == ' ' || line[b] == '\t'))
			b++;
		if (b == n || line[b] == '#')
			continue;
		const char *eq = memchr(line + b, '=', n - b);
		if (!eq || eq == line + b) {
			rc = -1;
			continue;
		}
		cleanup_free char *key = xstrndup(line + b, (size_t)(eq - line - b));
		const char *v = eq + 1;
		size_t vlen = n - (size_t)(v - line);
		if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
			v++;
			vlen -= 2;
		}
		cleanup_free char *value = xstrndup(v, vlen);
		quai_pipeline_vars_add(out, key, value);
	}
	return rc;
}

static void read_dotenv(struct run *r, struct jstate *s, size_t idx)
{
	quai_pipeline_vars_release(&s->dotenv);
	s->dotenv = (struct quai_pipeline_vars){0};
	load_dotenv(r, idx, &s->dotenv);
}

static bool retry_applies(const struct quai_pipeline_retry *rt, const struct jstate *s)
{
	if (s->attempt >= rt->max || interrupted)
		return false;
	if (rt->nexit_codes && !in_ints(rt->exit_codes, rt->nexit_codes, s->exit_code))
		return false;
	if (!rt->when || !rt->when[0])
		return true;
	for (size_t i = 0; rt->when[i]; i++) {
		const char *w = rt->when[i];
		if (strcmp(w, "always") == 0 || strcmp(w, "unknown_failure") == 0)
			return true;
		if (strcmp(w, "script_failure") == 0 && !s->timed_out && s->exit_code > 0)
			return true;
		if (strcmp(w, "job_execution_timeout") == 0 && s->timed_out)
			return true;
	}
	return false;
}

/* Forks the job's process; ahead: it prepares its container and waits
 * for go_job. */
static int fork_job(struct run *r, size_t idx, bool ahead)
{
	struct jstate *s = &r->js[idx];
	int fds[2], go[2] = {-1, -1};
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if (ahead && pipe2(go, O_CLOEXEC) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	fflush(r->out);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		close(fds[0]);
		/* only the scheduler may hold the other waiting jobs' pipes */
		for (size_t k = 0; k < r->n; k++)
			if (r->js[k].go_fd >= 0)
				close(r->js[k].go_fd);
		if (ahead)
			close(go[1]);
		int rc = job_process(r, idx, fds[1], go[0]);
		_exit(rc < 0 ? 1 : 0);
	}
	close(fds[1]);
	if (ahead)
		close(go[0]);
	if (pid < 0) {
		close(fds[0]);
		if (ahead)
			close(go[1]);
		return -1;
	}
	s->pid = pid;
	s->fd = fds[0];
	s->go_fd = ahead ? go[1] : -1;
	return 0;
}

/* Tells a job started ahead to run ('g') or to drop its container. */
static void go_job(struct run *r, struct jstate *s, bool run)
{
	char c = run ? 'g' : 's';
	if (write(s->go_fd, &c, 1) < 0) {
	}
	close(s->go_fd);
	s->go_fd = -1;
	if (!run) {
		close(s->fd);
		s->fd = -1;
		r->reap = xgrow(r->reap, &r->reapcap, r->nreap + 1, sizeof(*r->reap));
		r->reap[r->nreap++] = s->pid;
		s->pid = 0;
	}
}

static void start_job(struct run *r, size_t idx)
{
	struct jstate *s = &r->js[idx];
	if (s->go_fd >= 0) {
		go_job(r, s, true);
	} else if (fork_job(r, idx, false) < 0) {
		s->status = QUAI_RUN_FAILED;
		return;
	}
	s->status = QUAI_RUN_RUNNING;
	if (!s->attempt)
		s->started = now_s();
	fprintf(r->out, "%s %s\n", s->attempt ? "Retrying job" : "Starting job", s->job->name);
	fflush(r->out);
}

static void finish_job(struct run *r, size_t idx)
{
	struct jstate *s = &r->js[idx];
	r->reap = xgrow(r->reap, &r->reapcap, r->nreap + 1, sizeof(*r->reap));
	r->reap[r->nreap++] = s->pid;
	s->pid = 0;
	cleanup_free char *result = xasprintf("%s/result-%zu", r->dir, idx);
	cleanup_free char *data = NULL;
	size_t len = 0;
	int rc = -1, code = -1, to = 0, oom = 0, canceled = 0;
	if (quai_file_read(&data, &len, result, 4096, NULL) == 0 &&
	    sscanf(data, "%d %d %d %d %d", &rc, &code, &to, &oom, &canceled) == 5) {
	}
	unlink(result);
	s->exit_code = code;
	s->timed_out = to;
	s->oom_killed = oom;
	if (rc == 0 && code == 0 && !to && !oom && !canceled) {
		s->status = QUAI_RUN_SUCCESS;
	} else if (canceled || interrupted) {
		s->status = QUAI_RUN_CANCELED;
	} else {
		if (oom)
			say(r, s,
			    "ERROR: Job failed: the container was killed by the OOM killer (out of memory)");
		else if (to)
			say(r, s, "ERROR: Job failed: execution took longer than %lds",
			    s->job->timeout_s > 0 ? s->job->timeout_s : (long)DEFAULT_TIMEOUT_S);
		else if (rc < 0)
			say(r, s, "ERROR: Job failed: the job could not run");
		else
			say(r, s, "ERROR: Job failed: exit code %d", code);
		if (retry_applies(&s->job->retry, s)) {
			s->attempt++;
			job_output_end(r, s);
			start_job(r, idx);
			return;
		}
		s->status = QUAI_RUN_FAILED;
		s->allowed = s->job->nallow_failure_codes
		                 ? in_ints(s->job->allow_failure_codes, s->job->nallow_failure_codes, code)
		                 : s->job->allow_failure;
	}
	job_output_end(r, s);
	s->duration = now_s() - s->started;
	if (s->status == QUAI_RUN_SUCCESS || s->status == QUAI_RUN_FAILED)
		read_dotenv(r, s, idx);
	fprintf(r->out, "Job %s: %s%s\n", s->job->name, quai_pipeline_run_status_name(s->status),
	        s->allowed ? " (allowed to fail)" : "");
	fflush(r->out);
}

static bool done(enum quai_pipeline_run_status st)
{
	return st != QUAI_RUN_PENDING && st != QUAI_RUN_RUNNING;
}

static bool bad(const struct jstate *s)
{
	return (s->status == QUAI_RUN_FAILED && !s->allowed) || s->status == QUAI_RUN_CANCELED;
}

/* Whether job idx can be decided now: 1 ready (*failed: an upstream job
 * failed; *blocked: a needed job did not run), 0 not yet. */
static int ready(struct run *r, size_t idx, bool *failed, bool *blocked)
{
	const struct quai_pipeline_job *j = r->js[idx].job;
	*failed = false;
	*blocked = false;
	if (j->has_needs) {
		for (size_t i = 0; i < j->nneeds; i++) {
			size_t x = index_of(r, j->needs[i].job);
			if (x == (size_t)-1 || !r->js[x].selected)
				continue;
			if (!done(r->js[x].status))
				return 0;
			if (bad(&r->js[x]))
				*failed = true;
			if (r->js[x].status == QUAI_RUN_SKIPPED || r->js[x].status == QUAI_RUN_MANUAL)
				*blocked = true;
		}
		return 1;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (!r->js[i].selected || r->js[i].job->stage_index >= j->stage_index)
			continue;
		if (!done(r->js[i].status))
			return 0;
		if (bad(&r->js[i]))
			*failed = true;
	}
	return 1;
}

static void print_table(struct run *r)
{
	fprintf(r->out, "\n%-*s  %-10s  %-9s  %4s  %8s\n", (int)r->namewidth, "JOB", "STAGE", "STATUS",
	        "EXIT", "DURATION");
	for (size_t i = 0; i < r->n; i++) {
		const struct jstate *s = &r->js[i];
		if (!s->selected)
			continue;
		char code[16] = "-";
		if (s->status == QUAI_RUN_SUCCESS || s->status == QUAI_RUN_FAILED)
			snprintf(code, sizeof(code), "%d", s->exit_code);
		fprintf(r->out, "%-*s  %-10s  %-9s  %4s  %7.2fs%s%s%s\n", (int)r->namewidth, s->job->name,
		        s->job->stage, quai_pipeline_run_status_name(s->status), code, s->duration,
		        s->allowed ? "  allowed to fail" : "", s->timed_out ? "  timed out" : "",
		        s->oom_killed ? "  OOM killed" : "");
	}
}

static int write_report(struct run *r, bool failed, struct quai_error **err)
{
	json_t *jobs = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct jstate *s = &r->js[i];
		if (!s->selected)
			continue;
		enum quai_pipeline_run_status st = s->status;
		if (st == QUAI_RUN_PENDING || st == QUAI_RUN_RUNNING)
			st = QUAI_RUN_CANCELED;
		bool ran = st == QUAI_RUN_SUCCESS || st == QUAI_RUN_FAILED;
		json_array_append_new(
		    jobs,
		    json_pack("{s:s, s:s, s:s, s:b, s:o, s:f}", "name", s->job->name, "stage", s->job->stage,
		              "status", quai_pipeline_run_status_name(st), "allow_failure",
		              s->allowed || (st != QUAI_RUN_FAILED && s->job->allow_failure), "exit_code",
		              ran ? json_integer(s->exit_code) : json_null(), "duration_s",
		              (double)((long)(s->duration * 1000)) / 1000.0));
	}
	json_t *rep = json_pack("{s:s, s:o}", "status", failed ? "failed" : "success", "jobs", jobs);
	int rc = json_dump_file(rep, r->o->report, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	json_decref(rep);
	if (rc < 0)
		return quai_error_errno(err, errno, "cannot write the report %s", r->o->report);
	return 0;
}

static int make_source_tar(struct run *r, struct quai_error **err)
{
	const char *proj = r->p->project_dir;
	cleanup_free char *git = xasprintf("%s/.git", proj);
	struct stat st;
	int rc = -1;
	if (stat(git, &st) == 0) {
		const char *argv[] = {"git", "-C",       proj,   "archive", "--format=tar",
		                      "-o",  r->src_tar, "HEAD", NULL};
		rc = quai_executor_spawn(argv, NULL, -1, -1, -1);
	}
	if (rc != 0) {
		/* not a repository (or no commit): the directory as it is */
		const char *argv[] = {"tar",      "-C", proj, "--exclude=./.git", "--exclude=./.quai", "-cf",
		                      r->src_tar, ".",  NULL};
		rc = quai_executor_spawn(argv, NULL, -1, -1, 2);
	}
	if (rc != 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "cannot make a working copy of %s", proj);
	return 0;
}

static void collect_masked(struct run *r)
{
	const struct quai_pipeline_vars *sets[] = {&r->p->predefined, &r->p->variables, &r->p->user};
	size_t n = 0, cap = 0;
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < sets[k]->n; i++)
			if (sets[k]->v[i].masked && sets[k]->v[i].value && sets[k]->v[i].value[0]) {
				r->masked = xgrow(r->masked, &cap, n + 2, sizeof(*r->masked));
				r->masked[n++] = sets[k]->v[i].value;
				r->masked[n] = NULL;
			}
	for (size_t i = 0; i < r->p->njobs; i++) {
		const struct quai_pipeline_vars *v = &r->p->jobs[i].variables;
		for (size_t k = 0; k < v->n; k++)
			if (v->v[k].masked && v->v[k].value && v->v[k].value[0]) {
				r->masked = xgrow(r->masked, &cap, n + 2, sizeof(*r->masked));
				r->masked[n++] = v->v[k].value;
				r->masked[n] = NULL;
			}
	}
}

int quai_pipeline_run(const struct quai_pipeline *p, const struct quai_pipeline_run_options *opts,
                      struct quai_error **err)
{
	struct run r = {.p = p, .o = opts, .out = opts->out ? opts->out : stdout};
	for (size_t i = 0; opts->only && opts->only[i]; i++)
		if (!quai_pipeline_find(p, opts->only[i]))
			return quai_error_set(err, QUAI_EXIT_USAGE, "--job %s: the pipeline has no such job",
			                      opts->only[i]);
	for (size_t i = 0; opts->manual && opts->manual[i]; i++)
		if (!quai_pipeline_find(p, opts->manual[i]))
			return quai_error_set(err, QUAI_EXIT_USAGE,
			                      "--manual %s: the pipeline has no such job", opts->manual[i]);
	if (!p->created)
		return quai_error_set(err, QUAI_EXIT_FINDINGS, "no pipeline is created for this commit: %s",
		                      p->reason ? p->reason : "workflow:rules");

	char tmpl[] = "/tmp/quai-pipeline-XXXXXX";
	if (!mkdtemp(tmpl))
		return quai_error_errno(err, errno, "cannot make a scratch directory");
	r.dir = xstrdup(tmpl);
	r.src_tar = xasprintf("%s/source.tar", r.dir);
	r.cache_dir =
	    opts->cache_dir ? xstrdup(opts->cache_dir) : xasprintf("%s/.quai/cache", p->project_dir);
	r.run_id = xasprintf("pipeline-%ld-%ld", (long)getpid(), (long)time(NULL));
	mkdir_p(r.cache_dir);
	int rc = -1;
	if (make_source_tar(&r, err) < 0)
		goto out;
	collect_masked(&r);
	bool untracked = false;
	for (size_t i = 0; i < p->njobs; i++) {
		untracked = untracked || p->jobs[i].artifacts.untracked;
		for (size_t k = 0; k < p->jobs[i].ncaches; k++)
			untracked = untracked || p->jobs[i].caches[k].untracked;
	}
	if (untracked)
		load_tracked(&r);

	r.js = xcalloc(p->njobs + 1, sizeof(*r.js));
	for (size_t i = 0; i < p->njobs; i++) {
		const struct quai_pipeline_job *j = &p->jobs[i];
		if (!j->created)
			continue;
		struct jstate *s = &r.js[r.n++];
		s->job = j;
		s->fd = -1;
		s->go_fd = -1;
		s->selected = !opts->only || in_list(opts->only, j->name);
		quai_executor_masker_init(&s->masker, (const char *const *)r.masked);
		if (s->selected && strlen(j->name) > r.namewidth)
			r.namewidth = strlen(j->name);
		pick_executor(&r, s);
	}

	struct sigaction sa = {0}, old_int, old_term;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	interrupted = 0;

	if (r.namewidth < 3)
		r.namewidth = 3;
	int maxjobs = opts->jobs > 0 ? opts->jobs : 1;
	bool no_ahead = getenv("QUAI_PIPELINE_NO_AHEAD") != NULL;
	struct sigaction ign = {0}, old_pipe;
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);
	bool forwarded = false;
	for (;;) {
		/* decide what can be decided */
		int running = 0;
		for (size_t i = 0; i < r.n; i++)
			if (r.js[i].status == QUAI_RUN_RUNNING)
				running++;
		bool progress = true;
		while (progress) {
			progress = false;
			for (size_t i = 0; i < r.n; i++) {
				struct jstate *s = &r.js[i];
				if (!s->selected || s->status != QUAI_RUN_PENDING)
					continue;
				if (interrupted) {
					s->status = QUAI_RUN_CANCELED;
					if (s->go_fd >= 0)
						go_job(&r, s, false);
					progress = true;
					continue;
				}
				bool failed, blocked;
				if (!ready(&r, i, &failed, &blocked))
					continue;
				enum quai_pipeline_when w = s->job->when;
				bool run = false;
				if (w == QUAI_PIPELINE_MANUAL && !in_list(opts->manual, s->job->name) &&
				    !(opts->only && in_list(opts->only, s->job->name))) {
					s->status = QUAI_RUN_MANUAL;
				} else if (blocked) {
					s->status = QUAI_RUN_SKIPPED;
				} else if (w == QUAI_PIPELINE_ALWAYS) {
					run = true;
				} else if (w == QUAI_PIPELINE_ON_FAILURE) {
					run = failed;
					if (!run)
						s->status = QUAI_RUN_SKIPPED;
				} else {
					run = !failed;
					if (!run)
						s->status = QUAI_RUN_SKIPPED;
				}
				if (run && s->error) {
					fprintf(r.out, "Job %s: %s\n", s->job->name, s->error);
					s->status = QUAI_RUN_FAILED;
					s->allowed = s->job->allow_failure;
					run = false;
				}
				if (run) {
					if (running >= maxjobs)
						continue;
					start_job(&r, i);
					running++;
				} else if (s->go_fd >= 0) {
					go_job(&r, s, false);
				}
				progress = true;
			}
		}
		/* docker jobs that wait for others: their containers are made and
		 * started meanwhile, up to --jobs of them */
		size_t ahead = 0;
		for (size_t i = 0; i < r.n; i++)
			ahead += r.js[i].status == QUAI_RUN_PENDING && r.js[i].go_fd >= 0;
		for (size_t i = 0; i < r.n && ahead < (size_t)maxjobs && running && !interrupted && !no_ahead;
		     i++) {
			struct jstate *s = &r.js[i];
			if (!s->selected || s->status != QUAI_RUN_PENDING || s->go_fd >= 0 || s->pid ||
			    s->type != QUAI_EXECUTOR_DOCKER || s->error || s->job->nservices ||
			    (s->job->when == QUAI_PIPELINE_MANUAL && !in_list(opts->manual, s->job->name)) ||
			    s->job->when == QUAI_PIPELINE_DELAYED)
				continue;
			if (fork_job(&r, i, true) == 0)
				ahead++;
		}
		if (!running)
			break;
		if (interrupted && !forwarded) {
			forwarded = true;
			for (size_t i = 0; i < r.n; i++)
				if (r.js[i].pid > 0)
					kill(r.js[i].pid, SIGTERM);
		}

		for (size_t i = 0; i < r.nreap; i++) {
			int st;
			if (r.reap[i] > 0 && waitpid(r.reap[i], &st, WNOHANG) == r.reap[i])
				r.reap[i] = -1;
		}

		/* wait for output or an end */
		struct pollfd *pfd = xcalloc(r.n + 1, sizeof(*pfd));
		size_t *which = xcalloc(r.n + 1, sizeof(*which));
		size_t np = 0;
		for (size_t i = 0; i < r.n; i++)
			if (r.js[i].status == QUAI_RUN_RUNNING) {
				pfd[np] = (struct pollfd){.fd = r.js[i].fd, .events = POLLIN};
				which[np++] = i;
			}
		int pr = poll(pfd, np, 1000);
		for (size_t k = 0; pr > 0 && k < np; k++) {
			if (!pfd[k].revents)
				continue;
			struct jstate *s = &r.js[which[k]];
			char buf[8192];
			ssize_t got = read(s->fd, buf, sizeof(buf));
			if (got > 0) {
				job_output(&r, s, buf, (size_t)got);
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(s->fd);
				s->fd = -1;
				finish_job(&r, which[k]);
			}
		}
		free(pfd);
		free(which);
	}
	/* jobs started ahead that never ran */
	for (size_t i = 0; i < r.n; i++)
		if (r.js[i].go_fd >= 0)
			go_job(&r, &r.js[i], false);
	sigaction(SIGPIPE, &old_pipe, NULL);
	/* every job process ends (its containers removed) before quai does */
	for (size_t i = 0; i < r.nreap; i++) {
		int st;
		while (r.reap[i] > 0 && waitpid(r.reap[i], &st, 0) < 0 && errno == EINTR)
			;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	bool failed = interrupted;
	for (size_t i = 0; i < r.n; i++)
		if (r.js[i].selected && bad(&r.js[i]))
			failed = true;
	print_table(&r);
	fprintf(r.out, "\nPipeline %s\n", failed ? "failed" : "passed");
	fflush(r.out);
	rc = failed ? 1 : 0;
	if (opts->report && write_report(&r, failed, err) < 0)
		rc = -1;
out:
	for (size_t i = 0; i < r.n; i++) {
		quai_executor_masker_release(&r.js[i].masker);
		quai_buf_release(&r.js[i].line);
		quai_pipeline_vars_release(&r.js[i].dotenv);
		free(r.js[i].error);
	}
	free(r.js);
	free(r.masked);
	free(r.reap);
	for (size_t i = 0; i < r.ntracked; i++)
		free(r.tracked[i]);
	free(r.tracked);
	rm_rf(r.dir);
	free(r.dir);
	free(r.src_tar);
	free(r.cache_dir);
	free(r.run_id);
	return rc;
}
