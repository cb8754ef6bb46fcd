/** A host port for one test, from a range Docker's ephemeral ports (32768+) never use. */
export function testPort(): number {
  return 18_000 + Math.floor(Math.random() * 2_000);
}
