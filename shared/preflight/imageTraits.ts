/**
 * How a source image and a gallery image definition must agree for Image
 * Builder to publish the one into the other.
 */
import type { Provisioner } from '../config/types';
import type { ImageTraits, OsType } from './types';

export function osTypeOf(provisioner: Provisioner): OsType {
  return provisioner === 'powershell' ? 'Windows' : 'Linux';
}

/** `linux`/`Windows` as written by different APIs, to OsType; undefined when absent or unknown. */
export function normalizeOsType(value: string | undefined): OsType | undefined {
  const lower = value?.toLowerCase();
  if (lower === 'linux') return 'Linux';
  if (lower === 'windows') return 'Windows';
  return undefined;
}

export function sameGeneration(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

type VmSecurity = 'Standard' | 'TrustedLaunch' | 'ConfidentialVM';

/**
 * The kinds of VM an image can run as, by its declared `SecurityType`.
 * Platform images declare what they support (`TrustedLaunchSupported`,
 * `TrustedLaunchAndConfidentialVmSupported`); gallery definitions declare
 * what their versions are (`TrustedLaunch`, `ConfidentialVM`) or accept
 * (`...Supported`). "Supported" values also run as Standard VMs.
 * Undefined for a value this table does not know: no claim is made then.
 */
const SECURITY_KINDS: Readonly<Record<string, readonly VmSecurity[]>> = {
  standard: ['Standard'],
  trustedlaunch: ['TrustedLaunch'],
  confidentialvm: ['ConfidentialVM'],
  trustedlaunchsupported: ['Standard', 'TrustedLaunch'],
  confidentialvmsupported: ['Standard', 'ConfidentialVM'],
  trustedlaunchandconfidentialvmsupported: ['Standard', 'TrustedLaunch', 'ConfidentialVM'],
};

function securityKinds(securityType: string): readonly VmSecurity[] | undefined {
  return SECURITY_KINDS[securityType.toLowerCase()];
}

/**
 * Whether an image of the source's security type can become a version of a
 * definition of the target's; undefined when either value is unknown.
 * They fit when there is a kind of VM both allow (a TrustedLaunch definition
 * takes a TrustedLaunchSupported source, not a Standard-only one).
 */
export function securityTypesCompatible(source: string, target: string): boolean | undefined {
  const from = securityKinds(source);
  const to = securityKinds(target);
  if (!from || !to) return undefined;
  return from.some((kind) => to.includes(kind));
}

/** The value of the SecurityType feature in a features list, without regard to case. */
export function securityTypeFeature(features: ReadonlyArray<{ name?: string; value?: string }> | undefined): string | undefined {
  return features?.find((f) => f.name?.toLowerCase() === 'securitytype')?.value;
}

/**
 * What Azure assumes for a trait an image or a gallery definition does not
 * declare: Hyper-V generation V1, security type Standard (no SecurityType
 * feature), architecture x64. Checks compare these, never "unknown".
 */
const AZURE_DEFAULT_TRAITS = { hyperVGeneration: 'V1', securityType: 'Standard', architecture: 'x64' } as const;

export interface EffectiveTraits {
  osType?: OsType;
  hyperVGeneration: string;
  securityType: string;
  architecture: string;
}

/** The traits as the service reads them: what is declared, else its default. */
export function effectiveTraits(traits: ImageTraits): EffectiveTraits {
  return {
    ...(traits.osType ? { osType: traits.osType } : {}),
    hyperVGeneration: traits.hyperVGeneration || AZURE_DEFAULT_TRAITS.hyperVGeneration,
    securityType: traits.securityType || AZURE_DEFAULT_TRAITS.securityType,
    architecture: traits.architecture || AZURE_DEFAULT_TRAITS.architecture,
  };
}

export function sameArchitecture(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `West Europe` or `westeurope` to `westeurope`. */
export function regionKey(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

