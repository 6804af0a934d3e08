import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { RunningSimulator } from '../../simulator';
import { DEMO_VENDOR, loadVendors } from '../../simulator';
import { call, newClientSn, payFields } from './helpers';
import {
  activate,
  activateFields,
  activateRaw,
  checkin,
  control,
  credentialsOf,
  ILLEGAL_SIGN,
} from './terminal-helpers';

const ROOT = join(__dirname, '..', '..');
const VENDOR = { vendorSn: '91800000000000077', vendorKey: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' };

interface Child {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
}

/** `npm run simulator` as a real process (tsx simulator/main.ts) on a free port. */
async function startMain(env: Record<string, string>): Promise<Child> {
  const proc = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['simulator/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SIMULATOR_PORT: '0',
      SQB_TERMINAL_SN: '',
      SQB_TERMINAL_KEY: '',
      SQB_TERMINALS_FILE: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    proc.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${stderr}`)));
  });
  return { proc, url, stderr: () => stderr };
}

async function stop(child: Child): Promise<void> {
  if (child.proc.exitCode !== null) return;
  const exited = once(child.proc, 'exit');
  child.proc.kill('SIGTERM');
  await exited;
}

/** Enough of RunningSimulator for the HTTP helpers (they only read `url`). */
function remote(url: string): RunningSimulator {
  return { url } as RunningSimulator;
}

describe('npm run simulator: vendor and key expiry from the environment', () => {
  it('takes SQB_VENDOR_SN/SQB_VENDOR_KEY and SIMULATOR_KEY_EXPIRY=1, and never prints the vendor key', async () => {
    const child = await startMain({
      SQB_VENDOR_SN: VENDOR.vendorSn,
      SQB_VENDOR_KEY: VENDOR.vendorKey,
      SIMULATOR_KEY_EXPIRY: '1',
    });
    try {
      const sim = remote(child.url);
      // The demo vendor is not configured when a vendor is.
      expect(JSON.parse((await activateRaw(sim, activateFields())).text)).toEqual(ILLEGAL_SIGN);
      const terminal = credentialsOf(await activate(sim, activateFields(), VENDOR));
      // Expiry is on: two Shanghai days later the key no longer signs.
      await control(sim, 'POST', '/_sim/clock', { offset_ms: 3 * 24 * 3600_000 });
      expect(await call(sim, 'pay', payFields(newClientSn()), terminal)).toEqual(ILLEGAL_SIGN);
      // ...but still checks in (signed with the last valid key), and the new key signs again.
      const fresh = credentialsOf(await checkin(sim, terminal));
      expect((await call(sim, 'pay', payFields(newClientSn()), fresh)).biz_response?.result_code).toBe('PAY_SUCCESS');
      expect(child.stderr()).not.toContain(VENDOR.vendorKey);
      expect(child.stderr()).not.toContain('DEMO VENDOR');
    } finally {
      await stop(child);
    }
  });

  it('uses the demo vendor and no expiry by default, and says so on stderr', async () => {
    const child = await startMain({ SQB_VENDOR_SN: '', SQB_VENDOR_KEY: '', SIMULATOR_KEY_EXPIRY: '' });
    try {
      const sim = remote(child.url);
      const terminal = credentialsOf(await activate(sim));
      await control(sim, 'POST', '/_sim/clock', { offset_ms: 3 * 24 * 3600_000 });
      expect((await call(sim, 'pay', payFields(newClientSn()), terminal)).biz_response?.result_code).toBe(
        'PAY_SUCCESS',
      );
      expect(child.stderr()).toContain(`DEMO VENDOR`);
      expect(child.stderr()).toContain(DEMO_VENDOR.vendorSn);
      expect(child.stderr()).not.toContain(DEMO_VENDOR.vendorKey);
    } finally {
      await stop(child);
    }
  });

  it('refuses to start on SIMULATOR_KEY_EXPIRY=yes (only 0 or 1)', async () => {
    await expect(startMain({ SIMULATOR_KEY_EXPIRY: 'yes' })).rejects.toThrow(/SIMULATOR_KEY_EXPIRY must be 0 or 1/);
  });

  it('takes SIMULATOR_CLIENT_SN_SCOPE=merchant, and refuses any other scope', async () => {
    const child = await startMain({ SIMULATOR_CLIENT_SN_SCOPE: 'merchant' });
    try {
      const merchants = JSON.parse((await control(remote(child.url), 'GET', '/_sim/merchants')).text) as unknown;
      expect(merchants).toMatchObject({ client_sn_scope: 'merchant' });
    } finally {
      await stop(child);
    }
    await expect(startMain({ SIMULATOR_CLIENT_SN_SCOPE: 'store' })).rejects.toThrow(
      /SIMULATOR_CLIENT_SN_SCOPE must be terminal or merchant/,
    );
  });
});

describe('loadVendors', () => {
  it('needs both SQB_VENDOR_SN and SQB_VENDOR_KEY, or neither', () => {
    expect(loadVendors({})).toEqual({ vendors: [DEMO_VENDOR], usedDemo: true });
    expect(loadVendors({ SQB_VENDOR_SN: VENDOR.vendorSn, SQB_VENDOR_KEY: VENDOR.vendorKey })).toEqual({
      vendors: [VENDOR],
      usedDemo: false,
    });
    expect(() => loadVendors({ SQB_VENDOR_SN: VENDOR.vendorSn })).toThrow('set both SQB_VENDOR_SN and SQB_VENDOR_KEY');
  });
});
