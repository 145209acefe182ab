/* One pipeline, start to end, in its own thread (see scheduler.h): fetch,
 * check out, run each job as a child process streaming its log, record
 * the outcome, report it to the forge. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "scheduler/checkout.h"
#include "scheduler/internal.h"
#include "core/banned.h"

extern char **environ;

#define REPORT_MAX_BYTES   (1u << 20)
#define LINE_MAX_BYTES     (64u << 10)
#define KILL_GRACE_SECONDS 5

void quai_scheduler_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "quai serve: %s\n", msg);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkdirs(const char *path)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0750) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

/* The log of one job: lines with the project's secrets masked, cut at
 * the size cap. */
struct log {
	int fd;
	size_t bytes, cap;
	bool truncated, write_failed;
	const char *secrets[5];
	struct quai_buf line;
};

static void log_raw(struct log *l, const char *data, size_t len)
{
	if (l->truncated || l->write_failed)
		return;
	if (l->bytes + len > l->cap) {
		len = l->cap - l->bytes;
		l->truncated = true;
	}
	while (len > 0) {
		ssize_t n = write(l->fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			l->write_failed = true;
			return;
		}
		data += n;
		len -= (size_t)n;
		l->bytes += (size_t)n;
	}
	if (l->truncated) {
		char note[96];
		int n = snprintf(note, sizeof(note), "\n[quai serve: log cut at %zu bytes]\n", l->cap);
		if (write(l->fd, note, (size_t)n) > 0)
			l->bytes += (size_t)n;
	}
}

static void log_flush_line(struct log *l)
{
	const char *p = quai_buf_str(&l->line);
	size_t len = l->line.len;
	size_t start = 0;
	for (size_t i = 0; i < len;) {
		size_t hit = 0;
		for (int s = 0; s < 5 && l->secrets[s]; s++) {
			size_t sl = strlen(l->secrets[s]);
			if (sl >= 4 && i + sl <= len && memcmp(p + i, l->secrets[s], sl) == 0) {
				hit = sl;
				break;
			}
		}
		if (hit) {
			log_raw(l, p + start, i - start);
			log_raw(l, "[MASKED]", 8);
			i += hit;
			start = i;
		} else {
			i++;
		}
	}
	log_raw(l, p + start, len - start);
	quai_buf_truncate(&l->line, 0);
}

static void log_add(struct log *l, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		quai_buf_putc(&l->line, data[i]);
		if (data[i] == '\n' || l->line.len >= LINE_MAX_BYTES)
			log_flush_line(l);
	}
}

static void log_printf(struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_printf(struct log *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	log_add(l, msg, strlen(msg));
}

static void add_env(char ***env, size_t *n, size_t *cap, const char *name, const char *value)
{
	if (!value)
		return;
	*env = xgrow(*env, cap, *n + 2, sizeof(char *));
	(*env)[(*n)++] = xasprintf("%s=%s", name, value);
	(*env)[*n] = NULL;
}

/* The job's environment: a few of the server's variables, never all of
 * them (they may hold the secrets of {env: NAME}), and the run's facts. */
static char **job_env(const struct quai_project_config *p, const struct quai_store_pipeline *pl,
                      const char *job, const char *report)
{
	static const char *const keep[] = {"PATH",
	                                   "HOME",
	                                   "USER",
	                                   "LOGNAME",
	                                   "LANG",
	                                   "LC_ALL",
	                                   "TZ",
	                                   "TMPDIR",
	                                   "XDG_RUNTIME_DIR",
	                                   "DOCKER_HOST",
	                                   "DOCKER_CONFIG",
	                                   "DOCKER_CERT_PATH",
	                                   "DOCKER_TLS_VERIFY",
	                                   "SSL_CERT_FILE",
	                                   "SSL_CERT_DIR",
	                                   NULL};
	char **env = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; keep[i]; i++)
		add_env(&env, &n, &cap, keep[i], getenv(keep[i]));
	char id[32];
	snprintf(id, sizeof(id), "%lld", (long long)pl->id);
	add_env(&env, &n, &cap, "QUAI_PIPELINE_ID", id);
	add_env(&env, &n, &cap, "QUAI_PROJECT", p->name);
	add_env(&env, &n, &cap, "QUAI_JOB", job);
	add_env(&env, &n, &cap, "QUAI_REF", pl->ref);
	add_env(&env, &n, &cap, "QUAI_BRANCH", pl->branch);
	add_env(&env, &n, &cap, "QUAI_COMMIT_SHA", pl->sha);
	add_env(&env, &n, &cap, "QUAI_BEFORE_SHA", pl->before);
	add_env(&env, &n, &cap, "QUAI_REPORT", report);
	add_env(&env, &n, &cap, "QUAI_ONLY_IMAGES", pl->only);
	add_env(&env, &n, &cap, "QUAI_REGISTRY", p->registry);
	add_env(&env, &n, &cap, "QUAI_REGISTRY_USER", p->registry_user);
	add_env(&env, &n, &cap, "QUAI_REGISTRY_PASSWORD", p->registry_password);
	if (!env)
		env = xcalloc(1, sizeof(char *));
	return env;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The job's argv: the project's command with {report} replaced, else
 * quai's own: `quai run --report FILE` comparing with the push's previous
 * head, else with the branch's last success (a fresh checkout has no
 * .quai/runs to remember it), else on the default branch --all, elsewhere
 * quai run's own default (the merge base with the default branch);
 * `--only` for the base-image watch; `quai run --pipeline` for
 * .gitlab-ci.yml. */
static char **job_argv(const struct quai_scheduler *s, const struct quai_project_config *p, const char *job,
                       const char *report, const char *since, bool all, const char *only)
{
	size_t n = 0;
	if (p->command) {
		while (p->command[n])
			n++;
		char **argv = xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			argv[i] =
			    strcmp(p->command[i], "{report}") == 0 ? xstrdup(report) : xstrdup(p->command[i]);
		return argv;
	}
	char **argv = xcalloc(8, sizeof(char *));
	argv[n++] = xstrdup(s->quai_bin);
	argv[n++] = xstrdup("run");
	if (strcmp(job, "pipeline") == 0) {
		argv[n++] = xstrdup("--pipeline");
	} else if (only) {
		argv[n++] = xstrdup("--only");
		argv[n++] = xstrdup(only);
	} else if (since) {
		argv[n++] = xstrdup("--since");
		argv[n++] = xstrdup(since);
	} else if (all) {
		argv[n++] = xstrdup("--all");
	}
	argv[n++] = xstrdup("--report");
	argv[n++] = xstrdup(report);
	return argv;
}

static int spawn(pid_t *pid, char **argv, char **envp, const char *dir, int out_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr,
	                         POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	int rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

enum stop_reason { RAN, CANCELED, TIMED_OUT, SHUTDOWN };

/* Runs argv in dir, its output into l; returns the exit status (128 + signal
 * when killed) and why it was stopped. */
static int run_child(struct run *r, int64_t job, char **argv, char **envp, const char *dir, unsigned timeout,
                     struct log *l, enum stop_reason *why)
{
	*why = RAN;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_printf(l, "quai serve: cannot make a pipe: %s\n", strerror(errno));
		return -1;
	}
	pid_t pid;
	int rc = spawn(&pid, argv, envp, dir, fds[1]);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		log_printf(l, "quai serve: cannot run '%s': %s\n", argv[0], strerror(rc));
		return 127;
	}
	atomic_store(&r->pgid, pid);
	quai_store_job_set_pid(r->s->store, job, (long)pid);
	double start = now_seconds(), term_at = 0;
	int status = 0;
	bool exited = false, eof = false;
	char buf[16384];
	while (!(exited && eof)) {
		struct pollfd pfd = {fds[0], POLLIN, 0};
		int pr = eof ? 0 : poll(&pfd, 1, 200);
		if (pr > 0) {
			ssize_t n = read(fds[0], buf, sizeof(buf));
			if (n > 0)
				log_add(l, buf, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				eof = true;
		} else if (eof) {
			struct timespec ts = {0, 100000000L};
			nanosleep(&ts, NULL);
		}
		if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			/* what the job left behind in its group goes too */
			kill(-pid, SIGKILL);
			/* drain what is buffered, then stop even if a grandchild holds the pipe */
			struct pollfd d = {fds[0], POLLIN, 0};
			while (!eof && poll(&d, 1, 0) > 0) {
				ssize_t n = read(fds[0], buf, sizeof(buf));
				if (n <= 0)
					break;
				log_add(l, buf, (size_t)n);
			}
			eof = true;
		}
		if (exited)
			break;
		double now = now_seconds();
		if (*why == RAN) {
			if (atomic_load(&r->shutdown))
				*why = SHUTDOWN;
			else if (atomic_load(&r->cancel))
				*why = CANCELED;
			else if (timeout && now - start > timeout)
				*why = TIMED_OUT;
			if (*why != RAN) {
				kill(-pid, SIGTERM);
				term_at = now;
			}
		} else if (now - term_at > KILL_GRACE_SECONDS) {
			kill(-pid, SIGKILL);
		}
	}
	close(fds[0]);
	atomic_store(&r->pgid, 0);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* The report the job wrote, when it is a JSON document, as compact JSON. */
static char *read_report(const char *path)
{
	char *data = NULL;
	size_t len = 0;
	struct quai_error *err = NULL;
	if (quai_file_read(&data, &len, path, REPORT_MAX_BYTES, &err) < 0) {
		quai_error_free(err);
		return NULL;
	}
	json_t *j = json_loadb(data, len, 0, NULL);
	free(data);
	if (!j)
		return NULL;
	char *out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return out;
}

struct ctx {
	struct quai_scheduler *s;
	struct run *r;
	const struct quai_project_config *p;
	struct quai_store_pipeline pl;
	char *rundir;
	char *since; /* the commit `quai run` compares with, or NULL (see job_argv) */
};

/* Runs one job; returns its status. */
static const char *run_job(struct ctx *c, int64_t job, const char *name, const char *src, char **message)
{
	const struct quai_server_config *cfg = c->s->cfg;
	cleanup_free char *logdir = xasprintf("%s/logs/%lld", cfg->data_dir, (long long)c->pl.id);
	cleanup_free char *logpath = xasprintf("%s/%lld.log", logdir, (long long)job);
	cleanup_free char *report = xasprintf("%s/report-%lld.json", c->rundir, (long long)job);
	struct log l = {.fd = -1, .cap = cfg->log_max_bytes};
	l.secrets[0] = c->p->webhook_secret;
	int ns = 1;
	if (c->p->token)
		l.secrets[ns++] = c->p->token;
	if (c->p->registry_password)
		l.secrets[ns++] = c->p->registry_password;
	if (c->p->status_token)
		l.secrets[ns++] = c->p->status_token;
	if (mkdirs(logdir) < 0 ||
	    (l.fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0) {
		*message = xasprintf("cannot write the log '%s': %s", logpath, strerror(errno));
		quai_store_job_start(c->s->store, job, NULL, NULL);
		quai_store_job_finish(c->s->store, job, QUAI_ST_FAILED, -1, 0, NULL, NULL);
		return QUAI_ST_FAILED;
	}
	quai_store_job_start(c->s->store, job, logpath, NULL);
	bool on_default = c->pl.branch && strcmp(c->pl.branch, c->p->default_branch) == 0;
	char **argv = job_argv(c->s, c->p, name, report, c->since, on_default, c->pl.only);
	char **envp = job_env(c->p, &c->pl, name, report);
	log_printf(&l, "quai serve: pipeline %lld, job '%s', commit %s\n", (long long)c->pl.id, name,
	           c->pl.sha ? c->pl.sha : "?");
	enum stop_reason why;
	int code = run_child(c->r, job, argv, envp, src, c->p->timeout_seconds, &l, &why);
	const char *status = code == 0 ? QUAI_ST_SUCCESS : QUAI_ST_FAILED;
	if (why == CANCELED) {
		status = QUAI_ST_CANCELED;
		log_printf(&l, "\nquai serve: canceled\n");
	} else if (why == TIMED_OUT) {
		log_printf(&l, "\nquai serve: stopped after the job timeout of %u s\n",
		           c->p->timeout_seconds);
		*message = xasprintf("job '%s' timed out after %u s", name, c->p->timeout_seconds);
	} else if (why == SHUTDOWN) {
		log_printf(&l, "\nquai serve: the server stopped; the pipeline runs again when it starts\n");
		status = QUAI_ST_RUNNING;
	} else if (code != 0) {
		log_printf(&l, "\nquai serve: job '%s' exited with status %d\n", name, code);
		*message = xasprintf("job '%s' exited with status %d", name, code);
	}
	if (l.line.len)
		log_flush_line(&l);
	if (l.write_failed && !*message)
		*message = xasprintf("the log of job '%s' could not be written (disk full?)", name);
	close(l.fd);
	quai_buf_release(&l.line);
	cleanup_free char *report_json = read_report(report);
	quai_scheduler_observe_report(c->s, report_json);
	if (why != SHUTDOWN)
		quai_store_job_finish(c->s->store, job, status, code, l.bytes, report_json, NULL);
	else
		quai_store_job_log_bytes(c->s->store, job, l.bytes);
	strv_free(argv);
	strv_free(envp);
	return status;
}

static int prepare(struct ctx *c, char **message)
{
	struct quai_scheduler *s = c->s;
	cleanup_free char *mirror = xasprintf("%s/mirrors/%s.git", s->cfg->data_dir, c->p->name);
	struct quai_error *err = NULL;
	char sha[41];
	pthread_mutex_lock(&s->mirror_locks[c->r->project]);
	int rc = quai_checkout_fetch(c->p, mirror, c->pl.ref, &err);
	if (rc == 0 && !c->pl.sha) {
		cleanup_free char *ref =
		    c->pl.ref ? xstrdup(c->pl.ref) : xasprintf("refs/heads/%s", c->pl.branch);
		rc = quai_checkout_resolve(mirror, ref, sha, &err);
		if (rc == 0) {
			c->pl.sha = xstrdup(sha);
			quai_store_pipeline_set_sha(s->store, c->pl.id, c->pl.sha);
		}
	}
	pthread_mutex_unlock(&s->mirror_locks[c->r->project]);
	if (rc == 0) {
		cleanup_free char *src = xasprintf("%s/src", c->rundir);
		quai_checkout_remove(c->rundir);
		if (mkdirs(c->rundir) < 0)
			rc = quai_error_errno(&err, errno, "cannot create '%s'", c->rundir);
		else
			rc = quai_checkout_worktree(mirror, src, c->pl.sha, c->pl.branch, c->p->url, &err);
	}
	if (rc < 0) {
		*message = xstrdup(err ? err->msg : "cannot fetch the commit");
		quai_error_free(err);
	}
	return rc;
}

static void report(struct ctx *c, const char *state, const char *description)
{
	const struct quai_project_config *p = c->p;
	if (p->status_forge == QUAI_FORGE_NONE || !c->pl.sha)
		return;
	struct quai_forge_status_target t = {p->status_forge, p->status_api, p->status_repo, p->status_token};
	cleanup_free char *url = c->s->cfg->public_url ? xasprintf("%s/api/v1/pipelines/%lld",
	                                                           c->s->cfg->public_url, (long long)c->pl.id)
	                                               : NULL;
	struct quai_error *err = NULL;
	if (quai_forge_report_status(&t, c->pl.sha, state, url, description, &err) < 0) {
		quai_scheduler_log("project '%s': %s", p->name, err->msg);
		quai_error_free(err);
	}
}

static void mail(struct ctx *c, bool failed)
{
	const struct quai_project_config *p = c->p;
	struct quai_forge_mail m = {p->mail_url, p->mail_from, (const char *const *)p->mail_to, p->mail_user,
	                            p->mail_password};
	cleanup_free char *subject = xasprintf("[quai] %s %s: pipeline %lld %s", p->name, c->pl.branch,
	                                       (long long)c->pl.id, failed ? "failed" : "is back to success");
	cleanup_free char *link =
	    c->s->cfg->public_url
	        ? xasprintf("%s/api/v1/pipelines/%lld", c->s->cfg->public_url, (long long)c->pl.id)
	        : NULL;
	cleanup_free char *body = xasprintf("Project: %s\nBranch: %s\nCommit: %s\nPipeline: %lld%s%s\n",
	                                    p->name, c->pl.branch, c->pl.sha ? c->pl.sha : "?",
	                                    (long long)c->pl.id, link ? "\nLink: " : "", link ? link : "");
	struct quai_error *err = NULL;
	if (quai_forge_send_mail(&m, subject, body, &err) < 0) {
		quai_scheduler_log("project '%s': %s", p->name, err->msg);
		quai_error_free(err);
	}
}

static void notify(struct ctx *c, const char *status)
{
	if ((!c->p->notify_webhook && !c->p->mail_url) || !c->pl.branch)
		return;
	bool failed = strcmp(status, QUAI_ST_FAILED) == 0;
	const char *prev = NULL;
	char buf[32];
	if (quai_store_previous_status(c->s->store, c->pl.id, buf, sizeof(buf)) == 0)
		prev = buf;
	bool recovered = strcmp(status, QUAI_ST_SUCCESS) == 0 && prev && strcmp(prev, QUAI_ST_FAILED) == 0;
	if (!failed && !recovered)
		return;
	if (c->p->mail_url)
		mail(c, failed);
	if (!c->p->notify_webhook)
		return;
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:I, s:s?}", "event", failed ? "failed" : "recovered", "project",
	              c->p->name, "branch", c->pl.branch, "pipeline", (json_int_t)c->pl.id, "sha", c->pl.sha);
	cleanup_free char *body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	struct quai_error *err = NULL;
	if (quai_forge_post_json(c->p->notify_webhook, body, &err) < 0) {
		quai_scheduler_log("project '%s': notification: %s", c->p->name, err->msg);
		quai_error_free(err);
	}
}

static void prune(struct ctx *c)
{
	char **paths = NULL;
	if (quai_store_prune(c->s->store, c->p->name, c->p->keep_pipelines, &paths, NULL) == 0) {
		for (size_t i = 0; paths[i]; i++) {
			unlink(paths[i]);
			char *slash = strrchr(paths[i], '/');
			if (slash) {
				*slash = '\0';
				rmdir(paths[i]);
			}
		}
	}
	strv_free(paths);
}

/* True when process pid has QUAI_PIPELINE_ID=pipeline in its environment. */
static bool is_job_process(long pid, int64_t pipeline)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
	char *data = NULL;
	size_t len = 0;
	struct quai_error *err = NULL;
	if (quai_file_read(&data, &len, path, 1u << 20, &err) < 0) {
		quai_error_free(err);
		return false;
	}
	char want[64];
	int wl = snprintf(want, sizeof(want), "QUAI_PIPELINE_ID=%lld", (long long)pipeline);
	bool found = false;
	for (size_t i = 0; i < len && !found; i += strlen(data + i) + 1)
		found = strncmp(data + i, want, (size_t)wl + 1) == 0;
	free(data);
	return found;
}

size_t quai_scheduler_kill_orphans(struct quai_store *store)
{
	long *pids = NULL;
	int64_t *pipelines = NULL;
	size_t n = 0, killed = 0;
	quai_store_running_pids(store, &pids, &pipelines, &n);
	for (size_t i = 0; i < n; i++) {
		if (pids[i] > 1 && is_job_process(pids[i], pipelines[i]) &&
		    kill((pid_t)-pids[i], SIGKILL) == 0) {
			quai_scheduler_log("stopped process group %ld left running by pipeline %lld", pids[i],
			                   (long long)pipelines[i]);
			killed++;
		}
	}
	free(pids);
	free(pipelines);
	return killed;
}

void *quai_scheduler_worker(void *arg)
{
	struct run *r = arg;
	struct ctx c = {.s = r->s, .r = r, .p = &r->s->cfg->projects[r->project]};
	double start = now_seconds();
	char *message = NULL;
	const char *status = QUAI_ST_FAILED;
	c.rundir = xasprintf("%s/runs/%lld", c.s->cfg->data_dir, (long long)r->id);
	if (quai_store_pipeline_get(c.s->store, r->id, &c.pl, NULL) < 0)
		goto done;
	report(&c, "running", "running");
	if (c.pl.before)
		c.since = xstrdup(c.pl.before);
	else
		quai_store_last_success_sha(c.s->store, r->id, &c.since);
	if (prepare(&c, &message) == 0) {
		int64_t *ids = NULL;
		char **names = NULL;
		size_t n = 0;
		quai_store_pipeline_jobs(c.s->store, r->id, &ids, &names, &n, NULL);
		status = QUAI_ST_SUCCESS;
		cleanup_free char *src = xasprintf("%s/src", c.rundir);
		for (size_t i = 0; i < n && strcmp(status, QUAI_ST_SUCCESS) == 0; i++) {
			if (atomic_load(&r->cancel) || atomic_load(&r->shutdown)) {
				status = atomic_load(&r->shutdown) ? QUAI_ST_RUNNING : QUAI_ST_CANCELED;
				break;
			}
			status = run_job(&c, ids[i], names[i], src, &message);
		}
		free(ids);
		strv_free(names);
	}
	if (atomic_load(&r->cancel) && strcmp(status, QUAI_ST_RUNNING) != 0)
		status = QUAI_ST_CANCELED;
	if (strcmp(status, QUAI_ST_RUNNING) != 0) {
		quai_store_pipeline_finish(c.s->store, r->id, status, message, NULL);
		report(&c, status, message ? message : status);
		notify(&c, status);
		prune(&c);
	}
	quai_checkout_remove(c.rundir);
done:
	free(message);
	free(c.since);
	free(c.rundir);
	quai_store_pipeline_release(&c.pl);
	quai_scheduler_finished(c.s, r, now_seconds() - start);
	return NULL;
}
