/**
 * AMQP topic matching, as RabbitMQ does it, so the in-process bus routes exactly
 * like the broker: words are separated by dots, `*` stands for one word and `#`
 * for zero or more.
 */
export function topicMatcher(pattern: string): (routingKey: string) => boolean {
  // Adjacent #s mean the same as one; collapsing them keeps the search linear-ish.
  const words = pattern.split('.').filter((w, i, all) => !(w === '#' && all[i - 1] === '#'));
  return (routingKey) => matchFrom(words, 0, routingKey.split('.'), 0);
}

export function topicMatches(pattern: string, routingKey: string): boolean {
  return topicMatcher(pattern)(routingKey);
}

function matchFrom(pattern: string[], p: number, key: string[], k: number): boolean {
  while (p < pattern.length) {
    const word = pattern[p]!;
    if (word === '#') {
      if (p === pattern.length - 1) return true;
      for (let skip = k; skip <= key.length; skip++) if (matchFrom(pattern, p + 1, key, skip)) return true;
      return false;
    }
    if (k >= key.length || (word !== '*' && word !== key[k])) return false;
    p++;
    k++;
  }
  return k === key.length;
}
