/* Unit tests of the Dockerfile parser: lines, directives, continuations,
 * heredocs, exec form, every instruction's fields, positions, stages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/dockerfile.h"

static struct quai_dockerfile df;

static void parse(const char *src)
{
	quai_dockerfile_parse(&df, "Dockerfile", src, strlen(src));
}

static int teardown(void **state)
{
	(void)state;
	quai_dockerfile_release(&df);
	return 0;
}

static const struct quai_df_instr *I(size_t i)
{
	assert_true(i < df.ninstrs);
	return &df.instrs[i];
}

static void no_diags(void)
{
	for (size_t i = 0; i < df.ndiags; i++)
		print_message("unexpected diag %u:%u %s\n", df.diags[i].pos.line, df.diags[i].pos.col,
			      df.diags[i].message);
	assert_int_equal(df.ndiags, 0);
}

/* The one diagnostic, at line:col, containing `part`. */
static void one_diag(unsigned line, unsigned col, const char *part)
{
	for (size_t i = 0; i < df.ndiags; i++)
		print_message("diag %u:%u %s\n", df.diags[i].pos.line, df.diags[i].pos.col, df.diags[i].message);
	assert_int_equal(df.ndiags, 1);
	assert_int_equal(df.diags[0].pos.line, line);
	if (col)
		assert_int_equal(df.diags[0].pos.col, col);
	assert_non_null(strstr(df.diags[0].message, part));
}

static void pos_is(struct quai_df_pos p, unsigned line, unsigned col)
{
	assert_int_equal(p.line, line);
	assert_int_equal(p.col, col);
}

/* ---- directives ---- */

static void test_directives_at_top(void **state)
{
	(void)state;
	parse("# syntax=docker/dockerfile:1.7\n#ESCAPE = `\n#  check = skip=all;error=true  \n"
	      "# escape=\\\nFROM a\n");
	assert_int_equal(df.ndirectives, 3);
	assert_string_equal(df.directives[0].name, "syntax");
	assert_string_equal(df.directives[0].value, "docker/dockerfile:1.7");
	assert_string_equal(df.directives[1].name, "escape");
	assert_string_equal(df.directives[1].value, "`");
	assert_string_equal(df.directives[2].name, "check");
	assert_string_equal(df.directives[2].value, "skip=all;error=true");
	pos_is(df.directives[2].pos, 3, 1);
	assert_int_equal(df.escape, '`');
	/* the fourth is a comment: a duplicate only counts while directives are read... */
	assert_int_equal(df.ndiags, 1);
	assert_non_null(strstr(df.diags[0].message, "only one 'escape'"));
}

static void test_directives_end_at_first_other_line(void **state)
{
	(void)state;
	parse("# hello\n# escape=`\nFROM a\n");
	assert_int_equal(df.ndirectives, 0);
	assert_int_equal(df.escape, '\\');
	assert_int_equal(df.ncomments, 2);
	assert_string_equal(df.comments[1].text, "escape=`");
	teardown(NULL);

	parse("\n# escape=`\nFROM a\n");
	assert_int_equal(df.ndirectives, 0);
	teardown(NULL);

	parse("FROM a\n# syntax=x\n");
	assert_int_equal(df.ndirectives, 0);
	assert_int_equal(df.ncomments, 1);
	teardown(NULL);

	/* an unknown name ends the directives */
	parse("# foo=bar\n# escape=`\nFROM a\n");
	assert_int_equal(df.ndirectives, 0);
	no_diags();
}

static void test_directive_invalid_escape(void **state)
{
	(void)state;
	parse("# escape=x\nFROM a\n");
	one_diag(1, 1, "invalid escape token 'x'");
	assert_int_equal(df.escape, '\\');
}

static void test_escape_backtick(void **state)
{
	(void)state;
	parse("# escape=`\nFROM windows\nRUN dir c:\\ `\n    && echo \\\nCOPY a\\b c:\\x\\\n");
	no_diags();
	assert_int_equal(df.ninstrs, 3);
	assert_string_equal(I(1)->args_text, "dir c:\\     && echo \\");
	assert_int_equal(I(1)->end_line, 4);
	assert_string_equal(I(2)->words[0].text, "a\\b");
	assert_string_equal(I(2)->words[1].text, "c:\\x\\");
	teardown(NULL);

	/* with the backtick escape, a backslash continues nothing */
	parse("# escape=`\nFROM a\nRUN echo \\\nRUN b\n");
	assert_int_equal(df.ninstrs, 3);
}

/* ---- BOM, CRLF, continuations ---- */

static void test_bom(void **state)
{
	(void)state;
	parse("\xef\xbb\xbf# escape=`\nFROM a\n");
	assert_int_equal(df.ndirectives, 1);
	pos_is(df.directives[0].pos, 1, 1);
	teardown(NULL);
	parse("\xef\xbb\xbf"
	      "FROM a\n");
	no_diags();
	pos_is(I(0)->pos, 1, 1);
	assert_int_equal(I(0)->raw_off, 3);
	pos_is(I(0)->words[0].pos, 1, 6);
}

static void test_crlf(void **state)
{
	(void)state;
	parse("FROM a\r\nRUN echo a \\\r\n  b\r\nRUN <<EOF\r\nx\r\nEOF\r\nENV k=v\r\n");
	no_diags();
	assert_string_equal(I(1)->args_text, "echo a   b");
	assert_int_equal(I(2)->nheredocs, 1);
	assert_string_equal(I(2)->heredocs[0].body, "x\n");
	assert_string_equal(I(3)->kvs[0].value, "v");
	assert_int_equal(I(1)->raw_len, strlen("RUN echo a \\\r\n  b"));
}

static void test_continuations(void **state)
{
	(void)state;
	parse("FROM a\n"
	      "RUN apt-get update \\\n"
	      "# a comment inside\n"
	      "    # an indented one\n"
	      "\n"
	      "   \t\n"
	      "    && apt-get install -y x \\  \t\n"
	      "    && true\n"
	      "RUN echo \\\\\n"
	      "RUN last \\\n");
	no_diags();
	assert_int_equal(df.ninstrs, 4);
	assert_string_equal(I(1)->args_text, "apt-get update     && apt-get install -y x     && true");
	assert_int_equal(I(1)->end_line, 8);
	assert_int_equal(df.ncomments, 0);
	/* an escaped escape is not a continuation */
	assert_string_equal(I(2)->args_text, "echo \\\\");
	/* a continuation at the end of the file ends the instruction */
	assert_string_equal(I(3)->args_text, "last");
	assert_string_equal(quai_df_kind_name(I(3)->kind), "RUN");
}

static void test_continuation_alone(void **state)
{
	(void)state;
	parse("FROM a\n\\\nRUN x\n");
	no_diags();
	assert_int_equal(df.ninstrs, 2);
	assert_int_equal(I(1)->kind, QUAI_DF_RUN);
	pos_is(I(1)->pos, 3, 1);
}

/* ---- heredocs ---- */

static void test_heredoc_basic(void **state)
{
	(void)state;
	parse("FROM a\nRUN <<EOF\napt-get update\n  apt-get install x\nEOF\nRUN true\n");
	no_diags();
	assert_int_equal(df.ninstrs, 3);
	const struct quai_df_instr *r = I(1);
	assert_string_equal(r->args_text, "<<EOF");
	assert_int_equal(r->nheredocs, 1);
	const struct quai_df_heredoc *h = &r->heredocs[0];
	assert_string_equal(h->delim, "EOF");
	assert_string_equal(h->body, "apt-get update\n  apt-get install x\n");
	assert_true(h->expand);
	assert_false(h->strip_tabs);
	pos_is(h->pos, 2, 5);
	assert_int_equal(h->body_line, 3);
	assert_int_equal(h->end_line, 5);
	assert_int_equal(r->end_line, 5);
	const char *raw = quai_dockerfile_raw(&df, r);
	assert_int_equal(r->raw_len, strlen("RUN <<EOF\napt-get update\n  apt-get install x\nEOF"));
	assert_memory_equal(raw, "RUN <<EOF\n", 10);
}

static void test_heredoc_strip_tabs_and_quotes(void **state)
{
	(void)state;
	parse("FROM a\nRUN <<-EOT\n\techo $HOME\n\t\tx\n\tEOT\n"
	      "RUN <<'A' cat - <<\"B\" > /out\none $x\nA\ntwo\nB\n"
	      "RUN cat <<E\"O\"F\nx\nEOF\n");
	no_diags();
	assert_int_equal(df.ninstrs, 4);
	assert_true(I(1)->heredocs[0].strip_tabs);
	assert_string_equal(I(1)->heredocs[0].body, "echo $HOME\nx\n");
	assert_int_equal(I(2)->nheredocs, 2);
	assert_string_equal(I(2)->heredocs[0].delim, "A");
	assert_false(I(2)->heredocs[0].expand);
	assert_string_equal(I(2)->heredocs[0].body, "one $x\n");
	assert_string_equal(I(2)->heredocs[1].delim, "B");
	assert_string_equal(I(2)->heredocs[1].body, "two\n");
	assert_int_equal(I(2)->heredocs[1].body_line, 9);
	pos_is(I(2)->heredocs[1].pos, 6, 17);
	assert_string_equal(I(3)->heredocs[0].delim, "EOF");
	assert_false(I(3)->heredocs[0].expand);
}

static void test_heredoc_copy_and_program(void **state)
{
	(void)state;
	parse("FROM a\nCOPY --chmod=755 <<EOF /usr/bin/hello\n#!/bin/sh\necho hi\nEOF\n"
	      "RUN python3 <<PY\nprint('x')\nPY\nADD <<A <<B /dir/\na\nA\nb\nB\n");
	no_diags();
	const struct quai_df_instr *c = I(1);
	assert_int_equal(c->nwords, 2);
	assert_string_equal(c->words[0].text, "<<EOF");
	assert_string_equal(c->words[1].text, "/usr/bin/hello");
	assert_string_equal(c->heredocs[0].body, "#!/bin/sh\necho hi\n");
	assert_string_equal(quai_df_instr_flag(c, "chmod")->value, "755");
	assert_string_equal(I(2)->args_text, "python3 <<PY");
	assert_string_equal(I(2)->heredocs[0].body, "print('x')\n");
	assert_int_equal(I(3)->nheredocs, 2);
	assert_int_equal(I(3)->end_line, 13);
}

static void test_heredoc_not_recognised(void **state)
{
	(void)state;
	/* only RUN, COPY and ADD, not in exec form, and only as a word of its own */
	parse("FROM a\nRUN [\"sh\", \"<<EOF\"]\nENV x=<<EOF\nRUN cat<<EOF\nRUN cat <<<EOF\nRUN echo '<<EOF'\n"
	      "RUN cat <<EOF\\\n");
	assert_int_equal(df.ninstrs, 7);
	for (size_t i = 0; i < df.ninstrs - 1; i++)
		assert_int_equal(I(i)->nheredocs, 0);
	/* the last line continues into the end of the file: its heredoc never ends */
	one_diag(7, 9, "unterminated heredoc");
}

static void test_heredoc_terminator_exact(void **state)
{
	(void)state;
	parse("FROM a\nRUN <<EOF\nEOF \n  EOF\nEOF\nRUN <<-X\n\t\tX\nRUN ok\n");
	no_diags();
	assert_string_equal(I(1)->heredocs[0].body, "EOF \n  EOF\n");
	assert_int_equal(I(2)->heredocs[0].end_line, 7);
	assert_int_equal(df.ninstrs, 4);
}

static void test_heredoc_fd_and_onbuild(void **state)
{
	(void)state;
	parse("FROM a\nRUN 3<<EOF cat /dev/fd/3\nx\nEOF\nONBUILD RUN <<EOF\necho hi\nEOF\n");
	no_diags();
	assert_int_equal(I(1)->nheredocs, 1);
	pos_is(I(1)->heredocs[0].pos, 2, 6);
	const struct quai_df_instr *o = I(2);
	assert_int_equal(o->nheredocs, 0);
	assert_non_null(o->onbuild);
	assert_int_equal(o->onbuild->nheredocs, 1);
	assert_string_equal(o->onbuild->heredocs[0].body, "echo hi\n");
	assert_int_equal(o->end_line, 7);
}

static void test_heredoc_unterminated(void **state)
{
	(void)state;
	parse("FROM a\nRUN <<EOF bash\necho 1\nEOFF\n");
	one_diag(2, 5, "unterminated heredoc 'EOF'");
	assert_int_equal(df.ninstrs, 2);
	assert_int_equal(I(1)->heredocs[0].end_line, 0);
}

/* ---- exec form ---- */

static void test_json_and_shell_fallback(void **state)
{
	(void)state;
	parse("FROM a\n"
	      "CMD [\"a\", \"b c\", \"\\u00e9\\n\\\"\"]\n"
	      "CMD [\"a\", \"b\"\n"
	      "ENTRYPOINT [\"sh\"] extra\n"
	      "RUN [ ]\n"
	      "RUN ['single']\n"
	      "SHELL [\"/bin/bash\", \"-c\"]  \n"
	      "CMD [\"a\", 1]\n");
	assert_true(I(1)->json);
	assert_int_equal(I(1)->njson_args, 3);
	assert_string_equal(I(1)->json_args[1], "b c");
	assert_string_equal(I(1)->json_args[2], "\xc3\xa9\n\"");
	assert_false(I(2)->json);
	assert_string_equal(I(2)->args_text, "[\"a\", \"b\"");
	assert_false(I(3)->json);
	assert_true(I(4)->json);
	assert_int_equal(I(4)->njson_args, 0);
	assert_false(I(5)->json);
	assert_true(I(6)->json);
	assert_false(I(7)->json);
	one_diag(8, 5, "other than strings");
}

/* ---- instructions ---- */

static void test_from(void **state)
{
	(void)state;
	parse("ARG V=1\nFROM --platform=$BUILDPLATFORM golang:${V} AS Build\nfrom \"alpine\"\nFROM build as x.y-z_1\n");
	no_diags();
	assert_int_equal(I(0)->stage, -1);
	const struct quai_df_instr *f = I(1);
	assert_string_equal(f->from_image, "golang:${V}");
	assert_string_equal(f->from_alias, "Build");
	assert_string_equal(quai_df_instr_flag(f, "platform")->value, "$BUILDPLATFORM");
	pos_is(quai_df_instr_flag(f, "platform")->pos, 2, 6);
	assert_string_equal(f->args_text, "golang:${V} AS Build");
	pos_is(f->args_pos, 2, 32);
	assert_int_equal(f->stage, 0);
	assert_string_equal(I(2)->from_image, "alpine");
	assert_string_equal(I(2)->keyword, "from");
	assert_null(I(2)->from_alias);
	assert_int_equal(df.nstages, 3);
	assert_string_equal(df.stages[0].name, "Build");
	assert_int_equal(quai_dockerfile_stage_by_name(&df, "build"), 0);
	assert_int_equal(quai_dockerfile_stage_by_name(&df, "X.Y-Z_1"), 2);
	assert_int_equal(quai_dockerfile_stage_by_name(&df, "nope"), -1);
}

static void test_copy_add_flags(void **state)
{
	(void)state;
	parse("FROM a\nCOPY --from=build --chown=1:1 --chmod=644 --link --parents --exclude=*.md --exclude=x "
	      "a b /dst/\nADD --checksum=sha256:abc --keep-git-dir=true --link=false https://x/y.tgz /\n"
	      "COPY [\"a b\", \"/c\"]\n");
	no_diags();
	const struct quai_df_instr *c = I(1);
	assert_int_equal(c->nflags, 7);
	assert_string_equal(c->flags[0].name, "from");
	assert_string_equal(c->flags[0].value, "build");
	assert_null(quai_df_instr_flag(c, "link")->value);
	assert_string_equal(c->flags[6].value, "x");
	assert_int_equal(c->nwords, 3);
	assert_string_equal(c->words[2].text, "/dst/");
	assert_string_equal(quai_df_instr_flag(I(2), "keep-git-dir")->value, "true");
	assert_true(I(3)->json);
	assert_int_equal(I(3)->nwords, 2);
	assert_string_equal(I(3)->words[0].text, "a b");
	assert_string_equal(I(3)->words[0].raw, "\"a b\"");
	pos_is(I(3)->words[1].pos, 4, 14);
}

static void test_run_flags(void **state)
{
	(void)state;
	parse("FROM a\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
	      "    --mount=type=secret,id=tok,required --network=none \\\n"
	      "    --mount=type=bind,from=build,source=/x,target=/y,ro apt-get update\n"
	      "RUN --mount=\"type=tmpfs,target=/t\" -- echo\n");
	no_diags();
	const struct quai_df_instr *r = I(1);
	assert_int_equal(r->nflags, 4);
	assert_string_equal(r->flags[1].value, "type=secret,id=tok,required");
	pos_is(r->flags[2].pos, 3, 41);
	pos_is(r->flags[3].pos, 4, 5);
	assert_string_equal(r->args_text, "apt-get update");
	pos_is(r->args_pos, 4, 57);
	assert_false(r->json);
	assert_int_equal(r->nwords, 0);
	assert_string_equal(I(2)->flags[0].value, "type=tmpfs,target=/t");
	assert_string_equal(I(2)->args_text, "echo");
}

static void test_simple_instructions(void **state)
{
	(void)state;
	parse("FROM a\nUSER app:app\nWORKDIR /my dir\nSTOPSIGNAL SIGKILL\nMAINTAINER Jo <jo@x>\n"
	      "EXPOSE 80/tcp 53/udp 8000-8010\nVOLUME /a /b\nVOLUME [\"/c\"]\nentrypoint [\"tini\", \"--\"]\n"
	      "cmd echo hi\nShell [\"pwsh\", \"-c\"]\n");
	no_diags();
	assert_string_equal(I(1)->words[0].text, "app:app");
	assert_int_equal(I(2)->nwords, 1);
	assert_string_equal(I(2)->words[0].text, "/my dir");
	assert_string_equal(I(3)->words[0].text, "SIGKILL");
	assert_string_equal(I(4)->args_text, "Jo <jo@x>");
	assert_int_equal(I(5)->nwords, 3);
	assert_string_equal(I(5)->words[2].text, "8000-8010");
	assert_int_equal(I(6)->nwords, 2);
	assert_true(I(7)->json);
	assert_string_equal(I(7)->words[0].text, "/c");
	assert_int_equal(I(8)->kind, QUAI_DF_ENTRYPOINT);
	assert_int_equal(I(8)->njson_args, 2);
	assert_int_equal(I(9)->kind, QUAI_DF_CMD);
	assert_string_equal(I(9)->args_text, "echo hi");
	assert_int_equal(I(10)->kind, QUAI_DF_SHELL);
	assert_true(I(10)->json);
}

static void test_env_forms(void **state)
{
	(void)state;
	parse("FROM a\nENV a=b c=\"d e\" f=g\\ h i='$x' j= k=\"a\\\"b\"\nENV legacy some  value \"q\"\n"
	      "LABEL \"com.x\"=\"y z\" version=1.0\nENV multi=1 \\\n    two=2\n");
	no_diags();
	const struct quai_df_instr *e = I(1);
	assert_int_equal(e->nkvs, 6);
	assert_string_equal(e->kvs[0].key, "a");
	assert_string_equal(e->kvs[0].value, "b");
	assert_true(e->kvs[0].has_eq);
	assert_string_equal(e->kvs[1].value, "d e");
	assert_string_equal(e->kvs[2].value, "g h");
	assert_string_equal(e->kvs[3].value, "$x");
	assert_string_equal(e->kvs[4].value, "");
	assert_string_equal(e->kvs[5].value, "a\"b");
	pos_is(e->kvs[1].pos, 2, 9);
	const struct quai_df_instr *l = I(2);
	assert_int_equal(l->nkvs, 1);
	assert_string_equal(l->kvs[0].key, "legacy");
	assert_string_equal(l->kvs[0].value, "some  value q");
	assert_false(l->kvs[0].has_eq);
	assert_string_equal(I(3)->kvs[0].key, "com.x");
	assert_string_equal(I(3)->kvs[0].value, "y z");
	pos_is(I(4)->kvs[1].pos, 6, 5);
}

static void test_arg(void **state)
{
	(void)state;
	parse("ARG BASE=debian:12\nFROM $BASE\nARG A B= C=\"x y\" D\n");
	no_diags();
	assert_int_equal(I(0)->stage, -1);
	assert_string_equal(I(0)->kvs[0].value, "debian:12");
	const struct quai_df_instr *a = I(2);
	assert_int_equal(a->stage, 0);
	assert_int_equal(a->nkvs, 4);
	assert_null(a->kvs[0].value);
	assert_false(a->kvs[0].has_eq);
	assert_string_equal(a->kvs[1].value, "");
	assert_true(a->kvs[1].has_eq);
	assert_string_equal(a->kvs[2].value, "x y");
	assert_string_equal(a->kvs[3].key, "D");
	pos_is(a->kvs[3].pos, 3, 18);
}

static void test_onbuild(void **state)
{
	(void)state;
	parse("FROM a\nONBUILD  COPY --chown=1 . /app\nonbuild run [\"make\"]\n");
	no_diags();
	const struct quai_df_instr *o = I(1)->onbuild;
	assert_non_null(o);
	assert_int_equal(o->kind, QUAI_DF_COPY);
	pos_is(o->pos, 2, 10);
	assert_string_equal(o->args_text, ". /app");
	assert_string_equal(quai_df_instr_flag(o, "chown")->value, "1");
	assert_int_equal(o->nwords, 2);
	assert_int_equal(o->stage, 0);
	assert_string_equal(I(1)->args_text, "COPY --chown=1 . /app");
	assert_true(I(2)->onbuild->json);
	assert_string_equal(I(2)->onbuild->keyword, "run");
}

static void test_healthcheck(void **state)
{
	(void)state;
	parse("FROM a\nHEALTHCHECK --interval=30s --timeout=3s --start-period=1m --start-interval=500ms "
	      "--retries=3 \\\n  CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK none\n"
	      "HEALTHCHECK CMD [\"/bin/check\", \"-q\"]\n");
	no_diags();
	const struct quai_df_instr *h = I(1);
	assert_false(h->healthcheck_none);
	assert_int_equal(h->nflags, 5);
	assert_non_null(h->healthcheck_cmd);
	assert_int_equal(h->healthcheck_cmd->kind, QUAI_DF_CMD);
	assert_string_equal(h->healthcheck_cmd->args_text, "curl -f http://localhost/ || exit 1");
	pos_is(h->healthcheck_cmd->pos, 3, 3);
	assert_false(h->healthcheck_cmd->json);
	assert_true(I(2)->healthcheck_none);
	assert_null(I(2)->healthcheck_cmd);
	assert_true(I(3)->healthcheck_cmd->json);
	assert_string_equal(I(3)->healthcheck_cmd->json_args[1], "-q");
}

/* ---- positions, raw text, comments, stages ---- */

static void test_positions_and_raw(void **state)
{
	(void)state;
	parse("FROM a\n\n  COPY \\\n  src \\\n\t/dst\n");
	no_diags();
	const struct quai_df_instr *c = I(1);
	pos_is(c->pos, 3, 3);
	pos_is(c->words[0].pos, 4, 3);
	pos_is(c->words[1].pos, 5, 2);
	assert_int_equal(c->end_line, 5);
	assert_int_equal(c->raw_len, strlen("COPY \\\n  src \\\n\t/dst"));
	assert_memory_equal(quai_dockerfile_raw(&df, c), "COPY \\\n  src \\\n\t/dst", c->raw_len);
}

static void test_comments(void **state)
{
	(void)state;
	parse("# hadolint ignore=DL3008\n#\nFROM a\n  #   indented  \nRUN a \\\n# inside\n  b\n# last\n");
	no_diags();
	assert_int_equal(df.ncomments, 4);
	assert_string_equal(df.comments[0].text, "hadolint ignore=DL3008");
	assert_int_equal(df.comments[0].next_instr, 0);
	assert_string_equal(df.comments[1].text, "");
	assert_string_equal(df.comments[2].text, "indented");
	pos_is(df.comments[2].pos, 4, 3);
	assert_int_equal(df.comments[2].next_instr, 1);
	assert_int_equal(df.comments[3].next_instr, 2);
}

static void test_stages(void **state)
{
	(void)state;
	parse("ARG X\nFROM a AS one\nRUN x\nRUN y\nFROM one\nCOPY --from=one / /\n");
	no_diags();
	assert_int_equal(df.nstages, 2);
	assert_int_equal(df.stages[0].from_index, 1);
	assert_int_equal(df.stages[0].end_index, 4);
	assert_string_equal(df.stages[0].image, "a");
	assert_int_equal(df.stages[1].from_index, 4);
	assert_int_equal(df.stages[1].end_index, 6);
	assert_null(df.stages[1].name);
	assert_int_equal(I(3)->stage, 0);
	assert_int_equal(I(5)->stage, 1);
}

static void test_kind_helpers(void **state)
{
	(void)state;
	assert_int_equal(quai_df_kind_from_name("healthCHECK", 11), QUAI_DF_HEALTHCHECK);
	assert_int_equal(quai_df_kind_from_name("RUNX", 3), QUAI_DF_RUN);
	assert_int_equal(quai_df_kind_from_name("FRM", 3), QUAI_DF_UNKNOWN);
	assert_string_equal(quai_df_kind_name(QUAI_DF_WORKDIR), "WORKDIR");
	assert_string_equal(quai_df_kind_name(QUAI_DF_UNKNOWN), "");
	assert_true(quai_df_kind_expands(QUAI_DF_COPY));
	assert_true(quai_df_kind_expands(QUAI_DF_ARG));
	assert_false(quai_df_kind_expands(QUAI_DF_RUN));
	assert_false(quai_df_kind_expands(QUAI_DF_ONBUILD));
}

static void test_invalid_utf8_and_odd_spaces(void **state)
{
	(void)state;
	parse("FROM a\nRUN echo \xff\xfe \xc3\x28\nLABEL x=\"\xe9t\xe9\"\n\xc2\xa0RUN y\n");
	no_diags();
	assert_int_equal(df.ninstrs, 4);
	assert_int_equal(I(3)->kind, QUAI_DF_RUN);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_directives_at_top),
		T(test_directives_end_at_first_other_line),
		T(test_directive_invalid_escape),
		T(test_escape_backtick),
		T(test_bom),
		T(test_crlf),
		T(test_continuations),
		T(test_continuation_alone),
		T(test_heredoc_basic),
		T(test_heredoc_strip_tabs_and_quotes),
		T(test_heredoc_copy_and_program),
		T(test_heredoc_not_recognised),
		T(test_heredoc_terminator_exact),
		T(test_heredoc_fd_and_onbuild),
		T(test_heredoc_unterminated),
		T(test_json_and_shell_fallback),
		T(test_from),
		T(test_copy_add_flags),
		T(test_run_flags),
		T(test_simple_instructions),
		T(test_env_forms),
		T(test_arg),
		T(test_onbuild),
		T(test_healthcheck),
		T(test_positions_and_raw),
		T(test_comments),
		T(test_stages),
		T(test_kind_helpers),
		T(test_invalid_utf8_and_odd_spaces),
	};
	return cmocka_run_group_tests_name("dockerfile parser", tests, NULL, NULL);
}
