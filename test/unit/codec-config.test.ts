/**
 * Payload encryption settings (codec/encryption-codec.ts) and the codec server's (codec/server.ts): a
 * process with a key never writes plaintext; one told to encrypt without a key refuses to start, naming
 * the variable, before it connects anywhere; no message ever holds a key or a token.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import {
  ENCRYPTED_ENCODING,
  PayloadEncryptionConfigError,
  dataConverterFromEnv,
  payloadEncryptionFromEnv,
} from '../../codec/encryption-codec';
import { codecServerConfigFromEnv } from '../../codec/server';
import { ConfigError, loadWorkerConfig } from '../../worker/config';

const KEY = randomBytes(32).toString('base64');
const OLD = randomBytes(32).toString('base64');
const ROOT = path.resolve(__dirname, '../..');
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const json = (value: unknown): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(value)),
});

/** The problems a configuration is refused with ('' when it is accepted). */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    payloadEncryptionFromEnv(env);
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadEncryptionConfigError);
    return (err as Error).message;
  }
}

describe('PAYLOAD_ENCRYPTION: required or off', () => {
  it('is off with nothing set: the quick start (npm start, the CLI) needs no setup', () => {
    expect(payloadEncryptionFromEnv({})).toEqual({ mode: 'off' });
    expect(dataConverterFromEnv({})).toEqual({});
    expect(payloadEncryptionFromEnv({ PAYLOAD_ENCRYPTION: 'off' })).toEqual({ mode: 'off' });
  });

  it('is required once a key is set, and then every payload written is ciphertext', async () => {
    for (const env of [
      { PAYLOAD_ENCRYPTION_KEY: KEY },
      { PAYLOAD_ENCRYPTION: 'required', PAYLOAD_ENCRYPTION_KEY: KEY },
    ]) {
      const { mode, codec } = payloadEncryptionFromEnv(env);
      expect(mode).toBe('required');
      const { payloadCodecs } = dataConverterFromEnv(env);
      expect(payloadCodecs).toHaveLength(1);
      // Whatever comes in (JSON, binary, empty, something already looking encrypted), encode encrypts it.
      const inputs: Payload[] = [
        json({ dynamicId: '130818341921441147' }),
        { metadata: { encoding: new TextEncoder().encode('binary/plain') }, data: new Uint8Array([1, 2, 3]) },
        { metadata: {}, data: new Uint8Array() },
        { metadata: { encoding: new TextEncoder().encode(ENCRYPTED_ENCODING) }, data: new Uint8Array([9]) },
      ];
      const out = await codec!.encode(inputs);
      expect(out.map((p) => text(p.metadata?.encoding))).toEqual(inputs.map(() => ENCRYPTED_ENCODING));
      expect(out.map((p) => text(p.data))).not.toContain('130818341921441147');
      expect(await codec!.decode(out)).toEqual(inputs);
    }
  });

  it('reads plaintext written before encryption was on (old histories, a UI without codec), writes none', async () => {
    const { codec } = payloadEncryptionFromEnv({ PAYLOAD_ENCRYPTION_KEY: KEY });
    const old = json({ operator: 'ops', reason: 'returned' });
    expect(await codec!.decode([old])).toEqual([old]);
    const [rewritten] = await codec!.encode(await codec!.decode([old]));
    expect(text(rewritten!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
  });

  it.each([
    [{ PAYLOAD_ENCRYPTION: 'required' }, 'PAYLOAD_ENCRYPTION=required but PAYLOAD_ENCRYPTION_KEY is not set'],
    [{ PAYLOAD_ENCRYPTION: 'required', PAYLOAD_ENCRYPTION_KEY: '' }, 'PAYLOAD_ENCRYPTION_KEY is not set'],
    [{ PAYLOAD_ENCRYPTION: 'on' }, 'PAYLOAD_ENCRYPTION must be "required" or "off"'],
    [{ PAYLOAD_ENCRYPTION: 'off', PAYLOAD_ENCRYPTION_KEY: KEY }, 'PAYLOAD_ENCRYPTION=off but PAYLOAD_ENCRYPTION_KEY'],
    [
      { PAYLOAD_ENCRYPTION_OLD_KEYS: `k0:${OLD}` },
      'PAYLOAD_ENCRYPTION_OLD_KEYS is set but PAYLOAD_ENCRYPTION_KEY is not',
    ],
    [{ PAYLOAD_ENCRYPTION_KEY: KEY.slice(0, 20) }, 'PAYLOAD_ENCRYPTION_KEY must be the base64 of 32 random bytes'],
    [{ PAYLOAD_ENCRYPTION_KEY: 'not base64 at all!' }, 'PAYLOAD_ENCRYPTION_KEY must be the base64 of 32 random bytes'],
    [{ PAYLOAD_ENCRYPTION_KEY: KEY, PAYLOAD_ENCRYPTION_KEY_ID: 'k:1' }, 'PAYLOAD_ENCRYPTION_KEY_ID must be'],
    [{ PAYLOAD_ENCRYPTION_KEY: KEY, PAYLOAD_ENCRYPTION_OLD_KEYS: OLD }, 'PAYLOAD_ENCRYPTION_OLD_KEYS entry 1 must be'],
    [
      { PAYLOAD_ENCRYPTION_KEY: KEY, PAYLOAD_ENCRYPTION_OLD_KEYS: `k0:${OLD},k2:${OLD.slice(4)}` },
      'PAYLOAD_ENCRYPTION_OLD_KEYS entry 2 must be the base64 of 32 random bytes',
    ],
    [{ PAYLOAD_ENCRYPTION_KEY: KEY, PAYLOAD_ENCRYPTION_OLD_KEYS: `k1:${OLD}` }, 'reuses the current key id "k1"'],
  ] as [NodeJS.ProcessEnv, string][])('refuses %j, naming the variable: %s', (env, expected) => {
    const message = refusal(env);
    expect(message).toContain(expected);
    for (const secret of [KEY, OLD, KEY.slice(0, 20), OLD.slice(4)]) expect(message).not.toContain(secret);
  });

  it('takes old keys for decoding only: they decrypt, the current key encrypts', async () => {
    const before = payloadEncryptionFromEnv({ PAYLOAD_ENCRYPTION_KEY: OLD, PAYLOAD_ENCRYPTION_KEY_ID: 'k0' }).codec!;
    const after = payloadEncryptionFromEnv({
      PAYLOAD_ENCRYPTION_KEY: KEY,
      PAYLOAD_ENCRYPTION_KEY_ID: 'k1',
      PAYLOAD_ENCRYPTION_OLD_KEYS: ` k0:${OLD} `,
    }).codec!;
    const [sealed] = await before.encode([json({ a: 1 })]);
    expect(await after.decode([sealed!])).toEqual([json({ a: 1 })]);
    const [fresh] = await after.encode([json({ a: 1 })]);
    expect(text(fresh!.metadata?.['encryption-key-id'])).toBe('k1');
  });

  it('is checked with the worker configuration, so the worker refuses before it connects', () => {
    const worker = {
      SQB_API_DOMAIN: 'http://127.0.0.1:8765',
      SQB_TERMINAL_SN: '100000000000000001',
      SQB_TERMINAL_KEY: '0123456789abcdef0123456789abcdef',
    };
    expect(() => loadWorkerConfig(worker)).not.toThrow();
    expect(() => loadWorkerConfig({ ...worker, PAYLOAD_ENCRYPTION_KEY: KEY })).not.toThrow();
    expect(() => loadWorkerConfig({ ...worker, PAYLOAD_ENCRYPTION: 'required' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ ...worker, PAYLOAD_ENCRYPTION: 'required' })).toThrow(
      /PAYLOAD_ENCRYPTION=required but PAYLOAD_ENCRYPTION_KEY is not set/,
    );
  });
});

describe('the processes, started without the key they were told to use', () => {
  /** Runs an entry point with only these variables (and PATH); Temporal is unreachable on purpose. */
  const run = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', script, ...args],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: '127.0.0.1:1', ...env },
          timeout: 30_000,
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: `${stdout}${stderr}` }),
      );
    });

  type Run = Awaited<ReturnType<typeof run>>;
  let worker: Run, client: Run, codecServer: Run;
  // The three start at once (each loads its modules for a few seconds).
  beforeAll(async () => {
    [worker, client, codecServer] = await Promise.all([
      run('worker/main.ts', [], {
        SQB_API_DOMAIN: 'http://127.0.0.1:8765',
        SQB_TERMINAL_SN: '100000000000000001',
        SQB_TERMINAL_KEY: '0123456789abcdef0123456789abcdef',
        WORKER_LOG_FORMAT: 'text',
        PAYLOAD_ENCRYPTION: 'required',
      }),
      run('client/main.ts', ['status', '--terminal-sn', '1', '--client-sn', 'x'], { PAYLOAD_ENCRYPTION: 'required' }),
      run('codec/server.ts', [], { PAYLOAD_ENCRYPTION_KEY: KEY, CODEC_SERVER_PORT: '0' }),
    ]);
  }, 60_000);

  it('the worker exits 2 naming PAYLOAD_ENCRYPTION_KEY, before connecting to Temporal', () => {
    expect(worker.output).toContain('PAYLOAD_ENCRYPTION=required but PAYLOAD_ENCRYPTION_KEY is not set');
    expect(worker.output).not.toMatch(/connect|ECONNREFUSED|transport/i);
    expect(worker.code).toBe(2);
  });

  it('the CLI client fails naming PAYLOAD_ENCRYPTION_KEY, before connecting to Temporal', () => {
    expect(client.output).toContain('PAYLOAD_ENCRYPTION=required but PAYLOAD_ENCRYPTION_KEY is not set');
    expect(client.output).not.toMatch(/ECONNREFUSED|transport/i);
    expect(client.code).not.toBe(0);
  });

  it('the codec server exits 2 naming CODEC_SERVER_TOKEN, without printing the key', () => {
    expect(codecServer.output).toContain('CODEC_SERVER_TOKEN is not set');
    expect(codecServer.output).not.toContain(KEY);
    expect(codecServer.code).toBe(2);
  });
});

describe('codec server settings', () => {
  const TOKEN = randomBytes(32).toString('hex');

  it('defaults: port 8888, the UI at localhost:8233 or 127.0.0.1:8233, hosts of the bound port', () => {
    expect(codecServerConfigFromEnv({ CODEC_SERVER_TOKEN: TOKEN })).toEqual({
      token: TOKEN,
      port: 8888,
      allowedOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233'],
    });
    expect(codecServerConfigFromEnv({ CODEC_SERVER_TOKEN: TOKEN, TEMPORAL_UI_URL: 'http://localhost:9233/' })).toEqual(
      expect.objectContaining({ allowedOrigins: ['http://localhost:9233'] }),
    );
  });

  it('takes several origins and hosts', () => {
    expect(
      codecServerConfigFromEnv({
        CODEC_SERVER_TOKEN: TOKEN,
        CODEC_SERVER_ALLOWED_ORIGINS: 'http://localhost:8233, https://cloud.temporal.io',
        CODEC_SERVER_ALLOWED_HOSTS: 'codec.internal:443,127.0.0.1:8888',
      }),
    ).toEqual({
      token: TOKEN,
      port: 8888,
      allowedOrigins: ['http://localhost:8233', 'https://cloud.temporal.io'],
      allowedHosts: ['codec.internal:443', '127.0.0.1:8888'],
    });
  });

  it.each([
    [{}, 'CODEC_SERVER_TOKEN is not set'],
    [{ CODEC_SERVER_TOKEN: 'tooshort' }, 'CODEC_SERVER_TOKEN must be at least 32'],
    [{ CODEC_SERVER_TOKEN: `${'x'.repeat(40)}/` }, 'CODEC_SERVER_TOKEN must be at least 32'],
    [{ CODEC_SERVER_TOKEN: TOKEN, CODEC_SERVER_PORT: 'http' }, 'CODEC_SERVER_PORT must be'],
    [{ CODEC_SERVER_TOKEN: TOKEN, CODEC_SERVER_ALLOWED_ORIGINS: 'localhost:8233' }, 'CODEC_SERVER_ALLOWED_ORIGINS'],
    [{ CODEC_SERVER_TOKEN: TOKEN, CODEC_SERVER_ALLOWED_HOSTS: 'localhost' }, 'CODEC_SERVER_ALLOWED_HOSTS must be'],
  ] as [NodeJS.ProcessEnv, string][])('refuses %j: %s', (env, expected) => {
    let message = '';
    try {
      codecServerConfigFromEnv(env);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(expected);
    if (env.CODEC_SERVER_TOKEN) expect(message).not.toContain(env.CODEC_SERVER_TOKEN);
  });
});
