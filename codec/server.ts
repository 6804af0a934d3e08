/**
 * `npm run codec-server`: the codec endpoint for the Temporal Web UI (and `temporal --codec-endpoint`),
 * so operators read decrypted payloads in their browser while the server stores ciphertext. Keys
 * from the same variables as the worker. Port CODEC_SERVER_PORT (8888); CORS for TEMPORAL_UI_URL.
 */
import http from 'node:http';
import type { Payload } from '@temporalio/common';
import { codecFromEnv, type EncryptionCodec } from './encryption-codec';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
  ),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export function createCodecServer(codec: EncryptionCodec, uiOrigin: string): http.Server {
  return http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', uiOrigin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const op = req.url === '/encode' ? 'encode' : req.url === '/decode' ? 'decode' : undefined;
    if (req.method !== 'POST' || !op) return void res.writeHead(404).end();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      void (async () => {
        try {
          const { payloads } = JSON.parse(body) as { payloads: JsonPayload[] };
          const out = await codec[op](payloads.map(fromJson));
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ payloads: out.map(toJson) }));
        } catch (err) {
          res.writeHead(400, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: err instanceof Error ? err.message : 'bad request' }));
        }
      })();
    });
  });
}

if (require.main === module) {
  const codec = codecFromEnv();
  if (!codec) {
    console.error('codec-server: set PAYLOAD_ENCRYPTION_KEY (the same key the worker uses)');
    process.exit(2);
  }
  const port = Number(process.env.CODEC_SERVER_PORT ?? 8888);
  const origin = process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233';
  createCodecServer(codec, origin).listen(port, '127.0.0.1', () =>
    console.log(`codec server on http://127.0.0.1:${port} (for the Web UI at ${origin})`),
  );
}
