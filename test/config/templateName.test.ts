import * as assert from 'node:assert/strict';
import { defaultTemplateName, stepKey } from '../../shared/config/names';
import type { PipelineContext } from '../../shared/config/types';

const run: PipelineContext = { teamProject: 'Fabrikam Web', buildId: '4711', jobAttempt: '2', workingDirectory: '/w' };
const jobA = { ...run, jobId: '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a', taskInstanceId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' };

describe('default template name: unique per step', () => {
  it('adds 8 hex digits of the job and task instance ids after build id and attempt', () => {
    const name = defaultTemplateName(jobA);
    assert.match(name, /^ib-Fabrikam-Web-4711-2-[0-9a-f]{8}$/);
    assert.equal(name.slice(-8), stepKey(jobA));
  });

  it('differs between two jobs of one run and between two steps of one job', () => {
    const jobB = { ...jobA, jobId: '1a2b3c4d-0000-4000-8000-000000000002' };
    const secondStep = { ...jobA, taskInstanceId: '1a2b3c4d-0000-4000-8000-000000000003' };
    const names = new Set([defaultTemplateName(jobA), defaultTemplateName(jobB), defaultTemplateName(secondStep)]);
    assert.equal(names.size, 3);
  });

  it('is the same for a step on every run of it with the same ids, and the id case does not matter', () => {
    assert.equal(defaultTemplateName(jobA), defaultTemplateName({ ...jobA, jobId: jobA.jobId.toUpperCase() }));
  });

  it('keeps the whole unique tail within 64 characters for a long project name', () => {
    const name = defaultTemplateName({ ...jobA, teamProject: 'x'.repeat(200), buildId: '987654321' });
    assert.equal(name.length, 64);
    assert.ok(name.endsWith(`-987654321-2-${stepKey(jobA)}`), name);
  });

  it('without job and step ids (outside a pipeline) the name is as before', () => {
    assert.equal(defaultTemplateName(run), 'ib-Fabrikam-Web-4711-2');
    assert.equal(stepKey(run), undefined);
  });
});
