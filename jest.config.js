/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

const TEST_TIMEOUT_MS = 60_000;

/** What every project shares. */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  testTimeout: TEST_TIMEOUT_MS,
  clearMocks: true,
};

/**
 * Four projects, one run: `npm test` runs them all in one worker pool (every test file exactly once);
 * `npm run test:unit` (`jest --selectProjects unit`), `npm run test:workflow`, or `jest <paths>` runs
 * part of it. A project's globalSetup runs only when at least one of its tests is selected, so only a
 * run that includes the `server` project starts the Temporal dev server.
 */
module.exports = {
  testTimeout: TEST_TIMEOUT_MS,
  projects: [
    {
      ...common,
      // No Temporal server and no worker: pure functions, the gateway client, the key store, activities
      // (MockActivityEnvironment). Seconds.
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
    },
    {
      ...common,
      // The saga on Temporal's time-skipping test server with typed fake activities. Each file starts
      // its own server (time is global to it) and worker; the global setup only bundles workflows/
      // once for all of them. Seconds.
      displayName: 'workflow',
      roots: ['<rootDir>/test/workflow'],
      setupFiles: ['<rootDir>/test/workflow/setup-runtime.ts'],
      globalSetup: '<rootDir>/test/workflow/global-setup.ts',
      globalTeardown: '<rootDir>/test/workflow/global-teardown.ts',
    },
    {
      ...common,
      // The gateway simulator over HTTP: no Temporal at all.
      displayName: 'simulator',
      roots: ['<rootDir>/test/simulator'],
    },
    {
      ...common,
      // Quiet Temporal runtime for the workers these files run (loading @temporalio/worker costs ~0.4 s
      // a file, so the projects above go without it).
      setupFiles: ['<rootDir>/test/setup-runtime.ts'],
      // Everything that talks to a real Temporal dev server (integration, replay, static, browser,
      // fuzz): one dev server for the run (test/global-setup.ts).
      displayName: 'server',
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/unit/',
        '<rootDir>/test/workflow/',
        '<rootDir>/test/simulator/',
      ],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
