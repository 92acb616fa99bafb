// The console's own sign-in calls (outside /api): a session cookie for a name and password,
// an invitation link taken up, signing out.

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch(() => {
    throw new Error("The Berth server does not answer");
  });
  if (response.status === 204) return undefined;
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const retry = response.headers.get("Retry-After");
    const detail = answer?.detail ?? `HTTP ${response.status}`;
    throw new Error(response.status === 429 && retry ? `${detail} (try again in ${retry} s)` : detail);
  }
  return answer;
}

export const signInWithPassword = (user: string, password: string) => call("POST", "/auth/session", { user, password });
export const signOutSession = () => call("DELETE", "/auth/session");
export const invitation = (token: string): Promise<{ user: string; expiresAt: string }> => call("GET", `/auth/invitations/${encodeURIComponent(token)}`);
export const acceptInvitation = (token: string, password: string) => call("POST", `/auth/invitations/${encodeURIComponent(token)}`, { password });
