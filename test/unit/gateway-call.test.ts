import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { CallLimits } from '../../activities/gateway/call-limits';
import { UnknownTerminalError, type GatewayClient } from '../../activities/gateway/client';
import { createActivities } from '../../activities/payment-activities';
import { createRefundActivities } from '../../activities/refund-activities';
import { UNKNOWN_TERMINAL, type GatewayCallResult } from '../../workflows/types';

/**
 * The one wrapper both activity sets make their gateway call through (activities/gateway-call.ts), on a
 * fake gateway: the call gets the activity's abort signal and its send deadline, a terminal with no key
 * fails non-retryable UNKNOWN_TERMINAL, an ILLEGAL_SIGN answer asks for a check-in and is returned as is,
 * and the log line names the order by its ids only (never the barcode, never the key).
 */
const TERMINAL_SN = '100000000000000099';
const INFO = { startToCloseTimeoutMs: 50_000, heartbeatTimeoutMs: 10_000 };

type Entry = { level: LogLevel; message: string; meta?: LogMetadata };
function capturingLogger(entries: Entry[]): Logger {
  const at = (level: LogLevel) => (message: string, meta?: LogMetadata) => entries.push({ level, message, meta });
  return {
    log: (level, message, meta) => entries.push({ level, message, meta }),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

/** A gateway whose every operation answers `answer` (or throws it) and records the limits it was given. */
function fakeGateway(answer: GatewayCallResult | Error) {
  const limits: CallLimits[] = [];
  const op = (_wire: unknown, l: CallLimits) => {
    limits.push(l);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  const gateway = { pay: op, query: op, cancel: op, revoke: op, refund: op } as unknown as GatewayClient;
  return { gateway, limits };
}

const payInput = {
  terminalSn: TERMINAL_SN,
  clientSn: 'GC-1',
  amountFen: 100,
  dynamicId: '130818341921441147',
  subject: 's',
  operator: 'o',
  sendBy: 1_900_000_000_000,
};
const refundInput = {
  terminalSn: TERMINAL_SN,
  clientSn: 'GC-2',
  refundRequestNo: 'R-9',
  amountFen: 40,
  operator: 'desk',
  sendBy: 1_900_000_000_001,
};

/** Each activity of both sets, run once in a fresh MockActivityEnvironment. */
const calls: [
  string,
  (deps: Parameters<typeof createActivities>[0]) => (env: MockActivityEnvironment) => Promise<GatewayCallResult>,
][] = [
  ['payOrder', (deps) => (env) => env.run(createActivities(deps).payOrder, payInput)],
  [
    'queryOrder',
    (deps) => (env) => env.run(createActivities(deps).queryOrder, { terminalSn: TERMINAL_SN, clientSn: 'GC-1' }),
  ],
  [
    'cancelOrder',
    (deps) => (env) => env.run(createActivities(deps).cancelOrder, { terminalSn: TERMINAL_SN, clientSn: 'GC-1' }),
  ],
  [
    'revokeOrder',
    (deps) => (env) =>
      env.run(createActivities(deps).revokeOrder, { terminalSn: TERMINAL_SN, clientSn: 'GC-1', sn: '7890', sendBy: 1 }),
  ],
  [
    'queryRefund',
    (deps) => (env) =>
      env.run(createRefundActivities(deps).queryRefund, {
        terminalSn: TERMINAL_SN,
        clientSn: 'GC-2',
        refundRequestNo: 'R-9',
      }),
  ],
  ['refundOrder', (deps) => (env) => env.run(createRefundActivities(deps).refundOrder, refundInput)],
];

describe('runGatewayCall: one gateway call, recorded', () => {
  it.each(calls)(
    '%s: a terminal with no key fails non-retryable UNKNOWN_TERMINAL, nothing returned',
    async (_, make) => {
      const { gateway } = fakeGateway(new UnknownTerminalError(TERMINAL_SN));
      const entries: Entry[] = [];
      const run = make({ gateway })(new MockActivityEnvironment(INFO, { logger: capturingLogger(entries) }));
      await expect(run).rejects.toMatchObject({ type: UNKNOWN_TERMINAL, nonRetryable: true });
      expect(entries.filter((e) => e.level === 'WARN' && e.meta?.sdkComponent === 'activity')).toEqual([
        expect.objectContaining({
          message: 'gateway call not sent: no key for this terminal',
          meta: expect.objectContaining({ terminalSn: TERMINAL_SN }),
        }),
      ]);
      expect(entries.map((e) => e.message)).not.toContain('gateway call');
    },
  );

  it.each(calls)(
    '%s: ILLEGAL_SIGN asks for a check-in of the terminal and returns the answer unchanged',
    async (_, make) => {
      const answer: GatewayCallResult = {
        operation: 'query',
        kind: 'unknown',
        reason: 'top-level 400 ILLEGAL_SIGN',
        errorCode: 'ILLEGAL_SIGN',
      };
      const { gateway } = fakeGateway(answer);
      const onIllegalSign = jest.fn();
      const result = await make({ gateway, onIllegalSign })(new MockActivityEnvironment(INFO));
      expect(result).toBe(answer);
      expect(onIllegalSign).toHaveBeenCalledWith(TERMINAL_SN);
    },
  );

  it.each(calls)(
    "%s: the call gets the activity's abort signal, and nothing else asks for a check-in",
    async (_, make) => {
      const { gateway, limits } = fakeGateway({ operation: 'query', kind: 'success', reason: 'SUCCESS' });
      const onIllegalSign = jest.fn();
      await make({ gateway, onIllegalSign })(new MockActivityEnvironment(INFO));
      expect(limits).toHaveLength(1);
      expect(limits[0]?.signal).toBeInstanceOf(AbortSignal);
      expect(limits[0]?.signal?.aborted).toBe(false);
      expect(onIllegalSign).not.toHaveBeenCalled();
    },
  );

  it('pay, revoke and refund carry their send deadline; query and cancel none', async () => {
    const sendBys: Record<string, number | undefined> = {};
    for (const [name, make] of calls) {
      const { gateway, limits } = fakeGateway({ operation: 'query', kind: 'success', reason: 'SUCCESS' });
      await make({ gateway })(new MockActivityEnvironment(INFO));
      sendBys[name] = limits[0]?.sendBy;
    }
    expect(sendBys).toEqual({
      payOrder: payInput.sendBy,
      queryOrder: undefined,
      cancelOrder: undefined,
      revokeOrder: 1,
      queryRefund: undefined,
      refundOrder: refundInput.sendBy,
    });
  });

  it("logs the order's ids and the gateway's sn, never the barcode: a payment's call", async () => {
    const answer: GatewayCallResult = {
      operation: 'pay',
      kind: 'success',
      reason: 'PAY_SUCCESS',
      order: { sn: '7895', clientSn: 'GC-1', orderStatus: 'PAID' },
    };
    const entries: Entry[] = [];
    await new MockActivityEnvironment(INFO, { logger: capturingLogger(entries) }).run(
      createActivities({ gateway: fakeGateway(answer).gateway }).payOrder,
      payInput,
    );
    const line = entries.find((e) => e.message === 'gateway call');
    expect(line?.meta).toMatchObject({
      operation: 'pay',
      terminalSn: TERMINAL_SN,
      clientSn: 'GC-1',
      sn: '7895',
      kind: 'success',
      reason: 'PAY_SUCCESS',
      orderStatus: 'PAID',
      latencyMs: expect.any(Number),
    });
    expect(JSON.stringify(line?.meta)).not.toContain(payInput.dynamicId);
    expect(line?.meta).not.toHaveProperty('refundRequestNo');
  });

  it("logs the refund's number with the order's ids: a refund's call", async () => {
    const answer: GatewayCallResult = { operation: 'refund', kind: 'success', reason: 'REFUND_SUCCESS' };
    const entries: Entry[] = [];
    await new MockActivityEnvironment(INFO, { logger: capturingLogger(entries) }).run(
      createRefundActivities({ gateway: fakeGateway(answer).gateway }).refundOrder,
      refundInput,
    );
    const line = entries.find((e) => e.message === 'gateway call');
    expect(line?.meta).toMatchObject({
      operation: 'refund',
      terminalSn: TERMINAL_SN,
      clientSn: 'GC-2',
      refundRequestNo: 'R-9',
      kind: 'success',
    });
    expect(line?.meta).not.toHaveProperty('amountFen');
  });
});
