#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// V8 settings measured with `npm run bench` (they apply to the walker threads too):
// - A walk makes only short-lived garbage: a small young generation keeps peak memory flat on
//   large trees without slowing the walk.
// - A run lasts well under a second, and each walker thread compiles the walk anew. With less
//   inlining the optimizing compiler has less to do (and to redo on incomplete type feedback):
//   5-10% less wall time on a 190,000-entry tree, the same on larger ones.
setFlagsFromString('--max-semi-space-size=4');
setFlagsFromString('--max-inlined-bytecode-size=60');

const { runCli } = await import('../dist/cli.js');
process.exitCode = await runCli(process.argv.slice(2));
