import { describe, expect, test } from "bun:test";
import { execLast } from "./start-command.ts";

describe("start commands exec their last command so the app receives SIGTERM", () => {
  const cases: [string, string][] = [
    ["node server.js", "exec node server.js"],
    ["npm start", "exec npm start"],
    ['gunicorn -b "0.0.0.0:$PORT" app:app', 'exec gunicorn -b "0.0.0.0:$PORT" app:app'],
    ["npm run migrate && npm start", "npm run migrate && exec npm start"],
    ["cd web; python3 app.py", "cd web; exec python3 app.py"],
    ["cd web; python3 app.py;", "cd web; exec python3 app.py;"],
    ["test -f x || make x\nnode x", "test -f x || make x\nexec node x"],
    ["PORT=3000 NODE_ENV='prod x' node app.js", "PORT=3000 NODE_ENV='prod x' exec node app.js"],
    ["echo 'a && b' && node \"$(cat entry)\"", "echo 'a && b' && exec node \"$(cat entry)\""],
    ['httpd -f -v -p "$PORT" -h /srv', 'exec httpd -f -v -p "$PORT" -h /srv'],
    ["java -jar target/*.jar 2>&1", "exec java -jar target/*.jar 2>&1"],
    ["  node x", "  exec node x"],
  ];
  for (const [command, expected] of cases) {
    test(JSON.stringify(command), () => expect(execLast(command)).toBe(expected));
  }

  const unchanged = [
    "exec node x",
    "node x | tee log",
    "node x &",
    "worker & node x",
    "(cd web && node x)",
    "if true; then node x; fi",
    "while true; do node x; done",
    "start() { node x; }; start",
    "node x; wait",
    "cat <<EOF\nhi\nEOF",
    "node x # the server",
    "echo 'unbalanced",
    "FOO=1",
    "a &&",
    "case $1 in a) node x;; esac",
  ];
  for (const command of unchanged) {
    test(`${JSON.stringify(command)} runs as written`, () => expect(execLast(command)).toBe(command));
  }
});
