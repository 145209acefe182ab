/* The spec loader: what a good file loads into, defaults, merge keys,
 * aliases, and the errors that need more than a data file to check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "imagetest/imagetest.h"

static int load(struct quai_imagetest_spec *spec, const char *text, struct quai_error **err)
{
	return quai_imagetest_spec_load_string(spec, "t.yaml", text, strlen(text), err);
}

static void test_commands(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	struct quai_error *err = NULL;
	const char *text = "schemaVersion: \"2.0.0\"\n"
	                   "globalEnvVars:\n  - key: G\n    value: g\n"
	                   "commandTests:\n"
	                   "  - name: one\n"
	                   "    command: sh\n"
	                   "    args: [-c, 'echo $A']\n"
	                   "    setup: [[touch, /a], [mkdir, -p, /b]]\n"
	                   "    teardown: [[rm, /a]]\n"
	                   "    envVars:\n      - key: A\n        value: '1'\n"
	                   "    expectedOutput: ['^1$']\n"
	                   "    excludedOutput: [error]\n"
	                   "    expectedError: ['']\n"
	                   "    excludedError: [panic]\n"
	                   "    exitCode: 3\n";
	assert_int_equal(load(&spec, text, &err), 0);
	assert_string_equal(spec.schema_version, "2.0.0");
	assert_string_equal(spec.file, "t.yaml");
	assert_int_equal(spec.global_env_vars.n, 1);
	assert_string_equal(spec.global_env_vars.v[0].value, "g");
	assert_int_equal(spec.ncommands, 1);
	const struct quai_imagetest_command *c = &spec.commands[0];
	assert_int_equal(c->pos.line, 6);
	assert_int_equal(c->pos.col, 5);
	assert_string_equal(c->command, "sh");
	assert_int_equal(c->args.n, 2);
	assert_string_equal(c->args.v[1], "echo $A");
	assert_int_equal(c->nsetup, 2);
	assert_int_equal(c->setup[1].n, 3);
	assert_string_equal(c->setup[1].v[2], "/b");
	assert_int_equal(c->nteardown, 1);
	assert_string_equal(c->env_vars.v[0].key, "A");
	assert_string_equal(c->expected_output.v[0], "^1$");
	assert_int_equal(c->expected_error.n, 1);
	assert_string_equal(c->expected_error.v[0], "");
	assert_int_equal(c->exit_code, 3);
	quai_imagetest_spec_release(&spec);
}

static void test_defaults(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	struct quai_error *err = NULL;
	const char *text = "schemaVersion: \"2.0.0\"\n"
	                   "fileExistenceTests:\n  - name: f\n    path: /f\n"
	                   "httpTests:\n  - name: h\n"
	                   "metadataTest:\n  workdir: /app\n";
	assert_int_equal(load(&spec, text, &err), 0);
	const struct quai_imagetest_file_existence *f = &spec.file_existence[0];
	assert_true(f->should_exist);
	assert_int_equal(f->uid, -1);
	assert_int_equal(f->gid, -1);
	assert_null(f->permissions);
	assert_int_equal(f->executable_by, QUAI_EXEC_BY_UNSET);
	const struct quai_imagetest_http *h = &spec.http[0];
	assert_int_equal(h->port, 0);
	assert_string_equal(h->method, "GET");
	assert_string_equal(h->path, "/");
	assert_int_equal(h->expected_status, 200);
	assert_int_equal(h->timeout_ms, 30000);
	assert_null(h->expected_body);
	assert_true(spec.metadata.present);
	assert_false(spec.metadata.has_cmd);
	assert_false(spec.metadata.has_entrypoint);
	assert_null(spec.metadata.user);
	assert_string_equal(spec.metadata.workdir, "/app");
	assert_false(spec.healthcheck);
	quai_imagetest_spec_release(&spec);
}

static void test_http_and_options(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	struct quai_error *err = NULL;
	const char *text = "schemaVersion: \"2.0.0\"\n"
	                   "healthcheck: yes\n"
	                   "httpTests:\n"
	                   "  - name: h\n    port: 8080\n    method: POST\n    path: /x?y=1\n"
	                   "    headers: {Accept: text/plain, X-A: b}\n    body: hi\n"
	                   "    expectedStatus: 204\n    expectedBody: ok\n"
	                   "    expectedHeaders: {Content-Type: '^text/'}\n    timeout: 1m30s\n"
	                   "  - name: t2\n    timeout: 250ms\n"
	                   "  - name: t3\n    timeout: 2\n"
	                   "containerRunOptions:\n  user: app\n  privileged: true\n  envVars: [A, B=c]\n"
	                   "  envFile: .env\n  capabilities: [NET_ADMIN]\n  bindMounts: ['/a:/b']\n";
	assert_int_equal(load(&spec, text, &err), 0);
	assert_true(spec.healthcheck);
	const struct quai_imagetest_http *h = &spec.http[0];
	assert_int_equal(h->port, 8080);
	assert_string_equal(h->method, "POST");
	assert_string_equal(h->path, "/x?y=1");
	assert_int_equal(h->headers.n, 2);
	assert_string_equal(h->headers.v[1].key, "X-A");
	assert_string_equal(h->headers.v[1].value, "b");
	assert_string_equal(h->body, "hi");
	assert_int_equal(h->expected_status, 204);
	assert_string_equal(h->expected_body, "ok");
	assert_true(h->expected_headers.v[0].is_regex);
	assert_int_equal(h->timeout_ms, 90000);
	assert_int_equal(spec.http[1].timeout_ms, 250);
	assert_int_equal(spec.http[2].timeout_ms, 2000);
	const struct quai_imagetest_run_options *o = &spec.run_options;
	assert_string_equal(o->user, "app");
	assert_true(o->privileged);
	assert_int_equal(o->env_vars.n, 2);
	assert_string_equal(o->env_file, ".env");
	assert_string_equal(o->capabilities.v[0], "NET_ADMIN");
	assert_string_equal(o->bind_mounts.v[0], "/a:/b");
	quai_imagetest_spec_release(&spec);
}

static void test_merge_keys(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	struct quai_error *err = NULL;
	const char *text = "schemaVersion: \"2.0.0\"\n"
	                   "x-sh: &sh {command: sh, exitCode: 1, args: [-c, base]}\n"
	                   "x-two: &two {exitCode: 2, name: two}\n"
	                   "commandTests:\n"
	                   "  - <<: *sh\n    name: a\n    exitCode: 0\n"
	                   "  - <<: [*two, *sh]\n"
	                   "  - {<<: *sh, name: c, args: *args}\n"
	                   "x-args: &args [x]\n";
	/* an alias before its anchor is a YAML error */
	assert_int_equal(load(&spec, text, &err), -1);
	assert_non_null(strstr(err->msg, "t.yaml:9:"));
	quai_error_free(err);
	err = NULL;
	text = "schemaVersion: \"2.0.0\"\n"
	       "x-sh: &sh {command: sh, exitCode: 1, args: &args [-c, base]}\n"
	       "x-two: &two {exitCode: 2, name: two}\n"
	       "commandTests:\n"
	       "  - <<: *sh\n    name: a\n    exitCode: 0\n"
	       "  - <<: [*two, *sh]\n"
	       "  - {<<: *sh, name: c, args: *args}\n";
	assert_int_equal(load(&spec, text, &err), 0);
	assert_int_equal(spec.ncommands, 3);
	assert_string_equal(spec.commands[0].command, "sh");
	assert_int_equal(spec.commands[0].exit_code, 0);
	assert_string_equal(spec.commands[1].name, "two");
	assert_int_equal(spec.commands[1].exit_code, 2); /* the first merged mapping wins */
	assert_string_equal(spec.commands[1].command, "sh");
	assert_string_equal(spec.commands[2].args.v[1], "base");
	quai_imagetest_spec_release(&spec);
}

static void test_alias_bomb(void **state)
{
	(void)state;
	struct quai_buf b = QUAI_BUF_INIT;
	quai_buf_puts(&b, "schemaVersion: \"2.0.0\"\nx-a: &a [");
	for (int i = 0; i < 2000; i++)
		quai_buf_puts(&b, i ? ",x" : "x");
	quai_buf_puts(&b, "]\ncommandTests:\n  - name: n\n    command: c\n    setup: [");
	for (int i = 0; i < 2000; i++)
		quai_buf_puts(&b, i ? ",*a" : "*a");
	quai_buf_puts(&b, "]\n");
	struct quai_imagetest_spec spec;
	struct quai_error *err = NULL;
	assert_int_equal(quai_imagetest_spec_load_string(&spec, "t.yaml", b.data, b.len, &err), -1);
	assert_non_null(strstr(err->msg, "too many values"));
	quai_error_free(err);
	quai_buf_release(&b);
}

static void test_limits(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	struct quai_error *err = NULL;
	size_t big = QUAI_IMAGETEST_SPEC_MAX_BYTES + 1;
	char *text = xmalloc(big);
	memset(text, '#', big);
	assert_int_equal(quai_imagetest_spec_load_string(&spec, "big.yaml", text, big, &err), -1);
	assert_non_null(strstr(err->msg, "'big.yaml' is larger than"));
	quai_error_free(err);
	free(text);
	err = NULL;
	assert_int_equal(quai_imagetest_spec_load_string(&spec, "n.yaml", "a: 1\nb\0", 7, &err), -1);
	assert_string_equal(err->msg, "n.yaml:2:2: a NUL byte (the test file must be text)");
	quai_error_free(err);
	err = NULL;
	assert_int_equal(quai_imagetest_spec_load(&spec, "/nonexistent/tests.yml", &err), -1);
	assert_non_null(strstr(err->msg, "test spec"));
	quai_error_free(err);
}

static void test_unknown_key_message(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	struct quai_error *err = NULL;
	const char *text =
	    "schemaVersion: \"2.0.0\"\nfileContentTests:\n  - name: a\n    path: /a\n    contains: [x]\n";
	assert_int_equal(load(&spec, text, &err), -1);
	assert_string_equal(err->msg,
	                    "t.yaml:5:5: unknown key 'contains' in a fileContentTest (expected one of: "
	                    "name, path, expectedContents, excludedContents)");
	quai_error_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_http_and_options),
	    cmocka_unit_test(test_merge_keys),
	    cmocka_unit_test(test_alias_bomb),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_unknown_key_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
