import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isExecutable } from '../toolchain/temporal-binaries';

/** The database role and password the Temporal server and temporal-sql-tool use (as in docker-compose.yml). */
export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal';

/** How to run PostgreSQL's programs: its bin folder, and as whom (initdb refuses root). */
export interface PostgresRuntime {
  binDir: string;
  /** The system user the server runs as when we are root; undefined = the current user. */
  runAs?: { name: string; uid: number; gid: number };
  version: string;
}

function binDirFor(major: number): string | undefined {
  const debian = `/usr/lib/postgresql/${major}/bin`;
  if (isExecutable(path.join(debian, 'pg_ctl'))) return debian;
  const onPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return path.dirname(onPath);
  return undefined;
}

function systemUser(name: string): { name: string; uid: number; gid: number } | undefined {
  const found = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  if (found.status !== 0) return undefined;
  return {
    name,
    uid: Number(found.stdout.trim()),
    gid: Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim()),
  };
}

/**
 * Finds PostgreSQL `major` (Debian's /usr/lib/postgresql/<major>/bin, else pg_ctl on PATH). When it is missing
 * and we are root on Debian/Ubuntu, installs it with apt-get, saying so; otherwise fails saying how to install.
 */
export function findPostgres(major: number, log: (line: string) => void): PostgresRuntime {
  let binDir = binDirFor(major);
  if (!binDir) {
    const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).stdout.trim() !== '';
    if (process.getuid?.() !== 0 || !hasApt)
      throw new Error(
        `PostgreSQL ${major} is not installed (no /usr/lib/postgresql/${major}/bin/pg_ctl, no pg_ctl on PATH). ` +
          `Install it (Debian/Ubuntu: sudo apt-get install -y postgresql-${major}) and run again.`,
      );
    log(`PostgreSQL ${major} is not installed: installing it with apt-get install -y postgresql-${major}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update'], ['install', '-y', `postgresql-${major}`]]) {
      const ran = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (ran.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed: install PostgreSQL ${major} yourself`);
    }
    binDir = binDirFor(major);
    if (!binDir) throw new Error(`apt-get installed postgresql-${major} but no pg_ctl was found`);
  }
  const version = spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim();
  const found = /(\d+)\.(\d+)/.exec(version);
  if (!found || Number(found[1]) !== major)
    throw new Error(`${binDir}/postgres is "${version}", not PostgreSQL ${major} (deploy/versions.json)`);
  let runAs: PostgresRuntime['runAs'];
  if (process.getuid?.() === 0) {
    runAs = systemUser('postgres');
    if (!runAs)
      throw new Error(
        'running as root, and PostgreSQL refuses to run as root: create the `postgres` system user ' +
          '(the Debian package does) or run as an ordinary user',
      );
  }
  return { binDir, runAs, version: `${found[1]}.${found[2]}` };
}

/** Runs one of PostgreSQL's programs, as the postgres user when we are root. */
function pgRun(rt: PostgresRuntime, program: string, args: string[]): SpawnSyncReturns<string> {
  const exe = path.join(rt.binDir, program);
  const [command, argv] = rt.runAs ? ['runuser', ['-u', rt.runAs.name, '--', exe, ...args]] : [exe, args];
  return spawnSync(command, argv, { encoding: 'utf8', cwd: '/' });
}

function chownTo(rt: PostgresRuntime, file: string): void {
  if (rt.runAs) chownSync(file, rt.runAs.uid, rt.runAs.gid);
}

export interface PostgresPaths {
  /** PGDATA: <dataDir>/postgres. */
  pgdata: string;
  log: string;
}

export function postgresPaths(dataDir: string): PostgresPaths {
  return { pgdata: path.join(dataDir, 'postgres'), log: path.join(dataDir, 'logs', 'postgres.log') };
}

/**
 * initdb once: the `temporal` superuser with a password, scram on 127.0.0.1 only, no Unix socket (so two
 * clusters never meet in /var/run/postgresql), and enough connections for four split services.
 */
export function initPostgres(rt: PostgresRuntime, dataDir: string, log: (line: string) => void): void {
  const { pgdata, log: logFile } = postgresPaths(dataDir);
  mkdirSync(path.dirname(logFile), { recursive: true });
  if (!existsSync(logFile)) writeFileSync(logFile, '');
  chownTo(rt, logFile);
  if (existsSync(path.join(pgdata, 'PG_VERSION'))) return;
  // The postgres user must be able to reach PGDATA: a temp folder from mkdtemp is 0700 root.
  if (rt.runAs) {
    chmodSync(dataDir, 0o755);
    if (spawnSync('runuser', ['-u', rt.runAs.name, '--', 'test', '-x', dataDir]).status !== 0)
      throw new Error(
        `PostgreSQL runs as the ${rt.runAs.name} user, which cannot reach ${dataDir} (a parent folder is not ` +
          'open to others): choose another --data-dir (e.g. under /var/tmp) or `chmod o+x` its parents',
      );
  }
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  chownTo(rt, pgdata);
  const pwfile = path.join(dataDir, '.pwfile');
  writeFileSync(pwfile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
  chownTo(rt, pwfile);
  log(`initdb ${pgdata}`);
  try {
    const ran = pgRun(rt, 'initdb', [
      '-D',
      pgdata,
      '-U',
      POSTGRES_USER,
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=peer',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    if (ran.status !== 0) throw new Error(`initdb failed:\n${ran.stdout}${ran.stderr}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
  appendFileSync(
    path.join(pgdata, 'postgresql.conf'),
    [
      '',
      '# written by scripts/cluster (npm run cluster): loopback only, no Unix socket, room for four services',
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'max_connections = 300',
      '',
    ].join('\n'),
  );
}

/** The postmaster's pid from postmaster.pid, when the file is there. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(postgresPaths(dataDir).pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the server on `port` (pg_ctl in a session of its own, so Ctrl-C in the terminal does not reach the
 * postmaster) and waits until it accepts TCP connections. Returns the postmaster's pid.
 */
export async function startPostgres(rt: PostgresRuntime, dataDir: string, port: number): Promise<number> {
  const { pgdata, log } = postgresPaths(dataDir);
  const exe = path.join(rt.binDir, 'pg_ctl');
  const args = ['-D', pgdata, '-l', log, '-w', '-t', '120', '-o', `-p ${port}`, 'start'];
  const [command, argv] = rt.runAs ? ['runuser', ['-u', rt.runAs.name, '--', exe, ...args]] : [exe, args];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, argv, { detached: true, stdio: 'ignore', cwd: '/' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`PostgreSQL did not start (pg_ctl exit ${code}); its log ${log}:\n${tail(log)}`);
  await waitAcceptsConnections(port, 60_000, rt.binDir);
  const pid = postmasterPid(dataDir);
  if (!pid) throw new Error(`PostgreSQL started but ${pgdata}/postmaster.pid is missing`);
  return pid;
}

/** pg_ctl stop: `fast` rolls back sessions and shuts down cleanly; `immediate` is a crash (recovery at start). */
export function stopPostgres(rt: PostgresRuntime, dataDir: string, mode: 'fast' | 'immediate'): void {
  const { pgdata } = postgresPaths(dataDir);
  if (!postmasterPid(dataDir)) return;
  const ran = pgRun(rt, 'pg_ctl', ['-D', pgdata, '-m', mode, '-w', '-t', '60', 'stop']);
  if (ran.status !== 0 && postmasterPid(dataDir)) throw new Error(`pg_ctl stop failed:\n${ran.stdout}${ran.stderr}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until PostgreSQL answers on 127.0.0.1:port (pg_isready when present, else a TCP connect). */
export async function waitAcceptsConnections(port: number, timeoutMs: number, binDir?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const isready = binDir && isExecutable(path.join(binDir, 'pg_isready')) ? path.join(binDir, 'pg_isready') : undefined;
  for (;;) {
    const ready = isready
      ? spawnSync(isready, ['-h', '127.0.0.1', '-p', String(port), '-U', POSTGRES_USER, '-d', 'postgres']).status === 0
      : await canConnect(port);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
