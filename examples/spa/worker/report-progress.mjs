#!/usr/bin/env node
// A stand-in for a real processing job: it walks a resource through Tollgate's five stages and reports each
// step with a service-account key, so the app's progress bar has something to follow.
//
//   TOLLGATE_API_KEY=… npm run worker -- --owner <user id> --resource demo [--step-ms 500] [--url http://127.0.0.1:4000/graphql]
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    owner: { type: 'string' },
    resource: { type: 'string', default: 'demo' },
    url: { type: 'string', default: process.env.TOLLGATE_URL ?? 'http://127.0.0.1:4000/graphql' },
    'step-ms': { type: 'string', default: '500' },
  },
});
const apiKey = process.env.TOLLGATE_API_KEY;
if (!apiKey || !values.owner) {
  console.error('usage: TOLLGATE_API_KEY=<service-account key> npm run worker -- --owner <user id> [--resource demo]');
  process.exit(2);
}

const REPORT = `mutation Report($input: ReportProgressInput!) {
  reportResourceProgress(input: $input) { percentComplete overallStatus }
}`;
// Tollgate's pipeline order.
const stages = ['INGESTION', 'QUALITY', 'TAXONOMY', 'GRAPH', 'EMBEDDING'];
const stepMs = Number(values['step-ms']);

async function report(stage, status, percent, message) {
  const input = { resourceId: values.resource, ownerId: values.owner, stage, status, percent, message };
  const response = await fetch(values.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: REPORT, variables: { input } }),
  });
  const body = await response.json();
  if (body.errors) {
    const { code, retryAfter } = body.errors[0].extensions ?? {};
    // A worker that outpaces its budget waits as told instead of failing the job.
    if (code === 'RATE_LIMITED') {
      await sleep((retryAfter ?? 1) * 1000);
      return report(stage, status, percent, message);
    }
    throw new Error(`Tollgate refused the report: ${code}`);
  }
  const { percentComplete, overallStatus } = body.data.reportResourceProgress;
  console.log(`${stage.padEnd(9)} ${status.padEnd(10)} → ${percentComplete} % ${overallStatus}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

for (const stage of stages) {
  await report(stage, 'PROCESSING', 50, `working on ${stage.toLowerCase()}`);
  await sleep(stepMs);
  await report(stage, 'COMPLETED', 100);
  await sleep(stepMs);
}
