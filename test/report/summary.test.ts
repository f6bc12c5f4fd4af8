import * as assert from 'node:assert/strict';
import { format } from 'node:util';
import { taskMessages as REPORT_MESSAGES } from '../support/localizer';
import { buildOutputs, distributionResults } from '../../shared/report/outputs';
import { portalLink, renderSummary, type SummaryFacts } from '../../shared/report/summary';
import { escapeMarkdown } from '../../shared/core/markdown';
import { distributors, runOutputFor, templateWith } from './fixtures';

const loc = (key: string, ...args: unknown[]) => {
  const text = REPORT_MESSAGES[key];
  if (text === undefined) throw new Error(`unknown message key ${key}`);
  return format(text, ...args);
};

const TEMPLATE_ID = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.VirtualMachineImages/imageTemplates/tmpl';
const STAGING = '/subscriptions/s1/resourceGroups/IT_rg_tmpl_1';

function facts(extra: Partial<SummaryFacts> = {}): SummaryFacts {
  const template = templateWith([distributors.gallery, distributors.managed, distributors.vhd]);
  const runOutputs = [runOutputFor.gallery, runOutputFor.vhd];
  return {
    outcome: 'SucceededWithIssues',
    templateName: 'tmpl',
    templateId: TEMPLATE_ID,
    exactStagingResourceGroup: STAGING,
    template,
    platformExactVersion: '24.04.1',
    distribution: distributionResults(template, runOutputs),
    outputs: buildOutputs({ template, templateName: 'tmpl', templateId: TEMPLATE_ID, runOutputs, runState: 'PartiallySucceeded', platformExactVersion: '24.04.1' }),
    phases: [
      { phase: { runState: 'Running', runSubState: 'Queued' }, startedAt: 0, durationMs: 30_000 },
      { phase: { runState: 'Running', runSubState: 'Customizing' }, startedAt: 30_000, durationMs: 725_000 },
    ],
    totalMs: 755_000,
    environment: 'AzureCloud',
    ...extra,
  };
}

describe('renderSummary', () => {
  it('has the title, source, customizers, distribution with results, outputs, time per phase and links', () => {
    const md = renderSummary(facts(), loc);
    const headings = md.split('\n').filter((l) => l.startsWith('#'));
    assert.deepEqual(headings, [
      '# Image build SucceededWithIssues: tmpl',
      '## Source',
      '## Customizers',
      '## Distribution',
      '## Output variables',
      '## Time per phase',
      '## Links',
    ]);
    assert.ok(md.includes('## Source\n\nPlatform image Canonical:ubuntu-24\\_04-lts:server (version latest → 24.04.1)\n'));
    assert.ok(md.includes('1. File artifacts (/tmp/app.tar.gz)'));
    assert.ok(md.includes('2. Shell install'));
    assert.ok(!md.includes('secret-looking-stuff'), 'inline scripts are not shown');
    assert.ok(!md.includes('sig=x'), 'artifact URLs are not shown');
    assert.match(md, /\| Managed image \| managed \| \/subscriptions\/.*\/images\/web-image \| not produced \|/);
    assert.match(md, /\| Gallery image version \| gallery \| .*\/images\/web \(automatic version\) \| .*\/versions\/1\.2\.3 \|/);
    assert.match(md, /\| VHD \| vhd \| staging storage account \| https:\/\/stagingacct/);
    assert.ok(md.includes('| galleryImageVersion | 1.2.3 |'));
    assert.ok(md.includes('| Build: Running/Customizing | 12m 05s |'));
    assert.ok(md.includes('| Total | 12m 35s |'));
    assert.ok(md.includes(`- [Image template in the Azure portal](https://portal.azure.com/#resource${TEMPLATE_ID})`));
    assert.ok(md.includes('- [Staging resource group in the Azure portal (deleted with the template)](https://portal.azure.com/#resource/subscriptions/s1/resourceGroups/IT_rg_tmpl_1)'));
  });

  it('links the produced gallery image version and managed image first, not the VHD', () => {
    const template = templateWith([distributors.gallery, distributors.managed, distributors.vhd]);
    const runOutputs = [runOutputFor.gallery, runOutputFor.managed, runOutputFor.vhd];
    const md = renderSummary(facts({ distribution: distributionResults(template, runOutputs) }), loc);
    const links = md.slice(md.indexOf('## Links')).split('\n').filter((l) => l.startsWith('- ['));
    assert.equal(links.length, 4, links.join('\n'));
    assert.equal(links[0], `- [Gallery image version 1.2.3 in the Azure portal](https://portal.azure.com/#resource${runOutputFor.gallery.artifactId})`);
    assert.match(links[1]!, /^- \[Managed image web-image in the Azure portal\]\(https:\/\/portal\.azure\.com\/#resource\/subscriptions\/.*\/images\/web-image\)$/);
    assert.match(links[2]!, /Image template in the Azure portal/);
    assert.ok(!md.includes('.vhd in the Azure portal'));
  });

  it("puts the task's own phases in the time per phase, the service's phases and the steps under the build", () => {
    const md = renderSummary(
      facts({
        taskPhases: [
          { phase: 'preflight', durationMs: 4_000 },
          { phase: 'upload', durationMs: 12_000 },
          { phase: 'create', durationMs: 20_000 },
          { phase: 'build', durationMs: 760_000 },
        ],
        steps: [{ title: 'RunInlineScript (Shell)', durationMs: 65_000 }],
      }),
      loc,
    );
    const table = md.slice(md.indexOf('## Time per phase'), md.indexOf('## Links')).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Phase') && !l.startsWith('| ---'));
    assert.deepEqual(table, [
      '| Preflight checks | 4s |',
      '| Artifact upload | 12s |',
      '| Template creation | 20s |',
      '| Build (until the service reported the end) | 12m 40s |',
      '| Build: Running/Queued | 30s |',
      '| Build: Running/Customizing | 12m 05s |',
      '| Build step: RunInlineScript (Shell) | 1m 05s |',
      '| Total | 12m 35s |',
    ]);
  });

  it('escapes table cells and text from Azure or the user', () => {
    const template = templateWith([{ type: 'VHD', runOutputName: 'a|b', uri: 'https://x/<script>|y' }]);
    const md = renderSummary(
      facts({ template, distribution: distributionResults(template, []), outputs: { templateName: 'x|y\nz' }, failure: ['Step | failed <b>now</b>', 'line\nbreak'] }),
      loc,
    );
    assert.ok(md.includes('| VHD | a\\|b | https://x/&lt;script&gt;\\|y | not produced |'));
    assert.ok(md.includes('| templateName | x\\|y<br>z |'));
    assert.ok(md.includes('## What went wrong'));
    assert.ok(md.includes('- Step \\| failed &lt;b&gt;now&lt;/b&gt;'));
    assert.ok(md.includes('- line<br>break'));
    assert.ok(!md.includes('<script>'));
  });

  it('uses the portal of the connection cloud and gives no links where the portal is unknown', () => {
    assert.equal(portalLink('AzureUSGovernment', STAGING), `https://portal.azure.us/#resource${STAGING}`);
    assert.equal(portalLink('AzureChinaCloud', STAGING), `https://portal.azure.cn/#resource${STAGING}`);
    assert.equal(portalLink('AzureCloud', '/subscriptions/s/resourceGroups/rg(1)'), 'https://portal.azure.com/#resource/subscriptions/s/resourceGroups/rg%281%29');
    const md = renderSummary(facts({ environment: 'AzureStack' }), loc);
    assert.ok(md.includes('No portal links: the Azure portal address of cloud AzureStack is not known.'));
    assert.ok(!md.includes('https://portal'));
  });

  it('leaves out the phase table when no phase was seen and says when there are no customizers', () => {
    const template = { properties: { source: { type: 'ManagedImage' as const, imageId: '/x' }, distribute: [distributors.vhd] } };
    const md = renderSummary(facts({ template, phases: [], distribution: [] }), loc);
    assert.ok(!md.includes('## Time per phase'));
    assert.ok(md.includes('## Customizers\n\nNone.'));
    assert.ok(md.includes('Managed image /x'));
  });

  it('escapes Markdown specials', () => {
    assert.equal(escapeMarkdown('a|b*c_d`e[f]g\\h#i&j'), 'a\\|b\\*c\\_d\\`e\\[f\\]g\\\\h\\#i&amp;j');
  });
});
