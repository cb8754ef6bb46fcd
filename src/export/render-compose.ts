import YAML from 'yaml';
import type { ComposeExport } from './compose-file.js';

/** Compose expands `$VAR` in every value of the file: a literal `$` is written `$$`. */
export function escapeInterpolation(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$', '$$$$');
  if (Array.isArray(value)) return value.map(escapeInterpolation);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, escapeInterpolation(item)]));
  }
  return value;
}

const commentText = (texts: readonly string[]) => texts.map((text) => ` ${text}`).join('\n');

/**
 * The compose file as YAML, notes as comments. Written as YAML 1.1, which is what
 * docker-compose 1.x (PyYAML) reads: strings such as `yes`, `on` or `80:50` get quotes there.
 */
export function renderCompose({ file, notes }: ComposeExport): string {
  const doc = new YAML.Document(escapeInterpolation(file), { version: '1.1' });
  doc.commentBefore = commentText(notes.filter((note) => note.key === undefined).map((note) => note.text));
  const services = doc.get('services');
  if (YAML.isMap(services)) {
    for (const entry of services.items) {
      const service = entry.value;
      if (!YAML.isMap(service)) continue;
      for (const pair of service.items) {
        if (!YAML.isScalar(pair.key)) continue;
        const key = pair.key.value;
        const texts = notes.filter((note) => note.key === key).map((note) => note.text);
        if (texts.length > 0) pair.key.commentBefore = commentText(texts);
      }
    }
  }
  return doc.toString({ lineWidth: 0 });
}
