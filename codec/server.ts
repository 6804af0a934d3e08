/**
 * `npm run codec-server`: the codec endpoint for the Temporal Web UI (and `temporal --codec-endpoint`),
 * so operators read decrypted payloads in their browser while the Temporal server stores ciphertext.
 * Keys from the same variables as the worker (codec/encryption-codec.ts); who may ask from
 * CODEC_SERVER_TOKEN, CODEC_SERVER_ALLOWED_ORIGINS and CODEC_SERVER_ALLOWED_HOSTS; port
 * CODEC_SERVER_PORT (8888), bound to 127.0.0.1.
 *
 * Who may ask. Every POST needs the token, in one of two places:
 * - the path: `POST /<token>/decode`. The Web UI calls `<codec endpoint>/decode` (and `/encode` when it
 *   sends a signal) and keeps any path prefix of the endpoint, so the endpoint the UI is given is
 *   `http://127.0.0.1:8888/<token>`. The UI has no setting for a custom header: its "pass access token"
 *   (`TEMPORAL_CODEC_PASS_ACCESS_TOKEN`) sends the signed-in user's OIDC access token, over https only,
 *   and "include credentials" sends cookies; neither carries a token of ours.
 * - `Authorization: Bearer <token>`: the CLI (`--codec-auth 'Bearer <token>'`, or TEMPORAL_CODEC_AUTH).
 * The Host header must be one of the allowed hosts (DNS rebinding), a browser's Origin one of the allowed
 * origins (the Web UI's); a request without Origin comes from a program and still needs the token.
 * Errors are short fixed texts: no stack, no key, no payload.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import {
  PayloadDecryptionError,
  PayloadEncryptionConfigError,
  payloadEncryptionFromEnv,
  type EncryptionCodec,
} from './encryption-codec';

/** Largest request body taken: the server's 2 MB payload limit, as base64 inside JSON, with room. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Shortest token taken (`openssl rand -hex 32` gives 64 characters). */
export const MIN_TOKEN_LENGTH = 32;
const TOKEN_CHARS = /^[A-Za-z0-9_-]+$/;
const ALLOWED_REQUEST_HEADERS = ['content-type', 'x-namespace', 'authorization', 'authorization-extras'];

/** The variables the codec server reads besides the PAYLOAD_ENCRYPTION_* ones. */
export const CODEC_SERVER_VARIABLES = [
  'CODEC_SERVER_TOKEN',
  'CODEC_SERVER_PORT',
  'CODEC_SERVER_ALLOWED_ORIGINS',
  'CODEC_SERVER_ALLOWED_HOSTS',
  'TEMPORAL_UI_URL',
] as const;

export interface CodecServerOptions {
  codec: EncryptionCodec;
  /** `CODEC_SERVER_TOKEN`: at least 32 of A-Z a-z 0-9 _ -. */
  token: string;
  /** Browser origins allowed to call, e.g. `http://localhost:8233` (the Web UI's). */
  allowedOrigins: readonly string[];
  /** `Host` header values allowed. Default: `127.0.0.1:<port>` and `localhost:<port>` of the bound port. */
  allowedHosts?: readonly string[];
  /** Default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** One line per refused or failed request (never a token, key or payload). Default: stderr. */
  log?: (line: string) => void;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (v: unknown): v is string => typeof v === 'string' && v.length % 4 === 0 && BASE64.test(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{"payloads":[{metadata?: {k: base64}, data?: base64}]}` (proto3 JSON of Payloads), or undefined. */
function parsePayloads(body: string): Payload[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !Array.isArray(parsed.payloads)) return undefined;
  const out: Payload[] = [];
  for (const p of parsed.payloads as unknown[]) {
    if (!isObject(p)) return undefined;
    const { metadata = {}, data = '' } = p as JsonPayload;
    if (!isObject(metadata) || !isBase64(data) || !Object.values(metadata).every(isBase64)) return undefined;
    out.push({
      metadata: Object.fromEntries(
        Object.entries(metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
      ),
      data: new Uint8Array(Buffer.from(data, 'base64')),
    });
  }
  return out;
}

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

const digest = (s: string) => createHash('sha256').update(s).digest();
/** Constant-time comparison (the digests have equal lengths whatever was sent). */
const sameToken = (given: string | undefined, token: string) =>
  given !== undefined && timingSafeEqual(digest(given), digest(token));

/** `/decode`, `/encode`, `/<token>/decode`, `/<token>/encode` (any query string ignored), else undefined. */
function route(url: string | undefined): { op: 'encode' | 'decode'; pathToken?: string } | undefined {
  const path = (url ?? '').split('?')[0]!;
  const parts = path.split('/').slice(1);
  const op = parts[parts.length - 1];
  if (op !== 'encode' && op !== 'decode') return undefined;
  if (parts.length === 1) return { op };
  if (parts.length === 2 && parts[0]) return { op, pathToken: decodeURIComponentSafe(parts[0]) };
  return undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * The codec server. Order of checks: Host (403), Origin (403), route (404), CORS preflight for an
 * allowed origin (204), method (405), token (401), Content-Type (415), body size (413), body shape (400),
 * then the codec (400 when a payload does not decrypt). Every answer is JSON with `Cache-Control: no-store`.
 */
export function createCodecServer(options: CodecServerOptions): http.Server {
  const { codec, token, allowedOrigins, maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  if (token.length < MIN_TOKEN_LENGTH || !TOKEN_CHARS.test(token))
    throw new Error(`the codec server token must be at least ${MIN_TOKEN_LENGTH} of A-Z a-z 0-9 _ -`);

  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    const originAllowed = origin !== undefined && allowedOrigins.includes(origin);
    const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
      if (originAllowed) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
      res.setHeader('Vary', 'Origin');
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    const refuse = (status: number, error: string, headers: Record<string, string> = {}) => {
      log(`codec server: ${req.method ?? '?'} refused ${status}: ${error}`);
      answer(status, { error }, headers);
      // The rest of the body is read and dropped, so the client sees the answer rather than a reset.
      req.resume();
    };

    const port = (server.address() as AddressInfo | null)?.port;
    const hosts = options.allowedHosts ?? [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!hosts.includes(req.headers.host ?? '')) return refuse(403, 'host not allowed');
    if (origin !== undefined && !originAllowed) return refuse(403, 'origin not allowed');
    const target = route(req.url);
    if (!target) return refuse(404, 'not found: POST <endpoint>/decode or <endpoint>/encode');

    if (req.method === 'OPTIONS') {
      if (!originAllowed) return refuse(403, 'origin not allowed');
      const method = req.headers['access-control-request-method'];
      const asked = (req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean);
      if (method !== 'POST') return refuse(405, 'method not allowed', { Allow: 'POST, OPTIONS' });
      if (!asked.every((h) => ALLOWED_REQUEST_HEADERS.includes(h))) return refuse(403, 'request header not allowed');
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization, Authorization-Extras');
      res.setHeader('Access-Control-Max-Age', '600');
      // Chrome's Private Network Access: a public https UI (Temporal Cloud) calling 127.0.0.1.
      if (req.headers['access-control-request-private-network'] === 'true')
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      res.setHeader('Vary', 'Origin, Access-Control-Request-Headers');
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') return refuse(405, 'method not allowed', { Allow: 'POST, OPTIONS' });
    const given = target.pathToken ?? bearer(req.headers.authorization);
    if (!sameToken(given, token)) return refuse(401, 'unauthorized', { 'WWW-Authenticate': 'Bearer' });
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
      return refuse(415, 'Content-Type must be application/json');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) return refuse(413, `body larger than ${maxBodyBytes} bytes`, { Connection: 'close' });

    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        tooLarge = true;
        chunks.length = 0;
        refuse(413, `body larger than ${maxBodyBytes} bytes`, { Connection: 'close' });
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return;
      const payloads = parsePayloads(Buffer.concat(chunks).toString('utf8'));
      if (!payloads) return refuse(400, 'malformed request: expected {"payloads":[{"metadata":{…},"data":"…"}]}');
      codec[target.op](payloads).then(
        (out) => answer(200, { payloads: out.map(toJson) }),
        (err: unknown) => {
          if (err instanceof PayloadDecryptionError) return refuse(400, err.message);
          refuse(500, 'internal error');
        },
      );
    });
  });
  // Slow clients are cut off: a request gets 10 s for its headers and 30 s in all.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

/** The dev server's Web UI (`npm start`), under either loopback name. */
export const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

/** The codec server's settings from the environment (the keys come from PAYLOAD_ENCRYPTION_*). */
export interface CodecServerConfig {
  token: string;
  port: number;
  allowedOrigins: string[];
  allowedHosts?: string[];
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * `CODEC_SERVER_TOKEN` (required, secret), `CODEC_SERVER_PORT` (8888), `CODEC_SERVER_ALLOWED_ORIGINS`
 * (comma-separated origins; default the origin of `TEMPORAL_UI_URL`, else `http://localhost:8233` and
 * `http://127.0.0.1:8233`) and
 * `CODEC_SERVER_ALLOWED_HOSTS` (comma-separated `host:port`; default `127.0.0.1:<port>,localhost:<port>`).
 * Throws an Error listing every problem, each naming its variable and never a value of a secret.
 */
export function codecServerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CodecServerConfig {
  const problems: string[] = [];
  const token = env.CODEC_SERVER_TOKEN ?? '';
  if (!token) problems.push('CODEC_SERVER_TOKEN is not set (generate one: openssl rand -hex 32)');
  else if (token.length < MIN_TOKEN_LENGTH || !TOKEN_CHARS.test(token))
    problems.push(`CODEC_SERVER_TOKEN must be at least ${MIN_TOKEN_LENGTH} of A-Z a-z 0-9 _ - (openssl rand -hex 32)`);
  const port = Number(env.CODEC_SERVER_PORT ?? 8888);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    problems.push('CODEC_SERVER_PORT must be a port number (1-65535)');
  const origins = list(env.CODEC_SERVER_ALLOWED_ORIGINS);
  // The UI's origin is whichever host the operator typed: both loopback names by default.
  if (origins.length === 0) origins.push(...(env.TEMPORAL_UI_URL ? [env.TEMPORAL_UI_URL] : DEFAULT_UI_ORIGINS));
  const allowedOrigins: string[] = [];
  for (const o of origins) {
    let url: URL | undefined;
    try {
      url = new URL(o);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol))
      problems.push(
        `${env.CODEC_SERVER_ALLOWED_ORIGINS ? 'CODEC_SERVER_ALLOWED_ORIGINS' : 'TEMPORAL_UI_URL'}: "${o}" is not an http(s) origin`,
      );
    else allowedOrigins.push(url.origin);
  }
  const hosts = list(env.CODEC_SERVER_ALLOWED_HOSTS);
  if (hosts.some((h) => !/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/.test(h)))
    problems.push('CODEC_SERVER_ALLOWED_HOSTS must be comma-separated host:port values');
  if (problems.length > 0) throw new PayloadEncryptionConfigError(problems, 'codec server');
  return { token, port, allowedOrigins, ...(hosts.length > 0 ? { allowedHosts: hosts } : {}) };
}

if (require.main === module) {
  try {
    const { codec } = payloadEncryptionFromEnv();
    if (!codec) throw new PayloadEncryptionConfigError(['PAYLOAD_ENCRYPTION_KEY is not set (the key the worker uses)']);
    const config = codecServerConfigFromEnv();
    const server = createCodecServer({ codec, ...config });
    server.listen(config.port, '127.0.0.1', () =>
      console.log(
        `codec server on http://127.0.0.1:${config.port} for the Web UI at ${config.allowedOrigins.join(', ')}; ` +
          `give the UI the codec endpoint http://127.0.0.1:${config.port}/<CODEC_SERVER_TOKEN>`,
      ),
    );
    server.on('error', (err: NodeJS.ErrnoException) => {
      console.error(
        err.code === 'EADDRINUSE'
          ? `codec-server: port ${config.port} is taken: set CODEC_SERVER_PORT`
          : `codec-server: ${err.code ?? 'cannot listen'}`,
      );
      process.exit(2);
    });
  } catch (err) {
    console.error(`codec-server: ${err instanceof PayloadEncryptionConfigError ? err.message : 'failed to start'}`);
    process.exit(2);
  }
}
