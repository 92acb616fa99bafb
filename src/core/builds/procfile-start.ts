/** A Procfile process type, as Heroku names them; the only text that goes into the start script. */
export const PROCESS_TYPE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The start command for `build.process: NAME`: read NAME's command from the Procfile when the
 * container starts, the way Heroku's launcher does, then run it with a shell (so `$PORT` in it
 * expands). Reading it in the container means the server never opens a file of the checkout,
 * and the image always matches its own commit's Procfile. A later line for the same type wins.
 */
export function procfileStart(process: string): string {
  if (!PROCESS_TYPE.test(process)) throw new Error(`not a Procfile process type: ${JSON.stringify(process)}`);
  const read = `sed -n 's/^${process}:[[:space:]]*//p' Procfile 2>/dev/null | tail -n 1 | tr -d '\\r'`;
  return `cmd=$(${read}); if [ -z "$cmd" ]; then echo "Procfile has no \\"${process}\\" process" >&2; exit 1; fi; exec sh -c "$cmd"`;
}
