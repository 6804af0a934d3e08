import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_HEADER = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());

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
 * Keys are looked up by id, so a new key can be added while histories written with the old one
 * still decode. Errors never carry key material.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    if (!keys.has(currentKeyId)) throw new Error(`encryption key id ${currentKeyId} has no key`);
    for (const [id, key] of keys) if (key.length !== 32) throw new Error(`encryption key ${id} must be 32 bytes`);
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
    return Promise.resolve(
      payloads.map((p) => {
        if (dec(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
        const keyId = dec(p.metadata?.[KEY_ID_HEADER]);
        const key = this.keys.get(keyId);
        if (!key) throw new Error(`no payload decryption key with id "${keyId}"`);
        const sealed = Buffer.from(p.data ?? new Uint8Array());
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return deserialize(plain);
      }),
    );
  }
}

/**
 * `PAYLOAD_ENCRYPTION_KEY` (base64 of 32 random bytes; `openssl rand -base64 32`), optional
 * `PAYLOAD_ENCRYPTION_KEY_ID` (default "k1") and `PAYLOAD_ENCRYPTION_OLD_KEYS` ("id:base64,…") for
 * keys that only decode. Unset: no encryption (the local default).
 */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  const current = env.PAYLOAD_ENCRYPTION_KEY;
  if (!current) return undefined;
  const id = env.PAYLOAD_ENCRYPTION_KEY_ID || 'k1';
  const keys = new Map<string, Buffer>([[id, Buffer.from(current, 'base64')]]);
  for (const entry of (env.PAYLOAD_ENCRYPTION_OLD_KEYS ?? '').split(',').filter(Boolean)) {
    const [oldId, b64] = entry.split(':');
    if (!oldId || !b64) throw new Error('PAYLOAD_ENCRYPTION_OLD_KEYS must be "id:base64key,…"');
    keys.set(oldId, Buffer.from(b64, 'base64'));
  }
  return new EncryptionCodec(keys, id);
}

/** The data converter for clients and workers: encrypted when a key is configured. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): { payloadCodecs?: PayloadCodec[] } {
  const codec = codecFromEnv(env);
  return codec ? { payloadCodecs: [codec] } : {};
}
