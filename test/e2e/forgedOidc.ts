/**
 * An impostor of the Azure DevOps OIDC endpoint: it answers like the real one
 * with a token that claims the real issuer, subject and audience but is signed
 * by a key of its own. Entra must refuse the assertion it becomes.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import type { LocalAzure } from '../../testkit/emulators/localAzure';

export interface ForgedOidcServer {
  /** Use as System.OidcRequestUri. */
  oidcRequestUri: string;
  /** How many tokens it handed out. */
  issued(): number;
  stop(): Promise<void>;
}

export async function startForgedOidcServer(azure: LocalAzure): Promise<ForgedOidcServer> {
  const { privateKey } = await generateKeyPair('RS256');
  const kid = (azure.devops.jwks.keys[0] as { kid?: string } | undefined)?.kid ?? 'forged';
  let issued = 0;
  const server = https.createServer({ cert: azure.tls.cert, key: azure.tls.key }, (req, res) => {
    req.resume();
    req.on('end', () => {
      void (async () => {
        const now = Math.floor(Date.now() / 1000);
        const oidcToken = await new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
          .setIssuer(azure.devops.issuer)
          .setSubject(azure.scenario.federatedApp.subject)
          .setAudience('api://AzureADTokenExchange')
          .setIssuedAt(now)
          .setExpirationTime(now + 600)
          .sign(privateKey);
        issued += 1;
        const body = JSON.stringify({ oidcToken });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    oidcRequestUri: `https://127.0.0.1:${port}/forged/_apis/distributedtask/hubs/build/plans/${azure.devops.planId}/jobs/${azure.devops.jobId}/oidctoken`,
    issued: () => issued,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
