/**
 * The Temporal the suite runs against: the CLI's dev server on SQLite (WAL), or the cluster on PostgreSQL
 * (scripts/cluster/control.ts) in a data folder of its own, on free ports, without the Web UI.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clusterDown, clusterUp, type ClusterPorts } from '../scripts/cluster/control';
import { assertPortFree, freePort } from '../scripts/stack/ports';
import { startTemporalProcess } from '../scripts/stack/temporal-process';
import { devServerArgs } from '../scripts/toolchain/dev-server';
import { TEMPORAL_CLI, resolveBinary } from '../scripts/toolchain/temporal-binaries';

export interface Topology {
  /** 'dev server' or 'cluster': the key of its results. */
  name: 'dev server' | 'cluster';
  /** One line for the results: what runs, which versions. */
  describe: string;
  address: string;
  namespace: string;
  /** Size of the persistence on disk, MB (the dev server's SQLite file and WAL); undefined if not a file. */
  dbMb(): number | undefined;
  stop(): Promise<void>;
}

export async function startDevServer(): Promise<Topology> {
  const cli = resolveBinary(TEMPORAL_CLI).path;
  if (!cli) throw new Error('no Temporal CLI: run `npm run toolchain`');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const dbFile = path.join(dataDir, 'temporal.sqlite');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const server = await startTemporalProcess(
    cli,
    [...devServerArgs({ ip: '127.0.0.1', port, uiPort: await freePort(), dbFile }), '--headless'],
    address,
  );
  const size = (f: string) => (statSync(f, { throwIfNoEntry: false })?.size ?? 0) / 1024 / 1024;
  return {
    name: 'dev server',
    describe: `Temporal CLI ${TEMPORAL_CLI.pypiVersion} dev server, SQLite (WAL), one process`,
    address,
    namespace: 'default',
    dbMb: () => Math.round((size(dbFile) + size(`${dbFile}-wal`)) * 10) / 10,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh cluster of its own (its own data folder and ports), torn down and deleted by stop(). */
export async function startCluster(opts: { split: boolean }): Promise<Topology> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-'));
  const log = (line: string) => console.log(`cluster: ${line}`);
  const stop = async () => {
    await clusterDown({ dataDir, log });
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const state = await clusterUp({ split: opts.split, ports: await clusterPorts(), dataDir, ui: false, log });
    return {
      name: 'cluster',
      describe:
        `Temporal server ${state.versions.temporalServer} on PostgreSQL ${state.versions.postgresRunning}, ` +
        (state.split ? `separate ${Object.keys(state.services).join(', ')} processes` : 'one server process'),
      address: state.address,
      namespace: state.namespace,
      dbMb: () => undefined,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/**
 * A frontend range of 13 free ports below 32755 (the server stores its membership ports in a PostgreSQL
 * smallint: with ports from 32768 up, as freeClusterPorts may pick, it exits at start-up) and a free
 * PostgreSQL port.
 */
async function clusterPorts(): Promise<Partial<ClusterPorts>> {
  const free = (port: number) =>
    assertPortFree('127.0.0.1', port, 'probe', 'probe').then(
      () => true,
      () => false,
    );
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 21_000 + Math.floor(Math.random() * 11_000);
    const range = Array.from({ length: 13 }, (_, i) => base + i);
    if ((await Promise.all(range.map(free))).every(Boolean)) return { frontend: base, postgres: await freePort() };
  }
  throw new Error('found no 13 consecutive free ports below 32755 for the cluster');
}
