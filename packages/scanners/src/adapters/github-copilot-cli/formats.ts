// The two text formats the Copilot CLI adapter reads besides JSON: the JSONC of Copilot's
// config.json (a `//` comment header above the object) and the small YAML subset of the GitHub
// CLI's hosts.yml (nested maps of scalars, two- or four-space indents).

/**
 * Removes `//` and `/* … *\/` comments and trailing commas from JSONC text, leaving strings
 * untouched, so `JSON.parse` can read it. Line breaks are kept (error positions stay right).
 *
 * @param text - JSONC text
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      // Copy a string whole, escapes included.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  // Trailing commas before a closing bracket (JSONC allows them).
  return out.replace(/,(\s*[}\]])/g, '$1');
}

/** A parsed YAML mapping: scalars and nested mappings only. */
export interface YamlMap {
  [key: string]: string | YamlMap;
}

function unquote(raw: string): string {
  const v = raw.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  // A trailing comment after a plain scalar.
  return v.replace(/\s+#.*$/, '');
}

/**
 * Parses the YAML subset the GitHub CLI writes in `hosts.yml` and `config.yml`: nested block
 * mappings of plain or quoted scalars. Lists, anchors and flow collections are not used there and
 * are skipped. Returns undefined when a line cannot be read as such a mapping.
 *
 * @param text - the file's text
 */
export function parseSimpleYaml(text: string): YamlMap | undefined {
  const root: YamlMap = {};
  const stack: { indent: number; map: YamlMap }[] = [{ indent: -1, map: root }];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.trimStart().startsWith('#') || line.trim() === '---') continue;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (body.startsWith('- ')) continue; // a list item: not used in hosts.yml
    const colon = body.search(/:(\s|$)/);
    if (colon <= 0) return undefined;
    const key = unquote(body.slice(0, colon));
    const rest = body.slice(colon + 1).trim();
    while (stack.length > 1 && stack.at(-1)!.indent >= indent) stack.pop();
    const parent = stack.at(-1)!.map;
    if (rest === '' || rest.startsWith('#')) {
      const child: YamlMap = {};
      parent[key] = child;
      stack.push({ indent, map: child });
    } else {
      parent[key] = unquote(rest);
    }
  }
  return root;
}
