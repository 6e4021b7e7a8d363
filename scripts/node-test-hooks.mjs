// Module resolution hook (node:module register): `node:test` resolves to the wrapper with default timeouts,
// except inside the wrapper itself, which needs the real module.
const wrapper = new URL('./node-test-defaults.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'node:test' && context.parentURL !== wrapper) return { url: wrapper, shortCircuit: true };
  return nextResolve(specifier, context);
}
