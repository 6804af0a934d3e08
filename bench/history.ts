/**
 * Histories read through the SDK (any namespace, any topology): what a path costs (events, billable
 * actions) and where a payment's time went before the till had its answer, from the server's own event times.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { historyCost } from './measure';

type Event = temporal.api.history.v1.IHistoryEvent;

/** A history's events with their type spelled as the CLI's JSON export spells it ('EVENT_TYPE_…'). */
export async function historyOf(client: Client, workflowId: string): Promise<{ eventType: string; at: number }[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e: Event) => ({
    eventType: temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType),
    at: millis(e.eventTime),
  }));
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
  /** Started → the answer (the outcome update completed, or the workflow completed). */
  span_ms: number;
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
}

const ANSWERS = new Set(['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED']);

export function tillTimeline(events: { eventType: string; at: number }[]): TillTimeline {
  const end = events.findIndex((e) => ANSWERS.has(e.eventType));
  const upTo = end < 0 ? events : events.slice(0, end + 1);
  const t: TillTimeline = {
    span_ms: (upTo.at(-1)?.at ?? NaN) - (upTo[0]?.at ?? NaN),
    workflow_tasks: 0,
    wft_queue_ms: 0,
    wft_run_ms: 0,
    activities: 0,
    activity_queue_ms: 0,
    activity_run_ms: 0,
  };
  // Scheduled, started and closed events of one task follow each other in order of their kind.
  let wftScheduled = NaN;
  let wftStarted = NaN;
  const activityScheduled: number[] = [];
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
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_STARTED':
        t.activity_queue_ms += e.at - (activityScheduled.shift() ?? e.at);
        activityStarted.push(e.at);
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED':
        t.activities++;
        t.activity_run_ms += e.at - (activityStarted.shift() ?? e.at);
        break;
    }
  }
  return t;
}

/** The median of each field over many payments' timelines (rounded to 0.1 ms). */
export function medianTimeline(timelines: TillTimeline[]): TillTimeline {
  const median = (k: keyof TillTimeline) => {
    const xs = timelines.map((t) => t[k]).sort((a, b) => a - b);
    return Math.round((xs[Math.floor(xs.length / 2)] ?? NaN) * 10) / 10;
  };
  return {
    span_ms: median('span_ms'),
    workflow_tasks: median('workflow_tasks'),
    wft_queue_ms: median('wft_queue_ms'),
    wft_run_ms: median('wft_run_ms'),
    activities: median('activities'),
    activity_queue_ms: median('activity_queue_ms'),
    activity_run_ms: median('activity_run_ms'),
  };
}
