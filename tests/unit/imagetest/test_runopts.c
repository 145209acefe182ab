/* containerRunOptions: the env file format of `docker run --env-file`, bind
 * mount checks and their preparation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "imagetest/imagetest.h"

static const char *lookup(const char *name)
{
	return strcmp(name, "FROM_HOST") == 0 ? "host value" : NULL;
}

static char *joined(char **v)
{
	struct quai_buf b = QUAI_BUF_INIT;
	for (size_t i = 0; v[i]; i++)
		quai_buf_printf(&b, "%s|", v[i]);
	char *s = strdup(quai_buf_str(&b));
	quai_buf_release(&b);
	return s;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void test_env_file(void **state)
{
	(void)state;
	static const char text[] = "\xEF\xBB\xBF# comment\n"
	                           "A=1\n"
	                           "\n"
	                           "   B= spaced value \r\n"
	                           "QUOTED=\"kept\"\n"
	                           "FROM_HOST\n"
	                           "NOT_SET\n"
	                           "  # indented comment\n"
	                           "EMPTY=\n"
	                           "EQ=a=b";
	char **v = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(quai_imagetest_env_file_parse(&v, text, sizeof(text) - 1, "t.env", lookup, &err), 0);
	char *s = joined(v);
	assert_string_equal(s, "A=1|B= spaced value |QUOTED=\"kept\"|FROM_HOST=host value|EMPTY=|EQ=a=b|");
	free(s);
	free_strv(v);
}

static void test_env_file_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {"A=1\nB C=2\n", "A=1\n=x\n", "ok=1\nNAME WITH SPACE\n"};
	static const char *const want[] = {"t.env:2: variable 'B C' contains whitespace",
	                                   "t.env:2: no variable name before '='",
	                                   "t.env:2: variable 'NAME WITH SPACE' contains whitespace"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char **v = NULL;
		struct quai_error *err = NULL;
		assert_int_equal(
		    quai_imagetest_env_file_parse(&v, bad[i], strlen(bad[i]), "t.env", lookup, &err), -1);
		assert_null(v);
		assert_string_equal(err->msg, want[i]);
		assert_int_equal(err->status, QUAI_EXIT_USAGE);
		quai_error_free(err);
	}
	char **v = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(quai_imagetest_env_file_parse(&v, "A=1\0B=2", 7, "t.env", lookup, &err), -1);
	quai_error_free(err);
}

static void test_bind_valid(void **state)
{
	(void)state;
	static const char *const good[] = {"/srv:/data", "./dir:/data:ro", "../x:/y", "a/b:/c:rw,z", ".:/w"};
	static const char *const bad[] = {"/srv", "name:/data", "/srv:data", ":/x", "/a:/b:ro:x", "/a:/b:"};
	const char *why = NULL;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(quai_imagetest_bind_valid(good[i], &why));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_false(quai_imagetest_bind_valid(bad[i], &why));
		assert_non_null(why);
	}
	assert_false(quai_imagetest_bind_valid("cache:/c", &why));
	assert_non_null(strstr(why, "volume name"));
}

static void test_prepare(void **state)
{
	(void)state;
	char dir[] = "/tmp/quai-runopts-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	FILE *f = fopen("t.env", "w");
	fputs("FILE_VAR=from file\n", f);
	fclose(f);
	assert_int_equal(mkdir("data", 0755), 0);
	setenv("QUAI_RUNOPTS_TEST", "from env", 1);

	char e1[] = "QUAI_RUNOPTS_TEST", e2[] = "QUAI_RUNOPTS_UNSET", e3[] = "LITERAL=x";
	char b1[] = "./data:/data:ro", b2[] = "/tmp:/host-tmp", c1[] = "NET_ADMIN", envfile[] = "t.env";
	char *envs[] = {e1, e2, e3};
	char *binds[] = {b1, b2};
	char *caps[] = {c1};
	struct quai_imagetest_run_options o = {
	    .env_file = envfile,
	    .env_vars = {envs, 3},
	    .bind_mounts = {binds, 2},
	    .capabilities = {caps, 1},
	};
	struct quai_imagetest_run_env re;
	struct quai_error *err = NULL;
	assert_int_equal(quai_imagetest_run_env_prepare(&re, &o, &err), 0);
	char *s = joined(re.env);
	assert_string_equal(s, "FILE_VAR=from file|QUAI_RUNOPTS_TEST=from env|LITERAL=x|");
	free(s);
	char want[8192];
	snprintf(want, sizeof(want), "%s/./data:/data:ro", dir);
	assert_string_equal(re.binds[0], want);
	assert_string_equal(re.binds[1], "/tmp:/host-tmp");
	assert_null(re.binds[2]);
	assert_string_equal(re.cap_add[0], "NET_ADMIN");
	assert_null(re.cap_add[1]);
	quai_imagetest_run_env_release(&re);

	/* a missing host path or env file is an error before anything runs */
	char m1[] = "./nope:/x", missing_file[] = "missing.env";
	char *missing[] = {m1};
	o.bind_mounts = (struct quai_imagetest_strv){missing, 1};
	assert_int_equal(quai_imagetest_run_env_prepare(&re, &o, &err), -1);
	assert_non_null(strstr(err->msg, "bindMounts './nope:/x': host path"));
	quai_error_free(err);
	err = NULL;
	o.bind_mounts = (struct quai_imagetest_strv){0};
	o.env_file = missing_file;
	assert_int_equal(quai_imagetest_run_env_prepare(&re, &o, &err), -1);
	assert_non_null(strstr(err->msg, "missing.env"));
	quai_error_free(err);

	unlink("t.env");
	rmdir("data");
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_env_file),
	    cmocka_unit_test(test_env_file_errors),
	    cmocka_unit_test(test_bind_valid),
	    cmocka_unit_test(test_prepare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
