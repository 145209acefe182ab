/* The script a job runs, built as gitlab-runner builds it. */
#include <string.h>

#include "core/buf.h"
#include "executor/executor.h"
#include "core/banned.h"

static void put_commands(struct quai_buf *b, const char *const *cmds)
{
	for (size_t i = 0; cmds && cmds[i]; i++) {
		quai_buf_puts(b, "printf '\\033[32;1m$ %s\\033[0;m\\n' ");
		quai_buf_put_sh_quoted(b, cmds[i]);
		quai_buf_putc(b, '\n');
		quai_buf_puts(b, cmds[i]);
		quai_buf_putc(b, '\n');
	}
}

char *quai_executor_script(const char *const *before, const char *const *script, const char *const *after)
{
	struct quai_buf b = QUAI_BUF_INIT;
	quai_buf_puts(&b, "(\nset -e\nif [ -n \"${BASH_VERSION:-}\" ]; then set -o pipefail; fi\n");
	put_commands(&b, before);
	put_commands(&b, script);
	quai_buf_puts(&b, ")\n__quai_rc=$?\n");
	if (after && after[0]) {
		quai_buf_puts(
		    &b,
		    "if [ \"$__quai_rc\" -eq 0 ]; then CI_JOB_STATUS=success; else CI_JOB_STATUS=failed; fi\n"
		    "export CI_JOB_STATUS\n"
		    "printf 'section_start:%s:after_script\\r\\033[0KRunning after_script\\n' \"$(date "
		    "+%s)\"\n"
		    "(\nset -e\n");
		put_commands(&b, after);
		quai_buf_puts(&b, ") || true\n"
		                  "printf 'section_end:%s:after_script\\r\\033[0K\\n' \"$(date +%s)\"\n");
	}
	quai_buf_puts(&b, "exit \"$__quai_rc\"\n");
	return quai_buf_detach(&b);
}
