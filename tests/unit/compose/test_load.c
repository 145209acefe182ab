/* Unit tests of the compose loader: the checks (one file each under
 * tests/data/compose/invalid), short syntaxes, merges, extends, include,
 * !reset/!override, errors, and the writer reading back its own output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/compose.h"

static const char *data_dir = "tests/data/compose";
static char tmp[64];

static const char *const test_environ[] = {"HOME=/home/test", "TAG=1.25", NULL};

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Loads files (in tmp) with findings; *out may be NULL. */
static struct quai_compose *load_files(const char *const *names, size_t n, struct quai_findings *diags)
{
	char paths[4][512];
	const char *files[4];
	for (size_t i = 0; i < n; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", tmp, names[i]);
		files[i] = paths[i];
	}
	struct quai_compose_options o = {.files = files, .nfiles = n, .environ = test_environ};
	struct quai_compose *c = NULL;
	struct quai_error *err = NULL;
	int rc = quai_compose_load(&c, diags, &o, &err);
	if (rc < 0)
		fprintf(stderr, "%s\n", err->msg);
	assert_int_equal(rc, 0);
	return c;
}

static struct quai_compose *load_ok(const char *text)
{
	write_file("compose.yaml", text);
	struct quai_findings diags = {0};
	const char *names[] = {"compose.yaml"};
	struct quai_compose *c = load_files(names, 1, &diags);
	for (size_t i = 0; i < diags.len; i++)
		fprintf(stderr, "%u:%u: %s\n", diags.items[i].line, diags.items[i].col,
		        diags.items[i].message);
	assert_int_equal(diags.len, 0);
	assert_non_null(c);
	quai_findings_release(&diags);
	return c;
}

/* Loads text and expects a finding at line (0: any) containing part. */
static void load_bad(const char *text, unsigned line, const char *part)
{
	write_file("compose.yaml", text);
	struct quai_findings diags = {0};
	const char *names[] = {"compose.yaml"};
	struct quai_compose *c = load_files(names, 1, &diags);
	bool found = false;
	for (size_t i = 0; i < diags.len; i++) {
		assert_string_equal(diags.items[i].code, "QC1000");
		if ((!line || diags.items[i].line == line) && strstr(diags.items[i].message, part))
			found = true;
	}
	if (!found)
		for (size_t i = 0; i < diags.len; i++)
			fprintf(stderr, "got %u: %s\n", diags.items[i].line, diags.items[i].message);
	assert_true(found);
	quai_compose_free(c);
	quai_findings_release(&diags);
}

static const struct quai_yaml_node *at(const struct quai_compose *c, const char *path)
{
	/* "services.web.ports.0.target": keys and list indexes */
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	const struct quai_yaml_node *n = c->model;
	for (char *tok = buf, *next; tok && n; tok = next) {
		next = strchr(tok, '.');
		if (next)
			*next++ = '\0';
		if (n->type == QUAI_YAML_SEQ) {
			size_t i = (size_t)atoi(tok);
			n = i < n->n ? n->items[i] : NULL;
		} else {
			n = quai_yaml_get(n, tok);
		}
	}
	return n;
}

static const char *str_at(const struct quai_compose *c, const char *path)
{
	const char *s = quai_yaml_str(at(c, path));
	if (!s)
		fprintf(stderr, "nothing at %s\n", path);
	return s ? s : "(none)";
}

static void test_invalid_data(void **state)
{
	(void)state;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/invalid", data_dir);
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t checked = 0;
	setenv("QUAI_TEST_UNSET_TAG", "", 1);
	unsetenv("QUAI_TEST_UNSET_TAG");
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".yml") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		char first[512] = "";
		assert_non_null(fgets(first, sizeof(first), f));
		fclose(f);
		first[strcspn(first, "\n")] = '\0';
		unsigned line = 0;
		int off = 0;
		assert_int_equal(sscanf(first, "# expect: %u %n", &line, &off), 1);
		const char *part = first + off;
		const char *files[] = {path};
		struct quai_compose_options o = {.files = files, .nfiles = 1};
		struct quai_findings diags = {0};
		struct quai_compose *c = NULL;
		struct quai_error *err = NULL;
		assert_int_equal(quai_compose_load(&c, &diags, &o, &err), 0);
		bool found = false;
		for (size_t i = 0; i < diags.len; i++)
			if (diags.items[i].line == line && strstr(diags.items[i].message, part))
				found = true;
		if (!found) {
			fprintf(stderr, "%s: expected line %u '%s'\n", e->d_name, line, part);
			for (size_t i = 0; i < diags.len; i++)
				fprintf(stderr, "  got %u: %s\n", diags.items[i].line,
				        diags.items[i].message);
		}
		assert_true(found);
		quai_compose_free(c);
		quai_findings_release(&diags);
		checked++;
	}
	closedir(d);
	assert_true(checked >= 12);
}

static void test_valid_data(void **state)
{
	(void)state;
	static const char *const cases[] = {"anchors",   "extends",    "interpolation", "legacy-v2",
	                                    "legacy-v3", "newer-spec", "override",      "syntax"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[512];
		snprintf(dir, sizeof(dir), "%s/valid/%s", data_dir, cases[i]);
		struct quai_compose_options o = {.project_dir = dir, .environ = test_environ};
		struct quai_findings diags = {0};
		struct quai_compose *c = NULL;
		struct quai_error *err = NULL;
		int rc = quai_compose_load(&c, &diags, &o, &err);
		if (rc < 0)
			fprintf(stderr, "%s: %s\n", cases[i], err->msg);
		assert_int_equal(rc, 0);
		for (size_t k = 0; k < diags.len; k++)
			fprintf(stderr, "%s:%u: %s\n", diags.items[k].file, diags.items[k].line,
			        diags.items[k].message);
		assert_int_equal(diags.len, 0);
		assert_non_null(c);
		assert_string_equal(c->name, cases[i][0] == 'n' ? "newer" : cases[i]);
		quai_compose_free(c);
		quai_findings_release(&diags);
	}
}

static void test_short_syntax(void **state)
{
	(void)state;
	char db[128];
	snprintf(db, sizeof(db), "%s/db", tmp);
	mkdir(db, 0700);
	struct quai_compose *c = load_ok("services:\n"
	                                 "  web:\n"
	                                 "    image: nginx:${TAG}\n"
	                                 "    ports: ['8000-8001:9000-9001/udp', 80, '127.0.0.1::53']\n"
	                                 "    volumes: ['./site:/srv:ro', 'data:/data', '/anon']\n"
	                                 "    environment: [A=1, B, 'C=x=y']\n"
	                                 "    depends_on: [db]\n"
	                                 "    command: sh -c 'echo \"a b\"'\n"
	                                 "    healthcheck: {test: curl -f http://x/}\n"
	                                 "    tty: yes\n"
	                                 "    privileged: 'off'\n"
	                                 "    restart: no\n"
	                                 "    dns: 1.1.1.1\n"
	                                 "    expose: [80, '81']\n"
	                                 "  db:\n"
	                                 "    build: ./db\n"
	                                 "volumes:\n"
	                                 "  data:\n");
	assert_string_equal(str_at(c, "services.web.image"), "nginx:1.25");
	assert_int_equal(at(c, "services.web.ports")->n, 4);
	assert_string_equal(str_at(c, "services.web.ports.1.target"), "9001");
	assert_string_equal(str_at(c, "services.web.ports.1.published"), "8001");
	assert_string_equal(str_at(c, "services.web.ports.1.protocol"), "udp");
	assert_string_equal(str_at(c, "services.web.ports.2.target"), "80");
	assert_null(at(c, "services.web.ports.2.published"));
	assert_string_equal(str_at(c, "services.web.ports.3.host_ip"), "127.0.0.1");
	assert_string_equal(str_at(c, "services.web.volumes.0.type"), "bind");
	assert_string_equal(str_at(c, "services.web.volumes.0.read_only"), "true");
	assert_string_equal(str_at(c, "services.web.volumes.1.type"), "volume");
	assert_string_equal(str_at(c, "services.web.volumes.1.source"), "data");
	assert_null(at(c, "services.web.volumes.2.source"));
	assert_string_equal(str_at(c, "services.web.environment.A"), "1");
	assert_true(quai_yaml_is_null(at(c, "services.web.environment.B")));
	assert_string_equal(str_at(c, "services.web.environment.C"), "x=y");
	assert_string_equal(str_at(c, "services.web.depends_on.db.condition"), "service_started");
	assert_string_equal(str_at(c, "services.web.command.2"), "echo \"a b\"");
	assert_string_equal(str_at(c, "services.web.healthcheck.test.0"), "CMD-SHELL");
	assert_string_equal(str_at(c, "services.web.tty"), "true");
	assert_string_equal(str_at(c, "services.web.privileged"), "false");
	assert_string_equal(str_at(c, "services.web.restart"), "no");
	assert_string_equal(str_at(c, "services.web.dns.0"), "1.1.1.1");
	assert_string_equal(str_at(c, "services.web.expose.0"), "80");
	const char *ctx = str_at(c, "services.db.build.context");
	assert_true(ctx[0] == '/' && strstr(ctx, "/db"));
	assert_string_equal(str_at(c, "services.db.build.dockerfile"), "Dockerfile");
	char want[128];
	snprintf(want, sizeof(want), "%s_data", c->name);
	assert_string_equal(str_at(c, "volumes.data.name"), want);
	assert_non_null(at(c, "networks.default"));
	bool b;
	assert_int_equal(quai_yaml_bool(at(c, "services.web.tty"), &b, QUAI_YAML_BOOL_12), 0);
	assert_true(b);
	quai_compose_free(c);
}

static void test_checks(void **state)
{
	(void)state;
	load_bad("services:\n  a:\n    image: x\n    ports: ['8080:80', '8080:81']\n", 4,
	         "host port 8080/tcp is also published");
	load_bad("services:\n  a:\n    image: x\n    mem_limit: 12zz\n", 4, "invalid size");
	load_bad("services:\n  a:\n    image: x\n    stop_grace_period: 10\n", 4, "must be a duration");
	load_bad("services:\n  a:\n    image: x\n    ports: ['0:80']\n    deploy: {replicas: many}\n", 5,
	         "must be an integer");
	load_bad("services:\n  a:\n    image: x\n    ports: ['80:0']\n", 4, "container port");
	load_bad("services:\n  a:\n    image: x\n    ports: ['80:80/xyz']\n", 4, "invalid protocol");
	load_bad("services:\n  a:\n    image: x\n    volumes: ['data']\n", 4, "must be an absolute path");
	load_bad("services:\n  a:\n    image: x\n    network_mode: service:b\n", 4,
	         "service 'b' is not defined");
	load_bad("services:\n  a:\n    image: x\n    depends_on: [a]\n", 4, "dependency cycle: a -> a");
	load_bad("services:\n  a:\n    image: x\n    image: y\n", 4, "written twice");
	load_bad("version: '1'\nservices:\n  a:\n    image: x\n", 1, "unsupported version");
	load_bad("version: 3.8\nservices:\n  a:\n    image: x\n", 1, "must be a string");
	load_bad("services:\n  a:\n    image: x\nfoo: 1\n", 4, "'foo' is not allowed");
	load_bad("services:\n  a b:\n    image: x\n", 2, "invalid name");
	load_bad("services:\n  a:\n    image: x\n    healthcheck:\n      test: [WRONG]\n", 5,
	         "NONE, CMD or CMD-SHELL");
	load_bad("", 0, "empty compose file");
	load_bad("- a\n- b\n", 1, "top level must be a mapping");
	load_bad("services:\n  a:\n    image: x\n    env_file: [{required: true}]\n", 4,
	         "'path' is required");
	load_bad("services:\n  a:\n    image: x\n    restart: on-failure:x\n", 4, "invalid restart policy");
	load_bad("services:\n  a:\n    image: x\n    pull_policy: sometimes\n", 4, "invalid pull_policy");
	load_bad("services:\n  a:\n    image: x\n    extends: {service: a}\n", 4, "cycle");
}

static void test_merge(void **state)
{
	(void)state;
	write_file("base.yaml", "services:\n"
	                        "  web:\n"
	                        "    image: nginx:1\n"
	                        "    environment: {A: '1', B: '2'}\n"
	                        "    ports: ['80:80']\n"
	                        "    volumes: ['./a:/srv', './b:/keep']\n"
	                        "    command: [one]\n"
	                        "    labels: [x=1]\n"
	                        "    dns: [1.1.1.1]\n"
	                        "    cap_add: [NET_ADMIN]\n");
	write_file("over.yaml", "services:\n"
	                        "  web:\n"
	                        "    image: nginx:2\n"
	                        "    environment: [B=20, C=3]\n"
	                        "    ports: ['443:443']\n"
	                        "    volumes: ['./c:/srv']\n"
	                        "    command: [two, three]\n"
	                        "    labels: !reset []\n"
	                        "    dns: !override [8.8.8.8]\n"
	                        "  extra:\n"
	                        "    image: redis\n");
	const char *names[] = {"base.yaml", "over.yaml"};
	struct quai_findings diags = {0};
	struct quai_compose *c = load_files(names, 2, &diags);
	assert_int_equal(diags.len, 0);
	assert_string_equal(str_at(c, "services.web.image"), "nginx:2");
	assert_string_equal(str_at(c, "services.web.environment.A"), "1");
	assert_string_equal(str_at(c, "services.web.environment.B"), "20");
	assert_string_equal(str_at(c, "services.web.environment.C"), "3");
	assert_int_equal(at(c, "services.web.ports")->n, 2);
	assert_int_equal(at(c, "services.web.volumes")->n, 2);
	assert_true(strstr(str_at(c, "services.web.volumes.0.source"), "/b") != NULL);
	assert_true(strstr(str_at(c, "services.web.volumes.1.source"), "/c") != NULL);
	assert_int_equal(at(c, "services.web.command")->n, 2);
	assert_string_equal(str_at(c, "services.web.command.0"), "two");
	assert_null(at(c, "services.web.labels"));
	assert_int_equal(at(c, "services.web.dns")->n, 1);
	assert_string_equal(str_at(c, "services.web.dns.0"), "8.8.8.8");
	assert_string_equal(str_at(c, "services.web.cap_add.0"), "NET_ADMIN");
	assert_string_equal(str_at(c, "services.extra.image"), "redis");
	/* positions come from the file that set the value */
	assert_true(strstr(at(c, "services.web.image")->file, "over.yaml") != NULL);
	assert_true(strstr(at(c, "services.web.cap_add")->file, "base.yaml") != NULL);
	quai_compose_free(c);
	quai_findings_release(&diags);
}

static void test_extends(void **state)
{
	(void)state;
	mkdir("/tmp/quai-ext-unused", 0700);
	write_file("common.yaml", "services:\n"
	                          "  base:\n"
	                          "    image: busybox\n"
	                          "    environment: {FROM: common, SHARED: common}\n"
	                          "    volumes: ['./data:/data']\n");
	write_file("compose.yaml", "services:\n"
	                           "  mid:\n"
	                           "    extends: {file: common.yaml, service: base}\n"
	                           "    environment: {SHARED: mid}\n"
	                           "  top:\n"
	                           "    extends: mid\n"
	                           "    environment: {TOP: '1'}\n");
	const char *names[] = {"compose.yaml"};
	struct quai_findings diags = {0};
	struct quai_compose *c = load_files(names, 1, &diags);
	assert_int_equal(diags.len, 0);
	assert_string_equal(str_at(c, "services.top.image"), "busybox");
	assert_string_equal(str_at(c, "services.top.environment.FROM"), "common");
	assert_string_equal(str_at(c, "services.top.environment.SHARED"), "mid");
	assert_string_equal(str_at(c, "services.top.environment.TOP"), "1");
	assert_null(at(c, "services.top.extends"));
	assert_true(strstr(str_at(c, "services.top.volumes.0.source"), "/data") != NULL);
	bool found = false;
	for (char **f = c->files; *f; f++)
		found = found || strstr(*f, "common.yaml");
	assert_true(found);
	quai_compose_free(c);
	quai_findings_release(&diags);
	rmdir("/tmp/quai-ext-unused");
}

static void test_include(void **state)
{
	(void)state;
	write_file("inc.yaml", "services:\n  side:\n    image: busybox\n  main:\n    image: other\n");
	load_bad("include: [inc.yaml]\nservices:\n  main:\n    image: x\n", 1,
	         "defined both here and in an included");
	load_bad("include: [missing.yaml]\nservices:\n  main:\n    image: x\n", 1, "not found");
	write_file("inc.yaml", "services:\n  side:\n    image: busybox:${SIDE_TAG:-none}\n");
	write_file("inc.env", "SIDE_TAG=1.36\n");
	struct quai_compose *c = load_ok(
	    "include:\n  - path: inc.yaml\n    env_file: inc.env\nservices:\n  main:\n    image: x\n");
	assert_string_equal(str_at(c, "services.side.image"), "busybox:1.36");
	assert_null(at(c, "include"));
	quai_compose_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	write_file("compose.yaml", "services:\n  a: [\n");
	char path[512];
	snprintf(path, sizeof(path), "%s/compose.yaml", tmp);
	const char *files[] = {path};
	struct quai_compose_options o = {.files = files, .nfiles = 1, .environ = test_environ};
	struct quai_compose *c = NULL;
	struct quai_error *err = NULL;
	struct quai_findings diags = {0};
	/* a syntax error: a finding, no model */
	assert_int_equal(quai_compose_load(&c, &diags, &o, &err), 0);
	assert_null(c);
	assert_int_equal(diags.len, 1);
	assert_non_null(strstr(diags.items[0].message, "invalid YAML"));
	quai_findings_release(&diags);
	/* without findings wanted: an error */
	assert_int_equal(quai_compose_load(&c, NULL, &o, &err), -1);
	assert_non_null(strstr(err->msg, "invalid YAML"));
	quai_error_free(err);
	err = NULL;
	/* a missing file */
	const char *missing[] = {"/nonexistent/compose.yaml"};
	o.files = missing;
	assert_int_equal(quai_compose_load(&c, &diags, &o, &err), -1);
	assert_non_null(strstr(err->msg, "not found"));
	assert_int_equal(err->status, QUAI_EXIT_USAGE);
	quai_error_free(err);
	err = NULL;
	/* content problems without findings wanted: the first one as error */
	write_file("compose.yaml", "services:\n  a:\n    image: x\n    privileged: maybe\n");
	o.files = files;
	assert_int_equal(quai_compose_load(&c, NULL, &o, &err), -1);
	assert_non_null(strstr(err->msg, "compose.yaml:4:"));
	quai_error_free(err);
}

static void test_alias_bomb(void **state)
{
	(void)state;
	load_bad("x-a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	         "x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	         "x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	         "x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	         "x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	         "x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	         "x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	         "services:\n  a:\n    image: x\n    labels: {a: b}\n    x-bomb: [*g, *g]\n",
	         0, "too many nodes");
}

static void test_write_reads_back(void **state)
{
	(void)state;
	struct quai_compose *c =
	    load_ok("services:\n"
	            "  web:\n"
	            "    image: nginx\n"
	            "    command: ['echo', '$$HOME', 'yes', '0755', '1:2', '- x', 'a: b', '']\n"
	            "    environment: {A: \"line\\nbreak\", B: '\"quoted\"', C: null, D: '10'}\n"
	            "    labels: {x.y: 'true'}\n"
	            "    ports: ['8080:80']\n");
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	struct quai_error *err = NULL;
	assert_int_equal(quai_compose_write(mem, c, false, &err), 0);
	fclose(mem);
	quai_compose_free(c);
	char path[512];
	snprintf(path, sizeof(path), "%s/written.yaml", tmp);
	write_file("written.yaml", text);
	const char *names[] = {"written.yaml"};
	struct quai_findings diags = {0};
	c = load_files(names, 1, &diags);
	assert_int_equal(diags.len, 0);
	char *again = NULL;
	size_t len2 = 0;
	mem = open_memstream(&again, &len2);
	assert_int_equal(quai_compose_write(mem, c, false, &err), 0);
	fclose(mem);
	if (strcmp(text, again) != 0)
		fprintf(stderr, "first:\n%s\nsecond:\n%s\n", text, again);
	assert_string_equal(text, again);
	assert_string_equal(str_at(c, "services.web.command.1"), "$HOME");
	assert_string_equal(str_at(c, "services.web.command.2"), "yes");
	assert_string_equal(str_at(c, "services.web.environment.A"), "line\nbreak");
	quai_compose_free(c);
	quai_findings_release(&diags);
	free(text);
	free(again);

	c = load_ok("services:\n  web:\n    image: nginx\n    environment: {A: '1'}\n");
	mem = open_memstream(&text, &len);
	assert_int_equal(quai_compose_write(mem, c, true, &err), 0);
	fclose(mem);
	assert_non_null(strstr(text, "\"A\": \"1\""));
	assert_non_null(strstr(text, "\"name\":"));
	free(text);
	quai_compose_free(c);
}

static void test_profiles(void **state)
{
	(void)state;
	write_file("compose.yaml", "services:\n"
	                           "  web: {image: nginx}\n"
	                           "  debug: {image: busybox, profiles: [debug]}\n"
	                           "  tools: {image: busybox, profiles: [tools, ops], depends_on: [web]}\n");
	char path[512];
	snprintf(path, sizeof(path), "%s/compose.yaml", tmp);
	const char *files[] = {path};
	const char *active[] = {"ops"};
	static const char *const env_debug[] = {"COMPOSE_PROFILES=debug", NULL};
	struct quai_compose_options o = {.files = files, .nfiles = 1, .environ = test_environ};
	struct quai_compose *c = NULL;
	struct quai_error *err = NULL;
	/* lint's view: every service */
	assert_int_equal(quai_compose_load(&c, NULL, &o, &err), 0);
	assert_int_equal(at(c, "services")->n, 3);
	quai_compose_free(c);
	o.apply_profiles = true;
	assert_int_equal(quai_compose_load(&c, NULL, &o, &err), 0);
	assert_int_equal(at(c, "services")->n, 1);
	quai_compose_free(c);
	o.profiles = active;
	o.nprofiles = 1;
	assert_int_equal(quai_compose_load(&c, NULL, &o, &err), 0);
	assert_int_equal(at(c, "services")->n, 2);
	assert_non_null(at(c, "services.tools"));
	quai_compose_free(c);
	o.nprofiles = 0;
	o.environ = env_debug;
	assert_int_equal(quai_compose_load(&c, NULL, &o, &err), 0);
	assert_non_null(at(c, "services.debug"));
	assert_null(at(c, "services.tools"));
	quai_compose_free(c);
}

static void test_unset_warnings(void **state)
{
	(void)state;
	struct quai_compose *c = load_ok("services:\n"
	                                 "  web:\n"
	                                 "    image: nginx:${QUAI_UNSET_A}\n"
	                                 "    environment:\n"
	                                 "      - X=$QUAI_UNSET_A\n"
	                                 "      - Y=$QUAI_UNSET_B\n"
	                                 "      - Z=${QUAI_UNSET_C:-d}\n"
	                                 "      - H=$HOME\n");
	assert_int_equal(c->warnings.len, 2);
	assert_string_equal(c->warnings.items[0].code, "QC1001");
	assert_int_equal(c->warnings.items[0].level, QUAI_LEVEL_WARNING);
	assert_int_equal(c->warnings.items[0].line, 3);
	assert_non_null(strstr(c->warnings.items[0].message, "QUAI_UNSET_A is not set"));
	assert_non_null(strstr(c->warnings.items[1].message, "QUAI_UNSET_B"));
	quai_compose_free(c);
}

static void test_compose_names(void **state)
{
	(void)state;
	assert_true(quai_compose_is_compose_name("compose.yaml"));
	assert_true(quai_compose_is_compose_name("compose.yml"));
	assert_true(quai_compose_is_compose_name("docker-compose.yml"));
	assert_true(quai_compose_is_compose_name("docker-compose.prod.yaml"));
	assert_true(quai_compose_is_compose_name("compose.override.yaml"));
	assert_false(quai_compose_is_compose_name("compose.json"));
	assert_false(quai_compose_is_compose_name("quai.yml"));
	assert_false(quai_compose_is_compose_name("Dockerfile"));
	assert_false(quai_compose_is_compose_name("my-compose.yml"));
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/quai-compose-test-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(tmp);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
			continue;
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", tmp, e->d_name);
		if (unlink(p) < 0)
			rmdir(p);
	}
	if (d)
		closedir(d);
	rmdir(tmp);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		data_dir = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_invalid_data),  cmocka_unit_test(test_valid_data),
	    cmocka_unit_test(test_short_syntax),  cmocka_unit_test(test_checks),
	    cmocka_unit_test(test_merge),         cmocka_unit_test(test_extends),
	    cmocka_unit_test(test_include),       cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_alias_bomb),    cmocka_unit_test(test_write_reads_back),
	    cmocka_unit_test(test_profiles),      cmocka_unit_test(test_unset_warnings),
	    cmocka_unit_test(test_compose_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
