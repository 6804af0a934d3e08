import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../../worker/config';
import { errorCodeLabel } from '../../activities/metrics';
import { DEFAULT_HEALTH_PORT, DEFAULT_METRICS_ADDRESS, loadWorkerOps } from '../../worker/ops-config';
import { jsonLogLine } from '../../worker/runtime';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadWorkerOps(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

describe('loadWorkerOps', () => {
  it('defaults to health on 8081, metrics on 0.0.0.0:9464 and JSON logs', () => {
    expect(loadWorkerOps({})).toEqual({ healthPort: 8081, metricsAddress: '0.0.0.0:9464', logFormat: 'json' });
    expect([DEFAULT_HEALTH_PORT, DEFAULT_METRICS_ADDRESS]).toEqual([8081, '0.0.0.0:9464']);
  });

  it('treats empty variables as unset, except WORKER_METRICS_ADDRESS where empty means off', () => {
    expect(loadWorkerOps({ WORKER_HEALTH_PORT: '', WORKER_LOG_FORMAT: '', WORKER_METRICS_ADDRESS: '' })).toEqual({
      healthPort: 8081,
      logFormat: 'json',
    });
  });

  it.each(['off', 'OFF', ' off '])('switches metrics off with %j', (value) => {
    expect(loadWorkerOps({ WORKER_METRICS_ADDRESS: value }).metricsAddress).toBeUndefined();
  });

  it.each([
    ['0', 0],
    ['9090', 9090],
    ['65535', 65535],
  ])('takes WORKER_HEALTH_PORT=%s (0 = any free port)', (raw, port) => {
    expect(loadWorkerOps({ WORKER_HEALTH_PORT: raw }).healthPort).toBe(port);
  });

  it.each(['127.0.0.1:9464', '0.0.0.0:1', '[::]:9464', '[::1]:9464'])('takes WORKER_METRICS_ADDRESS=%s', (raw) => {
    expect(loadWorkerOps({ WORKER_METRICS_ADDRESS: raw }).metricsAddress).toBe(raw);
  });

  it.each(['json', 'text'])('takes WORKER_LOG_FORMAT=%s', (raw) => {
    expect(loadWorkerOps({ WORKER_LOG_FORMAT: raw }).logFormat).toBe(raw);
  });

  it.each([
    [{ WORKER_HEALTH_PORT: '65536' }, 'WORKER_HEALTH_PORT must be a port 0-65535 (0 = any free port), got 65536'],
    [{ WORKER_HEALTH_PORT: '-1' }, 'WORKER_HEALTH_PORT must be a port 0-65535 (0 = any free port), got -1'],
    [{ WORKER_HEALTH_PORT: '80.5' }, 'WORKER_HEALTH_PORT must be a port 0-65535 (0 = any free port), got 80.5'],
    [{ WORKER_HEALTH_PORT: 'http' }, 'WORKER_HEALTH_PORT must be a port 0-65535 (0 = any free port), got http'],
    [{ WORKER_LOG_FORMAT: 'JSON' }, 'WORKER_LOG_FORMAT must be one of json, text, got JSON'],
    [{ WORKER_LOG_FORMAT: 'pretty' }, 'WORKER_LOG_FORMAT must be one of json, text, got pretty'],
  ])('names the variable: %j', (env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  it.each([
    'localhost:9464', // the SDK binds a socket address: no host names
    '9464',
    '0.0.0.0',
    '0.0.0.0:0', // the runtime would not say which port it took
    '0.0.0.0:70000',
    '::1:9464', // IPv6 needs brackets
    '[127.0.0.1]:9464',
    'http://0.0.0.0:9464',
    '256.0.0.1:9464',
  ])('refuses WORKER_METRICS_ADDRESS=%s, naming the variable', (raw) => {
    expect(problemsOf({ WORKER_METRICS_ADDRESS: raw })).toEqual([
      `WORKER_METRICS_ADDRESS must be ip:port (e.g. 0.0.0.0:9464 or [::]:9464, port 1-65535) or off, got ${raw}`,
    ]);
  });

  it('lists every problem at once', () => {
    expect(
      problemsOf({ WORKER_HEALTH_PORT: 'x', WORKER_METRICS_ADDRESS: 'y', WORKER_LOG_FORMAT: 'z' }).map(
        (p) => p.split(' ')[0],
      ),
    ).toEqual(['WORKER_HEALTH_PORT', 'WORKER_METRICS_ADDRESS', 'WORKER_LOG_FORMAT']);
  });
});

describe('JSON log lines (WORKER_LOG_FORMAT=json)', () => {
  const at = BigInt(Date.UTC(2026, 10, 26, 1, 2, 3, 456)) * 1_000_000n;
  const line = (meta?: Record<string, unknown>, message = 'gateway call') =>
    JSON.parse(jsonLogLine({ level: 'INFO', message, meta, timestampNanos: at })) as Record<string, unknown>;

  it('is one line: time, level, message, then the metadata', () => {
    const text = jsonLogLine({
      level: 'WARN',
      message: 'two\nlines',
      meta: { workflowId: 'upay-T-C', clientSn: 'C', sn: '7890' },
      timestampNanos: at,
    });
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toEqual({
      time: '2026-11-26T01:02:03.456Z',
      level: 'WARN',
      message: 'two\nlines',
      workflowId: 'upay-T-C',
      clientSn: 'C',
      sn: '7890',
    });
    expect(Object.keys(JSON.parse(text) as object).slice(0, 3)).toEqual(['time', 'level', 'message']);
  });

  it('drops secret-looking fields at any depth, and the activity task token (it can complete an activity)', () => {
    expect(
      line({
        taskToken: 'CiQ…',
        terminalKey: 'k',
        terminal_key: 'k',
        apiKey: 'k',
        sign: 's',
        signature: 's',
        Authorization: 'T s',
        nested: { password: 'p', currentKey: 'k', keep: 1 },
        clientSn: 'C',
      }),
    ).toEqual({ time: expect.any(String), level: 'INFO', message: 'gateway call', nested: { keep: 1 }, clientSn: 'C' });
  });

  it('never lets metadata overwrite time, level or message', () => {
    expect(line({ level: 'x', message: 'y', time: 'z' })).toMatchObject({
      level: 'INFO',
      message: 'gateway call',
      meta_level: 'x',
      meta_message: 'y',
      meta_time: 'z',
    });
  });

  it('writes errors, bigints, dates and cycles as plain JSON', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const failure = ApplicationFailure.nonRetryable('no key here', 'UnknownTerminal');
    const out = line({ error: failure, big: 10n, when: new Date(0), cycle });
    expect(out.error).toMatchObject({ name: 'ApplicationFailure', message: 'no key here', type: 'UnknownTerminal' });
    expect(out).toMatchObject({ big: '10', when: '1970-01-01T00:00:00.000Z', cycle: { a: 1, self: '[Circular]' } });
  });
});

describe('error_code metric label (bounded)', () => {
  it.each([
    [{ errorCode: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' }, 'UPAY_TCP_ORDER_NOT_REFUNDABLE'],
    [{ errorCode: 'ILLEGAL_SIGN' }, 'ILLEGAL_SIGN'],
    [{ errorCode: 'MAINTENANCE_INPROGRESS' }, 'MAINTENANCE_INPROGRESS'],
    [{ errorCode: 'UNKNOWN_TERMINAL' }, 'UNKNOWN_TERMINAL'],
    [{ errorCode: 'SOMETHING_NEW_FROM_THE_GATEWAY' }, 'OTHER'],
    [{ errorCode: '订单 7890 不存在' }, 'OTHER'],
    [{ transportError: 'UND_ERR_HEADERS_TIMEOUT' }, 'UND_ERR_HEADERS_TIMEOUT'],
    [{ transportError: 'ECONNRESET' }, 'ECONNRESET'],
    [{ transportError: 'CALL_DEADLINE' }, 'CALL_DEADLINE'],
    [{ transportError: 'SEND_DEADLINE' }, 'SEND_DEADLINE'],
    [{ transportError: 'ACTIVITY_CANCELLED' }, 'ACTIVITY_CANCELLED'],
    [{ transportError: 'socket hang up 7890' }, 'TRANSPORT'],
    [{}, 'none'],
  ])('%j → %s', (answer, label) => {
    expect(errorCodeLabel(answer)).toBe(label);
  });
});
