/**
 * docker-compose.yml checked without a Docker engine (none runs on the development machines): the
 * file is parsed and interpolated the way Compose does, and its services, ports and environment are
 * checked against the code that reads them. `docker compose config` runs only where the plugin exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { parse } from 'yaml';
import { CODEC_SERVER_VARIABLES } from '../../codec/server';
import { loadWorkerConfig } from '../../worker/config';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../scripts/toolchain/dev-server';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { TASK_QUEUE } from '../../workflows/types';
import {
  ROOT,
  commandLine,
  containerEnvironment,
  containerPort,
  envconfigVariables,
  GRPC_META_PREFIX,
  hostAndPort,
  interpolate,
  interpolatedNames,
  isWorkerVariable,
  loadCompose,
  loadEnvExample,
  PAYLOAD_VARIABLES,
  rawEnvironment,
  readText,
  service,
  WORKER_OPERATION_VARIABLES,
  workerVariables,
  type ComposeService,
  type DependsOn,
  type ProjectEnv,
} from './support';

const compose = loadCompose();
const envExample = loadEnvExample();
/** What `cp .env.example .env && docker compose up` interpolates with. */
const projectEnv: ProjectEnv = { ...envExample.active };
const services = Object.entries(compose.services);

const isOneShot = (svc: ComposeService): boolean => svc.healthcheck?.disable === true;
const dependencies = (svc: ComposeService): Record<string, DependsOn> => {
  if (Array.isArray(svc.depends_on)) throw new Error('depends_on must use the long form with a condition');
  return svc.depends_on ?? {};
};
const healthcheckText = (svc: ComposeService): string => commandLine(svc.healthcheck?.test).join(' ');

/** The worker's variables that belong in the compose stack (connection security does not: see below). */
const COMPOSE_WORKER_VARIABLES = workerVariables().filter(
  (name) =>
    name.startsWith('SQB_') ||
    (WORKER_OPERATION_VARIABLES as readonly string[]).includes(name) ||
    (PAYLOAD_VARIABLES as readonly string[]).includes(name) ||
    ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE'].includes(name),
);

describe('interpolate (the Compose rules these tests rely on)', () => {
  it.each([
    ['${A:-d}', {}, 'd'],
    ['${A:-d}', { A: '' }, 'd'],
    ['${A-d}', { A: '' }, ''],
    ['${A-d}', {}, 'd'],
    ['${A}', { A: 'x' }, 'x'],
    ['$A/$$B', { A: 'x' }, 'x/$B'],
    ['${A:+alt}', { A: 'x' }, 'alt'],
  ] as [string, ProjectEnv, string][])('%s with %j is %j', (text, env, expected) => {
    expect(interpolate(text, env)).toBe(expected);
  });

  it('fails on a required variable that is unset', () => {
    expect(() => interpolate('${A:?set A}', {})).toThrow('set A');
  });
});

describe('docker-compose.yml', () => {
  it('has the production stack: PostgreSQL, schema job, server, namespace job, Web UI, worker, simulator', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['postgresql', 'simulator', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );
  });

  it.each(services)('pins the image of %s to a version tag, or builds it from this repository', (_name, svc) => {
    if (svc.image === undefined) {
      expect(svc.build).toBe('.');
      return;
    }
    expect(svc.image).not.toContain('$'); // a tag from a variable is not a pin
    const m = /^([a-z0-9][a-z0-9._/-]*):([A-Za-z0-9][A-Za-z0-9._-]*)(@sha256:[a-f0-9]{64})?$/.exec(svc.image);
    expect(m).not.toBeNull();
    expect(m![2]).not.toBe('latest');
    expect(m![2]).toMatch(/^\d+\.\d+(\.\d+)?/); // a version, not a moving name such as "stable"
  });

  it('uses one Temporal version for the server and its admin tools (schema and server move together)', () => {
    const tag = (name: string) => service(compose, name).image!.split(':')[1];
    expect(service(compose, 'temporal').image).toMatch(/^temporalio\/server:/);
    expect(service(compose, 'temporal-schema').image).toMatch(/^temporalio\/admin-tools:/);
    expect(tag('temporal-schema')).toBe(tag('temporal'));
    expect(tag('temporal-namespace')).toBe(tag('temporal'));
  });

  it.each(services)('gives %s a healthcheck, or marks it a one-shot job', (_name, svc) => {
    expect(svc.healthcheck).toBeDefined();
    if (isOneShot(svc)) {
      expect(svc.restart).toMatch(/^on-failure(:\d+)?$/);
    } else {
      expect(commandLine(svc.healthcheck!.test)[0]).toMatch(/^CMD(-SHELL)?$/);
      expect(svc.restart).toBe('unless-stopped');
    }
  });

  it('waits on a condition in every depends_on: healthy services, or one-shot jobs that succeeded', () => {
    for (const [name, svc] of services) {
      for (const [target, dep] of Object.entries(dependencies(svc))) {
        const targetSvc = service(compose, target);
        if (isOneShot(targetSvc))
          expect([name, target, dep.condition]).toEqual([name, target, 'service_completed_successfully']);
        else expect([name, target, dep.condition]).toEqual([name, target, 'service_healthy']);
        // Only a service behind a profile may be missing.
        if (dep.required === false) expect(targetSvc.profiles?.length).toBeGreaterThan(0);
        else expect([name, target, targetSvc.profiles]).toEqual([name, target, undefined]);
      }
    }
  });

  it('starts in order: PostgreSQL → schema → server → namespace and search attributes → UI and worker', () => {
    const deps = (name: string) => Object.keys(dependencies(service(compose, name))).sort();
    expect(deps('temporal-schema')).toEqual(['postgresql']);
    expect(deps('temporal')).toEqual(['temporal-schema']);
    expect(deps('temporal-namespace')).toEqual(['temporal']);
    expect(deps('temporal-ui')).toEqual(['temporal-namespace']);
    expect(deps('worker')).toEqual(['simulator', 'temporal-namespace']);
  });

  it('runs the simulator only under the `simulator` profile, and everything else always', () => {
    for (const [name, svc] of services) {
      expect([name, svc.profiles]).toEqual([name, name === 'simulator' ? ['simulator'] : undefined]);
    }
  });

  it('sets the schema up the way temporalio/samples-server compose does (temporal-sql-tool, postgres12)', () => {
    const schema = service(compose, 'temporal-schema');
    const env = containerEnvironment(schema, projectEnv);
    expect(env).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgresql' });
    expect(env.SQL_PASSWORD).toBe(containerEnvironment(service(compose, 'postgresql'), projectEnv).POSTGRES_PASSWORD);
    const script = scriptOf(schema);
    for (const db of ['temporal', 'temporal_visibility']) {
      expect(script).toMatch(new RegExp(`--db ${db} create`));
      expect(script).toMatch(new RegExp(`--db ${db} setup-schema -v 0.0`));
      expect(script).toMatch(new RegExp(`--db ${db} update-schema -d`));
    }
    expect(script).toContain('--plugin postgres12');
    const server = containerEnvironment(service(compose, 'temporal'), projectEnv);
    expect(server).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgresql' });
    expect(server.POSTGRES_USER).toBe(env.POSTGRES_USER);
    expect(server.POSTGRES_PWD).toBe(env.SQL_PASSWORD);
  });

  it('gives the server the dynamic config the saga needs (update-with-start), as every dev server gets', () => {
    const server = service(compose, 'temporal');
    const file = containerEnvironment(server, projectEnv).DYNAMIC_CONFIG_FILE_PATH!;
    const hostFile = hostPathOf(server, path.posix.join('/etc/temporal', file));
    const dynamicConfig = parse(readFileSync(hostFile, 'utf8')) as Record<string, { value: unknown }[]>;
    expect(DEV_SERVER_DYNAMIC_CONFIG).toContain('frontend.enableExecuteMultiOperation=true');
    for (const setting of DEV_SERVER_DYNAMIC_CONFIG) {
      const [key, value] = setting.split('=') as [string, string];
      expect([key, dynamicConfig[key]?.[0]?.value]).toEqual([key, JSON.parse(value)]);
    }
  });

  it('registers exactly the search attributes of workflows/search-attributes.ts', () => {
    const declared = containerEnvironment(service(compose, 'temporal-namespace'), projectEnv).SEARCH_ATTRIBUTES!;
    const cliType = (type: string) => type.charAt(0) + type.slice(1).toLowerCase(); // KEYWORD → Keyword
    expect(declared.split(/\s+/).sort()).toEqual(
      PAYMENT_SEARCH_ATTRIBUTES.map((key) => `${key.name}=${cliType(key.type)}`).sort(),
    );
    expect(scriptOf(service(compose, 'temporal-namespace'))).toContain('temporal operator search-attribute create');
  });

  it('keeps Web UI write actions and signals on, so operators can revoke and resolve from it', () => {
    const ui = containerEnvironment(service(compose, 'temporal-ui'), projectEnv);
    expect(ui.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('false');
    expect(ui.TEMPORAL_WORKFLOW_SIGNAL_DISABLED).toBe('false');
    expect(ui.TEMPORAL_DEFAULT_NAMESPACE).toBe(
      containerEnvironment(service(compose, 'worker'), projectEnv).TEMPORAL_NAMESPACE,
    );
  });

  describe('ports agree between services', () => {
    const temporal = service(compose, 'temporal');
    const temporalPorts = (temporal.ports ?? []).map(containerPort);

    it.each(['worker', 'temporal-namespace', 'temporal-ui'])(
      "%s's TEMPORAL_ADDRESS is the temporal service",
      (name) => {
        const { host, port } = hostAndPort(containerEnvironment(service(compose, name), projectEnv).TEMPORAL_ADDRESS!);
        expect(host).toBe('temporal');
        expect(temporalPorts).toContain(port);
        expect(healthcheckText(temporal)).toContain(String(port));
      },
    );

    it("the worker's default SQB_API_DOMAIN is the simulator service, on the port it listens on", () => {
      const simulator = service(compose, 'simulator');
      const { host, port } = hostAndPort(containerEnvironment(service(compose, 'worker'), projectEnv).SQB_API_DOMAIN!);
      expect(host).toBe('simulator');
      expect(Number(containerEnvironment(simulator, projectEnv).SIMULATOR_PORT)).toBe(port);
      expect((simulator.ports ?? []).map((p) => containerPort(interpolate(p, projectEnv)))).toContain(port);
      expect(healthcheckText(simulator)).toContain(`127.0.0.1:${port}/`);
    });

    it('the worker and the simulator share the terminal by default (the simulator checks the signature)', () => {
      const worker = containerEnvironment(service(compose, 'worker'), projectEnv);
      const simulator = containerEnvironment(service(compose, 'simulator'), projectEnv);
      expect(simulator.SQB_TERMINAL_SN).toBe(worker.SQB_TERMINAL_SN);
      expect(simulator.SQB_TERMINAL_KEY).toBe(worker.SQB_TERMINAL_KEY);
    });

    it("the worker's healthcheck asks /readyz on WORKER_HEALTH_PORT, which it exposes", () => {
      const worker = service(compose, 'worker');
      const port = containerEnvironment(worker, projectEnv).WORKER_HEALTH_PORT!;
      expect(interpolate(healthcheckText(worker), projectEnv)).toContain(`http://127.0.0.1:${port}/readyz`);
      expect((worker.expose ?? []).map((p) => interpolate(String(p), projectEnv))).toContain(port);
      const metrics = containerEnvironment(worker, projectEnv).WORKER_METRICS_ADDRESS!;
      expect((worker.expose ?? []).map(String)).toContain(String(hostAndPort(metrics).port));
    });

    it("the Web UI's healthcheck and published port are the port it listens on (8080)", () => {
      const ui = service(compose, 'temporal-ui');
      expect((ui.ports ?? []).map(containerPort)).toEqual([8080]);
      expect(healthcheckText(ui)).toContain('127.0.0.1:8080/healthz');
    });

    it('the database jobs and the server reach the postgresql service on 5432', () => {
      expect(healthcheckText(service(compose, 'postgresql'))).toContain('pg_isready');
      for (const name of ['temporal-schema', 'temporal']) {
        expect(containerEnvironment(service(compose, name), projectEnv)).toMatchObject({
          POSTGRES_SEEDS: 'postgresql',
          DB_PORT: '5432',
        });
      }
    });

    it('publishes ports on the loopback interface only (no authentication in front of them)', () => {
      for (const [name, svc] of services) {
        for (const mapping of svc.ports ?? [])
          expect([name, mapping]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:/)]);
      }
      expect(service(compose, 'worker').ports).toBeUndefined(); // replicas scale without port clashes
    });
  });

  describe("the worker's environment", () => {
    const worker = service(compose, 'worker');

    it('passes loadWorkerConfig with the defaults (.env.example as .env): simulator and demo terminal', () => {
      const env = containerEnvironment(worker, projectEnv);
      expect(loadWorkerConfig(env)).toEqual({
        apiDomain: 'http://simulator:8765',
        terminals: [{ terminalSn: '100000000000000001', terminalKey: '0123456789abcdef0123456789abcdef' }],
        taskQueue: TASK_QUEUE,
      });
    });

    it('passes loadWorkerConfig with a production .env: the real gateway and only its terminal', () => {
      const key = 'f'.repeat(32);
      const env = containerEnvironment(worker, {
        SQB_API_DOMAIN: 'https://vsi-api.shouqianba.com',
        SQB_TERMINAL_SN: '100000000000009999',
        SQB_TERMINAL_KEY: key,
        WORKER_MAX_ACTIVITIES_PER_SECOND: '20',
      });
      expect(loadWorkerConfig(env)).toEqual({
        apiDomain: 'https://vsi-api.shouqianba.com',
        terminals: [{ terminalSn: '100000000000009999', terminalKey: key }],
        taskQueue: TASK_QUEUE,
      });
      expect(env.WORKER_MAX_ACTIVITIES_PER_SECOND).toBe('20');
      expect(env).not.toHaveProperty('WORKER_MAX_CACHED_WORKFLOWS'); // unset stays unset (SDK default)
    });

    it('drops the demo terminal when SQB_TERMINALS_FILE is used with SQB_TERMINAL_SN/KEY set empty', () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'compose-terminals-')), 'terminals.json');
      const key = 'e'.repeat(32);
      writeFileSync(file, JSON.stringify([{ terminal_sn: 'T1', terminal_key: key }]));
      const env = containerEnvironment(worker, {
        SQB_API_DOMAIN: 'https://vsi-api.shouqianba.com',
        SQB_TERMINALS_FILE: file,
        SQB_TERMINAL_SN: '',
        SQB_TERMINAL_KEY: '',
      });
      expect(loadWorkerConfig(env).terminals).toEqual([{ terminalSn: 'T1', terminalKey: key }]);
    });

    it("connects to the stack's own server in plaintext, whatever TEMPORAL_* the shell exports", () => {
      const env = containerEnvironment(worker, {
        ...projectEnv,
        TEMPORAL_ADDRESS: 'payments.abc12.tmprl.cloud:7233',
        TEMPORAL_API_KEY: 'from-the-shell',
        TEMPORAL_TLS: 'true',
      });
      const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: env, disableFile: true });
      expect(connectionOptions).toEqual({
        address: 'temporal:7233',
        apiKey: undefined,
        tls: undefined,
        metadata: undefined,
      });
      expect(namespace).toBe('default');
    });

    it('holds only variables the worker reads, none of them connection secrets for another server', () => {
      const names = Object.keys(rawEnvironment(worker));
      expect(names.filter((name) => !isWorkerVariable(name))).toEqual([]);
      // An empty TEMPORAL_API_KEY would switch TLS on (connection-config.test.ts), and the server here is plaintext.
      expect(
        names.filter(
          (n) =>
            n.startsWith('TEMPORAL_') && !['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE'].includes(n),
        ),
      ).toEqual([]);
    });

    it('passes on every gateway, operations and encryption setting the worker reads', () => {
      const names = Object.keys(rawEnvironment(worker));
      expect(COMPOSE_WORKER_VARIABLES.filter((name) => !names.includes(name))).toEqual([]);
    });
  });

  describe('.env.example', () => {
    it('documents every variable the worker reads (SQB_*, TEMPORAL_* of envconfig, WORKER_*, PAYLOAD_*)', () => {
      expect(envconfigVariables()).toEqual(expect.arrayContaining(['TEMPORAL_ADDRESS', 'TEMPORAL_API_KEY']));
      expect(workerVariables().filter((name) => !envExample.documented.has(name))).toEqual([]);
      expect(envExample.text).toContain(GRPC_META_PREFIX);
    });

    it("documents every variable in the worker's compose environment", () => {
      expect(
        Object.keys(rawEnvironment(service(compose, 'worker'))).filter((n) => !envExample.documented.has(n)),
      ).toEqual([]);
    });

    it('documents every ${VARIABLE} docker-compose.yml interpolates', () => {
      const names = [...interpolatedNames(readText('docker-compose.yml'))];
      expect(names.filter((name) => !envExample.documented.has(name))).toEqual([]);
    });

    it('documents every variable the codec server reads (CODEC_SERVER_*, PAYLOAD_*)', () => {
      const names = [...CODEC_SERVER_VARIABLES, ...PAYLOAD_VARIABLES];
      expect(names.filter((name) => !envExample.documented.has(name))).toEqual([]);
    });

    it('holds no secret values: keys and passwords are commented out or empty', () => {
      for (const [name, value] of Object.entries(envExample.active)) {
        if (/KEY|PASSWORD|SECRET|TOKEN/.test(name)) expect([name, value]).toEqual([name, '']);
      }
    });
  });

  describe('docs/production.md', () => {
    const guide = readText('docs/production.md');

    it('has every variable of .env.example in its configuration table', () => {
      const rows = guide.split('\n').filter((line) => line.startsWith('| `'));
      const inTable = (name: string) => rows.some((row) => row.split('|')[1]!.includes(`\`${name}\``));
      expect([...envExample.documented].filter((name) => !inTable(name))).toEqual([]);
      expect(rows.some((row) => row.includes(`\`${GRPC_META_PREFIX}<HEADER>\``))).toBe(true);
    });

    it('names the images docker-compose.yml pins', () => {
      for (const [name, svc] of services)
        if (svc.image) expect([name, guide.includes(`\`${svc.image}\``)]).toEqual([name, true]);
    });
  });

  describe('deploy/ scripts mounted into the admin-tools jobs', () => {
    it.each(['temporal-schema', 'temporal-namespace'])('%s runs a POSIX sh script from deploy/ that exists', (name) => {
      const svc = service(compose, name);
      const script = scriptPathOf(svc);
      expect(commandLine(svc.entrypoint)).toEqual(['/bin/sh']);
      expect(existsSync(script)).toBe(true);
      const text = readFileSync(script, 'utf8');
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      expect(text).toMatch(/^set -eu$/m);
      expect(statSync(script).mode & 0o111).not.toBe(0);
      expect(spawnSync('sh', ['-n', script]).status).toBe(0);
      expect((svc.volumes ?? []).every((v) => v.endsWith(':ro'))).toBe(true);
    });
  });

  const compose_ = composeCli();
  (compose_.available ? it : it.skip)(
    compose_.available
      ? '`docker compose config` accepts the file, with and without the simulator profile'
      : `\`docker compose config\` (SKIPPED: ${compose_.reason})`,
    () => {
      for (const profile of [[], ['--profile', 'simulator']]) {
        const result = spawnSync(
          'docker',
          ['compose', '--env-file', '.env.example', '-f', 'docker-compose.yml', ...profile, 'config', '--quiet'],
          { cwd: ROOT, encoding: 'utf8' },
        );
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
      }
    },
  );
});

/** The host file behind a path inside a service's container, through its bind mounts. */
function hostPathOf(svc: ComposeService, containerPath: string): string {
  for (const volume of svc.volumes ?? []) {
    const [source, target] = volume.split(':') as [string, string];
    if (!source.startsWith('.')) continue;
    if (containerPath === target || containerPath.startsWith(`${target}/`)) {
      return path.join(ROOT, source, path.posix.relative(target, containerPath));
    }
  }
  throw new Error(`no bind mount holds ${containerPath}`);
}

function scriptPathOf(svc: ComposeService): string {
  const script = commandLine(svc.command).find((arg) => arg.endsWith('.sh'));
  if (!script) throw new Error('no .sh script in the command');
  return hostPathOf(svc, script);
}

function scriptOf(svc: ComposeService): string {
  return readFileSync(scriptPathOf(svc), 'utf8');
}

/** Whether `docker compose` can run here; the reason when it cannot. */
function composeCli(): { available: boolean; reason: string } {
  const result = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (result.error)
    return { available: false, reason: `no docker binary (${(result.error as NodeJS.ErrnoException).code})` };
  if (result.status !== 0) {
    const why = `${result.stderr}${result.stdout}`.trim().split('\n')[0];
    return { available: false, reason: `docker compose plugin not available: ${why}` };
  }
  return { available: true, reason: '' };
}
