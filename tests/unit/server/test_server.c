/* The server's configuration (values, defaults, secrets, errors with
 * FILE:LINE:COL), durations, url redaction and request routing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/config.h"
#include "server/server.h"

static struct quai_server_config *parse_ok(const char *text)
{
	struct quai_server_config *cfg = NULL;
	struct quai_error *err = NULL;
	if (quai_server_config_parse(&cfg, "server.yml", text, strlen(text), &err) < 0)
		fail_msg("%s", err->msg);
	return cfg;
}

static void expect_error(const char *text, const char *want)
{
	struct quai_server_config *cfg = NULL;
	struct quai_error *err = NULL;
	if (quai_server_config_parse(&cfg, "server.yml", text, strlen(text), &err) == 0)
		fail_msg("parsed: %s", text);
	if (!strstr(err->msg, want))
		fail_msg("'%s' does not say '%s'", err->msg, want);
	assert_int_equal(err->status, 2);
	quai_error_free(err);
}

static void test_config(void **state)
{
	(void)state;
	setenv("QUAI_TEST_SECRET", "from-env", 1);
	char path[] = "/tmp/quai-secret-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "from-file\n", 10), 10);
	close(fd);
	char text[1024];
	snprintf(text, sizeof(text),
	         "listen: 0.0.0.0:9000\n"
	         "data_dir: /var/lib/quai\n"
	         "concurrency: 3\n"
	         "projects:\n"
	         "  - name: app\n"
	         "    url: https://oauth2:tok@git.example.com/a/app.git\n"
	         "    webhook_secret: {env: QUAI_TEST_SECRET}\n"
	         "    registry_password: {file: %s}\n"
	         "    token: literal\n"
	         "    pipeline: both\n"
	         "    poll: 1m30s\n"
	         "    executors: [docker, shell]\n"
	         "    schedules: [{cron: '0 4 * * 1', branch: release}, '@daily']\n"
	         "    status: {forge: gitea, api: 'http://127.0.0.1:3000/api/v1', repo: o/app, token: t}\n"
	         "    command: [sh, -c, 'echo {report}', '{report}']\n"
	         "  - name: lib\n"
	         "    url: /srv/git/lib.git\n",
	         path);
	struct quai_server_config *cfg = parse_ok(text);
	unlink(path);
	assert_string_equal(cfg->listen_host, "0.0.0.0");
	assert_int_equal(cfg->listen_port, 9000);
	assert_int_equal(cfg->concurrency, 3);
	assert_int_equal(cfg->nprojects, 2);
	const struct quai_project_config *p = quai_server_config_project(cfg, "app");
	assert_string_equal(p->webhook_secret, "from-env");
	assert_string_equal(p->registry_password, "from-file");
	assert_string_equal(p->token, "literal");
	assert_int_equal(p->pipeline, QUAI_PIPELINE_BOTH);
	assert_int_equal(p->poll_seconds, 90);
	assert_int_equal(p->nschedules, 2);
	assert_string_equal(p->schedules[0].branch, "release");
	assert_string_equal(p->schedules[1].branch, "main");
	assert_int_equal(p->status_forge, QUAI_FORGE_GITEA);
	assert_string_equal(p->command[3], "{report}");
	const struct quai_project_config *lib = quai_server_config_project(cfg, "lib");
	assert_int_equal(lib->concurrency, 1);
	assert_int_equal(lib->timeout_seconds, 3600);
	assert_null(lib->webhook_secret);
	assert_null(quai_server_config_project(cfg, "nope"));
	quai_server_config_free(cfg);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_error("listen: 1.2.3.4\ndata_dir: /x\n", "server.yml:1:9: 'listen': expected HOST:PORT");
	expect_error("data_dir: relative\n", "server.yml:1:11: 'data_dir': must be an absolute path");
	expect_error("listen: 127.0.0.1:1\n", "'data_dir' is required");
	expect_error("data_dir: /x\nprojectz: []\n",
	             "server.yml:2:1: 'configuration': unknown key 'projectz'");
	expect_error("data_dir: /x\nprojects:\n  - name: a/b\n    url: /r\n",
	             "server.yml:3:11: a project needs a 'name'");
	expect_error("data_dir: /x\nprojects:\n  - name: a\n", "a project needs 'url'");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r}\n  - {name: a, url: /s}\n",
	             "exists already");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r, pipeline: all}\n",
	             "server.yml:3:34: 'a': 'pipeline' must be");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r, concurrency: 0}\n", "at least 1");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r, poll: soon}\n",
	             "'poll' must be a duration");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r, webhook_secret: {vault: x}}\n",
	             "{file: PATH} or {env: NAME}");
	expect_error(
	    "data_dir: /x\nprojects:\n  - {name: a, url: /r, webhook_secret: {file: /nonexistent/s}}\n",
	    "/nonexistent/s");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r, executors: [k8s]}\n",
	             "unknown executor 'k8s'");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r, status: {forge: bitbucket, repo: x}}\n",
	             "'forge' must be");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r, schedules: ['* * *']}\n",
	             "five fields");
	expect_error("data_dir: /x\nprojects: {a: 1}\n", "must be a list");
	expect_error("data_dir: /x\nprojects:\n  - {name: a, url: /r, notify_email: {url: 'http://x', from: "
	             "a, to: [b]}}\n",
	             "smtp://HOST:PORT");
	expect_error(
	    "data_dir: /x\nprojects:\n  - {name: a, url: /r, notify_email: {url: 'smtp://x:25', to: [b]}}\n",
	    "needs 'from'");
	expect_error("- 1\n", "must be a mapping");
	expect_error("data_dir: /x\n---\ndata_dir: /y\n", "one YAML document");
	expect_error("data_dir: [\n", "server.yml:");
	/* a literal secret in a bad place is not echoed */
	struct quai_server_config *cfg = NULL;
	struct quai_error *err = NULL;
	const char *t = "data_dir: /x\nprojects:\n  - {name: a, url: /r, webhook_secret: [hunter2-value]}\n";
	assert_int_equal(quai_server_config_parse(&cfg, "s.yml", t, strlen(t), &err), -1);
	assert_null(strstr(err->msg, "hunter2"));
	quai_error_free(err);
}

static void test_durations_and_redaction(void **state)
{
	(void)state;
	unsigned v = 0;
	assert_int_equal(quai_server_parse_duration("60s", &v), 0);
	assert_int_equal(v, 60);
	assert_int_equal(quai_server_parse_duration("2h30m", &v), 0);
	assert_int_equal(v, 9000);
	assert_int_equal(quai_server_parse_duration("45", &v), 0);
	assert_int_equal(v, 45);
	assert_int_equal(quai_server_parse_duration("1d", &v), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(quai_server_parse_duration("", &v), -1);
	assert_int_equal(quai_server_parse_duration("5x", &v), -1);
	assert_int_equal(quai_server_parse_duration("m", &v), -1);
	assert_int_equal(quai_server_parse_duration("1m5", &v), -1);
	assert_int_equal(quai_server_parse_duration("99999999999s", &v), -1);
	char *r = quai_server_redact_url("https://oauth2:tok@git.example.com/a.git");
	assert_string_equal(r, "https://git.example.com/a.git");
	free(r);
	r = quai_server_redact_url("ssh://git@host/x@y");
	assert_string_equal(r, "ssh://host/x@y");
	free(r);
	r = quai_server_redact_url("/srv/git/a.git");
	assert_string_equal(r, "/srv/git/a.git");
	free(r);
}

static void route(const char *method, const char *path, enum quai_route_kind kind, bool bad_method)
{
	struct quai_route r;
	quai_server_route(&r, method, path);
	if (r.kind != kind || r.bad_method != bad_method)
		fail_msg("%s %s: kind %d bad_method %d", method, path, r.kind, r.bad_method);
}

static void test_routes(void **state)
{
	(void)state;
	route("GET", "/healthz", QUAI_ROUTE_HEALTHZ, false);
	route("GET", "/metrics", QUAI_ROUTE_METRICS, false);
	route("POST", "/hooks/app", QUAI_ROUTE_HOOK, false);
	route("GET", "/hooks/app", QUAI_ROUTE_HOOK, true);
	route("POST", "/hooks/../etc", QUAI_ROUTE_NONE, false);
	route("POST", "/hooks/.git", QUAI_ROUTE_NONE, false);
	route("POST", "/hooks/a%2fb", QUAI_ROUTE_NONE, false);
	route("POST", "/hooks/", QUAI_ROUTE_NONE, false);
	route("POST", "/hooks/app/", QUAI_ROUTE_NONE, false);
	route("GET", "/api/v1/projects", QUAI_ROUTE_PROJECTS, false);
	route("POST", "/api/v1/projects/app/trigger", QUAI_ROUTE_TRIGGER, false);
	route("GET", "/api/v1/pipelines", QUAI_ROUTE_PIPELINES, false);
	route("GET", "/api/v1/pipelines/12", QUAI_ROUTE_PIPELINE, false);
	route("GET", "/api/v1/pipelines/012", QUAI_ROUTE_NONE, false);
	route("GET", "/api/v1/pipelines/12/jobs", QUAI_ROUTE_PIPELINE_JOBS, false);
	route("POST", "/api/v1/pipelines/12/cancel", QUAI_ROUTE_CANCEL, false);
	route("GET", "/api/v1/pipelines/12/cancel", QUAI_ROUTE_CANCEL, true);
	route("POST", "/api/v1/pipelines/12/retry", QUAI_ROUTE_RETRY, false);
	route("GET", "/api/v1/jobs/3", QUAI_ROUTE_JOB, false);
	route("GET", "/api/v1/jobs/3/log", QUAI_ROUTE_JOB_LOG, false);
	route("GET", "/api/v1/jobs/../../x/log", QUAI_ROUTE_NONE, false);
	route("GET", "/api/v1/jobs/99999999999999999/log", QUAI_ROUTE_NONE, false);
	route("GET", "//api/v1/jobs", QUAI_ROUTE_NONE, false);
	route("DELETE", "/api/v1/pipelines", QUAI_ROUTE_PIPELINES, true);
	route("GET", "", QUAI_ROUTE_NONE, false);
	route("GET", "/a/b/c/d/e/f/g/h", QUAI_ROUTE_NONE, false);
	struct quai_route r;
	quai_server_route(&r, "POST", "/api/v1/projects/my-app.v2/trigger");
	assert_string_equal(r.name, "my-app.v2");
	assert_true(r.admin && r.api);
	quai_server_route(&r, "GET", "/api/v1/jobs/42/log");
	assert_int_equal(r.id, 42);
	assert_false(r.admin);
	assert_true(r.api);
	quai_server_route(&r, "POST", "/hooks/app");
	assert_false(r.api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_durations_and_redaction),
	    cmocka_unit_test(test_routes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
