/* Fuzz target for the image test spec loader: the input is a test file
 * (container-structure-test format with quai's additions). A spec that loads
 * is then evaluated against fixed facts (a command's output, a file's stat,
 * an image's inspect JSON, an HTTP response), so that the regular
 * expressions it holds run, and its results go through the three writers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "fuzz/fuzz.h"
#include "imagetest/imagetest.h"
#include "core/banned.h"

static const char inspect_text[] =
    "{\"Config\":{\"User\":\"app\",\"Env\":[\"PATH=/usr/bin\",\"A=1\"],\"Labels\":{\"vendor\":\"ACME\"},"
    "\"Entrypoint\":[\"/entry\"],\"Cmd\":null,\"WorkingDir\":\"/app\","
    "\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/data\":{}}}}";

static const char output[] = "hello world\nversion 1.2.3\n\xc3\xa9t\xc3\xa9\n";

static void note(struct quai_imagetest_results *results, const char *name, enum quai_imagetest_kind kind,
                 bool passed, char *msg)
{
	if (!passed && !msg)
		abort(); /* a failure must say why */
	quai_imagetest_results_add(results, name, kind, passed, 1000, msg);
	free(msg);
}

static void evaluate(const struct quai_imagetest_spec *spec, json_t *inspect)
{
	struct quai_imagetest_results results = QUAI_IMAGETEST_RESULTS_INIT;
	char *msg = NULL;
	struct quai_imagetest_command_facts cf = {output, sizeof(output) - 1, "warning: x\n", 11, 0};
	for (size_t i = 0; i < spec->ncommands; i++) {
		free(quai_imagetest_expand_env(spec->commands[i].command, inspect));
		for (size_t j = 0; j < spec->commands[i].args.n; j++)
			free(quai_imagetest_expand_env(spec->commands[i].args.v[j], inspect));
		bool ok = quai_imagetest_eval_command(&msg, &spec->commands[i], &cf);
		note(&results, spec->commands[i].name, QUAI_TEST_COMMAND, ok, msg);
	}
	struct quai_imagetest_file_facts ff = {
	    .exists = true, .mode = QUAI_GO_MODE_DIR | 0755, .has_owner = true};
	for (size_t i = 0; i < spec->nfile_existence; i++) {
		ff.exists = i % 2 == 0;
		bool ok = quai_imagetest_eval_file_existence(&msg, &spec->file_existence[i], &ff);
		note(&results, spec->file_existence[i].name, QUAI_TEST_FILE_EXISTENCE, ok, msg);
	}
	for (size_t i = 0; i < spec->nfile_content; i++) {
		bool ok = quai_imagetest_eval_file_content(&msg, &spec->file_content[i], output,
		                                           sizeof(output) - 1);
		note(&results, spec->file_content[i].name, QUAI_TEST_FILE_CONTENT, ok, msg);
	}
	if (spec->metadata.present) {
		bool ok = quai_imagetest_eval_metadata(&msg, &spec->metadata, inspect);
		note(&results, "metadata", QUAI_TEST_METADATA, ok, msg);
	}
	const struct quai_imagetest_header headers[] = {{"Content-Type", "text/plain"}};
	struct quai_imagetest_http_facts hf = {200, headers, 1, output, sizeof(output) - 1};
	for (size_t i = 0; i < spec->nhttp; i++) {
		bool ok = quai_imagetest_eval_http(&msg, &spec->http[i], &hf);
		note(&results, spec->http[i].name, QUAI_TEST_HTTP, ok, msg);
	}
	struct quai_buf out = QUAI_BUF_INIT;
	quai_imagetest_write_text(&out, &results);
	quai_imagetest_write_junit(&out, &results, spec->file);
	quai_imagetest_write_json(&out, &results);
	quai_buf_release(&out);
	quai_imagetest_results_release(&results);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *inspect;
	if (!inspect) {
		json_error_t jerr;
		inspect = json_loads(inspect_text, 0, &jerr);
		if (!inspect)
			abort();
	}
	struct quai_imagetest_spec spec;
	struct quai_error *err = NULL;
	if (quai_imagetest_spec_load_string(&spec, "tests.yml", (const char *)data, size, &err) == 0) {
		evaluate(&spec, inspect);
		quai_imagetest_spec_release(&spec);
	} else if (!err || !err->msg || strncmp(err->msg, "tests.yml:", 10) != 0) {
		abort(); /* a failed load must say where */
	}
	quai_error_free(err);
	return 0;
}
