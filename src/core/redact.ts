/** What a secret value is replaced with in error texts and log lines. */
export const REDACTED = "[redacted]";

/** Lines of a multi-line secret shorter than this are too common to redact on their own ("-----END KEY-----" is not). */
const MIN_LINE = 8;

/**
 * Every form in which a secret may show up in someone else's message: the value itself, the
 * value as JSON quotes it (engines echo escaped JSON), and each long line of a multi-line value.
 */
function forms(secret: string): string[] {
  const out = new Set<string>([secret, JSON.stringify(secret).slice(1, -1)]);
  if (secret.includes("\n")) {
    for (const line of secret.split("\n")) if (line.trim().length >= MIN_LINE) out.add(line.trim());
  }
  return [...out].filter((form) => form.length > 0);
}

/** A redactor for a set of secret values; longest forms first, so a secret inside another is not half-replaced. */
export function secretRedactor(secrets: Iterable<string>): (text: string) => string {
  const all = [...new Set([...secrets].flatMap(forms))].sort((a, b) => b.length - a.length);
  if (all.length === 0) return (text) => text;
  return (text) => all.reduce((result, form) => result.split(form).join(REDACTED), text);
}

/** `text` with every secret value replaced by REDACTED. */
