import { isIP } from 'node:net';
import { ConfigError } from './config';

/** How the worker is watched: health endpoints, Prometheus metrics, log format (docs/production.md). */
export interface WorkerOps {
  /** `WORKER_HEALTH_PORT`: port of `GET /healthz` and `GET /readyz`, on every interface. Default 8081; 0 = any free port (logged). */
  healthPort: number;
  /**
   * `WORKER_METRICS_ADDRESS`: `ip:port` of the Prometheus `/metrics` endpoint of the SDK runtime (its own
   * metrics and the payment metrics). Default `0.0.0.0:9464`; undefined = off (`off` or empty).
   */
  metricsAddress?: string;
  /** `WORKER_LOG_FORMAT`: `json` (default: one JSON object per line on stdout) or `text` (the SDK's, on stderr). */
  logFormat: LogFormat;
}

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const DEFAULT_HEALTH_PORT = 8081;
export const DEFAULT_METRICS_ADDRESS = '0.0.0.0:9464';

/** Every variable loadWorkerOps reads. */
export const OPS_VARIABLE_NAMES = ['WORKER_HEALTH_PORT', 'WORKER_METRICS_ADDRESS', 'WORKER_LOG_FORMAT'] as const;

function parsePort(raw: string): number | undefined {
  if (!/^\d{1,5}$/.test(raw)) return undefined;
  const port = Number(raw);
  return port <= 65_535 ? port : undefined;
}

/**
 * `ip:port` or `[ipv6]:port`. The SDK's exporter binds a socket address, so a host name is refused
 * here rather than by the runtime; port 0 is refused because the runtime never tells which port it took.
 */
function checkMetricsAddress(raw: string, problems: string[]): string | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([^:]*)$/.exec(raw);
  const ip = m?.[1] ?? m?.[2];
  const port = m ? parsePort(m[3]!) : undefined;
  const ipOk = ip !== undefined && isIP(ip) === (m?.[1] !== undefined ? 6 : 4);
  if (!m || !ipOk || port === undefined || port === 0) {
    problems.push(
      `WORKER_METRICS_ADDRESS must be ip:port (e.g. 0.0.0.0:9464 or [::]:9464, port 1-65535) or off, got ${raw}`,
    );
    return undefined;
  }
  return raw;
}

/** Reads the worker's operations variables; throws one ConfigError naming every bad one. */
export function loadWorkerOps(env: NodeJS.ProcessEnv = process.env): WorkerOps {
  const problems: string[] = [];

  let healthPort = DEFAULT_HEALTH_PORT;
  const rawPort = env.WORKER_HEALTH_PORT;
  if (rawPort !== undefined && rawPort !== '') {
    const port = parsePort(rawPort);
    if (port === undefined)
      problems.push(`WORKER_HEALTH_PORT must be a port 0-65535 (0 = any free port), got ${rawPort}`);
    else healthPort = port;
  }

  let metricsAddress: string | undefined = DEFAULT_METRICS_ADDRESS;
  const rawAddress = env.WORKER_METRICS_ADDRESS;
  if (rawAddress !== undefined) {
    const trimmed = rawAddress.trim();
    metricsAddress =
      trimmed === '' || trimmed.toLowerCase() === 'off' ? undefined : checkMetricsAddress(trimmed, problems);
  }

  let logFormat: LogFormat = 'json';
  const rawFormat = env.WORKER_LOG_FORMAT;
  if (rawFormat !== undefined && rawFormat !== '') {
    if ((LOG_FORMATS as readonly string[]).includes(rawFormat)) logFormat = rawFormat as LogFormat;
    else problems.push(`WORKER_LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}, got ${rawFormat}`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { healthPort, logFormat, ...(metricsAddress ? { metricsAddress } : {}) };
}
