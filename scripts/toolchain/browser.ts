/**
 * `npm run toolchain:browser`: makes sure a Chromium exists for the Web UI browser test —
 * CHROMIUM_PATH, else Debian's /usr/bin/chromium, else `apt-get install chromium` when we are root
 * on Debian (CI and fresh machines). Never downloads a Playwright browser.
 */
import { execFileSync } from 'node:child_process';
import { isExecutable } from './temporal-binaries';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The Chromium the browser test drives, or undefined when none is installed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`CHROMIUM_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  return isExecutable(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined;
}

function aptInstallChromium(): void {
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  console.log('toolchain: installing Debian chromium with apt-get (once per machine)');
  try {
    apt(['install', '-y', '-q', '--no-install-recommends', 'chromium']);
  } catch {
    apt(['update', '-q']); // a fresh machine may have no package lists yet
    apt(['install', '-y', '-q', '--no-install-recommends', 'chromium']);
  }
}

if (require.main === module) {
  let found = findChromium();
  if (!found && process.getuid?.() === 0) {
    aptInstallChromium();
    found = findChromium();
  }
  if (!found) {
    console.error(
      "toolchain: no Chromium for the Web UI browser test. Install Debian's (`sudo apt-get install chromium`) " +
        'or set CHROMIUM_PATH to a Chromium/Chrome executable.',
    );
    process.exit(1);
  }
  console.log(`toolchain: chromium: ${found}`);
}
