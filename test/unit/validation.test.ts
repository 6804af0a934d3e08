import { validatePaymentRequest, validateResolveRequest, validateRevokeRequest } from '../../workflows/validation';

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
