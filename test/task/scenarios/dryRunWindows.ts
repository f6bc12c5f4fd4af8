import { dryRunScenario, runBundled } from './common';

runBundled(dryRunScenario({
  provisioner: 'powershell',
  baseImage: 'MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition',
  galleryImageId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1/images/app-windows',
  inlineScript: 'Write-Host baked-by-mock',
  runElevated: 'true',
  windowsRestart: 'true',
  windowsUpdateProvisioner: 'true',
}));
