import { randomBytes } from 'node:crypto';
import type { TerminalCredentialsWire } from '../activities/gateway/models';
import { shanghaiDay, shanghaiDayNumber } from './clock';
import type { TerminalCredentials } from './terminals';

/**
 * The gateway's terminal key registry (reference §2.4): which keys verify a terminal's signature right now.
 * After each check-in only the new key and the one it replaced are valid ("after each check-in, only current and
 * last terminal_keys are valid", DOC-EN checkin.md); older keys fail with ILLEGAL_SIGN. Optionally a key also
 * dies once it is older than one natural day ("一个密钥每个自然日会过期"). Pure: time comes in as arguments.
 * Keys never leave this class except to verify a signature or as the answer to the activate/check-in that made
 * them.
 */

/** Which key verified a signature; the request log records this, never the key. */
export type KeyRole = 'current' | 'previous';

export interface ValidKey {
  key: string;
  role: KeyRole;
}

interface IssuedKey {
  key: string;
  issuedAt: number;
}

interface TerminalState {
  current: IssuedKey;
  previous?: IssuedKey;
  /** Check-ins that rotated the key. */
  generation: number;
  /** Set by activation, or by the first check-in of a seeded terminal. */
  deviceId?: string;
}

/** What a test may see of a terminal (GET /_sim/terminals/<sn>): counts and days, never a key. */
export interface TerminalView {
  terminal_sn: string;
  generation: number;
  device_id: string | null;
  /** How many keys would verify a signature now (0, 1 or 2). */
  keys_valid: number;
  current_issued_day: string;
  previous_issued_day: string | null;
}

export class TerminalKeys {
  private readonly terminals = new Map<string, TerminalState>();
  private seq: number;

  /**
   * Seeded terminals start with their configured key as current (issued now, i.e. when the simulator starts)
   * and no previous key. `expiry`: reject keys issued on Shanghai day D from day D+2 on.
   */
  constructor(
    seeded: readonly TerminalCredentials[],
    now: number,
    private readonly expiry: boolean,
  ) {
    for (const t of seeded) {
      if (!t.terminalSn || !t.terminalKey) throw new Error('terminal needs both terminalSn and terminalKey');
      this.terminals.set(t.terminalSn, { current: { key: t.terminalKey, issuedAt: now }, generation: 0 });
    }
    // Seeded from the clock (like order sns) so a restarted simulator does not hand out a terminal_sn again.
    this.seq = Math.floor(now / 1000) * 1000;
  }

  /**
   * Keys that verify a signature at `now`, current first; undefined for an unknown terminal. Expiry
   * does not apply to the check-in itself: it is signed with "the last valid key" (DOC-M checkin.md)
   * and is what the doc has a terminal do first on each new day, so an aged key may still check in.
   */
  validKeys(terminalSn: string, now: number, purpose: 'business' | 'checkin' = 'business'): ValidKey[] | undefined {
    const t = this.terminals.get(terminalSn);
    if (!t) return undefined;
    const alive = (k: IssuedKey) => purpose === 'checkin' || this.alive(k, now);
    const keys: ValidKey[] = [];
    if (alive(t.current)) keys.push({ key: t.current.key, role: 'current' });
    if (t.previous && alive(t.previous)) keys.push({ key: t.previous.key, role: 'previous' });
    return keys;
  }

  /** A new terminal bound to `deviceId`, with a fresh key and no previous one. */
  activate(deviceId: string, now: number): TerminalCredentialsWire {
    const terminalSn = this.nextSn();
    const key = newKey();
    this.terminals.set(terminalSn, { current: { key, issuedAt: now }, generation: 0, deviceId });
    return { terminal_sn: terminalSn, terminal_key: key };
  }

  deviceOf(terminalSn: string): string | undefined {
    return this.terminals.get(terminalSn)?.deviceId;
  }

  /**
   * Check-in: a fresh key becomes current and the key that was current becomes previous, whichever valid key
   * signed the check-in. A caller that missed the last answer checks in again with its old key and gets a new one;
   * the key it missed stays valid as the previous key. Also binds a seeded terminal to its first device_id.
   */
  rotate(terminalSn: string, deviceId: string, now: number): TerminalCredentialsWire {
    const t = this.terminals.get(terminalSn);
    if (!t) throw new Error(`no terminal ${terminalSn}`);
    const key = newKey();
    t.previous = t.current;
    t.current = { key, issuedAt: now };
    t.generation += 1;
    t.deviceId ??= deviceId;
    return { terminal_sn: terminalSn, terminal_key: key };
  }

  view(terminalSn: string, now: number): TerminalView | undefined {
    const t = this.terminals.get(terminalSn);
    if (!t) return undefined;
    return {
      terminal_sn: terminalSn,
      generation: t.generation,
      device_id: t.deviceId ?? null,
      keys_valid: this.validKeys(terminalSn, now)?.length ?? 0,
      current_issued_day: shanghaiDay(t.current.issuedAt),
      previous_issued_day: t.previous ? shanghaiDay(t.previous.issuedAt) : null,
    };
  }

  /** With expiry on, a key issued on Shanghai day D works on D and D+1 only (older than one natural day = dead). */
  private alive(issued: IssuedKey, now: number): boolean {
    return !this.expiry || shanghaiDayNumber(now) - shanghaiDayNumber(issued.issuedAt) < 2;
  }

  /** 18 digits like real terminal sns; the leading 2 keeps them apart from the configured 1000… sns. */
  private nextSn(): string {
    let sn: string;
    do {
      this.seq += 1;
      sn = `2${String(this.seq).padStart(17, '0')}`;
    } while (this.terminals.has(sn));
    return sn;
  }
}

/** 32 lowercase hex characters, the shape of the doc's sample terminal_key. */
function newKey(): string {
  return randomBytes(16).toString('hex');
}
