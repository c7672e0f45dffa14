/** A plan for a public bucket, made by the real read-state and plan stages over in-memory ports. */
import { plan, type Plan } from '../../../../lambda/remediate/stages/plan';
import { readState } from '../../../../lambda/remediate/stages/read-state';
import type { Run } from '../../../../lambda/remediate/stages/run';
import type { RemediateConfig } from '../../../../lambda/remediate/environment';
import { bucketRequest, bucketRun, memoryDeps, type MemoryDeps, type MemoryPorts } from './stage-support';

export async function plannedRun(ports: MemoryPorts, config: Partial<RemediateConfig> = {}): Promise<{ run: Run; plan: Plan; deps: MemoryDeps }> {
  const deps = memoryDeps(ports, config);
  const request = bucketRequest();
  const run = bucketRun(deps, request);
  const reading = await readState(run, request);
  if (reading.finished !== undefined || reading.read.status !== 'fulfilled') throw new Error('reading did not succeed');
  const planned = await plan(run, request, reading, reading.read.value);
  if (planned.finished !== undefined) throw new Error(`the plan finished: ${planned.finished.outcome}`);
  return { run, plan: planned, deps };
}
