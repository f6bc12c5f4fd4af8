/**
 * Validates image template bodies against the published imageTemplates
 * swagger, as strictly as the service does since 2024-02-01:
 *
 * - unknown (or miscased) fields are rejected: every object schema that is not
 *   a base of an `allOf` gets `unevaluatedProperties: false` (plain
 *   `additionalProperties: false` would break inheritance through `allOf`);
 * - polymorphic models (Swagger `discriminator`) are checked against the
 *   concrete subtype chosen by the discriminator value, not just the base:
 *   every reference to a base is pointed at a wrapper that allows only the
 *   known values and routes each with `if`/`then` to its subtype.
 *
 * Read-only properties are accepted: clients echo them back and the service
 * ignores them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2019, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { specsRoot } from './repoRoot';

export type ImageBuilderApiVersion = '2025-10-01' | '2024-02-01';

export interface SpecResult {
  valid: boolean;
  /** Readable messages in the service's style, e.g. "ImageTemplate.properties.customize[0]: unknown field 'scriptUrl'". */
  errors: string[];
}

export interface ImageTemplateSpec {
  readonly apiVersion: ImageBuilderApiVersion;
  /** Validates a request or response body against `definitions.ImageTemplate`. */
  validateTemplate(body: unknown): SpecResult;
  /** Validates a value against any definition of the spec, e.g. `ImageTemplateUpdateParameters`. */
  validateDefinition(definitionName: string, value: unknown): SpecResult;
  /** The bundled (and transformed) swagger definitions. */
  readonly definitions: Record<string, unknown>;
}

/** Path of the swagger file of one API version under ../shared/specs. */
export function imageTemplateSpecPath(apiVersion: ImageBuilderApiVersion): string {
  return path.join(
    specsRoot,
    'azure-rest-api-specs/specification/imagebuilder/resource-manager/Microsoft.VirtualMachineImages/ImageBuilder/stable',
    apiVersion,
    'imagebuilder.json',
  );
}

/** Folder of the x-ms-examples of one API version (only 2025-10-01 ships them). */
export function imageTemplateExamplesDir(apiVersion: ImageBuilderApiVersion): string {
  return path.join(path.dirname(imageTemplateSpecPath(apiVersion)), 'examples');
}

const cache = new Map<ImageBuilderApiVersion, Promise<ImageTemplateSpec>>();

export function loadImageTemplateSpec(apiVersion: ImageBuilderApiVersion): Promise<ImageTemplateSpec> {
  let spec = cache.get(apiVersion);
  if (!spec) {
    spec = compileSpec(apiVersion);
    cache.set(apiVersion, spec);
    // A failed load must not poison the cache for later callers.
    spec.catch(() => cache.delete(apiVersion));
  }
  return spec;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const DOC_ID = 'https://imagebuilder.spec/';
/** Marks the wrapper's discriminator schema so its enum error reads as an unknown type. */
const DISCRIMINATOR_MARK = 'x-ib-discriminator';

async function compileSpec(apiVersion: ImageBuilderApiVersion): Promise<ImageTemplateSpec> {
  const specPath = imageTemplateSpecPath(apiVersion);
  const raw = JSON.parse(fs.readFileSync(specPath, 'utf8')) as JsonObject;
  // Examples are not schemas, and those of 2024-02-01 were not copied, so their refs cannot resolve.
  stripKey(raw, 'x-ms-examples');
  // The ref parser is published as an ES module only; this file compiles to CommonJS.
  const { default: RefParser } = await import('@apidevtools/json-schema-ref-parser');
  const bundled = (await RefParser.bundle(specPath, raw as never, {})) as unknown as JsonObject;

  const definitions = bundled['definitions'] as Record<string, JsonObject>;
  const polymorphism = findPolymorphicBases(definitions);
  transformSchemas(bundled, polymorphism);
  for (const [base, poly] of polymorphism) definitions[wrapperName(base)] = makeWrapper(poly);

  const ajv = new Ajv2019({ strict: false, allErrors: true, verbose: true, validateFormats: true });
  addFormats(ajv);
  for (const format of ['int32', 'int64', 'double', 'float', 'arm-id', 'duration', 'password', 'byte', 'binary', 'base64url', 'unixtime']) {
    if (!ajv.formats[format]) ajv.addFormat(format, true);
  }
  const docId = `${DOC_ID}${apiVersion}/imagebuilder.json`;
  ajv.addSchema({ ...bundled, $id: docId } as never);

  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (definitionName: string): ValidateFunction => {
    let fn = validators.get(definitionName);
    if (!fn) {
      if (!Object.prototype.hasOwnProperty.call(definitions, definitionName)) {
        throw new Error(`The ${apiVersion} spec has no definition '${definitionName}'`);
      }
      const target = polymorphism.has(definitionName) ? wrapperName(definitionName) : definitionName;
      const closed = polymorphism.has(definitionName) || isClosed(definitions[target]);
      fn = ajv.compile({
        $ref: `${docId}#/definitions/${escapePointer(target)}`,
        // A definition validated on its own is closed too (bases of allOf are left open above).
        ...(closed ? {} : { unevaluatedProperties: false }),
      });
      validators.set(definitionName, fn);
    }
    return fn;
  };

  const validateDefinition = (definitionName: string, value: unknown): SpecResult => {
    const fn = validatorFor(definitionName);
    if (fn(value)) return { valid: true, errors: [] };
    return { valid: false, errors: formatErrors(definitionName, fn.errors ?? []) };
  };

  return {
    apiVersion,
    definitions,
    validateDefinition,
    validateTemplate: (body) => validateDefinition('ImageTemplate', body),
  };
}

function stripKey(node: unknown, key: string): void {
  if (Array.isArray(node)) {
    for (const item of node) stripKey(item, key);
  } else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    delete obj[key];
    for (const value of Object.values(obj)) stripKey(value, key);
  }
}

interface Polymorphism {
  discriminator: string;
  subtypes: { name: string; value: string }[];
}

/**
 * Swagger polymorphism: a base with `discriminator: "<field>"`, subtypes with
 * `allOf: [{$ref: base}]` and `x-ms-discriminator-value` (defaulting to the
 * subtype's definition name).
 */
function findPolymorphicBases(definitions: Record<string, JsonObject>): Map<string, Polymorphism> {
  const result = new Map<string, Polymorphism>();
  for (const [name, def] of Object.entries(definitions)) {
    if (typeof def['discriminator'] === 'string') result.set(name, { discriminator: def['discriminator'], subtypes: [] });
  }
  for (const [name, def] of Object.entries(definitions)) {
    const allOf = Array.isArray(def['allOf']) ? def['allOf'] : [];
    for (const member of allOf) {
      const ref = isObject(member) && typeof member['$ref'] === 'string' ? member['$ref'] : undefined;
      const base = ref?.startsWith('#/definitions/') ? unescapePointer(ref.slice('#/definitions/'.length)) : undefined;
      const poly = base === undefined ? undefined : result.get(base);
      if (poly) {
        const value = def['x-ms-discriminator-value'];
        poly.subtypes.push({ name, value: typeof value === 'string' ? value : name });
      }
    }
  }
  return result;
}

function wrapperName(base: string): string {
  return `${base}__ByDiscriminator`;
}

function makeWrapper(poly: Polymorphism): JsonObject {
  const d = poly.discriminator;
  return {
    type: 'object',
    required: [d],
    properties: {
      [d]: { type: 'string', enum: poly.subtypes.map((s) => s.value), [DISCRIMINATOR_MARK]: true },
    },
    allOf: poly.subtypes.map((s) => ({
      if: { properties: { [d]: { const: s.value } }, required: [d] },
      then: { $ref: `#/definitions/${escapePointer(s.name)}` },
    })),
  };
}

/**
 * Closes object schemas and reroutes references to polymorphic bases.
 *
 * A schema that serves as an `allOf` member (inline, or by reference from an
 * `allOf`) stays open: its properties are evaluated by the schema that
 * includes it, which is closed instead.
 */
function transformSchemas(doc: JsonObject, polymorphism: Map<string, Polymorphism>): void {
  const openPointers = new Set<string>();
  collectAllOfRefs(doc, openPointers);

  const visit = (node: Json, pointer: string, isAllOfMember: boolean): void => {
    if (!isObject(node)) return;
    const ref = node['$ref'];
    if (typeof ref === 'string' && !isAllOfMember && ref.startsWith('#/definitions/')) {
      const target = unescapePointer(ref.slice('#/definitions/'.length));
      if (polymorphism.has(target)) node['$ref'] = `#/definitions/${escapePointer(wrapperName(target))}`;
    }
    const properties = node['properties'];
    if (isObject(properties)) {
      for (const [key, value] of Object.entries(properties)) visit(value, `${pointer}/properties/${escapePointer(key)}`, false);
    }
    if (isObject(node['items'])) visit(node['items'], `${pointer}/items`, false);
    if (isObject(node['additionalProperties'])) visit(node['additionalProperties'], `${pointer}/additionalProperties`, false);
    const allOf = node['allOf'];
    if (Array.isArray(allOf)) allOf.forEach((member, i) => visit(member, `${pointer}/allOf/${i}`, true));
    const open = isAllOfMember || openPointers.has(pointer);
    if (!open && isObject(properties) && node['additionalProperties'] === undefined && node['unevaluatedProperties'] === undefined) {
      node['unevaluatedProperties'] = false;
    }
  };

  const definitions = doc['definitions'];
  if (isObject(definitions)) {
    for (const [name, def] of Object.entries(definitions)) visit(def, `#/definitions/${escapePointer(name)}`, false);
  }
  // Schemas inlined by the bundler under paths/parameters are reachable by ref as well.
  const paths = doc['paths'];
  if (isObject(paths)) {
    for (const [p, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      for (const [method, op] of Object.entries(item)) {
        if (!isObject(op)) continue;
        const base = `#/paths/${escapePointer(p)}/${escapePointer(method)}`;
        const responses = op['responses'];
        if (isObject(responses)) {
          for (const [code, response] of Object.entries(responses)) {
            if (isObject(response) && isObject(response['schema'])) {
              visit(response['schema'], `${base}/responses/${escapePointer(code)}/schema`, false);
            }
          }
        }
        const parameters = op['parameters'];
        if (Array.isArray(parameters)) {
          parameters.forEach((param, i) => {
            if (isObject(param) && isObject(param['schema'])) visit(param['schema'], `${base}/parameters/${i}/schema`, false);
          });
        }
      }
    }
  }
}

function collectAllOfRefs(node: Json, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectAllOfRefs(item, out);
    return;
  }
  if (!isObject(node)) return;
  const allOf = node['allOf'];
  if (Array.isArray(allOf)) {
    for (const member of allOf) {
      if (isObject(member) && typeof member['$ref'] === 'string') out.add(member['$ref']);
    }
  }
  for (const value of Object.values(node)) collectAllOfRefs(value, out);
}

function isClosed(schema: Json | undefined): boolean {
  return isObject(schema) && schema['unevaluatedProperties'] === false;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** "/properties/customize/0" -> "ImageTemplate.properties.customize[0]". */
function displayPath(root: string, instancePath: string): string {
  if (!instancePath) return root;
  let out = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = unescapePointer(raw);
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += `.${segment}`;
    else out += `['${segment}']`;
  }
  return out;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function formatErrors(root: string, errors: ErrorObject[]): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    const at = displayPath(root, error.instancePath);
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      // Routing noise: the subtype's own errors say what is wrong.
      case 'if':
        continue;
      case 'required':
        messages.push(`${at}: Field '${String(params['missingProperty'])}' is required`);
        break;
      case 'unevaluatedProperties':
        messages.push(`${at}: unknown field '${String(params['unevaluatedProperty'])}'`);
        break;
      case 'additionalProperties':
        messages.push(`${at}: unknown field '${String(params['additionalProperty'])}'`);
        break;
      case 'type':
        messages.push(`${at}: expected ${String(params['type'])}, got ${describeType(error.data)}`);
        break;
      case 'enum': {
        const allowed = (params['allowedValues'] as unknown[]).map(String).join(', ');
        const parent = error.parentSchema as Record<string, unknown> | undefined;
        messages.push(
          parent?.[DISCRIMINATOR_MARK]
            ? `${at}: unknown type '${String(error.data)}' (expected one of: ${allowed})`
            : `${at}: value '${String(error.data)}' is not one of: ${allowed}`,
        );
        break;
      }
      default:
        messages.push(`${at}: ${error.message ?? error.keyword}`);
    }
  }
  return [...new Set(messages)];
}
