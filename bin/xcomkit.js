#!/usr/bin/env node
'use strict';
// Launcher of the `xcomkit` command: registers tsx's CommonJS loader, then runs the TypeScript CLI.
require('tsx/cjs/api').register();
require('../lib/cli/main.ts').main();
