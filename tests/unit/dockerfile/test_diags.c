/* Unit tests of the parser's diagnostics: each case is a Dockerfile that
 * docker refuses, with the one diagnostic expected (line, column, a part of
 * the message); and files docker accepts, that must have none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/dockerfile.h"

struct dcase {
	const char *src;
	unsigned line, col;
	const char *part;
};

static const struct dcase refused[] = {
	{ "FRM alpine\n", 1, 1, "unknown instruction 'FRM': did you mean 'FROM'?" },
	{ "FROM a\nRUNN x\n", 2, 1, "did you mean 'RUN'?" },
	{ "FROM a\ncopy. /x\n", 2, 1, "did you mean 'COPY'?" },
	{ "FROM a\nFROM:latest\n", 2, 1, "put a space after 'FROM'" },
	{ "FROM a\nRUN apt-get update\n    && apt-get install x\n", 3, 5, "end that line with '\\'" },
	{ "FROM a\nXYZZY foo\n", 2, 1, "unknown instruction 'XYZZY'" },
	{ "FROM\n", 1, 1, "FROM needs an image" },
	{ "FROM alpine AS\n", 1, 13, "'AS' without a stage name" },
	{ "FROM alpine AS 1st\n", 1, 16, "invalid stage name '1st'" },
	{ "FROM alpine AS a/b\n", 1, 16, "invalid stage name" },
	{ "FROM alpine latest\n", 1, 13, "unexpected 'latest' in FROM" },
	{ "FROM alpine AS x y\n", 1, 18, "unexpected 'y' in FROM" },
	{ "FROM alpine\nCOPY onlyone\n", 2, 1, "COPY needs a source and a destination" },
	{ "FROM alpine\nADD\n", 2, 1, "ADD needs a source and a destination" },
	{ "FROM alpine\nCOPY <<EOF\nx\nEOF\n", 2, 1, "COPY needs a source and a destination" },
	{ "FROM alpine\nCOPY [\"a\"]\n", 2, 1, "COPY needs a source" },
	{ "FROM alpine\nCOPY --form=x a b\n", 2, 6, "unknown flag '--form' for COPY: did you mean '--from'?" },
	{ "FROM alpine\nCOPY --bogus a b\n", 2, 6, "unknown flag '--bogus' for COPY: it takes --from" },
	{ "FROM alpine\nADD --from=x a b\n", 2, 5, "unknown flag '--from' for ADD" },
	{ "FROM alpine\nCOPY --from a b\n", 2, 6, "missing a value on flag '--from'" },
	{ "FROM alpine\nCOPY --link=maybe a b\n", 2, 6, "takes true or false" },
	{ "FROM alpine\nCOPY --link= a b\n", 2, 6, "missing a value" },
	{ "FROM alpine\nCOPY --from=a --from=b a b\n", 2, 15, "duplicate flag '--from'" },
	{ "FROM --plaform=x alpine\n", 1, 6, "did you mean '--platform'?" },
	{ "FROM alpine\nENV --x=1 a=b\n", 2, 5, "ENV takes no flags" },
	{ "FROM alpine\nWORKDIR --x /a\n", 2, 9, "WORKDIR takes no flags" },
	{ "FROM alpine\nRUN --help\n", 2, 5, "unknown flag '--help' for RUN" },
	{ "FROM alpine\nRUN --mount=type=cahce,target=/x true\n", 2, 5, "did you mean 'cache'?" },
	{ "FROM alpine\nRUN --mount=type=cache,targte=/x true\n", 2, 5, "unexpected key 'targte'" },
	{ "FROM alpine\nRUN --mount=type=cache,target true\n", 2, 5, "must be a key=value pair" },
	{ "FROM alpine\nRUN --mount=type=bind,required true\n", 2, 5, "only for secret and ssh" },
	{ "FROM alpine\nRUN --mount=type=cache,ro=maybe,target=/x true\n", 2, 5, "takes true or false" },
	{ "FROM alpine\nRUN --mount=type=cache,sharing=all,target=/x true\n", 2, 5, "unsupported sharing" },
	{ "FROM alpine\nRUN --mount=type=cache,mode=999,target=/x true\n", 2, 5, "not an octal number" },
	{ "FROM alpine\nRUN --mount=type=cache,uid=me,target=/x true\n", 2, 5, "not a number" },
	{ "FROM alpine\nRUN --mount=type=cache,target=\\\"/x true\n", 2, 5, "not valid CSV" },
	{ "FROM alpine\nRUN --mount=type=bind,from=$X,target=/x true\n", 2, 5, "define an alias stage" },
	{ "FROM alpine\nRUN --mount= true\n", 2, 5, "it is empty" },
	{ "FROM alpine\nRUN --network=hots true\n", 2, 5, "unsupported network mode 'hots'" },
	{ "FROM alpine\nRUN --security=insecure true\n", 2, 5, "needs the labs syntax" },
	{ "# syntax=docker/dockerfile:1-labs\nFROM alpine\nRUN --security=bad true\n", 3, 5,
	  "unsupported security mode" },
	{ "FROM a\nHEALTHCHECK --interval=5 CMD x\n", 2, 13, "invalid duration '5' for --interval" },
	{ "FROM a\nHEALTHCHECK --timeout=1.5.5s CMD x\n", 2, 13, "invalid duration" },
	{ "FROM a\nHEALTHCHECK --start-period=10 CMD x\n", 2, 13, "invalid duration" },
	{ "FROM a\nHEALTHCHECK --start-interval=3x CMD x\n", 2, 13, "invalid duration" },
	{ "FROM a\nHEALTHCHECK --interval=100us CMD x\n", 2, 13, "cannot be less than 1ms" },
	{ "FROM a\nHEALTHCHECK --interval=-1s CMD x\n", 2, 13, "cannot be less than 1ms" },
	{ "FROM a\nHEALTHCHECK --retries=-1 CMD x\n", 2, 13, "--retries cannot be negative" },
	{ "FROM a\nHEALTHCHECK --retries=3x CMD x\n", 2, 13, "invalid --retries '3x'" },
	{ "FROM a\nHEALTHCHECK --retries=99999999999 CMD x\n", 2, 13, "invalid --retries" },
	{ "FROM a\nHEALTHCHECK --interval CMD x\n", 2, 13, "missing a value" },
	{ "FROM a\nHEALTHCHECK --intreval=1s CMD x\n", 2, 13, "did you mean '--interval'?" },
	{ "FROM a\nHEALTHCHECK CMD\n", 2, 13, "HEALTHCHECK CMD needs a command" },
	{ "FROM a\nHEALTHCHECK CMD []\n", 2, 13, "HEALTHCHECK CMD needs a command" },
	{ "FROM a\nHEALTHCHECK CURL x\n", 2, 13, "unknown HEALTHCHECK type 'CURL'" },
	{ "FROM a\nHEALTHCHECK NONE now\n", 2, 18, "HEALTHCHECK NONE takes no arguments" },
	{ "FROM a\nHEALTHCHECK\n", 2, 1, "HEALTHCHECK requires an argument" },
	{ "FROM a\nENV\n", 2, 1, "ENV requires at least one argument" },
	{ "FROM a\nENV foo\n", 2, 5, "ENV 'foo' has no value" },
	{ "FROM a\nENV a=b c\n", 2, 9, "'c' in ENV has no '='" },
	{ "FROM a\nENV =x\n", 2, 5, "ENV names can not be blank" },
	{ "FROM a\nLABEL\n", 2, 1, "LABEL requires at least one argument" },
	{ "FROM a\nLABEL =x\n", 2, 7, "LABEL names can not be blank" },
	{ "FROM a\nLABEL justakey\n", 2, 7, "LABEL 'justakey' has no value" },
	{ "ARG\nFROM a\n", 1, 1, "ARG requires at least one argument" },
	{ "FROM a\nARG =x\n", 2, 5, "ARG names can not be blank" },
	{ "FROM a\nUSER\n", 2, 1, "USER requires exactly one argument" },
	{ "FROM a\nWORKDIR\n", 2, 1, "WORKDIR requires exactly one argument" },
	{ "FROM a\nSTOPSIGNAL\n", 2, 1, "STOPSIGNAL requires exactly one argument" },
	{ "FROM a\nMAINTAINER\n", 2, 1, "MAINTAINER requires exactly one argument" },
	{ "FROM a\nEXPOSE\n", 2, 1, "EXPOSE requires at least one argument" },
	{ "FROM a\nVOLUME\n", 2, 1, "VOLUME requires at least one argument" },
	{ "FROM a\nVOLUME [\"/a\", \" \"]\n", 2, 15, "VOLUME can not be an empty string" },
	{ "FROM a\nSHELL\n", 2, 1, "SHELL requires at least one argument" },
	{ "FROM a\nSHELL []\n", 2, 1, "SHELL requires at least one argument" },
	{ "FROM a\nSHELL /bin/bash -c\n", 2, 7, "SHELL requires the JSON form" },
	{ "FROM a\nONBUILD\n", 2, 1, "ONBUILD requires an instruction" },
	{ "FROM a\nONBUILD ONBUILD RUN x\n", 2, 9, "chaining ONBUILD" },
	{ "FROM a\nONBUILD FROM b\n", 2, 9, "FROM isn't allowed as an ONBUILD trigger" },
	{ "FROM a\nONBUILD MAINTAINER me\n", 2, 9, "MAINTAINER isn't allowed" },
	{ "FROM a\nONBUILD ENV x\n", 2, 13, "ENV 'x' has no value" },
	{ "FROM a\nONBUILD RUN [\"a\", 1]\n", 2, 13, "other than strings" },
	{ "FROM a\nCMD [\"echo\", 1]\n", 2, 5, "other than strings" },
	{ "FROM a\nENTRYPOINT [\"a\", [\"b\"]]\n", 2, 12, "other than strings" },
	{ "FROM a\nRUN [null]\n", 2, 5, "other than strings" },
	{ "FROM a\nCOPY \"a b\" /x/\n", 2, 6, "unterminated double quote" },
	{ "FROM a\nENV x=\"open\n", 2, 7, "unterminated double quote" },
	{ "FROM a\nENV msg it's\n", 2, 9, "unterminated single quote" },
	{ "FROM a\nLABEL v=${x\n", 2, 9, "missing '}'" },
	{ "FROM a\nWORKDIR ${}\n", 2, 9, "bad substitution" },
	{ "FROM a\nUSER ${u:0:3}\n", 2, 6, "unsupported modifier" },
	{ "FROM ${IMG\n", 1, 6, "missing '}'" },
	{ "FROM a\nCOPY [\"it's\", \"/x\"]\n", 2, 7, "unterminated single quote" },
	{ "FROM a\nRUN <<EOF\necho\nEOFX\n", 2, 5, "unterminated heredoc 'EOF'" },
	{ "FROM a\nRUN <<-END\n\techo\n END\n", 2, 5, "unterminated heredoc 'END'" },
	{ "FROM a\nRUN <<A <<B\na\nA\nb\n", 2, 9, "unterminated heredoc 'B'" },
	{ "FROM a\nCOPY <<\"EOF\" /x\nbody\n", 2, 6, "unterminated heredoc 'EOF'" },
	{ "# escape=x\nFROM a\n", 1, 1, "invalid escape token 'x'" },
	{ "# escape=\\\n# escape=`\nFROM a\n", 2, 1, "only one 'escape' parser directive" },
	{ "# syntax=a\n#syntax=b\nFROM a\n", 2, 1, "only one 'syntax'" },
	{ "", 1, 1, "no instructions" },
	{ "# just a comment\n\n", 1, 1, "no instructions" },
	{ "ARG X=1\n", 1, 1, "no FROM instruction" },
	{ "FROM a\n\\\n", 2, 1, "a line continuation with nothing after it" },
};

/* Tricky files docker accepts. */
static const char *const accepted[] = {
	"FROM a\nRUN echo \\\n\n  # c\n  done\n",
	"FROM a\nCOPY --chown=1:1 --chmod=0755 --link --parents --exclude=*.md a b/\n",
	"FROM a\nADD --checksum=sha256:0 --keep-git-dir --unpack=true --exclude=x https://x/y /\n",
	"FROM a\nRUN --mount=type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0755,uid=0,gid=0 \\\n"
	"    --mount=type=secret,id=npmrc,target=/root/.npmrc,required=true \\\n"
	"    --mount=type=ssh --mount=type=tmpfs,target=/t,size=64m \\\n"
	"    --mount=type=bind,from=build,source=/out,target=/in,rw \\\n"
	"    --mount=type=secret,id=tok,env=TOKEN \\\n"
	"    --mount=type=$T,target=/x --mount=target=/y --network=host true\n",
	"# syntax=docker/dockerfile:1-labs\nFROM a\nRUN --security=insecure --device=/dev/fuse true\n",
	"FROM a\nHEALTHCHECK --interval=1m30s --timeout=.5s --start-period=0 --start-interval=5s --retries=0 "
	"CMD true\n",
	"FROM a\nHEALTHCHECK --interval=1h2m3.5s --timeout=100ms CMD [\"true\"]\n",
	"FROM a\nHEALTHCHECK --interval=whatever NONE\n",
	"FROM a\nARG --weird=1 X\nSTOPSIGNAL --weird SIGTERM\n",
	"FROM a\nENV A=1 B=\"2 3\" C=4\\ 5 D='${x}'\nENV legacy value with spaces\n",
	"FROM a\nLABEL maintainer=\"x <x@y>\" \\\n      org.opencontainers.image.title='t'\n",
	"FROM a AS build\nFROM build AS final\nCOPY --from=build / /\nCOPY --from=0 / /\n",
	"FROM --platform=$BUILDPLATFORM a AS b\n",
	"FROM a\nONBUILD RUN x\nONBUILD COPY . /app\nONBUILD FOO bar\n",
	"FROM a\nEXPOSE 80 443/tcp 53/udp 8000-8100 ${PORT}\n",
	"FROM a\nVOLUME [\"/a\"]\nVOLUME /b /c\n",
	"FROM a\nCMD []\nENTRYPOINT []\nRUN\nCMD\n",
	"FROM a\nRUN <<EOF\n\nEOF\n",
	"FROM a\nRUN cat <<EOF > /x && cat <<-'EOT' >> /x\n$x\nEOF\n\tliteral $y\n\tEOT\n",
	"FROM a\nUSER ${UID:-1000}:${GID:-1000}\nWORKDIR ${HOME}/x\n",
	"FROM a\nRUN echo \"unterminated in shell form is the shell's business\n",
	"FROM a\nCOPY [\"a b\", \"/c d/\"]\n",
	"from a\nrun x\ncopy a b\nHealthCheck none\n",
	"# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n    && echo done\nWORKDIR C:\\app\n",
	"#!/usr/bin/env docker\n# syntax=docker/dockerfile:1\nFROM a\n",
	"# check=skip=all\nFROM a\n",
	"FROM a\nRUN echo caf\xc3\xa9 \xff\xfe\n",
	"FROM a\n  RUN indented\n\t\tCMD x\n",
	"FROM a\r\nRUN a \\\r\n  b\r\n",
	"FROM a\nRUN --mount=type=cache,target=/x -- echo hi\n",
	"FROM a\nCOPY . .\n# trailing comment\n",
};

static void check_refused(void **state)
{
	const struct dcase *c = *state;
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, "Dockerfile", c->src, strlen(c->src));
	bool ok = df.ndiags == 1 && df.diags[0].pos.line == c->line && df.diags[0].pos.col == c->col &&
		  strstr(df.diags[0].message, c->part);
	if (!ok) {
		for (size_t i = 0; i < df.ndiags; i++)
			print_message("# got %u:%u %s\n", df.diags[i].pos.line, df.diags[i].pos.col,
				      df.diags[i].message);
		print_message("# want %u:%u ...%s...\n", c->line, c->col, c->part);
	}
	quai_dockerfile_release(&df);
	assert_true(ok);
}

static void check_accepted(void **state)
{
	const char *src = *state;
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, "Dockerfile", src, strlen(src));
	for (size_t i = 0; i < df.ndiags; i++)
		print_message("# unexpected %u:%u %s\n", df.diags[i].pos.line, df.diags[i].pos.col,
			      df.diags[i].message);
	size_t n = df.ndiags;
	quai_dockerfile_release(&df);
	assert_int_equal(n, 0);
}

static void test_not_text(void **state)
{
	(void)state;
	static const char bin[] = "FROM a\nRUN x\x00\x01\x02\nFROM b\nBAD\n";
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, "bin", bin, sizeof(bin) - 1);
	assert_int_equal(df.ndiags, 1);
	assert_int_equal(df.diags[0].pos.line, 2);
	assert_int_equal(df.diags[0].pos.col, 6);
	assert_non_null(strstr(df.diags[0].message, "not text"));
	assert_int_equal(df.ninstrs, 0);
	quai_dockerfile_release(&df);
}

static void test_keeps_going(void **state)
{
	(void)state;
	static const char src[] = "FRM a\nFROM b\nCOPY x\nRUN ok\nENV\nCMD [\"a\", 2]\n";
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, "Dockerfile", src, sizeof(src) - 1);
	assert_int_equal(df.ninstrs, 6);
	assert_int_equal(df.ndiags, 4);
	assert_int_equal(df.diags[3].pos.line, 6);
	quai_dockerfile_release(&df);
}

int main(void)
{
	size_t nr = sizeof(refused) / sizeof(refused[0]), na = sizeof(accepted) / sizeof(accepted[0]);
	struct CMUnitTest *tests = calloc(nr + na + 2, sizeof(*tests));
	char **names = calloc(nr + na, sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < nr; i++, n++) {
		names[n] = malloc(160);
		snprintf(names[n], 160, "refused %zu: %.60s", i, refused[i].part);
		tests[n] = (struct CMUnitTest){ names[n], check_refused, NULL, NULL, (void *)&refused[i] };
	}
	for (size_t i = 0; i < na; i++, n++) {
		names[n] = malloc(32);
		snprintf(names[n], 32, "accepted %zu", i);
		tests[n] = (struct CMUnitTest){ names[n], check_accepted, NULL, NULL, (void *)accepted[i] };
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_not_text);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_keeps_going);
	int r = _cmocka_run_group_tests("dockerfile diagnostics", tests, n, NULL, NULL);
	for (size_t i = 0; i < nr + na; i++)
		free(names[i]);
	free(names);
	free(tests);
	return r;
}
