/* The evaluators: facts against a test, passing and failing, and the
 * messages that say actual vs expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "imagetest/imagetest.h"

static void load(struct quai_imagetest_spec *spec, const char *text)
{
	struct quai_error *err = NULL;
	if (quai_imagetest_spec_load_string(spec, "t.yaml", text, strlen(text), &err) < 0)
		fail_msg("%s", err->msg);
}

static void test_command(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	load(&spec, "schemaVersion: \"2.0.0\"\ncommandTests:\n  - name: c\n    command: x\n"
	            "    expectedOutput: ['^v\\d+\\.\\d+', 'ok']\n    excludedOutput: [FAIL]\n"
	            "    expectedError: [warn]\n    excludedError: ['(?i)panic']\n    exitCode: 0\n");
	const struct quai_imagetest_command *t = &spec.commands[0];
	char *msg = NULL;
	struct quai_imagetest_command_facts good = {"v1.2 ok\n", 8, "a warning\n", 10, 0};
	assert_true(quai_imagetest_eval_command(&msg, t, &good));
	assert_null(msg);

	struct quai_imagetest_command_facts bad = {"v1 FAIL\n", 8, "PANIC: warn\n", 12, 2};
	assert_false(quai_imagetest_eval_command(&msg, t, &bad));
	assert_string_equal(msg, "excluded string '(?i)panic' found in error 'PANIC: warn\n'\n"
	                         "expected string '^v\\d+\\.\\d+' not found in output 'v1 FAIL\n'\n"
	                         "expected string 'ok' not found in output 'v1 FAIL\n'\n"
	                         "excluded string 'FAIL' found in output 'v1 FAIL\n'\n"
	                         "exit code: expected 0, actual 2");
	free(msg);
	quai_imagetest_spec_release(&spec);
}

static void test_mode_string(void **state)
{
	(void)state;
	char s[32];
	quai_imagetest_mode_string(s, 0755);
	assert_string_equal(s, "-rwxr-xr-x");
	quai_imagetest_mode_string(s, QUAI_GO_MODE_DIR | 0755);
	assert_string_equal(s, "drwxr-xr-x");
	quai_imagetest_mode_string(s, QUAI_GO_MODE_SYMLINK | 0777);
	assert_string_equal(s, "Lrwxrwxrwx");
	quai_imagetest_mode_string(s, QUAI_GO_MODE_SETUID | 0755);
	assert_string_equal(s, "urwxr-xr-x");
	quai_imagetest_mode_string(s, QUAI_GO_MODE_DIR | QUAI_GO_MODE_STICKY | 0777);
	assert_string_equal(s, "dtrwxrwxrwx");
	quai_imagetest_mode_string(s, quai_imagetest_go_mode(0020666));
	assert_string_equal(s, "Dcrw-rw-rw-");
	assert_int_equal(quai_imagetest_go_mode(0040755), QUAI_GO_MODE_DIR | 0755);
	assert_int_equal(quai_imagetest_go_mode(0104755), QUAI_GO_MODE_SETUID | 0755);
	assert_int_equal(quai_imagetest_go_mode(0120777), QUAI_GO_MODE_SYMLINK | 0777);
}

static void test_file_existence(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	load(&spec, "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n"
	            "  - {name: a, path: /bin/tool, permissions: '-rwxr-x---', uid: 0, gid: 10, "
	            "isExecutableBy: other}\n"
	            "  - {name: b, path: /gone, shouldExist: false}\n"
	            "  - {name: c, path: /etc, isExecutableBy: any}\n");
	char *msg = NULL;
	struct quai_imagetest_file_facts f = {
	    .exists = true, .mode = 0750, .has_owner = true, .uid = 0, .gid = 10};
	assert_false(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[0], &f));
	assert_string_equal(msg,
	                    "'/bin/tool' is not executable by other: expected the x bit, actual -rwxr-x---");
	free(msg);
	f.mode = 0751;
	f.uid = 1000;
	assert_false(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[0], &f));
	assert_string_equal(msg, "'/bin/tool' permissions: expected -rwxr-x---, actual -rwxr-x--x\n"
	                         "'/bin/tool' uid: expected 0, actual 1000");
	free(msg);
	f.has_owner = false;
	f.mode = 0750;
	spec.file_existence[0].executable_by = QUAI_EXEC_BY_GROUP;
	assert_false(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[0], &f));
	assert_string_equal(msg, "the owner of '/bin/tool' is unknown");
	free(msg);
	f.has_owner = true;
	f.uid = 0;
	assert_true(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[0], &f));
	assert_null(msg);

	struct quai_imagetest_file_facts none = {.exists = false};
	assert_true(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[1], &none));
	assert_false(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[1], &f));
	assert_string_equal(msg, "file '/gone' should not exist but does");
	free(msg);
	assert_false(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[2], &none));
	assert_string_equal(msg, "file '/etc' should exist but does not");
	free(msg);
	struct quai_imagetest_file_facts dir = {.exists = true, .mode = QUAI_GO_MODE_DIR | 0700};
	assert_true(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[2], &dir));
	dir.mode = QUAI_GO_MODE_DIR | 0600;
	assert_false(quai_imagetest_eval_file_existence(&msg, &spec.file_existence[2], &dir));
	assert_string_equal(msg, "'/etc' is not executable by any: expected the x bit, actual drw-------");
	free(msg);
	quai_imagetest_spec_release(&spec);
}

static void test_stat_header(void **state)
{
	(void)state;
	/* {"name":"sh","size":8,"mode":134218239,"mtime":"2024-01-01T00:00:00Z","linkTarget":"/bin/busybox"}
	 */
	const char *h =
	    "eyJuYW1lIjoic2giLCJzaXplIjo4LCJtb2RlIjoxMzQyMTgyMzksIm10aW1lIjoiMjAyNC0wMS0wMVQwMDowMDow"
	    "MFoiLCJsaW5rVGFyZ2V0IjoiL2Jpbi9idXN5Ym94In0=";
	struct quai_imagetest_file_facts f;
	struct quai_error *err = NULL;
	assert_int_equal(quai_imagetest_file_facts_from_stat(&f, h, &err), 0);
	assert_true(f.exists);
	assert_int_equal(f.mode, QUAI_GO_MODE_SYMLINK | 0777);
	assert_int_equal(f.size, 8);
	assert_string_equal(f.name, "sh");
	assert_string_equal(f.link_target, "/bin/busybox");
	quai_imagetest_file_facts_release(&f);
	assert_int_equal(quai_imagetest_file_facts_from_stat(&f, "!!", &err), -1);
	assert_non_null(strstr(err->msg, "base64"));
	quai_error_free(err);
	err = NULL;
	assert_int_equal(quai_imagetest_file_facts_from_stat(&f, "e30=", &err), -1); /* {} */
	assert_non_null(strstr(err->msg, "no mode"));
	quai_error_free(err);
}

static void test_file_content(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	load(&spec, "schemaVersion: \"2.0.0\"\nfileContentTests:\n"
	            "  - {name: a, path: /etc/os-release, expectedContents: ['(?m)^ID=debian$'], "
	            "excludedContents: [ubuntu]}\n");
	char *msg = NULL;
	const char *good = "NAME=Debian\nID=debian\n";
	assert_true(quai_imagetest_eval_file_content(&msg, &spec.file_content[0], good, strlen(good)));
	const char *bad = "ID=ubuntu\n";
	assert_false(quai_imagetest_eval_file_content(&msg, &spec.file_content[0], bad, strlen(bad)));
	assert_string_equal(
	    msg, "expected string '(?m)^ID=debian$' not found in file '/etc/os-release' 'ID=ubuntu\n'\n"
	         "excluded string 'ubuntu' found in file '/etc/os-release' 'ID=ubuntu\n'");
	free(msg);
	quai_imagetest_spec_release(&spec);
}

static const char inspect_text[] =
    "{\"Id\":\"sha256:1\",\"Config\":{\"User\":\"app\",\"Env\":[\"PATH=/usr/local/bin:/usr/bin\",\"A=1=2\"],"
    "\"Labels\":{\"org.opencontainers.image.version\":\"1.2.3\",\"vendor\":\"ACME\"},"
    "\"Entrypoint\":[\"/entry\"],\"Cmd\":null,\"WorkingDir\":\"/app\","
    "\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},\"Volumes\":{\"/data\":{}}}}";

static void test_metadata(void **state)
{
	(void)state;
	json_error_t jerr;
	json_t *inspect = json_loads(inspect_text, 0, &jerr);
	assert_non_null(inspect);
	struct quai_imagetest_spec spec;
	load(&spec, "schemaVersion: \"2.0.0\"\nmetadataTest:\n"
	            "  envVars: [{key: PATH, value: /usr/bin, isRegex: true}, {key: A, value: 1=2}]\n"
	            "  labels: [{key: org.opencontainers.image.version, value: '^\\d+\\.\\d+\\.\\d+$', "
	            "isRegex: true},"
	            " {key: vendor, value: ACME}]\n"
	            "  entrypoint: [/entry]\n  cmd: []\n  workdir: /app\n  user: app\n"
	            "  exposedPorts: ['80', '80/tcp', '53']\n  unexposedPorts: ['443', '80/udp']\n"
	            "  volumes: [/data]\n  unmountedVolumes: [/tmp]\n");
	char *msg = NULL;
	assert_true(quai_imagetest_eval_metadata(&msg, &spec.metadata, inspect));
	assert_null(msg);
	quai_imagetest_spec_release(&spec);

	load(&spec, "schemaVersion: \"2.0.0\"\nmetadataTest:\n"
	            "  envVars: [{key: PATH, value: ^/sbin, isRegex: true}, {key: NOPE, value: x}]\n"
	            "  labels: [{key: vendor, value: Acme}]\n"
	            "  entrypoint: [/entry, -v]\n  cmd: [sh]\n  workdir: /\n  user: root\n"
	            "  exposedPorts: ['8080']\n  unexposedPorts: ['80']\n"
	            "  volumes: [/var]\n  unmountedVolumes: [/data]\n");
	assert_false(quai_imagetest_eval_metadata(&msg, &spec.metadata, inspect));
	assert_string_equal(msg,
	                    "env var 'PATH': expected a match of '^/sbin', actual '/usr/local/bin:/usr/bin'\n"
	                    "env var 'NOPE' not found in the image\n"
	                    "label 'vendor': expected 'Acme', actual 'ACME'\n"
	                    "entrypoint: expected [\"/entry\", \"-v\"], actual [\"/entry\"]\n"
	                    "cmd: expected [\"sh\"], actual []\n"
	                    "workdir: expected '/', actual '/app'\n"
	                    "user: expected 'root', actual 'app'\n"
	                    "port '8080' not found: expected it listed, actual [\"80/tcp\", \"53/udp\"]\n"
	                    "port '80' found: expected it absent, actual [\"80/tcp\", \"53/udp\"]\n"
	                    "volume '/var' not found: expected it listed, actual [\"/data\"]\n"
	                    "volume '/data' found: expected it absent, actual [\"/data\"]");
	free(msg);
	quai_imagetest_spec_release(&spec);

	json_t *empty = json_object();
	load(&spec, "schemaVersion: \"2.0.0\"\nmetadataTest: {}\n");
	assert_false(quai_imagetest_eval_metadata(&msg, &spec.metadata, empty));
	assert_string_equal(msg, "the image inspect data has no Config");
	free(msg);
	quai_imagetest_spec_release(&spec);
	json_decref(empty);
	json_decref(inspect);
}

static void test_default_port(void **state)
{
	(void)state;
	json_error_t jerr;
	struct quai_error *err = NULL;
	json_t *one = json_loads("{\"Config\":{\"ExposedPorts\":{\"8080/tcp\":{},\"53/udp\":{}}}}", 0, &jerr);
	assert_int_equal(quai_imagetest_default_port(one, &err), 8080);
	json_t *two = json_loads("{\"Config\":{\"ExposedPorts\":{\"80/tcp\":{},\"443/tcp\":{}}}}", 0, &jerr);
	assert_int_equal(quai_imagetest_default_port(two, &err), -1);
	assert_non_null(strstr(err->msg, "exposes 2 TCP ports"));
	quai_error_free(err);
	err = NULL;
	json_t *none = json_loads("{\"Config\":{\"ExposedPorts\":null}}", 0, &jerr);
	assert_int_equal(quai_imagetest_default_port(none, &err), -1);
	assert_non_null(strstr(err->msg, "no TCP port"));
	quai_error_free(err);
	json_decref(one);
	json_decref(two);
	json_decref(none);
}

static void test_expand_env(void **state)
{
	(void)state;
	json_error_t jerr;
	json_t *inspect = json_loads(inspect_text, 0, &jerr);
	static const char *const cases[][2] = {
	    {"$PATH", "/usr/local/bin:/usr/bin"},
	    {"${A}/x", "1=2/x"},
	    {"a$NOPE.b", "a.b"},
	    {"cost: $5", "cost: "},
	    {"100$", "100$"},
	    {"a $ b", "a $ b"},
	    {"${}x", "x"},
	    {"${A", "A"},
	    {"$$", ""},
	    {"plain", "plain"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = quai_imagetest_expand_env(cases[i][0], inspect);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("'%s': expected '%s', got '%s'", cases[i][0], cases[i][1], got);
		free(got);
	}
	char *none = quai_imagetest_expand_env("$PATH!", NULL);
	assert_string_equal(none, "!");
	free(none);
	json_decref(inspect);
}

static void test_http(void **state)
{
	(void)state;
	struct quai_imagetest_spec spec;
	load(&spec, "schemaVersion: \"2.0.0\"\nhttpTests:\n"
	            "  - name: h\n    expectedBody: '\"status\":\\s*\"ok\"'\n"
	            "    expectedHeaders: {content-type: '^application/json', X-Req: '.'}\n");
	const struct quai_imagetest_header headers[] = {{"Content-Type", "application/json; charset=utf-8"},
	                                                {"X-Req", "1"}};
	const char *body = "{\"status\": \"ok\"}";
	struct quai_imagetest_http_facts f = {200, headers, 2, body, strlen(body)};
	char *msg = NULL;
	assert_true(quai_imagetest_eval_http(&msg, &spec.http[0], &f));
	assert_null(msg);
	const char *bad_body = "<html>down</html>";
	struct quai_imagetest_http_facts bad = {503, headers, 1, bad_body, strlen(bad_body)};
	assert_false(quai_imagetest_eval_http(&msg, &spec.http[0], &bad));
	assert_string_equal(msg,
	                    "status: expected 200, actual 503\n"
	                    "expected string '\"status\":\\s*\"ok\"' not found in body '<html>down</html>'\n"
	                    "header 'X-Req' not found in the response");
	free(msg);
	quai_imagetest_spec_release(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_command),        cmocka_unit_test(test_mode_string),
	    cmocka_unit_test(test_file_existence), cmocka_unit_test(test_stat_header),
	    cmocka_unit_test(test_file_content),   cmocka_unit_test(test_metadata),
	    cmocka_unit_test(test_default_port),   cmocka_unit_test(test_http),
	    cmocka_unit_test(test_expand_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
