import { invalid } from "./errors.ts";
import type { PRESETS } from "./project-file/schema.ts";
import { execLast } from "./start-command.ts";

export type Preset = (typeof PRESETS)[number];

/**
 * Base image of each preset as a template where `{version}` stands for the block's version,
 * e.g. `node:{version}-slim`. The config may override any of them (a mirror, a pinned digest,
 * a local image).
 * - `static` is the image that serves files for the static preset and for any preset with
 *   `output`; the default server command is busybox's `httpd`.
 * - `goRuntime` runs what the go preset built; it needs `sh`.
 */
export type PresetImages = Record<Preset, string> & { goRuntime: string };

export const DEFAULT_PRESET_IMAGES: Readonly<PresetImages> = Object.freeze({
  node: "node:{version}-slim",
  bun: "oven/bun:{version}",
  python: "python:{version}-slim",
  go: "golang:{version}",
  goRuntime: "alpine:3.20",
  ruby: "ruby:{version}-slim",
  php: "php:{version}-apache",
  java: "eclipse-temurin:{version}",
  static: "busybox:1.36",
});

/** The port a preset's app listens on (as $PORT) when the block sets none, as Heroku's and Render's builds assume. */
export const DEFAULT_PRESET_PORT = 8080;

/** Busybox's web server on $PORT. */
const STATIC_SERVER = 'httpd -f -v -p "$PORT" -h /srv';

export interface PresetRecipe {
  /** Which image builds (and, without `runtime`, runs) the code. */
  image: keyof PresetImages;
  version: string;
  workdir: string;
  /** Default build command; none means no build step unless the block sets `command`. */
  build?: string;
  start: string;
  /** Fixed settings of the build stage, e.g. unbuffered Python output so logs show at once. */
  env?: Record<string, string>;
  /** A preset's own preparation, run before the user's build command. */
  setup?: string;
  /** Compiled presets run in a smaller image that gets a copy of `workdir`. */
  runtime?: keyof PresetImages;
}

/** The preset table: default versions and commands, like Heroku's buildpacks choose them. */
export const PRESET_DEFAULTS: Readonly<Record<Preset, Readonly<PresetRecipe>>> = Object.freeze({
  node: {
    image: "node",
    version: "22",
    workdir: "/app",
    // `npm ci` needs a lockfile; without one, fall back to `npm install` as Heroku does.
    build: "if [ -f package-lock.json ]; then npm ci; else npm install; fi && npm run build --if-present",
    start: "npm start",
  },
  bun: { image: "bun", version: "1", workdir: "/app", build: "bun install && bun run --if-present build", start: "bun run start" },
  python: {
    image: "python",
    version: "3.12",
    workdir: "/app",
    build: "if [ -f requirements.txt ]; then pip install --no-cache-dir -r requirements.txt; fi",
    // No framework is assumed: the app listens on $PORT itself (set `start` for gunicorn, uvicorn…).
    start: "python app.py",
    env: { PYTHONUNBUFFERED: "1", PIP_DISABLE_PIP_VERSION_CHECK: "1" },
  },
  go: {
    image: "go",
    version: "1.23",
    workdir: "/app",
    build: "go build -o /app/server .",
    start: "/app/server",
    // A static binary runs on any runtime image, whatever its C library.
    env: { CGO_ENABLED: "0" },
    // The whole folder is copied, not just the binary: Go apps often read templates and assets at run time.
    runtime: "goRuntime",
  },
  ruby: {
    image: "ruby",
    version: "3.3",
    workdir: "/app",
    build: "bundle install",
    start: 'bundle exec rackup --host 0.0.0.0 --port "$PORT"',
    env: { BUNDLE_WITHOUT: "development:test" },
  },
  php: {
    image: "php",
    version: "8.3",
    workdir: "/var/www/html",
    // Apache expands ${PORT} from its environment, so the port is read when the container starts.
    setup: "sed -i 's/80/${PORT}/g' /etc/apache2/sites-available/000-default.conf /etc/apache2/ports.conf",
    start: "apache2-foreground",
  },
  java: { image: "java", version: "21", workdir: "/app", build: "./mvnw -B -DskipTests package", start: "java -jar target/*.jar" },
  // Static sites build with Node (when a command is given) and are served by the static image.
  static: { image: "node", version: "22", workdir: "/app", start: STATIC_SERVER },
});

export interface PresetInput {
  preset: Preset;
  version?: string;
  /** Build command; default per preset. */
  command?: string;
  /** Start command; default per preset (with `output`: the static file server). */
  start?: string;
  /** Folder (relative to the code) to serve as static files after the build. */
  output?: string;
  /** Port the app listens on; set as $PORT. Default DEFAULT_PRESET_PORT. */
  port?: number;
  baseImages: PresetImages;
}

/**
 * The Dockerfile for a preset. User commands go in as JSON strings of exec-form
 * `["sh","-c", …]` instructions, so no quote, backslash or newline in them can end the
 * instruction or start another one. The start command's last command is `exec`ed.
 */
export function renderPresetDockerfile(input: PresetInput): string {
  const recipe = PRESET_DEFAULTS[input.preset];
  if (!recipe) throw invalid(`unknown preset "${input.preset}"`, [{ path: "build.preset", message: "unknown preset" }]);
  const version = checkVersion(input.version ?? recipe.version);
  const port = checkPort(input.port ?? DEFAULT_PRESET_PORT);
  const image = (key: keyof PresetImages) => presetImage(key, input.baseImages[key], version);

  const build = input.command ?? recipe.build;
  const serveStatic = input.preset === "static" || input.output !== undefined;
  const output = checkOutput(input.output ?? ".");
  const lines = [`# Generated by Berth for the ${input.preset} preset.`];

  if (input.preset === "static" && build === undefined) {
    // Nothing to build: serve the files straight from the context.
    lines.push(`FROM ${image("static")}`, `COPY ${json([output, "/srv"])}`);
  } else {
    const stage = serveStatic || recipe.runtime ? " AS build" : "";
    lines.push(`FROM ${image(recipe.image)}${stage}`);
    for (const [name, value] of Object.entries(recipe.env ?? {})) lines.push(`ENV ${name}=${value}`);
    lines.push(`WORKDIR ${recipe.workdir}`);
    if (recipe.setup) lines.push(`RUN ${shellForm(recipe.setup)}`);
    lines.push("COPY . .");
    if (build !== undefined) lines.push(`RUN ${shellForm(build)}`);
    if (serveStatic) {
      lines.push("", `FROM ${image("static")}`, `COPY --from=build ${json([output === "." ? recipe.workdir : `${recipe.workdir}/${output}`, "/srv"])}`);
    } else if (recipe.runtime) {
      lines.push("", `FROM ${image(recipe.runtime)}`, `WORKDIR ${recipe.workdir}`, `COPY --from=build ${recipe.workdir} ${recipe.workdir}`);
    }
  }

  const start = input.start ?? (serveStatic ? STATIC_SERVER : recipe.start);
  // The app replaces the shell (see execLast), so `docker stop` signals the app, not `sh`.
  lines.push(`ENV PORT=${port}`, `EXPOSE ${port}`, `CMD ${shellForm(execLast(start))}`);
  return `${lines.join("\n")}\n`;
}

/** The image reference for a template and version; refuses anything that is not a plain reference. */
export function presetImage(key: keyof PresetImages, template: string, version: string): string {
  const reference = template.replaceAll("{version}", version);
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(reference) || reference.length > 512) {
    throw invalid(`preset image for "${key}" is not an image reference: ${JSON.stringify(reference)}`, [
      { path: `presetImages.${key}`, message: "must be an image reference such as node:{version}-slim" },
    ]);
  }
  return reference;
}

/** `["sh","-c","<command>"]`: the shell runs inside the user's own container, as their build would. */
function shellForm(command: string): string {
  return json(["sh", "-c", command]);
}

/** JSON with everything outside printable ASCII escaped, so the instruction is one plain line. */
function json(args: string[]): string {
  return `[${args.map((arg) => JSON.stringify(arg).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)).join(",")}]`;
}

function checkVersion(version: string): string {
  if (!/^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/.test(version)) {
    throw invalid(`preset version must be a version such as 20 or 3.12, not ${JSON.stringify(version)}`, [
      { path: "build.version", message: "must be a version such as 20 or 3.12" },
    ]);
  }
  return version;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(`port must be a number from 1 to 65535, not ${port}`, [{ path: "port", message: "expected a number from 1 to 65535" }]);
  }
  return port;
}

/** COPY expands `$VARS` and globs in paths, so only plain path characters are accepted. */
function checkOutput(output: string): string {
  const path = output.replace(/^\.\/+/, "").replace(/\/+$/, "") || ".";
  const segments = path.split("/");
  if (!/^[A-Za-z0-9._@+-][A-Za-z0-9._@+/-]*$/.test(path) || segments.includes("..") || segments.includes("")) {
    throw invalid(`build output must be a folder inside the code such as dist, not ${JSON.stringify(output)}`, [
      { path: "build.output", message: "must be a relative folder of letters, digits, '.', '_', '-', '@', '+' and '/'" },
    ]);
  }
  return path;
}
