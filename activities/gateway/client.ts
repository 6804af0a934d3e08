import type { Dispatcher } from 'undici';
import type { CallLimits } from './call-limits';
import { classify } from './classify';
import { postSigned } from './http';
import { Endpoint, type OrderLookupWire, type PayRequestWire, type RefundRequestWire } from './models';
import { ARRIVAL_MARGIN_MS, CALL_DEADLINES, type CallDeadline } from './timeouts';
import type { GatewayCallResult, GatewayOperation } from '../../workflows/types';

/**
 * Returns the current key of a terminal, or undefined when the terminal is not configured. Called
 * on every request, so a key rotated by a check-in signs the very next call.
 */
export type TerminalKeyLookup = (terminalSn: string) => Promise<string | undefined> | string | undefined;

/** Thrown before any request when the terminal has no key configured: a deployment error. */
export class UnknownTerminalError extends Error {
  constructor(readonly terminalSn: string) {
    super(`no terminal key configured for terminal_sn ${terminalSn}`);
    this.name = 'UnknownTerminalError';
  }
}

export interface GatewayClientOptions {
  /** e.g. https://vsi-api.shouqianba.com (no trailing slash needed). */
  apiDomain: string;
  dispatcher: Dispatcher;
  terminalKey: TerminalKeyLookup;
  /** Override call deadlines (tests); defaults per operation in timeouts.ts. */
  timeouts?: Partial<Record<GatewayOperation, CallDeadline>>;
  /** How long before a send deadline a request must leave (timeouts.ts ARRIVAL_MARGIN_MS unless given). */
  arrivalMarginMs?: number;
}

/**
 * upay v2 terminal API. Every method makes exactly one HTTP call and returns its classified result;
 * none throws for a gateway or network problem. Each call has one deadline (timeouts.ts) from the
 * moment it is made, and `limits` may end it sooner (the activity's signal) or hold it back (a
 * `sendBy` it could not reach the gateway by): a request held back is never sent.
 */
export class GatewayClient {
  private readonly origin: string;

  constructor(private readonly options: GatewayClientOptions) {
    this.origin = options.apiDomain.replace(/\/+$/, '');
  }

  pay(body: PayRequestWire, limits?: CallLimits): Promise<GatewayCallResult> {
    return this.call('pay', body.terminal_sn, body, limits);
  }

  query(body: OrderLookupWire, limits?: CallLimits): Promise<GatewayCallResult> {
    return this.call('query', body.terminal_sn, body, limits);
  }

  cancel(body: OrderLookupWire, limits?: CallLimits): Promise<GatewayCallResult> {
    return this.call('cancel', body.terminal_sn, body, limits);
  }

  revoke(body: OrderLookupWire, limits?: CallLimits): Promise<GatewayCallResult> {
    return this.call('revoke', body.terminal_sn, body, limits);
  }

  refund(body: RefundRequestWire, limits?: CallLimits): Promise<GatewayCallResult> {
    return this.call('refund', body.terminal_sn, body, limits);
  }

  private async call(
    operation: GatewayOperation,
    terminalSn: string,
    body: object,
    limits?: CallLimits,
  ): Promise<GatewayCallResult> {
    const key = await this.options.terminalKey(terminalSn);
    if (!key) throw new UnknownTerminalError(terminalSn);
    const exchange = await postSigned({
      dispatcher: this.options.dispatcher,
      url: `${this.origin}${Endpoint[operation]}`,
      body,
      signer: { sn: terminalSn, key },
      deadline: this.options.timeouts?.[operation] ?? CALL_DEADLINES[operation],
      ...(limits ? { limits: this.withArrivalMargin(limits) } : {}),
    });
    return classify(operation, exchange);
  }

  private withArrivalMargin(limits: CallLimits): CallLimits {
    if (limits.sendBy === undefined) return limits;
    return { arrivalMarginMs: this.options.arrivalMarginMs ?? ARRIVAL_MARGIN_MS, ...limits };
  }
}
