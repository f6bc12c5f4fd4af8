/**
 * An AzureRM service connection as the task sees it, independent of how it was
 * read (agent ENDPOINT_* variables through task-lib, or a test).
 * The ARM endpoint and the authority come from the connection, never from
 * constants, so sovereign clouds and local stand-ins go through the same code.
 */
import type { NetworkSettings } from './networkSettings';

export type ServiceConnectionAuth =
  | { scheme: 'ServicePrincipalSecret'; tenantId: string; clientId: string; clientSecret: string }
  | { scheme: 'ServicePrincipalCertificate'; tenantId: string; clientId: string; certificatePem: string }
  | {
      scheme: 'WorkloadIdentityFederation';
      tenantId: string;
      clientId: string;
      /** Where the agent hands out OIDC tokens for this job (SYSTEM_OIDCREQUESTURI). */
      oidcRequestUri: string;
      /** The job's access token (System.AccessToken / SYSTEMVSSCONNECTION). */
      systemAccessToken: string;
    }
  | { scheme: 'ManagedServiceIdentity'; tenantId?: string; clientId?: string };

export interface ServiceConnection {
  /** The endpoint id (a GUID in pipelines). */
  id: string;
  subscriptionId: string;
  subscriptionName?: string;
  /** ARM base URL, e.g. https://management.azure.com/ */
  resourceManagerUrl: string;
  /**
   * Token audience for Resource Manager when the connection names one
   * (data `activeDirectoryServiceEndpointResourceId`); otherwise tokens are
   * requested for resourceManagerUrl.
   */
  resourceManagerAudience?: string;
  /** Entra ID authority host, e.g. https://login.microsoftonline.com/ */
  authorityHost: string;
  /** Cloud name from the connection data (AzureCloud, AzureUSGovernment, ...). */
  environment: string;
  auth: ServiceConnectionAuth;
  /** The agent's proxy and certificates, applied to every request made for this connection. */
  network?: NetworkSettings;
}
