import { admitPayment } from '../../activities/admission';
import {
  checkTimingBounds,
  validatePaymentRequest,
  validateResolveRequest,
  validateRevokeRequest,
} from '../../workflows/validation';

const valid = {
  terminalSn: '100000000000000001',
  clientSn: 'ORDER-0001',
  amountFen: 100,
  dynamicId: '130818341921441147',
  subject: '咖啡',
  operator: 'cashier-1',
};

describe('validatePaymentRequest', () => {
  it('accepts a complete request, with the limits exactly at their maximum', () => {
    expect(validatePaymentRequest(valid)).toEqual([]);
    expect(
      validatePaymentRequest({
        ...valid,
        terminalSn: '1'.repeat(32),
        clientSn: 'c'.repeat(32),
        amountFen: 9_999_999_999,
        dynamicId: '9'.repeat(32),
        subject: '字'.repeat(64),
        operator: 'o'.repeat(32),
        description: 'd'.repeat(256),
        reflect: 'r'.repeat(64),
        payway: '3',
      }),
    ).toEqual([]);
  });

  it.each([
    ['amountFen', { amountFen: 0 }, 'must be positive'],
    ['amountFen', { amountFen: -1 }, 'must be positive'],
    ['amountFen', { amountFen: 10_000_000_000 }, 'at most 10 digits'],
    ['amountFen', { amountFen: 1.5 }, 'integer'],
    ['amountFen', { amountFen: '100' }, 'integer'],
    ['amountFen', { amountFen: undefined }, 'is required'],
    ['clientSn', { clientSn: '' }, 'must not be empty'],
    ['clientSn', { clientSn: 'c'.repeat(33) }, 'at most 32'],
    ['clientSn', { clientSn: '订单1' }, 'printable ASCII'],
    ['clientSn', { clientSn: 'has space' }, 'printable ASCII'],
    ['clientSn', { clientSn: 42 }, 'must be a string'],
    ['terminalSn', { terminalSn: undefined }, 'is required'],
    ['terminalSn', { terminalSn: '1'.repeat(33) }, 'at most 32'],
    ['dynamicId', { dynamicId: '1'.repeat(33) }, 'at most 32'],
    ['subject', { subject: 's'.repeat(65) }, 'at most 64'],
    ['subject', { subject: '   ' }, 'must not be empty'],
    ['operator', { operator: 'o'.repeat(33) }, 'at most 32'],
    ['description', { description: 'd'.repeat(257) }, 'at most 256'],
    ['reflect', { reflect: 'r'.repeat(65) }, 'at most 64'],
    ['payway', { payway: 'wechat' }, 'digits'],
    ['amount', { amount: 100 }, 'is not a known field'],
    ['timing', { timing: 'fast' }, 'must be an object'],
    ['timing.confirmIntervalMs', { timing: { confirmIntervalMs: 0 } }, 'positive integer'],
    ['timing.cancelDelaysMs', { timing: { cancelDelaysMs: [] } }, '1 to 100'],
    ['timing.cancelDelaysMs[1]', { timing: { cancelDelaysMs: [1, -1] } }, 'positive integer'],
    ['timing.speed', { timing: { speed: 2 } }, 'is not a known field'],
  ])('names %s', (field, change, problem) => {
    const problems = validatePaymentRequest({ ...valid, ...change });
    expect(problems).toContainEqual({ field, problem: expect.stringContaining(problem) });
  });

  it('reports every problem at once', () => {
    expect(validatePaymentRequest({}).map((p) => p.field)).toEqual([
      'terminalSn',
      'clientSn',
      'amountFen',
      'dynamicId',
      'subject',
      'operator',
    ]);
  });

  it.each([null, [], 'pay', 42])('rejects a non-object request %p', (input) => {
    expect(validatePaymentRequest(input)).toEqual([{ field: '(request)', problem: 'must be a JSON object' }]);
  });
});

describe('validateRevokeRequest / validateResolveRequest', () => {
  it('accepts the Web UI payload', () =>
    expect(validateRevokeRequest({ operator: 'ops', reason: 'returned' })).toEqual([]));
  it('names missing fields', () =>
    expect(validateRevokeRequest({ operator: 'ops' }).map((p) => p.field)).toEqual(['reason']));
  it('rejects a bare string payload', () => expect(validateRevokeRequest('revoke')[0]?.field).toBe('(revoke)'));
  it('requires a known resolution', () => {
    expect(validateResolveRequest({ operator: 'o', resolution: 'PAID', note: 'n' })).toEqual([]);
    expect(validateResolveRequest({ operator: 'o', resolution: 'MAYBE', note: 'n' }).map((p) => p.field)).toEqual([
      'resolution',
    ]);
  });
});

describe('resolutions (R7: one for every state the gateway can report)', () => {
  it.each(['PAID', 'FAILED', 'CANCELED', 'REVOKED', 'REFUNDED', 'PARTIAL_REFUNDED'])('accepts %s', (resolution) =>
    expect(validateResolveRequest({ operator: 'o', resolution, note: 'n' })).toEqual([]),
  );
  it('accepts SETTLED_OUTSIDE only with a reference', () => {
    expect(
      validateResolveRequest({ operator: 'o', resolution: 'SETTLED_OUTSIDE', note: 'n', reference: 'T-1' }),
    ).toEqual([]);
    expect(
      validateResolveRequest({ operator: 'o', resolution: 'SETTLED_OUTSIDE', note: 'n' }).map((p) => p.field),
    ).toEqual(['reference']);
  });
});

describe('timing bounds (checked at admission)', () => {
  const noon = Date.parse('2026-12-02T12:00:00+08:00');
  const fields = (timing: object, at = noon) => checkTimingBounds(timing, at).map((p) => p.field);
  it('accepts the production defaults and sane test timings', () => {
    expect(fields({ confirmIntervalMs: 5_000, cancelDelaysMs: [5_000, 300_000] })).toEqual([]);
    expect(fields({ confirmIntervalMs: 200, cancelDelaysMs: [1_000], revokeWindowAfterMs: 6_000 })).toEqual([]);
  });
  it('refuses a cancel loop faster than a second, naming the knob', () => {
    const [problem] = checkTimingBounds({ cancelDelaysMs: [1_000, 999] }, noon);
    expect(problem).toEqual({
      field: 'timing.cancelDelaysMs[1]',
      problem: expect.stringContaining('faster than a second'),
    });
  });
  it('refuses a confirm loop faster than five queries a second', () =>
    expect(fields({ confirmIntervalMs: 100 })).toEqual(['timing.confirmIntervalMs']));
  it('refuses a deadline past the business day (00:00 Asia/Shanghai)', () => {
    const lateEvening = Date.parse('2026-12-02T23:59:00+08:00');
    expect(fields({ revokeWindowAfterMs: 60_000 }, lateEvening)).toEqual([]);
    expect(fields({ revokeWindowAfterMs: 61_000, cancelDeadlineAfterMs: 90_000 }, lateEvening)).toEqual([
      'timing.cancelDeadlineAfterMs',
      'timing.revokeWindowAfterMs',
    ]);
  });
});

describe('admitPayment (the activity whose answer is recorded)', () => {
  const startedAt = Date.parse('2026-12-02T12:00:00+08:00');
  it('admits a valid request with the timing it will use', async () => {
    const admission = await admitPayment({ request: valid, startedAt });
    expect(admission).toMatchObject({
      admitted: true,
      timing: { confirmIntervalMs: 5_000, paySendDeadline: startedAt + 30_000 },
    });
  });
  it('refuses a bad request or a bad bound with every problem named, nothing resolved', async () => {
    expect(await admitPayment({ request: { ...valid, amountFen: 0 }, startedAt })).toEqual({
      admitted: false,
      problems: [{ field: 'amountFen', problem: 'must be positive' }],
    });
    const fast = await admitPayment({ request: { ...valid, timing: { cancelDelaysMs: [10] } }, startedAt });
    expect(fast).toMatchObject({ admitted: false, problems: [{ field: 'timing.cancelDelaysMs[0]' }] });
  });
});
