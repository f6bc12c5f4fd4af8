import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { base, context, expectConfig, ids, parse, parseAsAgent } from './configFixtures';

describe('parseConfig: valid inputs', () => {
  it('builds a Linux config from a platform image to the gallery with every default', () => {
    const config = expectConfig(parse(base));
    assert.deepEqual(config.target, {
      connection: 'arm-connection',
      resourceGroup: 'rg-images',
      location: 'westeurope',
      templateName: 'ib-Fabrikam-Web-4711-2',
      managedIdentity: ids.identity,
    });
    assert.equal(config.provisioner, 'shell');
    assert.deepEqual(config.source, {
      kind: 'platformImage',
      publisher: 'Canonical',
      offer: 'ubuntu-24_04-lts',
      sku: 'server',
      version: 'latest',
      pinLatestVersion: true,
    });
    assert.equal(config.artifacts, undefined);
    assert.deepEqual(config.customize, {
      inlineScript: [],
      runElevated: false,
      runAsSystem: false,
      windowsRestart: false,
      windowsUpdate: false,
      removeArtifacts: true,
      additionalCustomizers: [],
    });
    assert.deepEqual(config.validate, { inlineScript: [], sourceValidationOnly: false, continueDistributeOnFailure: false });
    assert.deepEqual(config.distribute, [
      {
        kind: 'sharedImageGallery',
        galleryImageDefinitionId: ids.galleryDefinition,
        targetRegions: [{ name: 'westeurope', storageAccountType: 'Standard_LRS' }],
        excludeFromLatest: false,
        versioning: { scheme: 'Latest', major: -1 },
        runOutputName: 'ib-Fabrikam-Web-4711-2-sig',
        artifactTags: {},
      },
    ]);
    assert.deepEqual(config.buildVm, { buildTimeoutInMinutes: 0, userAssignedIdentities: [] });
    assert.deepEqual(config.errorHandling, { onCustomizerError: 'cleanup', onValidationError: 'cleanup' });
    assert.equal(config.optimizeVmBoot, false);
    assert.deepEqual(config.templateTags, {});
    assert.equal(config.cleanup, 'always');
    assert.equal(config.pollIntervalSeconds, 15);
    assert.equal(config.dryRun, false);
    assert.equal(config.preflight, true);
    assert.equal(config.preflightOnly, false);
    assert.equal(config.userTemplate, undefined);
  });

  it('reads the same config when the agent fills in task.json defaults and roots empty file paths', () => {
    assert.deepEqual(expectConfig(parseAsAgent(base)), expectConfig(parse(base)));
  });

  it('builds a Windows config from a managed image with artifacts, elevation, restart and update', () => {
    const config = expectConfig(
      parse({
        ...base,
        provisioner: 'powershell',
        sourceType: 'managedImage',
        managedImageId: ids.managedImage,
        packagePath: 'drop/web app',
        storageAccountName: 'fabrikamartifacts',
        inlineScript: 'Write-Host one\r\nWrite-Host two\r\n\r\n',
        scriptPath: 'scripts/install.ps1',
        runElevated: 'true',
        runAsSystem: 'TRUE',
        windowsRestart: 'true',
        windowsUpdateProvisioner: 'true',
        removeArtifacts: 'false',
        distributeType: 'managedImage',
        imageIdForDistribute: ids.managedImageTarget,
      }),
    );
    assert.equal(config.provisioner, 'powershell');
    assert.deepEqual(config.source, { kind: 'managedImage', imageId: ids.managedImage });
    assert.deepEqual(config.artifacts, {
      packagePath: path.resolve(context.workingDirectory, 'drop/web app'),
      folderName: 'web app',
      storageAccountName: 'fabrikamartifacts',
      storageContainer: 'imagebuilder-artifacts',
      access: 'sas',
      destination: 'C:\\BuildArtifacts\\web app',
    });
    assert.deepEqual(config.customize.inlineScript, ['Write-Host one', 'Write-Host two']);
    assert.equal(config.customize.scriptPath, 'scripts/install.ps1');
    assert.equal(config.customize.runElevated, true);
    assert.equal(config.customize.runAsSystem, true);
    assert.equal(config.customize.windowsRestart, true);
    assert.equal(config.customize.windowsUpdate, true);
    assert.equal(config.customize.removeArtifacts, false);
    assert.deepEqual(config.distribute, [
      {
        kind: 'managedImage',
        imageId: ids.managedImageTarget,
        location: 'westeurope',
        runOutputName: 'ib-Fabrikam-Web-4711-2-mi',
        artifactTags: {},
      },
    ]);
  });

  it('defaults the Linux artifact destination to /tmp/<folder> and keeps an explicit one', () => {
    const withPackage = { ...base, packagePath: '/agent/_work/1/a/drop', storageAccountName: 'fabrikamartifacts' };
    assert.equal(expectConfig(parse(withPackage)).artifacts?.destination, '/tmp/drop');
    assert.equal(expectConfig(parse({ ...withPackage, artifactDestination: '/opt/web', artifactAccess: 'identity' })).artifacts?.destination, '/opt/web');
    assert.equal(expectConfig(parse({ ...withPackage, artifactAccess: 'identity' })).artifacts?.access, 'identity');
  });

  it('builds from a gallery image version, including /versions/latest, to a VHD', () => {
    const config = expectConfig(
      parse({ ...base, sourceType: 'galleryImageVersion', galleryImageVersionId: ids.galleryLatest, distributeType: 'vhd', vhdUri: 'https://fabrikam.blob.core.windows.net/vhds/web.vhd' }),
    );
    assert.deepEqual(config.source, { kind: 'galleryImageVersion', imageVersionId: ids.galleryLatest });
    assert.deepEqual(config.distribute, [
      { kind: 'vhd', uri: 'https://fabrikam.blob.core.windows.net/vhds/web.vhd', runOutputName: 'ib-Fabrikam-Web-4711-2-vhd', artifactTags: {} },
    ]);
  });

  it('distributes to all three kinds at once with unique run output names and shared artifact tags', () => {
    const config = expectConfig(
      parse({
        ...base,
        distributeType: 'managedImage, sharedImageGallery,vhd',
        imageIdForDistribute: ids.managedImageTarget,
        managedImageLocation: 'NorthEurope',
        galleryImageVersion: '2.0.1',
        replicationRegions: 'westeurope=2:Standard_ZRS\nnortheurope, eastus=3',
        storageAccountType: 'Premium_LRS',
        excludeFromLatest: 'true',
        artifactTags: 'team=web\nsource = $(Build.SourceVersion)\nempty=',
        runOutputName: 'web',
      }),
    );
    assert.deepEqual(
      config.distribute.map((d) => [d.kind, d.runOutputName]),
      [
        ['managedImage', 'web-mi'],
        ['sharedImageGallery', 'web-sig'],
        ['vhd', 'web-vhd'],
      ],
    );
    const tags = { team: 'web', source: '$(Build.SourceVersion)', empty: '' };
    for (const target of config.distribute) assert.deepEqual(target.artifactTags, tags);
    const [managed, gallery] = config.distribute;
    assert.equal(managed?.kind === 'managedImage' && managed.location, 'northeurope');
    assert.deepEqual(gallery?.kind === 'sharedImageGallery' && gallery, {
      kind: 'sharedImageGallery',
      galleryImageDefinitionId: ids.galleryDefinition,
      version: '2.0.1',
      targetRegions: [
        { name: 'westeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' },
        { name: 'northeurope', storageAccountType: 'Premium_LRS' },
        { name: 'eastus', replicaCount: 3, storageAccountType: 'Premium_LRS' },
      ],
      excludeFromLatest: true,
      runOutputName: 'web-sig',
      artifactTags: tags,
    });
  });

  it('uses an explicit run output name as it is for a single distributor', () => {
    assert.equal(expectConfig(parse({ ...base, runOutputName: 'web.image_1' })).distribute[0]?.runOutputName, 'web.image_1');
  });

  it('splits a gallery version id into the definition and its version', () => {
    const gallery = expectConfig(parse({ ...base, galleryImageId: ids.galleryVersion })).distribute[0];
    assert.equal(gallery?.kind, 'sharedImageGallery');
    if (gallery?.kind === 'sharedImageGallery') {
      assert.equal(gallery.galleryImageDefinitionId, ids.galleryDefinition);
      assert.equal(gallery.version, '1.2.3');
    }
    // The same version given twice is no conflict.
    assert.ok(parse({ ...base, galleryImageId: ids.galleryVersion, galleryImageVersion: '1.2.3' }).ok);
  });

  it("accepts v1's values and placeholders: marketplace, sig, Publisher:Offer:Sku, PlanName:PlanProduct:PlanPublisher", () => {
    const config = expectConfig(parse({ ...base, sourceType: 'marketplace', distributeType: 'sig', planInfo: 'PlanName:PlanProduct:PlanPublisher' }));
    assert.equal(config.source.kind, 'platformImage');
    assert.equal(config.distribute[0]?.kind, 'sharedImageGallery');
    assert.equal(config.source.kind === 'platformImage' && config.source.plan, undefined);
    // The placeholder is "not set": the source is then missing.
    const placeholder = parse({ ...base, baseImage: 'Publisher:Offer:Sku' });
    assert.equal(placeholder.ok, false);
  });

  it("reads v1's publisher:offer:sku:<os> picker value as an OS marker, not a version", () => {
    const config = expectConfig(parse({ ...base, provisioner: 'powershell', baseImage: 'MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:windows', baseImageVersion: '20348.2227.240104' }));
    assert.equal(config.source.kind === 'platformImage' && config.source.version, '20348.2227.240104');
  });

  it('takes the platform image version from baseImage or baseImageVersion, and the purchase plan', () => {
    const inImage = expectConfig(parse({ ...base, baseImage: 'Canonical:ubuntu-24_04-lts:server:24.04.202401150', pinLatestVersion: 'false' }));
    assert.deepEqual(inImage.source.kind === 'platformImage' && [inImage.source.version, inImage.source.pinLatestVersion], ['24.04.202401150', false]);
    const separate = expectConfig(parse({ ...base, baseImageVersion: '24.04.202401150', planInfo: 'pro:ubuntu-pro:canonical' }));
    assert.deepEqual(separate.source, {
      kind: 'platformImage',
      publisher: 'Canonical',
      offer: 'ubuntu-24_04-lts',
      sku: 'server',
      version: '24.04.202401150',
      pinLatestVersion: true,
      plan: { planName: 'pro', planProduct: 'ubuntu-pro', planPublisher: 'canonical' },
    });
  });

  it('reads validation, build VM, network, staging, error handling and tags', () => {
    const config = expectConfig(
      parse({
        ...base,
        validationInlineScript: 'test -f /etc/web.conf\nsystemctl is-enabled web',
        sourceValidationOnly: 'false',
        continueDistributeOnFailure: 'true',
        vmSize: 'Standard_D4s_v5',
        osDiskSizeGB: '128',
        buildTimeoutInMinutes: '960',
        vnetSubnetId: ids.subnet,
        proxyVmSize: 'Standard_A2_v2',
        buildVmIdentities: `${ids.buildVmIdentity}, ${ids.buildVmIdentity.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')}\n${ids.identity}`,
        stagingResourceGroup: `${ids.stagingGroup}/`,
        onCustomizerError: 'abort',
        onValidationError: 'Abort',
        optimizeVmBoot: 'true',
        templateTags: 'owner=platform\ncost-center=42',
        cleanup: 'onSuccess',
        pollIntervalSeconds: '2',
        dryRun: 'true',
        preflightOnly: 'true',
        additionalCustomizers: '[{"type":"File","sourceUri":"https://example.com/web.conf","destination":"/tmp/web.conf"}]',
      }),
    );
    assert.deepEqual(config.validate, {
      inlineScript: ['test -f /etc/web.conf', 'systemctl is-enabled web'],
      sourceValidationOnly: false,
      continueDistributeOnFailure: true,
    });
    assert.deepEqual(config.buildVm, {
      vmSize: 'Standard_D4s_v5',
      osDiskSizeGB: 128,
      buildTimeoutInMinutes: 960,
      vnet: { subnetId: ids.subnet, proxyVmSize: 'Standard_A2_v2' },
      userAssignedIdentities: [ids.buildVmIdentity, ids.identity],
      stagingResourceGroup: ids.stagingGroup,
    });
    assert.deepEqual(config.errorHandling, { onCustomizerError: 'abort', onValidationError: 'abort' });
    assert.equal(config.optimizeVmBoot, true);
    assert.deepEqual(config.templateTags, { owner: 'platform', 'cost-center': '42' });
    assert.equal(config.cleanup, 'onSuccess');
    assert.equal(config.pollIntervalSeconds, 2);
    assert.equal(config.dryRun, true);
    assert.equal(config.preflightOnly, true);
    assert.deepEqual(config.customize.additionalCustomizers, [{ type: 'File', sourceUri: 'https://example.com/web.conf', destination: '/tmp/web.conf' }]);
  });

  it('keeps the container instance subnet and drops nothing else for an isolated build', () => {
    const config = expectConfig(parse({ ...base, vnetSubnetId: ids.subnet, containerInstanceSubnetId: ids.aciSubnet }));
    assert.deepEqual(config.buildVm.vnet, { subnetId: ids.subnet, containerInstanceSubnetId: ids.aciSubnet });
  });

  it('ignores the inputs of sources and distributors that are not chosen (hidden in the editor)', () => {
    const config = expectConfig(parse({ ...base, managedImageId: 'left over', galleryImageVersionId: 'left over', imageIdForDistribute: 'left over', vhdUri: 'left over' }));
    assert.equal(config.source.kind, 'platformImage');
    assert.equal(config.distribute.length, 1);
  });
});

describe('parseConfig: the template name', () => {
  it('derives a unique name per attempt from project, build id and job attempt', () => {
    const first = expectConfig(parse(base, {}, { ...context, jobAttempt: '1' })).target.templateName;
    const second = expectConfig(parse(base, {}, { ...context, jobAttempt: '2' })).target.templateName;
    assert.equal(first, 'ib-Fabrikam-Web-4711-1');
    assert.notEqual(first, second);
  });

  it('cuts a long project name but keeps the build id and attempt', () => {
    const name = expectConfig(parse(base, {}, { ...context, teamProject: 'Contoso ' + 'x'.repeat(100), buildId: '987654321' })).target.templateName;
    assert.equal(name.length, 64);
    assert.match(name, /^ib-Contoso-x+-987654321-2$/);
  });

  it('keeps the result within the service pattern for any project name', () => {
    for (const teamProject of ['Ünïcødé Prøject', '...', '', 'a/b\\c:d*e?f"g<h>i|j', 'proj--with---dashes']) {
      const name = expectConfig(parse(base, {}, { ...context, teamProject })).target.templateName;
      assert.match(name, /^[A-Za-z0-9-_.]{1,64}$/, teamProject);
      assert.ok(name.endsWith('-4711-2'), name);
    }
  });

  it('uses an explicit name as given and derives run output names from it', () => {
    const config = expectConfig(parse({ ...base, templateName: 'web-image.nightly_7' }));
    assert.equal(config.target.templateName, 'web-image.nightly_7');
    assert.equal(config.distribute[0]?.runOutputName, 'web-image.nightly_7-sig');
  });

  it('cuts run output names derived from a 64-character template name to 64 characters', () => {
    const config = expectConfig(parse({ ...base, templateName: 'n'.repeat(64), distributeType: 'sharedImageGallery,vhd', vhdUri: '' }));
    for (const target of config.distribute) {
      assert.equal(target.runOutputName.length, 64);
      assert.match(target.runOutputName, /^n+-(sig|vhd)$/);
    }
  });
});

describe("parseConfig: the user's template file", () => {
  const body = {
    location: 'westeurope',
    properties: {
      source: { type: 'PlatformImage', publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2022-datacenter-azure-edition', version: 'latest' },
      distribute: [
        { type: 'SharedImage', galleryImageId: ids.galleryVersion, runOutputName: 'from-file', targetRegions: [{ name: 'eastus', replicaCount: 2 }], excludeFromLatest: true },
        { type: 'VHD', runOutputName: 'vhd-out', artifactTags: { a: 'b' } },
      ],
      customize: [{ type: 'PowerShell', inline: ['Write-Host hi'] }],
    },
  };
  const withFile = { ...base, baseImage: '', galleryImageId: '', provisioner: 'powershell', templateJsonPath: 'image/template.json' };

  it('keeps the body and lists only the inputs the user set to something other than the default', () => {
    const config = expectConfig(parseAsAgent({ ...withFile, vmSize: 'Standard_D8s_v5', cleanup: 'always' }, { templateJson: JSON.stringify(body) }));
    assert.deepEqual(config.userTemplate?.body, body);
    assert.deepEqual([...(config.userTemplate?.explicitInputs ?? [])].sort(), ['azureSubscription', 'location', 'managedIdentity', 'provisioner', 'resourceGroup', 'templateJsonPath', 'vmSize']);
  });

  it('takes the source and the distributors from the file when the inputs do not set them', () => {
    const config = expectConfig(parseAsAgent(withFile, { templateJson: JSON.stringify(body) }));
    assert.deepEqual(config.source, {
      kind: 'platformImage',
      publisher: 'MicrosoftWindowsServer',
      offer: 'WindowsServer',
      sku: '2022-datacenter-azure-edition',
      version: 'latest',
      pinLatestVersion: true,
    });
    assert.deepEqual(config.distribute, [
      {
        kind: 'sharedImageGallery',
        galleryImageDefinitionId: ids.galleryDefinition,
        version: '1.2.3',
        targetRegions: [{ name: 'eastus', replicaCount: 2 }],
        excludeFromLatest: true,
        runOutputName: 'from-file',
        artifactTags: {},
      },
      { kind: 'vhd', runOutputName: 'vhd-out', artifactTags: { a: 'b' } },
    ]);
  });

  it('lets explicit source and distribution inputs win over the file', () => {
    const config = expectConfig(
      parseAsAgent({ ...withFile, sourceType: 'managedImage', managedImageId: ids.managedImage, distributeType: 'managedImage', imageIdForDistribute: ids.managedImageTarget }, { templateJson: JSON.stringify(body) }),
    );
    assert.equal(config.source.kind, 'managedImage');
    assert.deepEqual(config.distribute.map((d) => d.kind), ['managedImage']);
  });

  it('treats a templateJsonPath equal to the working directory as not supplied', () => {
    const config = expectConfig(parseAsAgent({ ...base, templateJsonPath: context.workingDirectory }));
    assert.equal(config.userTemplate, undefined);
  });
});

describe('parseConfig: gallery version numbering', () => {
  const gallery = (inputs: Parameters<typeof parse>[0]) => {
    const target = expectConfig(parse({ ...base, ...inputs })).distribute[0];
    assert.equal(target?.kind, 'sharedImageGallery');
    return target?.kind === 'sharedImageGallery' ? target : undefined;
  };

  it('maps galleryVersioning and galleryVersioningMajor to the versioning scheme', () => {
    assert.deepEqual(gallery({})?.versioning, { scheme: 'Latest', major: -1 });
    assert.deepEqual(gallery({ galleryVersioning: 'latest', galleryVersioningMajor: '3' })?.versioning, { scheme: 'Latest', major: 3 });
    assert.deepEqual(gallery({ galleryVersioning: 'source' })?.versioning, { scheme: 'Source' });
    assert.deepEqual(gallery({ galleryVersioning: 'none' })?.versioning, { scheme: 'ServiceDefault' });
  });

  it('names the input when the scheme, the major or their combination with an explicit version is wrong', () => {
    const problems = (inputs: Parameters<typeof parse>[0]) => {
      const result = parse({ ...base, ...inputs });
      assert.equal(result.ok, false);
      return result.ok ? [] : result.problems.map((p) => p.input);
    };
    assert.deepEqual(problems({ galleryVersioning: 'newest' }), ['galleryVersioning']);
    assert.deepEqual(problems({ galleryVersioning: 'latest', galleryVersioningMajor: '-2' }), ['galleryVersioningMajor']);
    assert.deepEqual(problems({ galleryVersioning: 'source', galleryVersioningMajor: '1' }), ['galleryVersioningMajor']);
    assert.deepEqual(problems({ galleryVersioning: 'source', galleryImageVersion: '1.2.3' }), ['galleryVersioning']);
    // The default scheme next to an explicit version is no conflict: the version wins and no scheme is sent.
    assert.equal(gallery({ galleryImageVersion: '1.2.3' })?.versioning, undefined);
  });
});
