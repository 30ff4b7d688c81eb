// redocly join keeps only the first file's info block, which would drop each dialect's
// description (what the product's endpoint is, and where resetd differs from it on
// purpose). This puts each dialect's description under its tag in the merged spec.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

const [merged, ...dialects] = process.argv.slice(2);
const document = parseDocument(readFileSync(merged, 'utf8'));
const tags = document.get('tags');
for (const file of dialects) {
  const source = parseDocument(readFileSync(file, 'utf8')).toJS();
  const description = source.info?.description?.trim();
  const tagName = source.tags?.[0]?.name;
  const tag = tags?.items.find((item) => item.get('name') === tagName);
  if (!description || !tag) throw new Error(`${file}: needs info.description and a tag of its own`);
  const own = String(tag.get('description') ?? '').trim();
  tag.set('description', own ? `${own}\n\n${description}\n` : `${description}\n`);
}
writeFileSync(merged, document.toString({ lineWidth: 0 }));
