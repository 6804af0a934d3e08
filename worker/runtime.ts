import { DefaultLogger, type LogEntry, type LogLevel, type Logger, Runtime } from '@temporalio/worker';
import { ConfigError } from './config';
import { GATEWAY_LATENCY_BUCKETS_MS, GATEWAY_LATENCY_METRIC } from '../activities/metrics';
import type { LogFormat, WorkerOps } from './ops-config';

/** Metadata fields never written to a log line: credentials, or capabilities (a task token completes an activity). */
const SECRET_FIELD = /key$|secret|password|token|sign(ature)?$|authorization|credential/i;

/** Fields the line itself owns; metadata with these names is renamed, never allowed to overwrite them. */
const RESERVED = new Set(['time', 'level', 'message']);

function plain(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth > 6) return '[Object]';
  seen.add(value);
  try {
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Error) {
      const err = value as Error & { type?: unknown; cause?: unknown };
      return {
        name: err.name,
        message: err.message,
        ...(typeof err.type === 'string' ? { type: err.type } : {}),
        ...(err.stack ? { stack: err.stack } : {}),
        ...(err.cause !== undefined ? { cause: plain(err.cause, seen, depth + 1) } : {}),
      };
    }
    if (Array.isArray(value)) return value.map((v) => plain(v, seen, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_FIELD.test(k)) continue;
      const p = plain(v, seen, depth + 1);
      if (p !== undefined) out[k] = p;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * One log entry as one line of JSON: `time` (ISO-8601, UTC), `level`, `message`, then the entry's
 * metadata (workflowId, clientSn, sn, activityType, …) with secret-looking fields dropped.
 */
export function jsonLogLine(entry: Pick<LogEntry, 'level' | 'message' | 'meta' | 'timestampNanos'>): string {
  const line: Record<string, unknown> = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    message: entry.message,
  };
  const meta = entry.meta ? (plain(entry.meta, new WeakSet(), 0) as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(meta)) line[RESERVED.has(k) ? `meta_${k}` : k] = v;
  return JSON.stringify(line);
}

/** The process's logger for one format: JSON lines on stdout, or the SDK's text lines on stderr. */
export function createLogger(format: LogFormat, level: LogLevel = 'INFO'): Logger {
  if (format === 'text') return new DefaultLogger(level);
  return new DefaultLogger(level, (entry) => process.stdout.write(`${jsonLogLine(entry)}\n`));
}

/**
 * Installs the SDK runtime for the worker process: its logger (the SDK's own lines, activity and
 * workflow `log` calls, and Core's native lines, forwarded) and, when configured, the Prometheus
 * exporter that serves the SDK's metrics and the payment metrics on one `/metrics`. Must run
 * before any NativeConnection exists, and once per process.
 */
export function installWorkerRuntime(ops: WorkerOps): Runtime {
  const logger = createLogger(ops.logFormat);
  try {
    return Runtime.install({
      logger,
      telemetryOptions: {
        // Core's own lines go through the same logger (JSON too), not straight to the console.
        logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
        ...(ops.metricsAddress
          ? {
              metrics: {
                prometheus: {
                  bindAddress: ops.metricsAddress,
                  histogramBucketOverrides: { [GATEWAY_LATENCY_METRIC]: [...GATEWAY_LATENCY_BUCKETS_MS] },
                },
              },
            }
          : {}),
      },
    });
  } catch (err) {
    // The exporter binds its socket right here: a taken port is a configuration problem.
    const why = err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err);
    if (ops.metricsAddress && /prometheus|address|bind/i.test(why)) {
      throw new ConfigError([`WORKER_METRICS_ADDRESS ${ops.metricsAddress}: cannot serve metrics there (${why})`]);
    }
    throw err;
  }
}

/**
 * Writes one JSON line without the runtime's logger (start-up failures, before the runtime exists or
 * right before the process exits), unbuffered so it is out before the exit.
 */
export function writeJsonLogNow(level: LogLevel, message: string, meta?: Record<string, unknown>): void {
  process.stdout.write(`${jsonLogLine({ level, message, meta, timestampNanos: BigInt(Date.now()) * 1_000_000n })}\n`);
}
