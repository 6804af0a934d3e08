import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterPorts } from './ports';
import type { Readiness } from './readiness';
import type { PostgresRuntime } from './postgres';
import type { ServiceSpec } from './processes';
import type { ClusterVersions } from './versions';

/** One long-running process of the cluster. */
export interface ServiceState {
  pid: number;
  /** Its log file (stdout and stderr). */
  log: string;
  /** Filled in by clusterStatus: the process exists. */
  alive?: boolean;
}

/** A cluster that `up` started: what the state file (<dataDir>/state.json) holds. */
export interface ClusterState {
  /** host:port of the frontend (gRPC): TEMPORAL_ADDRESS for workers and clients. */
  address: string;
  namespace: string;
  /** The Web UI, when it runs. */
  uiUrl?: string;
  postgres: { port: number; dataDir: string; pid?: number; alive?: boolean };
  /** 'server' when not split; 'frontend', 'history', 'matching', 'worker' when split; 'ui' when the UI runs. */
  services: Record<string, ServiceState>;
  split: boolean;
  versions: ClusterVersions & { postgresRunning: string };
  ports: ClusterPorts;
  /** The cluster's own folder: PostgreSQL's data, configs, logs, this state. */
  dataDir: string;
  startedAt: string;
  /** Filled in by clusterStatus: what the frontend answers. */
  health?: Readiness;
}

/** What only the cluster script needs: how to run PostgreSQL's programs and restart each service. */
export interface StoredState extends ClusterState {
  internal: { postgres: PostgresRuntime; specs: Record<string, ServiceSpec> };
}

export const stateFile = (dataDir: string): string => path.join(dataDir, 'state.json');

export function readState(dataDir: string): StoredState | undefined {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StoredState;
}

/** Written after every part starts, so `down` (or Ctrl-C) stops whatever got started. */
export function writeState(state: StoredState): void {
  mkdirSync(state.dataDir, { recursive: true });
  const file = stateFile(state.dataDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true });
}

/** The public view: no internals. */
export function publicState(state: StoredState): ClusterState {
  const copy: Partial<StoredState> = { ...state };
  delete copy.internal;
  return copy as ClusterState;
}
