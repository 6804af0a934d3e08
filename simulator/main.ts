/**
 * `npm run simulator`: SIMULATOR_PORT (default 8765, 0 = any free), SIMULATOR_HOST (default 127.0.0.1),
 * SQB_TERMINAL_SN + SQB_TERMINAL_KEY and/or SQB_TERMINALS_FILE; else the built-in demo terminal.
 */
import { startSimulator } from './server';
import { loadTerminals } from './terminals';

const DEFAULT_PORT = 8765;

async function main(): Promise<void> {
  const port = parsePort(process.env.SIMULATOR_PORT);
  const host = process.env.SIMULATOR_HOST || '127.0.0.1';
  const { terminals, usedDemo } = loadTerminals();
  if (usedDemo) {
    const demo = terminals[0];
    // The demo key is public (README); real keys are never printed.
    console.error(
      `!!! DEMO TERMINAL: no SQB_TERMINAL_SN/SQB_TERMINALS_FILE set, using terminal_sn ${demo?.terminalSn}`,
    );
    console.error('!!! demo terminal_key is documented in simulator/README.md; do not use it anywhere real');
  }
  const sim = await startSimulator({ port, host, terminals });
  console.log(`upay simulator listening on ${sim.url}`);
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`SIMULATOR_PORT must be 0–65535, got ${value}`);
  return port;
}

main().catch((err: unknown) => {
  console.error(`upay simulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
