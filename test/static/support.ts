/**
 * Helpers for the static deployment tests: docker-compose.yml as Compose reads it (variable
 * interpolation, environment resolution), .env.example, and the variables the worker reads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PAYLOAD_ENCRYPTION_VARIABLES } from '../../codec/encryption-codec';
import { WORKER_SQB_VARIABLES } from '../../worker/config';
import { OPS_VARIABLE_NAMES } from '../../worker/ops-config';
import { TUNING_VARIABLE_NAMES } from '../../worker/tuning';

export const ROOT = path.resolve(__dirname, '../..');

export const readText = (relative: string): string => readFileSync(path.join(ROOT, relative), 'utf8');

export interface Healthcheck {
  test?: string[] | string;
  disable?: boolean;
}

export interface DependsOn {
  condition?: string;
  required?: boolean;
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: string[];
  expose?: (string | number)[];
  volumes?: string[];
  healthcheck?: Healthcheck;
  depends_on?: Record<string, DependsOn> | string[];
  profiles?: string[];
  restart?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(): ComposeFile {
  return parse(readText('docker-compose.yml')) as ComposeFile;
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** Variables as docker compose sees them: the .env file (here .env.example) plus the shell. */
export type ProjectEnv = Record<string, string | undefined>;

/**
 * Compose's interpolation (compose-spec "Interpolation"): `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`
 * (unset or empty), `${VAR-default}` (unset only), `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`.
 */
export function interpolate(text: string, env: ProjectEnv): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const value = env[name];
      const unset = value === undefined;
      const emptyOrUnset = unset || value === '';
      switch (op) {
        case ':-':
          return emptyOrUnset ? (arg ?? '') : value;
        case '-':
          return unset ? (arg ?? '') : value;
        case ':?':
          if (emptyOrUnset) throw new Error(`required variable ${name}: ${arg}`);
          return value;
        case '?':
          if (unset) throw new Error(`required variable ${name}: ${arg}`);
          return value;
        case ':+':
          return emptyOrUnset ? '' : (arg ?? '');
        case '+':
          return unset ? '' : (arg ?? '');
        default:
          return value ?? '';
      }
    },
  );
}

/** Names of every variable a text interpolates (the `$$` escape excluded). */
export function interpolatedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.add((m[1] ?? m[2])!);
  }
  return names;
}

/** Raw `environment` entries: a value, or null for "pass the variable on when it is set". */
export function rawEnvironment(svc: ComposeService): Record<string, string | null> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, null] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? null : String(v)]));
}

/**
 * The container's environment: values interpolated, bare names taken from the project environment
 * (and left out when it does not set them), as `docker compose` does.
 */
export function containerEnvironment(svc: ComposeService, env: ProjectEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawEnvironment(svc))) {
    if (value === null) {
      const passed = env[name];
      if (passed !== undefined) out[name] = passed;
    } else {
      out[name] = interpolate(value, env);
    }
  }
  return out;
}

export interface EnvExample {
  /** Every variable named in .env.example, commented out or not. */
  documented: Set<string>;
  /** Uncommented assignments: what `cp .env.example .env` hands to docker compose. */
  active: Record<string, string>;
  text: string;
}

export function loadEnvExample(): EnvExample {
  const text = readText('.env.example');
  const documented = new Set<string>();
  const active: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    documented.add(m[2]!);
    if (!m[1]) active[m[2]!] = m[3]!.trim();
  }
  return { documented, active, text };
}

/**
 * The worker's side of the operations contract of issue #8 (health, metrics, tuning and rate limits),
 * read by worker/ (worker/ops-config.ts and worker/tuning.ts).
 */
export const WORKER_OPERATION_VARIABLES = [...OPS_VARIABLE_NAMES, ...TUNING_VARIABLE_NAMES];

/** What codec/encryption-codec.ts `payloadEncryptionFromEnv` reads (worker, client, codec server). */
export const PAYLOAD_VARIABLES = PAYLOAD_ENCRYPTION_VARIABLES;

/** Prefix of @temporalio/envconfig's gRPC header variables (TEMPORAL_GRPC_META_<HEADER>). */
export const GRPC_META_PREFIX = 'TEMPORAL_GRPC_META_';

/**
 * The TEMPORAL_* variables @temporalio/envconfig reads, taken from the installed package itself, so
 * an SDK upgrade that adds one shows up here.
 */
export function envconfigVariables(): string[] {
  const source = readFileSync(require.resolve('@temporalio/envconfig/lib/envconfig-toml.js'), 'utf8');
  const names = [...source.matchAll(/envProvider\['(TEMPORAL_[A-Z_]+)'\]/g)].map((m) => m[1]!);
  if (!source.includes(`'${GRPC_META_PREFIX}'`)) throw new Error('envconfig no longer reads TEMPORAL_GRPC_META_*');
  return [...new Set(names)].sort();
}

/** Every variable worker/main.ts reads, directly or through the libraries it calls. */
export function workerVariables(): string[] {
  return [
    ...WORKER_SQB_VARIABLES,
    'TEMPORAL_TASK_QUEUE',
    ...envconfigVariables(),
    ...WORKER_OPERATION_VARIABLES,
    ...PAYLOAD_VARIABLES,
  ];
}

export function isWorkerVariable(name: string): boolean {
  return workerVariables().includes(name) || name.startsWith(GRPC_META_PREFIX);
}

/** `host:port` or `scheme://host:port/…` → host and port (the scheme's default port when none). */
export function hostAndPort(address: string): { host: string; port: number } {
  if (address.includes('://')) {
    const url = new URL(address);
    return { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
  }
  const [host, port] = address.split(':');
  return { host: host!, port: Number(port) };
}

/** `[ip:]host_port:container_port` → the container port. */
export function containerPort(mapping: string): number {
  return Number(mapping.split(':').pop()!.split('/')[0]);
}

export function commandLine(value: string[] | string | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);
}
