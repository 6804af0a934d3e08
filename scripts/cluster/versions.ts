import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../toolchain/paths';

/**
 * The one source of truth for the production topology's versions: deploy/versions.json. The cluster
 * script builds and runs these; docker-compose.yml pins the same image tags and docs/production.md names
 * them (test/static/versions.test.ts fails when they drift).
 */
export interface ClusterVersions {
  /** go.temporal.io/server (cmd/server, cmd/tools/sql); compose: temporalio/server and temporalio/admin-tools. */
  temporalServer: string;
  /** github.com/temporalio/ui-server/v2 (cmd/server); compose: temporalio/ui. */
  temporalUi: string;
  /** compose: postgres:<this>; the cluster script runs the system's PostgreSQL of the same major version. */
  postgres: string;
}

export const VERSIONS_FILE = path.join(REPO_ROOT, 'deploy', 'versions.json');

const SEMVER = /^\d+\.\d+\.\d+$/;

export function loadVersions(file = VERSIONS_FILE): ClusterVersions {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<keyof ClusterVersions, unknown>>;
  const read = (key: keyof ClusterVersions, pattern: RegExp): string => {
    const value = raw[key];
    if (typeof value !== 'string' || !pattern.test(value))
      throw new Error(`${file}: "${key}" must be a version like ${pattern.source}, got ${JSON.stringify(value)}`);
    return value;
  };
  return {
    temporalServer: read('temporalServer', SEMVER),
    temporalUi: read('temporalUi', SEMVER),
    postgres: read('postgres', /^\d+\.\d+$/),
  };
}

/** PostgreSQL's major version (15 for 15.18): what the system packages must provide. */
export function postgresMajor(versions: ClusterVersions): number {
  return Number(versions.postgres.split('.')[0]);
}
