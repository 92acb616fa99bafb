/** @jsxImportSource preact */
// An invitation link: the invited person chooses a password and is signed in.
import { useState } from "preact/hooks";
import { acceptInvitation, invitation } from "../auth.ts";
import { navigate } from "../router.ts";
import { useData } from "../use-data.ts";

export function Invite({ token, signedIn }: { token: string; signedIn: () => Promise<void> }) {
  const invited = useData(() => invitation(token), [token]);
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (password !== again) return setError("the two passwords differ");
    setError(null);
    try {
      await acceptInvitation(token, password);
      navigate("/", { replace: true });
      await signedIn();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <main class="signin">
      <h1>Welcome to Berth</h1>
      {invited.error && <p class="error" role="alert">This invitation does not work: {invited.error}. Ask an admin for a new link (berth user invite NAME).</p>}
      {invited.data && (
        <form aria-label="Set your password" onSubmit={submit}>
          <p>Choose a password for <strong>{invited.data.user}</strong> (at least 10 characters). The link works until {invited.data.expiresAt.slice(0, 16).replace("T", " ")} UTC, once.</p>
          <label for="new-password">Password</label>
          <input id="new-password" type="password" autocomplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <label for="again">Password again</label>
          <input id="again" type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
          <button class="primary">Set password and sign in</button>
          {error && <p class="error" role="alert">{error}</p>}
        </form>
      )}
    </main>
  );
}
