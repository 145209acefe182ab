/* Image test specifications: container-structure-test files (schemaVersion
 * 2.0.0) plus quai's httpTests and healthcheck, the regular expressions they
 * use (RE2 semantics on PCRE2), the checks that compare facts fetched from an
 * engine with a test, and the results with their text, JUnit and JSON writers.
 *
 * Nothing here talks to an engine: the runner fetches facts (a command's
 * output, a file's stat, the image's inspect JSON, an HTTP response) and asks
 * the quai_imagetest_eval_* functions whether a test passed. */
#ifndef QUAI_IMAGETEST_IMAGETEST_H
#define QUAI_IMAGETEST_IMAGETEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/error.h"

/* Largest spec file the loader reads. */
#define QUAI_IMAGETEST_SPEC_MAX_BYTES (1u << 20)

/* Where a test starts in its file, 1-based. */
struct quai_imagetest_pos {
	unsigned line;
	unsigned col;
};

struct quai_imagetest_strv {
	char **v;
	size_t n;
};

/* An environment variable or a label: key, value, and for metadataTest
 * whether value is a regular expression. */
struct quai_imagetest_kv {
	char *key;
	char *value;
	bool is_regex;
};

struct quai_imagetest_kvs {
	struct quai_imagetest_kv *v;
	size_t n;
};

struct quai_imagetest_command {
	struct quai_imagetest_pos pos;
	char *name;
	char *command;
	struct quai_imagetest_strv args;
	struct quai_imagetest_strv *setup; /* each a command and its arguments */
	size_t nsetup;
	struct quai_imagetest_strv *teardown;
	size_t nteardown;
	struct quai_imagetest_kvs env_vars;
	struct quai_imagetest_strv expected_output;
	struct quai_imagetest_strv excluded_output;
	struct quai_imagetest_strv expected_error;
	struct quai_imagetest_strv excluded_error;
	int exit_code; /* 0 unless set */
};

enum quai_imagetest_exec_by {
	QUAI_EXEC_BY_UNSET = 0,
	QUAI_EXEC_BY_OWNER,
	QUAI_EXEC_BY_GROUP,
	QUAI_EXEC_BY_OTHER,
	QUAI_EXEC_BY_ANY,
};

struct quai_imagetest_file_existence {
	struct quai_imagetest_pos pos;
	char *name;
	char *path;
	bool should_exist; /* true unless set */
	char *permissions; /* NULL when not checked, else like "-rwxr-xr-x" */
	long long uid;     /* -1 when not checked */
	long long gid;     /* -1 when not checked */
	enum quai_imagetest_exec_by executable_by;
};

struct quai_imagetest_file_content {
	struct quai_imagetest_pos pos;
	char *name;
	char *path;
	struct quai_imagetest_strv expected_contents;
	struct quai_imagetest_strv excluded_contents;
};

struct quai_imagetest_metadata {
	bool present; /* the file has a metadataTest */
	struct quai_imagetest_pos pos;
	struct quai_imagetest_kvs env_vars;
	struct quai_imagetest_kvs labels;
	bool has_entrypoint; /* entrypoint given (possibly []) */
	struct quai_imagetest_strv entrypoint;
	bool has_cmd;
	struct quai_imagetest_strv cmd;
	struct quai_imagetest_strv exposed_ports;
	struct quai_imagetest_strv unexposed_ports;
	struct quai_imagetest_strv volumes;
	struct quai_imagetest_strv unmounted_volumes;
	char *workdir; /* NULL when not checked */
	char *user;    /* NULL when not checked */
};

struct quai_imagetest_http {
	struct quai_imagetest_pos pos;
	char *name;
	int port;     /* 0: the image's only exposed port */
	char *method; /* "GET" unless set */
	char *path;   /* "/" unless set */
	struct quai_imagetest_kvs headers;
	char *body;                                 /* NULL: no body */
	int expected_status;                        /* 200 unless set */
	char *expected_body;                        /* a regex, NULL when not checked */
	struct quai_imagetest_kvs expected_headers; /* name -> regex */
	uint64_t timeout_ms;                        /* 30 s unless set */
};

struct quai_imagetest_run_options {
	char *user;
	bool privileged;
	bool allocate_tty;
	struct quai_imagetest_strv env_vars; /* "NAME=value" or "NAME" */
	char *env_file;
	struct quai_imagetest_strv capabilities;
	struct quai_imagetest_strv bind_mounts;
};

struct quai_imagetest_spec {
	char *file;
	char *schema_version;
	struct quai_imagetest_kvs global_env_vars;
	struct quai_imagetest_command *commands;
	size_t ncommands;
	struct quai_imagetest_file_existence *file_existence;
	size_t nfile_existence;
	struct quai_imagetest_file_content *file_content;
	size_t nfile_content;
	struct quai_imagetest_metadata metadata;
	struct quai_imagetest_http *http;
	size_t nhttp;
	struct quai_imagetest_run_options run_options;
	bool healthcheck;
};

void quai_imagetest_spec_init(struct quai_imagetest_spec *spec);
void quai_imagetest_spec_release(struct quai_imagetest_spec *spec);

/* Loads a spec from `text` (`len` bytes; NUL bytes are an error), `file`
 * naming it in messages. On failure fills *err with
 * "file:line:col: what is wrong (what to do)" and leaves `spec` released.
 * The spec owns every string it holds. */
int quai_imagetest_spec_load_string(struct quai_imagetest_spec *spec, const char *file, const char *text,
                                    size_t len, struct quai_error **err);
/* As quai_imagetest_spec_load_string, reading `path` (capped at
 * QUAI_IMAGETEST_SPEC_MAX_BYTES). */
int quai_imagetest_spec_load(struct quai_imagetest_spec *spec, const char *path, struct quai_error **err);

/* Regular expressions with Go's regexp (RE2) semantics, on PCRE2. */
struct quai_regex;

/* Compiles `pattern`; features RE2 lacks (backreferences, lookaround, atomic
 * groups, possessive quantifiers, recursion, conditionals) are errors. The
 * caller frees *out with quai_regex_free. */
int quai_regex_compile(struct quai_regex **out, const char *pattern, struct quai_error **err);
void quai_regex_free(struct quai_regex *re);
/* 1 when `re` matches somewhere in subject, 0 when not, -1 with *err when
 * matching fails (the match limit was reached). */
int quai_regex_search(const struct quai_regex *re, const char *subject, size_t len, struct quai_error **err);
/* Compiles and searches once. */
int quai_regex_match(const char *pattern, const char *subject, size_t len, struct quai_error **err);

/* What a command run in the container produced. */
struct quai_imagetest_command_facts {
	const char *out;
	size_t out_len;
	const char *err;
	size_t err_len;
	int exit_code;
};

/* Go os.FileMode bits, as in the engine's X-Docker-Container-Path-Stat. */
#define QUAI_GO_MODE_DIR        (1u << 31)
#define QUAI_GO_MODE_APPEND     (1u << 30)
#define QUAI_GO_MODE_EXCLUSIVE  (1u << 29)
#define QUAI_GO_MODE_TEMPORARY  (1u << 28)
#define QUAI_GO_MODE_SYMLINK    (1u << 27)
#define QUAI_GO_MODE_DEVICE     (1u << 26)
#define QUAI_GO_MODE_NAMEDPIPE  (1u << 25)
#define QUAI_GO_MODE_SOCKET     (1u << 24)
#define QUAI_GO_MODE_SETUID     (1u << 23)
#define QUAI_GO_MODE_SETGID     (1u << 22)
#define QUAI_GO_MODE_CHARDEVICE (1u << 21)
#define QUAI_GO_MODE_STICKY     (1u << 20)
#define QUAI_GO_MODE_IRREGULAR  (1u << 19)

/* A path's facts: the stat header's fields and the tar header's owner. */
struct quai_imagetest_file_facts {
	bool exists;
	uint32_t mode;  /* Go os.FileMode */
	bool has_owner; /* uid and gid known (from the archive's tar header) */
	long long uid;
	long long gid;
	long long size;
	char *name;        /* owned; may be NULL */
	char *link_target; /* owned; may be NULL */
};

/* Fills `out` (exists = true) from the X-Docker-Container-Path-Stat header
 * value: base64 of {"name","size","mode","mtime","linkTarget"}. */
int quai_imagetest_file_facts_from_stat(struct quai_imagetest_file_facts *out, const char *header,
                                        struct quai_error **err);
void quai_imagetest_file_facts_release(struct quai_imagetest_file_facts *facts);

/* Go's FileMode.String(): "drwxr-xr-x", "Lrwxrwxrwx", "-rwsr-xr-x" is
 * "urwxr-xr-x" in Go. `out` needs 32 bytes. */
void quai_imagetest_mode_string(char out[32], uint32_t mode);
/* Converts a Unix st_mode (or a tar header's mode) to Go FileMode bits. */
uint32_t quai_imagetest_go_mode(uint32_t unix_mode);

struct quai_imagetest_header {
	const char *name;
	const char *value;
};

struct quai_imagetest_http_facts {
	int status;
	const struct quai_imagetest_header *headers;
	size_t nheaders;
	const char *body;
	size_t body_len;
};

/* Each evaluator returns true when the test passed; on failure *out is set
 * to a message (one line per problem, actual vs expected) the caller frees;
 * on success *out is NULL. */
bool quai_imagetest_eval_command(char **out, const struct quai_imagetest_command *test,
                                 const struct quai_imagetest_command_facts *facts);
bool quai_imagetest_eval_file_existence(char **out, const struct quai_imagetest_file_existence *test,
                                        const struct quai_imagetest_file_facts *facts);
bool quai_imagetest_eval_file_content(char **out, const struct quai_imagetest_file_content *test,
                                      const char *content, size_t len);
/* `inspect` is the JSON of GET /images/{name}/json. */
bool quai_imagetest_eval_metadata(char **out, const struct quai_imagetest_metadata *test,
                                  const json_t *inspect);
bool quai_imagetest_eval_http(char **out, const struct quai_imagetest_http *test,
                              const struct quai_imagetest_http_facts *facts);

/* Expands $NAME and ${NAME} in `s` with the image's Config.Env, as
 * container-structure-test does for commands and paths (Go's os.Expand: an
 * unknown name becomes "", a $ not followed by a name stays). The caller
 * frees the result. */
char *quai_imagetest_expand_env(const char *s, const json_t *inspect);

/* The port an httpTest without `port` uses: the image's only exposed TCP
 * port. Returns the port, or -1 with *err when there is none or several. */
int quai_imagetest_default_port(const json_t *inspect, struct quai_error **err);

enum quai_imagetest_kind {
	QUAI_TEST_COMMAND,
	QUAI_TEST_FILE_EXISTENCE,
	QUAI_TEST_FILE_CONTENT,
	QUAI_TEST_METADATA,
	QUAI_TEST_HTTP,
	QUAI_TEST_HEALTHCHECK,
};

/* "command", "fileExistence", ... */
const char *quai_imagetest_kind_name(enum quai_imagetest_kind kind);

struct quai_imagetest_result {
	char *name;
	enum quai_imagetest_kind kind;
	bool passed;
	uint64_t duration_us;
	char *message; /* NULL when passed without remark */
};

struct quai_imagetest_results {
	struct quai_imagetest_result *v;
	size_t n;
	size_t cap;
};

#define QUAI_IMAGETEST_RESULTS_INIT                                                                          \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}

/* Appends a result, copying name and message (which may be NULL). */
void quai_imagetest_results_add(struct quai_imagetest_results *results, const char *name,
                                enum quai_imagetest_kind kind, bool passed, uint64_t duration_us,
                                const char *message);
size_t quai_imagetest_results_failed(const struct quai_imagetest_results *results);
void quai_imagetest_results_release(struct quai_imagetest_results *results);

/* One line per test, "PASS name (1.2s)" / "FAIL name (0.3s)", a failure's
 * message indented under it, then a summary line. */
void quai_imagetest_write_text(struct quai_buf *out, const struct quai_imagetest_results *results);
/* JUnit XML: one <testsuite name="suite"> with a <testcase> per test. */
void quai_imagetest_write_junit(struct quai_buf *out, const struct quai_imagetest_results *results,
                                const char *suite);
/* {"passed":N,"failed":N,"tests":[{"name","kind","passed","duration","message"}]} */
void quai_imagetest_write_json(struct quai_buf *out, const struct quai_imagetest_results *results);

/* ---- containerRunOptions made ready for the engine (runopts.c) ---- */

/* Largest envFile read. */
#define QUAI_IMAGETEST_ENV_FILE_MAX (1u << 20)

/* NULL-terminated arrays the caller releases with
 * quai_imagetest_run_env_release. */
struct quai_imagetest_run_env {
	char **env;     /* "K=V": envFile's variables, then envVars looked up */
	char **binds;   /* "HOST:CONTAINER[:OPTIONS]" with HOST absolute */
	char **cap_add; /* capabilities */
};

/* Parses text in the format of `docker run --env-file` (file names it in
 * messages): one VAR=VALUE a line, the value kept as written (no quotes
 * removed); a line with VAR alone takes VAR's value from lookup (skipped
 * when lookup returns NULL; lookup may be getenv); '#' comment lines and
 * blank lines skipped, leading whitespace ignored. A name with whitespace
 * or an empty name is an error naming file:line. *out: a NULL-terminated
 * array of "VAR=VALUE", the caller frees each string and the array. */
int quai_imagetest_env_file_parse(char ***out, const char *text, size_t len, const char *file,
                                  const char *(*lookup)(const char *name), struct quai_error **err);

/* Checks one bindMounts entry, "HOST:CONTAINER[:OPTIONS]": HOST absolute or
 * relative ("./dir", "../dir", "dir/x"), CONTAINER absolute. A bare HOST
 * name would be a named volume, which quai does not create: refused. On
 * error *why says what is wrong (static text). */
bool quai_imagetest_bind_valid(const char *bind, const char **why);

/* Reads envFile and looks envVars up in the environment, makes bind mount
 * host paths absolute (relative ones from the working directory, as the
 * docker CLI and container-structure-test do) and checks they exist. */
int quai_imagetest_run_env_prepare(struct quai_imagetest_run_env *out,
                                   const struct quai_imagetest_run_options *o, struct quai_error **err);
void quai_imagetest_run_env_release(struct quai_imagetest_run_env *re);

/* ---- the runner (run.c) ---- */

struct quai_engine;

/* Runs every test of spec against image (a name or an ID) through engine e,
 * appending one result per test. Containers and networks carry the label
 * io.quai.run=run_id and are removed before it returns. When *stop becomes
 * non-zero (a signal handler sets it; stop may be NULL) no further test
 * starts and the current one ends soon. Returns 0, or -1 with *err when the
 * image cannot be inspected. */
int quai_imagetest_run(struct quai_engine *e, const struct quai_imagetest_spec *spec, const char *image,
                       const char *run_id, const volatile sig_atomic_t *stop,
                       struct quai_imagetest_results *results, struct quai_error **err);

#endif
