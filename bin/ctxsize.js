#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json says so), like the bundles it loads (scripts/bundle.js): a command
// starts without Node's ES module loader, which costs several milliseconds to set up.
const { setFlagsFromString } = require('node:v8');

const args = process.argv.slice(2);
// Node compiles its own modules from a code cache that V8 accepts only while its flags are the
// ones Node was built with: once the flags below are set, every built-in module loaded later is
// compiled from source. Load the ones every command needs first (and git's child processes for
// the commands that read git): about 4 ms less start-up.
require('node:os');
require('node:worker_threads');
require('node:module');
void require('node:util').parseArgs;
void process.stdout;
if (args[0] === 'check' || args[0] === 'suggest' || args[0] === 'clean' || args[0] === 'cache') require('node:child_process');

// A run lasts well under a second, and each walker thread compiles the walk anew. With less
// inlining V8's optimizing compiler has less to do (and to redo on incomplete type feedback):
// 3% less wall time on a 190,000-entry tree (docs/performance.md). Only a
// compiler setting can change once V8 runs; heap sizes cannot (the walker threads get theirs
// when they start).
setFlagsFromString('--max-inlined-bytecode-size=60');
// Each thread collects its young generation itself. V8 would otherwise wake helper threads for
// every collection, which on two cores take turns with the two walking threads.
setFlagsFromString('--no-parallel-scavenge');

// check holds a record of the whole directory: V8's memory-saving mode keeps its heap (mostly the
// young generation, which otherwise grows to 32 MB beside the record) about 30 MB smaller at the
// same speed on a 190,000-entry tree (docs/performance.md). Set here, before any thread starts:
// V8 must not see a flag change while another thread compiles.
if (args[0] === 'check') setFlagsFromString('--optimize-for-size');
// A measurement walks on a worker thread too, which takes longer to start than loading the rest
// of ctxsize: start it first.
let cli;
try {
  require('../dist/bundle/walkers.cjs').prestartWalkersFor(args);
  cli = require('../dist/bundle/ctxsize.cjs');
} catch (error) {
  // A checkout compiled with tsc alone has no bundles: say what to run, not a stack. (A missing
  // dependency names itself on the first line instead, and keeps Node's own message.)
  if (error && error.code === 'MODULE_NOT_FOUND' && /^Cannot find module '\.\.\/dist\/bundle\//.test(String(error.message))) {
    process.stderr.write(`ctxsize: ${require('node:path').join(__dirname, '..', 'dist', 'bundle')} is missing: run npm run build\n`);
    process.exit(3);
  }
  throw error;
}
cli.runCli(args).then((code) => {
  process.exitCode = code;
});
