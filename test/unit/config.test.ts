import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadWorkerConfig } from '../../worker/config';

const KEY = '0123456789abcdef0123456789abcdef';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadWorkerConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

describe('loadWorkerConfig', () => {
  it('reads the gateway, one terminal and the default task queue', () => {
    expect(
      loadWorkerConfig({
        SQB_API_DOMAIN: 'https://vsi-api.shouqianba.com/',
        SQB_TERMINAL_SN: '100',
        SQB_TERMINAL_KEY: KEY,
      }),
    ).toEqual({
      apiDomain: 'https://vsi-api.shouqianba.com',
      terminals: [{ terminalSn: '100', terminalKey: KEY }],
      taskQueue: 'upay-payments',
    });
  });

  it('reads several terminals from SQB_TERMINALS_FILE', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cfg-')), 'terminals.json');
    writeFileSync(
      file,
      JSON.stringify([
        { terminal_sn: '1', terminal_key: KEY },
        { terminal_sn: '2', terminal_key: KEY },
      ]),
    );
    expect(
      loadWorkerConfig({ SQB_API_DOMAIN: 'http://127.0.0.1:8765', SQB_TERMINALS_FILE: file }).terminals.map(
        (t) => t.terminalSn,
      ),
    ).toEqual(['1', '2']);
  });

  it('lists every problem in one error, and never the key', () => {
    const problems = problemsOf({ SQB_API_DOMAIN: 'ftp://x', SQB_TERMINAL_KEY: KEY, SQB_TERMINAL_SNN: 'typo' });
    expect(problems).toEqual([
      expect.stringContaining('SQB_TERMINAL_SNN is not a known setting'),
      expect.stringContaining('SQB_API_DOMAIN is not an http(s) URL'),
      expect.stringContaining('SQB_TERMINAL_SN is missing'),
    ]);
    expect(problems.join('\n')).not.toContain(KEY);
  });

  it('requires a gateway and a terminal', () => {
    expect(problemsOf({})).toEqual([
      expect.stringContaining('SQB_API_DOMAIN is required'),
      expect.stringContaining('no terminal configured'),
    ]);
  });

  it('rejects a gateway URL with a path', () => {
    expect(
      problemsOf({ SQB_API_DOMAIN: 'https://x.test/upay/v2', SQB_TERMINAL_SN: '1', SQB_TERMINAL_KEY: KEY }),
    ).toEqual([expect.stringContaining('origin without a path')]);
  });

  it('reports an unreadable terminals file by its error code only', () => {
    expect(problemsOf({ SQB_API_DOMAIN: 'http://x.test', SQB_TERMINALS_FILE: '/nonexistent/t.json' })).toEqual([
      expect.stringContaining('ENOENT'),
    ]);
  });
});
