/** Parses the tags input within Azure's limits on tags. */
import { RESERVED_KEY } from './jsonInput';
import { issue, type Issue } from './problems';

export interface TagsResult {
  tags: Record<string, string>;
  issues: Issue[];
}

// Azure's limits on tag names and values; ARM rejects the whole request otherwise.
const MAX_TAG_NAME = 512;
const MAX_TAG_VALUE = 256;
const FORBIDDEN_IN_TAG_NAME = /[<>%&\\?/]/;
/** Azure's limit of tag name-value pairs per resource. */
export const MAX_TAGS = 50;

/** Parses `key=value` lines. The value may be empty and may itself contain `=`. */
export function parseTags(text: string): TagsResult {
  // Collected as entries: `tags[key] = value` would set the prototype for a key named __proto__.
  const entries: [string, string][] = [];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      issues.push(issue('InvalidTagLine', line));
      continue;
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === '' || key.length > MAX_TAG_NAME || FORBIDDEN_IN_TAG_NAME.test(key)) {
      issues.push(issue('InvalidTagName', key));
      continue;
    }
    if (key === RESERVED_KEY) {
      issues.push(issue('ReservedKey', key, 'tag name'));
      continue;
    }
    if (value.length > MAX_TAG_VALUE) {
      issues.push(issue('TagValueTooLong', key, MAX_TAG_VALUE));
      continue;
    }
    // Tag names are case-insensitive in Azure: two spellings would collide there.
    if (seen.has(key.toLowerCase())) {
      issues.push(issue('DuplicateTag', key));
      continue;
    }
    seen.add(key.toLowerCase());
    entries.push([key, value]);
  }
  if (entries.length > MAX_TAGS) issues.push(issue('TooManyTags', MAX_TAGS, entries.length));
  return { tags: Object.fromEntries(entries), issues };
}
