import { rm } from 'node:fs/promises';
import { WORKFLOW_BUNDLE_ENV } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const file = process.env[WORKFLOW_BUNDLE_ENV];
  if (file) await rm(file, { force: true });
}
