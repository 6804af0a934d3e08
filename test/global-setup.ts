import { startLocalTemporal } from '../scripts/toolchain/dev-server';

/**
 * One real Temporal dev server for the whole jest run; test files connect through
 * TEMPORAL_TEST_ADDRESS (see test/helpers/temporal.ts). Started once so the server's start-up cost
 * is paid once.
 */
export default async function globalSetup(): Promise<void> {
  const env = await startLocalTemporal();
  (globalThis as { __temporalEnv?: unknown }).__temporalEnv = env;
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
}
