/** Checks for untrusted scenario JSON; every error names the path of the bad value. */

/** Thrown for a malformed scenario posted to /_sim/scenarios; the message names the path. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

export type Obj = Record<string, unknown>;

export function object(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ScenarioError(`${path} must be an object`);
  return v as Obj;
}

export function list(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ScenarioError(`${path} must be an array`);
  return v;
}

/** Unknown keys are rejected to catch typos. */
export function keys(o: Obj, path: string, allowed: readonly string[]): void {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new ScenarioError(`${path}.${extra} is not a known field`);
}

export function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ScenarioError(`${path} must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new ScenarioError(`${path} must be a non-empty string`);
  return v;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new ScenarioError(`${path} must be a boolean`);
  return v;
}

export function ms(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ScenarioError(`${path} must be a non-negative integer`);
  }
  return v;
}
