import type { Dispatcher } from 'undici';
import { classify } from './classify';
import { postSigned } from './http';
import { Endpoint, type OrderLookupWire, type PayRequestWire, type RefundRequestWire } from './models';
import { READ_TIMEOUTS, type ReadTimeouts } from './timeouts';
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
  /** Override read timeouts (tests); defaults per operation in timeouts.ts. */
  timeouts?: Partial<Record<GatewayOperation, ReadTimeouts>>;
}

/**
 * upay v2 terminal API. Every method makes exactly one HTTP call and returns its classified result;
 * none throws for a gateway or network problem.
 */
export class GatewayClient {
  private readonly origin: string;

  constructor(private readonly options: GatewayClientOptions) {
    this.origin = options.apiDomain.replace(/\/+$/, '');
  }

  pay(body: PayRequestWire): Promise<GatewayCallResult> {
    return this.call('pay', body.terminal_sn, body);
  }

  query(body: OrderLookupWire): Promise<GatewayCallResult> {
    return this.call('query', body.terminal_sn, body);
  }

  cancel(body: OrderLookupWire): Promise<GatewayCallResult> {
    return this.call('cancel', body.terminal_sn, body);
  }

  revoke(body: OrderLookupWire): Promise<GatewayCallResult> {
    return this.call('revoke', body.terminal_sn, body);
  }

  refund(body: RefundRequestWire): Promise<GatewayCallResult> {
    return this.call('refund', body.terminal_sn, body);
  }

  private async call(operation: GatewayOperation, terminalSn: string, body: object): Promise<GatewayCallResult> {
    const key = await this.options.terminalKey(terminalSn);
    if (!key) throw new UnknownTerminalError(terminalSn);
    const exchange = await postSigned({
      dispatcher: this.options.dispatcher,
      url: `${this.origin}${Endpoint[operation]}`,
      body,
      signer: { sn: terminalSn, key },
      timeouts: this.options.timeouts?.[operation] ?? READ_TIMEOUTS[operation],
    });
    return classify(operation, exchange);
  }
}
