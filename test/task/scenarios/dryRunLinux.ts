import { dryRunScenario, runBundled } from './common';

runBundled(dryRunScenario({ inlineScript: 'echo baked-by-mock' }));
