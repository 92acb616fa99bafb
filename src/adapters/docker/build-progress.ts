/**
 * Reads the classic builder's progress events: passes output on line by line, remembers the
 * step and the container that are running, and turns an engine error into one clear line.
 */

/** One JSON event from the engine's /build stream (classic builder). */
export interface BuildEvent {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { ID?: string };
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

export class BuildProgress {
  /** The Dockerfile instruction being run, e.g. `RUN npm ci`. */
  step: string | undefined;
  /** The container running the current step; the engine prints it as "Running in <id>". */
  container: string | undefined;
  /** The engine's error message, when an event reported one. */
  error: string | undefined;
  /** Each step's resulting image, as the engine prints it (" ---> <id>"), in build order. */
  readonly stepImages: string[] = [];
  private partial = "";

  constructor(private readonly onLog: (line: string) => void) {}

  handle(event: BuildEvent): void {
    if (event.error !== undefined || event.errorDetail !== undefined) {
      const message = event.errorDetail?.message || event.error || "unknown build error";
      // Keep the first error: later ones are usually consequences of it.
      this.error ??= message;
      this.onLog(message);
      return;
    }
    if (typeof event.stream === "string") this.write(event.stream);
    // Pull progress ticks many times a second; only the status changes are worth a log line.
    else if (event.status && !event.progressDetail?.total) this.onLog(event.id ? `${event.id}: ${event.status}` : event.status);
  }

  /** Emit a last line the engine did not end with a newline. */
  flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = "";
  }

  private write(chunk: string): void {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.line(line);
  }

  private line(raw: string): void {
    // The engine paints a step's stderr red with escape codes that can prefix the next line;
    // logs are stored and shown as plain text. A carriage return redraws a progress bar in
    // place: keep what a terminal would show.
    const line = raw.replace(ANSI_ESCAPE, "").split("\r").filter(Boolean).pop() ?? "";
    const step = /^Step \d+\/\d+ : (.*)$/.exec(line);
    if (step) {
      this.step = step[1];
      this.container = undefined;
    }
    const running = /^ ---> Running in ([0-9a-f]{12,64})$/.exec(line);
    if (running) this.container = running[1];
    const image = /^ ---> ([0-9a-f]{12,64})$/.exec(line);
    if (image) this.stepImages.push(image[1]!);
    this.onLog(line);
  }
}

/** The one-line reason for a failed build, from the engine's message and the step that ran. */
export function describeBuildFailure(message: string, step: string | undefined, memoryBytes: number): string {
  const first = message.split("\n").find((line) => line.trim()) ?? message;
  const exit = /returned a non-zero code: (\d+)/.exec(first);
  const code = exit ? Number(exit[1]) : undefined;
  // 137 = killed by SIGKILL, which inside a memory-capped build is the kernel's OOM killer.
  if (code === 137 || /out of memory|oom-?kill|cannot allocate memory/i.test(first)) {
    return `out of memory: the build used more than ${Math.round(memoryBytes / 1048576)} MiB`;
  }
  if (code !== undefined) return `step "${displayStep(step) ?? "RUN"}" failed with exit code ${code}`;
  // A missing base image fails with the registry's error, which does not name the image.
  if (step && /^FROM\s/i.test(step)) return `step "${displayStep(step)}" failed: ${first.trim()}`;
  return first.trim();
}

/** `RUN ["sh","-c","npm ci"]` (as generated for presets) reads better as `RUN npm ci`. */
export function displayStep(step: string | undefined): string | undefined {
  if (step === undefined) return undefined;
  const execForm = /^(RUN) (\[.*\])$/i.exec(step);
  if (execForm) {
    try {
      const argv: unknown = JSON.parse(execForm[2]!);
      if (Array.isArray(argv) && argv.every((arg) => typeof arg === "string")) {
        const words = argv.length === 3 && argv[0] === "sh" && argv[1] === "-c" ? [argv[2]] : argv;
        step = `${execForm[1]} ${words.join(" ")}`;
      }
    } catch {
      // Not JSON after all: show the instruction as written.
    }
  }
  const line = step.split("\n")[0]!.trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
