/* The lint configuration: .hadolint.yaml keys, errors with positions,
 * HADOLINT_* variables and how they merge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lint/lint.h"

static void test_defaults(void **state)
{
	(void)state;
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	assert_int_equal(cfg.failure_threshold, QUAI_LEVEL_INFO);
	assert_int_equal(cfg.format, -1);
	assert_true(cfg.require_user);
	assert_int_equal(quai_lint_config_level(&cfg, "DL3006", QUAI_LEVEL_WARNING), QUAI_LEVEL_WARNING);
	quai_lint_config_release(&cfg);
}

static void test_all_keys(void **state)
{
	(void)state;
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_error *err = NULL;
	const char *text = "ignored:\n  - DL3000\n  - SC1010\n"
			   "override:\n  error: [DL3001]\n  style:\n    - DL3015\n"
			   "failure-threshold: warning\n"
			   "trustedRegistries:\n  - docker.io\n  - \"*.gcr.io\"\n"
			   "label-schema:\n  author: text\n  version: semver\n"
			   "strict-labels: true\n"
			   "disable-ignore-pragma: yes\n"
			   "no-fail: false\n"
			   "no-color: true\n"
			   "format: json\n";
	int rc = quai_lint_config_load_string(&cfg, "c.yaml", text, &err);
	assert_int_equal(rc, 0);
	assert_null(err);
	assert_int_equal(cfg.nignored, 2);
	assert_string_equal(cfg.ignored[1], "SC1010");
	assert_int_equal(quai_lint_config_level(&cfg, "DL3000", QUAI_LEVEL_ERROR), QUAI_LEVEL_IGNORE);
	assert_int_equal(quai_lint_config_level(&cfg, "DL3001", QUAI_LEVEL_INFO), QUAI_LEVEL_ERROR);
	assert_int_equal(quai_lint_config_level(&cfg, "DL3015", QUAI_LEVEL_INFO), QUAI_LEVEL_STYLE);
	assert_int_equal(cfg.failure_threshold, QUAI_LEVEL_WARNING);
	assert_int_equal(cfg.ntrusted_registries, 2);
	assert_string_equal(cfg.trusted_registries[1], "*.gcr.io");
	assert_int_equal(cfg.nlabel_schema, 2);
	assert_string_equal(cfg.label_schema[1].name, "version");
	assert_string_equal(cfg.label_schema[1].type, "semver");
	assert_true(cfg.strict_labels);
	assert_true(cfg.disable_ignore_pragma);
	assert_false(cfg.no_fail);
	assert_true(cfg.no_color);
	assert_int_equal(cfg.format, QUAI_FORMAT_JSON);
	quai_lint_config_release(&cfg);
}

static void test_registry_string(void **state)
{
	(void)state;
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_error *err = NULL;
	assert_int_equal(quai_lint_config_load_string(&cfg, "c", "trustedRegistries: my.io:5000\n", &err), 0);
	assert_int_equal(cfg.ntrusted_registries, 1);
	assert_string_equal(cfg.trusted_registries[0], "my.io:5000");
	quai_lint_config_release(&cfg);
}

static void test_empty(void **state)
{
	(void)state;
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_error *err = NULL;
	assert_int_equal(quai_lint_config_load_string(&cfg, "c", "", &err), 0);
	assert_int_equal(quai_lint_config_load_string(&cfg, "c", "# only a comment\n", &err), 0);
	assert_int_equal(quai_lint_config_load_string(&cfg, "c", "ignored:\n", &err), 0);
	assert_int_equal(cfg.nignored, 0);
	quai_lint_config_release(&cfg);
}

static void expect_error(const char *text, const char *want)
{
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_error *err = NULL;
	assert_int_equal(quai_lint_config_load_string(&cfg, "c.yaml", text, &err), -1);
	assert_non_null(err);
	if (!strstr(err->msg, want))
		fail_msg("error '%s' does not contain '%s'", err->msg, want);
	assert_int_equal(err->status, QUAI_EXIT_USAGE);
	quai_error_free(err);
	quai_lint_config_release(&cfg);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("ignored: [DL3000]\nignord: [DL3001]\n", "c.yaml:2:1: unknown key 'ignord'");
	expect_error("ignored: DL3000\n", "c.yaml:1:10: 'ignored' must be a list");
	expect_error("ignored:\n  - [a]\n", "c.yaml:2:5: 'ignored' must be a single value");
	expect_error("strict-labels: maybe\n", "c.yaml:1:16: 'strict-labels' must be true or false");
	expect_error("failure-threshold: fatal\n", "unknown failure threshold 'fatal'");
	expect_error("override:\n  fatal: [DL3000]\n", "c.yaml:2:3: unknown level 'fatal'");
	expect_error("override: [DL3000]\n", "'override' must be a mapping");
	expect_error("label-schema:\n  a: colour\n", "c.yaml:2:6: unknown label type 'colour'");
	expect_error("format: xml\n", "unknown format 'xml'");
	expect_error("- a\n- b\n", "c.yaml:1:1: the configuration must be a mapping");
	expect_error("ignored: [DL3000\n", "c.yaml:2:1: invalid YAML");
}

static void test_env(void **state)
{
	(void)state;
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_error *err = NULL;
	assert_int_equal(quai_lint_config_load_string(&cfg, "c", "ignored: [DL3000]\nfailure-threshold: error\n", &err),
			 0);
	setenv("HADOLINT_NOFAIL", "yes", 1);
	setenv("HADOLINT_FAILURE_THRESHOLD", "style", 1);
	setenv("HADOLINT_IGNORE", "DL3001, DL3002", 1);
	setenv("HADOLINT_OVERRIDE_ERROR", "DL3003", 1);
	setenv("HADOLINT_TRUSTED_REGISTRIES", "a.io,b.io", 1);
	setenv("HADOLINT_REQUIRE_LABELS", "maintainer:text,version:semver", 1);
	setenv("HADOLINT_STRICT_LABELS", "0", 1);
	setenv("HADOLINT_FORMAT", "sarif", 1);
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(quai_lint_config_from_env(&cfg, &err), 0);
	assert_true(cfg.no_fail);
	assert_int_equal(cfg.failure_threshold, QUAI_LEVEL_STYLE);
	assert_int_equal(cfg.nignored, 3);
	assert_string_equal(cfg.ignored[2], "DL3002");
	assert_int_equal(quai_lint_config_level(&cfg, "DL3003", QUAI_LEVEL_INFO), QUAI_LEVEL_ERROR);
	assert_int_equal(cfg.ntrusted_registries, 2);
	assert_int_equal(cfg.nlabel_schema, 2);
	assert_false(cfg.strict_labels);
	assert_int_equal(cfg.format, QUAI_FORMAT_SARIF);
	assert_true(cfg.no_color);
	quai_lint_config_release(&cfg);

	quai_lint_config_init(&cfg);
	setenv("HADOLINT_FAILURE_THRESHOLD", "loud", 1);
	assert_int_equal(quai_lint_config_from_env(&cfg, &err), -1);
	assert_non_null(strstr(err->msg, "HADOLINT_FAILURE_THRESHOLD"));
	quai_error_free(err);
	err = NULL;
	unsetenv("HADOLINT_FAILURE_THRESHOLD");
	setenv("HADOLINT_REQUIRE_LABELS", "version", 1);
	assert_int_equal(quai_lint_config_from_env(&cfg, &err), -1);
	assert_non_null(strstr(err->msg, "HADOLINT_REQUIRE_LABELS"));
	quai_error_free(err);
	quai_lint_config_release(&cfg);
	const char *vars[] = { "HADOLINT_NOFAIL", "HADOLINT_IGNORE", "HADOLINT_OVERRIDE_ERROR",
			       "HADOLINT_TRUSTED_REGISTRIES", "HADOLINT_REQUIRE_LABELS", "HADOLINT_STRICT_LABELS",
			       "HADOLINT_FORMAT", "NO_COLOR" };
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static void test_cli_additions(void **state)
{
	(void)state;
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_error *err = NULL;
	quai_lint_config_add_override(&cfg, "DL3006", QUAI_LEVEL_ERROR);
	quai_lint_config_add_override(&cfg, "DL3006", QUAI_LEVEL_STYLE);
	assert_int_equal(quai_lint_config_level(&cfg, "dl3006", QUAI_LEVEL_WARNING), QUAI_LEVEL_STYLE);
	quai_lint_config_add_ignore(&cfg, "DL3006");
	assert_int_equal(quai_lint_config_level(&cfg, "DL3006", QUAI_LEVEL_WARNING), QUAI_LEVEL_IGNORE);
	assert_int_equal(quai_lint_config_add_label(&cfg, "a:email", &err), 0);
	assert_int_equal(quai_lint_config_add_label(&cfg, "a:url", &err), 0);
	assert_int_equal(cfg.nlabel_schema, 1);
	assert_string_equal(cfg.label_schema[0].type, "url");
	assert_int_equal(quai_lint_config_add_label(&cfg, ":url", &err), -1);
	quai_error_free(err);
	err = NULL;
	assert_int_equal(quai_lint_config_add_label(&cfg, "a:colour", &err), -1);
	quai_error_free(err);
	quai_lint_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),      cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_registry_string), cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),        cmocka_unit_test(test_env),
		cmocka_unit_test(test_cli_additions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
