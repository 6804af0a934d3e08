/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

/**
 * `npm run test:cluster`: the suites that matter, against a real Temporal cluster on PostgreSQL
 * (issue #17). The global setup uses the cluster at CLUSTER_ADDRESS, or brings up its own (split
 * services, temp data dir) and takes it down at the end. CLUSTER_SUITES picks a subset by name
 * (comma-separated; default all):
 *
 *   e2e      the saga's end-to-end paths: the existing integration files, run unchanged on the cluster
 *   workers  two worker processes on one task queue share a batch of payments
 *   fuzz     randomized fault schedules (test/fuzz/run-schedule.ts)
 *   drills   kill -9 of a worker, of the history service (or the single server), a PostgreSQL restart
 *
 * e.g. `CLUSTER_SUITES=e2e,drills npm run test:cluster`.
 */
const SUITES = {
  e2e: [
    // pay → PAID, unknown pay → confirm by query
    'test/integration/saga-pay.test.ts',
    // unknown → confirm → cancel → CANCELED; NEEDS_ATTENTION → resolve
    'test/integration/saga-compensate.test.ts',
    // revoke by signal and by update
    'test/integration/saga-revoke.test.ts',
    // the refund workflow
    'test/integration/refund.test.ts',
  ],
  // The cluster's own files end in .cluster.ts, so jest.config.js (npm test) never picks them up.
  workers: ['test/cluster/two-workers.cluster.ts'],
  fuzz: ['test/cluster/fuzz.cluster.ts'],
  drills: ['test/cluster/crash-drills.cluster.ts'],
};

function chosenSuites() {
  const asked = (process.env.CLUSTER_SUITES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = asked.filter((s) => !(s in SUITES));
  if (unknown.length > 0) {
    throw new Error(
      `CLUSTER_SUITES names ${unknown.join(', ')}: the suites are ${Object.keys(SUITES).join(', ')} (comma-separated)`,
    );
  }
  return asked.length > 0 ? Object.keys(SUITES).filter((s) => asked.includes(s)) : Object.keys(SUITES);
}

const files = chosenSuites().flatMap((suite) => SUITES[suite]);

module.exports = {
  rootDir: __dirname,
  displayName: 'cluster',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  clearMocks: true,
  testTimeout: 120_000,
  roots: ['<rootDir>/test'],
  testMatch: files.map((f) => `<rootDir>/${f}`),
  // One file at a time: a drill kills services under every test running beside it.
  maxWorkers: 1,
  setupFiles: ['<rootDir>/test/setup-runtime.ts'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
};
