/* Unit tests of the QC rules (src/compose/lint*.c) on models written as
 * already-resolved YAML: each rule's positive and negative cases, levels,
 * ignores, overrides and pragmas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/compose.h"
#include "compose/lint.h"
#include "core/error.h"
#include "lint/lint.h"
#include "yaml/yaml.h"

static char dir[] = "/tmp/quai-qc-XXXXXX";
static int nfile;

/* Writes text to a file of its own (pragmas are read from the file) and
 * lints it as a resolved model. */
static void lint_text(struct quai_findings *out, const char *text, const struct quai_lint_config *cfg)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/c%d.yaml", dir, nfile++);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	struct quai_yaml_doc *doc = NULL;
	struct quai_error *err = NULL;
	if (quai_yaml_load_file(&doc, path, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		quai_error_free(err);
		fail();
	}
	char *files[] = {path, NULL};
	struct quai_compose c = {.doc = doc, .model = doc->root, .files = files};
	quai_compose_lint(out, &c, cfg);
	quai_yaml_free(doc);
}

/* Findings with code, as "line:col" joined by spaces ("" for none). */
static char *found(const char *text, const char *code, const struct quai_lint_config *cfg)
{
	struct quai_lint_config deflt;
	quai_lint_config_init(&deflt);
	struct quai_findings f = {0};
	lint_text(&f, text, cfg ? cfg : &deflt);
	char *buf = calloc(1, 1024);
	for (size_t i = 0; i < f.len; i++) {
		if (strcmp(f.items[i].code, code) != 0)
			continue;
		size_t n = strlen(buf);
		snprintf(buf + n, 1024 - n, "%s%u:%u", n ? " " : "", f.items[i].line, f.items[i].col);
	}
	quai_findings_release(&f);
	quai_lint_config_release(&deflt);
	return buf;
}

#define assert_found(text, code, expect)                                                                     \
	do {                                                                                                 \
		char *got_ = found(text, code, NULL);                                                        \
		assert_string_equal(got_, expect);                                                           \
		free(got_);                                                                                  \
	} while (0)

static void test_image_tag(void **state)
{
	(void)state;
	assert_found("services:\n  a:\n    image: nginx\n", "QC3001", "3:12");
	assert_found("services:\n  a:\n    image: nginx:latest\n", "QC3001", "3:12");
	assert_found("services:\n  a:\n    image: reg:5000/team/nginx\n", "QC3001", "3:12");
	assert_found("services:\n  a:\n    image: reg:5000/team/nginx:1.25\n", "QC3001", "");
	assert_found("services:\n  a:\n    image: nginx@sha256:0123\n", "QC3001", "");
	/* with build, image names what is built */
	assert_found("services:\n  a:\n    image: myapp\n    build: .\n", "QC3001", "");
}

static void test_privileged(void **state)
{
	(void)state;
	assert_found("services:\n  a:\n    image: x:1\n    privileged: true\n", "QC3002", "4:5");
	assert_found("services:\n  a:\n    image: x:1\n    privileged: yes\n", "QC3002", "4:5");
	assert_found("services:\n  a:\n    image: x:1\n    privileged: false\n", "QC3002", "");
}

static void test_docker_socket(void **state)
{
	(void)state;
	assert_found("services:\n  a:\n    image: x:1\n    volumes:\n      - "
	             "/var/run/docker.sock:/var/run/docker.sock:ro\n"
	             "      - ./data:/data\n",
	             "QC3003", "5:9");
	assert_found("services:\n  a:\n    image: x:1\n    volumes:\n      - type: bind\n        source: "
	             "/run/docker.sock\n"
	             "        target: /var/run/docker.sock\n",
	             "QC3003", "5:9");
	assert_found("services:\n  a:\n    image: x:1\n    volumes:\n      - /var/run:/host-run\n", "QC3003",
	             "5:9");
	assert_found("services:\n  a:\n    image: x:1\n    volumes:\n      - type: volume\n        source: "
	             "docker.sock\n"
	             "        target: /x\n",
	             "QC3003", "");
}

static void test_env_secrets(void **state)
{
	(void)state;
	assert_found("services:\n  a:\n    image: x:1\n    environment:\n      DB_PASSWORD: hunter2\n"
	             "      API_TOKEN: ${TOKEN}\n      SECRET_KEY: $$notavar\n      TZ: UTC\n",
	             "QC3004", "5:20 7:19");
	assert_found("services:\n  a:\n    image: x:1\n    environment:\n      - MYSQL_ROOT_PASSWORD=root\n"
	             "      - AWS_ACCESS_KEY=${KEY:-x}\n      - POSTGRES_PASSWORD_FILE=/run/secrets/pw\n"
	             "      - MYSQL_ALLOW_EMPTY_PASSWORD=yes\n      - GITHUB_TOKEN\n      - MONKEY=1x\n",
	             "QC3004", "5:9");
}

static void test_network_host(void **state)
{
	(void)state;
	assert_found("services:\n  a:\n    image: x:1\n    network_mode: host\n", "QC3005", "4:19");
	assert_found("services:\n  a:\n    image: x:1\n    network_mode: bridge\n", "QC3005", "");
}

static void test_restart(void **state)
{
	(void)state;
	assert_found(
	    "services:\n  a:\n    image: x:1\n  b:\n    image: x:1\n    restart: always\n"
	    "  c:\n    image: x:1\n    deploy:\n      restart_policy:\n        condition: on-failure\n",
	    "QC3006", "2:3");
}

static void test_dependency_health(void **state)
{
	(void)state;
	const char *text =
	    "services:\n"
	    "  web:\n    image: x:1\n    depends_on: [db, cache]\n"
	    "  db:\n    image: x:1\n"
	    "  cache:\n    image: x:1\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
	    "  worker:\n    image: x:1\n    depends_on:\n      web:\n        condition: service_started\n";
	assert_found(text, "QC3007", "2:3 5:3");
	/* waiting for completion (a job) or health (the loader's check): not this rule */
	assert_found("services:\n  a:\n    image: x:1\n    depends_on:\n      m:\n"
	             "        condition: service_completed_successfully\n      h:\n"
	             "        condition: service_healthy\n  m:\n    image: x:1\n  h:\n    image: x:1\n",
	             "QC3007", "");
	assert_found("services:\n  a:\n    image: x:1\n    depends_on: [b]\n  b:\n    image: x:1\n"
	             "    healthcheck:\n      disable: true\n",
	             "QC3007", "5:3");
}

static void test_container_name_replicas(void **state)
{
	(void)state;
	assert_found(
	    "services:\n  a:\n    image: x:1\n    container_name: a\n    deploy:\n      replicas: 3\n",
	    "QC3008", "4:5");
	assert_found(
	    "services:\n  a:\n    image: x:1\n    container_name: a\n    deploy:\n      replicas: 1\n",
	    "QC3008", "");
	assert_found("services:\n  a:\n    image: x:1\n    container_name: a\n    scale: 2\n", "QC3008",
	             "4:5");
}

static void test_links(void **state)
{
	(void)state;
	assert_found("services:\n  a:\n    image: x:1\n    links: [b]\n    external_links:\n      - c\n",
	             "QC3009", "4:5 5:5");
}

static void test_deploy_ignored(void **state)
{
	(void)state;
	assert_found(
	    "services:\n  a:\n    image: x:1\n    deploy:\n      replicas: 2\n      placement:\n"
	    "        constraints: [node.role == manager]\n      mode: global\n      restart_policy:\n"
	    "        condition: any\n        delay: 5s\n      resources:\n        limits:\n          cpus: "
	    "'1'\n",
	    "QC3010", "6:7 8:13 11:9");
}

static void test_pragmas(void **state)
{
	(void)state;
	/* above the line, at its end, above the service, global */
	assert_found("services:\n  a:\n    image: x:1\n    # quai ignore=QC3002\n    privileged: true\n",
	             "QC3002", "");
	assert_found(
	    "services:\n  a:\n    image: x:1\n    privileged: true  # hadolint ignore=QC3002,QC3005\n",
	    "QC3002", "");
	assert_found("services:\n  # quai ignore=QC3006\n  a:\n    image: x:1\n  b:\n    image: x:1\n",
	             "QC3006", "5:3");
	assert_found("# quai global ignore=QC3001\nservices:\n  a:\n    image: nginx\n", "QC3001", "");
	/* another code, or a blank line between: still reported */
	assert_found("services:\n  a:\n    image: x:1\n    # quai ignore=QC3001\n    privileged: true\n",
	             "QC3002", "5:5");
	assert_found("services:\n  a:\n    image: x:1\n    # quai ignore=QC3002\n\n    privileged: true\n",
	             "QC3002", "6:5");

	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	cfg.disable_ignore_pragma = true;
	char *got = found("services:\n  a:\n    image: x:1\n    # quai ignore=QC3002\n    privileged: true\n",
	                  "QC3002", &cfg);
	assert_string_equal(got, "5:5");
	free(got);
	quai_lint_config_release(&cfg);
}

static void test_config_levels(void **state)
{
	(void)state;
	const char *text = "services:\n  a:\n    image: nginx\n    privileged: true\n";
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	quai_lint_config_add_ignore(&cfg, "QC3001");
	quai_lint_config_add_override(&cfg, "QC3002", QUAI_LEVEL_ERROR);
	struct quai_findings f = {0};
	lint_text(&f, text, &cfg);
	bool saw_priv = false;
	for (size_t i = 0; i < f.len; i++) {
		assert_string_not_equal(f.items[i].code, "QC3001");
		if (strcmp(f.items[i].code, "QC3002") == 0) {
			assert_int_equal(f.items[i].level, QUAI_LEVEL_ERROR);
			saw_priv = true;
		}
	}
	assert_true(saw_priv);
	quai_findings_release(&f);
	quai_lint_config_release(&cfg);
}

static void test_rule_list(void **state)
{
	(void)state;
	size_t n;
	const struct quai_lint_rule_info *r = quai_compose_lint_rules(&n);
	assert_true(n >= 11);
	assert_string_equal(r[0].code, "QC1000");
	for (size_t i = 1; i < n; i++) {
		assert_true(strcmp(r[i - 1].code, r[i].code) < 0);
		assert_non_null(r[i].summary);
	}
}

static void test_clean_file(void **state)
{
	(void)state;
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_findings f = {0};
	lint_text(
	    &f,
	    "services:\n  web:\n    image: nginx:1.25\n    restart: unless-stopped\n    depends_on:\n      "
	    "db:\n"
	    "        condition: service_healthy\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD:?}\n"
	    "  db:\n    image: postgres:16\n    restart: unless-stopped\n    healthcheck:\n"
	    "      test: [\"CMD\", \"pg_isready\"]\n",
	    &cfg);
	for (size_t i = 0; i < f.len; i++)
		fprintf(stderr, "unexpected %u:%u %s %s\n", f.items[i].line, f.items[i].col, f.items[i].code,
		        f.items[i].message);
	assert_int_equal(f.len, 0);
	quai_findings_release(&f);
	quai_lint_config_release(&cfg);
}

/* Shapes the loader would refuse must not trip the rules up. */
static void test_odd_shapes(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    "services: []\n",
	    "services:\n  a: x\n  b: [1]\n  c:\n",
	    "services:\n  a:\n    image: [x]\n    privileged: [true]\n    volumes: {a: b}\n    environment: "
	    "5\n",
	    "services:\n  a:\n    volumes: [[x], {type: bind}, {source: [x]}, '', ':']\n    environment: "
	    "[[x], '=', 'A']\n",
	    "services:\n  a:\n    depends_on: x\n    healthcheck: x\n  x:\n    depends_on: {a: x}\n    "
	    "healthcheck: {test: []}\n",
	    "services:\n  a:\n    container_name: [x]\n    scale: x\n    deploy: [x]\n    restart: ''\n",
	    "services:\n  a:\n    container_name: x\n    deploy: {replicas: 'many', restart_policy: x, mode: "
	    "[x]}\n",
	    "services:\n  a:\n    network_mode: [host]\n    links: {}\n    image: ':'\n  b:\n    image: "
	    "'a/b:'\n",
	    "[]\n",
	    "x\n",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct quai_lint_config cfg;
		quai_lint_config_init(&cfg);
		struct quai_findings f = {0};
		lint_text(&f, texts[i], &cfg);
		quai_findings_release(&f);
		quai_lint_config_release(&cfg);
	}
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nfile; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/c%d.yaml", dir, i);
		unlink(path);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_image_tag),
	    cmocka_unit_test(test_privileged),
	    cmocka_unit_test(test_docker_socket),
	    cmocka_unit_test(test_env_secrets),
	    cmocka_unit_test(test_network_host),
	    cmocka_unit_test(test_restart),
	    cmocka_unit_test(test_dependency_health),
	    cmocka_unit_test(test_container_name_replicas),
	    cmocka_unit_test(test_links),
	    cmocka_unit_test(test_deploy_ignored),
	    cmocka_unit_test(test_pragmas),
	    cmocka_unit_test(test_config_levels),
	    cmocka_unit_test(test_rule_list),
	    cmocka_unit_test(test_clean_file),
	    cmocka_unit_test(test_odd_shapes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
