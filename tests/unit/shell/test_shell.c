/* Unit tests of the shell reader (src/shell/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "shell/shell.h"

static struct quai_sh_script script;

static const struct quai_sh_script *parse(const char *src)
{
	quai_sh_script_release(&script);
	quai_sh_parse(&script, src, strlen(src));
	return &script;
}

static const char *const sep_names[] = {"", " ;", " &&", " ||", " |", " &"};

/* One line per command: '^' per depth, '>' if piped into, {assignments},
 * the words, then its separator. */
static char *render(const char *src)
{
	static char *last;
	struct quai_buf b = QUAI_BUF_INIT;
	parse(src);
	for (size_t i = 0; i < script.ncmds; i++) {
		const struct quai_sh_cmd *c = &script.cmds[i];
		if (i)
			quai_buf_putc(&b, '\n');
		for (int d = 0; d < c->depth; d++)
			quai_buf_putc(&b, '^');
		if (c->piped_into)
			quai_buf_puts(&b, "> ");
		for (size_t j = 0; j < c->nassigns; j++)
			quai_buf_printf(&b, "%s{%s}", j ? " " : "", c->assigns[j].text);
		for (size_t j = 0; j < c->argc; j++)
			quai_buf_printf(&b, "%s%s", j || c->nassigns ? " " : "", c->argv[j].text);
		quai_buf_puts(&b, sep_names[c->sep]);
	}
	free(last);
	last = quai_buf_detach(&b);
	return last;
}

#define assert_render(src, expected) assert_string_equal(render(src), expected)

static const struct quai_sh_cmd *cmd_at(const char *src, size_t i)
{
	parse(src);
	assert_true(i < script.ncmds);
	return &script.cmds[i];
}

/* Words */

static void test_quotes(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("echo 'a b' \"c $HOME d\" e\\ f plain '$X'", 0);
	assert_int_equal(c->argc, 6);
	assert_string_equal(c->argv[1].text, "a b");
	assert_true(c->argv[1].quoted);
	assert_false(c->argv[1].has_expansion);
	assert_string_equal(c->argv[2].text, "c $HOME d");
	assert_true(c->argv[2].has_expansion);
	assert_string_equal(c->argv[3].text, "e f");
	assert_string_equal(c->argv[4].text, "plain");
	assert_false(c->argv[4].quoted);
	assert_false(c->argv[4].has_expansion);
	assert_string_equal(c->argv[5].text, "$X");
	assert_false(c->argv[5].has_expansion);
}

static void test_offsets(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("  cd /x && FOO=1 make  'all'", 0);
	assert_int_equal(c->argv[0].off, 2);
	assert_int_equal(c->argv[1].off, 5);
	c = &script.cmds[1];
	assert_int_equal(c->assigns[0].off, 11);
	assert_int_equal(c->argv[0].off, 17);
	assert_int_equal(c->argv[1].off, 23);
}

static void test_dquote_escapes(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("echo \"a\\\"b\\\\c\\$d\\x\" $'it\\'s' $\"loc\"", 0);
	assert_string_equal(c->argv[1].text, "a\"b\\c$d\\x");
	assert_false(c->argv[1].has_expansion);
	assert_string_equal(c->argv[2].text, "it\\'s");
	assert_string_equal(c->argv[3].text, "loc");
}

static void test_expansions(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("echo ${VAR:-x y} $1 $@ pre${A}post $ \\$HOME", 0);
	assert_string_equal(c->argv[1].text, "${VAR:-x y}");
	assert_true(c->argv[1].has_expansion);
	assert_string_equal(c->argv[2].text, "$1");
	assert_string_equal(c->argv[3].text, "$@");
	assert_string_equal(c->argv[4].text, "pre${A}post");
	assert_string_equal(c->argv[5].text, "$");
	assert_false(c->argv[5].has_expansion);
	assert_string_equal(c->argv[6].text, "$HOME");
	assert_false(c->argv[6].has_expansion);
}

static void test_command_substitution(void **state)
{
	(void)state;
	assert_render("echo $(uname -m)", "echo $(uname -m)\n^uname -m");
	assert_render("echo \"$(dirname \"$(which python)\")\" x",
	              "echo $(dirname \"$(which python)\") x\n^dirname $(which python)\n^^which python");
	assert_render("a=`date +%s` b", "{a=`date +%s`} b\n^date +%s");
	assert_render("echo $((1 + 2)) $(( (3) * 4 )) done", "echo $((1 + 2)) $(( (3) * 4 )) done");
	assert_render("X=$(cat f | wc -l)", "{X=$(cat f | wc -l)}\n^cat f |\n^> wc -l");
	assert_render("echo $(a) && b", "echo $(a) &&\n^a\nb");
	assert_render("a $(b `c $(d)`) e", "a $(b `c $(d)`) e\n^b `c $(d)`\n^^c $(d)\n^^^d");
	assert_render("diff <(ls a) >(wc -l)", "diff <(ls a) >(wc -l)\n^ls a\n^wc -l");
	assert_render("echo $(case x in a) echo a;; esac) z",
	              "echo $(case x in a) echo a;; esac) z\n^echo a");
}

/* Operators and lists */

static void test_operators(void **state)
{
	(void)state;
	assert_render("a && b || c ; d | e |& f & g", "a &&\nb ||\nc ;\nd |\n> e |\n> f &\ng");
	assert_render("a\nb\n\n c;", "a ;\nb ;\nc");
	assert_render("a |\n  b", "a |\n> b");
	assert_render("a | ; b", "a |\nb");
	assert_render("a |\n# note\n  b", "a |\n> b");
	assert_render("a &&\n\n b", "a &&\nb");
	assert_render("", "");
	assert_render(" ; ;; \n", "");
}

static void test_pipes(void **state)
{
	(void)state;
	assert_false(parse("a || b && c")->has_pipe);
	assert_true(parse("curl -sL http://x | tar xz -C /")->has_pipe);
	assert_true(parse("echo $(a | b)")->has_pipe);
	assert_true(parse("a |& b")->has_pipe);
	assert_false(parse("echo 'a | b' \"|\" \\|")->has_pipe);
	assert_false(parse("a # | b")->has_pipe);
	const struct quai_sh_cmd *c = cmd_at("curl -sL http://x | tar xz", 1);
	assert_true(c->piped_into);
	assert_true(quai_sh_cmd_is(c, "tar"));
	assert_int_equal(script.cmds[0].sep, QUAI_SH_SEP_PIPE);
	assert_int_equal(c->sep, QUAI_SH_SEP_END);
}

static void test_comments(void **state)
{
	(void)state;
	assert_render("echo a # rm -rf / && x\necho b#c #d", "echo a ;\necho b#c");
	assert_render("# only\n  # comments", "");
	assert_render("echo ${#x} $# '#' \"#\"", "echo ${#x} $# # #");
}

static void test_redirections(void **state)
{
	(void)state;
	assert_render("cmd > out 2>&1 < in >> log &> all &>> all2 <<< \"str\" 3<&0 x >| y <> z >&- 1",
	              "cmd x 1");
	assert_render("> f", "");
	assert_render("cat <<EOF > /etc/x", "cat");
	assert_render("cat <<-'EOF' | sh", "cat |\n> sh");
	assert_render("<<EOF\napt-get update", "apt-get update");
	assert_render("echo 2 > x 10>y a2>z", "echo 2 a2");
	assert_render("cmd > $(mktemp)", "cmd\n^mktemp");
	/* bodies are skipped only when their delimiter line is there */
	assert_render("cat > /x <<EOF && echo a\nserver { listen 80; }\nEOF\necho b",
	              "cat &&\necho a ;\necho b");
	assert_render("cat <<-'E1' <<\"E2\"; x\n\tline\n\tE1\nline\nE2\r\ny", "cat ;\nx ;\ny");
	assert_render("cat <<EOF\napt-get update\nEOFX", "cat ;\napt-get update ;\nEOFX");
	assert_render("cat <<<EOF\nEOF", "cat ;\nEOF");
	assert_render("exec > >(tee -a log) 2>&1", "exec\n^tee -a log");
}

static void test_assignments(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("FOO=bar BAZ=\"a b\" cmd x=1 Y+=2", 0);
	assert_int_equal(c->nassigns, 2);
	assert_string_equal(c->assigns[0].text, "FOO=bar");
	assert_string_equal(c->assigns[1].text, "BAZ=a b");
	assert_int_equal(c->argc, 3);
	assert_string_equal(quai_sh_cmd_name(c), "cmd");
	assert_string_equal(c->argv[1].text, "x=1");

	c = cmd_at("FOO=1", 0);
	assert_int_equal(c->argc, 0);
	assert_int_equal(c->nassigns, 1);
	assert_string_equal(quai_sh_cmd_name(c), "");
	assert_false(quai_sh_cmd_is(c, ""));

	assert_render("arr=(a \"b c\") e", "{arr=(a \"b c\")} e");
	assert_render("\"A\"=1 x", "A=1 x");
	assert_render("1A=2 x", "1A=2 x");
	assert_render("A=1 if", "{A=1} if");
}

/* Compound commands */

static void test_if(void **state)
{
	(void)state;
	assert_render("if [ -f x ]; then rm x; fi", "[ -f x ] ;\nrm x");
	assert_render("if a; then b; elif c; then d; else e; fi && f", "a ;\nb ;\nc ;\nd ;\ne &&\nf");
	assert_render("if ! test -d x\nthen\n  mkdir x\nfi", "test -d x ;\nmkdir x");
	assert_render("[[ $(uname) == Linux && -f x ]] && echo yes", "^uname\necho yes");
	assert_render("[[ a < b ]] || (( i++ )) || echo no", "echo no");
	assert_render("((cd a; make); ls) && (( (1 + 2) * 3 ))", "cd a ;\nmake ;\nls &&");
	assert_render("echo $((cd a; make) | wc -l) $(( (1) ))",
	              "echo $((cd a; make) | wc -l) $(( (1) ))\n^cd a ;\n^make |\n^> wc -l");
}

static void test_loops(void **state)
{
	(void)state;
	assert_render("for p in a b; do echo $p; done", "echo $p");
	assert_render("for f in $(ls /x) *.txt\ndo\n  rm \"$f\"\ndone | sort", "^ls /x\nrm $f |\n> sort");
	assert_render("for x; do y; done", "y");
	assert_render("for ((i = 0; i < 3; i++)); do echo $i; done", "echo $i");
	assert_render("while read -r l; do echo \"$l\"; done < f", "read -r l ;\necho $l");
	assert_render("until false; do sleep 1; done &", "false ;\nsleep 1 &");
	assert_render("echo for do done in", "echo for do done in");
}

static void test_case(void **state)
{
	(void)state;
	assert_render("case \"$(dpkg --print-architecture)\" in\n"
	              "  amd64|x86_64) A=1 ;;\n"
	              "  (arm*) echo arm; B=2;;\n"
	              "  *) exit 1 ;;\n"
	              "esac; echo done",
	              "^dpkg --print-architecture\n{A=1} ;\necho arm ;\n{B=2} ;\nexit 1 ;\necho done");
	assert_render("case x in a) b ;& c) d ;;& esac", "b ;\nd");
	assert_render("case a in x) case b in y) echo y;; esac;; z) echo z;; esac; w",
	              "echo y ;\necho z ;\nw");
	assert_render("case x in esac; y", "y");
	assert_render("case x in a) b\nesac", "b");
}

static void test_groups_functions(void **state)
{
	(void)state;
	assert_render("{ a; b; } > out 2>&1 || c", "a ;\nb ||\nc");
	assert_render("(cd /x && make) | tee log", "cd /x &&\nmake |\n> tee log");
	assert_render("f() { echo hi; }; f", "echo hi ;\nf");
	assert_render("f () {\n ls\n}\nfunction g { pwd; }\nfunction h() ( id )", "ls ;\npwd ;\nid");
	assert_render("echo {a,b} { }", "echo {a,b} { }");
}

static void test_plain_commands(void **state)
{
	(void)state;
	assert_render("\"if\" x; 'fi'; \\done", "if x ;\nfi ;\ndone");
	assert_render("! grep -q x f || echo missing", "grep -q x f ||\necho missing");
	assert_render("set -o pipefail && time make && exec nginx",
	              "set -o pipefail &&\ntime make &&\nexec nginx");
	assert_render("sudo apt-get install -y x", "sudo apt-get install -y x");
	assert_true(quai_sh_cmd_is(cmd_at("sudo apt-get install -y x", 0), "sudo"));
}

static void test_continuation(void **state)
{
	(void)state;
	assert_render("apt-get install \\\n  -y \\\r\n foo\\\nbar \"a\\\nb\" 'c\\\nd'",
	              "apt-get install -y foobar ab c\\\nd");
	assert_render("a \\\n&& b", "a &&\nb");
	assert_render("a\\", "a\\");
}

static void test_crlf(void **state)
{
	(void)state;
	assert_render("apt-get update\r\nmake all\r\n", "apt-get update ;\nmake all");
}

/* Helpers */

static void test_name(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("/usr/bin/apt-get install x", 0);
	assert_string_equal(quai_sh_cmd_name(c), "apt-get");
	assert_true(quai_sh_cmd_is(c, "apt-get"));
	assert_false(quai_sh_cmd_is(c, "apt"));
	assert_false(quai_sh_cmd_is(c, "/usr/bin/apt-get"));
	c = cmd_at("./configure", 0);
	assert_string_equal(quai_sh_cmd_name(c), "configure");
	c = cmd_at("FOO=1 BAR=2 apt-get update", 0);
	assert_true(quai_sh_cmd_is(c, "apt-get"));
	assert_true(quai_sh_script_uses(&script, "apt-get"));
	assert_false(quai_sh_script_uses(&script, "update"));
	parse("echo $(curl -s x)");
	assert_true(quai_sh_script_uses(&script, "curl"));
	assert_false(quai_sh_script_uses(&script, "wget"));
}

static void test_apt_get(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("apt-get install -y --no-install-recommends foo=1.0 bar", 0);
	assert_true(quai_sh_cmd_is(c, "apt-get"));
	assert_true(quai_sh_cmd_has_arg(c, "install"));
	assert_true(quai_sh_cmd_has_arg(c, "foo=1.0"));
	assert_false(quai_sh_cmd_has_arg(c, "apt-get"));
	assert_true(quai_sh_cmd_has_flag(c, "y"));
	assert_true(quai_sh_cmd_has_flag(c, "no-install-recommends"));
	assert_false(quai_sh_cmd_has_flag(c, "n"));
	assert_false(quai_sh_cmd_has_flag(c, "q"));
	assert_false(quai_sh_cmd_has_flag(c, "install"));
	assert_true(quai_sh_cmd_has_flag(c, "-y"));
	assert_true(quai_sh_cmd_has_flag(c, "--no-install-recommends"));
	assert_false(quai_sh_cmd_has_flag(c, "--"));
	const char *args[8];
	size_t n = quai_sh_cmd_args_noflags(c, args);
	assert_int_equal(n, 3);
	assert_string_equal(args[0], "install");
	assert_string_equal(args[1], "foo=1.0");
	assert_string_equal(args[2], "bar");
	assert_true(quai_sh_cmd_has_arg_prefix(c, "foo="));
	assert_false(quai_sh_cmd_has_arg_prefix(c, "baz"));

	c = cmd_at("apt-get -qqy install -t bookworm-backports x", 0);
	assert_true(quai_sh_cmd_has_flag(c, "y"));
	assert_true(quai_sh_cmd_has_flag(c, "q"));
	assert_string_equal(quai_sh_cmd_flag_value(c, "t"), "bookworm-backports");
	static const char *const value_flags[] = {"-t", "--target-release", NULL};
	n = quai_sh_cmd_args_noflags_skip(c, value_flags, args);
	assert_int_equal(n, 2);
	assert_string_equal(args[0], "install");
	assert_string_equal(args[1], "x");
	n = quai_sh_cmd_args_noflags(c, args);
	assert_int_equal(n, 3);
}

static void test_pip(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("pip install --no-cache-dir -r req.txt", 0);
	assert_true(quai_sh_cmd_is(c, "pip"));
	assert_true(quai_sh_cmd_has_flag(c, "no-cache-dir"));
	assert_true(quai_sh_cmd_has_flag(c, "r"));
	assert_string_equal(quai_sh_cmd_flag_value(c, "r"), "req.txt");
	assert_null(quai_sh_cmd_flag_value(c, "c"));
	assert_string_equal(quai_sh_cmd_flag_value(c, "no-cache-dir"), "-r");
	c = cmd_at("pip install --index-url=https://x/simple --requirement r.txt -rreq2.txt", 0);
	assert_string_equal(quai_sh_cmd_flag_value(c, "index-url"), "https://x/simple");
	assert_true(quai_sh_cmd_has_flag(c, "index-url"));
	assert_false(quai_sh_cmd_has_flag(c, "index"));
	assert_string_equal(quai_sh_cmd_flag_value(c, "requirement"), "r.txt");
	assert_null(quai_sh_cmd_flag_value(c, "require"));
	c = cmd_at("pip install -rreq2.txt", 0);
	assert_string_equal(quai_sh_cmd_flag_value(c, "r"), "req2.txt");
	c = cmd_at("pip install --target", 0);
	assert_string_equal(quai_sh_cmd_flag_value(c, "target"), "");
}

static void test_flag_values(void **state)
{
	(void)state;
	const char *values[8];
	const struct quai_sh_cmd *c = cmd_at("useradd -u 12345 -u 67890 luser", 0);
	assert_int_equal(quai_sh_cmd_flag_values(c, "u", values), 2);
	assert_string_equal(values[0], "12345");
	assert_string_equal(values[1], "67890");
	assert_int_equal(quai_sh_cmd_flag_values(c, "f", values), 0);
	c = cmd_at("useradd -lu12345 --uid=1 --uid 2 -- -u 3", 0);
	assert_int_equal(quai_sh_cmd_flag_values(c, "u", values), 1);
	assert_string_equal(values[0], "12345");
	assert_int_equal(quai_sh_cmd_flag_values(c, "uid", values), 2);
	assert_string_equal(values[0], "1");
	assert_string_equal(values[1], "2");
	/* a value taken from the next word is not read as a flag */
	c = cmd_at("x -o -u -u 1", 0);
	assert_int_equal(quai_sh_cmd_flag_values(c, "o", values), 1);
	assert_string_equal(values[0], "-u");
	assert_string_equal(quai_sh_cmd_flag_value(c, "u"), "-u");
}

static void test_pip_install(void **state)
{
	(void)state;
	assert_true(quai_sh_cmd_is_pip_install(cmd_at("pip install x", 0)));
	assert_true(quai_sh_cmd_is_pip_install(cmd_at("/usr/bin/pip3 --no-cache-dir install x", 0)));
	assert_true(quai_sh_cmd_is_pip_install(cmd_at("python3 -m pip install x", 0)));
	assert_true(quai_sh_cmd_is_pip_install(cmd_at("python3.11 -u -m pip install x", 0)));
	assert_false(quai_sh_cmd_is_pip_install(cmd_at("python3 -m pip download x", 0)));
	assert_true(quai_sh_cmd_is_pip_install(cmd_at("pip download install", 0))); /* as hadolint */
	assert_false(quai_sh_cmd_is_pip_install(cmd_at("pip freeze", 0)));
	assert_false(quai_sh_cmd_is_pip_install(cmd_at("python3 -m pip", 0)));
	assert_false(quai_sh_cmd_is_pip_install(cmd_at("X=1", 0)));
}

static void test_apk_npm(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("apk add --no-cache curl", 0);
	assert_true(quai_sh_cmd_is(c, "apk"));
	assert_true(quai_sh_cmd_has_arg(c, "add"));
	assert_true(quai_sh_cmd_has_flag(c, "no-cache"));
	const char *args[8];
	assert_int_equal(quai_sh_cmd_args_noflags(c, args), 2);
	assert_string_equal(args[1], "curl");

	c = cmd_at("npm install -g x@1", 0);
	assert_true(quai_sh_cmd_is(c, "npm"));
	assert_true(quai_sh_cmd_has_flag(c, "g"));
	assert_int_equal(quai_sh_cmd_args_noflags(c, args), 2);
	assert_string_equal(args[0], "install");
	assert_string_equal(args[1], "x@1");
}

static void test_double_dash(void **state)
{
	(void)state;
	const struct quai_sh_cmd *c = cmd_at("rm -f -- -y --force - file", 0);
	assert_true(quai_sh_cmd_has_flag(c, "f"));
	assert_false(quai_sh_cmd_has_flag(c, "y"));
	assert_false(quai_sh_cmd_has_flag(c, "force"));
	assert_null(quai_sh_cmd_flag_value(c, "force"));
	const char *args[8];
	size_t n = quai_sh_cmd_args_noflags(c, args);
	assert_int_equal(n, 4);
	assert_string_equal(args[0], "-y");
	assert_string_equal(args[1], "--force");
	assert_string_equal(args[2], "-");
	assert_string_equal(args[3], "file");

	c = cmd_at("tar -xzf - -C /", 0);
	assert_true(quai_sh_cmd_has_flag(c, "z"));
	assert_string_equal(quai_sh_cmd_flag_value(c, "f"), "-");
	assert_string_equal(quai_sh_cmd_flag_value(c, "C"), "/");
	n = quai_sh_cmd_args_noflags(c, args);
	assert_int_equal(n, 2);
	assert_string_equal(args[0], "-");
	assert_string_equal(args[1], "/");
}

static void test_cd_make_curl(void **state)
{
	(void)state;
	parse("cd /x && make");
	assert_int_equal(script.ncmds, 2);
	assert_true(quai_sh_cmd_is(&script.cmds[0], "cd"));
	assert_int_equal(script.cmds[0].sep, QUAI_SH_SEP_AND);
	assert_true(quai_sh_cmd_is(&script.cmds[1], "make"));
	assert_false(script.has_pipe);

	parse("curl -fsSL https://x/y.tgz | tar xz -C /opt");
	assert_true(script.has_pipe);
	assert_true(quai_sh_cmd_has_flag(&script.cmds[0], "f"));
	assert_true(quai_sh_cmd_has_flag(&script.cmds[0], "L"));
	assert_true(quai_sh_cmd_has_arg(&script.cmds[1], "xz"));

	const struct quai_sh_cmd *c = cmd_at("echo", 0);
	assert_false(quai_sh_cmd_has_flag(c, "n"));
	assert_false(quai_sh_cmd_has_flag(c, ""));
	assert_null(quai_sh_cmd_flag_value(c, ""));
	assert_int_equal(quai_sh_cmd_args_noflags(c, NULL), 0);
}

/* Robustness */

static void test_unterminated(void **state)
{
	(void)state;
	static const char *const inputs[] = {
	    "echo 'abc",
	    "echo \"abc",
	    "echo $(abc",
	    "echo `abc",
	    "echo ${abc",
	    "echo $((1",
	    "(((",
	    ")))",
	    "if then",
	    "case x in a",
	    "case",
	    "for",
	    "for x in",
	    "[[ a",
	    "f(",
	    "echo \\",
	    "cat <<",
	    "a &&",
	    "| b",
	    "echo \"$(\"",
	    "$'",
	    "$\"",
	    "<(",
	    "a=(",
	    "{",
	    "}",
	    "function",
	    "echo \"`",
	    "echo $(\"$(`",
	    ";;&",
	    "2>",
	    "&>",
	    "esac esac fi done",
	};
	quai_sh_script_release(&script);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		/* parse the exact bytes, without the terminating NUL, from the heap */
		size_t n = strlen(inputs[i]);
		char *copy = malloc(n ? n : 1);
		memcpy(copy, inputs[i], n);
		quai_sh_parse(&script, copy, n);
		quai_sh_script_release(&script);
		free(copy);
	}
	assert_render("echo 'abc", "echo abc");
	assert_render("echo $(ls", "echo $(ls\n^ls");
}

static void test_nul_bytes(void **state)
{
	(void)state;
	const char src[] = "echo a\0b && $(\0) '\0' \"\0\" \\\0 ${\0}";
	quai_sh_script_release(&script);
	quai_sh_parse(&script, src, sizeof(src) - 1);
	assert_true(script.ncmds >= 1);
	assert_string_equal(quai_sh_cmd_name(&script.cmds[0]), "echo");
	quai_sh_script_release(&script);
	quai_sh_parse(&script, NULL, 10);
	assert_int_equal(script.ncmds, 0);
}

static int max_depth(void)
{
	int maxdepth = 0;
	for (size_t i = 0; i < script.ncmds; i++)
		if (script.cmds[i].depth > maxdepth)
			maxdepth = script.cmds[i].depth;
	return maxdepth;
}

static void nest(struct quai_buf *b, const char *open, const char *close, size_t levels)
{
	quai_buf_truncate(b, 0);
	for (size_t i = 0; i < levels; i++)
		quai_buf_puts(b, open);
	for (size_t i = 0; i < levels; i++)
		quai_buf_puts(b, close);
}

static void test_deep_nesting(void **state)
{
	(void)state;
	struct quai_buf b = QUAI_BUF_INIT;
	/* nesting is followed 64 deep */
	nest(&b, "echo $(", ")", 100);
	parse(b.data);
	assert_int_equal(max_depth(), 64);
	assert_int_equal(script.ncmds, 65);

	/* deep nesting of large spans stops early rather than parsing each
	 * span again at every level */
	nest(&b, "echo $(", ")", 20000);
	parse(b.data);
	assert_true(max_depth() <= 64);
	assert_true(script.ncmds >= 1);

	nest(&b, "\"$(\"`${(", ")}`\")\"", 20000);
	parse(b.data);
	nest(&b, "case x in (a) if { ( [[ ", "", 20000);
	parse(b.data);
	nest(&b, "(", "a)b", 20000);
	parse(b.data);
	quai_buf_release(&b);
}

/* Random bytes over the shell's special characters: must not crash or hang
 * (run under ASan/UBSan). */
static void test_random(void **state)
{
	(void)state;
	static const char alphabet[] = " \t\n\\'\"$`(){}[];&|<>#=-!*a1\r\0";
	uint32_t seed = 12345;
	quai_sh_script_release(&script);
	char buf[64] = {0};
	for (int iter = 0; iter < 50000; iter++) {
		seed = seed * 1103515245u + 12345u;
		size_t n = (seed >> 16) % sizeof(buf);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		char *copy = malloc(n ? n : 1);
		memcpy(copy, buf, n);
		quai_sh_parse(&script, copy, n);
		for (size_t i = 0; i < script.ncmds; i++) {
			const struct quai_sh_cmd *c = &script.cmds[i];
			for (size_t j = 0; j < c->argc; j++)
				assert_true(c->argv[j].off < n);
			(void)quai_sh_cmd_name(c);
			(void)quai_sh_cmd_has_flag(c, "y");
			(void)quai_sh_cmd_flag_value(c, "a");
		}
		quai_sh_script_release(&script);
		free(copy);
	}
}

static void test_large(void **state)
{
	(void)state;
	struct quai_buf b = QUAI_BUF_INIT;
	while (b.len < (1u << 20))
		quai_buf_puts(
		    &b, "apt-get install -y \"pkg-$(uname -m)\" 'x y' && echo $HOME | tee -a log; \\\n");
	parse(b.data);
	assert_true(script.ncmds > 40000);
	assert_true(script.has_pipe);
	quai_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quotes),
	    cmocka_unit_test(test_offsets),
	    cmocka_unit_test(test_dquote_escapes),
	    cmocka_unit_test(test_expansions),
	    cmocka_unit_test(test_command_substitution),
	    cmocka_unit_test(test_operators),
	    cmocka_unit_test(test_pipes),
	    cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_redirections),
	    cmocka_unit_test(test_assignments),
	    cmocka_unit_test(test_if),
	    cmocka_unit_test(test_loops),
	    cmocka_unit_test(test_case),
	    cmocka_unit_test(test_groups_functions),
	    cmocka_unit_test(test_plain_commands),
	    cmocka_unit_test(test_continuation),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_apt_get),
	    cmocka_unit_test(test_pip),
	    cmocka_unit_test(test_flag_values),
	    cmocka_unit_test(test_pip_install),
	    cmocka_unit_test(test_apk_npm),
	    cmocka_unit_test(test_double_dash),
	    cmocka_unit_test(test_cd_make_curl),
	    cmocka_unit_test(test_unterminated),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_random),
	    cmocka_unit_test(test_large),
	};
	int failed = cmocka_run_group_tests_name("shell", tests, NULL, NULL);
	quai_sh_script_release(&script);
	return failed;
}
