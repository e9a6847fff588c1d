/**
 * The newcomer's page and the reference: README.md stays a page of at most 250 lines that shows
 * `npm run bench` and `npm test`; every relative link of README.md and docs/*.md reaches a file,
 * and every #anchor a heading of it (GitHub's slugs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli/helpers.ts';

const PAGES = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) => heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
const anchorsOf = (file: string) => new Set(read(file).split('\n').filter((l) => /^#{1,6} /.test(l))
  .map((l) => slug(l.replace(/^#+ /, ''))));

test('README.md is a newcomer\'s page: at most 250 lines, with npm run bench and npm test', () => {
  const readme = read('README.md');
  assert.ok(readme.split('\n').length <= 250, `${readme.split('\n').length} lines`);
  assert.match(readme, /npm run bench/);
  assert.match(readme, /npm test/);
  assert.ok(PAGES.length >= 8, 'the reference lives in docs/');
});

test('every relative link of README.md and docs/*.md reaches its file and heading', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const [, target] of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // a web address
      const [file, anchor] = target.split('#');
      const resolved = file === '' ? page : path.normalize(path.join(path.dirname(page), file));
      if (!existsSync(path.join(ROOT, resolved))) broken.push(`${page}: ${target} (no file)`);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${page}: ${target} (no heading)`);
    }
  }
  assert.deepEqual(broken, []);
});
