import * as assert from 'node:assert/strict';
import { checkTemplateName } from '../../shared/preflight/checks/templateName';
import { configWith } from '../support/configFixtures';
import { fakeReader, lines, runCheck } from './preflightFixtures';

describe('preflight: template name', () => {
  const config = configWith('shell', () => undefined);

  it('passes when no template of that name exists', async () => {
    assert.deepEqual(lines(await runCheck(checkTemplateName, config, fakeReader())), ['passed: No image template named proj-42-1 exists in resource group rg-aib.']);
  });

  it('warns about a leftover template with its run state', async () => {
    const reader = fakeReader((w) => (w.templates['rg-aib/proj-42-1'] = { id: 't', provisioningState: 'Succeeded', runState: 'Failed' }));
    assert.deepEqual(lines(await runCheck(checkTemplateName, config, reader)), [
      'warning [templateName]: An image template named proj-42-1 is left in resource group rg-aib (provisioning state Succeeded, last run Failed); the build deletes it and creates it again.',
    ]);
  });

  it('warns that a template still building cannot be replaced', async () => {
    const reader = fakeReader((w) => (w.templates['rg-aib/proj-42-1'] = { id: 't', provisioningState: 'Succeeded', runState: 'Running', runSubState: 'Customizing' }));
    assert.deepEqual(lines(await runCheck(checkTemplateName, config, reader)), [
      'warning [templateName]: An image template named proj-42-1 in resource group rg-aib is still building (Running/Customizing); the build cannot replace it until that run ends. Cancel that run or choose another templateName.',
    ]);
  });
});
