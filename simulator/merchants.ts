/**
 * Which merchant (商户) each terminal belongs to. The reference says client_sn "must be unique in the merchant
 * system" (§10) but not how terminals map to merchants, so by default every terminal, seeded or activated, is in
 * one merchant. Only the client_sn scope uses this: per terminal by default (as the simulator always did), per
 * merchant when the simulator or an order's scenario asks for it.
 */

export type ClientSnScope = 'terminal' | 'merchant';

/** The merchant of every terminal nobody assigned elsewhere. */
export const DEFAULT_MERCHANT_SN = '18000000000000001';

export interface MerchantsView {
  default_merchant_sn: string;
  client_sn_scope: ClientSnScope;
  /** Explicit assignments only; any other terminal is in the default merchant. */
  merchants: Record<string, string[]>;
}

export class Merchants {
  private readonly merchantOf = new Map<string, string>();

  /** `assigned`: merchant_sn → terminal_sns. `scope`: the simulator-wide client_sn scope. */
  constructor(
    assigned: Readonly<Record<string, readonly string[]>> = {},
    readonly scope: ClientSnScope = 'terminal',
  ) {
    for (const [merchantSn, terminalSns] of Object.entries(assigned)) this.assign(merchantSn, terminalSns);
  }

  of(terminalSn: string): string {
    return this.merchantOf.get(terminalSn) ?? DEFAULT_MERCHANT_SN;
  }

  /** Moves these terminals to `merchantSn` (orders they already made keep the merchant they were made in). */
  assign(merchantSn: string, terminalSns: readonly string[]): void {
    if (!merchantSn) throw new Error('merchant_sn must be a non-empty string');
    for (const terminalSn of terminalSns) this.merchantOf.set(terminalSn, merchantSn);
  }

  view(): MerchantsView {
    const merchants: Record<string, string[]> = {};
    for (const [terminalSn, merchantSn] of this.merchantOf) (merchants[merchantSn] ??= []).push(terminalSn);
    return { default_merchant_sn: DEFAULT_MERCHANT_SN, client_sn_scope: this.scope, merchants };
  }
}
