import { dryRunScenario, runBundled } from './common';

runBundled(dryRunScenario({ provisioner: 'shell', runElevated: 'true' }));
