/* --shellcheck on a hand-built parse tree (so it does not depend on the
 * parser): scripts reach shellcheck and findings come back at Dockerfile
 * lines and columns, through continuations, heredocs, pragmas and ignores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "lint/lint.h"

static const char src[] = "FROM alpine:3.19\n"              /* 1 */
			  "RUN echo $1 && \\\n"              /* 2 */
			  "    # a comment docker drops\n"   /* 3 */
			  "\techo $3\n"                      /* 4 */
			  "RUN <<EOF\n"                      /* 5 */
			  "echo $2\n"                        /* 6 */
			  "EOF\n"                            /* 7 */
			  "SHELL [\"pwsh\", \"-c\"]\n"       /* 8 */
			  "RUN echo $4\n";                   /* 9 */

static size_t line_off(unsigned line)
{
	size_t off = 0;
	for (unsigned l = 1; l < line; l++)
		off = (size_t)(strchr(src + off, '\n') - src) + 1;
	return off;
}

static void instr(struct quai_df_instr *in, enum quai_df_kind kind, unsigned line, unsigned last, unsigned args_col,
		  const char *args)
{
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	in->pos = (struct quai_df_pos){ line, 1 };
	in->end_line = last;
	in->raw_off = line_off(line);
	in->raw_len = line_off(last + 1) - in->raw_off;
	in->args_text = (char *)args;
	in->args_pos = (struct quai_df_pos){ line, args_col };
}

static struct quai_dockerfile df;
static struct quai_df_instr ins[5];
static struct quai_df_heredoc hd;
static struct quai_df_comment comment;
static char *pwsh_args[] = { (char *)"pwsh", (char *)"-c" };

static void build(void)
{
	memset(&df, 0, sizeof(df));
	df.name = (char *)"Dockerfile";
	df.src = (char *)src;
	df.src_len = strlen(src);
	df.escape = '\\';
	instr(&ins[0], QUAI_DF_FROM, 1, 1, 6, "alpine:3.19");
	instr(&ins[1], QUAI_DF_RUN, 2, 4, 5, "echo $1 &&     echo $3");
	instr(&ins[2], QUAI_DF_RUN, 5, 7, 5, "<<EOF");
	hd = (struct quai_df_heredoc){ .delim = (char *)"EOF", .body = (char *)"echo $2\n", .expand = true,
				       .pos = { 5, 5 }, .body_line = 6, .end_line = 7 };
	ins[2].heredocs = &hd;
	ins[2].nheredocs = 1;
	instr(&ins[3], QUAI_DF_SHELL, 8, 8, 7, "[\"pwsh\", \"-c\"]");
	ins[3].json = true;
	ins[3].json_args = pwsh_args;
	ins[3].njson_args = 2;
	instr(&ins[4], QUAI_DF_RUN, 9, 9, 5, "echo $4");
	df.instrs = ins;
	df.ninstrs = 5;
}

static bool have(const struct quai_findings *f, const char *code, unsigned line, unsigned col)
{
	for (size_t i = 0; i < f->len; i++)
		if (strcmp(f->items[i].code, code) == 0 && f->items[i].line == line && f->items[i].col == col)
			return true;
	return false;
}

static void dump(const struct quai_findings *f)
{
	for (size_t i = 0; i < f->len; i++)
		print_message("# %s:%u:%u %s %s\n", f->items[i].file, f->items[i].line, f->items[i].col,
			      f->items[i].code, f->items[i].message);
}

static int skip_without_shellcheck(void **state)
{
	(void)state;
	return access("/usr/bin/shellcheck", X_OK) == 0 ? 0 : -1;
}

static void test_positions(void **state)
{
	(void)state;
	if (skip_without_shellcheck(state) < 0)
		skip();
	build();
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_findings f = { 0 };
	struct quai_error *err = NULL;
	const struct quai_dockerfile *dfs[] = { &df };
	assert_int_equal(quai_lint_shellcheck(&f, dfs, 1, &cfg, &err), 0);
	dump(&f);
	assert_true(have(&f, "SC2086", 2, 10)); /* RUN echo $1 */
	assert_true(have(&f, "SC2086", 4, 7));  /* \techo $3, after the dropped comment */
	assert_true(have(&f, "SC2086", 6, 6));  /* heredoc body */
	for (size_t i = 0; i < f.len; i++) {
		assert_int_not_equal(f.items[i].line, 9); /* pwsh is not checked */
		assert_string_equal(f.items[i].file, "Dockerfile");
		assert_int_equal(f.items[i].level, QUAI_LEVEL_INFO);
	}
	quai_findings_release(&f);

	/* Ignores, overrides and pragmas apply to SC codes too. */
	comment = (struct quai_df_comment){ .text = (char *)"hadolint ignore=SC2086", .pos = { 4, 1 }, .next_instr = 2 };
	df.comments = &comment;
	df.ncomments = 1;
	quai_lint_config_add_override(&cfg, "SC2086", QUAI_LEVEL_ERROR);
	assert_int_equal(quai_lint_shellcheck(&f, dfs, 1, &cfg, &err), 0);
	assert_true(have(&f, "SC2086", 2, 10));
	assert_false(have(&f, "SC2086", 6, 6));
	assert_int_equal(f.items[0].level, QUAI_LEVEL_ERROR);
	quai_findings_release(&f);
	cfg.disable_ignore_pragma = true;
	assert_int_equal(quai_lint_shellcheck(&f, dfs, 1, &cfg, &err), 0);
	assert_true(have(&f, "SC2086", 6, 6));
	quai_findings_release(&f);
	quai_lint_config_add_ignore(&cfg, "SC2086");
	assert_int_equal(quai_lint_shellcheck(&f, dfs, 1, &cfg, &err), 0);
	assert_false(have(&f, "SC2086", 2, 10));
	quai_findings_release(&f);
	quai_lint_config_release(&cfg);
}

static void test_missing_shellcheck(void **state)
{
	(void)state;
	build();
	char *old = xstrdup(getenv("PATH") ? getenv("PATH") : "");
	setenv("PATH", "/nonexistent", 1);
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_findings f = { 0 };
	struct quai_error *err = NULL;
	const struct quai_dockerfile *dfs[] = { &df };
	assert_int_equal(quai_lint_shellcheck(&f, dfs, 1, &cfg, &err), -1);
	assert_non_null(strstr(err->msg, "shellcheck"));
	assert_non_null(strstr(err->msg, "not installed"));
	assert_int_equal(err->status, QUAI_EXIT_USAGE);
	quai_error_free(err);
	setenv("PATH", old, 1);
	free(old);
	quai_findings_release(&f);
	quai_lint_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_missing_shellcheck),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
