/** @jsxImportSource preact */
import { render } from "preact";
import "uplot/dist/uPlot.min.css";
import "./console.css";
import { App } from "./app.tsx";
import { followLinks } from "./router.ts";
import { bindKeys } from "./keys.ts";

const root = document.getElementById("app")!;
followLinks(root);
bindKeys();
render(<App />, root);
