import { strict as assert } from 'node:assert';
import type { ImageBuilderConfig, Provisioner } from '../../shared/config/types';
import {
  buildImageTemplate,
  TemplateError,
  type ImageTemplateBody,
  type ImageTemplateCustomizer,
  type ImageTemplateDistributor,
  type StagedInputs,
} from '../../shared/template';
import {
  FILE_LIMIT,
  SHA256,
  VHD_URI,
  artifactsFor,
  baseConfig,
  configWith,
  galleryTarget,
  galleryVersionSource,
  ids,
  managedImageSource,
  managedImageTarget,
  plannedPlatformSource,
  platformSource,
  stagedArtifact,
  vhdTarget,
} from '../support/configFixtures';
import { loadImageTemplateSpec, type ImageTemplateSpec } from '../../testkit/imageTemplateSpec';
import { createLocalizer, taskMessages } from '../support/localizer';

let spec: ImageTemplateSpec;

/** Builds and checks the body against the spec, so every case here is also a valid request. */
function build(config: ImageBuilderConfig, staged: StagedInputs = {}): ImageTemplateBody {
  const body = buildImageTemplate(config, staged);
  assert.deepEqual(spec.validateTemplate(body).errors, [], 'the body must validate against the 2025-10-01 spec');
  return body;
}

const steps = (body: ImageTemplateBody): ImageTemplateCustomizer[] => body.properties.customize ?? [];
const names = (body: ImageTemplateBody): string[] => steps(body).map((c) => c.name ?? `<${c.type}>`);
function step(body: ImageTemplateBody, name: string): ImageTemplateCustomizer {
  const found = steps(body).find((c) => c.name === name);
  assert.ok(found, `no customizer named ${name}; have ${names(body).join(', ')}`);
  return found;
}
const inline = (c: ImageTemplateCustomizer): string[] => ('inline' in c && c.inline ? c.inline : []);

function withArtifacts(provisioner: Provisioner, access: 'sas' | 'identity', size: number, change?: (c: ImageBuilderConfig) => void) {
  const config = configWith(provisioner, (c) => {
    c.artifacts = artifactsFor(provisioner, access);
    change?.(c);
  });
  return { config, staged: { artifact: stagedArtifact(provisioner, access, size) } };
}

describe('buildImageTemplate', function () {
  before(async function () {
    spec = await loadImageTemplateSpec('2025-10-01');
  });

  describe('envelope', function () {
    it('takes location and the template identity from the config, and nothing optional by default', function () {
      const body = build(baseConfig());
      assert.equal(body.location, 'westeurope');
      assert.deepEqual(body.identity, { type: 'UserAssigned', userAssignedIdentities: { [ids.templateIdentity]: {} } });
      assert.equal(body.tags, undefined);
      assert.deepEqual(Object.keys(body.properties), ['source', 'distribute', 'errorHandling']);
      assert.deepEqual(body.properties.errorHandling, { onCustomizerError: 'cleanup', onValidationError: 'cleanup' });
    });

    it('sets template tags, error handling, VM boot optimization, timeout and staging resource group when asked', function () {
      const body = build(
        configWith('shell', (c) => {
          c.templateTags = { team: 'platform' };
          c.errorHandling = { onCustomizerError: 'abort', onValidationError: 'abort' };
          c.optimizeVmBoot = true;
          c.buildVm.buildTimeoutInMinutes = 90;
          c.buildVm.stagingResourceGroup = ids.stagingResourceGroup;
        }),
      );
      assert.deepEqual(body.tags, { team: 'platform' });
      assert.deepEqual(body.properties.errorHandling, { onCustomizerError: 'abort', onValidationError: 'abort' });
      assert.deepEqual(body.properties.optimize, { vmBoot: { state: 'Enabled' } });
      assert.equal(body.properties.buildTimeoutInMinutes, 90);
      assert.equal(body.properties.stagingResourceGroup, ids.stagingResourceGroup);
    });
  });

  describe('source', function () {
    it('pins a gallery source asked for as latest to the exact version resolved at submit', function () {
      const definition = ids.sourceGalleryVersion.replace(/\/versions\/[^/]+$/, '');
      const config = configWith('shell', (c) => (c.source = galleryVersionSource(`${definition}/versions/latest`)));
      const body = build(config, { pinnedGalleryVersionId: `${definition}/versions/1.4.0` });
      assert.deepEqual(body.properties.source, { type: 'SharedImageVersion', imageVersionId: `${definition}/versions/1.4.0` });
      // Not resolved (no pin given): latest stays, and the service evaluates it when the build takes place.
      assert.deepEqual(build(config).properties.source, { type: 'SharedImageVersion', imageVersionId: `${definition}/versions/latest` });
      // An exact version is kept whatever the pin says.
      const exact = configWith('shell', (c) => (c.source = galleryVersionSource()));
      assert.deepEqual(build(exact, { pinnedGalleryVersionId: `${definition}/versions/9.9.9` }).properties.source, { type: 'SharedImageVersion', imageVersionId: ids.sourceGalleryVersion });
    });

    it('refuses a pin that is a version of another gallery image definition', function () {
      const definition = ids.sourceGalleryVersion.replace(/\/versions\/[^/]+$/, '');
      const config = configWith('shell', (c) => (c.source = galleryVersionSource(`${definition}/versions/latest`)));
      assert.throws(() => buildImageTemplate(config, { pinnedGalleryVersionId: `${definition}-other/versions/1.0.0` }), RangeError);
    });

    it('pins a latest platform image to the resolved version', function () {
      const body = build(baseConfig(), { pinnedPlatformVersion: '24.04.202406140' });
      assert.deepEqual(body.properties.source, { type: 'PlatformImage', publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: '24.04.202406140' });
    });

    it('keeps latest when pinning is off or nothing was resolved', function () {
      const unpinned = configWith('shell', (c) => (c.source = platformSource({ pinLatestVersion: false })));
      const src = build(unpinned, { pinnedPlatformVersion: '1.0.0' }).properties.source;
      assert.ok(src.type === 'PlatformImage' && src.version === 'latest');
      const notResolved = build(baseConfig()).properties.source;
      assert.ok(notResolved.type === 'PlatformImage' && notResolved.version === 'latest');
    });

    it('keeps an explicit version and carries the purchase plan', function () {
      const body = build(configWith('shell', (c) => (c.source = plannedPlatformSource())), { pinnedPlatformVersion: '9.9.9' });
      assert.deepEqual(body.properties.source, {
        type: 'PlatformImage',
        publisher: 'center-for-internet-security-inc',
        offer: 'cis-ubuntu-linux-2204-l1',
        sku: 'cis-ubuntu2204-l1',
        version: '2.1.0',
        planInfo: { planName: 'cis-ubuntu2204-l1', planProduct: 'cis-ubuntu-linux-2204-l1', planPublisher: 'center-for-internet-security-inc' },
      });
    });

    it('uses a managed image or a gallery image version', function () {
      assert.deepEqual(build(configWith('shell', (c) => (c.source = managedImageSource()))).properties.source, { type: 'ManagedImage', imageId: ids.sourceManagedImage });
      const latest = ids.sourceGalleryVersion.replace(/1\.2\.3$/, 'latest');
      assert.deepEqual(build(configWith('shell', (c) => (c.source = galleryVersionSource(latest)))).properties.source, { type: 'SharedImageVersion', imageVersionId: latest });
    });
  });

  describe('distribution', function () {
    const distribute = (...targets: ImageBuilderConfig['distribute']): ImageTemplateDistributor[] =>
      build(configWith('shell', (c) => (c.distribute = targets))).properties.distribute;

    it('names an explicit gallery version in the id and leaves versioning out', function () {
      const [d] = distribute(galleryTarget({ version: '2.4.10' }));
      assert.ok(d && d.type === 'SharedImage');
      assert.equal(d.galleryImageId, `${ids.galleryDefinition}/versions/2.4.10`);
      assert.equal(d.versioning, undefined);
    });

    it('lets the service number an automatic gallery version after the newest one', function () {
      const [d] = distribute(galleryTarget());
      assert.ok(d && d.type === 'SharedImage');
      assert.equal(d.galleryImageId, ids.galleryDefinition);
      assert.deepEqual(d.versioning, { scheme: 'Latest', major: -1 });
    });

    it('sends the versioning scheme asked for, each valid against the spec', function () {
      const versioningOf = (versioning: Extract<ImageBuilderConfig['distribute'][number], { kind: 'sharedImageGallery' }>['versioning']) => {
        const [d] = distribute(galleryTarget({ versioning }));
        assert.ok(d && d.type === 'SharedImage');
        return d.versioning;
      };
      assert.deepEqual(versioningOf({ scheme: 'Latest', major: 3 }), { scheme: 'Latest', major: 3 });
      assert.deepEqual(versioningOf({ scheme: 'Latest', major: -1 }), { scheme: 'Latest', major: -1 });
      assert.deepEqual(versioningOf({ scheme: 'Source' }), { scheme: 'Source' });
      assert.equal(versioningOf({ scheme: 'ServiceDefault' }), undefined);
      // With an explicit version the id names it and no scheme goes along, whatever was asked.
      const [explicit] = distribute(galleryTarget({ version: '1.0.0', versioning: { scheme: 'Source' } }));
      assert.ok(explicit && explicit.type === 'SharedImage');
      assert.equal(explicit.versioning, undefined);
    });

    it('the spec refuses a major below -1, so the input range matches the service', function () {
      const body = buildImageTemplate(configWith('shell', (c) => (c.distribute = [galleryTarget({ versioning: { scheme: 'Latest', major: -2 } })])));
      assert.notDeepEqual(spec.validateTemplate(body).errors, []);
    });

    it('turns replication regions into targetRegions, with excludeFromLatest and artifact tags', function () {
      const [d] = distribute(
        galleryTarget({
          targetRegions: [{ name: 'westeurope' }, { name: 'eastus2', replicaCount: 3 }, { name: 'northeurope', replicaCount: 1, storageAccountType: 'Standard_ZRS' }],
          excludeFromLatest: true,
          artifactTags: { build: '42' },
        }),
      );
      assert.ok(d && d.type === 'SharedImage');
      assert.deepEqual(d.targetRegions, [{ name: 'westeurope' }, { name: 'eastus2', replicaCount: 3 }, { name: 'northeurope', replicaCount: 1, storageAccountType: 'Standard_ZRS' }]);
      assert.equal(d.excludeFromLatest, true);
      assert.deepEqual(d.artifactTags, { build: '42' });
    });

    it('replicates to the build location when no region is given', function () {
      const [d] = distribute(galleryTarget({ targetRegions: [] }));
      assert.ok(d && d.type === 'SharedImage');
      assert.deepEqual(d.targetRegions, [{ name: 'westeurope' }]);
    });

    it('writes managed image and VHD distributors, several at once in the given order', function () {
      const all = distribute(managedImageTarget({ location: 'northeurope' }), vhdTarget(), vhdTarget({ runOutputName: 'vhd2', uri: VHD_URI }), galleryTarget());
      assert.deepEqual(all.slice(0, 3), [
        { type: 'ManagedImage', imageId: ids.targetManagedImage, location: 'northeurope', runOutputName: 'app-managed-image' },
        { type: 'VHD', runOutputName: 'app-vhd' },
        { type: 'VHD', runOutputName: 'vhd2', uri: VHD_URI },
      ]);
      assert.equal(all[3]?.type, 'SharedImage');
    });
  });

  describe('artifacts up to 20 MB', function () {
    it('Linux: a File customizer with the checksum into /tmp, then tar into the destination', function () {
      const { config, staged } = withArtifacts('shell', 'sas', 5000);
      const body = build(config, staged);
      assert.deepEqual(names(body), ['DownloadBuildArtifacts', 'UnpackBuildArtifacts', 'RemoveBuildArtifacts']);
      assert.deepEqual(step(body, 'DownloadBuildArtifacts'), {
        type: 'File',
        name: 'DownloadBuildArtifacts',
        sourceUri: staged.artifact.url,
        destination: '/tmp/webapp.tar.gz',
        sha256Checksum: SHA256,
      });
      assert.deepEqual(inline(step(body, 'UnpackBuildArtifacts')), ['set -e', "sudo mkdir -p '/tmp/webapp'", "sudo tar -xzf '/tmp/webapp.tar.gz' -C '/tmp/webapp'"]);
      assert.deepEqual(inline(step(body, 'RemoveBuildArtifacts')), ['set -e', "sudo rm -rf '/tmp/webapp' '/tmp/webapp.tar.gz'"]);
    });

    it('Windows: the archive folder is created, the zip arrives by File customizer and is expanded', function () {
      const { config, staged } = withArtifacts('powershell', 'sas', FILE_LIMIT);
      const body = build(config, staged);
      assert.deepEqual(names(body), ['PrepareBuildArtifactsFolder', 'DownloadBuildArtifacts', 'UnpackBuildArtifacts', 'RemoveBuildArtifacts']);
      assert.ok(inline(step(body, 'PrepareBuildArtifactsFolder')).some((l) => l.includes("New-Item -ItemType Directory -Force -Path 'C:\\BuildArtifacts'")));
      const file = step(body, 'DownloadBuildArtifacts');
      assert.ok(file.type === 'File');
      assert.equal(file.destination, 'C:\\BuildArtifacts\\webapp.zip');
      assert.equal(file.sha256Checksum, SHA256);
      assert.ok(inline(step(body, 'UnpackBuildArtifacts')).includes("Expand-Archive -LiteralPath 'C:\\BuildArtifacts\\webapp.zip' -DestinationPath 'C:\\BuildArtifacts\\webapp' -Force"));
    });

    it('with identity access the File customizer fetches the plain blob URL (no build VM identity needed)', function () {
      const { config, staged } = withArtifacts('shell', 'identity', FILE_LIMIT);
      const file = step(build(config, staged), 'DownloadBuildArtifacts');
      assert.ok(file.type === 'File');
      assert.equal(file.sourceUri, 'https://artifactstore.blob.core.windows.net/imagebuilder-artifacts/t-42-1/webapp.tar.gz');
    });
  });

  describe('artifacts over 20 MB', function () {
    it('Linux, SAS: curl downloads the single-quoted URL and sha256sum checks it', function () {
      const { config, staged } = withArtifacts('shell', 'sas', FILE_LIMIT + 1);
      const body = build(config, staged);
      const download = step(body, 'DownloadBuildArtifacts');
      assert.equal(download.type, 'Shell');
      assert.ok(!steps(body).some((c) => c.type === 'File'), 'no File customizer over the limit');
      const lines = inline(download);
      assert.ok(lines.some((l) => /^curl .* -o '\/tmp\/webapp\.tar\.gz' '/.test(l) && l.endsWith(`'${staged.artifact.url}'`)), lines.join('\n'));
      assert.equal(lines.at(-1), `echo '${SHA256}  /tmp/webapp.tar.gz' | sha256sum -c -`);
    });

    it('Windows, SAS: Invoke-WebRequest then Get-FileHash compared with the expected hash', function () {
      const { config, staged } = withArtifacts('powershell', 'sas', 64 * 1024 * 1024);
      const lines = inline(step(build(config, staged), 'DownloadBuildArtifacts'));
      assert.ok(lines.includes(`Invoke-WebRequest -UseBasicParsing -Uri '${staged.artifact.url}' -OutFile 'C:\\BuildArtifacts\\webapp.zip'`));
      assert.ok(lines.some((l) => l.includes("Get-FileHash -Algorithm SHA256 -LiteralPath 'C:\\BuildArtifacts\\webapp.zip'")));
      assert.ok(lines.some((l) => l.startsWith(`if ($actual -ne '${SHA256}') { throw`)));
    });

    it('identity: the VM gets a storage token from IMDS for its first build VM identity', function () {
      for (const provisioner of ['shell', 'powershell'] as const) {
        const { config, staged } = withArtifacts(provisioner, 'identity', 100 * 1024 * 1024, (c) => {
          c.buildVm.userAssignedIdentities = [ids.buildVmIdentity, ids.secondBuildVmIdentity];
        });
        const script = inline(step(build(config, staged), 'DownloadBuildArtifacts')).join('\n');
        const imds = `'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fstorage.azure.com%2F&msi_res_id=${encodeURIComponent(ids.buildVmIdentity)}'`;
        assert.ok(script.includes(imds), `${provisioner}: ${script}`);
        assert.ok(!script.includes(encodeURIComponent(ids.secondBuildVmIdentity)));
        assert.ok(script.includes('Bearer $token'));
        assert.ok(script.includes(`'${staged.artifact.url}'`));
        assert.ok(!script.includes('sig='));
        assert.ok(script.includes(SHA256));
      }
    });

    it('identity without a build VM identity fails with a TemplateError naming buildVmIdentities', function () {
      const { config, staged } = withArtifacts('shell', 'identity', FILE_LIMIT + 1);
      assert.throws(
        () => buildImageTemplate(config, staged),
        (err: unknown) => {
          assert.ok(err instanceof TemplateError);
          assert.equal(err.name, 'TemplateError');
          assert.equal(err.key, 'ArtifactNeedsBuildVmIdentity');
          assert.equal(err.inputName, 'buildVmIdentities');
          assert.deepEqual(err.args, [String(FILE_LIMIT + 1), String(FILE_LIMIT)]);
          assert.match(err.format(createLocalizer(taskMessages)), /set 'buildVmIdentities'/);
          assert.equal(err.format((key, ...args) => `${key}|${args.join('|')}`), `ArtifactNeedsBuildVmIdentity|${FILE_LIMIT + 1}|${FILE_LIMIT}`);
          return true;
        },
      );
    });
  });

  describe('scripts and Windows steps', function () {
    it('runs the inline script then the script file from the destination, elevated when asked, then restart, update and removal', function () {
      const { config, staged } = withArtifacts('powershell', 'sas', 1000, (c) => {
        c.customize.inlineScript = ['Install-WindowsFeature Web-Server', 'Write-Host done'];
        c.customize.scriptPath = 'scripts/setup.ps1';
        c.customize.runElevated = true;
        c.customize.runAsSystem = true;
        c.customize.windowsRestart = true;
        c.customize.windowsUpdate = true;
        c.customize.additionalCustomizers = [{ type: 'PowerShell', name: 'UserExtra', inline: ['Write-Host extra'], validExitCodes: [0, 3010] }];
      });
      const body = build(config, staged);
      assert.deepEqual(names(body), [
        'PrepareBuildArtifactsFolder',
        'DownloadBuildArtifacts',
        'UnpackBuildArtifacts',
        'RunInlineScript',
        'RunScriptFile',
        'RestartWindows',
        'InstallWindowsUpdates',
        'RemoveBuildArtifacts',
        'UserExtra',
      ]);
      assert.deepEqual(step(body, 'RunInlineScript'), {
        type: 'PowerShell',
        name: 'RunInlineScript',
        inline: ["Set-Location -LiteralPath 'C:\\BuildArtifacts\\webapp' -ErrorAction Stop", 'Install-WindowsFeature Web-Server', 'Write-Host done'],
        runElevated: true,
        runAsSystem: true,
      });
      const script = step(body, 'RunScriptFile');
      assert.ok(script.type === 'PowerShell' && script.runElevated === true && script.runAsSystem === true);
      assert.ok(inline(script).includes("& 'C:\\BuildArtifacts\\webapp\\scripts\\setup.ps1'"));
      assert.deepEqual(step(body, 'RestartWindows'), { type: 'WindowsRestart', name: 'RestartWindows' });
      assert.deepEqual(step(body, 'InstallWindowsUpdates'), {
        type: 'WindowsUpdate',
        name: 'InstallWindowsUpdates',
        searchCriteria: 'IsInstalled=0',
        filters: ["exclude:$_.Title -like '*Preview*'", 'include:$true'],
        updateLimit: 1000,
      });
      assert.deepEqual(step(body, 'UserExtra'), { type: 'PowerShell', name: 'UserExtra', inline: ['Write-Host extra'], validExitCodes: [0, 3010] });
    });

    it('leaves the elevation switches out when not asked for', function () {
      const body = build(configWith('powershell', (c) => (c.customize.inlineScript = ['Write-Host hi'])));
      assert.deepEqual(step(body, 'RunInlineScript'), { type: 'PowerShell', name: 'RunInlineScript', inline: ['Write-Host hi'] });
    });

    it('runElevated without runAsSystem sets only runElevated', function () {
      const body = build(configWith('powershell', (c) => {
        c.customize.inlineScript = ['Write-Host hi'];
        c.customize.runElevated = true;
      }));
      const s = step(body, 'RunInlineScript');
      assert.ok(s.type === 'PowerShell' && s.runElevated === true && !('runAsSystem' in s));
    });

    it('Linux: scripts run from the destination; the script file with sudo bash', function () {
      const { config, staged } = withArtifacts('shell', 'sas', 1000, (c) => {
        c.customize.inlineScript = ['./configure.sh --prod'];
        c.customize.scriptPath = './scripts/install.sh';
      });
      const body = build(config, staged);
      assert.deepEqual(inline(step(body, 'RunInlineScript')), ["cd '/tmp/webapp' || exit 1", './configure.sh --prod']);
      assert.deepEqual(inline(step(body, 'RunScriptFile')), ["cd '/tmp/webapp' || exit 1", "sudo bash '/tmp/webapp/scripts/install.sh'"]);
    });

    it('without artifacts, the script path is used as a path on the VM and no directory change is made', function () {
      const body = build(configWith('shell', (c) => {
        c.customize.inlineScript = ['echo hi'];
        c.customize.scriptPath = '/opt/setup/install.sh';
      }));
      assert.deepEqual(names(body), ['RunInlineScript', 'RunScriptFile']);
      assert.deepEqual(inline(step(body, 'RunInlineScript')), ['echo hi']);
      assert.deepEqual(inline(step(body, 'RunScriptFile')), ["sudo bash '/opt/setup/install.sh'"]);
    });

    it('keeps the artifacts when removeArtifacts is off', function () {
      const { config, staged } = withArtifacts('shell', 'sas', 1000, (c) => (c.customize.removeArtifacts = false));
      assert.deepEqual(names(build(config, staged)), ['DownloadBuildArtifacts', 'UnpackBuildArtifacts']);
    });

    it('quotes a destination with spaces and quotes in every script', function () {
      const { config, staged } = withArtifacts('shell', 'sas', 1000, (c) => {
        c.artifacts!.destination = "/opt/my app/it's here/";
        c.customize.scriptPath = 'run.sh';
      });
      const body = build(config, staged);
      assert.ok(inline(step(body, 'UnpackBuildArtifacts')).includes(`sudo tar -xzf '/tmp/webapp.tar.gz' -C '/opt/my app/it'\\''s here'`));
      assert.ok(inline(step(body, 'RunScriptFile')).includes(`sudo bash '/opt/my app/it'\\''s here/run.sh'`));

      const win = withArtifacts('powershell', 'sas', 1000, (c) => (c.artifacts!.destination = "D:\\Tools\\O'Neil"));
      // PowerShell gets anything beyond plain path characters as Base64 of its UTF-8 bytes (see scriptQuoting.test.ts).
      const encoded = Buffer.from("D:\\Tools\\O'Neil", 'utf8').toString('base64');
      assert.ok(
        inline(step(build(win.config, win.staged), 'UnpackBuildArtifacts')).some((l) =>
          l.includes(`-DestinationPath ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${encoded}'))) -Force`),
        ),
      );
    });

    it('refuses to unpack into (and later remove) a file system root', function () {
      for (const [provisioner, destination] of [['shell', '/'], ['powershell', 'C:\\']] as const) {
        const { config, staged } = withArtifacts(provisioner, 'sas', 1000, (c) => (c.artifacts!.destination = destination));
        assert.throws(() => buildImageTemplate(config, staged), (err: unknown) => err instanceof TemplateError && err.key === 'ArtifactDestinationIsRoot' && err.inputName === 'artifactDestination');
      }
    });

    it('before staging, scripts still start in the destination but nothing is delivered or removed', function () {
      const config = configWith('shell', (c) => {
        c.artifacts = artifactsFor('shell', 'sas');
        c.customize.inlineScript = ['ls'];
      });
      const body = build(config);
      assert.deepEqual(names(body), ['RunInlineScript']);
      assert.deepEqual(inline(step(body, 'RunInlineScript')), ["cd '/tmp/webapp' || exit 1", 'ls']);
    });
  });

  describe('validation', function () {
    it('adds an inline in-VM validation of the provisioner kind with the switches', function () {
      const linux = build(configWith('shell', (c) => {
        c.validate = { inlineScript: ['test -x /usr/bin/nginx'], sourceValidationOnly: false, continueDistributeOnFailure: true };
      }));
      assert.deepEqual(linux.properties.validate, {
        inVMValidations: [{ type: 'Shell', name: 'ValidationInlineScript', inline: ['test -x /usr/bin/nginx'] }],
        continueDistributeOnFailure: true,
      });
      const windows = build(configWith('powershell', (c) => {
        c.validate = { inlineScript: ['Get-Service W3SVC'], sourceValidationOnly: true, continueDistributeOnFailure: false };
      }));
      assert.deepEqual(windows.properties.validate, {
        inVMValidations: [{ type: 'PowerShell', name: 'ValidationInlineScript', inline: ['Get-Service W3SVC'] }],
        sourceValidationOnly: true,
      });
    });
  });

  describe('build VM', function () {
    it('sets only the vmProfile fields given, including the proxy VM size', function () {
      const body = build(configWith('shell', (c) => {
        c.buildVm.vmSize = 'Standard_D8s_v5';
        c.buildVm.vnet = { subnetId: ids.subnet, proxyVmSize: 'Standard_A2_v2' };
      }));
      assert.deepEqual(body.properties.vmProfile, { vmSize: 'Standard_D8s_v5', vnetConfig: { subnetId: ids.subnet, proxyVmSize: 'Standard_A2_v2' } });
    });

    it('passes OS disk size and build VM identities', function () {
      const body = build(configWith('shell', (c) => {
        c.buildVm.osDiskSizeGB = 256;
        c.buildVm.userAssignedIdentities = [ids.buildVmIdentity];
      }));
      assert.deepEqual(body.properties.vmProfile, { osDiskSizeGB: 256, userAssignedIdentities: [ids.buildVmIdentity] });
    });
  });

  it('is pure: the same input gives the same body and the config is not changed', function () {
    const { config, staged } = withArtifacts('powershell', 'sas', 1000, (c) => {
      c.customize.additionalCustomizers = [{ type: 'WindowsRestart', name: 'Extra' }];
    });
    const before = structuredClone(config);
    const first = buildImageTemplate(config, staged);
    (first.properties.customize!.at(-1) as { name?: string }).name = 'mutated';
    assert.deepEqual(buildImageTemplate(config, staged), { ...first, properties: { ...first.properties, customize: [...first.properties.customize!.slice(0, -1), { type: 'WindowsRestart', name: 'Extra' }] } });
    assert.deepEqual(config, before);
  });
});
