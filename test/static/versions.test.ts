/**
 * One source of truth for the production topology's versions: deploy/versions.json. The cluster script
 * (scripts/cluster, `npm run cluster`) builds and runs exactly those; docker-compose.yml must pin the same image
 * tags and docs/production.md must name the same ones. This fails when any of them drifts.
 */
import path from 'node:path';
import { temporalBuild, uiBinary } from '../../scripts/cluster/binaries';
import { loadVersions, postgresMajor, VERSIONS_FILE } from '../../scripts/cluster/versions';
import { loadCompose, readText, service } from './support';

const versions = loadVersions();
const compose = loadCompose();

/** Every `image:tag` of these images named anywhere in a text (compose file, docs). */
function imageTags(text: string): { image: string; tag: string }[] {
  const found = text.matchAll(/\b(postgres|temporalio\/(?:server|admin-tools|ui|auto-setup)):([\w.-]+)/g);
  return [...found].map((m) => ({ image: m[1]!, tag: m[2]! }));
}

const expectedTag: Record<string, string> = {
  postgres: versions.postgres,
  'temporalio/server': versions.temporalServer,
  'temporalio/admin-tools': versions.temporalServer,
  'temporalio/ui': versions.temporalUi,
};

describe('deploy/versions.json', () => {
  it('names a Temporal server, a Web UI and a PostgreSQL version', () => {
    expect(path.relative(path.resolve(__dirname, '../..'), VERSIONS_FILE)).toBe(path.join('deploy', 'versions.json'));
    expect(versions.temporalServer).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versions.temporalUi).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versions.postgres).toMatch(/^\d+\.\d+$/);
  });

  it('is what the cluster script builds and runs: binaries cached per version, PostgreSQL by major', () => {
    expect(temporalBuild(versions.temporalServer).dir).toMatch(
      new RegExp(`[/\\\\]temporal-${versions.temporalServer.replace(/\./g, '\\.')}$`),
    );
    expect(path.basename(path.dirname(uiBinary(versions.temporalUi)))).toBe(`ui-${versions.temporalUi}`);
    expect(postgresMajor(versions)).toBe(Number(versions.postgres.split('.')[0]));
  });
});

describe('docker-compose.yml pins the versions of deploy/versions.json', () => {
  it.each([
    ['postgresql', `postgres:${versions.postgres}`],
    ['temporal-schema', `temporalio/admin-tools:${versions.temporalServer}`],
    ['temporal', `temporalio/server:${versions.temporalServer}`],
    ['temporal-namespace', `temporalio/admin-tools:${versions.temporalServer}`],
    ['temporal-ui', `temporalio/ui:${versions.temporalUi}`],
  ])('%s runs %s', (name, image) => {
    expect(service(compose, name).image).toBe(image);
  });

  it('names no other tag of those images anywhere in the file (comments included)', () => {
    const tags = imageTags(readText('docker-compose.yml'));
    expect(tags.length).toBeGreaterThanOrEqual(5);
    for (const { image, tag } of tags) expect([image, tag]).toEqual([image, expectedTag[image]]);
  });
});

describe('docs/production.md names the same versions', () => {
  const docs = readText('docs/production.md');

  it('lists every compose image with its pinned tag', () => {
    for (const image of [
      `postgres:${versions.postgres}`,
      `temporalio/server:${versions.temporalServer}`,
      `temporalio/admin-tools:${versions.temporalServer}`,
      `temporalio/ui:${versions.temporalUi}`,
    ])
      expect([image, docs.includes(`\`${image}\``)]).toEqual([image, true]);
  });

  it('names no other tag of those images', () => {
    for (const { image, tag } of imageTags(docs)) expect([image, tag]).toEqual([image, expectedTag[image]]);
  });

  it('names the Go modules the cluster builds at the same versions, and PostgreSQL by its major', () => {
    const modules = [
      ...docs.matchAll(/(go\.temporal\.io\/server|github\.com\/temporalio\/ui-server\/v2)(?:\/[\w/]+)?@v([\w.-]+)/g),
    ];
    expect(modules.map((m) => m[1]).sort()).toEqual(
      expect.arrayContaining(['github.com/temporalio/ui-server/v2', 'go.temporal.io/server']),
    );
    for (const [, module, version] of modules)
      expect([module, version]).toEqual([
        module,
        module === 'go.temporal.io/server' ? versions.temporalServer : versions.temporalUi,
      ]);
    expect(docs).toContain(`PostgreSQL ${postgresMajor(versions)}`);
  });

  it('says "Temporal server X" and "Web UI X" only with the pinned versions', () => {
    const said = [...docs.matchAll(/(Temporal server|Web UI) (\d+\.\d+\.\d+)/g)].map((m) => [m[1], m[2]]);
    expect(said.length).toBeGreaterThanOrEqual(2);
    for (const [what, version] of said)
      expect([what, version]).toEqual([what, what === 'Web UI' ? versions.temporalUi : versions.temporalServer]);
  });
});
