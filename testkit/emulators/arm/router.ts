/**
 * A tiny router for ARM paths. ARM treats the literal segments of a resource
 * path case-insensitively (`resourcegroups` and `resourceGroups` both appear in
 * the service's own examples), so literals are compared without case; `{name}`
 * captures one segment and a leading `{*scope}` captures the scope prefix of an
 * extension resource such as Microsoft.Authorization/permissions.
 */
import type { ArmReply, ArmRequest } from './http';

export type Handler = (req: ArmRequest) => Promise<ArmReply> | ArmReply;

interface Route {
  method: string;
  segments: string[];
  scopePrefix: string | undefined;
  handler: Handler;
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

const PARAM = /^\{(\w+)\}$/;
const SCOPE = /^\{\*(\w+)\}$/;

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const segments = split(pattern);
    const scope = segments[0] !== undefined ? SCOPE.exec(segments[0]) : null;
    this.routes.push({
      method: method.toUpperCase(),
      segments: scope ? segments.slice(1) : segments,
      scopePrefix: scope ? scope[1] : undefined,
      handler,
    });
    return this;
  }

  /** The route for this method and path; `methodMismatch` when only the method is wrong. */
  match(method: string, path: string): RouteMatch | 'methodMismatch' | undefined {
    const parts = split(path).map(safeDecode);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route, parts);
      if (!params) continue;
      if (route.method !== method.toUpperCase() && !(route.method === 'GET' && method.toUpperCase() === 'HEAD')) {
        pathMatched = true;
        continue;
      }
      return { handler: route.handler, params };
    }
    return pathMatched ? 'methodMismatch' : undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function matchSegments(route: Route, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let offset = 0;
  if (route.scopePrefix !== undefined) {
    offset = parts.length - route.segments.length;
    if (offset < 1) return undefined;
    params[route.scopePrefix] = '/' + parts.slice(0, offset).join('/');
  } else if (parts.length !== route.segments.length) {
    return undefined;
  }
  for (let i = 0; i < route.segments.length; i++) {
    const pattern = route.segments[i] as string;
    const actual = parts[i + offset] as string;
    const p = PARAM.exec(pattern);
    if (p) {
      params[p[1] as string] = actual;
    } else if (pattern.toLowerCase() !== actual.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}
