import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { PaymentsClient } from '../../client/payments-client';
import { ENCRYPTED_ENCODING, EncryptionCodec, codecFromEnv } from '../../codec/encryption-codec';
import { createCodecServer } from '../../codec/server';
import { paymentWorkflowId } from '../../workflows/types';
import { createPaymentWorker } from '../../worker/create-worker';
import { TERMINAL_KEY, TERMINAL_SN, newPayment, useSagaStack } from '../helpers/saga-stack';

const KEY = randomBytes(32);
const TOKEN = randomBytes(32).toString('hex');
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

describe('payload encryption codec', () => {
  const codec = new EncryptionCodec(new Map([['k1', KEY]]), 'k1');
  const payload = {
    metadata: { encoding: new TextEncoder().encode('json/plain') },
    data: new TextEncoder().encode('{"clientSn":"A1"}'),
  };

  it('round-trips, and leaves plain payloads (written before encryption was on) alone', async () => {
    const [sealed] = await codec.encode([payload]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.data)).not.toContain('A1');
    expect(await codec.decode([sealed!, payload])).toEqual([payload, payload]);
  });

  it('refuses tampered data and unknown key ids, without naming any key material', async () => {
    const [sealed] = await codec.encode([payload]);
    const tampered = { ...sealed!, data: new Uint8Array(sealed!.data!) };
    tampered.data[20] = tampered.data[20]! ^ 1;
    await expect(codec.decode([tampered])).rejects.toThrow();
    const other = new EncryptionCodec(new Map([['k2', randomBytes(32)]]), 'k2');
    const message = await other.decode([sealed!]).then(
      () => 'decoded',
      (err: Error) => err.message,
    );
    expect(message).toContain('no payload decryption key with id "k1"');
    expect(message).not.toContain(KEY.toString('base64'));
  });

  it('rotates keys: a new key encrypts, the old one still decodes (PAYLOAD_ENCRYPTION_OLD_KEYS)', async () => {
    const [old] = await codec.encode([payload]);
    const rotated = codecFromEnv({
      PAYLOAD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PAYLOAD_ENCRYPTION_KEY_ID: 'k2',
      PAYLOAD_ENCRYPTION_OLD_KEYS: `k1:${KEY.toString('base64')}`,
    })!;
    expect(await rotated.decode([old!])).toEqual([payload]);
    const [fresh] = await rotated.encode([payload]);
    expect(text(fresh!.metadata!['encryption-key-id'])).toBe('k2');
  });

  describe('with the real worker, client and server', () => {
    const stack = useSagaStack();

    it('keeps only ciphertext on the server; the codec server decodes it for the Web UI', async () => {
      const address = process.env.TEMPORAL_TEST_ADDRESS!;
      const taskQueue = `encrypted-${Date.now()}`;
      const nativeConnection = await NativeConnection.connect({ address });
      const { worker } = await createPaymentWorker({
        connection: nativeConnection,
        config: {
          apiDomain: stack.sim.url,
          terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }],
          taskQueue,
        },
        dataConverter: { payloadCodecs: [codec] },
      });
      const connection = await Connection.connect({ address });
      const payments = new PaymentsClient(
        new Client({ connection, dataConverter: { payloadCodecs: [codec] } }),
        taskQueue,
      );
      // A barcode of its own, so finding it anywhere means it leaked from this payment.
      const request = newPayment({ dynamicId: `13${Date.now()}`.slice(0, 18) });
      // The status query (what the CLI, the Web UI's Queries tab and the checkout read) has no barcode.
      const { status, queried } = await worker.runUntil(async () => {
        const { status } = await payments.pay(request);
        return { status, queried: await payments.status(request) };
      });
      expect(status.state).toBe('PAID');
      expect(JSON.stringify(queried)).not.toContain(request.dynamicId);
      expect(JSON.stringify(status)).not.toContain(request.dynamicId);

      // What the server holds, read without the codec.
      const raw = new Client({ connection });
      const history = await raw.workflow
        .getHandle(paymentWorkflowId(request.terminalSn, request.clientSn))
        .fetchHistory();
      const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      expect(text(input.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
      // Every payload list (inputs, results, updates) is ciphertext; only the workflow ID, the
      // search attributes (by design, so operators can find payments) and patch ids stay readable.
      const lists = payloadLists(history);
      expect(lists.length).toBeGreaterThan(3);
      for (const p of lists.flat()) expect(text(p.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
      // Nowhere in the stored history (payloads, failures, markers, attributes) is the barcode readable.
      expect(readableTexts(history).filter((t) => t.includes(request.dynamicId))).toEqual([]);

      // The Web UI's codec endpoint: POST <endpoint>/decode with proto-JSON payloads, the endpoint
      // carrying the token (the UI keeps the endpoint's path and adds /decode?preserveStorageRefs=true).
      const server = createCodecServer({ codec, token: TOKEN, allowedOrigins: ['http://localhost:8233'] });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${TOKEN}`;
      const wire = {
        metadata: Object.fromEntries(
          Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(input.data!).toString('base64'),
      };
      const res = await fetch(`${endpoint}/decode?preserveStorageRefs=true`, {
        method: 'POST',
        body: JSON.stringify({ payloads: [wire] }),
        headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' },
      });
      expect(res.status).toBe(200);
      const { payloads } = (await res.json()) as { payloads: { data: string }[] };
      expect(Buffer.from(payloads[0]!.data, 'base64').toString()).toContain(request.clientSn);
      // Without the token: refused.
      const refused = await fetch(endpoint.replace(`/${TOKEN}`, '/decode'), {
        method: 'POST',
        body: JSON.stringify({ payloads: [wire] }),
        headers: { 'Content-Type': 'application/json' },
      });
      expect(refused.status).toBe(401);
      server.close();
      await connection.close();
      await nativeConnection.close();
    });
  });
});

type RawPayload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };

/** Every `payloads` array in a history (search attributes are a map, not a payload list). */
function payloadLists(value: unknown): RawPayload[][] {
  const found: RawPayload[][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return;
    for (const [k, child] of Object.entries(v)) {
      // A patch marker's details (the patch id, e.g. "money-rules") are written by the SDK's core,
      // outside the data converter: no payment data is in them.
      if (k === 'markerRecordedEventAttributes') continue;
      if (k === 'payloads' && Array.isArray(child)) found.push(child as RawPayload[]);
      else walk(child);
    }
  };
  walk(value);
  return found;
}

/** Every string, and every byte array read as UTF-8, anywhere in a history. */
function readableTexts(value: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') found.push(v);
    else if (v instanceof Uint8Array) found.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return found;
}
