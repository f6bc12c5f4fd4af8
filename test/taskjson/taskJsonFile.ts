import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';

export const TASK_DIR = path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1');
export const TASK_JSON_PATH = path.join(TASK_DIR, 'task.json');

export interface TaskInput {
  name: string;
  type: string;
  label: string;
  aliases?: string[];
  defaultValue?: string | boolean;
  required?: boolean;
  groupName?: string;
  visibleRule?: string;
  helpMarkDown?: string;
  options?: Record<string, string>;
  properties?: Record<string, string>;
}

export interface TaskJson {
  id: string;
  name: string;
  friendlyName: string;
  instanceNameFormat: string;
  minimumAgentVersion: string;
  category: string;
  version: { Major: number; Minor: number; Patch: number };
  groups: { name: string; displayName: string; visibleRule?: string }[];
  inputs: TaskInput[];
  dataSourceBindings: Record<string, string>[];
  outputVariables: { name: string; description?: string }[];
  execution: Record<string, { target: string }>;
  messages: Record<string, string>;
  [key: string]: unknown;
}

export function readTaskJsonText(): string {
  return fs.readFileSync(TASK_JSON_PATH, 'utf8');
}

export function readTaskJson(): TaskJson {
  return JSON.parse(readTaskJsonText()) as TaskJson;
}
