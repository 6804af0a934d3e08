import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TOOLS_DIR } from '../toolchain/paths';
import { isAlive } from './processes';
import { isExecutable } from '../toolchain/temporal-binaries';
import type { ClusterVersions } from './versions';

/** Git-ignored cache of the cluster's Go binaries, one folder per version. */
export const CLUSTER_TOOLS_DIR = path.join(TOOLS_DIR, 'cluster');

/** The Temporal server build of one version, with what the module ships that the cluster needs at run time. */
export interface TemporalBuild {
  dir: string;
  /** go.temporal.io/server/cmd/server, also linked as `temporal-server`. */
  server: string;
  /** go.temporal.io/server/cmd/tools/sql, also linked as `temporal-sql-tool` (what setup-postgres.sh calls). */
  sqlTool: string;
  /** The module's schema/postgresql/v12 (temporal/ and visibility/), copied. */
  schemaDir: string;
  /** The module's config/development-postgres12.yaml, copied: the template of the generated config. */
  devConfig: string;
}

export function temporalBuild(version: string): TemporalBuild {
  const dir = path.join(CLUSTER_TOOLS_DIR, `temporal-${version}`);
  return {
    dir,
    server: path.join(dir, 'temporal-server'),
    sqlTool: path.join(dir, 'temporal-sql-tool'),
    schemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
    devConfig: path.join(dir, 'config', 'development-postgres12.yaml'),
  };
}

/** The Web UI server of one version (its assets are embedded in the module: ui/assets/local). */
export function uiBinary(version: string): string {
  return path.join(CLUSTER_TOOLS_DIR, `ui-${version}`, 'server');
}

function isBuilt(build: TemporalBuild): boolean {
  return (
    isExecutable(build.server) &&
    isExecutable(build.sqlTool) &&
    existsSync(path.join(build.schemaDir, 'temporal', 'versioned')) &&
    existsSync(path.join(build.schemaDir, 'visibility', 'versioned')) &&
    existsSync(build.devConfig)
  );
}

function requireGo(): string {
  const found = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0)
    throw new Error(
      'Go is not installed (`go` is not on PATH): the cluster builds the Temporal server and UI from their Go ' +
        'modules with `go install`. Install Go 1.26 or later (https://go.dev/dl/) and run again.',
    );
  return found.stdout.trim();
}

function goEnv(name: string): string {
  return spawnSync('go', ['env', name], { encoding: 'utf8' }).stdout.trim();
}

/** Runs `go install` with GOBIN set, output passed through; rejects naming what failed. */
function goInstall(gobin: string, packages: string[], log: (line: string) => void): Promise<void> {
  log(`$ GOBIN=${path.relative(process.cwd(), gobin) || gobin} go install ${packages.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['install', ...packages], {
      env: { ...process.env, GOBIN: gobin, GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`go install ${packages.join(' ')} failed (${signal ?? `exit ${code}`}); see its output above`),
          ),
    );
  });
}

/**
 * Builds go.temporal.io/server's cmd/server and cmd/tools/sql at the pinned version into
 * .tools/cluster/temporal-<version>/ (about 6 minutes on 2 idle cores), unless already there.
 */
export async function ensureTemporalBuild(
  versions: ClusterVersions,
  log: (line: string) => void,
): Promise<TemporalBuild> {
  const build = temporalBuild(versions.temporalServer);
  if (isBuilt(build)) return build;
  return withBuildLock(build.dir, log, async () => {
    if (isBuilt(build)) return build;
    await buildTemporal(versions, build, log);
    return build;
  });
}

async function buildTemporal(
  versions: ClusterVersions,
  build: TemporalBuild,
  log: (line: string) => void,
): Promise<void> {
  log(`${requireGo()}`);
  log(
    `building the Temporal server ${versions.temporalServer} and temporal-sql-tool from go.temporal.io/server ` +
      `(once; about 6 minutes on 2 idle cores) into ${path.relative(process.cwd(), build.dir)}`,
  );
  const started = Date.now();
  mkdirSync(build.dir, { recursive: true });
  const module = `go.temporal.io/server`;
  const v = `v${versions.temporalServer}`;
  await goInstall(build.dir, [`${module}/cmd/server@${v}`, `${module}/cmd/tools/sql@${v}`], log);
  const moduleDir = path.join(goEnv('GOMODCACHE'), `${module}@${v}`);
  if (!existsSync(moduleDir)) throw new Error(`go install succeeded but the module is not at ${moduleDir}`);
  rmSync(path.join(build.dir, 'schema'), { recursive: true, force: true });
  cpSync(path.join(moduleDir, 'schema', 'postgresql', 'v12'), build.schemaDir, { recursive: true });
  mkdirSync(path.dirname(build.devConfig), { recursive: true });
  cpSync(path.join(moduleDir, 'config', 'development-postgres12.yaml'), build.devConfig);
  // The module cache is read-only; the copies must not be, so a later rebuild can replace them.
  chmodTree(path.join(build.dir, 'schema'));
  chmodSync(build.devConfig, 0o644);
  for (const [link, target] of [
    [build.server, 'server'],
    [build.sqlTool, 'sql'],
  ] as const) {
    rmSync(link, { force: true });
    symlinkSync(target, link);
  }
  if (!isBuilt(build)) throw new Error(`the build in ${build.dir} is incomplete`);
  log(`built the Temporal server ${versions.temporalServer} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * Runs `build` holding <dir>.lock (a folder, created atomically, with the holder's pid), so two processes
 * bringing clusters up at once (the test suites and the bench) build once: the second waits, then finds the build.
 */
async function withBuildLock<T>(dir: string, log: (line: string) => void, build: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  let said = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: number;
      try {
        holder = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // just released, or its holder has not written its pid yet
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!said) log(`another process (pid ${holder}) is building into ${dir}: waiting for it`);
      said = true;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
  try {
    return await build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function chmodTree(dir: string): void {
  spawnSync('chmod', ['-R', 'u+w,go+rX', dir]);
}

/**
 * Builds github.com/temporalio/ui-server/v2's cmd/server at the pinned version into
 * .tools/cluster/ui-<version>/, unless already there. The module embeds the UI's built assets.
 */
export async function ensureUiBuild(versions: ClusterVersions, log: (line: string) => void): Promise<string> {
  const binary = uiBinary(versions.temporalUi);
  if (isExecutable(binary)) return binary;
  return withBuildLock(path.dirname(binary), log, async () => {
    if (!isExecutable(binary)) await buildUi(versions, binary, log);
    return binary;
  });
}

async function buildUi(versions: ClusterVersions, binary: string, log: (line: string) => void): Promise<void> {
  requireGo();
  log(`building the Temporal Web UI server ${versions.temporalUi} from github.com/temporalio/ui-server/v2 (once)`);
  const started = Date.now();
  mkdirSync(path.dirname(binary), { recursive: true });
  await goInstall(path.dirname(binary), [`github.com/temporalio/ui-server/v2/cmd/server@v${versions.temporalUi}`], log);
  if (!isExecutable(binary)) throw new Error(`go install succeeded but ${binary} is missing`);
  log(`built the Web UI server ${versions.temporalUi} in ${Math.round((Date.now() - started) / 1000)} s`);
}
