// src/api/console.ts embeds the console's files `with { type: "text" }`: each is a string.
declare module "*/ui/console.js" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const text: string;
  export default text;
}
