/**
 * `npm run simulator`: SIMULATOR_PORT (default 8765, 0 = any free), SIMULATOR_HOST (default 127.0.0.1),
 * SQB_TERMINAL_SN + SQB_TERMINAL_KEY and/or SQB_TERMINALS_FILE; else the built-in demo terminal.
 * SQB_VENDOR_SN + SQB_VENDOR_KEY sign /terminal/activate (else the demo vendor); SIMULATOR_KEY_EXPIRY=1 rejects
 * keys older than one natural day; SIMULATOR_CLIENT_SN_SCOPE=merchant makes every client_sn unique per merchant.
 */
import type { ClientSnScope } from './merchants';
import { startSimulator } from './server';
import { loadTerminals } from './terminals';
import { loadVendors } from './vendors';

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
  const { vendors, usedDemo: usedDemoVendor } = loadVendors();
  if (usedDemoVendor) {
    // Public demo values (simulator/README.md), like the demo terminal; a configured vendor key is never printed.
    console.error(`!!! DEMO VENDOR: no SQB_VENDOR_SN set, /terminal/activate takes vendor_sn ${vendors[0]?.vendorSn}`);
  }
  const keyExpiry = parseFlag('SIMULATOR_KEY_EXPIRY', process.env.SIMULATOR_KEY_EXPIRY);
  const clientSnScope = parseScope(process.env.SIMULATOR_CLIENT_SN_SCOPE);
  const sim = await startSimulator({ port, host, terminals, vendors, keyExpiry, clientSnScope });
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

/** Unset, '' or '0' = off; '1' = on; anything else is a mistake worth stopping for. */
function parseFlag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new Error(`${name} must be 0 or 1, got ${value}`);
}

/** Unset or '' = terminal (the default); anything but terminal/merchant is a mistake worth stopping for. */
function parseScope(value: string | undefined): ClientSnScope {
  if (value === undefined || value === '' || value === 'terminal') return 'terminal';
  if (value === 'merchant') return 'merchant';
  throw new Error(`SIMULATOR_CLIENT_SN_SCOPE must be terminal or merchant, got ${value}`);
}

main().catch((err: unknown) => {
  console.error(`upay simulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
