// Emits the merged schema as a TypeScript module, so the Lambda bundle carries the
// schema without reading .graphql files at run time. Directives on fields (@cost) are kept:
// the API reads them to price each request.
const { printSchemaWithDirectives } = require("@graphql-tools/utils");

module.exports = {
  plugin(schema) {
    return `export const typeDefs = ${JSON.stringify(printSchemaWithDirectives(schema))};\n`;
  },
};
