/** @jsxImportSource preact */
// Picks the view for the URL inside a signed-in session; the sign-in form (or an invitation)
// otherwise.
import { useEffect, useState } from "preact/hooks";
import { unwrap } from "../../src/client/index.ts";
import { signOutSession } from "./auth.ts";
import { SessionContext } from "./context.ts";
import { match, usePlace } from "./router.ts";
import { clientFor, forgetToken, headersFor, storedToken, type Me, type Session } from "./session.ts";
import { SignIn } from "./views/sign-in.tsx";
import { Invite } from "./views/invite.tsx";
import { Header } from "./components/header.tsx";
import { ROUTES, NotFound } from "./routes.tsx";

export function App() {
  const place = usePlace();
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(true);

  /** Asks who we are with this token, or with the session cookie when there is none. */
  const start = async (token: string | null) => {
    const client = clientFor(token);
    const me = (await unwrap(client.whoami.$get())) as unknown as Me;
    setSession({ client, me, headers: headersFor(token) });
  };
  useEffect(() => {
    const token = storedToken();
    start(token)
      .catch(() => {
        if (token) forgetToken();
        // A dropped token may leave a live session cookie behind.
        return token ? start(null) : undefined;
      })
      .catch(() => undefined)
      .finally(() => setChecking(false));
  }, []);

  const invite = match("/invite/:token", place.path);
  if (invite && !session) return <Invite token={invite.token!} signedIn={() => start(null)} />;
  if (checking) return <p class="meta">Loading…</p>;
  if (!session) return <SignIn start={start} />;

  const signOut = async () => {
    forgetToken();
    await signOutSession().catch(() => undefined);
    setSession(null);
  };
  let view = <NotFound />;
  for (const [pattern, View] of ROUTES) {
    const params = match(pattern, place.path);
    if (params) {
      view = <View params={params} query={place.query} />;
      break;
    }
  }
  return (
    <SessionContext.Provider value={session}>
      <Header me={session.me} signOut={signOut} />
      <main>{view}</main>
    </SessionContext.Provider>
  );
}
