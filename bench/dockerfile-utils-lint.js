#!/usr/bin/env node
// Validates every Dockerfile named on the command line in one process with
// dockerfile-utils (the validator behind VS Code's Docker extension), so that
// bench/lint.sh can time it on the whole corpus the way it times the others.
// Prints one "file:line:col: severity: message" line per diagnostic; exits 1
// if there was any diagnostic, 2 if a file could not be read.
"use strict";
const fs = require("fs");
const path = require("path");
const utils = require(path.join(__dirname, "node_modules", "dockerfile-utils"));

const severities = { 1: "error", 2: "warning", 3: "info", 4: "hint" };
let found = 0;
let status = 0;
const out = [];
for (const file of process.argv.slice(2)) {
  let content;
  try {
    content = fs.readFileSync(file, "utf8");
  } catch (e) {
    console.error(`dockerfile-utils-lint: cannot read '${file}': ${e.message}`);
    status = 2;
    continue;
  }
  for (const d of utils.validate(content)) {
    const s = d.range.start;
    out.push(`${file}:${s.line + 1}:${s.character + 1}: ${severities[d.severity] || d.severity}: ${d.message}`);
    found++;
  }
}
if (out.length) process.stdout.write(out.join("\n") + "\n");
if (status === 0 && found > 0) status = 1;
process.exit(status);
