/* Unit tests of src/registry: keys, refs, auth decoding, config.json lookup,
 * the credential helper protocol (fake helpers in tests/data/registry) and
 * docker login storage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "registry/registry.h"

static void check_key(const char *in, const char *want)
{
	char *k = quai_registry_key(in);
	assert_string_equal(k, want);
	free(k);
}

static void test_key(void **state)
{
	(void)state;
	check_key("docker.io", QUAI_REGISTRY_DOCKER_HUB);
	check_key("index.docker.io", QUAI_REGISTRY_DOCKER_HUB);
	check_key("registry-1.docker.io", QUAI_REGISTRY_DOCKER_HUB);
	check_key("https://index.docker.io/v1/", QUAI_REGISTRY_DOCKER_HUB);
	check_key("127.0.0.1:5000", "127.0.0.1:5000");
	check_key("http://127.0.0.1:5000", "127.0.0.1:5000");
	check_key("https://ghcr.io/v2/", "ghcr.io");
	check_key("reg.example.com:443", "reg.example.com:443");
}

static void check_ref(const char *in, const char *host, const char *repo, const char *tag)
{
	struct quai_registry_ref r;
	struct quai_error *err = NULL;
	assert_int_equal(quai_registry_ref_parse(&r, in, &err), 0);
	assert_string_equal(r.host, host);
	assert_string_equal(r.repo, repo);
	assert_string_equal(r.tag, tag);
	quai_registry_ref_release(&r);
}

static void check_bad_ref(const char *in)
{
	struct quai_registry_ref r;
	struct quai_error *err = NULL;
	assert_int_equal(quai_registry_ref_parse(&r, in, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->status, QUAI_EXIT_USAGE);
	quai_error_free(err);
}

static void test_ref(void **state)
{
	(void)state;
	check_ref("busybox", "docker.io", "library/busybox", "latest");
	check_ref("busybox:1.36", "docker.io", "library/busybox", "1.36");
	check_ref("me/app:v1", "docker.io", "me/app", "v1");
	check_ref("docker.io/me/app", "docker.io", "me/app", "latest");
	check_ref("127.0.0.1:5000/a/b:v1.2", "127.0.0.1:5000", "a/b", "v1.2");
	check_ref("127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest");
	check_ref("localhost/app:x", "localhost", "app", "x");
	check_ref("ghcr.io/o/p:main-1", "ghcr.io", "o/p", "main-1");
	check_bad_ref("App:v1");
	check_bad_ref("app:");
	check_bad_ref("app:-x");
	check_bad_ref("a//b");
	check_bad_ref("app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	check_bad_ref("127.0.0.1:5000/");
}

static void test_auth_decode(void **state)
{
	(void)state;
	struct quai_registry_creds c;
	struct quai_error *err = NULL;
	assert_int_equal(quai_registry_auth_decode(&c, "dXNlcjpwYXNz", &err), 0); /* user:pass */
	assert_string_equal(c.username, "user");
	assert_string_equal(c.password, "pass");
	quai_registry_creds_release(&c);
	assert_null(c.username);

	/* the password keeps its colons; padding */
	char *enc = quai_registry_auth_encode("u", "p:a:ss");
	assert_int_equal(quai_registry_auth_decode(&c, enc, &err), 0);
	assert_string_equal(c.username, "u");
	assert_string_equal(c.password, "p:a:ss");
	quai_registry_creds_release(&c);
	free(enc);
	enc = quai_registry_auth_encode("ab", "c");
	assert_string_equal(enc, "YWI6Yw==");
	assert_int_equal(quai_registry_auth_decode(&c, enc, &err), 0);
	assert_string_equal(c.username, "ab");
	assert_string_equal(c.password, "c");
	quai_registry_creds_release(&c);
	free(enc);

	/* invalid: bad base64, no colon; the message never shows the value */
	const char *bad[] = {"!!!!", "abc", "", "c2VjcmV0c2VjcmV0" /* secretsecret */};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(quai_registry_auth_decode(&c, bad[i], &err), -1);
		assert_non_null(err);
		assert_null(strstr(err->msg, "secret"));
		if (*bad[i])
			assert_null(strstr(err->msg, bad[i]));
		quai_error_free(err);
		err = NULL;
	}
}

static const char *data_dir(void)
{
	const char *d = getenv("QUAI_TEST_DATA");
	return d ? d : "tests/data/registry";
}

static void use_fake_helpers(void)
{
	static char *path;
	if (!path) {
		const char *old = getenv("PATH");
		path = xasprintf("%s:%s", data_dir(), old ? old : "/usr/bin:/bin");
		setenv("PATH", path, 1);
	}
}

static int lookup(struct quai_registry_creds *c, const char *json, const char *registry,
                  struct quai_error **err)
{
	json_t *cfg = json_loads(json, 0, NULL);
	assert_non_null(cfg);
	int rc = quai_registry_config_lookup(c, cfg, registry, err);
	json_decref(cfg);
	return rc;
}

static void test_config_auths(void **state)
{
	(void)state;
	struct quai_registry_creds c;
	struct quai_error *err = NULL;
	const char *cfg = "{\"auths\": {"
	                  "\"https://index.docker.io/v1/\": {\"auth\": \"aHViOmh1YnB3\"},"
	                  "\"http://127.0.0.1:5000\": {\"auth\": \"bG9jYWw6bG9jYWxwdw==\"},"
	                  "\"plain.example.com\": {\"username\": \"pu\", \"password\": \"pp\"},"
	                  "\"empty.example.com\": {}"
	                  "}}";
	assert_int_equal(lookup(&c, cfg, "docker.io", &err), 1);
	assert_string_equal(c.username, "hub");
	assert_string_equal(c.password, "hubpw");
	quai_registry_creds_release(&c);
	assert_int_equal(lookup(&c, cfg, "127.0.0.1:5000", &err), 1);
	assert_string_equal(c.username, "local");
	assert_string_equal(c.password, "localpw");
	quai_registry_creds_release(&c);
	assert_int_equal(lookup(&c, cfg, "plain.example.com", &err), 1);
	assert_string_equal(c.username, "pu");
	quai_registry_creds_release(&c);
	assert_int_equal(lookup(&c, cfg, "empty.example.com", &err), 0);
	assert_int_equal(lookup(&c, cfg, "127.0.0.1:5001", &err), 0);
	assert_int_equal(lookup(&c, "{}", "docker.io", &err), 0);
	assert_int_equal(lookup(&c, "{\"auths\": {\"x.io\": {\"auth\": \"%%%%\"}}}", "x.io", &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "x.io"));
	quai_error_free(err);
}

static void test_config_helpers(void **state)
{
	(void)state;
	use_fake_helpers();
	setenv("FAKE_CRED_SERVER", "reg.example.com", 1);
	struct quai_registry_creds c;
	struct quai_error *err = NULL;
	/* credHelpers first, then credsStore, then auths */
	const char *cfg =
	    "{\"credsStore\": \"fake\", \"credHelpers\": {\"other.example.com\": \"broken\"},"
	    "\"auths\": {\"reg.example.com\": {\"auth\": \"YTpi\"}, \"third.io\": {\"auth\": \"YTpi\"}}}";
	assert_int_equal(lookup(&c, cfg, "reg.example.com", &err), 1);
	assert_string_equal(c.username, "helper-user");
	assert_string_equal(c.password, "helper-secret");
	quai_registry_creds_release(&c);
	/* the store does not know third.io: the auths entry */
	assert_int_equal(lookup(&c, cfg, "third.io", &err), 1);
	assert_string_equal(c.username, "a");
	quai_registry_creds_release(&c);
	/* a broken helper is an error naming it */
	assert_int_equal(lookup(&c, cfg, "other.example.com", &err), -1);
	assert_non_null(strstr(err->msg, "docker-credential-broken"));
	quai_error_free(err);
	err = NULL;
	/* a missing helper */
	assert_int_equal(lookup(&c, "{\"credsStore\": \"nosuchhelper\"}", "reg.example.com", &err), -1);
	assert_non_null(strstr(err->msg, "docker-credential-nosuchhelper"));
	quai_error_free(err);
	err = NULL;
	/* no shell: a name with shell characters is refused */
	assert_int_equal(lookup(&c, "{\"credsStore\": \"x;true\"}", "reg.example.com", &err), -1);
	quai_error_free(err);
	/* Docker Hub is asked for with its URL key */
	setenv("FAKE_CRED_SERVER", QUAI_REGISTRY_DOCKER_HUB, 1);
	err = NULL;
	assert_int_equal(lookup(&c, "{\"credsStore\": \"fake\"}", "docker.io", &err), 1);
	quai_registry_creds_release(&c);
}

static void test_helper_store(void **state)
{
	(void)state;
	use_fake_helpers();
	char dir[] = "/tmp/quai-registry-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cleanup_free char *out = xasprintf("%s/stored.json", dir);
	setenv("FAKE_CRED_STORE", out, 1);
	struct quai_registry_creds c = {xstrdup("u"), xstrdup("s3cret")};
	struct quai_error *err = NULL;
	assert_int_equal(quai_registry_helper_store("fake", "reg.example.com", &c, &err), 0);
	cleanup_free char *text = NULL;
	size_t len;
	assert_int_equal(quai_file_read(&text, &len, out, 1 << 20, &err), 0);
	json_t *j = json_loads(text, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "ServerURL")), "reg.example.com");
	assert_string_equal(json_string_value(json_object_get(j, "Username")), "u");
	assert_string_equal(json_string_value(json_object_get(j, "Secret")), "s3cret");
	json_decref(j);
	quai_registry_creds_release(&c);
	unlink(out);
	rmdir(dir);
}

static void test_login_store(void **state)
{
	(void)state;
	char dir[] = "/tmp/quai-registry-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	setenv("DOCKER_CONFIG", dir, 1);
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"auths\": {\"keep.io\": {\"auth\": \"YTpi\"}}, \"psFormat\": \"x\"}", f);
	fclose(f);
	struct quai_registry_creds c = {xstrdup("me"), xstrdup("pw")};
	struct quai_error *err = NULL;
	char *where = NULL;
	assert_int_equal(quai_registry_login_store(&where, "127.0.0.1:5000", &c, &err), 0);
	assert_string_equal(where, path);
	free(where);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct quai_registry_creds got;
	unsetenv("QUAI_REGISTRY_USER");
	assert_int_equal(quai_registry_creds_find(&got, "127.0.0.1:5000", &err), 1);
	assert_string_equal(got.username, "me");
	assert_string_equal(got.password, "pw");
	quai_registry_creds_release(&got);
	assert_int_equal(quai_registry_creds_find(&got, "keep.io", &err), 1);
	quai_registry_creds_release(&got);
	cleanup_free char *text = NULL;
	size_t len;
	assert_int_equal(quai_file_read(&text, &len, path, 1 << 20, &err), 0);
	assert_non_null(strstr(text, "psFormat"));
	/* environment first */
	setenv("QUAI_REGISTRY_USER", "envu", 1);
	setenv("QUAI_REGISTRY_PASSWORD", "envp", 1);
	assert_int_equal(quai_registry_creds_find(&got, "keep.io", &err), 1);
	assert_string_equal(got.username, "envu");
	quai_registry_creds_release(&got);
	unsetenv("QUAI_REGISTRY_USER");
	unsetenv("QUAI_REGISTRY_PASSWORD");
	/* no file: no credentials; invalid file: an error */
	unlink(path);
	assert_int_equal(quai_registry_creds_find(&got, "keep.io", &err), 0);
	f = fopen(path, "w");
	fputs("{oops", f);
	fclose(f);
	assert_int_equal(quai_registry_creds_find(&got, "keep.io", &err), -1);
	quai_error_free(err);
	unlink(path);
	quai_registry_creds_release(&c);
	rmdir(dir);
	unsetenv("DOCKER_CONFIG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_ref),
	    cmocka_unit_test(test_auth_decode),
	    cmocka_unit_test(test_config_auths),
	    cmocka_unit_test(test_config_helpers),
	    cmocka_unit_test(test_helper_store),
	    cmocka_unit_test(test_login_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
