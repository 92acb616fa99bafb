/** @jsxImportSource preact */
// The environment's pages as tabs, and the breadcrumbs above them.
import { href } from "../router.ts";

const TABS = [
  ["Overview", ""],
  ["Releases", "releases"],
  ["Logs", "logs"],
  ["Metrics", "metrics"],
  ["Variables", "variables"],
  ["Access", "access"],
] as const;

export function EnvNav({ project, env, at }: { project: string; env: string; at: (typeof TABS)[number][1] }) {
  const base = href("p", project, "env", env);
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumbs">
        <a href="/">Projects</a> / <a href={href("p", project)}>{project}</a> / <span>{env}</span>
      </nav>
      <nav class="tabs" aria-label="Environment">
        {TABS.map(([label, path]) => (
          <a href={path ? `${base}/${path}` : base} aria-current={path === at ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
    </>
  );
}
