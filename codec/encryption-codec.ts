import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_HEADER = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());

/**
 * A payload that could not be decrypted. Its message names the key id at most: never key material and
 * never any part of the payload (it may end up in a workflow task failure, a log or an HTTP answer).
 */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/** A payload as bytes: its metadata and data, base64 inside JSON, so nothing depends on protobuf. */
function serialize(p: Payload): Buffer {
  const metadata = Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  );
  return Buffer.from(JSON.stringify({ metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') }));
}

function deserialize(bytes: Buffer): Payload {
  const { metadata, data } = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string };
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(data, 'base64')),
  };
}

/**
 * AES-256-GCM over every payload (workflow input, activity arguments and results, signals, updates,
 * queries, failures' details), so the Temporal server and its database only ever hold ciphertext.
 *
 * - `encode` always encrypts, with the current key: a process that has a key never writes a plaintext
 *   payload.
 * - `decode` decrypts with the key named by the payload's key id, so histories written with an older key
 *   still decode after a rotation. A payload that is not encrypted is passed through: histories written
 *   before encryption was switched on, and signals sent from a Web UI without a codec endpoint, must stay
 *   readable (refusing them would fail the payment's workflow tasks until someone intervenes). Reading one
 *   writes nothing: whatever the worker writes next is encrypted again.
 * - Errors name key ids at most: never key material and never payload content.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    if (!keys.has(currentKeyId)) throw new Error(`encryption key id ${currentKeyId} has no key`);
    for (const [id, key] of keys)
      if (key.length !== KEY_BYTES) throw new Error(`encryption key ${id} must be 32 bytes`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return Promise.resolve(
      payloads.map((p) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        const sealed = Buffer.concat([iv, cipher.update(serialize(p)), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: { encoding: enc(ENCRYPTED_ENCODING), [KEY_ID_HEADER]: enc(this.currentKeyId) },
          data: new Uint8Array(sealed),
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((p) => this.decodeOne(p)));
  }

  private decodeOne(p: Payload): Payload {
    if (dec(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
    const keyId = dec(p.metadata?.[KEY_ID_HEADER]);
    const key = this.keys.get(keyId);
    if (!key) throw new PayloadDecryptionError(`no payload decryption key with id "${keyId}"`);
    const sealed = Buffer.from(p.data ?? new Uint8Array());
    try {
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return deserialize(plain);
    } catch {
      // The cause is not passed on: a parse error would quote decrypted bytes.
      throw new PayloadDecryptionError(
        `payload encrypted with key id "${keyId}" does not decrypt: damaged, or another key under that id`,
      );
    }
  }
}

/** Every variable the payload encryption reads (worker, client, demo, reconcile, codec server). */
export const PAYLOAD_ENCRYPTION_VARIABLES = [
  'PAYLOAD_ENCRYPTION',
  'PAYLOAD_ENCRYPTION_KEY',
  'PAYLOAD_ENCRYPTION_KEY_ID',
  'PAYLOAD_ENCRYPTION_OLD_KEYS',
] as const;

/** `PAYLOAD_ENCRYPTION`: `required` (a key must be set; every payload written is encrypted) or `off`. */
export type PayloadEncryptionMode = 'required' | 'off';

/** What the environment asks for: the mode, and the codec when encryption is on. */
export interface PayloadEncryption {
  mode: PayloadEncryptionMode;
  codec?: EncryptionCodec;
}

/** Bad payload encryption settings: every problem, each naming its variable and never a key. */
export class PayloadEncryptionConfigError extends Error {
  constructor(
    readonly problems: string[],
    what = 'payload encryption',
  ) {
    super(`invalid ${what} configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PayloadEncryptionConfigError';
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A base64 key of 32 bytes, or a problem naming `where` (never the value). */
function readKey(value: string, where: string, problems: string[]): Buffer | undefined {
  const trimmed = value.trim();
  const bytes = BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
  if (bytes?.length === KEY_BYTES) return bytes;
  problems.push(
    `${where} must be the base64 of ${KEY_BYTES} random bytes (openssl rand -base64 32)` +
      (bytes ? `, got ${bytes.length} bytes` : ', got something that is not base64'),
  );
  return undefined;
}

/**
 * Reads the payload encryption settings, checking all of them at once:
 *
 * - `PAYLOAD_ENCRYPTION`: `required` or `off`. Unset: `required` when `PAYLOAD_ENCRYPTION_KEY` is set,
 *   else `off` (the quick start: `npm start` and the CLI run without any setup). A deployment that
 *   encrypts sets `required` explicitly, in configuration kept apart from the key, so a replica whose
 *   secret is missing refuses to start instead of writing plaintext next to encrypted payments; `off`
 *   with a key set is refused as contradictory.
 * - `PAYLOAD_ENCRYPTION_KEY`: base64 of 32 random bytes (`openssl rand -base64 32`), secret.
 * - `PAYLOAD_ENCRYPTION_KEY_ID` (default `k1`): the id written with every payload.
 * - `PAYLOAD_ENCRYPTION_OLD_KEYS` (`id:base64,…`): keys that only decode, during a rotation.
 *
 * Throws {@link PayloadEncryptionConfigError}; no message ever holds a key.
 */
export function payloadEncryptionFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadEncryption {
  const problems = payloadEncryptionProblems(env);
  if (problems.length > 0) throw new PayloadEncryptionConfigError(problems);
  const current = env.PAYLOAD_ENCRYPTION_KEY;
  if (!current) return { mode: 'off' };
  const id = env.PAYLOAD_ENCRYPTION_KEY_ID || 'k1';
  const keys = new Map<string, Buffer>();
  for (const entry of oldKeyEntries(env)) {
    const [oldId, b64] = splitOldKey(entry);
    keys.set(oldId!, Buffer.from(b64!.trim(), 'base64'));
  }
  keys.set(id, Buffer.from(current.trim(), 'base64'));
  return { mode: 'required', codec: new EncryptionCodec(keys, id) };
}

const oldKeyEntries = (env: NodeJS.ProcessEnv) =>
  (env.PAYLOAD_ENCRYPTION_OLD_KEYS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function splitOldKey(entry: string): [string | undefined, string | undefined] {
  const colon = entry.indexOf(':');
  return colon < 0 ? [undefined, undefined] : [entry.slice(0, colon).trim(), entry.slice(colon + 1)];
}

/**
 * Every problem of the payload encryption settings (empty when they are fine), each naming its
 * variable; for configuration loaders that report all problems at once before connecting anywhere.
 */
export function payloadEncryptionProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const mode = env.PAYLOAD_ENCRYPTION;
  const key = env.PAYLOAD_ENCRYPTION_KEY;
  if (mode !== undefined && mode !== 'required' && mode !== 'off') {
    problems.push(`PAYLOAD_ENCRYPTION must be "required" or "off" (unset: "required" when a key is set, else "off")`);
  }
  if (mode === 'required' && !key) {
    problems.push(
      'PAYLOAD_ENCRYPTION=required but PAYLOAD_ENCRYPTION_KEY is not set: refusing to write plaintext payloads ' +
        'next to encrypted ones (set the key this deployment uses, or PAYLOAD_ENCRYPTION=off)',
    );
  }
  if (mode === 'off' && (key || env.PAYLOAD_ENCRYPTION_OLD_KEYS)) {
    problems.push('PAYLOAD_ENCRYPTION=off but PAYLOAD_ENCRYPTION_KEY or PAYLOAD_ENCRYPTION_OLD_KEYS is set');
  }
  if (!key) {
    if (env.PAYLOAD_ENCRYPTION_OLD_KEYS && mode !== 'off')
      problems.push('PAYLOAD_ENCRYPTION_OLD_KEYS is set but PAYLOAD_ENCRYPTION_KEY is not');
    return problems;
  }
  readKey(key, 'PAYLOAD_ENCRYPTION_KEY', problems);
  const id = env.PAYLOAD_ENCRYPTION_KEY_ID || 'k1';
  if (!KEY_ID.test(id)) problems.push('PAYLOAD_ENCRYPTION_KEY_ID must be 1-64 letters, digits, ".", "_" or "-"');
  for (const [i, entry] of oldKeyEntries(env).entries()) {
    const [oldId, b64] = splitOldKey(entry);
    const where = `PAYLOAD_ENCRYPTION_OLD_KEYS entry ${i + 1}`;
    if (!oldId || !b64 || !KEY_ID.test(oldId)) {
      problems.push(`${where} must be "id:base64key" (entries separated by ",")`);
      continue;
    }
    if (oldId === id) problems.push(`${where} reuses the current key id "${id}"`);
    readKey(b64, where, problems);
  }
  return problems;
}

/** The codec the environment configures, or none when encryption is off. See {@link payloadEncryptionFromEnv}. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  return payloadEncryptionFromEnv(env).codec;
}

/**
 * The data converter for workers and clients: encrypted when a key is configured, plain when
 * `PAYLOAD_ENCRYPTION` is off (or unset without a key); throws when the settings contradict each other.
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): { payloadCodecs?: PayloadCodec[] } {
  const { codec } = payloadEncryptionFromEnv(env);
  return codec ? { payloadCodecs: [codec] } : {};
}
