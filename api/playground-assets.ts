/**
 * The files the GraphiQL playground is made of: React's and GraphiQL's prebuilt browser
 * bundles, shipped with the project so the playground works with no internet. In the
 * Lambda bundle they sit in `playground/` beside the code (the stack copies them there
 * when the playground is on); locally they are read from node_modules. The page links each
 * by a name that carries a hash of its content (`graphiql.<hash>.js`), so browsers keep it a
 * year, and the api sends it compressed (api/playground.ts).
 */
export const PLAYGROUND_ASSETS = {
  "react.js": { pkg: "react", file: "umd/react.production.min.js", type: "application/javascript" },
  "react-dom.js": {
    pkg: "react-dom",
    file: "umd/react-dom.production.min.js",
    type: "application/javascript",
  },
  "graphiql.js": { pkg: "graphiql", file: "graphiql.min.js", type: "application/javascript" },
  "graphiql.css": { pkg: "graphiql", file: "graphiql.min.css", type: "text/css" },
} as const;
export type AssetName = keyof typeof PLAYGROUND_ASSETS;
