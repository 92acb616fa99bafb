import { jsonObject } from "./json.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { exposedPort } from "./dockerfile.ts";
import type { Decisions } from "./types.ts";

type Build = NonNullable<BlockSpec["build"]>;

/** The port Berth's presets set as $PORT when a block names none else. */
export const DEFAULT_PORT = 8080;

/** How the code is built, and what that says about the block that runs it. */
export interface BuildPlan {
  build?: Build;
  /** Where the app listens (a folder of files is served on the static preset's port). */
  port: number;
  /** The build serves a folder of files (static preset). */
  servesFolder: boolean;
  /** Which file decided it, for messages. */
  from: string;
}

const has = (files: Record<string, string>, name: string) => name in files;


/** "^20.1", ">=18", "20.x", "3.12.1" → the leading major(.minor) the preset image tags use. */
function versionFrom(spec: unknown, parts: 1 | 2): string | undefined {
  if (typeof spec !== "string") return undefined;
  const match = /(\d+)(?:\.(\d+))?/.exec(spec);
  if (!match) return undefined;
  return parts === 2 && match[2] !== undefined ? `${match[1]}.${match[2]}` : match[1];
}

function dockerfilePlan(text: string, d: Decisions): BuildPlan {
  const { port, note } = exposedPort(text);
  d.add("build", "dockerfile: Dockerfile", "a Dockerfile is the most exact description of the build; it wins over language files");
  if (port) d.add("port", String(port), "from the Dockerfile's EXPOSE");
  else d.todo("port", String(DEFAULT_PORT), `${note}: set \`port\` to the port the app listens on (Berth also sets $PORT to it)`);
  return { build: { dockerfile: "Dockerfile" }, port: port ?? DEFAULT_PORT, servesFolder: false, from: "Dockerfile" };
}

function nodePlan(input: { files: Record<string, string>; entries: string[] }, bun: boolean, d: Decisions): BuildPlan {
  const pkg = jsonObject(input.files["package.json"]);
  const build: Build = { preset: bun ? "bun" : "node" };
  const from = bun ? (has(input.files, "bun.lockb") ? "bun.lockb" : "bun.lock") : "package.json";
  d.add("build", `preset: ${build.preset}`, `${from} is there`);
  if (input.files["package.json"] !== undefined && !pkg) d.todo("build", "package.json", "package.json is not a JSON object: check the build by hand");
  const engines = pkg?.engines as Record<string, unknown> | undefined;
  const version = versionFrom(bun ? engines?.bun : engines?.node, 1);
  if (version) {
    build.version = version;
    d.add("build.version", version, `from package.json engines.${bun ? "bun" : "node"}`);
  }
  const scripts = (pkg?.scripts ?? {}) as Record<string, unknown>;
  if (typeof scripts.start === "string") {
    d.add("build.start", "(preset default)", `package.json has a start script, which the ${build.preset} preset runs`);
  } else if (typeof pkg?.main === "string" && /^[\w./@-]+$/.test(pkg.main)) {
    build.start = `${bun ? "bun" : "node"} ${pkg.main}`;
    d.add("build.start", build.start, "package.json has no start script; its `main` is the entry point");
  } else {
    const entry = ["server.js", "index.js", "app.js", "main.js", "index.ts", "server.ts"].find((f) => input.entries.includes(f));
    if (entry) {
      build.start = `${bun ? "bun" : "node"} ${entry}`;
      d.add("build.start", build.start, `no start script or main; ${entry} is there`);
    } else {
      d.todo("build.start", "(preset default)", "no start script, main or server file: set `build.start` to the command that starts the app on $PORT");
    }
  }
  d.add("port", String(DEFAULT_PORT), "Berth sets $PORT; the app must listen on it");
  return { build, port: DEFAULT_PORT, servesFolder: false, from };
}

/** Files that make a folder a Python app, as Heroku's Python buildpack detects them. */
const PYTHON_MARKERS = ["requirements.txt", "pyproject.toml", ".python-version", "runtime.txt"];
const PYTHON_ENTRIES = ["app.py", "main.py", "server.py"];

function pythonPlan(input: { files: Record<string, string>; entries: string[] }, d: Decisions): BuildPlan {
  const build: Build = { preset: "python" };
  const requirements = has(input.files, "requirements.txt");
  const pyproject = has(input.files, "pyproject.toml");
  const from = PYTHON_MARKERS.find((f) => has(input.files, f)) ?? PYTHON_ENTRIES.find((f) => input.entries.includes(f))!;
  d.add("build", "preset: python", `${from} is there`);
  const pinned = input.files[".python-version"] ?? input.files["runtime.txt"];
  const requires = /requires-python\s*=\s*["']([^"']+)["']/.exec(input.files["pyproject.toml"] ?? "")?.[1];
  const version = versionFrom(pinned, 2) ?? (requires && /^\s*(==|~=)/.test(requires) ? versionFrom(requires, 2) : undefined);
  if (version) {
    build.version = version;
    d.add("build.version", version, pinned !== undefined ? `from ${has(input.files, ".python-version") ? ".python-version" : "runtime.txt"}` : "from pyproject.toml requires-python");
  }
  if (!requirements && pyproject) {
    build.command = "pip install --no-cache-dir .";
    d.add("build.command", build.command, "pyproject.toml without requirements.txt: the project installs itself");
  } else if (!requirements) {
    d.add("build.command", "(none)", "no requirements.txt or pyproject.toml: the standard library only, nothing to install");
  }
  const entry = PYTHON_ENTRIES.find((f) => input.entries.includes(f));
  if (entry) {
    build.start = `python3 ${entry}`;
    d.add("build.start", build.start, `${entry} is there; it must listen on $PORT`);
  } else if (input.entries.includes("manage.py")) {
    build.start = 'python3 manage.py runserver "0.0.0.0:$PORT"';
    d.todo("build.start", build.start, "manage.py (Django) is there: its development server works, a production server such as gunicorn is better");
  } else {
    d.todo("build.start", "python app.py", "no app.py, main.py or server.py: set `build.start` to the command that starts the app on $PORT");
  }
  d.add("port", String(DEFAULT_PORT), "Berth sets $PORT; the app must listen on it");
  return { build, port: DEFAULT_PORT, servesFolder: false, from };
}

function simplePlan(preset: "go" | "ruby" | "php", from: string, version: string | undefined, versionFromWhat: string, d: Decisions): BuildPlan {
  const build: Build = { preset };
  d.add("build", `preset: ${preset}`, `${from} is there`);
  if (version) {
    build.version = version;
    d.add("build.version", version, `from ${versionFromWhat}`);
  }
  d.add("port", String(DEFAULT_PORT), "Berth sets $PORT; the app must listen on it");
  return { build, port: DEFAULT_PORT, servesFolder: false, from };
}

/**
 * The build, from the most exact description to the least: a Dockerfile, then language files
 * in the order of how specific they are (a Bun lockfile beside package.json means Bun), then a
 * bare index.html as a static site. The order follows what Heroku's buildpack detection and
 * `fly launch` do.
 */
export function detectBuild(input: { files: Record<string, string>; entries: string[] }, d: Decisions): BuildPlan {
  const { files } = input;
  if (has(files, "Dockerfile")) return dockerfilePlan(files.Dockerfile!, d);
  if (has(files, "bun.lockb") || has(files, "bun.lock")) return nodePlan(input, true, d);
  if (has(files, "package.json")) return nodePlan(input, false, d);
  if (PYTHON_MARKERS.some((f) => has(files, f))) return pythonPlan(input, d);
  if (has(files, "go.mod")) return simplePlan("go", "go.mod", versionFrom(/^go\s+(\S+)/m.exec(files["go.mod"]!)?.[1], 2), "go.mod's go line", d);
  if (has(files, "Gemfile")) return simplePlan("ruby", "Gemfile", /^\s*ruby\s+["'](\d+(?:\.\d+){0,2})["']/m.exec(files.Gemfile!)?.[1], "the Gemfile's ruby line", d);
  if (has(files, "composer.json")) {
    const php = (jsonObject(files["composer.json"])?.require as Record<string, unknown> | undefined)?.php;
    return simplePlan("php", "composer.json", versionFrom(php, 2), "composer.json require.php", d);
  }
  // A lone entry script is a Python app too (Heroku's buildpack accepts main.py the same way).
  if (PYTHON_ENTRIES.some((f) => input.entries.includes(f)) && !has(files, "index.html")) return pythonPlan(input, d);
  if (has(files, "index.html")) {
    d.add("build", "preset: static", "index.html and no language files: the folder is served as it is");
    d.add("port", String(DEFAULT_PORT), "the static preset's file server listens on $PORT; the edge routes to it there");
    return { build: { preset: "static" }, port: DEFAULT_PORT, servesFolder: true, from: "index.html" };
  }
  d.todo("build", "preset: static", "no Dockerfile or known language file (package.json, requirements.txt, pyproject.toml, .python-version, go.mod, Gemfile, composer.json, index.html): choose a `preset` or add a Dockerfile");
  return { build: { preset: "static" }, port: DEFAULT_PORT, servesFolder: true, from: "nothing" };
}
