import { strict as assert } from 'node:assert';
import type { ArtifactAccess, DistributeTarget, ImageBuilderConfig, Provisioner, SourceConfig } from '../../shared/config/types';
import type { StagedArtifact } from '../../shared/template/stagedArtifact';
import { buildImageTemplate, TemplateError, type ImageTemplateBody, type ImageTemplateCustomizer } from '../../shared/template';
import {
  FILE_LIMIT,
  baseConfig,
  fullBuildVm,
  galleryTarget,
  galleryVersionSource,
  managedImageSource,
  managedImageTarget,
  artifactsFor,
  plannedPlatformSource,
  platformSource,
  stagedArtifact,
  vhdTarget,
  VHD_URI,
  SHA256,
} from '../support/configFixtures';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputName } from '../../shared/config/inputNames';
import { imageTemplateExamplesDir, loadImageTemplateSpec, type ImageTemplateSpec } from '../../testkit/imageTemplateSpec';

type SourceCase = { label: string; make: (p: Provisioner) => SourceConfig; wireType: string };
const SOURCES: SourceCase[] = [
  { label: 'platform image (latest, pinned)', make: () => platformSource(), wireType: 'PlatformImage' },
  { label: 'platform image with plan', make: () => plannedPlatformSource(), wireType: 'PlatformImage' },
  { label: 'managed image', make: () => managedImageSource(), wireType: 'ManagedImage' },
  { label: 'gallery image version', make: () => galleryVersionSource(), wireType: 'SharedImageVersion' },
];

type ArtifactCase = { label: string; size?: number; access?: ArtifactAccess };
const ARTIFACTS: ArtifactCase[] = [
  { label: 'no artifacts' },
  { label: 'small artifact, sas', size: 1024, access: 'sas' },
  { label: 'small artifact, identity', size: FILE_LIMIT, access: 'identity' },
  { label: 'large artifact, sas', size: FILE_LIMIT + 1, access: 'sas' },
  { label: 'large artifact, identity', size: 300 * 1024 * 1024, access: 'identity' },
];

type DistributeCase = { label: string; targets: () => DistributeTarget[]; wireTypes: string[] };
const DISTRIBUTES: DistributeCase[] = [
  { label: 'managed image', targets: () => [managedImageTarget()], wireTypes: ['ManagedImage'] },
  { label: 'gallery', targets: () => [galleryTarget()], wireTypes: ['SharedImage'] },
  { label: 'VHD', targets: () => [vhdTarget()], wireTypes: ['VHD'] },
  {
    label: 'all three',
    targets: () => [
      managedImageTarget({ artifactTags: { source: 'pipeline' } }),
      galleryTarget({ version: '1.0.7', targetRegions: [{ name: 'westeurope' }, { name: 'northeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' }], excludeFromLatest: true }),
      vhdTarget({ uri: VHD_URI }),
    ],
    wireTypes: ['ManagedImage', 'SharedImage', 'VHD'],
  },
];

const BUILD_VMS = [
  { label: 'service defaults', apply: (_c: ImageBuilderConfig) => undefined },
  { label: 'every build VM setting', apply: fullBuildVm },
];

/** Names of the task's steps in the order they must appear. */
const TASK_STEP_ORDER = ['PrepareBuildArtifactsFolder', 'DownloadBuildArtifacts', 'UnpackBuildArtifacts', 'RunInlineScript', 'RunScriptFile', 'RestartWindows', 'InstallWindowsUpdates', 'RemoveBuildArtifacts'];

function inlineOf(step: ImageTemplateCustomizer): string[] {
  return 'inline' in step && step.inline ? step.inline : [];
}

/**
 * The convention the local Image Builder stand-in relies on: every URL a
 * script downloads is single-quoted, and the expected SHA-256 sits in the same
 * customizer.
 */
function assertDownloadConvention(step: ImageTemplateCustomizer): void {
  const script = inlineOf(step).join('\n');
  for (const match of script.matchAll(/https?:\/\/[^\s'"]+/g)) {
    assert.equal(script[match.index - 1], "'", `URL not single-quoted in ${step.name}: ${match[0]}`);
  }
  if (/https:\/\//.test(script)) assert.match(script, /\b[0-9a-f]{64}\b/, `${step.name} downloads without its SHA-256`);
}

describe('template engine: matrix of configs validates against the 2025-10-01 spec', function () {
  let spec: ImageTemplateSpec;
  before(async function () {
    spec = await loadImageTemplateSpec('2025-10-01');
  });

  for (const provisioner of ['shell', 'powershell'] as const) {
    for (const source of SOURCES) {
      for (const art of ARTIFACTS) {
        for (const dist of DISTRIBUTES) {
          for (const vm of BUILD_VMS) {
            const title = `${provisioner}, ${source.label}, ${art.label}, distribute ${dist.label}, ${vm.label}`;
            it(title, function () {
              const config = baseConfig(provisioner);
              config.source = source.make(provisioner);
              config.distribute = dist.targets();
              vm.apply(config);
              config.customize.inlineScript = provisioner === 'shell' ? ['echo hello', 'sudo apt-get update'] : ['Write-Host hello'];
              config.customize.scriptPath = provisioner === 'shell' ? 'scripts/install.sh' : 'scripts\\install.ps1';
              config.validate.inlineScript = provisioner === 'shell' ? ['test -f /etc/os-release'] : ['Test-Path C:\\Windows'];
              if (provisioner === 'powershell') {
                config.customize.runElevated = true;
                config.customize.windowsRestart = true;
                config.customize.windowsUpdate = true;
              }
              let artifact: StagedArtifact | undefined;
              if (art.size !== undefined && art.access) {
                config.artifacts = artifactsFor(provisioner, art.access);
                artifact = stagedArtifact(provisioner, art.access, art.size);
              }
              const staged = { artifact, pinnedPlatformVersion: '2024.06.01' };

              const needsVmIdentity = art.access === 'identity' && (art.size ?? 0) > FILE_LIMIT && config.buildVm.userAssignedIdentities.length === 0;
              if (needsVmIdentity) {
                assert.throws(() => buildImageTemplate(config, staged), (err: unknown) => err instanceof TemplateError && err.inputName === 'buildVmIdentities');
                return;
              }

              const body: ImageTemplateBody = buildImageTemplate(config, staged);
              assert.deepEqual(spec.validateTemplate(body).errors, []);

              const p = body.properties;
              assert.equal(p.source.type, source.wireType);
              assert.deepEqual(p.distribute.map((d) => d.type), dist.wireTypes);
              assert.deepEqual(body.identity.userAssignedIdentities, { [config.target.managedIdentity]: {} });

              const customize = p.customize ?? [];
              const names = customize.map((c) => c.name ?? '');
              const taskSteps = names.filter((n) => TASK_STEP_ORDER.includes(n));
              assert.deepEqual(taskSteps, [...taskSteps].sort((a, b) => TASK_STEP_ORDER.indexOf(a) - TASK_STEP_ORDER.indexOf(b)), 'task steps out of order');
              assert.equal(new Set(names).size, names.length, 'customizer names must be unique');
              for (const step of customize) assertDownloadConvention(step);

              if (artifact) {
                const delivery = customize.find((c) => c.name === 'DownloadBuildArtifacts');
                assert.ok(delivery, 'no delivery step');
                if (artifact.sizeBytes <= FILE_LIMIT) {
                  assert.equal(delivery.type, 'File');
                  assert.equal('sha256Checksum' in delivery && delivery.sha256Checksum, SHA256);
                } else {
                  assert.equal(delivery.type, provisioner === 'shell' ? 'Shell' : 'PowerShell');
                  assert.ok(inlineOf(delivery).some((l) => l.includes(artifact!.url)), 'download step must fetch the staged URL');
                  assert.ok(inlineOf(delivery).some((l) => l.includes(SHA256) && /sha256sum -c|Get-FileHash|\$actual -ne/.test(l)), 'download step must verify the SHA-256');
                }
                assert.equal(names.at(-1), 'RemoveBuildArtifacts');
              } else {
                assert.ok(!names.some((n) => /BuildArtifacts/.test(n)));
              }
              if (provisioner === 'powershell') {
                assert.deepEqual(names.slice(-3 - (artifact ? 1 : 0)).slice(0, 3), ['RunScriptFile', 'RestartWindows', 'InstallWindowsUpdates']);
              } else {
                assert.ok(!customize.some((c) => c.type === 'WindowsRestart' || c.type === 'WindowsUpdate' || c.type === 'PowerShell'));
              }
            });
          }
        }
      }
    }
  }

  describe('over a user template', function () {
    const EXPLICIT_SETS: { label: string; inputs: InputName[] }[] = [
      { label: 'no explicit inputs', inputs: [] },
      {
        label: 'every overridable input explicit',
        inputs: ['baseImage', 'inlineScript', 'scriptPath', 'windowsRestart', 'windowsUpdateProvisioner', 'additionalCustomizers', 'validationInlineScript',
          'sourceValidationOnly', 'continueDistributeOnFailure', 'distributeType', 'vmSize', 'osDiskSizeGB', 'buildVmIdentities', 'vnetSubnetId',
          'stagingResourceGroup', 'buildTimeoutInMinutes', 'onCustomizerError', 'onValidationError', 'optimizeVmBoot', 'templateTags'],
      },
    ];
    for (const provisioner of ['shell', 'powershell'] as const) {
      const example = provisioner === 'shell' ? 'CreateImageTemplateLinux.json' : 'CreateImageTemplateWindows.json';
      for (const art of ARTIFACTS) {
        for (const set of EXPLICIT_SETS) {
          it(`${provisioner}, ${example}, ${art.label}, ${set.label}`, function () {
            const file = JSON.parse(fs.readFileSync(path.join(imageTemplateExamplesDir('2025-10-01'), example), 'utf8')) as { parameters: { parameters: Record<string, unknown> } };
            const config = baseConfig(provisioner);
            fullBuildVm(config);
            config.distribute = DISTRIBUTES[3]!.targets();
            config.customize.inlineScript = ['echo hi'];
            config.customize.scriptPath = 'setup';
            config.customize.additionalCustomizers = [{ type: provisioner === 'shell' ? 'Shell' : 'PowerShell', name: 'Extra', inline: ['echo extra'] }];
            config.validate.inlineScript = ['echo ok'];
            if (provisioner === 'powershell') {
              config.customize.windowsRestart = true;
              config.customize.windowsUpdate = true;
            }
            config.userTemplate = { body: file.parameters.parameters, explicitInputs: set.inputs };
            let artifact: StagedArtifact | undefined;
            if (art.size !== undefined && art.access) {
              config.artifacts = artifactsFor(provisioner, art.access);
              artifact = stagedArtifact(provisioner, art.access, art.size);
            }
            const body = buildImageTemplate(config, { artifact, pinnedPlatformVersion: '2024.06.01' });
            assert.deepEqual(spec.validateTemplate(body).errors, []);
            const names = (body.properties.customize ?? []).map((c) => c.name);
            if (artifact) {
              // The artifact steps lead, before every customizer of the file.
              const leading = names.slice(0, names.indexOf('UnpackBuildArtifacts') + 1);
              assert.deepEqual(leading.slice(-2), ['DownloadBuildArtifacts', 'UnpackBuildArtifacts']);
              assert.ok(leading.every((n) => /BuildArtifacts/.test(n ?? '')), leading.join(', '));
              assert.equal(names[names.includes('Extra') ? names.length - 2 : names.length - 1], 'RemoveBuildArtifacts');
            }
            assert.equal(names.includes('RunInlineScript'), set.inputs.includes('inlineScript'));
          });
        }
      }
    }
  });
});
