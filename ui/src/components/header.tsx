/** @jsxImportSource preact */
import type { Me } from "../session.ts";

export function Header({ me, signOut }: { me: Me; signOut: () => void }) {
  return (
    <header>
      <a class="brand" href="/">Berth</a>
      <nav aria-label="Main">
        <a href="/">Projects</a>
        <a href="/certs">Certificates</a>
        <a href="/api-docs">API</a>
      </nav>
      <span class="who">
        {me.name} ({me.role === "none" ? "project grants" : me.role})
      </span>
      <button type="button" onClick={signOut}>Sign out</button>
    </header>
  );
}
