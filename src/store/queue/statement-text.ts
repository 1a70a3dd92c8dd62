/**
 * A statement's text per count (a claim's limit, a batch's size), built on first use and kept: the
 * counts are few (at most the worker's concurrency, the batcher's largest batch), and each count is
 * its own named prepared statement, planned once per connection.
 */
export function textPerCount(build: (n: number) => string): (n: number) => string {
  const texts = new Map<number, string>();
  return (n) => {
    let text = texts.get(n);
    if (text === undefined) {
      text = build(n);
      texts.set(n, text);
    }
    return text;
  };
}
