/**
 * Dockerfile and .dockerignore checked statically (no Docker engine here): the stages, the user, the
 * install, the healthcheck, and that the image holds every folder the worker and the simulator import.
 */
import { readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { ROOT, commandLine, loadCompose, readText } from './support';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

const all = instructions(readText('Dockerfile'));
const stageStarts = all.flatMap((ins, i) => (ins.op === 'FROM' ? [i] : []));
const finalStage = all.slice(stageStarts[stageStarts.length - 1]);
const packageJson = JSON.parse(readText('package.json')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** A JSON-array (exec form) argument list, e.g. CMD ["node", "x"]. */
function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  return JSON.parse(json) as string[];
}

/** Paths the final image copies from the build context (not from another stage). */
function copiedPaths(): string[] {
  return finalStage
    .filter((ins) => ins.op === 'COPY' && !ins.args.startsWith('--from='))
    .flatMap((ins) => {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      return parts.slice(0, -1).map((p) => p.replace(/\/$/, ''));
    });
}

/** Module specifiers a file loads at run time: imports (not `import type`), re-exports, require, require.resolve, import(). */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readText(path.relative(ROOT, file)), ts.ScriptTarget.ES2022, true);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
      specs.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      specs.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression.getText(source);
      if (['require', 'require.resolve'].includes(callee) || node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        specs.push(node.arguments[0].text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs;
}

function resolveLocal(fromFile: string, spec: string): string {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts'), `${base}.json`]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next candidate
    }
  }
  throw new Error(`cannot resolve ${spec} from ${path.relative(ROOT, fromFile)}`);
}

/** Every local file and every package an entry point loads, transitively. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [path.join(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.ts')) continue;
    for (const spec of runtimeSpecifiers(file)) {
      if (spec.startsWith('.')) pending.push(resolveLocal(file, spec));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec.split('/')[0]!)) {
        const parts = spec.split('/');
        packages.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
  }
  return { files, packages };
}

/** Entry points run from this image: its CMD, and the `command` of every compose service built from it. */
function entryPoints(): string[] {
  const cmd = execForm(finalStage.find((ins) => ins.op === 'CMD')!.args);
  const fromCompose = Object.values(loadCompose().services)
    .filter((svc) => svc.build !== undefined && svc.command !== undefined)
    .map((svc) => commandLine(svc.command));
  return [cmd, ...fromCompose].map((argv) => argv.find((arg) => arg.endsWith('.ts'))!);
}

/** .dockerignore patterns (negations dropped) as regular expressions over context-relative paths. */
function dockerignorePatterns(): RegExp[] {
  return readText('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'))
    .map((pattern) => {
      const body = pattern
        .replace(/\/$/, '')
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) =>
          part === '**/'
            ? '(?:.*/)?'
            : part === '**'
              ? '.*'
              : part === '*'
                ? '[^/]*'
                : part === '?'
                  ? '[^/]'
                  : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      return new RegExp(`^${body}(?:/.*)?$`);
    });
}

const ignored = (relative: string): boolean => dockerignorePatterns().some((re) => re.test(relative));

function filesUnder(relative: string): string[] {
  const full = path.join(ROOT, relative);
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full).flatMap((name) => filesUnder(path.posix.join(relative, name)));
}

describe('Dockerfile', () => {
  it('is multi-stage: node_modules come from a named build stage', () => {
    expect(stageStarts.length).toBeGreaterThanOrEqual(2);
    const stageNames = all.filter((ins) => ins.op === 'FROM').map((ins) => /\sAS\s+(\S+)/i.exec(ins.args)?.[1]);
    const copiedFrom = finalStage
      .filter((ins) => ins.args.startsWith('--from='))
      .map((ins) => /--from=(\S+)/.exec(ins.args)![1]);
    expect(copiedFrom.length).toBeGreaterThan(0);
    for (const stage of copiedFrom) expect(stageNames).toContain(stage);
  });

  it('pins every base image to a version tag', () => {
    for (const from of all.filter((ins) => ins.op === 'FROM')) {
      const image = from.args.split(/\s+/)[0]!;
      expect(image).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+[A-Za-z0-9._-]*(@sha256:[a-f0-9]{64})?$/);
    }
  });

  it('installs production dependencies only, exactly as locked (npm ci --omit=dev)', () => {
    const installs = all.filter((ins) => ins.op === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(ins.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) expect(run.args).toMatch(/\bnpm ci\b.*--omit=dev/);
  });

  it('runs as a user that is not root', () => {
    const users = finalStage.filter((ins) => ins.op === 'USER').map((ins) => ins.args.trim());
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1]);
  });

  it('has a HEALTHCHECK that asks /readyz on WORKER_HEALTH_PORT (default 8081)', () => {
    const check = finalStage.find((ins) => ins.op === 'HEALTHCHECK');
    expect(check).toBeDefined();
    const argv = execForm(check!.args);
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    expect(argv[2]).toContain('process.env.WORKER_HEALTH_PORT || 8081');
    expect(argv[2]).toContain("+ '/readyz'");
  });

  it('runs the worker with node --import tsx worker/main.ts, and tsx is a production dependency', () => {
    expect(execForm(finalStage.find((ins) => ins.op === 'CMD')!.args)).toEqual([
      'node',
      '--import',
      'tsx',
      'worker/main.ts',
    ]);
    expect(packageJson.dependencies).toHaveProperty('tsx');
  });

  it.each(entryPoints())('copies every top-level folder %s loads, and package.json', (entry) => {
    const { files } = closure(entry);
    const folders = [...files]
      .map((file) => path.relative(ROOT, file).split(path.sep)[0]!)
      .filter((top) => !top.includes('.'));
    const copied = copiedPaths();
    expect([...new Set(folders)].filter((folder) => !copied.includes(folder)).sort()).toEqual([]);
    expect(copied).toContain('package.json');
  });

  it.each(entryPoints())('%s loads only packages that `npm ci --omit=dev` installs', (entry) => {
    const { packages } = closure(entry);
    expect([...packages].filter((name) => !(name in packageJson.dependencies)).sort()).toEqual([]);
  });

  it('finds the workflow code the worker bundles at start (require.resolve) among what it loads', () => {
    const { files } = closure('worker/main.ts');
    expect(files).toContain(path.join(ROOT, 'workflows', 'index.ts'));
    expect(files).toContain(path.join(ROOT, 'workflows', 'payment-saga.ts'));
  });
});

describe('.dockerignore', () => {
  it('ignores nothing the image copies', () => {
    const copied = copiedPaths().flatMap(filesUnder);
    expect(copied.length).toBeGreaterThan(20);
    expect(copied.filter(ignored)).toEqual([]);
  });

  it('keeps secrets and local state out of the build context', () => {
    for (const file of [
      '.env',
      'certs/client.pem',
      'certs/client.key',
      'temporal.toml',
      '.data/temporal.sqlite',
      '.git/config',
    ]) {
      expect([file, ignored(file)]).toEqual([file, true]);
    }
    expect(ignored('node_modules/tsx/package.json')).toBe(true); // installed fresh by npm ci
  });
});
