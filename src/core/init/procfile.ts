/** One process type of a Procfile: `web: gunicorn app:app`. */
export interface Process {
  type: string;
  command: string;
}

/**
 * A Procfile as Heroku and Dokku read it: `type: command` per line, `#` comments and blank
 * lines ignored; a later line for the same type replaces an earlier one. Lines that are not
 * of that form are returned apart, so the caller can name them.
 */
export function parseProcfile(text: string): { processes: Process[]; skipped: string[] } {
  const byType = new Map<string, string>();
  const skipped: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^([A-Za-z0-9_-]+)\s*:\s*(.+)$/.exec(line);
    if (match) byType.set(match[1]!, match[2]!.trim());
    else skipped.push(line);
  }
  return { processes: [...byType].map(([type, command]) => ({ type, command })), skipped };
}
