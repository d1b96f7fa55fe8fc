// Loaded with `node --require` before kreview: every native module of
// tree-sitter fails to load as the prebuilt binary does on a system whose
// libstdc++ is too old (what `npm ci --ignore-scripts` leaves on Debian 12).
// The shared node_modules is not touched.
"use strict";
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  if (/tree[-_]sitter/.test(String(filename))) {
    const e = new Error(`/lib/x86_64-linux-gnu/libstdc++.so.6: version \`GLIBCXX_3.4.31' not found (required by ${filename})`);
    e.code = "ERR_DLOPEN_FAILED";
    throw e;
  }
  return dlopen.call(this, module, filename, ...rest);
};
