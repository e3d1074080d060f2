#!/usr/bin/env node
import { main } from "./main.js";

main(process.argv.slice(2), process).then((code) => {
  process.exitCode = code;
  // The command has returned: whatever it left open (a socket to a broker that stopped answering) must not keep
  // the process alive. An unref'd timer keeps nothing alive itself, so a clean exit is not delayed.
  setTimeout(() => process.exit(code), 1000).unref();
});
