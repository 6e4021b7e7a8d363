/**
 * What `npm start` does besides starting Keyway, as a list of steps. Each step may hook into three moments:
 *   prepare(ctx)  before the configuration is read: set defaults in ctx.env (e.g. an emulator's endpoint),
 *                 start child processes (register their shutdown with ctx.onShutdown);
 *   seed(ctx)     with the store open, before the server listens: create demo data (only the first time);
 *   started(ctx)  once the server listens at ctx.url: anything that needs Keyway running.
 * Lines added with ctx.banner(...) are printed together after start, under the sign-in instructions.
 * To add a step (AWS emulator, AWS apps, …), create src/demo/<name>.ts exporting a DemoStep (types in
 * ./types.ts) and add one line to `demoSteps` below.
 */
import type { DemoStep } from './types.js';
export type { DemoBaseContext, DemoSeedContext, DemoStartedContext, DemoStep } from './types.js';
import { seedOrganisation } from './seed.js';
import { awsPatternA } from './aws-pattern-a.js';
import { identityCenterPatternB } from './identity-center.js';

export const demoSteps: readonly DemoStep[] = [seedOrganisation, awsPatternA, identityCenterPatternB];
