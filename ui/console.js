// The web console: a client of the same API as the CLI. The token stays in this browser's
// storage; the place is the URL hash (#/p/<project>/<env>) so a reload keeps it.
// API data only ever reaches the page through textContent.

const TOKEN_KEY = "berth.token";
const REFRESH_MS = 5000;
const BUILDS_SHOWN = 10;
const VIEWS = ["projects-view", "environments-view", "environment-view", "api-view"];

const $ = (id) => document.getElementById(id);
const token = () => localStorage.getItem(TOKEN_KEY);

let me = null;
let refreshTimer = 0;
// Each render bumps this, so an answer for a page the user has left is dropped.
let generation = 0;

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path) {
  const res = await fetch(`/api${path}`, { headers: { Authorization: `Bearer ${token()}` } }).catch(() => {
    throw new ApiError(0, "The Berth server does not answer");
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body?.detail ?? `${res.status} ${res.statusText}`);
  return body;
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function link(href, text) {
  const a = el("a", text);
  a.href = href;
  return a;
}

/** Only http(s) URLs become links: a stored value never runs script. */
function externalLink(url) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return el("span", url);
    const a = link(parsed.href, url);
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  } catch {
    return el("span", url);
  }
}

const decode = (part) => {
  try {
    return part && decodeURIComponent(part);
  } catch {
    return part;
  }
};
const place = (project, env) => `#/p/${encodeURIComponent(project)}${env === undefined ? "" : `/${encodeURIComponent(env)}`}`;

function row(cells) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell;
    tr.append(td);
  }
  return tr;
}

function fill(section, tableSelector, rows, emptyText) {
  const table = section.querySelector(tableSelector);
  const columns = table.querySelectorAll("thead th").length;
  const body = table.querySelector("tbody");
  if (rows.length > 0) return body.replaceChildren(...rows);
  const empty = el("tr", undefined, { class: "empty" });
  empty.append(el("td", emptyText, { colspan: String(columns) }));
  body.replaceChildren(empty);
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function showView(id) {
  for (const view of VIEWS) $(view).hidden = view !== id;
  return $(id);
}

function setCrumbs(project, env) {
  const parts = [link("#/", "Projects")];
  if (project !== undefined) parts.push(env === undefined ? el("span", project) : link(place(project), project));
  if (env !== undefined) parts.push(el("span", env));
  const nav = $("crumbs");
  nav.replaceChildren();
  parts.forEach((part, i) => nav.append(...(i > 0 ? [" › ", part] : [part])));
  document.title = [env, project, "Berth"].filter((x) => x !== undefined).join(" · ");
}

function showLogin() {
  clearTimeout(refreshTimer);
  me = null;
  showView(null);
  $("crumbs").replaceChildren();
  $("who").textContent = "";
  $("signout").hidden = true;
  $("api-link").hidden = true;
  $("login").hidden = false;
  $("token").focus();
}

async function showProjects(run) {
  const { projects } = await api("/projects");
  if (run !== generation) return;
  setCrumbs();
  const view = showView("projects-view");
  fill(view, "table", projects.map((p) => row([link(place(p.name), p.name), String(p.blocks), p.environments.join(", "), p.updatedAt])), "No projects yet: berth apply -f berth.yaml");
}

async function showEnvironments(run, project) {
  const { environments } = await api(`/projects/${encodeURIComponent(project)}/environments`);
  if (run !== generation) return;
  setCrumbs(project);
  const view = showView("environments-view");
  view.querySelector("h2").textContent = project;
  fill(view, "table", environments.map((e) => row([link(place(project, e.name), e.name), e.ref ?? "—", e.autoDeploy === "poll" ? "poll" : e.autoDeploy ? "yes" : "no", e.overrides.join(", ") || "—"])), "No environments");
}

async function showEnvironment(run, project, env) {
  const base = `/projects/${encodeURIComponent(project)}`;
  const envPath = `${base}/environments/${encodeURIComponent(env)}`;
  const [status, { builds }, { jobs }] = await Promise.all([api(`${envPath}/status`), api(`${base}/builds`), api(`${envPath}/jobs`)]);
  if (run !== generation) return;
  setCrumbs(project, env);
  const view = showView("environment-view");
  view.querySelector("h2").textContent = `${project} / ${env}`;
  const release = status.release ? `Release #${status.release.number}: ${status.release.status}${status.release.reason ? ` (${status.release.reason})` : ""}` : "Not deployed yet";
  const warnings = status.release?.warnings?.length ? ` · warning: ${status.release.warnings.join("; ")}` : "";
  $("release").textContent = `${release}${warnings} · refreshed ${new Date().toLocaleTimeString()}`;
  fill(view, "#blocks", status.blocks.map((b) => row([b.name, b.kind, el("span", b.state, { class: "state", "data-state": b.state }), `${b.ready}/${b.wanted}`, b.url ? externalLink(b.url) : "—"])), "No running blocks in this environment");
  const lastRun = (r) => (r ? el("span", `#${r.id} ${r.status}${r.exitCode ? ` (exit ${r.exitCode})` : ""}`, { class: "state", "data-state": r.status }) : "—");
  fill(view, "#jobs", jobs.map((j) => row([j.name, j.trigger, j.schedule ? `${j.schedule} (${j.timezone})` : "—", j.nextRun ? new Date(j.nextRun).toLocaleString() : "—", lastRun(j.lastRun)])), "No jobs in this environment");
  fill(view, "#builds", builds.slice(0, BUILDS_SHOWN).map((b) => row([`#${b.id}`, b.block, el("span", b.status, { class: "state", "data-state": b.status }), b.commit ? b.commit.slice(0, 7) : "—", b.reason ?? ""])), "No builds yet");
  refreshTimer = setTimeout(() => load(run, project, env, true), REFRESH_MS);
}

/** The OpenAPI document as a readable table: method, path, summary and parameters per route. */
async function showApi(run) {
  const doc = await api("/openapi.json");
  if (run !== generation) return;
  $("crumbs").replaceChildren(link("#/", "Projects"), " › ", el("span", "API"));
  document.title = "API · Berth";
  const view = showView("api-view");
  $("api-meta").textContent = `${doc.info.title} ${doc.info.version}`;
  const rows = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) =>
      row([el("code", method.toUpperCase()), el("code", path), op.summary ?? "", (op.parameters ?? []).map((p) => `${p.name} (${p.in})`).join(", ") || "—"]),
    ),
  );
  fill(view, "#routes", rows, "No routes");
}

/** Loads the place in the hash; an error shows in the status line, a 401 asks for a token again. */
async function load(run, project, env, refreshing = false) {
  try {
    me ??= await api("/whoami");
    if (run !== generation) return;
    $("who").textContent = `${me.name} (${me.role})`;
    $("signout").hidden = false;
    $("api-link").hidden = false;
    $("login").hidden = true;
    if (location.hash === "#/api") await showApi(run);
    else if (project === undefined) await showProjects(run);
    else if (env === undefined) await showEnvironments(run, project);
    else await showEnvironment(run, project, env);
    if (run === generation) setStatus("");
  } catch (error) {
    if (run !== generation) return;
    setStatus(error.message, true);
    if (error.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      return showLogin();
    }
    // A failed refresh keeps the last tables; an environment keeps polling (through a server restart, say).
    if (!refreshing) {
      setCrumbs(project, env);
      showView(null);
    }
    if (env !== undefined) refreshTimer = setTimeout(() => load(run, project, env, true), REFRESH_MS);
  }
}

function render() {
  clearTimeout(refreshTimer);
  const run = ++generation;
  if (!token()) return showLogin();
  const [, project, env] = /^#\/p\/([^/]+)(?:\/([^/]+))?/.exec(location.hash)?.map(decode) ?? [];
  load(run, project, env);
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  localStorage.setItem(TOKEN_KEY, $("token").value.trim());
  $("token").value = "";
  setStatus("");
  render();
});

$("signout").addEventListener("click", () => {
  localStorage.removeItem(TOKEN_KEY);
  ++generation;
  showLogin();
  setStatus("Signed out");
});

window.addEventListener("hashchange", render);
render();
