import { assertPortFree } from '../stack/ports';

/** Every port a cluster listens on, all on 127.0.0.1. */
export interface ClusterPorts {
  postgres: number;
  /** The frontend's gRPC port: the address workers and clients use. */
  frontend: number;
  /** The Web UI (HTTP). */
  ui: number;
  /** The frontend's HTTP API. */
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  /** Ringpop membership ports, one per service. */
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  /** Prometheus metrics: one per process (the single server uses `metrics`; split services use it + 0..3). */
  metrics: number;
}

export const DEFAULT_FRONTEND_PORT = 17233;
export const DEFAULT_POSTGRES_PORT = 15432;
export const DEFAULT_UI_PORT = 18233;

/**
 * The ports of one cluster. Only `postgres`, `frontend` and `ui` need choosing: the internal ports follow the
 * frontend (frontend+1 … frontend+12), so a second cluster with another frontend port gets its own range.
 * The defaults keep clear of the dev server's 7233/8233 so `npm start` and the cluster can run side by side.
 */
export function resolvePorts(given: Partial<ClusterPorts> = {}): ClusterPorts {
  const frontend = given.frontend ?? DEFAULT_FRONTEND_PORT;
  const ports: ClusterPorts = {
    postgres: DEFAULT_POSTGRES_PORT,
    ui: DEFAULT_UI_PORT,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 3,
    frontendHttp: frontend + 4,
    frontendMembership: frontend + 5,
    historyMembership: frontend + 6,
    matchingMembership: frontend + 7,
    workerMembership: frontend + 8,
    metrics: frontend + 9,
    ...given,
    frontend,
  };
  for (const [name, port] of Object.entries(ports))
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`cluster port ${name} must be 1-65535, got ${port}`);
  // Temporal keeps membership ports in cluster_membership.rpc_port, a PostgreSQL SMALLINT: one above 32767
  // makes the server exit at start-up.
  for (const name of ['frontendMembership', 'historyMembership', 'matchingMembership', 'workerMembership'] as const)
    if (ports[name] > 32767)
      throw new Error(
        `cluster port ${name} is ${ports[name]}: membership ports must be at most 32767 (Temporal stores them in a ` +
          'PostgreSQL smallint); choose a frontend port below 32755',
      );
  const seen = new Map<number, string>();
  for (const [name, port] of Object.entries(metricsPortsSpread(ports))) {
    const other = seen.get(port);
    if (other) throw new Error(`cluster ports ${other} and ${name} are both ${port}`);
    seen.set(port, name);
  }
  return ports;
}

/** The ports with the split services' metrics ports spelled out (metrics, metrics+1, +2, +3). */
export function metricsPortsSpread(ports: ClusterPorts): Record<string, number> {
  const { metrics, ...rest } = ports;
  return {
    ...rest,
    metrics,
    metricsHistory: metrics + 1,
    metricsMatching: metrics + 2,
    metricsWorker: metrics + 3,
  };
}

/** The ports a cluster listens on: name → port (split services' metrics ports, and the UI's, only when they run). */
export function listeningPorts(ports: ClusterPorts, opts: { split: boolean; ui: boolean }): [string, number][] {
  return Object.entries(metricsPortsSpread(ports)).filter(
    ([name]) => (name !== 'ui' || opts.ui) && (opts.split || !/^metrics./.test(name)),
  );
}

/** The ones of `ports` something listens on now (on 127.0.0.1). */
export async function takenPorts(ports: [string, number][]): Promise<[string, number][]> {
  const taken: [string, number][] = [];
  for (const [name, port] of ports)
    await assertPortFree('127.0.0.1', port, name, name).catch(() => taken.push([name, port]));
  return taken;
}

/**
 * Ports for another cluster beside others (tests, the bench): 15 consecutive free ports below the kernel's
 * ephemeral range (32768+ on Linux, where an outgoing connection may hold any port for a while): the frontend
 * range, then PostgreSQL, then the UI. Free when asked; a race with another process is still possible.
 */
export async function freeClusterPorts(): Promise<Partial<ClusterPorts>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const range = Array.from({ length: 15 }, (_, i): [string, number] => [`port ${base + i}`, base + i]);
    if ((await takenPorts(range)).length === 0) return { frontend: base, postgres: base + 13, ui: base + 14 };
  }
  throw new Error('found no 15 consecutive free ports for a cluster');
}
