/**
 * The Temporal cluster on PostgreSQL, without Docker: the programmatic API behind `npm run cluster` (main.ts),
 * used by the cluster test suites and the bench. Each cluster lives in its own data folder (default .cluster/)
 * with its own ports, so several can run side by side. The processes outlive the caller: `clusterDown` stops
 * them (from the pids in <dataDir>/state.json).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { REPO_ROOT } from '../toolchain/paths';
import { ensureBinary } from '../toolchain/install';
import { TEMPORAL_CLI, resolveBinary } from '../toolchain/temporal-binaries';
import { ensureTemporalBuild, ensureUiBuild } from './binaries';
import { listeningPorts, resolvePorts, takenPorts, type ClusterPorts } from './ports';
import {
  findPostgres,
  initPostgres,
  postgresPaths,
  postmasterPid,
  POSTGRES_PASSWORD,
  POSTGRES_USER,
  startPostgres,
  stopPostgres,
  waitAcceptsConnections,
} from './postgres';
import { killGroup, runsWith, spawnDetached, stopGroup, tailLog, waitGone, type ServiceSpec } from './processes';
import { probe, waitListening, waitUntil } from './readiness';
import { CREATE_NAMESPACE_SCRIPT, runScript, SETUP_POSTGRES_SCRIPT } from './scripts';
import { writeServerConfigs } from './server-config';
import { publicState, readState, removeState, writeState, type ClusterState, type StoredState } from './state';
import { writeUiConfig } from './ui-config';
import { loadVersions, postgresMajor } from './versions';

export type { ClusterPorts } from './ports';
export { freeClusterPorts } from './ports';
export type { ClusterState, ServiceState } from './state';

export interface ClusterOptions {
  /** Separate frontend, history, matching and worker processes (default: one `server` process). */
  split?: boolean;
  /** Ports to use; the internal ones follow `frontend` (ports.ts). Defaults: frontend 17233, ui 18233, postgres 15432. */
  ports?: Partial<ClusterPorts>;
  /** The cluster's folder (PostgreSQL data, configs, logs, state.json). Default: CLUSTER_DATA_DIR or <repo>/.cluster. */
  dataDir?: string;
  /** Run the Web UI (default true). */
  ui?: boolean;
  /** Namespace to create (default: default). */
  namespace?: string;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
  /** Aborting tears down what was started (main.ts aborts on Ctrl-C). */
  signal?: AbortSignal;
}

export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.cluster');

/** How long the server may take to answer after it starts, on a loaded 2-core machine. */
const START_TIMEOUT_MS = 240_000;

let lastDataDir: string | undefined;

function dataDirOf(given?: string): string {
  return path.resolve(given ?? lastDataDir ?? process.env.CLUSTER_DATA_DIR ?? DEFAULT_DATA_DIR);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `SEARCH_ATTRIBUTES` list create-namespace.sh takes, from the workflows' own keys. */
export function searchAttributesArg(): string {
  const cliType = (type: string) => type.charAt(0) + type.slice(1).toLowerCase();
  return PAYMENT_SEARCH_ATTRIBUTES.map((key) => `${key.name}=${cliType(key.type)}`).join(' ');
}

/** Every part of the state that should be running: name → pid. */
function parts(state: StoredState): [string, number | undefined][] {
  return [
    ['postgres', state.postgres.pid],
    ...Object.entries(state.services).map(([name, svc]): [string, number] => [name, svc.pid]),
  ];
}

async function uiAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Brings the cluster up (building the binaries first if needed) and resolves once the frontend answers, the
 * namespace and its search attributes exist and the history service answers. When a cluster already runs in
 * this data folder, resolves with it. On any failure, or when `signal` aborts, stops what it started.
 */
export async function clusterUp(opts: ClusterOptions = {}): Promise<ClusterState> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = dataDirOf(opts.dataDir);
  lastDataDir = dataDir;
  const split = opts.split ?? false;
  const existing = readState(dataDir);
  if (existing) {
    const down = parts(existing).filter(([, pid]) => !runsWith(pid, dataDir));
    if (down.length === 0) {
      if (existing.split !== split)
        throw new Error(
          `a cluster is already running in ${dataDir} ${existing.split ? 'with' : 'without'} --split: ` +
            'run `npm run cluster -- down` first to change that',
        );
      const now = await probe(existing.address, existing.namespace);
      log(
        `the cluster in ${dataDir} is already running at ${existing.address}` +
          (now.namespace ? '' : ' (but its frontend does not answer yet: see `npm run cluster -- status`)'),
      );
      return publicState(existing);
    }
    log(`the cluster in ${dataDir} is partly down (${down.map(([name]) => name).join(', ')}): restarting it`);
    await clusterDown({ dataDir, log });
  }

  const versions = loadVersions();
  const ports = resolvePorts(opts.ports);
  const namespace = opts.namespace ?? 'default';
  const wantUi = opts.ui ?? true;
  if (!resolveBinary(TEMPORAL_CLI).path) ensureBinary(TEMPORAL_CLI);
  const cli = resolveBinary(TEMPORAL_CLI).path;
  if (!cli) throw new Error('no Temporal CLI (create-namespace.sh needs it): `npm run toolchain` could not install it');
  const build = await ensureTemporalBuild(versions, log);
  let uiBin: string | undefined;
  if (wantUi) {
    try {
      uiBin = await ensureUiBuild(versions, log);
    } catch (err) {
      log(`the Web UI is skipped: ${(err as Error).message}`);
    }
  }
  opts.signal?.throwIfAborted();
  const pg = findPostgres(postgresMajor(versions), log);
  const taken = await takenPorts(listeningPorts(ports, { split, ui: uiBin !== undefined }));
  if (taken.length > 0)
    throw new Error(
      `port${taken.length > 1 ? 's' : ''} ${taken.map(([name, port]) => `${port} (the cluster's ${name})`).join(', ')} ` +
        `already in use: stop what listens there (ss -ltnp) or choose other ports, e.g. ` +
        '--ports frontend=27233,postgres=56432,ui=28233',
    );

  mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  mkdirSync(path.join(dataDir, 'config'), { recursive: true });
  const logs = path.join(dataDir, 'logs');
  const address = `127.0.0.1:${ports.frontend}`;
  const state: StoredState = {
    address,
    namespace,
    postgres: { port: ports.postgres, dataDir: postgresPaths(dataDir).pgdata },
    services: {},
    split,
    versions: { ...versions, postgresRunning: pg.version },
    ports,
    dataDir,
    startedAt: new Date().toISOString(),
    internal: { postgres: pg, specs: {} },
  };
  const started = Date.now();
  try {
    initPostgres(pg, dataDir, log);
    opts.signal?.throwIfAborted();
    state.postgres.pid = await startPostgres(pg, dataDir, ports.postgres);
    writeState(state);
    log(`PostgreSQL ${pg.version} on 127.0.0.1:${ports.postgres} (data ${state.postgres.dataDir})`);

    await runScript(
      SETUP_POSTGRES_SCRIPT,
      {
        POSTGRES_SEEDS: '127.0.0.1',
        DB_PORT: String(ports.postgres),
        POSTGRES_USER,
        SQL_PASSWORD: POSTGRES_PASSWORD,
        SCHEMA_DIR: build.schemaDir,
      },
      [build.dir],
      path.join(logs, 'schema.log'),
      opts.signal,
    );
    log('schemas temporal and temporal_visibility are up to date (deploy/temporal/setup-postgres.sh)');

    const died = () => {
      if (opts.signal?.aborted) return 'interrupted';
      for (const [name, svc] of Object.entries(state.services))
        if (!runsWith(svc.pid, dataDir))
          return `the Temporal ${name} process exited during start-up; the end of ${svc.log}:\n${tailLog(svc.log)}`;
      return undefined;
    };
    for (const [i, proc] of writeServerConfigs(build.devConfig, dataDir, ports, split).entries()) {
      opts.signal?.throwIfAborted();
      const spec: ServiceSpec = {
        command: build.server,
        args: proc.args,
        cwd: dataDir,
        log: path.join(logs, `${proc.name}.log`),
      };
      state.internal.specs[proc.name] = spec;
      state.services[proc.name] = { pid: spawnDetached(spec), log: spec.log };
      writeState(state);
      // Split services started at the same moment race to insert the cluster's metadata row, and the
      // loser exits on a duplicate key: the first (history) listens only once that row is written.
      if (split && i === 0) await waitListening(proc.name, ports.history, { timeoutMs: START_TIMEOUT_MS, died });
    }
    await waitUntil(address, namespace, 'the Temporal frontend', (r) => r.frontend, {
      timeoutMs: START_TIMEOUT_MS,
      died,
    });
    log(
      `Temporal server ${versions.temporalServer} answers at ${address} (${split ? Object.keys(state.services).join(', ') : 'one process'})`,
    );

    await runScript(
      CREATE_NAMESPACE_SCRIPT,
      {
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
        TEMPORAL_NAMESPACE_RETENTION: process.env.TEMPORAL_NAMESPACE_RETENTION || '30d',
        SEARCH_ATTRIBUTES: searchAttributesArg(),
        SETUP_SLEEP_SECONDS: '1',
        SETUP_MAX_ATTEMPTS: '120',
      },
      [path.dirname(cli)],
      path.join(logs, 'namespace.log'),
      opts.signal,
    );
    await waitUntil(
      address,
      namespace,
      'the namespace, history and matching',
      (r) => r.namespace && r.history && r.matching,
      {
        timeoutMs: START_TIMEOUT_MS,
        died,
      },
    );
    log(`namespace ${namespace} with the saga's search attributes (deploy/temporal/create-namespace.sh)`);

    if (uiBin) {
      const spec: ServiceSpec = {
        command: uiBin,
        args: writeUiConfig(dataDir, ports, namespace),
        cwd: dataDir,
        log: path.join(logs, 'ui.log'),
      };
      state.internal.specs.ui = spec;
      state.services.ui = { pid: spawnDetached(spec), log: spec.log };
      state.uiUrl = `http://localhost:${ports.ui}`;
      writeState(state);
      const deadline = Date.now() + 60_000;
      while (!(await uiAnswers(state.uiUrl))) {
        const dead = died();
        if (dead) throw new Error(dead);
        if (Date.now() > deadline) throw new Error(`the Web UI did not answer at ${state.uiUrl}/healthz within 60 s`);
        await sleep(250);
      }
      log(`Web UI ${versions.temporalUi} at ${state.uiUrl}`);
    }
    log(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s: TEMPORAL_ADDRESS=${address}`);
    return publicState(state);
  } catch (err) {
    const why = opts.signal?.aborted ? 'interrupted' : (err as Error).message.split('\n')[0];
    log(`start-up failed (${why}): stopping what was started`);
    await clusterDown({ dataDir, log }).catch((downErr: unknown) => log(`down failed too: ${String(downErr)}`));
    throw err;
  }
}

/**
 * Stops every process the cluster's state file names (process groups: SIGTERM, then SIGKILL) and PostgreSQL
 * (a fast shutdown), then checks that none of its ports still listens. The data stays for the next `up`.
 */
export async function clusterDown(opts: { dataDir?: string; log?: (line: string) => void } = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = dataDirOf(opts.dataDir);
  const state = readState(dataDir);
  if (!state) {
    const orphan = postmasterPid(dataDir);
    if (orphan && runsWith(orphan, dataDir)) {
      log(`no state file in ${dataDir}, but PostgreSQL (pid ${orphan}) runs on its data: stopping it`);
      process.kill(orphan, 'SIGINT');
      await waitGone(orphan, 60_000);
    } else log(`no cluster in ${dataDir}`);
    return;
  }
  const order = ['ui', 'worker', 'frontend', 'matching', 'history', 'server'];
  const names = Object.keys(state.services).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  for (const name of names) {
    const { pid } = state.services[name]!;
    if (runsWith(pid, dataDir)) {
      await stopGroup(pid);
      log(`stopped ${name} (pid ${pid})`);
    }
  }
  const pgPid = postmasterPid(dataDir) ?? state.postgres.pid;
  if (pgPid && runsWith(pgPid, dataDir)) {
    try {
      stopPostgres(state.internal.postgres, dataDir, 'fast');
    } catch (err) {
      log(`pg_ctl stop failed (${(err as Error).message.split('\n')[0]}): sending SIGQUIT`);
      process.kill(pgPid, 'SIGQUIT');
    }
    if (!(await waitGone(pgPid, 60_000))) process.kill(pgPid, 'SIGKILL');
    log(`stopped PostgreSQL (pid ${pgPid})`);
  }
  removeState(dataDir);
  const listening = await takenPorts(
    listeningPorts(state.ports, { split: state.split, ui: state.services.ui !== undefined }),
  );
  if (listening.length > 0)
    log(
      `still listening after down (another program?): ${listening.map(([name, port]) => `${name} ${port}`).join(', ')}`,
    );
  else log(`cluster in ${dataDir} is down`);
}

/** The cluster's state with `alive` filled in for every part, or undefined when none was started here. */
export async function clusterStatus(opts: { dataDir?: string } = {}): Promise<ClusterState | undefined> {
  const dataDir = dataDirOf(opts.dataDir);
  const state = readState(dataDir);
  if (!state) return undefined;
  lastDataDir = dataDir;
  const pgPid = postmasterPid(dataDir) ?? state.postgres.pid;
  state.postgres.alive = runsWith(pgPid, dataDir);
  for (const svc of Object.values(state.services)) svc.alive = runsWith(svc.pid, dataDir);
  state.health = await probe(state.address, state.namespace);
  return publicState(state);
}

function stateOrThrow(dataDir: string): StoredState {
  const state = readState(dataDir);
  if (!state) throw new Error(`no cluster runs in ${dataDir}: bring one up with clusterUp / npm run cluster -- up`);
  return state;
}

/**
 * kill -9 one service ('server' when not split; 'frontend'|'history'|'matching'|'worker' when split; 'ui') and
 * start it again after `downMs` (default 1000), waiting until the frontend answers and history and matching answer
 * through it. The cluster is the one in `dataDir`, else the last one this process brought up, else .cluster/.
 */
export async function crashService(name: string, opts: { downMs?: number; dataDir?: string } = {}): Promise<void> {
  const dataDir = dataDirOf(opts.dataDir);
  const state = stateOrThrow(dataDir);
  const svc = state.services[name];
  const spec = state.internal.specs[name];
  if (!svc || !spec)
    throw new Error(
      `the cluster in ${dataDir} has no service ${name}: it has ${Object.keys(state.services).join(', ')}`,
    );
  await killGroup(svc.pid);
  await sleep(opts.downMs ?? 1_000);
  svc.pid = spawnDetached(spec);
  writeState(state);
  const died = () =>
    runsWith(svc.pid, dataDir)
      ? undefined
      : `${name} exited after its restart; the end of ${svc.log}:\n${tailLog(svc.log)}`;
  await waitUntil(
    state.address,
    state.namespace,
    `${name} after kill -9`,
    (r) => r.namespace && r.history && r.matching,
    {
      timeoutMs: START_TIMEOUT_MS,
      died,
    },
  );
}

/**
 * Restarts PostgreSQL: an immediate stop (no checkpoint, as a crash: recovery runs at start), `downMs`
 * (default 1000) down, then a start, waiting until it accepts connections.
 */
export async function restartPostgres(opts: { downMs?: number; dataDir?: string } = {}): Promise<void> {
  const dataDir = dataDirOf(opts.dataDir);
  const state = stateOrThrow(dataDir);
  stopPostgres(state.internal.postgres, dataDir, 'immediate');
  await sleep(opts.downMs ?? 1_000);
  state.postgres.pid = await startPostgres(state.internal.postgres, dataDir, state.postgres.port);
  writeState(state);
  await waitAcceptsConnections(state.postgres.port, 60_000, state.internal.postgres.binDir);
}
