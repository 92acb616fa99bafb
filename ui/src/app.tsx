/** @jsxImportSource preact */
// Picks the view for the URL inside a signed-in session; the sign-in form otherwise.
import { useEffect, useState } from "preact/hooks";
import { unwrap } from "../../src/client/index.ts";
import { SessionContext } from "./context.ts";
import { match, usePlace } from "./router.ts";
import { clientFor, forgetToken, headersFor, storedToken, type Me, type Session } from "./session.ts";
import { SignIn } from "./views/sign-in.tsx";
import { Header } from "./components/header.tsx";
import { ROUTES, NotFound } from "./routes.tsx";

export function App() {
  const place = usePlace();
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(true);

  const start = async (token: string | null) => {
    const client = clientFor(token);
    const me = (await unwrap(client.whoami.$get())) as unknown as Me;
    setSession({ client, me, headers: headersFor(token) });
  };
  useEffect(() => {
    const token = storedToken();
    if (!token) return setChecking(false);
    start(token)
      .catch(() => forgetToken())
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="meta">Loading…</p>;
  if (!session) return <SignIn signIn={start} />;

  const signOut = () => {
    forgetToken();
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
