#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "lint/lint.h"

const char cmd_lint_usage[] = "usage: quai lint [OPTIONS] [PATH...]\n"
			      "\n"
			      "Checks Dockerfiles. PATH is a file, a directory (searched for Dockerfiles) or -\n"
			      "for standard input; the default is the current directory.\n";

int cmd_lint(int argc, char **argv)
{
	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_findings findings = { 0 };
	int status = QUAI_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		cleanup_free char *src = NULL;
		size_t len = 0;
		cleanup_error struct quai_error *err = NULL;
		if (quai_file_read(&src, &len, argv[i], 64u << 20, &err) < 0) {
			quai_cli_error("%s", err->msg);
			status = QUAI_EXIT_USAGE;
			continue;
		}
		struct quai_dockerfile df;
		quai_dockerfile_parse(&df, argv[i], src, len);
		quai_lint_dockerfile(&findings, &df, &cfg);
		quai_dockerfile_release(&df);
	}
	quai_findings_sort(&findings);
	quai_lint_write(stdout, QUAI_FORMAT_GNU, &findings, false, NULL, 0);
	if (status == QUAI_EXIT_OK && quai_lint_failed(&findings, &cfg))
		status = QUAI_EXIT_FINDINGS;
	quai_findings_release(&findings);
	quai_lint_config_release(&cfg);
	return status;
}
