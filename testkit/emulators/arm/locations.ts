/**
 * Azure regions as `GET /subscriptions/{id}/locations` lists them. The default
 * list holds real public regions so pickers and location checks see familiar
 * names; a seeded list (World.locations) replaces it.
 */

interface RegionFacts {
  displayName: string;
  /** The geography shown before the display name, e.g. "(US) West US". */
  geography: string;
  geographyGroup: string;
}

const KNOWN_REGIONS: Record<string, RegionFacts> = {
  eastus: { displayName: 'East US', geography: 'US', geographyGroup: 'US' },
  eastus2: { displayName: 'East US 2', geography: 'US', geographyGroup: 'US' },
  southcentralus: { displayName: 'South Central US', geography: 'US', geographyGroup: 'US' },
  westus: { displayName: 'West US', geography: 'US', geographyGroup: 'US' },
  westus2: { displayName: 'West US 2', geography: 'US', geographyGroup: 'US' },
  westus3: { displayName: 'West US 3', geography: 'US', geographyGroup: 'US' },
  centralus: { displayName: 'Central US', geography: 'US', geographyGroup: 'US' },
  northcentralus: { displayName: 'North Central US', geography: 'US', geographyGroup: 'US' },
  westcentralus: { displayName: 'West Central US', geography: 'US', geographyGroup: 'US' },
  canadacentral: { displayName: 'Canada Central', geography: 'Canada', geographyGroup: 'Canada' },
  brazilsouth: { displayName: 'Brazil South', geography: 'South America', geographyGroup: 'South America' },
  northeurope: { displayName: 'North Europe', geography: 'Europe', geographyGroup: 'Europe' },
  westeurope: { displayName: 'West Europe', geography: 'Europe', geographyGroup: 'Europe' },
  uksouth: { displayName: 'UK South', geography: 'Europe', geographyGroup: 'Europe' },
  francecentral: { displayName: 'France Central', geography: 'Europe', geographyGroup: 'Europe' },
  germanywestcentral: { displayName: 'Germany West Central', geography: 'Europe', geographyGroup: 'Europe' },
  swedencentral: { displayName: 'Sweden Central', geography: 'Europe', geographyGroup: 'Europe' },
  switzerlandnorth: { displayName: 'Switzerland North', geography: 'Europe', geographyGroup: 'Europe' },
  norwayeast: { displayName: 'Norway East', geography: 'Europe', geographyGroup: 'Europe' },
  southeastasia: { displayName: 'Southeast Asia', geography: 'Asia Pacific', geographyGroup: 'Asia Pacific' },
  eastasia: { displayName: 'East Asia', geography: 'Asia Pacific', geographyGroup: 'Asia Pacific' },
  australiaeast: { displayName: 'Australia East', geography: 'Asia Pacific', geographyGroup: 'Asia Pacific' },
  japaneast: { displayName: 'Japan East', geography: 'Asia Pacific', geographyGroup: 'Asia Pacific' },
  koreacentral: { displayName: 'Korea Central', geography: 'Asia Pacific', geographyGroup: 'Asia Pacific' },
  centralindia: { displayName: 'Central India', geography: 'Asia Pacific', geographyGroup: 'Asia Pacific' },
  uaenorth: { displayName: 'UAE North', geography: 'Middle East', geographyGroup: 'Middle East' },
  southafricanorth: { displayName: 'South Africa North', geography: 'Africa', geographyGroup: 'Africa' },
};

/** The regions a subscription lists when the world does not say otherwise. */
export const DEFAULT_LOCATIONS: readonly string[] = Object.keys(KNOWN_REGIONS);

/** One entry of the locations list; a region the table does not know shows its name as display name. */
export function locationJson(subscriptionId: string, name: string): Record<string, unknown> {
  const facts = KNOWN_REGIONS[name.toLowerCase()];
  const displayName = facts?.displayName ?? name;
  return {
    id: `/subscriptions/${subscriptionId}/locations/${name}`,
    name,
    type: 'Region',
    displayName,
    regionalDisplayName: facts ? `(${facts.geography}) ${displayName}` : displayName,
    metadata: {
      regionType: 'Physical',
      regionCategory: 'Recommended',
      ...(facts ? { geographyGroup: facts.geographyGroup } : {}),
    },
  };
}
