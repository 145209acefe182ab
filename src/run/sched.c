/* The scheduler: every image goes build -> test -> push -> tag, each step
 * a child process of quai-engine (the same code as quai build, test and
 * push), up to `jobs` at once, parents before children. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "run/internal.h"
#include "core/banned.h"

#define TICK_MS     200
#define OUTFILE_MAX (1u << 20)
#define LOG_TAIL    (16u << 10)

struct sched {
	struct run *r;
	sigset_t mask, old;
	unsigned running;
	bool save_failed;
	pid_t parent; /* quai itself, for its children to check */
};

static void save(struct sched *s)
{
	cleanup_error struct quai_error *err = NULL;
	if (run_record_save(s->r, "running", &err) < 0 && !s->save_failed) {
		s->save_failed = true;
		fprintf(stderr, "quai: warning: %s\n", err->msg);
	}
}

static void set_step(struct run_image *ri, enum run_step_kind k, enum run_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_step(struct run_image *ri, enum run_step_kind k, enum run_status st, const char *fmt, ...)
{
	ri->steps[k].status = st;
	free(ri->steps[k].note);
	ri->steps[k].note = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		ri->steps[k].note = xvasprintf(fmt, ap);
		va_end(ap);
	}
}

static void skip_rest(struct run_image *ri, enum run_step_kind from, const char *why)
{
	for (int k = from; k < NSTEPS; k++)
		if (ri->steps[k].status == ST_PENDING || ri->steps[k].status == ST_RUNNING)
			set_step(ri, (enum run_step_kind)k, ST_SKIPPED, "%s", why);
}

static bool bad(enum run_status s)
{
	return s == ST_FAILED || s == ST_SKIPPED;
}

static bool tested(enum run_status s)
{
	return s == ST_OK || s == ST_NONE;
}

/* A reason to stop images[i]: a direct parent whose build or tests failed
 * or were skipped (with deep set: any ancestor's). Caller frees. */
static char *blocker(const struct run *r, size_t i, bool deep)
{
	const struct run_image *ri = &r->images[i];
	for (size_t d = 0; d < ri->ndeps; d++) {
		const struct run_image *p = &r->images[ri->deps[d]];
		if (p->steps[STEP_BUILD].status == ST_FAILED)
			return xasprintf("depends on %s, whose build failed", p->img->name);
		if (p->steps[STEP_TEST].status == ST_FAILED)
			return xasprintf("depends on %s, whose tests failed", p->img->name);
		if (bad(p->steps[STEP_BUILD].status) || bad(p->steps[STEP_TEST].status))
			return xasprintf("depends on %s, which was not built and tested", p->img->name);
		char *why = deep ? blocker(r, ri->deps[d], true) : NULL;
		if (why)
			return why;
	}
	return NULL;
}

bool run_ancestors_tested(const struct run *r, size_t i)
{
	const struct run_image *ri = &r->images[i];
	for (size_t d = 0; d < ri->ndeps; d++)
		if (!tested(r->images[ri->deps[d]].steps[STEP_TEST].status) ||
		    !run_ancestors_tested(r, ri->deps[d]))
			return false;
	return true;
}

static bool parents_built(const struct run *r, size_t i)
{
	const struct run_image *ri = &r->images[i];
	for (size_t d = 0; d < ri->ndeps; d++)
		if (r->images[ri->deps[d]].steps[STEP_BUILD].status != ST_OK)
			return false;
	return true;
}

static void stamp(char *out, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int start(struct sched *s, size_t i, enum run_step_kind k, bool floating)
{
	struct run *r = s->r;
	struct run_image *ri = &r->images[i];
	free(ri->outfile);
	ri->outfile = xasprintf("%s.%s.out", ri->stem, run_step_name(k));
	unlink(ri->outfile);
	char **argv = run_step_argv(r, i, k, floating);
	int fd = open(ri->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || null < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (null >= 0)
			close(null);
		run_argv_free(argv);
		set_step(ri, k, ST_FAILED, "open '%s': %s", ri->log, strerror(e));
		skip_rest(ri, k, "could not start");
		return -1;
	}
	char when[32];
	stamp(when, sizeof(when));
	dprintf(fd, "==> %s quai", when);
	for (char **a = argv + 1; *a; a++)
		dprintf(fd, " %s", *a);
	dprintf(fd, "\n");
	pid_t pid = fork();
	if (pid == 0) {
		/* a step does not outlive the run (SIGKILLed, its steps end too) */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != s->parent)
			_exit(143);
		sigprocmask(SIG_SETMASK, &s->old, NULL);
		dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execv("/proc/self/exe", argv);
		dprintf(STDERR_FILENO, "quai: cannot run quai-engine: %s\n", strerror(errno));
		_exit(127);
	}
	int e = errno;
	close(fd);
	close(null);
	run_argv_free(argv);
	if (pid < 0) {
		set_step(ri, k, ST_FAILED, "fork: %s", strerror(e));
		skip_rest(ri, k, "could not start");
		return -1;
	}
	ri->pid = pid;
	ri->cur = k;
	ri->steps[k].status = ST_RUNNING;
	clock_gettime(CLOCK_MONOTONIC, &ri->step_start);
	s->running++;
	run_progress_event(r, i, "%s started%s", run_step_name(k), floating ? " (the tags that move)" : "");
	return 0;
}

/* The last "quai: ..." line of the log, else its last line. Caller frees. */
static char *log_reason(const char *log)
{
	int fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)LOG_TAIL ? size - (off_t)LOG_TAIL : 0;
	cleanup_free char *text = xmalloc(LOG_TAIL + 1);
	ssize_t got = pread(fd, text, LOG_TAIL, from);
	close(fd);
	text[got > 0 ? got : 0] = '\0';
	char *best = NULL, *last = NULL;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "quai: ", 6) == 0)
			best = line + 6;
		if (*line && strncmp(line, "==> ", 4) != 0)
			last = line;
		line = nl ? nl + 1 : NULL;
	}
	return best ? xstrdup(best) : last ? xstrdup(last) : NULL;
}

static char *read_out(const char *path)
{
	char *text = NULL;
	size_t len;
	if (quai_file_read(&text, &len, path, OUTFILE_MAX, NULL) < 0)
		return NULL;
	return text;
}

static void push_done(struct run_image *ri)
{
	cleanup_free char *text = read_out(ri->outfile);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *sp = strchr(line, ' ');
		if (sp) {
			*sp = '\0';
			for (size_t k = 0; k < ri->nrefs; k++)
				if (strcmp(ri->refs[k].ref, line) == 0 && !ri->refs[k].digest)
					ri->refs[k].digest = xstrdup(sp + 1);
		}
		line = nl ? nl + 1 : NULL;
	}
}

static bool refs_left(const struct run_image *ri, bool floating)
{
	for (size_t k = 0; k < ri->nrefs; k++)
		if (ri->refs[k].floating == floating && !ri->refs[k].digest)
			return true;
	return false;
}

static void finish(struct sched *s, size_t i, int wstatus)
{
	struct run *r = s->r;
	struct run_image *ri = &r->images[i];
	enum run_step_kind k = ri->cur;
	double secs = run_elapsed(&ri->step_start);
	ri->pid = 0;
	s->running--;
	ri->steps[k].seconds += secs;
	ri->seconds += secs;
	bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
	if (k == STEP_PUSH)
		push_done(ri);
	if (ok && k == STEP_BUILD) {
		cleanup_free char *id = read_out(ri->outfile);
		char *t = id ? id + strspn(id, " \n") : NULL;
		if (t)
			t[strcspn(t, " \n")] = '\0';
		if (t && *t)
			ri->image_id = xstrdup(t);
		else
			ok = false;
	}
	if (ok && k == STEP_PUSH && (refs_left(ri, false) || refs_left(ri, true))) {
		return; /* the floating references next */
	}
	if (ok) {
		set_step(ri, k, ST_OK, NULL);
		run_progress_event(r, i, "%s ok (%.1fs)%s%s", run_step_name(k), ri->steps[k].seconds,
		                   k == STEP_BUILD ? " " : "", k == STEP_BUILD ? ri->image_id : "");
		return;
	}
	cleanup_free char *why = log_reason(ri->log);
	if (r->interrupted)
		set_step(ri, k, ST_FAILED, "interrupted");
	else if (WIFSIGNALED(wstatus))
		set_step(ri, k, ST_FAILED, "killed by signal %d", WTERMSIG(wstatus));
	else if (k == STEP_TEST && WEXITSTATUS(wstatus) == 1)
		set_step(ri, k, ST_FAILED, "%s", why ? why : "a test failed");
	else
		set_step(ri, k, ST_FAILED, "%s", why ? why : "failed");
	cleanup_free char *skip = xasprintf("%s failed", run_step_name(k));
	skip_rest(ri, k, skip);
	run_progress_event(r, i, "%s failed: %s", run_step_name(k), ri->steps[k].note);
}

static enum run_step_kind next_step(const struct run_image *ri)
{
	int k = STEP_BUILD;
	while (k < NSTEPS && ri->steps[k].status != ST_PENDING && ri->steps[k].status != ST_RUNNING)
		k++;
	return (enum run_step_kind)k;
}

static bool do_push(struct sched *s, size_t i)
{
	struct run *r = s->r;
	struct run_image *ri = &r->images[i];
	if (r->o->no_push) {
		skip_rest(ri, STEP_PUSH, "--no-push");
		return true;
	}
	if (!run_ancestors_tested(r, i))
		return false;
	if (ri->steps[STEP_PUSH].status == ST_PENDING) {
		cleanup_error struct quai_error *err = NULL;
		if (run_prepare_push(r, i, &err) < 0) {
			set_step(ri, STEP_PUSH, ST_FAILED, "%s", err->msg);
			skip_rest(ri, STEP_TAG, "push failed");
			run_progress_event(r, i, "push failed: %s", err->msg);
			return true;
		}
		ri->steps[STEP_PUSH].status = ST_RUNNING;
	}
	bool fixed = refs_left(ri, false);
	if (!fixed && !refs_left(ri, true)) {
		set_step(ri, STEP_PUSH, ST_OK, ri->steps[STEP_PUSH].seconds == 0 ? "pushed before" : NULL);
		run_progress_event(r, i, "push ok: %s", ri->refs[0].digest);
		return true;
	}
	if (s->running >= r->jobs)
		return false;
	start(s, i, STEP_PUSH, !fixed);
	return true;
}

static bool do_tag(struct run *r, size_t i)
{
	struct run_image *ri = &r->images[i];
	if (!r->pushing || !ri->version) {
		set_step(ri, STEP_TAG, ST_NONE, "not a branch that pins versions");
		return true;
	}
	cleanup_free char *name = xasprintf("%s/v%s", ri->img->name, ri->version);
	cleanup_free char *msg =
	    xasprintf("%s %s\n\n%s:%s@%s\n", ri->img->name, ri->version, ri->img->repository, ri->version,
	              ri->nrefs ? ri->refs[0].digest : "");
	cleanup_error struct quai_error *err = NULL;
	if (run_git_tag(r->git, name, r->plan->head, msg, &err) < 0) {
		set_step(ri, STEP_TAG, ST_FAILED, "%s", err->msg);
		run_progress_event(r, i, "tag failed: %s", err->msg);
		return true;
	}
	if (!ri->git_tag || strcmp(ri->git_tag, name) != 0) {
		free(ri->git_tag);
		ri->git_tag = xstrdup(name);
		ri->tag_pushed = false;
	}
	set_step(ri, STEP_TAG, ST_OK, NULL);
	run_progress_event(r, i, "tagged %s", name);
	return true;
}

static bool do_build(struct sched *s, size_t i)
{
	struct run_image *ri = &s->r->images[i];
	cleanup_error struct quai_error *err = NULL;
	if (run_tag_parents(s->r, i, &err) < 0) {
		set_step(ri, STEP_BUILD, ST_FAILED, "%s", err->msg);
		skip_rest(ri, STEP_TEST, "build failed");
		run_progress_event(s->r, i, "build failed: %s", err->msg);
		return true;
	}
	start(s, i, STEP_BUILD, false);
	return true;
}

/* Moves images[i] on if it can; true when something changed. */
static bool advance(struct sched *s, size_t i)
{
	struct run *r = s->r;
	struct run_image *ri = &r->images[i];
	enum run_step_kind k = next_step(ri);
	if (ri->pid || k == NSTEPS || r->interrupted)
		return false;
	cleanup_free char *why = k == STEP_TAG ? NULL : blocker(r, i, k == STEP_PUSH);
	if (why) {
		skip_rest(ri, k, why);
		run_progress_event(r, i, "skipped: %s", why);
		return true;
	}
	switch (k) {
	case STEP_BUILD:
		if (!parents_built(r, i) || s->running >= r->jobs)
			return false;
		return do_build(s, i);
	case STEP_TEST:
		if (!ri->img->tests) {
			set_step(ri, STEP_TEST, ST_NONE, "no tests.yml");
			return true;
		}
		if (s->running >= r->jobs)
			return false;
		start(s, i, STEP_TEST, false);
		return true;
	case STEP_PUSH:
		return do_push(s, i);
	case STEP_TAG:
		return do_tag(r, i);
	default:
		return false;
	}
}

static void reap(struct sched *s)
{
	int wstatus;
	pid_t pid;
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		for (size_t i = 0; i < s->r->n; i++) {
			if (s->r->images[i].pid == pid) {
				finish(s, i, wstatus);
				save(s);
				break;
			}
		}
	}
}

static void signal_children(struct sched *s, int sig)
{
	for (size_t i = 0; i < s->r->n; i++)
		if (s->r->images[i].pid > 0)
			kill(s->r->images[i].pid, sig);
}

int run_schedule(struct run *r, struct quai_error **err)
{
	struct sched s = {.r = r, .parent = getpid()};
	sigemptyset(&s.mask);
	sigaddset(&s.mask, SIGCHLD);
	sigaddset(&s.mask, SIGINT);
	sigaddset(&s.mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &s.mask, &s.old) < 0)
		return quai_error_errno(err, errno, "block signals");
	run_progress_start(r);
	for (;;) {
		bool moved;
		do {
			moved = false;
			for (size_t i = 0; i < r->n; i++)
				if (advance(&s, i)) {
					moved = true;
					save(&s);
				}
		} while (moved);
		if (s.running == 0)
			break;
		struct timespec ts = {0, TICK_MS * 1000000L};
		int sig = sigtimedwait(&s.mask, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM) {
			/* a second signal kills what is left */
			signal_children(&s, r->interrupted ? SIGKILL : SIGTERM);
			r->interrupted = sig;
		}
		reap(&s);
		run_progress_tick(r);
	}
	for (size_t i = 0; r->interrupted && i < r->n; i++)
		skip_rest(&r->images[i], STEP_BUILD, "interrupted");
	run_progress_end(r);
	sigprocmask(SIG_SETMASK, &s.old, NULL);
	return 0;
}
