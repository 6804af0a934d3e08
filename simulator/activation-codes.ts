/**
 * Activation codes (激活码, reference §4.1): each one trades for a terminal once ("limited number of uses
 * (usually 1)"). Besides the configured list, any code starting with `sim-code-` is accepted once, so tests and
 * demos can mint fresh codes without configuring the simulator.
 */
export const DEFAULT_ACTIVATION_CODES: readonly string[] = ['sim-activation-code'];
export const MINTED_CODE_PREFIX = 'sim-code-';

export class ActivationCodes {
  private readonly unused: Set<string>;
  /** Kept across reset(), like terminals: a code that made a terminal stays spent. */
  private readonly used = new Set<string>();

  constructor(codes: readonly string[] = DEFAULT_ACTIVATION_CODES) {
    this.unused = new Set(codes.filter((code) => code !== ''));
  }

  /** Spends the code; false when it is unknown or already spent. */
  redeem(code: string): boolean {
    if (this.used.has(code)) return false;
    const minted = code.startsWith(MINTED_CODE_PREFIX) && code.length > MINTED_CODE_PREFIX.length;
    if (!this.unused.has(code) && !minted) return false;
    this.unused.delete(code);
    this.used.add(code);
    return true;
  }
}
