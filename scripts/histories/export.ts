import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `temporal workflow show -o json`: the CLI's replay-compatible export (payload shorthand off). */
export async function exportWithCli(cliPath: string, address: string, workflowId: string): Promise<unknown> {
  const { stdout } = await run(
    cliPath,
    [
      'workflow',
      'show',
      '--address',
      address,
      '--namespace',
      'default',
      '--workflow-id',
      workflowId,
      '--output',
      'json',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout);
}

interface HistoryPage {
  history?: { events?: unknown[] };
  nextPageToken?: string;
}

/**
 * What the Web UI's "Download" → "encoded" writes: `{ "events": [...] }` from the UI server's
 * history endpoint, page by page, oldest first (temporalio/ui export-history.ts).
 */
export async function exportAsUiDownload(uiUrl: string, workflowId: string, runId: string): Promise<unknown> {
  const events: unknown[] = [];
  let token = '';
  do {
    const url = new URL(`/api/v1/namespaces/default/workflows/${encodeURIComponent(workflowId)}/history`, uiUrl);
    url.searchParams.set('execution.runId', runId);
    if (token) url.searchParams.set('nextPageToken', token);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`UI history endpoint answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as HistoryPage;
    events.push(...(page.history?.events ?? []));
    token = page.nextPageToken ?? '';
  } while (token);
  return { events };
}
