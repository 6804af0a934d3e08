import type { DemoPayment } from './script';

const COLUMNS = ['#', 'path', 'client_sn', 'state', 'gateway calls'] as const;

function row(p: DemoPayment, i: number): string[] {
  const state = p.error ? `ERROR: ${p.error}` : (p.status?.state ?? 'starting');
  const calls = (p.status?.calls ?? []).map((c) => c.operation).join(' → ');
  return [String(i + 1), p.step.title, p.request.clientSn, state, calls];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The live view: redrawn in place on a terminal, one line per state change otherwise (CI logs). */
export class ProgressView {
  private drawnLines = 0;
  private readonly lastStates = new Map<number, string>();

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {}

  render(payments: DemoPayment[]): void {
    if (this.out.isTTY) {
      const text = table([[...COLUMNS], ...payments.map(row)]);
      if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[J`);
      this.out.write(`${text}\n`);
      this.drawnLines = text.split('\n').length;
      return;
    }
    payments.forEach((p, i) => {
      const [, title, , state] = row(p, i);
      if (this.lastStates.get(i) === state) return;
      this.lastStates.set(i, state!);
      this.out.write(`  ${title}: ${state}\n`);
    });
  }
}

/** The final table: outcome and a Web UI link per payment. */
export function summary(payments: DemoPayment[], uiUrl: string): string {
  const rows = payments.map((p, i) => {
    const ok = !p.error && p.status?.state === p.step.expected;
    const link = p.workflowId ? `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(p.workflowId)}` : '-';
    return [String(i + 1), p.step.title, p.status?.state ?? '-', ok ? 'ok' : `expected ${p.step.expected}`, link];
  });
  return table([['#', 'path', 'final state', 'check', 'Web UI'], ...rows]);
}
