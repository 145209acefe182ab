/* The shell executor, and spawning helpers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "executor/executor.h"
#include "core/banned.h"

extern char **environ;

static int status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

static void child_fds(int in_fd, int out_fd, int err_fd)
{
	int null = open("/dev/null", O_RDWR);
	dup2(in_fd >= 0 ? in_fd : null, 0);
	dup2(out_fd >= 0 ? out_fd : null, 1);
	dup2(err_fd >= 0 ? err_fd : (out_fd >= 0 ? out_fd : null), 2);
}

int quai_executor_spawn(const char *const *argv, const char *cwd, int in_fd, int out_fd, int err_fd)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		child_fds(in_fd, out_fd, err_fd);
		if (cwd && chdir(cwd) < 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return status_of(st);
}

static bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		char *p = xasprintf("%.*s/%s", (int)n, path, name);
		bool ok = access(p, X_OK) == 0;
		free(p);
		if (ok)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

/* Our environment with the job's variables over it. */
static char **merged_env(const char *const *env)
{
	size_t n = 0, m = 0;
	while (environ[n])
		n++;
	while (env && env[m])
		m++;
	char **out = xcalloc(n + m + 1, sizeof(*out));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		bool over = false;
		for (size_t j = 0; j < m && !over; j++)
			over = strncmp(env[j], environ[i], klen) == 0 && env[j][klen] == '=';
		if (!over)
			out[k++] = environ[i];
	}
	for (size_t j = 0; j < m; j++)
		out[k++] = (char *)env[j];
	out[k] = NULL;
	return out;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int quai_executor_run_shell(const struct quai_executor_job *job, struct quai_executor_result *res,
                            struct quai_error **err);

int quai_executor_run_shell(const struct quai_executor_job *job, struct quai_executor_result *res,
                            struct quai_error **err)
{
	const char *shell = in_path("bash") ? "bash" : "sh";
	const char *argv[] = {shell, "-c", job->script, NULL};
	char **env = merged_env(job->env);
	pid_t pid = fork();
	if (pid < 0) {
		free(env);
		return quai_error_errno(err, errno, "job '%s': cannot start %s", job->name, shell);
	}
	if (pid == 0) {
		setpgid(0, 0);
		child_fds(-1, job->out_fd, -1);
		if (chdir(job->workdir) < 0)
			_exit(127);
		execvpe(shell, (char *const *)argv, env);
		_exit(127);
	}
	free(env);
	setpgid(pid, pid);
	long long deadline = job->timeout_s > 0 ? now_ms() + job->timeout_s * 1000LL : 0;
	int st = 0;
	bool killed = false;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			break;
		if (!killed &&
		    ((deadline && now_ms() >= deadline) || (job->interrupted && *job->interrupted))) {
			if (job->interrupted && *job->interrupted)
				res->canceled = true;
			else
				res->timed_out = true;
			kill(-pid, SIGKILL);
			killed = true;
		}
		struct timespec nap = {0, 5L * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	/* whatever the script left running in its group */
	kill(-pid, SIGKILL);
	res->exit_code = status_of(st);
	return 0;
}
