/**
 * The codec server (codec/server.ts) over real HTTP on 127.0.0.1: who may ask (token in the path as the
 * Web UI sends it, or a Bearer header as the CLI sends it; Host; Origin), CORS preflight for the UI's
 * origin only, the body cap, and answers that hold no stack, key, token or payload.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ENCRYPTED_ENCODING, EncryptionCodec } from '../../codec/encryption-codec';
import { createCodecServer, DEFAULT_MAX_BODY_BYTES } from '../../codec/server';

const KEY = randomBytes(32);
const TOKEN = randomBytes(32).toString('hex');
const UI = 'http://localhost:8233';
const MAX_BODY = 64 * 1024;
const SECRET_TEXT = 'dynamic-id-130818341921441147';

const codec = new EncryptionCodec(new Map([['k1', KEY]]), 'k1');
const plain = {
  metadata: { encoding: Buffer.from('json/plain').toString('base64') },
  data: Buffer.from(JSON.stringify({ dynamicId: SECRET_TEXT })).toString('base64'),
};

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

let server: http.Server;
let port: number;
const logged: string[] = [];

/** One request with full control of Host, Origin and the body (fetch forbids setting the first two). */
function send(opts: {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  chunked?: Buffer[];
}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        agent: false, // a connection per request: a refusal may close its connection
        method: opts.method ?? 'POST',
        path: opts.path ?? `/${TOKEN}/decode`,
        headers: { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    if (opts.chunked) {
      for (const c of opts.chunked) req.write(c);
      req.end();
    } else req.end(opts.body);
  });
}

const body = (payloads: unknown[]) => JSON.stringify({ payloads });

async function sealed(): Promise<{ metadata: Record<string, string>; data: string }> {
  const [p] = await codec.encode([
    {
      metadata: { encoding: Buffer.from(plain.metadata.encoding, 'base64') },
      data: Buffer.from(plain.data, 'base64'),
    },
  ]);
  return {
    metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p!.data!).toString('base64'),
  };
}

/** No answer and no log line holds the token, the key, a stack or the payload's content. */
function expectNothingLeaks(answer: Answer): void {
  for (const text of [answer.text, ...logged]) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(KEY.toString('base64'));
    expect(text).not.toContain(KEY.toString('hex'));
    expect(text).not.toContain(SECRET_TEXT);
    expect(text).not.toContain(plain.data);
    expect(text).not.toMatch(/\n\s+at |\.ts:\d+/);
  }
}

beforeAll(async () => {
  server = createCodecServer({
    codec,
    token: TOKEN,
    allowedOrigins: [UI],
    maxBodyBytes: MAX_BODY,
    log: (line) => logged.push(line),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  logged.length = 0;
});

describe('codec server: answers who may ask', () => {
  it('decodes for the Web UI: token in the endpoint path, the UI origin, its query string ignored', async () => {
    const answer = await send({
      path: `/${TOKEN}/decode?preserveStorageRefs=true`,
      headers: { Origin: UI, 'X-Namespace': 'default' },
      body: body([await sealed()]),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(UI);
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(answer.headers['cache-control']).toBe('no-store');
    const { payloads } = JSON.parse(answer.text) as { payloads: { data: string }[] };
    expect(Buffer.from(payloads[0]!.data, 'base64').toString()).toContain(SECRET_TEXT);
  });

  it('decodes for the CLI: Authorization: Bearer <token> (--codec-auth), no Origin', async () => {
    const answer = await send({
      path: '/decode',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: body([await sealed()]),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('encodes (the UI encodes a signal it sends): always ciphertext', async () => {
    const answer = await send({ path: `/${TOKEN}/encode`, headers: { Origin: UI }, body: body([plain]) });
    expect(answer.status).toBe(200);
    const { payloads } = JSON.parse(answer.text) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(payloads[0]!.data, 'base64').toString('latin1')).not.toContain(SECRET_TEXT);
  });
});

describe('codec server: refusals', () => {
  it.each([
    ['no token at all', { path: '/decode' }],
    ['a wrong token in the path', { path: `/${'0'.repeat(64)}/decode` }],
    [
      'the token with one character changed',
      { path: `/${TOKEN.slice(0, -1)}${TOKEN.endsWith('a') ? 'b' : 'a'}/decode` },
    ],
    ['a wrong Bearer token', { path: '/decode', headers: { Authorization: `Bearer ${'1'.repeat(64)}` } }],
    ['the token under another scheme', { path: '/decode', headers: { Authorization: `Basic ${TOKEN}` } }],
    [
      'a wrong path token even with the right Bearer',
      { path: '/nope/decode', headers: { Authorization: `Bearer ${TOKEN}` } },
    ],
  ])('401 for %s', async (_name, opts) => {
    const answer = await send({ ...opts, body: body([await sealed()]) });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ error: 'unauthorized' });
    expectNothingLeaks(answer);
  });

  it.each([
    ['another host name (DNS rebinding)', { Host: 'attacker.example:8888' }],
    ['the right name on another port', { Host: 'localhost:1' }],
  ])('403 for %s', async (_name, headers) => {
    const answer = await send({ headers, body: body([await sealed()]) });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual({ error: 'host not allowed' });
    expectNothingLeaks(answer);
  });

  it('accepts localhost:<port> as well as 127.0.0.1:<port> by default', async () => {
    const answer = await send({ headers: { Host: `localhost:${port}` }, body: body([plain]) });
    expect(answer.status).toBe(200);
  });

  it.each(['http://evil.example', 'http://localhost:8234', 'null', 'https://localhost:8233'])(
    '403 for a browser at origin %s, with no CORS header to read it by',
    async (origin) => {
      const answer = await send({ headers: { Origin: origin }, body: body([await sealed()]) });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.text)).toEqual({ error: 'origin not allowed' });
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expectNothingLeaks(answer);
    },
  );

  it('413 for a body over the cap (declared length), before reading it', async () => {
    const answer = await send({ body: Buffer.alloc(MAX_BODY + 1, 'a') });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expectNothingLeaks(answer);
  });

  it('413 for a chunked body that grows over the cap', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const answer = await send({ chunked: [chunk, chunk, chunk, chunk, chunk] });
    expect(answer.status).toBe(413);
  });

  it('caps bodies at 4 MiB unless told otherwise', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(4 * 1024 * 1024);
  });

  it.each([
    ['not JSON', `{"payloads":[{"data":"${plain.data}"`],
    ['JSON without payloads', '{"payload":[]}'],
    ['payloads that are not objects', '{"payloads":["x"]}'],
    ['data that is not base64', '{"payloads":[{"data":"%%%"}]}'],
    ['metadata that is not base64', '{"payloads":[{"metadata":{"encoding":7}}]}'],
  ])('400 for %s, without echoing the body', async (_name, text) => {
    const answer = await send({ body: text });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      error: 'malformed request: expected {"payloads":[{"metadata":{…},"data":"…"}]}',
    });
    expectNothingLeaks(answer);
  });

  it('415 for a body that is not declared as JSON', async () => {
    const answer = await send({ headers: { 'Content-Type': 'text/plain' }, body: body([plain]) });
    expect(answer.status).toBe(415);
  });

  it.each(['GET', 'PUT', 'DELETE'])('405 for %s, with Allow', async (method) => {
    const answer = await send({ method, body: method === 'GET' ? undefined : body([plain]) });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST, OPTIONS');
  });

  it.each(['/', `/${TOKEN}`, `/${TOKEN}/download`, `/${TOKEN}/decode/x`, `/a/${TOKEN}/decode`, '/../decode/x'])(
    '404 for the path %s',
    async (path) => {
      const answer = await send({ path: path.replace(TOKEN, TOKEN), body: body([plain]) });
      expect(answer.status).toBe(404);
      expectNothingLeaks(answer);
    },
  );

  it('400 for a payload that does not decrypt: names the key id only, never the data', async () => {
    const other = new EncryptionCodec(new Map([['k9', randomBytes(32)]]), 'k9');
    const [foreign] = await other.encode([{ metadata: {}, data: Buffer.from(SECRET_TEXT) }]);
    const tampered = await sealed();
    const bytes = Buffer.from(tampered.data, 'base64');
    bytes[20] = bytes[20]! ^ 1;
    for (const p of [
      {
        metadata: Object.fromEntries(
          Object.entries(foreign!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(foreign!.data!).toString('base64'),
      },
      { ...tampered, data: bytes.toString('base64') },
    ]) {
      const answer = await send({ body: body([p]) });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({ error: expect.stringMatching(/id "k[19]"/) as unknown });
      expectNothingLeaks(answer);
    }
  });
});

describe('codec server: CORS preflight', () => {
  const preflight = (origin: string | undefined, extra: Record<string, string> = {}) =>
    send({
      method: 'OPTIONS',
      headers: {
        ...(origin ? { Origin: origin } : {}),
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
        ...extra,
      },
    });

  it("answers the UI's origin: POST, its headers, credentials, cached 10 minutes", async () => {
    const answer = await preflight(UI, { 'Access-Control-Request-Private-Network': 'true' });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(UI);
    expect(answer.headers['access-control-allow-methods']).toBe('POST');
    expect(answer.headers['access-control-allow-headers']).toMatch(/Content-Type, X-Namespace, Authorization/);
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(answer.headers['access-control-allow-private-network']).toBe('true');
    expect(answer.headers['access-control-max-age']).toBe('600');
  });

  it.each([
    ['another origin', 'http://evil.example', {}, 403],
    ['no origin', undefined, {}, 403],
    ['a method other than POST', UI, { 'Access-Control-Request-Method': 'PUT' }, 405],
    ['a header of its own', UI, { 'Access-Control-Request-Headers': 'content-type,x-debug' }, 403],
  ] as const)('refuses %s, without CORS approval', async (_name, origin, extra, status) => {
    const answer = await preflight(origin, extra);
    expect(answer.status).toBe(status);
    expect(answer.headers['access-control-allow-methods']).toBeUndefined();
    if (status === 403 && origin !== UI) expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('createCodecServer', () => {
  it.each(['', 'short', `${'a'.repeat(40)}/x`])('refuses a weak or unusable token %j', (token) => {
    expect(() => createCodecServer({ codec, token, allowedOrigins: [UI] })).toThrow(/at least 32/);
  });
});
