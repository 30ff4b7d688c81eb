// The docs page must load nothing from another host. Redoc's sidebar shows its maker's
// logo from a CDN; pointing it at an empty data: URL makes its own onError hide it.
import { readFileSync, writeFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
const html = readFileSync(file, 'utf8');
const remote = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g;
if (!remote.test(html)) throw new Error(`${file}: Redoc's remote logo is no longer where this script looks; check the page loads nothing remote`);
writeFileSync(file, html.replace(remote, 'data:,'));
