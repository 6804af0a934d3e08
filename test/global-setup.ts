import { startLocalTemporal } from '../scripts/toolchain/dev-server';

/**
 * One real Temporal dev server for the `server` project of the jest run (jest.config.js); its test
 * files connect through TEMPORAL_TEST_ADDRESS (test/helpers/saga-stack.ts `startSagaStack`, or their
 * own connection). Started once so the server's start-up cost is paid once.
 */
export default async function globalSetup(): Promise<void> {
  const env = await startLocalTemporal();
  (globalThis as { __temporalEnv?: unknown }).__temporalEnv = env;
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
}
