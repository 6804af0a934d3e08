/**
 * npm run cluster -- up|down|status|build [--split] [--no-ui] [--ports name=port,…] [--data-dir dir]
 *
 * A Temporal cluster on PostgreSQL on this machine, without Docker: the versions of deploy/versions.json,
 * built from their Go modules (cached in .tools/cluster/), PostgreSQL from the system. See docs/production.md,
 * "Rehearse production on one machine".
 */
import path from 'node:path';
import { ensureTemporalBuild, ensureUiBuild } from './binaries';
import { clusterDown, clusterStatus, clusterUp, DEFAULT_DATA_DIR, type ClusterOptions } from './control';
import { resolvePorts, type ClusterPorts } from './ports';
import { loadVersions } from './versions';

const USAGE = `usage: npm run cluster -- <command> [options]

commands:
  up        build what is missing, start PostgreSQL, the schema jobs, the Temporal server, the namespace and
            the Web UI; waits until they answer (a second up with everything running says so)
  down      stop everything up started (the data stays in the data folder)
  status    each part and whether it is alive
  build     only build the binaries (.tools/cluster/)

options:
  --split              frontend, history, matching and worker as separate processes (up)
  --no-ui              no Web UI (up)
  --ports a=1,b=2      ports: postgres (15432), frontend (17233; the internal ports follow it), ui (18233),
                       or any internal one (scripts/cluster/ports.ts)
  --data-dir DIR       the cluster's folder (default .cluster/, or CLUSTER_DATA_DIR)
  --namespace NAME     namespace to create (default: default)`;

interface Parsed {
  command: string;
  opts: ClusterOptions;
}

function parsePorts(text: string): Partial<ClusterPorts> {
  const known = Object.keys(resolvePorts());
  const ports: Record<string, number> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const [name, value] = pair.split('=');
    const port = Number(value);
    if (!name || !Number.isInteger(port)) throw new Error(`--ports takes name=port pairs, got "${pair}"`);
    if (!known.includes(name)) throw new Error(`--ports: no port named ${name}; the names are ${known.join(', ')}`);
    ports[name] = port;
  }
  return ports;
}

function parse(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (!command || !['up', 'down', 'status', 'build'].includes(command)) throw new Error(USAGE);
  const opts: ClusterOptions = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = () => {
      const next = rest[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n\n${USAGE}`);
      return next;
    };
    if (arg === '--split') opts.split = true;
    else if (arg === '--no-ui') opts.ui = false;
    else if (arg === '--ports') opts.ports = parsePorts(value());
    else if (arg === '--data-dir') opts.dataDir = path.resolve(value());
    else if (arg === '--namespace') opts.namespace = value();
    else throw new Error(`unknown option ${arg}\n\n${USAGE}`);
  }
  return { command, opts };
}

async function printStatus(dataDir?: string): Promise<number> {
  const state = await clusterStatus({ dataDir });
  if (!state) {
    console.log(`no cluster in ${dataDir ?? process.env.CLUSTER_DATA_DIR ?? DEFAULT_DATA_DIR}`);
    return 1;
  }
  const mark = (alive?: boolean) => (alive ? 'alive' : 'DOWN');
  console.log(`cluster in ${state.dataDir}${state.split ? ' (split)' : ''}, started ${state.startedAt}`);
  console.log(
    `  postgres   ${mark(state.postgres.alive)}  pid ${state.postgres.pid ?? '-'}  127.0.0.1:${state.postgres.port}` +
      `  PostgreSQL ${state.versions.postgresRunning}`,
  );
  for (const [name, svc] of Object.entries(state.services))
    console.log(
      `  ${name.padEnd(10)} ${mark(svc.alive)}  pid ${svc.pid}  log ${path.relative(process.cwd(), svc.log)}`,
    );
  const h = state.health;
  console.log(
    `  frontend at ${state.address}: ${h?.frontend ? 'answers' : 'does NOT answer'}` +
      (h?.frontend ? `; namespace ${state.namespace} ${h.namespace ? 'exists' : 'MISSING'}` : '') +
      (h?.namespace ? `; history ${h.history ? 'answers' : 'does NOT answer'}` : '') +
      (h?.namespace ? `; matching ${h.matching ? 'answers' : 'does NOT answer'}` : ''),
  );
  if (state.uiUrl) console.log(`  Web UI at ${state.uiUrl}`);
  const allAlive = state.postgres.alive && Object.values(state.services).every((svc) => svc.alive);
  return allAlive && h?.history && h.matching ? 0 : 1;
}

async function main(): Promise<number> {
  const { command, opts } = parse(process.argv.slice(2));
  if (command === 'status') return printStatus(opts.dataDir);
  if (command === 'down') {
    await clusterDown({ dataDir: opts.dataDir });
    return 0;
  }
  const log = (line: string) => console.log(line);
  if (command === 'build') {
    const versions = loadVersions();
    await ensureTemporalBuild(versions, log);
    await ensureUiBuild(versions, log);
    log(`Temporal server ${versions.temporalServer} and Web UI ${versions.temporalUi} are built (.tools/cluster/)`);
    return 0;
  }
  // up: Ctrl-C tears down what was started (the processes run in their own sessions, out of the terminal's reach).
  const abort = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts === 1) {
      console.log('\ninterrupted: stopping what was started (Ctrl-C again to leave it as it is)');
      abort.abort();
    } else process.exit(130);
  });
  try {
    const state = await clusterUp({ ...opts, signal: abort.signal, log });
    console.log(`
  TEMPORAL_ADDRESS=${state.address}   namespace ${state.namespace}${state.uiUrl ? `   Web UI ${state.uiUrl}` : ''}
  e.g. TEMPORAL_ADDRESS=${state.address} npm run worker
  npm run cluster -- status | down`);
    return 0;
  } catch (err) {
    if (abort.signal.aborted) return 130;
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
