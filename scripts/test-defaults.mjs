// Loaded with --import by scripts/run-tests.mjs: every test file that imports node:test gets
// scripts/node-test-defaults.mjs instead, which gives each test and hook a default timeout. Node 20's
// --test-timeout bounds a whole file, not a test, so a hung test would otherwise only surface as a hung file.
import { register } from 'node:module';

register('./node-test-hooks.mjs', import.meta.url);
