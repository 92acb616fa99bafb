/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { keepToken } from "../session.ts";

export function SignIn({ signIn }: { signIn: (token: string) => Promise<void> }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
      keepToken(token.trim());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>Berth</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label for="token">API token</label>
        <input id="token" type="password" autocomplete="off" required placeholder="berth token create, or admin.token on the server" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button class="primary" disabled={busy}>Sign in</button>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </main>
  );
}
