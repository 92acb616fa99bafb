// Keyboard: `/` focuses the page's search box, `g p` goes to the projects, `g c` to the
// certificates, `g a` to the API reference, `g u` users, `g t` tokens, `g l` the audit log; none fire while typing in a field.
import { navigate } from "./router.ts";

const GO: Record<string, string> = { p: "/", c: "/certs", a: "/api-docs", u: "/admin/users", t: "/admin/tokens", l: "/admin/audit" };

export function bindKeys() {
  let leader = 0;
  document.addEventListener("keydown", (event) => {
    const target = event.target as HTMLElement;
    if (event.ctrlKey || event.metaKey || event.altKey || target.closest("input, textarea, select, dialog[open]")) return;
    if (event.key === "/") {
      const search = document.querySelector<HTMLInputElement>("input[type=search]");
      if (search) {
        event.preventDefault();
        search.focus();
      }
    } else if (event.key === "g") {
      leader = Date.now();
    } else if (leader && Date.now() - leader < 1500 && GO[event.key]) {
      leader = 0;
      navigate(GO[event.key]!);
    } else leader = 0;
  });
}
