/** Parses a server text frame for test clients without ever throwing from a 'message' listener. */

/** The frame in `text`, or undefined when it is not a JSON object with a string `type`. */
export function parseFrame(text: string): (Record<string, unknown> & { type: string }) | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return typeof (value as { type?: unknown }).type === 'string'
    ? (value as Record<string, unknown> & { type: string })
    : undefined;
}
