/** @jsxImportSource preact */
// Name and password (a session cookie); an API token still works for machine accounts.
import { useState } from "preact/hooks";
import { signInWithPassword } from "../auth.ts";
import { keepToken } from "../session.ts";

export function SignIn({ start }: { start: (token: string | null) => Promise<void> }) {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const attempt = (work: () => Promise<void>) => async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>Berth</h1>
      <form aria-label="Sign in" onSubmit={attempt(async () => { await signInWithPassword(user.trim(), password); await start(null); })}>
        <label for="user">User</label>
        <input id="user" autocomplete="username" required value={user} onInput={(e) => setUser(e.currentTarget.value)} />
        <label for="password">Password</label>
        <input id="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <button class="primary" disabled={busy}>Sign in</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <details>
        <summary>Sign in with an API token</summary>
        <form aria-label="Sign in with a token" onSubmit={attempt(async () => { await start(token.trim()); keepToken(token.trim()); })}>
          <label for="token">API token</label>
          <input id="token" type="password" autocomplete="off" required placeholder="berth token create" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
          <button disabled={busy}>Use token</button>
        </form>
      </details>
    </main>
  );
}
