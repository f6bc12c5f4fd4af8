import { dryRunScenario, runBundled } from './common';

// Two problems at once: both must be reported, and nothing sent anywhere.
runBundled(dryRunScenario({ buildTimeoutInMinutes: '2000', replicationRegions: 'westeurope=zero' }));
