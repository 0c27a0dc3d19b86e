#!/usr/bin/env node
'use strict';
// Launcher of the `xcomkit` command: runs the compiled CLI (dist/, what the published package ships;
// `npm run build` makes it in a clone, and `npm test` and `npm run quickstart` run that first).
const fs = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');
if (!fs.existsSync(compiled)) {
  process.stderr.write('xcomkit: the compiled CLI (dist/) is missing: run `npm run build` in this clone first\n');
  process.exit(1);
}
require(compiled).main();
