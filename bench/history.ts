/**
 * Histories read through the SDK (any namespace, any topology): what a path costs (events, billable
 * actions) and where a payment's time went before the till had its answer, from the server's own event times.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { historyCost } from './measure';

type Event = temporal.api.history.v1.IHistoryEvent;

/** A history's events with their type spelled as the CLI's JSON export spells it ('EVENT_TYPE_…'). */
export async function historyOf(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e: Event) => {
    const activityType = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return {
      eventType: temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType),
      at: millis(e.eventTime),
      ...(activityType ? { activityType } : {}),
    };
  });
}

export interface HistoryEvent {
  eventType: string;
  /** The server's event time, Unix ms. */
  at: number;
  /** On ACTIVITY_TASK_SCHEDULED. */
  activityType?: string;
}

function millis(t: Event['eventTime']): number {
  if (!t) return NaN;
  const seconds = typeof t.seconds === 'number' ? t.seconds : Number(t.seconds?.toString() ?? 0);
  return seconds * 1000 + (t.nanos ?? 0) / 1e6;
}

export async function costOf(client: Client, workflowId: string): Promise<{ events: number; actions: number }> {
  return historyCost(await historyOf(client, workflowId));
}

/** Where the time went from the workflow's start to the event that answers the till, by the server's clock. */
export interface TillTimeline {
  /** The client's wait minus `span_ms`: the start and answer RPCs, the client's side (same machine, same clock). */
  client_ms: number;
  /** Started → the answer (the outcome update completed, or the workflow completed). */
  span_ms: number;
  /** History events up to and including the answer. */
  events: number;
  workflow_tasks: number;
  /** Workflow task scheduled → picked up by the worker (matching, sticky queue). */
  wft_queue_ms: number;
  /** Workflow task picked up → its completion recorded (the worker's replay and the completion RPC). */
  wft_run_ms: number;
  activities: number;
  /** Activity scheduled → picked up (0 when dispatched eagerly in the workflow task's answer). */
  activity_queue_ms: number;
  /** Activity picked up → its completion recorded (for pay: the HTTP call to the gateway and the RPC). */
  activity_run_ms: number;
  /** Per activity type: scheduled → completion recorded. */
  activity_ms: Record<string, number>;
}

const ANSWERS = new Set(['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED']);

/** Event types up to the till's answer, without the EVENT_TYPE_ prefix; activities named. */
export function answerPath(events: HistoryEvent[]): string[] {
  const end = events.findIndex((e) => ANSWERS.has(e.eventType));
  return (end < 0 ? events : events.slice(0, end + 1)).map(
    (e) => e.eventType.replace(/^EVENT_TYPE_/, '') + (e.activityType ? ` ${e.activityType}` : ''),
  );
}

/** The timeline of one history; `waitedMs` is what the client measured for it. */
export function tillTimeline(events: HistoryEvent[], waitedMs: number): TillTimeline {
  const end = events.findIndex((e) => ANSWERS.has(e.eventType));
  const upTo = end < 0 ? events : events.slice(0, end + 1);
  const span = (upTo.at(-1)?.at ?? NaN) - (upTo[0]?.at ?? NaN);
  const t: TillTimeline = {
    client_ms: waitedMs - span,
    span_ms: span,
    events: upTo.length,
    workflow_tasks: 0,
    wft_queue_ms: 0,
    wft_run_ms: 0,
    activities: 0,
    activity_queue_ms: 0,
    activity_run_ms: 0,
    activity_ms: {},
  };
  // Scheduled, started and closed events of one task follow each other in order of their kind.
  let wftScheduled = NaN;
  let wftStarted = NaN;
  const activityScheduled: number[] = [];
  const scheduledAs: HistoryEvent[] = [];
  const activityStarted: number[] = [];
  for (const e of upTo) {
    switch (e.eventType) {
      case 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED':
        wftScheduled = e.at;
        break;
      case 'EVENT_TYPE_WORKFLOW_TASK_STARTED':
        wftStarted = e.at;
        t.wft_queue_ms += e.at - wftScheduled;
        break;
      case 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED':
        t.workflow_tasks++;
        t.wft_run_ms += e.at - wftStarted;
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED':
        activityScheduled.push(e.at);
        scheduledAs.push(e);
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_STARTED':
        t.activity_queue_ms += e.at - (activityScheduled.shift() ?? e.at);
        activityStarted.push(e.at);
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED':
        t.activities++;
        t.activity_run_ms += e.at - (activityStarted.shift() ?? e.at);
        {
          const scheduled = scheduledAs.shift();
          const type = scheduled?.activityType ?? '?';
          t.activity_ms[type] = (t.activity_ms[type] ?? 0) + e.at - (scheduled?.at ?? e.at);
        }
        break;
    }
  }
  return t;
}

/** The median of each field over many payments' timelines (rounded to 0.1 ms). */
export function medianTimeline(timelines: TillTimeline[]): TillTimeline {
  const middle = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return Math.round((sorted[Math.floor(sorted.length / 2)] ?? NaN) * 10) / 10;
  };
  const median = (k: Exclude<keyof TillTimeline, 'activity_ms'>) => middle(timelines.map((t) => t[k]));
  const types = [...new Set(timelines.flatMap((t) => Object.keys(t.activity_ms)))];
  return {
    client_ms: median('client_ms'),
    span_ms: median('span_ms'),
    events: median('events'),
    workflow_tasks: median('workflow_tasks'),
    wft_queue_ms: median('wft_queue_ms'),
    wft_run_ms: median('wft_run_ms'),
    activities: median('activities'),
    activity_queue_ms: median('activity_queue_ms'),
    activity_run_ms: median('activity_run_ms'),
    activity_ms: Object.fromEntries(
      types.map((type) => [type, middle(timelines.map((t) => t.activity_ms[type] ?? 0))]),
    ),
  };
}
