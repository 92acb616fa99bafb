// src/api/console.ts embeds the bundled console `with { type: "text" }`: each file is a string.
declare module "*/console/console.js" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const text: string;
  export default text;
}
