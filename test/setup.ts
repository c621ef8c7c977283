/**
 * Component tests wait for the UI with findBy/waitFor. Their default limit
 * (1 s) is too tight for a loaded CI machine running two test files per core;
 * a real failure still fails, only later.
 */
if ('document' in globalThis) {
  const { configure } = await import('@testing-library/react');
  configure({ asyncUtilTimeout: 10_000 });
}
export {};
