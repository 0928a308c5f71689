import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topicMatches } from './topic.ts';

test('topic patterns: * is one word, # is zero or more', () => {
  const yes: [string, string][] = [
    ['#', 'guide.major'],
    ['#', 'guide'],
    ['guide.*', 'guide.major'],
    ['*.major', 'news_article.major'],
    ['#.unpublish', 'unpublish'],
    ['#.unpublish', 'a.b.unpublish'],
    ['guide.#', 'guide'],
    ['a.#.c', 'a.c'],
    ['a.#.c', 'a.b.b.c'],
    ['a.#.#.c', 'a.c'],
    ['#.b.#', 'b'],
    ['guide.major', 'guide.major'],
  ];
  const no: [string, string][] = [
    ['guide.*', 'guide'],
    ['guide.*', 'guide.major.extra'],
    ['*', 'guide.major'],
    ['a.#.c', 'a.b'],
    ['guide.major', 'guide.minor'],
    ['*.major', 'major'],
  ];
  for (const [p, k] of yes) assert.equal(topicMatches(p, k), true, `${p} should match ${k}`);
  for (const [p, k] of no) assert.equal(topicMatches(p, k), false, `${p} should not match ${k}`);
});
