/** The build timeout as the service applies it: 0 in the template means the service's own default. */

/** What the service uses for `buildTimeoutInMinutes` 0 (API 2025-10-01). */
export const SERVICE_DEFAULT_BUILD_TIMEOUT_MINUTES = 240;

/** The timeout the service will apply to a template with this `buildTimeoutInMinutes`. */
export function effectiveBuildTimeoutMinutes(buildTimeoutInMinutes: number): number {
  return buildTimeoutInMinutes > 0 ? buildTimeoutInMinutes : SERVICE_DEFAULT_BUILD_TIMEOUT_MINUTES;
}
